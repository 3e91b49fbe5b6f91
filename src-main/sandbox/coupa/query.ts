import { Decimal } from '../../../src-shared/domain/money';
import { CoupaError } from './errors';

/**
 * Coupa's query string (fact sheet §3.3): `attribute[operator]=value`, association paths like
 * `supplier[name]=…` or `order_lines[account][code]=…`, `limit` (≤ 50) / `offset` paging,
 * `order_by` + `dir`, a named `filter`, and the response shaping switches `return_object` and
 * `fields`. Attribute names may use underscores (Compass "Arguments") or the JSON's hyphens
 * (Coupa's own examples: `updated-at[gt]`, `invoice-date[gt]`); both name the same attribute.
 */
export const OPERATORS = ['contains', 'starts_with', 'ends_with', 'gt', 'lt', 'gt_or_eq', 'lt_or_eq', 'not_eq', 'in', 'not_in', 'blank'] as const;
type Operator = (typeof OPERATORS)[number] | 'eq';

export interface Filter {
  /** Hyphenated JSON keys from the record root, e.g. ["supplier", "name"]. */
  path: string[];
  operator: Operator;
  value: string;
  /** The parameter as sent, for error messages. */
  param: string;
}

/** Paging, ordering and shaping switches; everything else in the query string is a filter. */
const RESERVED = new Set(['limit', 'offset', 'return_object', 'fields', 'order_by', 'dir', 'filter']);

/** `updated_at` and `updated-at` both name the JSON key `updated-at`. */
function jsonKey(name: string): string {
  return name.replace(/_/g, '-');
}

/** Splits `order_lines[account][code][contains]` into names and operator. */
function parseParam(key: string): { names: string[]; operator: Operator } {
  const match = /^([^[\]]+)((?:\[[^[\]]+\])*)$/.exec(key);
  if (!match?.[1]) throw new CoupaError(400, 'query', [`"${key}" is not a valid query parameter; use attribute[operator]=value`]);
  const names = [match[1], ...[...(match[2] ?? '').matchAll(/\[([^[\]]+)\]/g)].map((m) => m[1] ?? '')];
  const last = names[names.length - 1] ?? '';
  if (names.length > 1 && (OPERATORS as readonly string[]).includes(last)) return { names: names.slice(0, -1), operator: last as Operator };
  return { names, operator: 'eq' };
}

/**
 * Filters from a query string. `knownRoots` are the hyphenated top-level keys of the resource;
 * a name the resource does not have is refused with a message saying so rather than silently
 * matching everything.
 */
export function parseFilters(query: URLSearchParams, knownRoots: ReadonlySet<string>): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of query) {
    if (RESERVED.has(key)) continue;
    const { names, operator } = parseParam(key);
    const path = names.map(jsonKey);
    if (!knownRoots.has(path[0] ?? '')) throw new CoupaError(400, 'query', [`"${key}": unknown attribute "${names[0] ?? ''}"`]);
    // Compass "Querying Options": contains, starts_with and ends_with are not used with date fields.
    if (TEXT_OPERATORS.has(operator) && isDatePath(path)) throw new CoupaError(400, 'query', [`"${key}": ${operator} does not apply to dates`]);
    if (isDatePath(path) && !['blank', 'in', 'not_in'].includes(operator)) parseInstant(value, key);
    filters.push({ path, operator, value, param: key });
  }
  return filters;
}

const TEXT_OPERATORS: ReadonlySet<Operator> = new Set(['contains', 'starts_with', 'ends_with']);

function isDatePath(path: readonly string[]): boolean {
  const last = path[path.length - 1] ?? '';
  return last.endsWith('-at') || last.endsWith('-date');
}

/**
 * ISO 8601 instant; a bare date is midnight UTC (§3.3). A "+" sent unencoded arrives as a
 * space, which is refused with the hint to encode it as %2B.
 */
