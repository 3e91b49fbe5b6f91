/**
 * Runs one CredentialStore call in a fresh process (libsecret keeps its D-Bus connection per
 * process) and prints the outcome as one JSON line. Used by keytar.integration.test.ts:
 *   node --import tsx test/credentials/keychain-probe.ts get|set|delete <account> [secret]
 */
import { KeychainUnavailableError, KeytarCredentialStore } from '../../src-main/credentials/index';

const [operation, account = '', secret = ''] = process.argv.slice(2);
const store = new KeytarCredentialStore({ timeoutMs: 10_000 });
try {
  let value: unknown = null;
  if (operation === 'get') value = await store.get(account);
  else if (operation === 'set') await store.set(account, secret);
  else if (operation === 'delete') value = await store.delete(account);
  else throw new Error(`unknown operation ${operation}`);
  process.stdout.write(`${JSON.stringify({ ok: true, value })}\n`);
} catch (error) {
  const problem = error instanceof KeychainUnavailableError ? error.problem : null;
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  process.stdout.write(`${JSON.stringify({ ok: false, name, problem, message })}\n`);
}
