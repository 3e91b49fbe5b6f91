import type * as Keytar from 'keytar';
import { CREDENTIAL_SERVICE, checkAccount, checkSecret, type CredentialStore } from './credential-store';

type KeytarModule = typeof Keytar;

export type KeychainProblem =
  'library-missing' | 'no-session-bus' | 'no-secret-service' | 'locked' | 'timeout' | 'other';

const HINTS: Record<KeychainProblem, string> = {
  'library-missing':
    'The keychain library could not be loaded. On Debian/Ubuntu install libsecret-1-0 (and libsecret-1-dev to build from source).',
  'no-session-bus':
    'There is no D-Bus session to reach the keychain through. Run ml-connector inside a desktop login session, or start one ' +
    'with dbus-run-session (packages: dbus, dbus-user-session).',
  'no-secret-service':
    'No Secret Service keychain is running. Install and start GNOME Keyring (package gnome-keyring) or KWallet, ' +
    'e.g. `echo -n <password> | gnome-keyring-daemon --unlock --components=secrets`.',
  locked:
    'The keychain is locked. Unlock it (log in to the desktop, open "Passwords and Keys", or unlock ' +
    'gnome-keyring-daemon with --unlock) and try again.',
  timeout: 'The keychain did not answer in time; it may be waiting to be unlocked. Unlock it and try again.',
  other: 'Check that the system keychain is installed, running and unlocked.',
};

/** The OS keychain cannot be used right now; the message says what to install or unlock. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
  constructor(
    readonly problem: KeychainProblem,
    /** The keychain's own message, with any secret value removed. */
    readonly detail: string,
  ) {
    super(
      `The system keychain is not available, so ml-connector cannot read or store connection secrets. ${HINTS[problem]} (Details: ${detail})`,
    );
  }
}

/** Recognises the ways keytar/libsecret say "no keychain here" (messages vary by platform and version). */
export function classifyKeychainError(message: string): KeychainProblem | null {
  const checks: [KeychainProblem, RegExp][] = [
    [
      'library-missing',
      /cannot open shared object|libsecret|Cannot find module|keytar\.node|was compiled against a different Node\.js/i,
    ],
    ['locked', /locked|prompt|dismissed|unlock/i],
    [
      'no-session-bus',
      /autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|dbus-launch|Failed to connect to socket|No such file or directory|Connection refused|Unable to autolaunch|session bus/i,
    ],
    [
      'no-secret-service',
      /org\.freedesktop\.secrets|ServiceUnknown|was not provided by any \.service files|Object does not exist at path|No such secret collection|secret service|NoReply|Timeout was reached|Message recipient disconnected/i,
    ],
  ];
  for (const [problem, pattern] of checks) if (pattern.test(message)) return problem;
  return null;
}

export interface KeytarCredentialStoreOptions {
  service?: string;
  /** How long to wait for the keychain before giving up (it may hang on an unlock prompt). */
  timeoutMs?: number;
  /** Loads keytar; replaced only by tests of the error mapping. */
  loadKeytar?: () => Promise<KeytarModule>;
}

/**
 * CredentialStore on the OS keychain (Windows Credential Manager, macOS Keychain, Linux Secret
 * Service via libsecret). keytar is loaded on first use so that importing this module never
 * touches the native library or D-Bus (tests set DBUS_SESSION_BUS_ADDRESS before that).
 */
export class KeytarCredentialStore implements CredentialStore {
  private readonly service: string;
  private readonly timeoutMs: number;
  private readonly loadKeytar: () => Promise<KeytarModule>;
  private keytar: Promise<KeytarModule> | undefined;

  constructor(options: KeytarCredentialStoreOptions = {}) {
    this.service = options.service ?? CREDENTIAL_SERVICE;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.loadKeytar =
      options.loadKeytar ??
      (async () => {
        const loaded = (await import('keytar')) as KeytarModule & { default?: KeytarModule };
        return loaded.default ?? loaded;
      });
  }

  async get(account: string): Promise<string | null> {
    checkAccount(account);
    return this.call(null, (keytar) => keytar.getPassword(this.service, account));
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(account, secret);
    await this.call(secret, (keytar) => keytar.setPassword(this.service, account, secret));
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.call(null, (keytar) => keytar.deletePassword(this.service, account));
  }

  async listAccounts(): Promise<string[]> {
    const credentials = await this.call(null, (keytar) => keytar.findCredentials(this.service));
    return credentials.map((credential) => credential.account).sort();
  }

  private async call<T>(secret: string | null, operation: (keytar: KeytarModule) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new KeychainUnavailableError('timeout', `no answer within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        timer.unref();
      });
      return await Promise.race([this.load().then(operation), timeout]);
    } catch (error) {
      throw toKeychainError(error, secret);
    } finally {
      clearTimeout(timer);
    }
  }

  private load(): Promise<KeytarModule> {
    this.keytar ??= this.loadKeytar().catch((error: unknown) => {
      this.keytar = undefined; // let a later call retry once the library is installed
      const detail = error instanceof Error ? error.message : String(error);
      throw new KeychainUnavailableError('library-missing', detail);
    });
    return this.keytar;
  }
}

function toKeychainError(error: unknown, secret: string | null): Error {
  if (error instanceof KeychainUnavailableError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const detail = secret ? raw.split(secret).join('[secret]') : raw;
  const problem = classifyKeychainError(detail);
  if (problem) return new KeychainUnavailableError(problem, detail);
  return new Error(`The system keychain refused the request: ${detail}`);
}
