import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliProcess } from '../../src-main/host/cli';
import { KeytarCredentialStore, connectionAccount } from '../../src-main/credentials';
import { LIVE_COUPA_ID } from '../../src-main/host/systems/coupa';
import { LIVE_MONDAY_ID, mondayOpener } from '../../src-main/host/systems/monday';
import { silentLogger } from '../../src-main/connectors/_kit';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { openStore } from '../../src-main/store';
import { startPrivateKeyringSession, type PrivateKeyringSession } from '../credentials/private-keyring';

/**
 * `ml-connector connect <system>` for the systems the Connections screen connects with the
 * generic form, against the monday.com and Coupa simulators and the REAL OS keychain
 * (gnome-keyring in a private D-Bus session): options are the form's fields, secrets come from
 * ML_CONNECTOR_<SYSTEM>_<FIELD> only, and a refused secret leaves nothing behind. And
 * `connect monday --oauth`: the browser sign-in through the user's monday app (OAuth 2.1).
 */
let session: PrivateKeyringSession;
let sandbox: Sandbox;
let root: string;
const savedBus = process.env['DBUS_SESSION_BUS_ADDRESS'];
const credentials = new KeytarCredentialStore({ timeoutMs: 20_000 });
const SECRET_VARS = ['ML_CONNECTOR_MONDAY_API_TOKEN', 'ML_CONNECTOR_COUPA_CLIENT_SECRET', 'ML_CONNECTOR_MONDAY_CLIENT_SECRET'];
let redirectUri: string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
const savedVars = Object.fromEntries(SECRET_VARS.map((v) => [v, process.env[v]]));

