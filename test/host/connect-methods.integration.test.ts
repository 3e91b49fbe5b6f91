import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcEventPayload, IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, KeytarCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_EXACT_ID, LIVE_PROCORE_ID } from '../../src-main/host/live-connections';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { startPrivateKeyringSession, type PrivateKeyringSession } from '../credentials/private-keyring';

/**
 * The Connections screen's IPC methods (connections.connectExact / completeSignIn /
 * connectProcore / test) through `dispatch`, against the Exact Online and Procore simulators
 * and the REAL OS keychain (gnome-keyring in a private D-Bus session). The test plays the
 * system browser: it follows the simulator's consent redirect to the loopback listener, or
 * pastes the redirect address like a user whose browser cannot reach the listener.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let session: PrivateKeyringSession;
let sandbox: Sandbox;
let ctx: ReturnType<typeof createAppContext>;
let dir: string;
let redirectUri: string;
const savedBus = process.env['DBUS_SESSION_BUS_ADDRESS'];
const credentials = new KeytarCredentialStore({ timeoutMs: 20_000 });
const signins: IpcEventPayload<'connection.signin'>[] = [];
const changed: string[] = [];

beforeAll(async () => {
  session = await startPrivateKeyringSession();
  await session.startKeyring('connect-methods-test');
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
  redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
  dir = mkdtempSync(join(tmpdir(), 'mlc-connect-'));
  sandbox = await startSandbox({
    dataDir: join(dir, 'fake-cloud'),
    systems: ['exact', 'procore'],
    config: { exact: { redirectUri }, procore: { spikeLimit: 1000 } },
  });
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
  ctx.events.subscribe((message) => {
    if (message.event === 'connection.signin') signins.push(message.payload);
    if (message.event === 'connection.changed') changed.push(message.payload.id);
  });
});

afterAll(async () => {
  ctx?.close();
  await sandbox?.close();
  if (savedBus === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
  else process.env['DBUS_SESSION_BUS_ADDRESS'] = savedBus;
  await session?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(
  method: M,
  request: IpcRequestInput<M>,
): Promise<IpcResponse<M>> {
  const result = await dispatch(method, request, ctx);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as IpcResponse<M>;
}

async function failure(method: IpcMethodName, request: unknown) {
  const result = await dispatch(method, request, ctx);
  if (result.ok) throw new Error(`${method} unexpectedly succeeded: ${JSON.stringify(result.value)}`);
  return result.error;
}

/** The Exact simulator's consent page approves at once and redirects: where it sends the browser. */
async function approve(authorizationUrl: string): Promise<string> {
  const approved = await fetch(authorizationUrl, { redirect: 'manual' });
  return approved.headers.get('location')!;
}

async function nextSignin(count: number): Promise<IpcEventPayload<'connection.signin'>> {
  await expect.poll(() => signins.length, { timeout: 10_000 }).toBe(count);
  return signins[count - 1]!;
}

const exactCredentials = () =>
  sandbox.systems.exact!.credentials as { clientId: string; clientSecret: string; division: number };
const exactRequest = () => ({
  region: 'nl' as const,
  baseUrl: sandbox.systems.exact!.baseUrl,
  clientId: exactCredentials().clientId,
  clientSecret: exactCredentials().clientSecret,
  redirectUri,
});

