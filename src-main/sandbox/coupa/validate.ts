import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { CoupaError } from './errors';

/**
 * Input checks shared by the Coupa resources. Messages follow Rails' wording ("Po number can't
 * be blank") because Coupa is a Rails application and answers in that voice (fact sheet §3.7).
 */

export type Body = Record<string, unknown>;

export function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects validation messages so one answer lists every problem, as Coupa's error arrays do. */
export class Problems {
  readonly messages: string[] = [];
  add(message: string): void {
    this.messages.push(message);
  }
  get any(): boolean {
    return this.messages.length > 0;
  }
  throwIfAny(status: number, object: string): void {
    if (this.messages.length) throw new CoupaError(status, object, this.messages);
  }
}

/** "po-number" -> "Po number", the way Rails words its messages. */
export function humanise(key: string): string {
  const words = key.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A decimal sent as a string (Coupa's JSON, §3.1 "decimals are strings") or a JSON number,
 * kept exact with at least 2 decimals. Returns null (and records why) when it is not a number.
 */
export function decimalText(value: unknown, label: string, problems: Problems): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.add(`${label} must be a decimal number such as "1234.50"`);
    return null;
  }
  try {
    const d = typeof value === 'number' ? Decimal.fromJsonNumber(value) : Decimal.parse(value);
    const decimals = (d.toString().split('.')[1] ?? '').length;
    return d.format(Math.max(2, decimals));
  } catch (err) {
    if (err instanceof InvalidDecimalError) {
      problems.add(`${label} ${err.message}`);
      return null;
    }
    throw err;
  }
}

export function optionalString(body: Body, key: string, problems: Problems, max = 255): string | null | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') {
    problems.add(`${humanise(key)} must be text`);
    return undefined;
  }
  if (value.length > max) problems.add(`${humanise(key)} is too long (maximum is ${max} characters)`);
  return value;
}

/** true/false; Rails also takes "true"/"false" and 1/0 for booleans. */
export function booleanValue(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Coupa renders times as ISO 8601 with seconds and an explicit offset: 2026-10-30T16:00:00+00:00. */
export function coupaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * A Coupa datetime field (invoice-date, original-invoice-date, payment-date…; R39 Swagger
 * `format: date-time`). A full ISO 8601 datetime is taken at its instant; a bare date is
 * midnight UTC. Returned as Coupa renders it, in UTC (this sandbox's instance time zone).
 */
export function datetimeText(value: unknown, label: string, problems: Problems): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  const ms = ISO_DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : ISO_DATETIME.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) {
    problems.add(`${label} must be a date-time such as 2026-10-20T00:00:00+00:00 (or a date 2026-10-20), got ${JSON.stringify(value)}`);
    return null;
  }
  return coupaTime(ms);
}

/** `_delete: true` on a nested line removes it (Rails nested attributes, R39 Swagger). */
export function wantsDelete(raw: Body): boolean {
  return booleanValue(raw._delete) === true;
}