beforeAll(async () => {
  session = await startPrivateKeyringSession();
  await session.startKeyring('cli-connect-test');
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
  root = mkdtempSync(join(tmpdir(), 'mlc-cli-connect-'));
  redirectUri = `http://127.0.0.1:${await freePort()}/monday/callback`;
  sandbox = await startSandbox({ dataDir: join(root, 'fake-cloud'), systems: ['monday', 'coupa'], config: { monday: { oauthRedirectUris: [redirectUri] } } });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  for (const [name, value] of Object.entries(savedVars))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  if (savedBus === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
  else process.env['DBUS_SESSION_BUS_ADDRESS'] = savedBus;
  await session?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string | undefined>, onErr?: (line: string) => void) {
  const out: string[] = [];
  const err: string[] = [];
  const proc: CliProcess = {
    out: (l) => out.push(l),
    err: (l) => {
      err.push(l);
      onErr?.(l);
    },
    env: { HOME: root },
    onStopSignal: () => () => {},
  };
  for (const name of SECRET_VARS) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
  try {
    return { code: await main(argv, proc), out, err: err.join('\n') };
  } finally {
    for (const name of SECRET_VARS) delete process.env[name];
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? (name === 'fake-cloud' ? [] : filesUnder(full)) : [full];
  });
}

describe('connect monday (CLI, real keychain)', () => {
  let dataDir: string;
  let apiUrl: string;
  beforeAll(() => {
    dataDir = join(root, 'monday');
    apiUrl = `${sandbox.systems.monday!.baseUrl}/v2`;
    // The monday API address is fixed in the app (api.monday.com); a test points it at the simulator.
    const store = openStore(dataDir);
    store.connections.create({ id: LIVE_MONDAY_ID, system: 'monday', label: 'monday.com', mode: 'live', settings: { apiUrl } });
    store.close();
  });
  const settings = () => {
    const store = openStore(dataDir);
    try {
      return store.connections.require(LIVE_MONDAY_ID);
    } finally {
      store.close();
    }
  };

  it('without the token variable: names it, exit 2, nothing stored', async () => {
    const run = await cli(['connect', 'monday', '--data-dir', dataDir], {});
    expect(run.code).toBe(2);
    expect(run.err).toContain('missing the API token in the ML_CONNECTOR_MONDAY_API_TOKEN environment variable');
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBeNull();
  });

  it('a token on the command line is refused as an unknown option (secrets never in argv)', async () => {
    const run = await cli(['connect', 'monday', '--api-token', 'typed-in-the-shell', '--data-dir', dataDir], {});
    expect(run.code).toBe(2);
    expect(run.err).toContain("Unknown option '--api-token'");
    expect(run.err).toContain('ML_CONNECTOR_MONDAY_API_TOKEN');
  });

  it("another system's option is named as not one of monday.com's", async () => {
    const run = await cli(['connect', 'monday', '--tenant', 'acme', '--data-dir', dataDir], { ML_CONNECTOR_MONDAY_API_TOKEN: 'x' });
    expect(run.code).toBe(2);
    expect(run.err).toContain('--tenant is not an option of monday.com');
  });

  it('a refused token: exit 1 in words, nothing kept in the keychain, settings as they were', async () => {
    const run = await cli(['connect', 'monday', '--account', 'maasland', '--data-dir', dataDir], { ML_CONNECTOR_MONDAY_API_TOKEN: 'not-a-real-token' });
    expect(run.code).toBe(1);
    expect(run.err).toContain('connect monday: monday.com did not accept the connection');
    expect(run.err).not.toContain('not-a-real-token');
    expect(run.out).toEqual([]);
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBeNull();
    expect(settings().settings).toEqual({ apiUrl });
  });

  it('the right token connects: --json names the connection and what Test connection saw; the token is in the keychain only', async () => {
    const token = String(sandbox.systems.monday!.credentials['apiToken']);
    const run = await cli(['connect', 'monday', '--account', 'maasland', '--json', '--data-dir', dataDir], { ML_CONNECTOR_MONDAY_API_TOKEN: token });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toHaveLength(1);
    expect(JSON.parse(run.out[0]!)).toEqual({ connected: 'monday', connectionId: LIVE_MONDAY_ID, detail: expect.stringMatching(/^Connected to monday.com account .+ \(API 2026-10, current\); 3 boards visible\.$/) });
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBe(token);
    const stored = settings();
    // The API version the form prefills is what the CLI sends when --api-version is not given.
    expect(stored.settings).toEqual({ apiUrl, auth: 'token', apiVersion: '2026-10', account: 'maasland' });
    expect(stored.status).toBe('connected');
    for (const file of filesUnder(dataDir)) expect(readFileSync(file).toString('latin1').includes(token), file).toBe(false);
  });

  it('a refused token after a working one puts the working one back', async () => {
    const token = String(sandbox.systems.monday!.credentials['apiToken']);
    const run = await cli(['connect', 'monday', '--data-dir', dataDir], { ML_CONNECTOR_MONDAY_API_TOKEN: 'revoked-token' });
    expect(run.code).toBe(1);
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBe(token);
    expect(settings().settings).toMatchObject({ account: 'maasland' });
  });
});

describe('connect coupa (CLI, real keychain)', () => {
  const coupa = () => sandbox.systems.coupa!;
  const argv = (dataDir: string, ...extra: string[]) => ['connect', 'coupa', '--instance-url', coupa().baseUrl, '--client-id', String(coupa().credentials['clientId']), '--data-dir', dataDir, ...extra];

  it('a missing --instance-url is named before anything is sent', async () => {
    const run = await cli(['connect', 'coupa', '--client-id', 'c', '--data-dir', join(root, 'coupa-missing')], { ML_CONNECTOR_COUPA_CLIENT_SECRET: 's' });
    expect(run.code).toBe(2);
    expect(run.err).toContain('missing --instance-url (Instance URL)');
  });

  it('a wrong secret is refused and leaves nothing; the right one connects with the secret in the keychain only', async () => {
    const dataDir = join(root, 'coupa');
    const refused = await cli(argv(dataDir), { ML_CONNECTOR_COUPA_CLIENT_SECRET: 'not-the-secret' });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/connect coupa: Coupa did not accept the connection/);
    expect(await credentials.get(connectionAccount(LIVE_COUPA_ID, 'clientSecret'))).toBeNull();
    const store = openStore(dataDir);
    try {
      expect(store.connections.get(LIVE_COUPA_ID)).toBeUndefined();
    } finally {
      store.close();
    }

    const secret = String(coupa().credentials['clientSecret']);
    const connected = await cli(argv(dataDir), { ML_CONNECTOR_COUPA_CLIENT_SECRET: secret });
    expect(connected.err).toBe('');
    expect(connected.code).toBe(0);
    expect(connected.out).toEqual([expect.stringMatching(/^Coupa connected: Connected to Coupa 127\.0\.0\.1:\d+/)]);
    expect(await credentials.get(connectionAccount(LIVE_COUPA_ID, 'clientSecret'))).toBe(secret);
    for (const file of filesUnder(dataDir)) expect(readFileSync(file).toString('latin1').includes(secret), file).toBe(false);
  });
});

