import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSecretRefusedError, NeedsReauthError, type TokenSet } from '../../src-shared/domain/auth';
import { issuerExpectationFromMetadata } from '../../src-main/auth/loopback';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, KeytarCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';
import { connectExactOnline, LIVE_EXACT_ID, liveCustody, openLiveExact, type LiveDeps } from '../../src-main/host/live-connections';
import { openStore, type Store } from '../../src-main/store';
import { startPrivateKeyringSession, type PrivateKeyringSession } from '../credentials/private-keyring';
import { browseToCallback, startStrictOAuthServer, type StrictOAuthServer } from '../support/strict-oauth-server';

/**
 * The Exact OAuth client against a REAL strict authorization server (oidc-provider on loopback:
 * authorization code + PKCE S256 required, client_secret_post, refresh tokens rotated on every
 * use with reuse detection, RFC 9207 `iss` advertised in its metadata), through the app's own
 * seams: the RFC 8252 loopback, token custody with the real OS keychain (a private
 * gnome-keyring), the token-call counter in the store, the Connections handlers and `status`.
 * Issue 18, part 1: each behaviour below failed before.
 */

async function freePort(host: '127.0.0.1' | '::1'): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ port: 0, host, ...(host === '::1' ? { ipv6Only: true } : {}) }, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let session: PrivateKeyringSession;
let server: StrictOAuthServer;
let ctx: ReturnType<typeof createAppContext>;
let deps: LiveDeps;
let dir: string;
let redirectV4: string;
let redirectV6: string;
/** Null when this computer has no IPv6 loopback (then the [::1] test asserts the refusal). */
let ipv6Port: number | null;
const savedBus = process.env['DBUS_SESSION_BUS_ADDRESS'];
const credentials = new KeytarCredentialStore({ timeoutMs: 20_000 });

beforeAll(async () => {
  session = await startPrivateKeyringSession();
  await session.startKeyring('oauth-strict-server-test');
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
  redirectV4 = `http://127.0.0.1:${await freePort('127.0.0.1')}/exact/callback`;
  ipv6Port = await freePort('::1');
  redirectV6 = `http://[::1]:${ipv6Port ?? 47914}/exact/callback`;
  server = await startStrictOAuthServer({ redirectUris: [redirectV4, redirectV6] });
  dir = mkdtempSync(join(tmpdir(), 'mlc-oauth-strict-'));
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
  deps = { store: ctx.store, credentials, log: silentLogger, dataDir: dir };
});

