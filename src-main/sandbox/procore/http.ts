import type { SimRequest, SimResponse } from '../_common/sim-server';

/** `{"field": ["message", …]}`, the validation shape of §2.7 and of sync per-item errors (§2.5). */
export type FieldErrors = Record<string, string[]>;

/**
 * An error answer in Procore's shape (§2.7): `{"errors": "text"}` for most 4xx, or
 * `{"errors": {"field": ["msg"]}}` for validation. Handlers throw it; the router sends it.
 */
export class ProcoreHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string | FieldErrors,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof errors === 'string' ? errors : JSON.stringify(errors));
  }

  toResponse(): SimResponse {
    return { status: this.status, headers: this.headers, body: { errors: this.errors } };
  }
}

export const badRequest = (errors: string | FieldErrors): ProcoreHttpError =>
  new ProcoreHttpError(400, errors);
export const notFound = (what = 'Not Found'): ProcoreHttpError => new ProcoreHttpError(404, what);
export const unprocessable = (errors: FieldErrors): ProcoreHttpError => new ProcoreHttpError(422, errors);
export const conflict = (errors: FieldErrors): ProcoreHttpError => new ProcoreHttpError(409, errors);

export function addFieldError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

/** Throws 422 with everything collected so far. */
export function throwIfErrors(errors: FieldErrors): void {
  if (hasErrors(errors)) throw unprocessable(errors);
}

/** Procore timestamps: UTC ISO 8601 to the second, e.g. "2016-08-22T20:18:55Z" (§2.4). */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object body of a write; 400 with Procore's envelope when it is not one. */
export function jsonObjectBody(req: SimRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = req.json();
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (!isPlainObject(parsed)) throw badRequest('request body must be a JSON object');
  return parsed;
}

/** A positive integer id from a path segment, query value or body field; null when absent. */
export function parseId(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : NaN;
}

/** A required id parameter: 400 when missing or malformed, naming the parameter. */
export function requireId(value: unknown, name: string): number {
  const id = parseId(value);
  if (id === null) throw badRequest({ [name]: ['is missing'] });
  if (Number.isNaN(id))
    throw badRequest({ [name]: [`must be a positive integer id, got ${JSON.stringify(value)}`] });
  return id;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers, body };
}