describe('connect monday --oauth (CLI, real keychain)', () => {
  let dataDir: string;
  let base: string;
  const client = () => ({ id: String(sandbox.systems.monday!.credentials['oauthClientId']), secret: String(sandbox.systems.monday!.credentials['oauthClientSecret']) });
  beforeAll(() => {
    dataDir = join(root, 'monday-oauth');
    base = sandbox.systems.monday!.baseUrl;
    // api.monday.com and auth.monday.com are fixed in the app; the test points both at the simulator.
    const store = openStore(dataDir);
    store.connections.create({ id: LIVE_MONDAY_ID, system: 'monday', label: 'monday.com', mode: 'live', settings: { apiUrl: `${base}/v2`, authUrl: base } });
    store.close();
  });
  const stored = () => {
    const store = openStore(dataDir);
    try {
      return store.connections.require(LIVE_MONDAY_ID);
    } finally {
      store.close();
    }
  };
  /** What the system browser does with the printed address: monday approves, the loopback gets the code. */
  const browser = (line: string) => {
    const url = line.match(/^(http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?\S+)$/m)?.[1];
    if (!url) return;
    void fetch(url, { redirect: 'manual' }).then((approved) => fetch(approved.headers.get('location')!));
  };
  const argv = (...extra: string[]) => ['connect', 'monday', '--oauth', '--client-id', client().id, '--redirect-uri', redirectUri, '--json', '--data-dir', dataDir, ...extra];

  it('signs in through the browser: tokens and client secret in the keychain only, Test connection names the boards', async () => {
    const run = await cli(argv(), { ML_CONNECTOR_MONDAY_CLIENT_SECRET: client().secret }, browser);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out[0]!)).toEqual({ connected: 'monday', auth: 'oauth', detail: expect.stringMatching(/; 3 boards visible\.$/) });
    expect(run.err).toMatch(/code_challenge_method=S256/);
    expect(stored().settings).toEqual({ apiUrl: `${base}/v2`, authUrl: base, auth: 'oauth', clientId: client().id, redirectUri });
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'clientSecret'))).toBe(client().secret);
    const tokens = JSON.parse((await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens')))!) as { accessToken: string; refreshToken: string };
    expect(tokens.refreshToken).toBeTruthy();
    for (const file of filesUnder(dataDir))
      for (const secret of [client().secret, tokens.accessToken, tokens.refreshToken]) expect(readFileSync(file).toString('latin1').includes(secret), file).toBe(false);
  });

  it('an expired access token is renewed with the refresh token, which monday replaces', async () => {
    const before = JSON.parse((await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens')))!) as { accessToken: string; refreshToken: string };
    sandbox.systems.monday!.clock.advance(3_601_000);
    const store = openStore(dataDir);
    const live = mondayOpener.openLive({ store, credentials, log: silentLogger, dataDir });
    try {
      expect(await live.connector.testConnection()).toMatchObject({ ok: true });
    } finally {
      await live.close();
      store.close();
    }
    const after = JSON.parse((await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens')))!) as { accessToken: string; refreshToken: string };
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });

  it('a wrong client secret is refused in words (invalid_client) and the working sign-in stays', async () => {
    const working = await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens'));
    const run = await cli(argv(), { ML_CONNECTOR_MONDAY_CLIENT_SECRET: 'not-the-secret' }, browser);
    expect(run.code).toBe(1);
    expect(run.err).toContain("connect monday: monday.com refused the app's client id or secret (invalid_client");
    expect(run.err).not.toContain('not-the-secret');
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'clientSecret'))).toBe(client().secret);
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'tokens'))).toBe(working);
    expect(stored().settings).toMatchObject({ auth: 'oauth' });
  });

  it('without the client secret variable: names it, exit 2', async () => {
    const run = await cli(argv(), {});
    expect(run.code).toBe(2);
    expect(run.err).toContain('ML_CONNECTOR_MONDAY_CLIENT_SECRET');
  });

  it('connecting a personal token afterwards switches the connection back to the token', async () => {
    const token = String(sandbox.systems.monday!.credentials['apiToken']);
    const run = await cli(['connect', 'monday', '--data-dir', dataDir], { ML_CONNECTOR_MONDAY_API_TOKEN: token });
    expect(run.code, run.err).toBe(0);
    expect(stored().settings).toMatchObject({ auth: 'token' });
  });
});
