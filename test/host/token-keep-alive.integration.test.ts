import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src-shared/domain/auth';
import type { FlowOverview } from '../../src-shared/ipc';
import { EXACT_CUSTODY_POLICY, TokenCustodian, type TokenVault } from '../../src-main/auth/custody';
import { silentLogger } from '../../src-main/connectors/_kit';
import { createExactOnlineConnector } from '../../src-main/connectors/exact-online';
import type { Notice } from '../../src-main/engine/scheduler/notifications';
import { createFakeTimers } from '../../src-main/engine/scheduler/timers';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { attachEngine, type EngineHost } from '../../src-main/host/engine-host';
import { dispatch } from '../../src-main/host/handlers';
import { formatSignInTime, storedExpiryAnnouncements, TokenKeepAlive } from '../../src-main/host/token-keep-alive';
import { openStore } from '../../src-main/store';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * The sign-in keep-alive against the Exact Online simulator (strict rotation, 30-day idle
 * expiry, simulator time moved through /_sandbox/clock), and the dashboard's sign-in expiry
 * through the real engine and IPC dispatch.
 */
const DAY = 24 * 3600_000;

function memoryVault(initial: TokenSet): TokenVault & { saves: TokenSet[] } {
  let current: TokenSet | null = initial;
  const saves: TokenSet[] = [];
  return {
    saves,
    load: async () => current,
    save: async (t) => {
      current = t;
      saves.push(t);
    },
    clear: async () => {
      current = null;
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('token keep-alive against the Exact Online simulator', () => {
  it('a running app keeps the sign-in alive past 30 idle days; an app closed for 31 days finds it expired and asks for a new sign-in', async () => {
    const initialRefreshToken = 'keep-alive-initial-refresh-token';
    const sandbox: Sandbox = await startSandbox({ dataDir: null, systems: ['exact'], config: { exact: { initialRefreshToken } } });
    cleanups.push(() => sandbox.close());
    const sim = sandbox.systems.exact!;
    const creds = sim.credentials as { clientId: string; clientSecret: string; division: number };
    const timers = createFakeTimers(Date.now());
    /** App time and simulator time move together, a day at a time (the keep-alive checks daily here). */
    const passDays = async (days: number): Promise<void> => {
      for (let d = 0; d < days; d++) {
        const res = await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: DAY }) });
        expect(res.status).toBe(200);
        await timers.advance(DAY);
      }
    };

    const vault = memoryVault({ accessToken: 'none-yet', accessTokenExpiresAt: 0, refreshToken: initialRefreshToken, refreshTokenIssuedAt: timers.now() });
    const late: { exact?: ReturnType<typeof createExactOnlineConnector> } = {};
    const custodian = new TokenCustodian({
      connectionId: 'live-exact-online',
      vault,
      policy: EXACT_CUSTODY_POLICY,
      now: timers.now,
      refresh: (current) => late.exact!.refreshTokens({ refreshToken: current!.refreshToken!, clientSecret: creds.clientSecret, accessTokenExpiresAt: current!.accessTokenExpiresAt }),
    });
    const exact = createExactOnlineConnector(
      { baseUrl: sim.baseUrl, allowedHosts: [new URL(sim.baseUrl).hostname], logger: silentLogger, tokens: custodian, now: timers.now },
      { region: 'nl', baseUrl: sim.baseUrl, division: Number(creds.division), clientId: creds.clientId },
    );
    late.exact = exact;
    cleanups.push(() => exact.close());
    await custodian.getAccessToken(); // the first token pair, as after a sign-in
    expect(vault.saves).toHaveLength(1);

    const notices: Notice[] = [];
    const ticker = (): TokenKeepAlive =>
      new TokenKeepAlive({ connections: [{ id: 'live-exact-online', label: 'Exact Online', custodian }], timers, log: silentLogger, onNotice: (n) => notices.push(n), intervalMs: DAY, firstCheckAfterMs: DAY });

    const running = ticker();
    running.start();
    await passDays(40); // no sync at all for 40 days, the app just runs
    await running.stop();
    expect(vault.saves).toHaveLength(6); // the sign-in + a keep-alive on days 7, 14, 21, 28 and 35
    expect(custodian.state).toBe('connected');
    expect(notices).toEqual([]);
    expect((await exact.me()).currentDivision).toBe(Number(creds.division)); // the simulator still accepts it

    await passDays(31); // the app is closed for 31 days
    const restarted = ticker();
    restarted.start();
    await passDays(1);
    await restarted.stop();
    expect(custodian.state).toBe('needs-reauth');
    expect(notices.map((n) => n.title)).toEqual(['Sign in again to keep syncing']);
  });
});

