import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src-main/connectors/_kit';
import { KeytarCredentialStore, connectionAccount } from '../../src-main/credentials';
import { connectExactOnline, connectProcore, LIVE_EXACT_ID, openLiveExact, openLiveProcore } from '../../src-main/host/live-connections';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { openF1Runtime } from '../support/f1-runtime';
import { runExactProcore } from '../../src-main/engine/flows/exact-procore/flow';
import { openStore, type Store } from '../../src-main/store';
import { startPrivateKeyringSession, type PrivateKeyringSession } from '../credentials/private-keyring';

/**
 * Connecting "live" accounts, with the simulators standing in for Exact Online and Procore and
 * the REAL OS keychain (gnome-keyring in a private D-Bus session): the RFC 8252 loopback
 * sign-in, the paste-the-URL fallback, division from current/Me, and secrets that reach the
 * keychain and nothing else.
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
let store: Store;
let dir: string;
let redirectUri: string;
const savedBus = process.env['DBUS_SESSION_BUS_ADDRESS'];
const credentials = new KeytarCredentialStore({ timeoutMs: 20_000 });

beforeAll(async () => {
  session = await startPrivateKeyringSession();
  await session.startKeyring('live-connect-test');
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
  redirectUri = `http://127.0.0.1:${await freePort()}/exact/callback`;
  dir = mkdtempSync(join(tmpdir(), 'mlc-live-'));
  sandbox = await startSandbox({ dataDir: join(dir, 'fake-cloud'), systems: ['exact', 'procore'], config: { exact: { redirectUri }, procore: { spikeLimit: 1000 } } });
  store = openStore(dir);
});

afterAll(async () => {
  store?.close();
  await sandbox?.close();
  if (savedBus === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
  else process.env['DBUS_SESSION_BUS_ADDRESS'] = savedBus;
  await session?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the system browser does: follow the provider's redirect to our loopback listener. */
async function browser(url: string): Promise<void> {
  const approved = await fetch(url, { redirect: 'manual' });
  await fetch(approved.headers.get('location')!);
}

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = join(root, name);
    return statSync(full).isDirectory() ? (name === 'fake-cloud' ? [] : filesUnder(full)) : [full];
  });
}

