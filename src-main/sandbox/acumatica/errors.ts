import type { SimResponse } from '../_common/sim-server';

/**
 * Acumatica's 400/500-style error body (fact sheet 1.9; OpenAPI `HttpError`):
 * `{message, exceptionMessage, exceptionType, stackTrace}`. The schema types stackTrace as a
 * string, so the sandbox sends an empty one rather than null.
 */
export function acumaticaError(
  status: number,
  exceptionMessage: string,
  exceptionType = 'PX.Data.PXException',
): SimResponse {
  return {
    status,
    body: { message: 'An error has occurred.', exceptionMessage, exceptionType, stackTrace: '' },
  };
}

/** ASP.NET Web API's own answers for a missing route and for a request without a session. */
export function notFound(uri: string): SimResponse {
  return {
    status: 404,
    body: { message: `No HTTP resource was found that matches the request URI '${uri}'.` },
  };
}

export function notSignedIn(): SimResponse {
  return { status: 401, body: { message: 'Authorization has been denied for this request.' } };
}

export const LICENCE_LIMIT_MESSAGE = 'The number of requests exceeded the limit imposed by the license.';
