import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type { ProcoreApp } from './app';
import { addFieldError, ProcoreHttpError, type FieldErrors } from './http';

/**
 * Writable attributes of a resource and how to read them from a request body. One table per
 * resource drives validation, normalisation (money to "1234.50" strings, ids to numbers) and
 * the §2.7 406 for unknown fields, so every route and sync action checks input the same way.
 */
export type FieldKind =
  | { type: 'string' }
  | { type: 'date' }
  | { type: 'boolean' }
  | { type: 'id' }
  | { type: 'ids' }
  /** Amount in currency: at most two decimals, stored as a string with exactly two. */
  | { type: 'money' }
  /** Quantity, unit cost, percentage: exact decimal string. */
  | { type: 'decimal' }
  | { type: 'enum'; values: readonly string[] };

export type FieldSpec = Record<string, FieldKind>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** Decimal from a JSON string or number; null + an error message when it is not one. */
export function readDecimal(value: unknown): Decimal | string {
  try {
    if (typeof value === 'number') return Decimal.fromJsonNumber(value);
    if (typeof value === 'string') return Decimal.parse(value);
    return 'must be a number or a decimal string';
  } catch (err) {
    return err instanceof InvalidDecimalError ? err.message : String(err);
  }
}

function normalise(field: string, kind: FieldKind, value: unknown, errors: FieldErrors): unknown {
  if (value === null) return null;
  switch (kind.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      addFieldError(errors, field, 'must be a string');
      return undefined;
    case 'date':
      if (typeof value === 'string' && isIsoDate(value)) return value;
      addFieldError(errors, field, `must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
      return undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      addFieldError(errors, field, 'must be true or false');
      return undefined;
    case 'id': {
      const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) return n;
      addFieldError(errors, field, `must be a positive integer id, got ${JSON.stringify(value)}`);
      return undefined;
    }
    case 'ids':
      if (
        Array.isArray(value) &&
        value.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0)
      )
        return value;
      addFieldError(errors, field, 'must be a list of positive integer ids');
      return undefined;
    case 'money': {
      const d = readDecimal(value);
      if (typeof d === 'string') {
        addFieldError(errors, field, d);
        return undefined;
      }
      if (!d.equals(d.roundToCents())) {
        addFieldError(errors, field, `must have at most 2 decimal places, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return d.toMoneyString();
    }
    case 'decimal': {
      const d = readDecimal(value);
      if (typeof d === 'string') {
        addFieldError(errors, field, d);
        return undefined;
      }
      return d.toString();
    }
    case 'enum':
      if (typeof value === 'string' && kind.values.includes(value)) return value;
      addFieldError(errors, field, `must be one of ${kind.values.join(', ')}; got ${JSON.stringify(value)}`);
      return undefined;
  }
}

/**
 * Reads the attributes of `spec` present in `input` (absent = leave unchanged; null = clear).
 * Problems go to `errors`; keys that are neither in the spec nor in `allowedExtra` are listed
 * in the result so the caller can answer 406 (direct calls) or a per-item error (sync).
 */
export function readFields(
  spec: FieldSpec,
  input: Record<string, unknown>,
  errors: FieldErrors,
  allowedExtra: readonly string[] = [],
): { values: Record<string, unknown>; unknown: string[] } {
  const values: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const kind = spec[key];
    if (!kind) {
      if (!allowedExtra.includes(key)) unknown.push(key);
      continue;
    }
    const normalised = normalise(key, kind, value, errors);
    if (normalised !== undefined) values[key] = normalised;
  }
  return { values, unknown };
}

export function sumMoney(amounts: Iterable<string>): Decimal {
  let total = Decimal.ZERO;
  for (const amount of amounts) total = total.plus(Decimal.parse(amount));
  return total;
}

/** §2.7 406 for attributes the resource does not have (a per-item error inside a sync). */
export function rejectUnknownFields(app: ProcoreApp, unknown: string[]): void {
  if (unknown.length === 0 || !app.config.rejectUnknownFields) return;
  throw new ProcoreHttpError(
    406,
    Object.fromEntries(unknown.map((f) => [f, ['is not a known attribute of this resource']])),
  );
}