describe('sign-in expiry on the dashboard (flows.overview)', () => {
  it('shows when the Exact sign-in lapses, warns inside the last 5 days and when it needs a new sign-in; Procore has no such date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-keepalive-'));
    const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => ctx.close());
    const f1: EngineHost | null = await attachEngine(ctx, { sandbox: { seed: 1, scale: 1 } });
    cleanups.push(() => f1?.close());
    const exact = f1!.flows.flows.get('exact-procore')!.connections.find((c) => c.system === 'exact-online')!.custodian;
    const overview = async (): Promise<FlowOverview['connections']> => {
      const result = await dispatch('flows.overview', undefined, ctx);
      if (!result.ok) throw new Error(result.error.message);
      return (result.value as { flows: FlowOverview[] }).flows[0]!.connections;
    };

    const issued = Date.now() - 26 * DAY; // idle for 26 days: 4 days left
    await exact.acceptNewGrant({ accessToken: 'at-secret-1', accessTokenExpiresAt: issued + 600_000, refreshToken: 'rt-secret-1', refreshTokenIssuedAt: issued });
    const [exactView, procoreView] = await overview();
    expect(exactView).toMatchObject({ status: 'connected', tokenExpiresAt: new Date(issued + 30 * DAY).toISOString() });
    expect(exactView!.warning).toBe(
      `Exact Online (sandbox) sign-in expires on ${formatSignInTime(issued + 30 * DAY)} unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).`,
    );
    expect(procoreView).toMatchObject({ tokenExpiresAt: null, warning: null });

    const fresh = Date.now();
    await exact.acceptNewGrant({ accessToken: 'at-secret-2', accessTokenExpiresAt: fresh - 1, refreshToken: 'rt-secret-2', refreshTokenIssuedAt: fresh });
    const [renewed] = await overview();
    expect(renewed).toMatchObject({ tokenExpiresAt: new Date(fresh + 30 * DAY).toISOString(), warning: null });

    // The simulator does not know rt-secret-2: the refresh is refused and custody gives up.
    await expect(exact.getAccessToken()).rejects.toThrow(/sign in/i);
    const [dead] = await overview();
    expect(dead).toMatchObject({ status: 'needs-reauth', tokenExpiresAt: null, warning: 'Exact Online (sandbox) needs you to sign in again; syncing with it is stopped until you do (Connections).' });
    expect(JSON.stringify(await overview())).not.toMatch(/secret/);
  });
});

describe('the "sign-in expires soon" notice across restarts', () => {
  it('fires once per expiry date: not again after a restart on the same store, but again for the new date after a renewal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-expiry-notice-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const timers = createFakeTimers(Date.UTC(2026, 10, 1, 9, 0, 0));
    const issued = timers.now() - 26 * DAY; // 4 days left: inside the 5-day warning
    const vault = memoryVault({ accessToken: 'at-0', accessTokenExpiresAt: issued + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: issued });
    const custodian = new TokenCustodian({
      connectionId: 'live-exact-online',
      vault,
      policy: EXACT_CUSTODY_POLICY,
      now: timers.now,
      // Exact unreachable for weeks: the keep-alive cannot renew, so the warning stands.
      refresh: async () => {
        throw new Error('Exact Online is unreachable (connect ECONNREFUSED)');
      },
    });
    const notices: Notice[] = [];
    /** One app launch: the keep-alive on a freshly opened store, checking hourly for `hours`. */
    const launch = async (hours: number): Promise<void> => {
      const store = openStore(dataDir);
      const keepAlive = new TokenKeepAlive({
        connections: [{ id: 'live-exact-online', label: 'Exact Online', custodian }],
        timers,
        log: silentLogger,
        onNotice: (n) => notices.push(n),
        announcements: storedExpiryAnnouncements(store.settings),
        formatTime: (ms) => new Date(ms).toISOString(),
        intervalMs: 3600_000,
        firstCheckAfterMs: 60_000,
      });
      try {
        keepAlive.start();
        await timers.advance(hours * 3600_000);
        await keepAlive.stop();
      } finally {
        store.close();
      }
    };

    await launch(6);
    expect(notices.map((n) => n.body)).toEqual([
      `Exact Online sign-in expires on ${new Date(issued + 30 * DAY).toISOString()} unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).`,
    ]);
    await launch(6); // restarted: the same date is not announced again
    expect(notices).toHaveLength(1);

    // A renewal (here a new sign-in) moves the date; 26 days on, the new date comes near.
    const renewed = timers.now();
    await custodian.acceptNewGrant({ accessToken: 'at-1', accessTokenExpiresAt: renewed + 600_000, refreshToken: 'rt-1', refreshTokenIssuedAt: renewed });
    await timers.advance(26 * DAY);
    await launch(2);
    expect(notices).toHaveLength(2);
    expect(notices[1]!.body).toContain(`expires on ${new Date(renewed + 30 * DAY).toISOString()}`);
    await launch(2);
    expect(notices).toHaveLength(2);
  });
});
