import { randomBytes } from 'node:crypto';
import { el } from './xml';

/**
 * Intacct's error model (fact sheet 2.5 and the vendor SDKs' own response fixtures):
 * `<errormessage>` holds one or more chained `<error>` with `errorno`, `description`,
 * `description2` and `correction`.
 * - Function and authentication errors carry the useful text in `description2`, ending with a
 *   `[Support ID: …]` that Intacct support can trace.
 * - Gateway errors (HTTP 401 sign-in, 429 rate limit, 5xx) carry it in `description`, with a
 *   control block that holds only `<status>failure</status>`.
 * Error numbers other than the ones the vendor material names (XL03000003 parse, XL03000006
 * authorization, XL03000009 rolled back, XMLGW_JPP0002 sign-in, GW-0010 rate limit, GW-0011
 * invalid request) are this sandbox's own: BL… business rule, DL… query.
 */
export interface IntacctError {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

export class FunctionError extends Error {
  constructor(readonly errors: IntacctError[]) {
    super(errors.map((e) => e.description2 || e.description).join(' '));
  }
}

export const fail = (errorno: string, description: string, description2 = '', correction = ''): FunctionError =>
  new FunctionError([{ errorno, description, description2, correction }]);

export const ERR = {
  /** XML that is not well-formed, or a request the DTD would refuse. */
  PARSE: 'XL03000003',
  /** Sender credentials wrong (control level) or not authorised for the company (authentication level). */
  AUTHORIZATION: 'XL03000006',
  /** "The entire transaction in this operation has been rolled back due to an error." */
  ROLLED_BACK: 'XL03000009',
  /** HTTP 401: user, company, password or session not accepted. */
  SIGN_IN: 'XMLGW_JPP0002',
  RATE_LIMIT: 'GW-0010',
  INVALID_REQUEST: 'GW-0011',
  SERVICE: 'GW-0500',
  /** Sandbox's own: a business rule refused the record. */
  BUSINESS: 'BL01001973',
  /** Sandbox's own: a query could not run. */
  QUERY: 'DL02000001',
} as const;

export const ROLLED_BACK_TEXT = 'The entire transaction in this operation has been rolled back due to an error.';

/** A business-rule failure: one error per problem, then the "Could not … record!" summary. */
export function recordFailure(problems: string[], description: string, summary: string): FunctionError {
  return new FunctionError([
    ...problems.map((p) => ({ errorno: ERR.BUSINESS, description, description2: p, correction: '' })),
    { errorno: ERR.BUSINESS, description: '', description2: summary, correction: '' },
  ]);
}

/** A Support ID in the style Intacct appends to description2 ("[Support ID: …]"). */
export function newSupportId(): string {
  return `${randomBytes(9).toString('base64url')}~${randomBytes(12).toString('base64url')}`;
}

/** Appends one Support ID to every error of a function or authentication failure. */
export function withSupportId(errors: IntacctError[], supportId = newSupportId()): IntacctError[] {
  return errors.map((e) => ({ ...e, description2: `${e.description2}${e.description2 ? ' ' : ''}[Support ID: ${supportId}]` }));
}

export function errorMessageXml(errors: IntacctError[]): string {
  return el(
    'errormessage',
    errors.map((e) => el('error', [el('errorno', e.errorno), el('description', e.description), el('description2', e.description2), el('correction', e.correction)])),
  );
}

/** Gateway errors as the SDK fixtures show them: errorno and description only. */
export function gatewayErrorXml(errorno: string, description: string): string {
  return el('errormessage', [el('error', [el('errorno', errorno), el('description', description)])]);
}
