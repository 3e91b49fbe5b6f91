/**
 * Secrets (OAuth tokens, client secrets, API tokens, passwords) live only in the OS keychain,
 * under service "ml-connector" and accounts like "connection:<id>:<field>". SQLite, logs, IPC,
 * audit and error messages never see a secret value.
 */
export const CREDENTIAL_SERVICE = 'ml-connector';

export interface CredentialStore {
  /** The secret, or null when none is stored. */
  get(account: string): Promise<string | null>;
  /** Stores or overwrites. */
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Account names under this service (never the secrets), e.g. to remove a connection's entries. */
  listAccounts(): Promise<string[]>;
}

/** The account name of one secret field of a connection, e.g. connection:exact-1:refresh-token. */
export function connectionAccount(connectionId: string, field: string): string {
  for (const [name, part] of [
    ['connection id', connectionId],
    ['field', field],
  ] as const) {
    if (part === '' || part.includes(':'))
      throw new InvalidAccountNameError(`The ${name} "${part}" must be non-empty and contain no ":".`);
  }
  return `connection:${connectionId}:${field}`;
}

/** Removes every secret of one connection; returns how many were removed. */
export async function deleteConnectionSecrets(store: CredentialStore, connectionId: string): Promise<number> {
  const prefix = `connection:${connectionId}:`;
  let removed = 0;
  for (const account of await store.listAccounts()) {
    if (account.startsWith(prefix) && (await store.delete(account))) removed += 1;
  }
  return removed;
}

export class InvalidAccountNameError extends Error {
  override readonly name = 'InvalidAccountNameError';
}

export class InvalidSecretError extends Error {
  override readonly name = 'InvalidSecretError';
}

/** Checks arguments the same way for every implementation (the fake must not be more lenient). */
export function checkAccount(account: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof account !== 'string' || account.trim() === '' || /[\u0000-\u001f]/.test(account)) {
    throw new InvalidAccountNameError(
      'A keychain account name must be a non-empty string without control characters.',
    );
  }
}

export function checkSecret(account: string, secret: string): void {
  if (typeof secret !== 'string' || secret === '') {
    throw new InvalidSecretError(
      `Refusing to store an empty secret for ${account}; delete the entry instead.`,
    );
  }
}
