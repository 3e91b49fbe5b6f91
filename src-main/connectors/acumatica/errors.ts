/**
 * Errors that end an Acumatica session or run (the per-record ones are results, not throws).
 * Each message says what is wrong and what to do next, for a finance user.
 */
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import { BudgetExhaustedError, ErrorBudgetExceededError, HostNotAllowedError } from '../_kit';

/** A setting is missing or malformed; nothing was sent. */
export class AcumaticaConfigError extends Error {
  override readonly name = 'AcumaticaConfigError';
}

/**
 * Every licensed "web services API user" seat is taken (fact sheet 1.4/1.10: "API Login Limit").
 * Retrying at once cannot help: a seat frees only when a session logs out or idles out.
 */
export class AcumaticaLoginLimitError extends Error {
  override readonly name = 'AcumaticaLoginLimitError';
  readonly code = 'api-login-limit';
  constructor(readonly serverMessage: string) {
    super(
      'Acumatica refused the sign-in: every web-services API user seat of the licence is in use ("API Login Limit"). ' +
        'Sign out API sessions that are no longer needed (other integrations, or wait about 20 minutes until idle ones expire), ' +
        'or raise the API user limit of the licence, then sync again.',
    );
  }
}

/** The endpoint version in the connection settings is not published by the instance (1.1: 404). */
export class AcumaticaEndpointVersionError extends Error {
  override readonly name = 'AcumaticaEndpointVersionError';
  readonly code = 'endpoint-version';
  constructor(
    readonly requested: string,
    readonly available: readonly string[],
  ) {
    super(
      `endpoint version ${requested} is not available on this instance; available: ${available.length ? available.join(', ') : 'none'}. ` +
        'Choose one of them in the Acumatica connection settings.',
    );
  }
}

/** An answer that does not have the shape the contract promises. */
export class AcumaticaResponseShapeError extends Error {
  override readonly name = 'AcumaticaResponseShapeError';
}

/**
 * Errors after which no further call of this connection can succeed: the run stops (the engine
 * keeps every unwritten record for later) instead of failing record after record.
 */
export function isSessionFatal(error: unknown): boolean {
  return (
    error instanceof NeedsReauthError ||
    error instanceof AcumaticaLoginLimitError ||
    error instanceof AcumaticaEndpointVersionError ||
    error instanceof AcumaticaConfigError ||
    error instanceof HostNotAllowedError ||
    error instanceof BudgetExhaustedError ||
    error instanceof ErrorBudgetExceededError
  );
}