describe('connections.connectExact', () => {
  it('answers at once with the address to open, then reports the loopback sign-in as an event', async () => {
    const started = await call('connections.connectExact', exactRequest());
    expect(started.listening).toBe(true);
    expect(new URL(started.authorizationUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(JSON.stringify(started)).not.toContain(exactCredentials().clientSecret);
    expect(signins).toHaveLength(0); // nothing happens until the browser comes back

    await fetch(await approve(started.authorizationUrl)); // the browser reaches the loopback listener
    const outcome = await nextSignin(1);
    expect(outcome).toMatchObject({
      connectionId: LIVE_EXACT_ID,
      outcome: 'connected',
      division: Number(exactCredentials().division),
    });
    expect(outcome.message).toMatch(/^Signed in to Exact Online as .+; division \d+/);
    expect(outcome.divisions!.length).toBeGreaterThan(0);
    expect(changed).toContain(LIVE_EXACT_ID);
    expect(await credentials.get(connectionAccount(LIVE_EXACT_ID, 'clientSecret'))).toBe(
      exactCredentials().clientSecret,
    );
    const { connections } = await call('connections.list', {});
    const exact = connections.find((c) => c.id === LIVE_EXACT_ID)!;
    expect(exact.status).toBe('connected');
    expect(exact.secrets).toMatchObject({ clientSecret: true, tokens: true });
    expect(JSON.stringify(connections)).not.toContain(exactCredentials().clientSecret);
  });

  it('completes from a pasted address, and refuses a foreign or stale paste without ending the attempt', async () => {
    const started = await call('connections.connectExact', exactRequest());
    const redirectedTo = await approve(started.authorizationUrl);

    const foreign = await failure('connections.completeSignIn', {
      pastedUrl: 'https://evil.example/exact/callback?code=x&state=y',
    });
    expect(foreign.code).toBe('invalid-request');
    expect(foreign.message).toContain(`does not start with the registered redirect URI ${redirectUri}`);
    const stale = new URL(redirectedTo);
    stale.searchParams.set('state', 'not-this-attempt');
    const wrongState = await failure('connections.completeSignIn', { pastedUrl: stale.href });
    expect(wrongState).toEqual({
      code: 'invalid-request',
      message: expect.stringMatching(/^That address belongs to another sign-in attempt \(its state does not match this one\), so it was refused\. Paste/),
    });
    const notUrl = await failure('connections.completeSignIn', { pastedUrl: 'signed in!' });
    expect(notUrl.message).toMatch(/not a URL/);

    const outcome = await call('connections.completeSignIn', { pastedUrl: redirectedTo });
    expect(outcome).toMatchObject({ connectionId: LIVE_EXACT_ID, outcome: 'connected' });
    expect(await nextSignin(2)).toEqual(outcome);
    // The attempt is over: another paste has nothing to complete.
    expect((await failure('connections.completeSignIn', { pastedUrl: redirectedTo })).code).toBe(
      'conflict',
    );
  });

  it('cancels the waiting attempt when a new one starts; only the new one reports', async () => {
    const first = await call('connections.connectExact', exactRequest());
    const second = await call('connections.connectExact', exactRequest());
    expect(second.authorizationUrl).not.toBe(first.authorizationUrl);
    const firstRedirect = await approve(first.authorizationUrl);
    expect((await failure('connections.completeSignIn', { pastedUrl: firstRedirect })).message).toEqual(
      expect.stringMatching(/^That address belongs to another sign-in attempt \(its state does not match this one\), so it was refused\. Paste/),
    );
    await fetch(await approve(second.authorizationUrl));
    expect((await nextSignin(3)).outcome).toBe('connected');
    expect(signins).toHaveLength(3); // no 'failed' for the replaced attempt
  });

  it('reports a failed sign-in (the user denied access) as a failed event, and a bad redirect URI at once', async () => {
    const started = await call('connections.connectExact', exactRequest());
    const state = new URL(started.authorizationUrl).searchParams.get('state')!;
    await fetch(`${redirectUri}?error=access_denied&state=${state}`);
    const outcome = await nextSignin(4);
    expect(outcome).toEqual({
      connectionId: LIVE_EXACT_ID,
      outcome: 'failed',
      message: 'The provider refused the sign-in: access_denied.',
    });

    const bad = await failure('connections.connectExact', {
      ...exactRequest(),
      redirectUri: 'http://example.com:8080/cb',
    });
    expect(bad).toEqual({
      code: 'invalid-request',
      message: 'The redirect URI must point at this computer (127.0.0.1 or localhost), not example.com.',
    });
    // The form's label, not the request field: what the user sees on the Connect Exact Online form.
    expect((await failure('connections.connectExact', { ...exactRequest(), region: 'xx' })).message).toBe(
      'Region: must be one of nl, be, de, co.uk, fr, es, com.',
    );
  });
});

describe('connections.connectProcore and connections.test', () => {
  const procore = () => sandbox.systems.procore!;
  const procoreCredentials = () =>
    procore().credentials as { clientId: string; clientSecret: string; companyId: number };
  const procoreRequest = () => ({
    companyId: String(procoreCredentials().companyId),
    clientId: procoreCredentials().clientId,
    clientSecret: procoreCredentials().clientSecret,
    apiBaseUrl: procore().baseUrl,
    authBaseUrl: procore().baseUrl,
  });

  it('tests Exact Online on its own before Procore is connected, then connects Procore and tests both', async () => {
    const alone = await call('connections.test', { id: LIVE_EXACT_ID });
    expect(alone.ok && alone.detail).toMatch(/^Signed in to Exact Online as .+; division \d+/);
    const connected = await call('connections.connectProcore', procoreRequest());
    expect(connected.connectionId).toBe(LIVE_PROCORE_ID);
    expect(connected.detail.length).toBeGreaterThan(0);
    expect(changed).toContain(LIVE_PROCORE_ID);

    const exactTest = await call('connections.test', { id: LIVE_EXACT_ID });
    expect(exactTest).toMatchObject({ ok: true });
    expect(exactTest.ok && exactTest.detail).toMatch(/^Signed in to Exact Online as .+; division \d+/);
    expect(await call('connections.test', { id: LIVE_PROCORE_ID })).toMatchObject({ ok: true });
  });

  it('names the problem: a division the user has no access to, a wrong Procore secret', async () => {
    const exact = ctx.store.connections.require(LIVE_EXACT_ID);
    ctx.store.connections.update(LIVE_EXACT_ID, { settings: { ...exact.settings, division: 999_999 } });
    const test = await call('connections.test', { id: LIVE_EXACT_ID });
    expect(test).toMatchObject({ ok: false });
    expect(!test.ok && test.problem).toMatch(/has no access to Exact Online division 999999\.$/);
    ctx.store.connections.update(LIVE_EXACT_ID, { settings: exact.settings });

    const wrongSecret = 'definitely-not-the-secret-42';
    const refused = await failure('connections.connectProcore', {
      ...procoreRequest(),
      clientSecret: wrongSecret,
    });
    expect(refused.code).toBe('unavailable');
    expect(refused.message).toMatch(/^Procore did not accept the connection: ./);
    expect(refused.message).not.toContain(wrongSecret);
    expect(
      (await failure('connections.connectProcore', { ...procoreRequest(), companyId: 'acme' })).message,
    ).toContain('The company id is a number.');
  });

  it('explains sandbox, hand-made and unknown connections', async () => {
    const sandboxRow = ctx.store.connections.create({
      id: 'sb-exact',
      system: 'exact-online',
      label: 'Exact (sandbox)',
      mode: 'sandbox',
      settings: {},
    });
    expect(await call('connections.test', { id: sandboxRow.id })).toEqual({
      ok: false,
      problem:
        '“Exact (sandbox)” uses the built-in simulators on this computer (demo data, no real account), and the sync engine is not running in this process, so they are not answering.',
    });
    const byHand = ctx.store.connections.create({
      id: 'by-hand',
      system: 'procore',
      label: 'Old Procore',
      mode: 'live',
      settings: {},
    });
    expect(await call('connections.test', { id: byHand.id })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^“Old Procore” was added by hand/),
    });
    expect(await failure('connections.test', { id: 'nope' })).toEqual({
      code: 'not-found',
      message: 'There is no connection with id "nope".',
    });
  });
});
