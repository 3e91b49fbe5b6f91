import type * as Keytar from 'keytar';
import { describe, expect, it } from 'vitest';
import {
  InMemoryCredentialStore,
  InvalidAccountNameError,
  InvalidSecretError,
  KeychainUnavailableError,
  KeytarCredentialStore,
  classifyKeychainError,
  connectionAccount,
  deleteConnectionSecrets,
} from './index';

type KeytarModule = typeof Keytar;

/** A keytar whose every call fails with `message` (the real cases run in test/credentials). */
function failingKeytar(message: string): () => Promise<KeytarModule> {
  const fail = () => Promise.reject(new Error(message));
  return async () => ({
    getPassword: fail,
    setPassword: fail,
    deletePassword: fail,
    findPassword: fail,
    findCredentials: fail,
  });
}

describe('connectionAccount', () => {
  it('names accounts connection:<id>:<field> and refuses ambiguous parts', () => {
    expect(connectionAccount('exact-1', 'refresh-token')).toBe('connection:exact-1:refresh-token');
    expect(() => connectionAccount('a:b', 'x')).toThrow(InvalidAccountNameError);
    expect(() => connectionAccount('a', '')).toThrow(/field "" must be non-empty/);
  });
});

describe('InMemoryCredentialStore', () => {
  it('behaves like a keychain: set, overwrite, get, delete, list', async () => {
    const store = new InMemoryCredentialStore();
    expect(await store.get('connection:a:token')).toBeNull();
    await store.set('connection:a:token', 'one');
    await store.set('connection:a:token', 'two');
    await store.set('connection:a:secret', 'three');
    await store.set('connection:ab:token', 'four');
    expect(await store.get('connection:a:token')).toBe('two');
    expect(await store.listAccounts()).toEqual([
      'connection:a:secret',
      'connection:a:token',
      'connection:ab:token',
    ]);
    expect(await deleteConnectionSecrets(store, 'a')).toBe(2);
    expect(await store.listAccounts()).toEqual(['connection:ab:token']);
    expect(await store.delete('connection:ab:token')).toBe(true);
    expect(await store.delete('connection:ab:token')).toBe(false);
  });

  it('refuses empty secrets and bad account names like the real store', async () => {
    const store = new InMemoryCredentialStore();
    await expect(store.set('connection:a:token', '')).rejects.toThrow(InvalidSecretError);
    await expect(store.get('')).rejects.toThrow(InvalidAccountNameError);
    await expect(store.get('line\nbreak')).rejects.toThrow(InvalidAccountNameError);
  });
});

describe('classifyKeychainError', () => {
  it.each([
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'no-session-bus'],
    ['Could not connect: No such file or directory', 'no-session-bus'],
    ['Failed to execute child process “dbus-launch” (No such file or directory)', 'no-session-bus'],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'no-secret-service'],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'no-secret-service'],
    ['Cannot create an item in a locked collection', 'locked'],
    ['The prompt was dismissed', 'locked'],
    ['libsecret-1.so.0: cannot open shared object file: No such file or directory', 'library-missing'],
  ])('%s -> %s', (message, problem) => {
    expect(classifyKeychainError(message)).toBe(problem);
  });

  it('leaves other errors alone', () => {
    expect(classifyKeychainError('Password is required.')).toBeNull();
  });
});

describe('KeytarCredentialStore error mapping', () => {
  it('turns "no keychain" errors into KeychainUnavailableError with advice and no secret', async () => {
    const store = new KeytarCredentialStore({
      loadKeytar: failingKeytar('Cannot create an item in a locked collection (s3cr3t-value)'),
    });
    const error = await store.set('connection:a:token', 's3cr3t-value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeychainUnavailableError);
    expect((error as KeychainUnavailableError).problem).toBe('locked');
    expect((error as Error).message).toMatch(/Unlock it/);
    expect((error as Error).message).not.toContain('s3cr3t-value');
    expect((error as Error).message).toContain('[secret]');
  });

  it('reports a missing native library as KeychainUnavailableError and retries loading later', async () => {
    let loads = 0;
    const store = new KeytarCredentialStore({
      loadKeytar: async () => {
        loads += 1;
        throw new Error('libsecret-1.so.0: cannot open shared object file');
      },
    });
    await expect(store.get('connection:a:token')).rejects.toMatchObject({
      name: 'KeychainUnavailableError',
      problem: 'library-missing',
    });
    await expect(store.get('connection:a:token')).rejects.toThrow(/install libsecret-1-0/);
    expect(loads).toBe(2);
  });

  it('gives up on a keychain that never answers (e.g. waiting on an unlock prompt)', async () => {
    const never = () => new Promise<never>(() => undefined);
    const store = new KeytarCredentialStore({
      timeoutMs: 50,
      loadKeytar: async () => ({
        getPassword: never,
        setPassword: never,
        deletePassword: never,
        findPassword: never,
        findCredentials: never,
      }),
    });
    await expect(store.get('connection:a:token')).rejects.toMatchObject({
      name: 'KeychainUnavailableError',
      problem: 'timeout',
    });
  });

  it('passes other keychain errors through as a plain error', async () => {
    const store = new KeytarCredentialStore({ loadKeytar: failingKeytar('Something odd happened') });
    const error = await store.delete('connection:a:token').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(KeychainUnavailableError);
    expect((error as Error).message).toBe('The system keychain refused the request: Something odd happened');
  });
});
