import { checkAccount, checkSecret, type CredentialStore } from './credential-store';

/** Fake keychain for unit tests: same argument checks and semantics, kept in a Map. */
export class InMemoryCredentialStore implements CredentialStore {
  private readonly secrets = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    checkAccount(account);
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    checkSecret(account, secret);
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.secrets.delete(account);
  }

  async listAccounts(): Promise<string[]> {
    return [...this.secrets.keys()].sort();
  }
}
