import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXACT_CUSTODY_POLICY, exactCustodyPolicy, TokenCustodian, type TokenSet, type TokenVault, type TokenCallCounter } from './custody';
import { fileLock } from './file-lock';
import { ClientSecretRefusedError, NeedsReauthError, RefreshTooEarlyError, TokenCallCapError } from '../../src-shared/domain/auth';

const T0 = Date.parse('2026-11-22T10:00:00Z');

function memoryVault(initial: TokenSet | null, saveDelayMs = 0): TokenVault & { saves: TokenSet[] } {
  let current = initial;
  const saves: TokenSet[] = [];
  return {
    saves,
    load: async () => current,
    save: async (t) => {
      if (saveDelayMs) await sleep(saveDelayMs);
      current = t;
      saves.push(t);
    },
    clear: async () => {
      current = null;
    },
  };
}

/** A provider that rotates refresh tokens strictly, like Exact: reuse of an old one is fatal. */
function rotatingProvider(now: () => number) {
  let live = 'rt-0';
  let n = 0;
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    refresh: async (current: TokenSet | null): Promise<TokenSet> => {
      calls += 1;
      await sleep(5); // a real round trip: lets racing callers pile up
      if (!current || current.refreshToken !== live) throw new NeedsReauthError('Old refresh token used.');
      n += 1;
      live = `rt-${n}`;
      return { accessToken: `at-${n}`, accessTokenExpiresAt: now() + 600_000, refreshToken: live, refreshTokenIssuedAt: now() };
    },
  };
}

const expired = (now: number): TokenSet => ({
  accessToken: 'at-0',
  accessTokenExpiresAt: now - 1,
  refreshToken: 'rt-0',
  refreshTokenIssuedAt: now - 3600_000,
});

