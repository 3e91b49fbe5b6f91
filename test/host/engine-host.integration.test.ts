import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src-shared/domain/auth';
import type { IpcEventPayload } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { createFakeTimers, type FakeTimers } from '../../src-main/engine/scheduler/timers';
import { createAppContext } from '../../src-main/host/app-context';
import { startEngineHost, type EngineHost } from '../../src-main/host/engine-host';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_EXACT_ID, LIVE_PROCORE_ID, liveCustody } from '../../src-main/host/live-connections';
import { FIRST_KEEP_ALIVE_CHECK_MS } from '../../src-main/host/token-keep-alive';
import { startSandbox, type RunningSimulator } from '../../src-main/sandbox';

/**
 * The engine host (Electron main, `serve`) with live connections, the Exact Online and Procore
 * simulators standing in for the real services: the sign-in keep-alive runs for the Exact
 * connection while Procore is not connected yet (the flow cannot run), and after Procore is
 * connected the attached engine shares the keep-alive's custodian, so overlapping checks and a
 * sync renew Exact's rotating refresh token exactly once.
 */
const DAY = 24 * 3600_000;
const INITIAL_REFRESH_TOKEN = 'engine-host-initial-refresh-token';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What an earlier `connect exact-online` left: the connection row, and the client secret and an idle token set (8 days old) in the keychain. */
async function liveExactConnected() {
  const sandbox = await startSandbox({ dataDir: null, systems: ['exact', 'procore'], config: { exact: { initialRefreshToken: INITIAL_REFRESH_TOKEN }, procore: { spikeLimit: 1000 } } });
  cleanups.push(() => sandbox.close());
  const exactSim = sandbox.systems.exact!;
  const procoreSim = sandbox.systems.procore!;
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-engine-host-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const credentials = new InMemoryCredentialStore();
  const ctx = createAppContext({ dataDir, credentials, appVersion: '1.0.0', log: silentLogger });
  cleanups.push(() => ctx.close());

  const c = exactSim.credentials as { clientId: string; clientSecret: string; redirectUri: string; division: number };
  ctx.store.connections.create({
    id: LIVE_EXACT_ID,
    system: 'exact-online',
    label: 'Exact Online',
    mode: 'live',
    settings: { region: 'nl', clientId: c.clientId, redirectUri: c.redirectUri, baseUrl: exactSim.baseUrl, division: Number(c.division) },
  });
  await credentials.set(connectionAccount(LIVE_EXACT_ID, 'clientSecret'), c.clientSecret);
  const idle: TokenSet = { accessToken: 'long-expired-access-token', accessTokenExpiresAt: Date.now() - DAY, refreshToken: INITIAL_REFRESH_TOKEN, refreshTokenIssuedAt: Date.now() - 8 * DAY };
  await credentials.set(connectionAccount(LIVE_EXACT_ID, 'tokens'), JSON.stringify(idle));

  const storedTokens = async (): Promise<TokenSet> => JSON.parse((await credentials.get(connectionAccount(LIVE_EXACT_ID, 'tokens')))!) as TokenSet;
  return { ctx, credentials, exactSim, procoreSim, storedTokens };
}

/** Calls to Exact's token endpoint, as the simulator saw them. */
function tokenCalls(exactSim: RunningSimulator): number {
  return exactSim.requests.recent(5_000).filter((r) => r.method === 'POST' && r.path.startsWith('/api/oauth2/token')).length;
}

async function startHost(ctx: ReturnType<typeof createAppContext>, timers: FakeTimers): Promise<EngineHost> {
  const host = await startEngineHost(ctx, { timers });
  cleanups.push(() => host.close());
  return host;
}