export function parseInstant(text: string, param: string): number {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T00:00:00Z`);
    if (Number.isFinite(ms)) return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  const hint = / \d{2}:?\d{2}$/.test(text) ? ' (a "+" in the offset must be sent as %2B)' : '';
  throw new CoupaError(400, 'query', [`"${param}": "${text}" is not an ISO 8601 date or time${hint}`]);
}

/** Values at `path`, descending through arrays (any element may match). */
function valuesAt(record: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [record];
  for (const key of path) {
    const next: unknown[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) if (item !== null && typeof item === 'object') next.push((item as Record<string, unknown>)[key]);
    }
    current = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current;
}

function compareValues(actual: unknown, expected: string, isDate: boolean, param: string): number | null {
  if (actual === null || actual === undefined) return null;
  if (isDate) return Math.sign(parseInstant(String(actual), param) - parseInstant(expected, param));
  const a = String(actual);
  if (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(expected.trim())) return Decimal.parse(a).compare(Decimal.parse(expected));
  return a < expected ? -1 : a > expected ? 1 : 0;
}

export function matches(record: unknown, filter: Filter): boolean {
  const values = valuesAt(record, filter.path);
  const isDate = isDatePath(filter.path);
  const { operator, value, param } = filter;
  if (operator === 'blank') {
    const blank = values.length === 0 || values.every((v) => v === null || v === undefined || v === '');
    return value === 'true' ? blank : !blank;
  }
  const list = value.split(',').map((v) => v.trim());
  const test = (v: unknown): boolean => {
    const text = v === null || v === undefined ? '' : String(v);
    switch (operator) {
      case 'eq':
        return compareValues(v, value, isDate, param) === 0;
      case 'not_eq':
        return compareValues(v, value, isDate, param) !== 0;
      case 'contains':
        return text.toLowerCase().includes(value.toLowerCase());
      case 'starts_with':
        return text.toLowerCase().startsWith(value.toLowerCase());
      case 'ends_with':
        return text.toLowerCase().endsWith(value.toLowerCase());
      case 'gt':
        return (compareValues(v, value, isDate, param) ?? 0) > 0;
      case 'lt':
        return (compareValues(v, value, isDate, param) ?? 0) < 0;
      case 'gt_or_eq':
        return (compareValues(v, value, isDate, param) ?? -1) >= 0;
      case 'lt_or_eq':
        return (compareValues(v, value, isDate, param) ?? 1) <= 0;
      case 'in':
        return list.some((item) => compareValues(v, item, isDate, param) === 0);
      case 'not_in':
        return !list.some((item) => compareValues(v, item, isDate, param) === 0);
    }
  };
  if (operator === 'not_eq' || operator === 'not_in') return values.length === 0 || values.every(test);
  return values.some(test);
}

export interface Paging {
  limit: number;
  offset: number;
}

/** limit ≤ 50 (§3.3); above it is clamped, or refused with config limitAbove50 = 'error'. */
export function parsePaging(query: URLSearchParams, maxLimit: number, above: 'clamp' | 'error'): Paging {
  const limitText = query.get('limit');
  const offsetText = query.get('offset');
  let limit = maxLimit;
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new CoupaError(400, 'query', [`limit must be a whole number from 1 to ${maxLimit}, got "${limitText}"`]);
    limit = Number(limitText);
    if (limit > maxLimit) {
      if (above === 'error') throw new CoupaError(400, 'query', [`limit ${limit} is above the maximum of ${maxLimit} records per request`]);
      limit = maxLimit;
    }
  }
  if (offsetText !== null && !/^\d+$/.test(offsetText)) throw new CoupaError(400, 'query', [`offset must be a whole number >= 0, got "${offsetText}"`]);
  return { limit, offset: offsetText === null ? 0 : Number(offsetText) };
}

export interface Order {
  /** Hyphenated top-level key. */
  key: string;
  descending: boolean;
}

/**
 * `order_by=<attribute>` and `dir=asc|desc` (R39 Swagger query parameters). The default is
 * ascending id (§3.3); `dir` alone reverses the id order.
 */
export function parseOrder(query: URLSearchParams, knownRoots: ReadonlySet<string>): Order {
  const by = query.get('order_by');
  const dir = query.get('dir');
  if (dir !== null && dir !== 'asc' && dir !== 'desc') throw new CoupaError(400, 'query', [`dir must be asc or desc, got "${dir}"`]);
  const key = by === null ? 'id' : jsonKey(by);
  if (!knownRoots.has(key)) throw new CoupaError(400, 'query', [`order_by: unknown attribute "${by ?? ''}"`]);
  return { key, descending: dir === 'desc' };
}

/** Compares two values of one attribute: instants, then decimals/integers, then text; null first. */
function compareForOrder(a: unknown, b: unknown, isDate: boolean): number {
  const blank = (v: unknown): boolean => v === null || v === undefined || v === '';
  if (blank(a) || blank(b)) return blank(a) === blank(b) ? 0 : blank(a) ? -1 : 1;
  if (isDate) return Math.sign(Date.parse(String(a)) - Date.parse(String(b)));
  const [x, y] = [String(a), String(b)];
  if (/^-?\d+(\.\d+)?$/.test(x) && /^-?\d+(\.\d+)?$/.test(y)) return Decimal.parse(x).compare(Decimal.parse(y));
  if (typeof a === 'object' || typeof b === 'object') return 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sorts rendered records by `order`, ties broken by id (in the same direction). */
export function sortRecords<T extends Record<string, unknown>>(records: T[], order: Order): T[] {
  const isDate = isDatePath([order.key]);
  const sign = order.descending ? -1 : 1;
  return records.sort((a, b) => sign * (compareForOrder(a[order.key], b[order.key], isDate) || Number(a.id) - Number(b.id)));
}

export type ReturnObject = 'full' | 'none' | 'limited' | 'shallow';

export function parseReturnObject(query: URLSearchParams, isWrite: boolean): ReturnObject {
  const value = query.get('return_object');
  if (value === null) return 'full';
  if (value !== 'none' && value !== 'limited' && value !== 'shallow')
    throw new CoupaError(400, 'query', [`return_object must be none, limited or shallow, got "${value}"`]);
  if (value === 'none' && !isWrite) throw new CoupaError(400, 'query', ['return_object=none applies to POST and PUT only']);
  return value;
}

export type FieldSpec = (string | Record<string, FieldSpec>)[];

export function parseFields(query: URLSearchParams): FieldSpec | null {
  const text = query.get('fields');
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CoupaError(400, 'query', [`fields must be a JSON array such as ["id","po_number",{"order_lines":["id"]}], got ${text}`]);
  }
  const valid = (spec: unknown): spec is FieldSpec =>
    Array.isArray(spec) &&
    spec.every((f) => typeof f === 'string' || (typeof f === 'object' && f !== null && !Array.isArray(f) && Object.values(f).every(valid)));
  if (!valid(parsed)) throw new CoupaError(400, 'query', ['fields must be an array of names and {association: [names]} objects']);
  return parsed;
}

/** Keys that name an associated record (kept by `shallow`, besides `id`). */
const NATURAL_KEYS = ['name', 'number', 'code', 'line-num', 'po-number', 'invoice-number', 'login'];

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies return_object / fields to one rendered record. */
export function shape(record: Record<string, unknown>, returnObject: ReturnObject, fields: FieldSpec | null): Record<string, unknown> | undefined {
  if (returnObject === 'none') return undefined;
  if (returnObject === 'limited') return { id: record.id };
  if (fields) return select(record, fields);
  if (returnObject === 'shallow') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (Array.isArray(value)) out[key] = value.map((v) => (isRecordObject(v) ? reduceToKeys(v) : v));
      else out[key] = isRecordObject(value) ? reduceToKeys(value) : value;
    }
    return out;
  }
  return record;
}

function reduceToKeys(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['id', ...NATURAL_KEYS]) if (key in value) out[key] = value[key];
  return out;
}

function select(record: Record<string, unknown>, spec: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of spec) {
    if (typeof entry === 'string') {
      const key = entry.replace(/_/g, '-');
      if (key in record) out[key] = record[key];
      continue;
    }
    for (const [name, sub] of Object.entries(entry)) {
      const key = name.replace(/_/g, '-');
      const value = record[key];
      if (Array.isArray(value)) out[key] = value.map((v) => (isRecordObject(v) ? select(v, sub) : v));
      else if (isRecordObject(value)) out[key] = select(value, sub);
      else if (key in record) out[key] = value;
    }
  }
  return out;
}