describe('token custody', () => {
  it('returns a fresh stored token without calling the token endpoint', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const vault = memoryVault({ ...expired(T0), accessTokenExpiresAt: T0 + 300_000 });
    const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now });
    expect(await c.getAccessToken()).toBe('at-0');
    expect(provider.calls).toBe(0);
  });

  it('refreshes once for many concurrent callers (single-flight) and stores the rotated token before handing it out', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const vault = memoryVault(expired(T0), 20);
    const states: string[] = [];
    const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, onStateChange: (s) => states.push(s) });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => c.getAccessToken()));
    expect(states).toEqual(['connected']); // reported once, on the first successful refresh
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(provider.calls).toBe(1);
    expect(vault.saves.map((s) => s.refreshToken)).toEqual(['rt-1']);
  });

  it('two processes sharing the keychain and data folder refresh only once (lock file + re-read)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-lock-'));
    try {
      const now = () => T0;
      const provider = rotatingProvider(now);
      const vault = memoryVault(expired(T0));
      const lock = fileLock(join(dir, 'locks', 'exact-c1.lock'));
      // Separate custodians = separate processes (no shared in-memory single-flight).
      const a = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, lock: fileLock(join(dir, 'locks', 'exact-c1.lock')) });
      const b = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, lock });
      const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
      expect(ta).toBe('at-1');
      expect(tb).toBe('at-1');
      expect(provider.calls).toBe(1);
      expect(a.state).toBe('connected');
      expect(b.state).toBe('connected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a dead grant moves to needs-reauth and is never retried in a loop', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const states: string[] = [];
    const vault = memoryVault({ ...expired(T0), refreshToken: 'rt-stale' });
    const c = new TokenCustodian({
      connectionId: 'c1',
      vault,
      refresh: provider.refresh,
      policy: EXACT_CUSTODY_POLICY,
      now,
      onStateChange: (s) => states.push(s),
    });
    await expect(c.getAccessToken()).rejects.toBeInstanceOf(NeedsReauthError);
    await expect(c.getAccessToken()).rejects.toThrow(/sign in again/);
    await expect(c.handleUnauthorized('at-0')).rejects.toBeInstanceOf(NeedsReauthError);
    expect(provider.calls).toBe(1);
    expect(c.state).toBe('needs-reauth');
    expect(states).toEqual(['needs-reauth']);
    await c.acceptNewGrant({ accessToken: 'at-x', accessTokenExpiresAt: T0 + 1, refreshToken: 'rt-x', refreshTokenIssuedAt: T0 });
    expect(states).toEqual(['needs-reauth', 'connected']);
    // A new sign-in recovers.
    await c.acceptNewGrant({ accessToken: 'at-new', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: T0 });
    expect(await c.getAccessToken()).toBe('at-new');
    expect(c.state).toBe('connected');
  });

  it('after a 401 uses a token another caller already renewed, else refreshes even outside the window', async () => {
    const t = T0;
    const now = () => t;
    const provider = rotatingProvider(now);
    const vault = memoryVault({ ...expired(T0), accessTokenExpiresAt: T0 + 300_000 });
    const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now });
    // at-0 is rejected although it should live 5 more minutes: a 401 allows an early refresh.
    expect(await c.handleUnauthorized('at-0')).toBe('at-1');
    expect(provider.calls).toBe(1);
    // A caller still holding at-0 gets at-1 without a second refresh.
    expect(await c.handleUnauthorized('at-0')).toBe('at-1');
    expect(provider.calls).toBe(1);
  });

  it('refuses to refresh before the allowed window when the token is not yet usable', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const policy = { ...EXACT_CUSTODY_POLICY, expirySkewMs: 120_000 }; // stale 2 min early, refresh only in the last 30 s
    const vault = memoryVault({ ...expired(T0), accessTokenExpiresAt: T0 + 60_000 });
    const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy, now });
    const err = await c.getAccessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshTooEarlyError);
    expect((err as RefreshTooEarlyError).retryAt).toBe(T0 + 30_000);
    expect(provider.calls).toBe(0);
  });

  it('keeps an idle refresh token alive and warns before it would expire', async () => {
    let t = T0;
    const now = () => t;
    const provider = rotatingProvider(now);
    const vault = memoryVault({ ...expired(T0), refreshTokenIssuedAt: T0 - 2 * 24 * 3600_000 });
    const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now });
    expect(await c.keepAlive()).toBe(false); // only 2 days old
    expect((await c.refreshTokenExpiry())!.warn).toBe(false);
    t = T0 + 26 * 24 * 3600_000; // 28 days old: 2 days left
    expect((await c.refreshTokenExpiry())!.warn).toBe(true);
    expect(await c.keepAlive()).toBe(true);
    expect(provider.calls).toBe(1);
    const renewed = await c.refreshTokenExpiry();
    expect(renewed!.expiresAt).toBe(t + 30 * 24 * 3600_000);
    expect(renewed!.warn).toBe(false);
  });

  it('counts token-endpoint calls and stops at the daily cap', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const counts = new Map<string, number>([['2026-11-22', 200]]);
    const counter: TokenCallCounter = {
      get: (d) => counts.get(d) ?? 0,
      increment: (d) => {
        counts.set(d, (counts.get(d) ?? 0) + 1);
        return counts.get(d)!;
      },
    };
    const c = new TokenCustodian({ connectionId: 'c1', vault: memoryVault(expired(T0)), refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, tokenCalls: counter });
    const err = await c.getAccessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenCallCapError);
    expect((err as TokenCallCapError).resumeAt).toBe(Date.parse('2026-11-23T00:00:00Z'));
    expect(provider.calls).toBe(0);
    counts.set('2026-11-22', 5);
    await c.getAccessToken();
    expect(counts.get('2026-11-22')).toBe(6);
  });

  it('keep-alive across two processes refreshes once: the second finds a young refresh token inside the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-lock-'));
    try {
      const t = T0 + 8 * 24 * 3600_000;
      const now = () => t;
      const provider = rotatingProvider(now);
      const vault = memoryVault({ ...expired(T0), refreshTokenIssuedAt: T0 }); // 8 days old: keep-alive due
      const lockFile = join(dir, 'locks', 'exact-c1.lock');
      const a = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, lock: fileLock(lockFile) });
      const b = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, lock: fileLock(lockFile) });
      expect(await Promise.all([a.keepAlive(), b.keepAlive()])).toEqual([true, true]);
      expect(provider.calls).toBe(1);
      expect(vault.saves.map((s) => s.refreshToken)).toEqual(['rt-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes after the user signs in again through another custodian (the Connections screen)', async () => {
    const now = () => T0;
    const provider = rotatingProvider(now);
    const vault = memoryVault({ ...expired(T0), refreshToken: 'rt-stale' });
    const states: string[] = [];
    const engine = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, onStateChange: (s) => states.push(s) });
    await expect(engine.getAccessToken()).rejects.toBeInstanceOf(NeedsReauthError);
    expect(await engine.keepAlive()).toBe(false); // the dead set is still in the vault: nothing to try
    const signIn = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now });
    await signIn.acceptNewGrant({ accessToken: 'at-new', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: T0 });
    expect(await engine.getAccessToken()).toBe('at-new');
    expect(engine.state).toBe('connected');
    expect(states).toEqual(['needs-reauth', 'connected']);
    expect(provider.calls).toBe(1);
  });

  it('derives keep-alive and warning times from a configurable refresh-token lifetime', () => {
    const day = 24 * 3600_000;
    expect(exactCustodyPolicy(30)).toMatchObject({ refreshTokenLifetimeMs: 30 * day, keepAliveAfterMs: 7 * day, warnBeforeMs: 5 * day });
    expect(exactCustodyPolicy(180)).toMatchObject({ refreshTokenLifetimeMs: 180 * day, keepAliveAfterMs: 7 * day, warnBeforeMs: 5 * day });
    expect(exactCustodyPolicy(6)).toMatchObject({ keepAliveAfterMs: 1.5 * day, warnBeforeMs: 2 * day });
    expect(() => exactCustodyPolicy(0)).toThrow(/1 to 366, got 0/);
    expect(() => exactCustodyPolicy(Number.NaN)).toThrow(/lifetime/);
  });

  describe('a refused client secret (invalid_client) stops token calls until the user acts', () => {
    /** A token endpoint that refuses the client while `secret` is not the registered one. */
    function clientCheckingProvider(now: () => number) {
      const inner = rotatingProvider(now);
      const server = { registered: 'secret-new', calls: 0 };
      let secret = 'secret-old';
      return {
        server,
        setSecret: (s: string) => (secret = s),
        refresh: async (current: TokenSet | null): Promise<TokenSet> => {
          server.calls += 1;
          await sleep(5);
          if (secret !== server.registered) throw new ClientSecretRefusedError('Exact Online refused the app\u2019s client secret.');
          server.calls -= 1; // counted by the inner provider
          return inner.refresh(current);
        },
        get calls() {
          return server.calls + inner.calls;
        },
      };
    }

    it('one token call for three callers at once and three after, none from the keep-alive; a new secret resumes with one call', async () => {
      const now = () => T0;
      const provider = clientCheckingProvider(now);
      const states: string[] = [];
      const counts = new Map<string, number>();
      const tokenCalls: TokenCallCounter = { get: (d) => counts.get(d) ?? 0, increment: (d) => counts.set(d, (counts.get(d) ?? 0) + 1).get(d)! };
      // Eight days old: the keep-alive would refresh if it were allowed to.
      const vault = memoryVault({ ...expired(T0), refreshTokenIssuedAt: T0 - 8 * 24 * 3600_000 });
      const c = new TokenCustodian({ connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, tokenCalls, onStateChange: (s) => states.push(s) });
      const first = await Promise.allSettled([c.getAccessToken(), c.getAccessToken(), c.handleUnauthorized('at-0')]);
      expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of first) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ClientSecretRefusedError);
      expect(provider.calls).toBe(1);
      for (const call of [() => c.getAccessToken(), () => c.handleUnauthorized('at-0'), () => c.getAccessToken()]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientSecretRefusedError);
        expect((err as Error).message).toMatch(/client secret of connection c1 was refused: enter the current client secret under Connections \(Edit\), or connect again/);
      }
      expect(await c.keepAlive()).toBe(false);
      expect(provider.calls).toBe(1);
      expect(counts.get('2026-11-22')).toBe(1);
      expect(c.state).toBe('secret-refused');
      expect(states).toEqual(['secret-refused']);
      // The refresh token was not spent: the grant is kept for when the secret is right.
      expect(vault.saves).toEqual([]);
      expect((await vault.load())?.refreshToken).toBe('rt-0');

      provider.setSecret('secret-new');
      c.clientSecretReplaced();
      expect(await c.getAccessToken()).toBe('at-1');
      expect(provider.calls).toBe(2);
      expect(states).toEqual(['secret-refused', 'connected']);
    });

    it('another process adopts the recorded stop without a token call, and resumes once the status says the user acted', async () => {
      const now = () => T0;
      const provider = clientCheckingProvider(now);
      let recorded = 'connected';
      const vault = memoryVault(expired(T0));
      const options = { connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, onStateChange: (s: string) => (recorded = s), recordedState: () => recorded };
      const app = new TokenCustodian(options);
      const cli = new TokenCustodian(options);
      await expect(app.getAccessToken()).rejects.toBeInstanceOf(ClientSecretRefusedError);
      expect(recorded).toBe('secret-refused');
      await expect(cli.getAccessToken()).rejects.toBeInstanceOf(ClientSecretRefusedError);
      expect(await cli.keepAlive()).toBe(false);
      expect(cli.state).toBe('secret-refused');
      expect(provider.calls).toBe(1);
      // The user saves the current secret on the Connections screen (the handler records it).
      provider.setSecret('secret-new');
      recorded = 'connected';
      expect(await cli.getAccessToken()).toBe('at-1');
      expect(await app.getAccessToken()).toBe('at-1'); // renewed meanwhile: read from the vault
      expect(provider.calls).toBe(2);
      expect(app.state).toBe('connected');
    });

    it('a dead grant recorded by another process costs this one no token call; a new sign-in anywhere resumes it', async () => {
      const now = () => T0;
      const provider = rotatingProvider(now);
      let recorded = 'connected';
      const vault = memoryVault({ ...expired(T0), refreshToken: 'rt-stale' });
      const options = { connectionId: 'c1', vault, refresh: provider.refresh, policy: EXACT_CUSTODY_POLICY, now, onStateChange: (s: string) => (recorded = s), recordedState: () => recorded };
      const app = new TokenCustodian(options);
      const cli = new TokenCustodian(options);
      await expect(app.getAccessToken()).rejects.toBeInstanceOf(NeedsReauthError);
      expect(recorded).toBe('needs-reauth');
      await expect(cli.getAccessToken()).rejects.toThrow(/sign in again/);
      expect(await cli.keepAlive()).toBe(false);
      expect(provider.calls).toBe(1);
      await app.acceptNewGrant({ accessToken: 'at-new', accessTokenExpiresAt: T0 + 600_000, refreshToken: 'rt-0', refreshTokenIssuedAt: T0 });
      expect(recorded).toBe('connected');
      expect(await cli.getAccessToken()).toBe('at-new');
      expect(provider.calls).toBe(1);
    });
  });
});
