import type { IpcErrorCode, IpcResult } from '../../src-shared/ipc';

/** A failed IPC call, carrying the contract's error code and the message written for people. */
export class IpcCallError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcCallError';
  }
}

/** The value of a successful call; a failure becomes an IpcCallError (stores turn it into an error state). */
export async function unwrap<T>(pending: Promise<IpcResult<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new IpcCallError(result.error.code, result.error.message);
  return result.value;
}

/** The message to show for anything a store action caught. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
