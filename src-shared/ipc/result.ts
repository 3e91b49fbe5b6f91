/**
 * The envelope every IPC call returns. Handlers never throw across the bridge: a failure is a
 * value with a stable code the renderer can branch on and a message a person can read.
 */
export const IPC_ERROR_CODES = [
  /** The request did not match the method's schema (message names the bad fields). */
  'invalid-request',
  /** The method name is not in the contract. */
  'unknown-method',
  /** Electron: the call came from a frame that is not the app's own page. */
  'unauthorized-sender',
  /** Browser host: the per-launch token was missing or wrong. */
  'unauthorized',
  'not-found',
  /** The OS keychain (Secret Service, Keychain, Credential Manager) could not be used. */
  'keychain-unavailable',
  /** The request conflicts with the current state (e.g. a duplicate name). */
  'conflict',
  /** A dependency is not available right now (e.g. the store is closed); retrying may help. */
  'unavailable',
  /** Anything unexpected; details are in the app log, never in the message. */
  'internal',
] as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

export interface IpcError {
  code: IpcErrorCode;
  message: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

export function fail(code: IpcErrorCode, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

export function isIpcErrorCode(value: unknown): value is IpcErrorCode {
  return typeof value === 'string' && (IPC_ERROR_CODES as readonly string[]).includes(value);
}