afterAll(async () => {
  ctx?.close();
  await server?.close();
  if (savedBus === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
  else process.env['DBUS_SESSION_BUS_ADDRESS'] = savedBus;
  await session?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface SignIn {
  redirectUri?: string;
  /** Changes the callback before "the browser" delivers it (an attacker's or a broken server's answer). */
  callback?: (url: URL) => URL;
  /** Runs once the listener waits, before the callback is delivered. */
  whileWaiting?: () => Promise<void>;
}

/** Connects the live Exact connection to the strict server, as the Connections screen does. */
async function signIn(opts: SignIn = {}) {
  const redirectUri = opts.redirectUri ?? redirectV4;
  const expected = issuerExpectationFromMetadata(await server.metadata());
  const seen: { authorizationUrl?: URL; callback?: URL } = {};
  const result = await connectExactOnline(deps, {
    region: 'nl',
    baseUrl: server.issuer,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    redirectUri,
    // Per connection (Exact publishes no metadata); here taken from the server's own.
    issuer: expected.issuer,
    issParameterSupported: expected.required,
    timeoutMs: 20_000,
    openBrowser: async (url) => {
      seen.authorizationUrl = new URL(url);
      const callback = await browseToCallback(url, redirectUri);
      seen.callback = callback;
      await opts.whileWaiting?.();
      await fetch(opts.callback ? opts.callback(new URL(callback)) : callback).catch(() => undefined);
    },
  });
  return { ...result, seen };
}

async function storedTokens(): Promise<TokenSet> {
  return JSON.parse((await credentials.get(connectionAccount(LIVE_EXACT_ID, 'tokens')))!) as TokenSet;
}

/**
 * Ten minutes later: the access token has expired at the server (its API answers 401) and in the
 * keychain entry. Custody renews after the 401, as it would with Exact.
 */
async function expireAccessToken(extra: Partial<TokenSet> = {}): Promise<void> {
  const tokens = await storedTokens();
  await server.expireAccessToken(tokens.accessToken);
  await credentials.set(connectionAccount(LIVE_EXACT_ID, 'tokens'), JSON.stringify({ ...tokens, accessTokenExpiresAt: Date.now() - 1000, ...extra }));
}

const status = (store: Store = ctx.store) => store.connections.require(LIVE_EXACT_ID).status;
const countedToday = () => (ctx.store.connections.require(LIVE_EXACT_ID).settings['tokenCalls'] as { count: number }).count;

function cli(): { proc: CliProcess; out: string[] } {
  const out: string[] = [];
  const proc: CliProcess = { out: (l) => out.push(l), err: (l) => out.push(l), env: { HOME: dir }, onStopSignal: () => () => undefined };
  return { proc, out };
}

describe('Exact OAuth client against a strict authorization server (oidc-provider)', () => {
  it('signs in with state, PKCE S256 and the server\u2019s iss, which its metadata says is always sent; tokens go to the keychain only', async () => {
    const metadata = await server.metadata();
    expect(metadata['authorization_response_iss_parameter_supported']).toBe(true);
    expect(metadata['issuer']).toBe(server.issuer);

    const { me, connection, seen } = await signIn();
    expect(seen.authorizationUrl!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(seen.authorizationUrl!.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(seen.callback!.searchParams.get('iss')).toBe(server.issuer);
    expect(me.fullName).toBe('Sandra Boekhouder');
    expect(connection.settings).toMatchObject({ issuer: server.issuer, issParameterSupported: true, division: server.division });
    expect(status()).toBe('connected');
    expect(server.tokenCalls).toEqual([{ grantType: 'authorization_code', status: 200, error: null }]);
    const tokens = await storedTokens();
    expect(tokens.refreshToken).toBeTruthy();
    expect(JSON.stringify(ctx.store.connections.require(LIVE_EXACT_ID).settings)).not.toContain(tokens.refreshToken!);
  });

  it('RFC 9207: refuses a callback that names another issuer (mix-up) or none, without spending its code', async () => {
    const before = server.tokenCalls.length;
    const tokensBefore = await storedTokens();
    const mixUp = await signIn({ callback: (url) => (url.searchParams.set('iss', 'https://evil.example'), url) }).catch((e: unknown) => e);
    expect((mixUp as Error).message).toBe(
      `The sign-in response came from "https://evil.example", not from ${server.issuer}; it was refused and its code not used. Start the sign-in again; if this repeats, check the issuer configured for the connection.`,
    );
    const missing = await signIn({ callback: (url) => (url.searchParams.delete('iss'), url) }).catch((e: unknown) => e);
    expect((missing as Error).message).toContain(`does not say which server sent it, although ${server.issuer} always does`);
    expect(server.tokenCalls.length).toBe(before); // no code went to the token endpoint
    expect(await storedTokens()).toEqual(tokensBefore); // the earlier sign-in is untouched
    expect(status()).toBe('connected');
  });

  it('refresh rotates the refresh token (the server demands it) and the connection keeps working', async () => {
    const before = await storedTokens();
    await expireAccessToken();
    const live = openLiveExact(deps);
    try {
      expect((await live.connector.me()).fullName).toBe('Sandra Boekhouder');
    } finally {
      await live.connector.close();
    }
    const after = await storedTokens();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(server.tokenCalls.at(-1)).toEqual({ grantType: 'refresh_token', status: 200, error: null });
  });

  it('a reused refresh token: the server revokes the grant, the connection needs a new sign-in, and no caller or process loops', async () => {
    const stale = await storedTokens();
    await expireAccessToken();
    const live = openLiveExact(deps);
    try {
      await live.connector.me(); // rotates: the stale set's refresh token is now used
      const rotated = await storedTokens();
      // The stale copy comes back (a restored backup, a second machine) and is refreshed again.
      await server.expireAccessToken(rotated.accessToken);
      await credentials.set(connectionAccount(LIVE_EXACT_ID, 'tokens'), JSON.stringify({ ...stale, accessTokenExpiresAt: Date.now() - 1000 }));
      const before = server.tokenCalls.length;
      await expect(live.connector.me()).rejects.toBeInstanceOf(NeedsReauthError);
      expect(server.tokenCalls.slice(before)).toEqual([{ grantType: 'refresh_token', status: 400, error: 'invalid_grant' }]);
      expect(status()).toBe('needs-reauth');
      // Reuse detection revoked the whole grant: the newest refresh token is dead too.
      expect(await server.refreshDirectly(rotated.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const afterProbe = server.tokenCalls.length;

      const results = await Promise.allSettled([live.connector.me(), live.connector.me(), live.connector.me()]);
      expect(results.every((r) => r.status === 'rejected' && r.reason instanceof NeedsReauthError)).toBe(true);
      for (let i = 0; i < 3; i += 1) await expect(live.connector.me()).rejects.toThrow(/sign in again/);
      expect(await live.custodian.keepAlive()).toBe(false);
      // Another process (the CLI) on the same data folder: it adopts the recorded state.
      const other = openStore(dir);
      try {
        const cliLive = openLiveExact({ ...deps, store: other });
        await expect(cliLive.connector.me()).rejects.toBeInstanceOf(NeedsReauthError);
        await cliLive.connector.close();
      } finally {
        other.close();
      }
      expect(server.tokenCalls.length).toBe(afterProbe);
    } finally {
      await live.connector.close();
    }

    await signIn();
    expect(status()).toBe('connected');
    const again = openLiveExact(deps);
    try {
      expect((await again.connector.me()).fullName).toBe('Sandra Boekhouder');
    } finally {
      await again.connector.close();
    }
  });

  it('a wrong client secret on refresh: one token call, one state (secret-refused), no further calls anywhere until the user enters the right secret', async () => {
    // The app secret was rotated in the App Center; the keychain still holds the old one.
    await credentials.set(connectionAccount(LIVE_EXACT_ID, 'clientSecret'), 'the-old-secret-before-rotation');
    await expireAccessToken({ refreshTokenIssuedAt: Date.now() - 8 * 24 * 3600_000 }); // keep-alive due too
    const before = server.tokenCalls.length;
    const countedBefore = countedToday();
    const live = openLiveExact(deps);
    try {
      // Three callers at once (a sync, "Test connection", the tray)…
      const first = await Promise.allSettled([live.connector.me(), live.connector.me(), live.connector.me()]);
      for (const r of first) expect(r.status === 'rejected' && r.reason instanceof ClientSecretRefusedError).toBe(true);
      expect(server.tokenCalls.slice(before)).toEqual([{ grantType: 'refresh_token', status: 401, error: 'invalid_client' }]);
      // …three more after, a 401 path, the keep-alive, and another process: no token call at all.
      for (let i = 0; i < 3; i += 1) await expect(live.connector.me()).rejects.toBeInstanceOf(ClientSecretRefusedError);
      await expect(live.custodian.handleUnauthorized((await storedTokens()).accessToken)).rejects.toBeInstanceOf(ClientSecretRefusedError);
      expect(await live.custodian.keepAlive()).toBe(false);
      const other = openStore(dir);
      try {
        const cliLive = openLiveExact({ ...deps, store: other });
        const refused = await cliLive.connector.me().catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ClientSecretRefusedError);
        expect((refused as Error).message).toContain('enter the current client secret under Connections (Edit), or connect again');
        await cliLive.connector.close();
      } finally {
        other.close();
      }
      expect(server.tokenCalls.length).toBe(before + 1);
      expect(countedToday()).toBe(countedBefore + 1);
      expect(status()).toBe('secret-refused');
      expect(live.custodian.state).toBe('secret-refused');
    } finally {
      await live.connector.close();
    }

    // What the user sees: the Connections list and `status` in the CLI.
    const list = (await dispatch('connections.list', {}, ctx)) as { ok: true; value: { connections: { id: string; status: string }[] } };
    expect(list.value.connections.find((c) => c.id === LIVE_EXACT_ID)?.status).toBe('secret-refused');
    const { proc, out } = cli();
    expect(await main(['status', '--data-dir', dir], proc)).toBe(0);
    expect(out).toContain('  Exact Online  [your account: Client secret refused]');
    expect(out).toContain(
      '    The app\u2019s client secret was refused: update it in Connections (Edit), or connect again. Nothing is synced and no sign-in calls are made until then.',
    );

    // The user enters the current secret under Connections → Edit.
    const stored = ctx.store.connections.require(LIVE_EXACT_ID);
    const saved = await dispatch(
      'connections.save',
      { id: LIVE_EXACT_ID, system: 'exact-online', label: stored.label, mode: 'live', settings: stored.settings, secrets: { clientSecret: server.clientSecret } },
      ctx,
    );
    expect(saved.ok).toBe(true);
    expect(status()).toBe('connected');
    const resumed = openLiveExact(deps);
    try {
      expect((await resumed.connector.me()).fullName).toBe('Sandra Boekhouder');
    } finally {
      await resumed.connector.close();
    }
    expect(server.tokenCalls.slice(before + 1)).toEqual([{ grantType: 'refresh_token', status: 200, error: null }]);
    expect(liveCustody(deps).custodian(LIVE_EXACT_ID).state).toBe('connected');
  });

  it('keeps the refresh token when a refresh answer brings none, and takes the configured lifetime when expires_in is missing', async () => {
    const connection = ctx.store.connections.require(LIVE_EXACT_ID);
    ctx.store.connections.update(LIVE_EXACT_ID, { settings: { ...connection.settings, accessTokenLifetimeSeconds: 900 } });
    server.answers.rotateRefreshTokens = false;
    server.answers.dropExpiresIn = true;
    try {
      const before = await storedTokens();
      await expireAccessToken();
      const live = openLiveExact(deps);
      try {
        const from = Date.now();
        expect((await live.connector.me()).fullName).toBe('Sandra Boekhouder');
        const to = Date.now();
        const after = await storedTokens();
        expect(after.accessToken).not.toBe(before.accessToken); // the new access token is used, not thrown away
        expect(after.refreshToken).toBe(before.refreshToken); // RFC 6749 §6: the old one stays valid
        expect(after.accessTokenExpiresAt).toBeGreaterThanOrEqual(from + 900_000);
        expect(after.accessTokenExpiresAt).toBeLessThanOrEqual(to + 900_000);
        // And the kept refresh token works for the next renewal.
        await expireAccessToken();
        expect((await live.connector.me()).fullName).toBe('Sandra Boekhouder');
        expect(server.tokenCalls.slice(-2).map((c) => c.status)).toEqual([200, 200]);
        expect(status()).toBe('connected');
      } finally {
        await live.connector.close();
      }
      // A sign-in answer without expires_in no longer fails after the code was spent.
      await signIn();
      expect((await storedTokens()).accessTokenExpiresAt).toBeGreaterThan(Date.now() + 800_000);
    } finally {
      server.answers.rotateRefreshTokens = true;
      server.answers.dropExpiresIn = false;
    }
  });

  it('a sign-in answer whose token_type is not Bearer fails in plain words and stores nothing', async () => {
    const tokensBefore = await storedTokens();
    server.answers.tokenType = 'N_A';
    try {
      const refused = await signIn().catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(/^Exact Online answered the sign-in with a token of type "N_A"; this app can only use Bearer tokens, so nothing was stored\./);
    } finally {
      server.answers.tokenType = null;
    }
    expect(await storedTokens()).toEqual(tokensBefore);
    // Any case of "Bearer" is fine (RFC 6749 §5.1: case-insensitive).
    server.answers.tokenType = 'bEaReR';
    try {
      await signIn();
    } finally {
      server.answers.tokenType = null;
    }
    expect(status()).toBe('connected');
  });

  it('a [::1] redirect URI: the listener binds ::1 (RFC 8252 §7.3) and the sign-in completes, or the URI is refused before the browser opens', async () => {
    if (ipv6Port !== null) {
      let ipv4Answer: unknown = null;
      const { me, seen } = await signIn({
        redirectUri: redirectV6,
        // Nothing listens on 127.0.0.1 for this attempt: only ::1 was bound.
        whileWaiting: async () => {
          ipv4Answer = await fetch(`http://127.0.0.1:${ipv6Port}/exact/callback`).then((r) => r.status, (e: unknown) => e);
        },
      });
      expect(ipv4Answer).toBeInstanceOf(Error);
      expect(seen.callback!.host).toBe(`[::1]:${ipv6Port}`);
      expect(me.fullName).toBe('Sandra Boekhouder');
      expect(ctx.store.connections.require(LIVE_EXACT_ID).settings['redirectUri']).toBe(redirectV6);
    } else {
      const before = server.tokenCalls.length;
      let opened = false;
      const refused = await connectExactOnline(deps, {
        region: 'nl',
        baseUrl: server.issuer,
        clientId: server.clientId,
        clientSecret: server.clientSecret,
        redirectUri: redirectV6,
        openBrowser: () => void (opened = true),
      }).catch((e: unknown) => e);
      expect((refused as Error).message).toContain('This computer has no IPv6 loopback address (::1)');
      expect((refused as Error).message).toContain('Register http://127.0.0.1:');
      expect(opened).toBe(false);
      expect(server.tokenCalls.length).toBe(before);
    }
  });
});
