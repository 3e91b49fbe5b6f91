/**
 * KeytarCredentialStore against the REAL gnome-keyring over a private D-Bus session (see
 * private-keyring.ts for exactly how it is started). Missing daemons fail the suite with the
 * apt packages to install; they are never skipped.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeytarCredentialStore,
  connectionAccount,
  deleteConnectionSecrets,
} from '../../src-main/credentials/index';
import { startPrivateKeyringSession, type PrivateKeyringSession } from './private-keyring';

const PROBE = path.join(import.meta.dirname, 'keychain-probe.ts');
const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

interface ProbeResult {
  ok: boolean;
  value?: unknown;
  name?: string;
  problem?: string | null;
  message?: string;
}

/** One credential call in a fresh node process with the given environment. */
function probe(env: NodeJS.ProcessEnv, ...args: string[]): ProbeResult {
  const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`probe printed no result (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(line) as ProbeResult;
}

let session: PrivateKeyringSession;
const savedBusAddress = process.env['DBUS_SESSION_BUS_ADDRESS'];
const store = new KeytarCredentialStore({ timeoutMs: 20_000 });

beforeAll(async () => {
  session = await startPrivateKeyringSession();
  await session.startKeyring('test-keyring-password');
  // Must happen before keytar is first loaded: libsecret connects once per process.
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
});

afterAll(async () => {
  if (savedBusAddress === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
  else process.env['DBUS_SESSION_BUS_ADDRESS'] = savedBusAddress;
  await session?.stop();
});

describe('KeytarCredentialStore on gnome-keyring', () => {
  const account = connectionAccount('exact-1', 'refresh-token');

  it('stores, reads, overwrites and deletes a secret', async () => {
    expect(await store.get(account)).toBeNull();
    await store.set(account, 'first-token');
    expect(await store.get(account)).toBe('first-token');
    await store.set(account, 'rotated-token');
    expect(await store.get(account)).toBe('rotated-token');
    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
    expect(await store.delete(account)).toBe(false);
  });

  it('keeps non-ASCII and long secrets byte for byte', async () => {
    const nonAscii = 'Wachtwoord-€-ü-ß-日本語-🔑-"quote"\\slash';
    await store.set(connectionAccount('intacct-1', 'sender-password'), nonAscii);
    expect(await store.get(connectionAccount('intacct-1', 'sender-password'))).toBe(nonAscii);

    const long = crypto.randomBytes(6000).toString('base64url'); // 8,000 chars, like a large JWT
    await store.set(connectionAccount('procore-1', 'access-token'), long);
    expect(await store.get(connectionAccount('procore-1', 'access-token'))).toBe(long);
  });

  it('is really in the keychain: another process reads it', async () => {
    await store.set(connectionAccount('coupa-1', 'client-secret'), 'shared-with-child-€');
    expect(probe(session.env, 'get', connectionAccount('coupa-1', 'client-secret'))).toEqual({
      ok: true,
      value: 'shared-with-child-€',
    });
  });

  it("lists accounts and removes one connection's secrets only", async () => {
    await store.set(connectionAccount('monday-1', 'api-token'), 'a');
    await store.set(connectionAccount('monday-1', 'refresh-token'), 'b');
    await store.set(connectionAccount('monday-10', 'api-token'), 'c');
    expect(await store.listAccounts()).toEqual(
      expect.arrayContaining([
        'connection:monday-1:api-token',
        'connection:monday-1:refresh-token',
        'connection:monday-10:api-token',
      ]),
    );
    expect(await deleteConnectionSecrets(store, 'monday-1')).toBe(2);
    expect(await store.get(connectionAccount('monday-1', 'api-token'))).toBeNull();
    expect(await store.get(connectionAccount('monday-10', 'api-token'))).toBe('c');
  });
});

describe('KeytarCredentialStore without a usable keychain', () => {
  it('raises KeychainUnavailableError when DBUS_SESSION_BUS_ADDRESS points nowhere', () => {
    const result = probe(
      { ...session.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/ml-connector-bus' },
      'get',
      'connection:x:y',
    );
    expect(result).toMatchObject({ ok: false, name: 'KeychainUnavailableError', problem: 'no-session-bus' });
    expect(result.message).toMatch(/dbus-run-session/);
  });

  it('raises KeychainUnavailableError when there is no D-Bus session at all', () => {
    const env = { ...session.env };
    delete env['DBUS_SESSION_BUS_ADDRESS'];
    delete env['DISPLAY'];
    const result = probe(env, 'get', 'connection:x:y');
    expect(result).toMatchObject({ ok: false, name: 'KeychainUnavailableError', problem: 'no-session-bus' });
  });

  it('raises KeychainUnavailableError (locked) for a locked keyring, without echoing the secret', async () => {
    await session.stopKeyring();
    await session.startKeyring(); // same keyring files, not unlocked
    const result = probe(session.env, 'set', 'connection:x:token', 'very-secret-value-123');
    expect(result).toMatchObject({ ok: false, name: 'KeychainUnavailableError', problem: 'locked' });
    expect(result.message).toMatch(/locked/);
    expect(result.message).not.toContain('very-secret-value-123');
  });
});
