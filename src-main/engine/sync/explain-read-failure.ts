import { ClientSecretRefusedError, NeedsReauthError } from '../../../src-shared/domain/auth';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  redactString,
  UnauthorizedError,
} from '../../connectors/_kit';

/** A read the user asked for failed; the message says what to do next (shown as it is). */
export class ReadFailedError extends Error {
  override readonly name = 'ReadFailedError';
}

/** Runs a read the user asked for; a failure becomes a ReadFailedError in plain words. */
export async function readOrExplain<T>(system: string, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new ReadFailedError(explainReadFailure(system, what, error));
  }
}

/**
 * A sentence for a failed read that says what to do. Kit messages are already redacted; the
 * result is redacted again because it reaches the screen.
 */
export function explainReadFailure(system: string, what: string, error: unknown, now = Date.now()): string {
  const failed = `Could not read ${what} from ${system}`;
  const inMinutes = (resumeAt: number) => {
    const minutes = Math.max(1, Math.ceil((resumeAt - now) / 60_000));
    return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  };
  if (error instanceof ClientSecretRefusedError)
    return `${failed}: ${system} refused the app\u2019s client secret. Enter the current client secret under Connections (Edit), or connect ${system} again, then try again.`;
  if (error instanceof NeedsReauthError || error instanceof UnauthorizedError)
    return `${failed}: the sign-in has expired or was withdrawn. Connect ${system} again under Connections, then try again.`;
  if (error instanceof BudgetExhaustedError)
    return `${failed}: its API limit is used up for now. ${inMinutes(error.resumeAt)}`;
  if (error instanceof HttpStatusError && error.status === 429)
    return `${failed}: its API limit is used up for now. Try again in a few minutes.`;
  if (error instanceof ErrorBudgetExceededError)
    return `${failed}: too many calls failed this hour, so no more are made for now (so that ${system} does not block the app). ${inMinutes(error.resumeAt)}`;
  if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError)
    return redactString(
      `${failed}: ${system} could not be reached (${error.message}). Check the network and try again.`,
    );
  if (error instanceof HttpStatusError)
    return `${failed}: ${system} answered HTTP ${error.status}. Try again in a few minutes.`;
  return redactString(`${failed}: ${error instanceof Error ? error.message : String(error)}`);
}
