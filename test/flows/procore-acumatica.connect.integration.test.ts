import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { F2_FLOW } from '../../src-main/engine/flows/procore-acumatica/mappings';
import { createAppContext } from '../../src-main/host/app-context';
import { openFlowHost } from '../../src-main/host/flow-host';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_ACUMATICA_ID } from '../../src-main/host/systems/acumatica';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * "Connect Acumatica" with the generic form (connections.connect): the user's own instance —
 * here the simulator standing in for it — with a cookie login or an OAuth client. The settings
 * go to SQLite, the secrets to the keychain only; a refused connection leaves nothing behind;
 * then F2 runs on the live connections (the sandbox's flows and mappings are not used).
 */
let dir: string;
let sims: Sandbox;
const credentials = new InMemoryCredentialStore();
let ctx: ReturnType<typeof createAppContext>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f2-connect-'));
  sims = await startSandbox({ dataDir: join(dir, 'instances'), systems: ['procore', 'acumatica'], seed: 3, scale: 0.25, config: { acumatica: { allowClientCredentials: true }, procore: { spikeLimit: 2000, hourlyLimit: 100000 } } });
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger });
}, 60_000);
afterAll(async () => {
  ctx?.close();
  await sims?.close();
  rmSync(dir, { recursive: true, force: true });
});

const acu = () => sims.systems.acumatica!;
const loginValues = (over: Record<string, string> = {}) => ({
  instanceUrl: acu().baseUrl,
  tenant: String(acu().credentials['tenant']),
  endpointVersion: '24.200.001',
  auth: 'login',
  username: String(acu().credentials['username']),
  password: String(acu().credentials['password']),
  construction: 'yes',
  releaseBills: 'yes',
  retainage: 'gross',
  ...over,
});

function everythingOnDisk(): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'instances') walk(p);
      } else out.push(readFileSync(p).toString('latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('Connect Acumatica (generic form)', () => {
  it('refuses an endpoint version the instance does not publish, naming the ones it does, and keeps nothing', async () => {
    const refused = await dispatch('connections.connect', { system: 'acumatica', values: loginValues({ endpointVersion: '25.100.001' }) }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(JSON.stringify(refused)).toContain('endpoint version 25.100.001 is not available on this instance; available: 23.200.001, 24.200.001');
    expect(ctx.store.connections.get(LIVE_ACUMATICA_ID)).toBeUndefined();
    expect(await credentials.get(connectionAccount(LIVE_ACUMATICA_ID, 'password'))).toBeNull();
  });

  it('refuses a wrong password and keeps nothing half-made', async () => {
    const refused = await dispatch('connections.connect', { system: 'acumatica', values: loginValues({ password: 'wrong' }) }, ctx);
    expect(refused).toMatchObject({ ok: false });
    expect(JSON.stringify(refused)).not.toContain('wrong"');
    expect(ctx.store.connections.get(LIVE_ACUMATICA_ID)).toBeUndefined();
  });

  it('connects with a cookie login: the Test reports the published versions; the password is in the keychain only', async () => {
    const connected = await dispatch('connections.connect', { system: 'acumatica', values: loginValues() }, ctx);
    expect(connected.ok, JSON.stringify(connected)).toBe(true);
    const detail = (connected as { value: { detail: string } }).value.detail;
    expect(detail).toContain('endpoint Default/24.200.001; the instance publishes 23.200.001, 24.200.001');
    expect(ctx.store.connections.get(LIVE_ACUMATICA_ID)?.settings).toMatchObject({ tenant: 'Company', auth: 'login', construction: 'yes' });
    expect(await credentials.get(connectionAccount(LIVE_ACUMATICA_ID, 'password'))).toBe(String(acu().credentials['password']));
    expect(everythingOnDisk()).not.toContain(String(acu().credentials['password']));
    const tested = await dispatch('connections.test', { id: LIVE_ACUMATICA_ID }, ctx);
    expect(tested).toMatchObject({ ok: true });
  });

  it('with Procore connected too, F2 runs on the live connections and posts the bills', async () => {
    const p = sims.systems.procore!;
    const procore = await dispatch(
      'connections.connectProcore',
      { companyId: String(p.credentials['companyId']), clientId: String(p.credentials['clientId']), clientSecret: String(p.credentials['clientSecret']), apiBaseUrl: p.baseUrl, authBaseUrl: p.baseUrl },
      ctx,
    );
    expect(procore.ok, JSON.stringify(procore)).toBe(true);
    // The finance team's tables (here: the sandbox's defaults, as an import would set them).
    const { seedF2SandboxMappings } = await import('../../src-main/engine/flows/procore-acumatica/mappings');
    const { generateWorld } = await import('../../src-main/sandbox/seed/world');
    seedF2SandboxMappings(ctx.store, () => generateWorld(3, 0.25));
    const host = await openFlowHost({ store: ctx.store, dataDir: dir, log: silentLogger, credentials, only: [F2_FLOW] });
    try {
      const flow = host.flows.get(F2_FLOW);
      expect(flow, host.unavailable.get(F2_FLOW)?.reason).toBeDefined();
      expect(flow!.connections.map((c) => c.connection.mode)).toEqual(['live', 'live']);
      const run = await flow!.runtime.run({ trigger: 'manual' });
      expect(run.status, run.error ?? '').toBe('succeeded');
      expect(run.counts.created).toBeGreaterThan(5);
      const bills = ((await (await fetch(`${acu().baseUrl}/_sandbox/state`)).json()) as Record<string, unknown[]>)['Bill']!;
      // Gross retainage per this connection, released per its switch.
      expect(bills.length).toBeGreaterThan(3);
      expect(bills.every((b) => ((b as Record<string, { value: unknown }>)['Status']!.value) === 'Open')).toBe(true);
      // Reconciled right after the run: the links it just wrote in Procore are read too (settle time).
      const report = await flow!.runtime.reconcile!({ apiCalls: () => ({}) });
      expect(report.unexplained).toBe(0);
      expect(report.records.filter((r) => r.documentType !== 'Commitment' && r.cause === null && r.actual !== null)).toHaveLength(bills.length);
    } finally {
      await host.close();
    }
  }, 120_000);

  it('connects with an OAuth client (its id carries @tenant); tokens go to the keychain', async () => {
    const connected = await dispatch(
      'connections.connect',
      { system: 'acumatica', values: loginValues({ auth: 'oauth', clientId: String(acu().credentials['clientId']), clientSecret: String(acu().credentials['clientSecret']) }) },
      ctx,
    );
    expect(connected.ok, JSON.stringify(connected)).toBe(true);
    expect((connected as { value: { detail: string } }).value.detail).toContain('with an OAuth token');
    expect(await credentials.get(connectionAccount(LIVE_ACUMATICA_ID, 'tokens'))).toMatch(/accessToken/);
    expect(everythingOnDisk()).not.toContain(String(acu().credentials['clientSecret']));
  });
});