describe('engine host with live connections', () => {
  it('keeps the Exact sign-in alive while Procore is not connected: the flow stays unavailable with its reason', async () => {
    const { ctx, exactSim, storedTokens } = await liveExactConnected();
    const timers = createFakeTimers(Date.now());
    const host = await startHost(ctx, timers);

    expect(host.flows.flows.get('exact-procore')).toBeUndefined();
    const reason = 'Exact Online is connected; Exact Online → Procore also needs Procore: connect it under Connections (or `npx ml-connector connect procore …`).';
    expect(host.flows.unavailable.get('exact-procore')?.reason).toBe(reason);
    const sync = await dispatch('sync.start', { flow: 'exact-procore' }, ctx);
    expect(sync).toMatchObject({ ok: false, error: { code: 'unavailable', message: reason } });
    // The Dashboard's card for the flow says why, in the host's words (not "no engine in this process").
    expect(await dispatch('flows.overview', {}, ctx)).toMatchObject({
      ok: true,
      // Other flows of the registry have cards of their own.
      value: { flows: expect.arrayContaining([expect.objectContaining({ flow: 'exact-procore', unavailable: reason, connections: [] })]) },
    });

    expect(tokenCalls(exactSim)).toBe(0);
    await timers.advance(FIRST_KEEP_ALIVE_CHECK_MS); // the first keep-alive check: renewal is due (8 idle days)
    await expect.poll(async () => (await storedTokens()).refreshToken).not.toBe(INITIAL_REFRESH_TOKEN);
    expect(tokenCalls(exactSim)).toBe(1);
    expect(ctx.store.connections.require(LIVE_EXACT_ID).status).toBe('connected');
    expect(Date.now() - (await storedTokens()).refreshTokenIssuedAt!).toBeLessThan(60_000);

    await host.close();
    expect(timers.pending()).toBe(0); // nothing left ticking after shutdown
  });

  it('attaches the engine once Procore is connected; Exact keeps one custodian, so checks and a sync overlapping make one refresh call', async () => {
    const { ctx, credentials, exactSim, procoreSim, storedTokens } = await liveExactConnected();
    const timers = createFakeTimers(Date.now());
    const host = await startHost(ctx, timers);
    expect(host.flows.flows.get('exact-procore')).toBeUndefined();

    const p = procoreSim.credentials as { clientId: string; clientSecret: string; companyId: number };
    const connected = await dispatch(
      'connections.connectProcore',
      { companyId: String(p.companyId), clientId: p.clientId, clientSecret: p.clientSecret, apiBaseUrl: procoreSim.baseUrl, authBaseUrl: procoreSim.baseUrl },
      ctx,
    );
    expect(connected).toMatchObject({ ok: true, value: { connectionId: LIVE_PROCORE_ID } });
    await host.attachSettled();
    const f1 = host.flows.flows.get('exact-procore');
    expect(f1).toBeDefined();
    expect(host.flows.unavailable.has('exact-procore')).toBe(false);
    expect(f1!.connections.map((c) => c.connection.id)).toEqual([LIVE_EXACT_ID, LIVE_PROCORE_ID]);
    const overview = await dispatch('flows.overview', {}, ctx);
    expect(overview).toMatchObject({ ok: true, value: { flows: expect.arrayContaining([expect.objectContaining({ flow: 'exact-procore', unavailable: null })]) } });

    // The engine holds the very custodian the keep-alive checks (one per connection and process).
    // Checked by identity: two custodians would also make one call here, saved by the lock file
    // and the re-read inside it, but would each keep their own cache and state.
    const shared = liveCustody({ store: ctx.store, credentials, log: silentLogger, dataDir: ctx.dataDir }).custodian(LIVE_EXACT_ID);
    expect(f1!.connections.find((c) => c.connection.id === LIVE_EXACT_ID)!.custodian).toBe(shared);
    expect(tokenCalls(exactSim)).toBe(0);

    // The scheduled check, a second check and a sync all find the 8-day-old, expired tokens at once.
    const runEnded = new Promise<IpcEventPayload<'run.progress'>>((resolve) => {
      const off = ctx.events.subscribe((m) => {
        if (m.event === 'run.progress' && (m.payload.phase === 'done' || m.payload.phase === 'failed')) {
          off();
          resolve(m.payload);
        }
      });
    });
    await timers.advance(FIRST_KEEP_ALIVE_CHECK_MS);
    const secondCheck = host.checkSignInsNow();
    const sync = await dispatch('sync.start', { flow: 'exact-procore' }, ctx);
    expect(sync.ok).toBe(true);
    await secondCheck;
    expect((await runEnded).phase).toBe('done');
    await host.checkSignInsNow(); // a later check: the refresh token is young, nothing to renew

    expect(tokenCalls(exactSim)).toBe(1);
    expect((await storedTokens()).refreshToken).not.toBe(INITIAL_REFRESH_TOKEN);
    expect(shared.state).toBe('connected');
    expect(ctx.store.connections.require(LIVE_EXACT_ID).status).toBe('connected');
    expect(ctx.store.runs.listRecent(1)[0]).toMatchObject({ status: 'succeeded' });
  });
});
