import { describe, expect, it } from 'vitest';
import { ClientSecretRefusedError, NeedsReauthError, type TokenSet } from '../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, EXACT_CUSTODY_POLICY, TokenCustodian, type TokenVault } from '../auth/custody';
import { createLogger } from '../connectors/_kit';
import type { Notice } from '../engine/scheduler/notifications';
import { createFakeTimers, type FakeTimers } from '../engine/scheduler/timers';
import { KEEP_ALIVE_INTERVAL_MS, signInView, TokenKeepAlive } from './token-keep-alive';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const time = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function memoryVault(initial: TokenSet | null): TokenVault & { saves: TokenSet[] } {
  let current = initial;
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

/** Exact-like token endpoint: strict rotation; `outage` makes it fail like an unreachable host; `gate` holds answers back. */
function exactLikeProvider(now: () => number) {
  let live = 'rt-0';
  let n = 0;
  const p = {
    calls: 0,
    outage: false,
    secretRefused: false,
    gate: null as Promise<void> | null,
    refresh: async (current: TokenSet | null): Promise<TokenSet> => {
      p.calls += 1;
      if (p.gate) await p.gate;
      if (p.outage) throw new Error('Exact Online is unreachable (connect ECONNREFUSED)');
      if (p.secretRefused) throw new ClientSecretRefusedError('Exact Online refused the app’s client secret.');
      if (!current || current.refreshToken !== live) throw new NeedsReauthError('Exact Online no longer accepts this connection’s sign-in.');
      n += 1;
      live = `rt-${n}`;
      return { accessToken: `at-${n}`, accessTokenExpiresAt: now() + 600_000, refreshToken: live, refreshTokenIssuedAt: now() };
    },
  };
  return p;
}

/** A connection signed in at T0 and idle since (access token long expired). */
function harness(timers: FakeTimers, extra: { intervalMs?: number } = {}) {
  const provider = exactLikeProvider(timers.now);
  const vault = memoryVault({ accessToken: 'at-0', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: T0 });
  const custodian = new TokenCustodian({ connectionId: 'live-exact-online', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now: timers.now });
  const notices: Notice[] = [];
  const lines: string[] = [];
  const keepAlive = new TokenKeepAlive({
    connections: [{ id: 'live-exact-online', label: 'Exact Online', custodian }],
    timers,
    log: createLogger({ sink: (line) => lines.push(line), now: timers.now }),
    onNotice: (notice) => notices.push(notice),
    formatTime: time,
    ...extra,
  });
  return { provider, vault, custodian, notices, lines, keepAlive };
}

describe('TokenKeepAlive', () => {
  it('refreshes an idle Exact sign-in once keep-alive is due (7 days), not before, and then keeps it young', async () => {
    const timers = createFakeTimers(T0);
    const h = harness(timers);
    h.keepAlive.start();
    await timers.advance(7 * DAY - HOUR); // checks every 3 h for almost a week: nothing due
    expect(h.provider.calls).toBe(0);
    await timers.advance(3 * HOUR); // the first check past 7 days renews it
    expect(h.provider.calls).toBe(1);
    expect(h.vault.saves.map((s) => s.refreshToken)).toEqual(['rt-1']);
    await timers.advance(6 * DAY); // young again: no call for the next 6 days
    expect(h.provider.calls).toBe(1);
    await timers.advance(60 * DAY); // two months idle (day 73): renewed on days 7, 14, … 70, never lost
    expect(h.provider.calls).toBe(10);
    expect((await h.custodian.refreshTokenExpiry())!.warn).toBe(false);
    expect(h.custodian.state).toBe('connected');
    expect(h.notices).toEqual([]);
    await h.keepAlive.stop();
    expect(timers.pending()).toBe(0);
  });

  it('never refreshes twice when checks, a second ticker and a sync overlap', async () => {
    const timers = createFakeTimers(T0 + 8 * DAY);
    const h = harness(timers);
    let open!: () => void;
    h.provider.gate = new Promise<void>((resolve) => (open = resolve));
    const second = new TokenKeepAlive({ connections: [{ id: 'live-exact-online', label: 'Exact Online', custodian: h.custodian }], timers, log: createLogger({ sink: () => {} }) });
    const all = Promise.all([h.keepAlive.checkNow(), h.keepAlive.checkNow(), second.checkNow(), h.custodian.getAccessToken()]);
    await timers.advance(0);
    open();
    const [, , , accessToken] = await all;
    expect(accessToken).toBe('at-1');
    expect(h.provider.calls).toBe(1);
    expect(h.vault.saves).toHaveLength(1);
  });

  it('a dead grant ends in needs-reauth with one notice; checks leave it alone until the user signs in again', async () => {
    const timers = createFakeTimers(T0);
    const h = harness(timers);
    await h.vault.save({ accessToken: 'at-0', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-revoked', refreshTokenIssuedAt: T0 });
    h.keepAlive.start();
    await timers.advance(8 * DAY);
    expect(h.provider.calls).toBe(1);
    expect(h.custodian.state).toBe('needs-reauth');
    expect(h.notices).toEqual([{ title: 'Sign in again to keep syncing', body: 'Exact Online needs you to sign in again. Open ml-connector → Connections.' }]);
    await timers.advance(20 * DAY); // 160 more checks: no retry loop, no more notices
    expect(h.provider.calls).toBe(1);
    expect(h.notices).toHaveLength(1);
    expect(timers.pending()).toBe(1); // still ticking for when the user signs in again

    // The Connections screen signs in with its own custodian on the same keychain entry.
    const signIn = new TokenCustodian({ connectionId: 'live-exact-online', vault: h.vault, refresh: h.provider.refresh, policy: EXACT_CUSTODY_POLICY, now: timers.now });
    await signIn.acceptNewGrant({ accessToken: 'at-new', accessTokenExpiresAt: timers.now() + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: timers.now() });
    await timers.advance(3 * HOUR);
    expect(h.custodian.state).toBe('connected');
    expect(h.provider.calls).toBe(1); // young again: nothing due yet
    await timers.advance(7 * DAY);
    expect(h.provider.calls).toBe(2);
    expect(h.custodian.state).toBe('connected');
    await h.keepAlive.stop();
  });

  it('a refused client secret: one token call and one notice, then no call at all until the user enters the secret again', async () => {
    const timers = createFakeTimers(T0);
    const h = harness(timers);
    h.provider.secretRefused = true;
    h.keepAlive.start();
    await timers.advance(8 * DAY);
    expect(h.provider.calls).toBe(1);
    expect(h.custodian.state).toBe('secret-refused');
    expect(h.notices).toEqual([
      {
        title: 'Update the client secret to keep syncing',
        body: 'Exact Online refused the app’s client secret. Enter the current one under Connections (Edit), or connect again. Nothing is synced with it until then.',
      },
    ]);
    await timers.advance(25 * DAY); // 200 more checks, into the last 5 days of the sign-in: no call, no expiry warning
    expect(h.provider.calls).toBe(1);
    expect(h.notices).toHaveLength(1);
    h.provider.secretRefused = false;
    h.custodian.clientSecretReplaced();
    await timers.advance(3 * HOUR);
    expect(h.provider.calls).toBe(2);
    expect(h.custodian.state).toBe('connected');
    await h.keepAlive.stop();
  });

  it('survives a failing token endpoint: logs without secrets, tries again at the next check', async () => {
    const timers = createFakeTimers(T0 + 8 * DAY);
    const h = harness(timers);
    h.provider.outage = true;
    h.keepAlive.start();
    await timers.advance(60_000);
    expect(h.provider.calls).toBe(1);
    expect(h.custodian.state).toBe('connected');
    const failure = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'keep-alive refresh failed; the next check tries again');
    expect(failure).toMatchObject({ level: 'warn', connectionId: 'live-exact-online', reason: 'Exact Online is unreachable (connect ECONNREFUSED)' });
    h.provider.outage = false;
    await timers.advance(KEEP_ALIVE_INTERVAL_MS);
    expect(h.provider.calls).toBe(2);
    expect(h.vault.saves.map((s) => s.refreshToken)).toEqual(['rt-1']);
    for (const line of h.lines) expect(line).not.toMatch(/rt-0|rt-1|at-0|at-1/);
    await h.keepAlive.stop();
  });

  it('warns once when the sign-in enters the last 5 days, however many checks follow', async () => {
    const timers = createFakeTimers(T0);
    const h = harness(timers);
    h.provider.outage = true; // Exact unreachable for weeks: the keep-alive cannot renew
    h.keepAlive.start();
    await timers.advance(25 * DAY - HOUR);
    expect(h.notices).toEqual([]);
    await timers.advance(3 * HOUR);
    expect(h.notices).toEqual([
      {
        title: 'Exact Online sign-in expires soon',
        body: `Exact Online sign-in expires on ${time(T0 + 30 * DAY)} unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).`,
      },
    ]);
    await timers.advance(4 * DAY);
    expect(h.notices).toHaveLength(1);
    await h.keepAlive.stop();
  });

  it('stop() waits for a refresh in progress and plans no further check', async () => {
    const timers = createFakeTimers(T0 + 8 * DAY);
    const h = harness(timers);
    let open!: () => void;
    h.provider.gate = new Promise<void>((resolve) => (open = resolve));
    h.keepAlive.start();
    await timers.advance(60_000);
    let stopped = false;
    const stopping = h.keepAlive.stop().then(() => (stopped = true));
    await timers.advance(0);
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(h.vault.saves.map((s) => s.refreshToken)).toEqual(['rt-1']);
    expect(timers.pending()).toBe(0);
  });
});

describe('signInView', () => {
  const connected = { label: 'Exact Online', status: 'connected' as const };

  it('gives the estimated end of an Exact sign-in, with a warning only inside the last 5 days', async () => {
    let now = T0 + 10 * DAY;
    const vault = memoryVault({ accessToken: 'at-0', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: T0 });
    const custodian = new TokenCustodian({ connectionId: 'x', vault, refresh: async () => { throw new Error('not called'); }, policy: EXACT_CUSTODY_POLICY, now: () => now });
    expect(await signInView(connected, custodian, time)).toEqual({ tokenExpiresAt: new Date(T0 + 30 * DAY).toISOString(), warning: null });
    now = T0 + 26 * DAY;
    expect(await signInView(connected, custodian, time)).toEqual({
      tokenExpiresAt: new Date(T0 + 30 * DAY).toISOString(),
      warning: `Exact Online sign-in expires on ${time(T0 + 30 * DAY)} unless ml-connector runs and refreshes it; keep the app open or sign in again (Connections).`,
    });
    now = T0 + 31 * DAY;
    expect((await signInView(connected, custodian, time)).warning).toBe(`Exact Online sign-in has most likely expired (${time(T0 + 30 * DAY)}); sign in again (Connections).`);
  });

  it('says when a connection needs signing in again, and shows no expiry for client-credentials grants', async () => {
    expect(await signInView({ label: 'Exact Online', status: 'secret-refused' }, undefined)).toEqual({
      tokenExpiresAt: null,
      warning: 'Exact Online refused the app’s client secret; syncing with it is stopped until you enter the current one (Connections, Edit) or connect again.',
    });
    expect(await signInView({ label: 'Exact Online', status: 'needs-reauth' }, undefined)).toEqual({
      tokenExpiresAt: null,
      warning: 'Exact Online needs you to sign in again; syncing with it is stopped until you do (Connections).',
    });
    const procore = new TokenCustodian({
      connectionId: 'p',
      vault: memoryVault({ accessToken: 'p-at', accessTokenExpiresAt: T0 + HOUR, refreshToken: null, refreshTokenIssuedAt: null }),
      refresh: async () => {
        throw new Error('not called');
      },
      policy: CLIENT_CREDENTIALS_POLICY,
      now: () => T0,
    });
    expect(await signInView({ label: 'Procore', status: 'connected' }, procore)).toEqual({ tokenExpiresAt: null, warning: null });
    expect(await signInView(connected, undefined)).toEqual({ tokenExpiresAt: null, warning: null });
  });
});
