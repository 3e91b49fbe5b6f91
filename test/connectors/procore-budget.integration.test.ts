import { afterEach, describe, expect, it } from 'vitest';
import type { KitClock } from '../../src-main/connectors/_kit';
import { silentLogger } from '../../src-main/connectors/_kit';
import { createProcoreConnector, type ProcoreConnector } from '../../src-main/connectors/procore/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startProcoreSimulator } from '../../src-main/sandbox/procore/index';

// The Procore connector's hourly budget against the real Procore simulator, whose
// X-Rate-Limit-* headers describe whichever window is closest to exhaustion (§2.6). The
// connector is configured with the historical 3,600/hour; the simulated company differs.

/** Each test gets its own company id, so its budget (`procore:<id>`) is its own. */
let nextCompanyId = 562_949_953_900_000 + (process.pid % 1000) * 100;

const open: Array<{ sim: RunningSimulator; connector: ProcoreConnector }> = [];
afterEach(async () => {
  for (const { sim, connector } of open.splice(0)) {
    await connector.close();
    await sim.close();
  }
});

async function start(limits: {
  hourlyLimit: number;
  spikeLimit: number;
}): Promise<{ sim: RunningSimulator; connector: ProcoreConnector }> {
  const companyId = nextCompanyId++;
  const sim = await startProcoreSimulator({
    dataDir: null,
    seed: 1,
    scale: 1,
    config: { ...limits, companyId },
  });
  const clock: KitClock = {
    now: () => sim.clock.now(),
    sleep: async (ms) => sim.clock.advance(Math.max(0, ms)),
  };
  const credentials = {
    clientId: String(sim.credentials.clientId),
    clientSecret: String(sim.credentials.clientSecret),
  };
  let token: string | null = null;
  const connector: ProcoreConnector = createProcoreConnector(
    {
      baseUrl: sim.baseUrl,
      allowedHosts: ['127.0.0.1'],
      logger: silentLogger,
      now: clock.now,
      tokens: {
        getAccessToken: async () => (token ??= (await connector.requestToken(credentials)).accessToken),
        handleUnauthorized: async () => (token = (await connector.requestToken(credentials)).accessToken),
      },
    },
    {
      companyId: String(companyId),
      apiBaseUrl: sim.baseUrl,
      authBaseUrl: sim.baseUrl,
      rateLimits: { hourly: 3600, spikePer10s: 1000 },
      clock,
    },
  );
  const opened = { sim, connector };
  open.push(opened);
  return opened;
}

describe('Procore connector hourly budget (simulator headers)', () => {
  it("shows the company's real hourly figures from the headers, not the configured 3,600", async () => {
    const { sim, connector } = await start({ hourlyLimit: 50, spikeLimit: 100_000 });
    await connector.listProjects();
    await connector.listVendors();
    const hourly = connector.hourlyBudget();
    expect(hourly).toMatchObject({ name: 'hourly', limit: 50, used: 2, remaining: 48, source: 'server' });
    // The simulator's hour started at the first call and resets an hour later (whole seconds).
    expect(hourly!.resetAt! - sim.clock.now()).toBeGreaterThan(3_590_000);
    expect(hourly!.resetAt! - sim.clock.now()).toBeLessThanOrEqual(3_601_000);
  });

  it('keeps its own hourly count while the headers describe the spike window', async () => {
    const { connector } = await start({ hourlyLimit: 100_000, spikeLimit: 20 });
    await connector.listProjects();
    await connector.listVendors();
    expect(connector.budget.snapshot().windows.find((w) => w.name === 'nearest')).toMatchObject({
      limit: 20,
      remaining: 18,
    });
    expect(connector.hourlyBudget()).toMatchObject({
      name: 'hourly',
      limit: 3600,
      used: 2,
      remaining: 3598,
      source: 'local',
    });
  });
});
