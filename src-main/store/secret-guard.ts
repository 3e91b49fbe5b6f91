/**
 * Last line of defence for "no secret is ever stored in SQLite": JSON written to the store is
 * checked for members whose NAME says they hold a credential. The error names the path of the
 * member, never its value. Secrets belong in the OS keychain (src-main/credentials).
 */

const SECRET_MEMBER_NAMES = new Set([
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'apitoken',
  'authorization',
  'senderpassword',
  'userpassword',
  'privatekey',
]);

export class SecretInStoreError extends Error {
  override readonly name = 'SecretInStoreError';
  constructor(
    readonly where: string,
    readonly memberPath: string,
  ) {
    super(
      `Refusing to store ${where}: member ${memberPath} looks like a credential. ` +
        'Secrets go to the OS keychain (CredentialStore), never into the database.',
    );
  }
}

/** Verdicts by member name, remembered: the same few names recur in every record. */
const verdictByName = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 10_000;

function isSecretMemberName(name: string): boolean {
  let verdict = verdictByName.get(name);
  if (verdict === undefined) {
    verdict = SECRET_MEMBER_NAMES.has(name.toLowerCase().replace(/[-_ ]/g, ''));
    if (verdictByName.size >= MAX_REMEMBERED_NAMES) verdictByName.clear();
    verdictByName.set(name, verdict);
  }
  return verdict;
}

/** A member named like a credential that holds something (null and '' hold nothing). */
export function isSecretMember(name: string, value: unknown): boolean {
  return isSecretMemberName(name) && value !== null && value !== '';
}

/** Path of the first member that looks like a credential, or null. */
export function findSecretMember(value: unknown, path = '$'): string | null {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findSecretMember(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (isSecretMember(key, item)) return `${path}.${key}`;
      const found = findSecretMember(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

export function assertNoSecrets(value: unknown, where: string): void {
  const memberPath = findSecretMember(value);
  if (memberPath) throw new SecretInStoreError(where, memberPath);
}