describe('live connections', () => {
  it('signs in to Exact Online through the loopback, stores the division and keeps secrets in the keychain only', async () => {
    const exact = sandbox.systems.exact!;
    const c = exact.credentials as { clientId: string; clientSecret: string; division: number };
    let opened = '';
    const { connection, me } = await connectExactOnline(
      { store, credentials, log: silentLogger, dataDir: dir },
      { region: 'nl', baseUrl: exact.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, redirectUri, openBrowser: async (url) => { opened = url; await browser(url); } },
    );
    expect(new URL(opened).searchParams.get('code_challenge_method')).toBe('S256');
    expect(me.currentDivision).toBe(Number(c.division));
    expect(connection.settings['division']).toBe(Number(c.division));
    expect(store.connections.require(LIVE_EXACT_ID).status).toBe('connected');
    // The code exchange counted against Exact's 200 token calls a day.
    expect((store.connections.require(LIVE_EXACT_ID).settings['tokenCalls'] as { count: number }).count).toBe(1);

    const tokens = JSON.parse((await credentials.get(connectionAccount(LIVE_EXACT_ID, 'tokens')))!) as { accessToken: string; refreshToken: string };
    expect(await credentials.get(connectionAccount(LIVE_EXACT_ID, 'clientSecret'))).toBe(c.clientSecret);
    // Canary scan: no secret in any file of the data folder (SQLite, WAL, logs, exports).
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file).toString('latin1');
      for (const secret of [c.clientSecret, tokens.accessToken, tokens.refreshToken]) expect(bytes.includes(secret), `${secret.slice(0, 4)}… in ${file}`).toBe(false);
    }
  });

  it('connects Procore with client credentials, then reads both systems with keychain-held tokens', async () => {
    const procore = sandbox.systems.procore!;
    const c = procore.credentials as { clientId: string; clientSecret: string; companyId: number };
    const { detail } = await connectProcore(
      { store, credentials, log: silentLogger, dataDir: dir },
      { companyId: String(c.companyId), clientId: c.clientId, clientSecret: c.clientSecret, apiBaseUrl: procore.baseUrl, authBaseUrl: procore.baseUrl },
    );
    expect(detail.length).toBeGreaterThan(0);
    const deps = { store, credentials, log: silentLogger, dataDir: dir };
    const exact = openLiveExact(deps);
    const liveProcore = openLiveProcore(deps);
    try {
      const first = await exact.connector.readPurchaseOrders(null)[Symbol.asyncIterator]().next();
      expect(first.done).toBe(false);
      expect(first.value!.records.length).toBeGreaterThan(0);
      expect((await liveProcore.connector.listProjects()).length).toBeGreaterThan(0);
      // Opened again, a connection keeps the process's one custodian (never two refreshers).
      const again = openLiveExact(deps);
      expect(again.custodian).toBe(exact.custodian);
      await again.connector.close();
    } finally {
      await exact.connector.close();
      await liveProcore.connector.close();
    }
  });

  it('runs F1 over the live connections: with no mappings yet, every record waits with its reason', async () => {
    const rt = await openF1Runtime({ store, dataDir: dir, log: silentLogger, credentials });
    try {
      expect(rt.exactConnection.id).toBe(LIVE_EXACT_ID);
      const summary = await runExactProcore(rt.deps, 'manual');
      expect(summary.status).toBe('succeeded');
      expect(summary.counts.created).toBe(0);
      expect(summary.counts.parked).toBeGreaterThan(0);
      expect(store.parked.listOpen().every((p) => /not linked to a Procore (project|vendor)|no cost code mapping/.test(p.reasonText))).toBe(true);
      expect(rt.apiCalls().exact).toBeGreaterThan(0);
    } finally {
      await rt.close();
    }
  });

  it('a refused Procore reconnection leaves the working connection and its secret as they were', async () => {
    const procore = sandbox.systems.procore!;
    const c = procore.credentials as { clientId: string; clientSecret: string; companyId: number };
    const before = store.connections.require('live-procore');
    await expect(
      connectProcore(
        { store, credentials, log: silentLogger, dataDir: dir },
        { companyId: String(c.companyId), clientId: 'someone-else', clientSecret: 'wrong-secret', apiBaseUrl: procore.baseUrl, authBaseUrl: procore.baseUrl },
      ),
    ).rejects.toThrow();
    expect(store.connections.require('live-procore').settings).toEqual(before.settings);
    expect(await credentials.get(connectionAccount('live-procore', 'clientSecret'))).toBe(c.clientSecret);
  });

  it('keeps "line-item writes at once" across reconnections, and the live Procore connector uses the stored value', async () => {
    const procore = sandbox.systems.procore!;
    const c = procore.credentials as { clientId: string; clientSecret: string; companyId: number };
    const deps = { store, credentials, log: silentLogger, dataDir: dir };
    const request = { companyId: String(c.companyId), clientId: c.clientId, clientSecret: c.clientSecret, apiBaseUrl: procore.baseUrl, authBaseUrl: procore.baseUrl };
    await connectProcore(deps, { ...request, writeConcurrency: 2 });
    expect(store.connections.require('live-procore').settings['writeConcurrency']).toBe(2);
    await connectProcore(deps, request); // not given: the stored value stays
    const stored = store.connections.require('live-procore').settings;
    expect(stored['writeConcurrency']).toBe(2);
    // Refused before anything is stored or sent.
    await expect(connectProcore(deps, { ...request, writeConcurrency: 40 })).rejects.toThrow(/must be a whole number from 1 to 16, got 40/);
    expect(store.connections.require('live-procore').settings).toEqual(stored);

    // The connector is built from the stored settings: an impossible value is refused by name.
    store.connections.update('live-procore', { settings: { ...stored, writeConcurrency: 40 } });
    try {
      expect(() => openLiveProcore(deps)).toThrow('The Procore write concurrency (calls in flight at once) must be a whole number from 1 to 16, got 40.');
    } finally {
      store.connections.update('live-procore', { settings: stored });
    }
    const live = openLiveProcore(deps);
    await live.connector.close();
  });

  it('a keychain that refuses the new secret leaves the Procore connection as it was, with the keychain’s reason', async () => {
    const procore = sandbox.systems.procore!;
    const c = procore.credentials as { clientId: string; clientSecret: string; companyId: number };
    const before = store.connections.require('live-procore');
    const lockedKeychain = Object.assign(Object.create(credentials) as typeof credentials, {
      set: async () => {
        throw new Error('The OS keychain is locked: unlock it and try again.');
      },
    });
    await expect(
      connectProcore(
        { store, credentials: lockedKeychain, log: silentLogger, dataDir: dir },
        { companyId: String(c.companyId), clientId: c.clientId, clientSecret: 'new-secret-1', apiBaseUrl: procore.baseUrl, authBaseUrl: procore.baseUrl, writeConcurrency: 3 },
      ),
    ).rejects.toThrow('The OS keychain is locked: unlock it and try again.');
    expect(store.connections.require('live-procore').settings).toEqual(before.settings);
  });

  it('accepts the pasted redirect address when the browser cannot reach the loopback', async () => {
    const exact = sandbox.systems.exact!;
    const c = exact.credentials as { clientId: string; clientSecret: string };
    const result = await connectExactOnline(
      { store, credentials, log: silentLogger, dataDir: dir },
      {
        region: 'nl',
        baseUrl: exact.baseUrl,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        redirectUri,
        openBrowser: () => {},
        onPending: (pending) => {
          void (async () => {
            const approved = await fetch(pending.authorizationUrl, { redirect: 'manual' });
            pending.completeFromPastedUrl(approved.headers.get('location')!);
          })();
        },
      },
    );
    expect(result.connection.status === 'connected' || store.connections.require(LIVE_EXACT_ID).status === 'connected').toBe(true);
  });
});
