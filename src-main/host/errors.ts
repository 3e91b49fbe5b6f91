import type { IpcErrorCode } from '../../src-shared/ipc';

/**
 * A failure a handler reports on purpose. Its message reaches the renderer, so it must be
 * written for a person and must never contain a secret or a stack trace.
 */
export class IpcFailure extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcFailure';
  }
}
