import type { SimStore } from '../_common/sim-store';
import type { ExactRepository } from './repository';
import { exactDate, ExactApiError, GUID, parseExactDate } from './wire';

/**
 * Checks shared by the simulator's writes (fact sheet §1.5 "Write shapes"): a body is a JSON
 * object, only settable fields are sent (anything else is a 400 that lists them: nothing is
 * silently ignored), dates and guids are well formed.
 */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExactApiError(400, `${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

/** Accepts "/Date(ms)/" or an ISO date/date-time for date fields; null clears where allowed. */
export function readDate(value: unknown, field: string): string {
  if (parseExactDate(value) !== undefined) return value as string;
  if (typeof value === 'string') {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(ms)) return exactDate(ms);
  }
  throw new ExactApiError(400, `${field} must be a date such as "2026-03-01" or "/Date(1772323200000)/".`);
}

export function readGuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !GUID.test(value)) throw new ExactApiError(400, `${field} must be a guid.`);
  return value.toLowerCase();
}

/** Text or null; refuses other types. */
export function readText(value: unknown, field: string): string | null {
  if (value !== null && typeof value !== 'string') throw new ExactApiError(400, `${field} must be text.`);
  return value;
}

export function checkSettable(body: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): void {
  const refused = Object.keys(body).filter((k) => !allowed.has(k));
  if (refused.length) {
    throw new ExactApiError(400, `${what}: these fields cannot be set through the sandbox API: ${refused.join(', ')} (settable: ${[...allowed].join(', ')}).`);
  }
}

/** Runs one write as a store transaction; a failure also forgets the repository's caches. */
export function transact<R>(store: SimStore, repo: ExactRepository, fn: () => R): R {
  try {
    return store.transaction(fn);
  } catch (err) {
    repo.invalidate();
    throw err;
  }
}
