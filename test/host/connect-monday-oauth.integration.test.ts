import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcRequestInput } from '../../src-shared/ipc';
import { createLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, KeytarCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { LIVE_MONDAY_ID, mondayOpener } from '../../src-main/host/systems/monday';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { usePrivateKeychain } from '../credentials/private-keyring';
import { approve, freePort, signinEvents } from '../support/browser-signin';
import { ipcOn } from '../support/ipc-call';

/**
 * "Sign in with monday.com (OAuth)" on the Connections screen: connections.connectMonday /
 * completeSignIn / cancelSignIn through `dispatch`, against the monday simulator's OAuth 2.1
 * endpoints (authorize with S256 + state, single-use code, rotating refresh tokens), the REAL
 * loopback listener and the REAL OS keychain (gnome-keyring in a private D-Bus session). The
 * test plays the system browser: it follows the simulator's consent redirect to the listener.
 */
let keychainSession: Awaited<ReturnType<typeof usePrivateKeychain>> | undefined;
let sandbox: Sandbox;
let ctx: ReturnType<typeof createAppContext>;
let dir: string;
let redirectUri: string;
const credentials = new KeytarCredentialStore({ timeoutMs: 20_000 });
/** Everything the app logs, at every level: no secret may appear in it. */
const logLines: string[] = [];
let events: ReturnType<typeof signinEvents>;
let ipc: ReturnType<typeof ipcOn>;

beforeAll(async () => {
  keychainSession = await usePrivateKeychain('connect-monday-oauth-test');
  redirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
  dir = mkdtempSync(join(tmpdir(), 'mlc-monday-oauth-'));
  sandbox = await startSandbox({
    dataDir: join(dir, 'fake-cloud'),
    systems: ['monday'],
    config: { monday: { oauthRedirectUris: [redirectUri] } },
  });
  ctx = createAppContext({
    dataDir: join(dir, 'app'),
    credentials,
    log: createLogger({ sink: (line) => logLines.push(line), level: 'debug' }),
    appVersion: '0.0.0-test',
  });
  events = signinEvents(ctx);
  ipc = ipcOn(ctx);
}, 60_000);

afterAll(async () => {
  ctx?.close();
  await sandbox?.close();
  await keychainSession?.restore();
  rmSync(dir, { recursive: true, force: true });
});

const app = () => ({
  clientId: String(sandbox.systems.monday!.credentials['oauthClientId']),
  clientSecret: String(sandbox.systems.monday!.credentials['oauthClientSecret']),
});
const request = (overrides: Partial<IpcRequestInput<'connections.connectMonday'>> = {}) => ({
  ...app(),
  redirectUri,
  baseUrl: sandbox.systems.monday!.baseUrl,
  ...overrides,
});
const keychain = async () => ({
  secret: await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'clientSecret')),
  tokens: await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens')),
});
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('connections.connectMonday (OAuth 2.1, loopback, real keychain)', () => {
  it('answers with the address to open, then reports the loopback sign-in, Test connection included', async () => {
    const started = await ipc.value('connections.connectMonday', request());
    expect(started.listening).toBe(true);
    const url = new URL(started.authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${sandbox.systems.monday!.baseUrl}/oauth2/authorize`);
    expect(Object.fromEntries(['client_id', 'redirect_uri', 'code_challenge_method', 'scope'].map((k) => [k, url.searchParams.get(k)]))).toEqual({
      client_id: app().clientId,
      redirect_uri: redirectUri,
      code_challenge_method: 'S256',
      scope: 'me:read boards:read boards:write',
    });
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(started)).not.toContain(app().clientSecret);
    expect(events.signins).toHaveLength(0); // nothing happens until the browser comes back

    const page = await fetch(await approve(started.authorizationUrl)); // the browser reaches the loopback listener
    expect(await page.text()).toContain('Signed in. You can close this window');
    const outcome = await events.nth(1);
    expect(outcome).toEqual({
      connectionId: LIVE_MONDAY_ID,
      outcome: 'connected',
      message: expect.stringMatching(/^Signed in to monday\.com\. Test connection: Connected to monday\.com .+; 3 boards visible\.$/),
    });
    expect(events.changed).toContain(LIVE_MONDAY_ID);

    const stored = await keychain();
    expect(stored.secret).toBe(app().clientSecret);
    const tokens = JSON.parse(stored.tokens!) as { accessToken: string; refreshToken: string };
    expect(tokens.refreshToken).toBeTruthy();
    const { connections } = await ipc.value('connections.list', {});
    const monday = connections.find((c) => c.id === LIVE_MONDAY_ID)!;
    expect(monday.status).toBe('connected');
    expect(monday.settings).toMatchObject({ auth: 'oauth', clientId: app().clientId, redirectUri });
    expect(monday.secrets).toEqual({ clientSecret: true, tokens: true }); // no personal token asked for
    // Never in an IPC answer, the log, the database, the audit log or any other file of the data folder.
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [app().clientSecret, tokens.accessToken, tokens.refreshToken]) {
      expect(JSON.stringify(connections)).not.toContain(secret);
      expect(logLines.join('\n')).not.toContain(secret);
      for (const file of filesUnder(join(dir, 'app'))) expect(readFileSync(file).toString('latin1').includes(secret), file).toBe(false);
    }
    // What "Choose boards" and the flows do next: the live connector reads the boards with the OAuth token.
    const tested = await ipc.value('connections.test', { id: LIVE_MONDAY_ID });
    expect(tested).toEqual({ ok: true, detail: expect.stringMatching(/; 3 boards visible\.$/) });
    // The call "Choose boards" makes (F4's board picker: listBoards), through the OAuth custodian.
    const live = mondayOpener.openLive({ store: ctx.store, credentials, log: ctx.log, dataDir: ctx.dataDir });
    try {
      expect((await live.connector.listBoards()).map((b) => b.name)).toEqual(['Purchase orders', 'Sales invoices', 'Sales orders']);
    } finally {
      await live.close();
    }
  });

  it('a refused client secret is a failed sign-in in words; the working sign-in stays', async () => {
    const before = await keychain();
    const wrong = 'definitely-not-the-monday-secret';
    const started = await ipc.value('connections.connectMonday', request({ clientSecret: wrong }));
    await fetch(await approve(started.authorizationUrl));
    const outcome = await events.nth(2);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.message).toMatch(/^monday\.com refused the app's client id or secret \(invalid_client.*\)\. Copy them again from the Developer Center/);
    expect(outcome.message).not.toContain(wrong);
    expect(await keychain()).toEqual(before);
    expect(ctx.store.connections.require(LIVE_MONDAY_ID)).toMatchObject({ status: 'connected', settings: { auth: 'oauth' } });
  });

  it('denied consent is a failed sign-in saying what to do; a stale pasted address is refused and the attempt waits on', async () => {
    const started = await ipc.value('connections.connectMonday', request());
    const redirectedTo = await approve(started.authorizationUrl);
    const stale = new URL(redirectedTo);
    stale.searchParams.set('state', 'not-this-attempt');
    const refused = await ipc.error('connections.completeSignIn', { pastedUrl: stale.href });
    expect(refused.code).toBe('invalid-request');
    expect(refused.message).toMatch(/^That address belongs to another sign-in attempt .+ Paste the address from the sign-in you started last, or start again\.$/);
    // The listener refuses a forged callback too, and keeps waiting.
    expect((await fetch(stale.href)).status).toBe(400);

    const state = new URL(started.authorizationUrl).searchParams.get('state')!;
    await fetch(`${redirectUri}?error=access_denied&error_description=${encodeURIComponent('The user declined')}&state=${state}`);
    const outcome = await events.nth(3);
    expect(outcome).toEqual({
      connectionId: LIVE_MONDAY_ID,
      outcome: 'failed',
      message:
        'monday.com did not give the app access (access_denied: The user declined). Sign in again and choose Authorize; if your account admin must approve the app, ask them to install it first.',
    });
    expect(ctx.store.connections.require(LIVE_MONDAY_ID).status).toBe('connected');
  });

  it('completes from a pasted address when the browser cannot reach the listener', async () => {
    const started = await ipc.value('connections.connectMonday', request());
    const outcome = await ipc.value('connections.completeSignIn', { pastedUrl: await approve(started.authorizationUrl) });
    expect(outcome).toMatchObject({ connectionId: LIVE_MONDAY_ID, outcome: 'connected' });
    expect(await events.nth(4)).toEqual(outcome);
  });

  it('Cancel stops the listener at once, without an outcome; a bad redirect URI or a missing secret is refused at once', async () => {
    const started = await ipc.value('connections.connectMonday', request());
    expect(await ipc.value('connections.cancelSignIn', {})).toEqual({ cancelled: true });
    const redirectedTo = await approve(started.authorizationUrl);
    await expect(fetch(redirectedTo)).rejects.toThrow(); // nothing listens any more
    expect((await ipc.error('connections.completeSignIn', { pastedUrl: redirectedTo })).code).toBe('conflict');
    expect(await ipc.value('connections.cancelSignIn', {})).toEqual({ cancelled: false });
    expect(events.signins).toHaveLength(4);

    expect(await ipc.error('connections.connectMonday', request({ redirectUri: 'http://example.com:8080/cb' }))).toEqual({
      code: 'invalid-request',
      message: 'The redirect URI must point at this computer (127.0.0.1 or localhost), not example.com.',
    });
    expect((await ipc.error('connections.connectMonday', request({ clientSecret: '' }))).message).toBe('The client secret is required.');
  });
});
