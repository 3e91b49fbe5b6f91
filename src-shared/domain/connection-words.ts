/**
 * A connection's state in words a user acts on (the Connections and Dashboard screens, `status`
 * in the CLI), instead of the stored codes (`not-connected`) and field names (`clientSecret`).
 */

export type ConnectionStatusCode = 'not-connected' | 'connected' | 'needs-reauth' | 'secret-refused' | 'error';
export type ConnectionModeCode = 'live' | 'sandbox';

/** The status in a few words, for a table cell or a list (the mode matters: a sandbox signs in by itself). */
export function connectionStatusWords(status: ConnectionStatusCode, mode: ConnectionModeCode): string {
  switch (status) {
    case 'connected':
      return 'Connected';
    case 'not-connected':
      return mode === 'sandbox' ? 'Ready: signs in at the next sync' : 'Not signed in yet';
    case 'needs-reauth':
      return 'Sign in again';
    case 'secret-refused':
      return 'Client secret refused';
    case 'error':
      return 'Problem: use “Test connection”';
  }
}

/** What to do about a status, or null when nothing needs doing. */
export function connectionStatusAdvice(status: ConnectionStatusCode, mode: ConnectionModeCode): string | null {
  if (mode === 'sandbox') return status === 'error' ? 'The simulated system did not answer; restart the app with the sandbox.' : null;
  switch (status) {
    case 'not-connected':
      return 'Connect the account under “Connect your own accounts”.';
    case 'needs-reauth':
      return 'The saved sign-in is no longer accepted: connect the account again.';
    case 'secret-refused':
      return 'The app\u2019s client secret was refused: update it in Connections (Edit), or connect again. Nothing is synced and no sign-in calls are made until then.';
    case 'error':
      return '“Test connection” says what is wrong.';
    default:
      return null;
  }
}

/** Secret fields in words ("client secret"); sign-in tokens are one thing to a user: the sign-in. */
export const SECRET_FIELD_WORDS: Readonly<Record<string, string>> = {
  clientSecret: 'client secret',
  password: 'password',
  senderPassword: 'sender password',
  userPassword: 'user password',
  apiToken: 'API token',
  accessToken: 'sign-in',
  refreshToken: 'sign-in',
  tokens: 'sign-in',
};

/** Where a sign-in is kept (declared per system, or the token set the auth module stores). */
const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'tokens'];

/**
 * What is stored for a connection, in one sentence: nothing needed (sandbox), all stored, what
 * is missing and what to do; `secrets` empty means the keychain could not be read.
 */
export function credentialWords(mode: ConnectionModeCode, secrets: Readonly<Record<string, boolean>>, keychainReadable: boolean): string {
  if (mode === 'sandbox') return 'None needed (simulated system on this computer)';
  if (!keychainReadable) return 'Not known: the keychain cannot be read';
  const typed = Object.entries(secrets).filter(([name]) => !TOKEN_FIELDS.includes(name));
  const missing = typed.filter(([, isSet]) => !isSet).map(([name]) => SECRET_FIELD_WORDS[name] ?? name);
  const tokens = Object.entries(secrets).filter(([name]) => TOKEN_FIELDS.includes(name));
  const signedIn = tokens.length === 0 || tokens.some(([, isSet]) => isSet);
  if (missing.length > 0) return `Missing: ${missing.join(', ')} (Edit to add ${missing.length === 1 ? 'it' : 'them'})`;
  if (!signedIn) return `${typed.length > 0 ? 'Stored in the keychain; ' : ''}not signed in yet`;
  return 'Stored in the keychain';
}
