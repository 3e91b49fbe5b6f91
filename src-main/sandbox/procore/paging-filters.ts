import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { ProcoreSimConfig } from './config';
import { isIsoDate } from './fields';
import { badRequest } from './http';

/**
 * §2.4 list mechanics: `filters[attr]=value` (arrays as `filters[id][]=`), all ANDed;
 * `filters[updated_at]=a...b` ranges; `sort=field,-field`; `page`/`per_page` with the
 * `Total`, `Per-Page` and `Link` headers.
 */
export type FilterDef<T> =
  /** filters[x][]=1&filters[x][]=2 (or a single value / comma list): record value is one of them. */
  | { kind: 'ids'; get: (r: T) => number | null }
  /** filters[x]=a...b over an ISO timestamp attribute (or a date attribute). */
  | { kind: 'range'; get: (r: T) => string | null }
  /** filters[x]=value: exact match (several values = any of them). */
  | { kind: 'equals'; get: (r: T) => string | number | boolean | null }
  /** filters[search]=text: case-insensitive substring of any of the strings. */
  | { kind: 'search'; get: (r: T) => (string | null)[] }
  /** Anything else: builds the test from the raw values (throw badRequest for a bad value). */
  | { kind: 'custom'; test: (values: string[], param: string) => (r: T) => boolean };

export type FilterDefs<T> = Record<string, FilterDef<T>>;

/** `filters[include_deleted]=only|with` (§2.4), for lists whose records can be soft-deleted. */
export type DeletedMode = 'without' | 'with' | 'only';

const FILTER_KEY = /^filters\[([a-z_]+)\](\[\])?$/;

/** Groups the query's filters[...] values by attribute name. */
function filterValues(query: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (!key.startsWith('filters')) continue;
    const m = FILTER_KEY.exec(key);
    if (!m)
      throw badRequest({
        [key]: ['is not a filter; write filters[attribute]=value or filters[attribute][]=value'],
      });
    const name = m[1] as string;
    out.set(name, [...(out.get(name) ?? []), ...value.split(',').filter((v) => v !== '')]);
  }
  return out;
}

function parseBound(text: string, side: 'from' | 'to', param: string): number {
  const t = text.trim();
  if (isIsoDate(t)) {
    const start = Date.parse(`${t}T00:00:00Z`);
    // A date-only upper bound includes that whole day.
    return side === 'from' ? start : start + 86_400_000 - 1;
  }
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(t) ? Date.parse(t) : NaN;
  if (Number.isNaN(ms))
    throw badRequest({
      [param]: [`"${t}" is not an ISO 8601 date or time (e.g. 2026-01-01T00:00:00Z or 2026-01-01)`],
    });
  // Procore timestamps have whole seconds: an upper bound includes its whole second.
  return side === 'from' ? ms : Math.floor(ms / 1000) * 1000 + 999;
}

function parseRange(value: string, param: string): [number, number] {
  const parts = value.split('...');
  if (parts.length === 1) return [parseBound(value, 'from', param), parseBound(value, 'to', param)];
  if (parts.length !== 2) throw badRequest({ [param]: ['a range is written from...to'] });
  const [from, to] = parts as [string, string];
  return [from ? parseBound(from, 'from', param) : -Infinity, to ? parseBound(to, 'to', param) : Infinity];
}

export interface ParsedList<T> {
  predicate: (record: T) => boolean;
  deleted: DeletedMode;
}

export function parseFilters<T>(
  query: URLSearchParams,
  defs: FilterDefs<T>,
  allowDeleted = false,
): ParsedList<T> {
  const tests: ((r: T) => boolean)[] = [];
  let deleted: DeletedMode = 'without';
  for (const [name, values] of filterValues(query)) {
    const param = `filters[${name}]`;
    if (name === 'include_deleted' && allowDeleted) {
      const mode = values[0];
      if (mode !== 'only' && mode !== 'with') throw badRequest({ [param]: ['must be "only" or "with"'] });
      deleted = mode;
      continue;
    }
    const def = defs[name];
    if (!def) {
      const known = [...Object.keys(defs), ...(allowDeleted ? ['include_deleted'] : [])].join(', ');
      throw badRequest({ [param]: [`is not a filter of this list (filters here: ${known})`] });
    }
    if (values.length === 0) continue;
    switch (def.kind) {
      case 'ids': {
        const ids = new Set(
          values.map((v) => {
            if (!/^\d+$/.test(v)) throw badRequest({ [param]: [`"${v}" is not an id`] });
            return Number(v);
          }),
        );
        tests.push((r) => {
          const id = def.get(r);
          return id !== null && ids.has(id);
        });
        break;
      }
      case 'range': {
        const [from, to] = parseRange(values[0] as string, param);
        tests.push((r) => {
          const v = def.get(r);
          if (v === null) return false;
          const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
          return ms >= from && ms <= to;
        });
        break;
      }
      case 'equals': {
        const accepted = new Set(values);
        tests.push((r) => {
          const v = def.get(r);
          return v !== null && accepted.has(String(v));
        });
        break;
      }
      case 'custom':
        tests.push(def.test(values, param));
        break;
      case 'search': {
        const needle = (values[0] as string).toLowerCase();
        tests.push((r) => def.get(r).some((s) => s !== null && s.toLowerCase().includes(needle)));
        break;
      }
    }
  }
  return { predicate: (r) => tests.every((t) => t(r)), deleted };
}

/** Applies filters and the deleted mode (records with a deleted_at attribute). */
export function filterRecords<T extends object>(
  records: T[],
  query: URLSearchParams,
  defs: FilterDefs<T>,
  allowDeleted = false,
): T[] {
  const { predicate, deleted } = parseFilters(query, defs, allowDeleted);
  return records.filter((r) => {
    const isDeleted = Boolean((r as { deleted_at?: string | null }).deleted_at);
    if (deleted === 'without' && isDeleted) return false;
    if (deleted === 'only' && !isDeleted) return false;
    return predicate(r);
  });
}

/** `sort=name,-updated_at` over stored attributes; 400 for an attribute records do not have. */
export function sortRecords<T extends object>(records: T[], query: URLSearchParams): T[] {
  const sort = query.get('sort');
  if (!sort) return records;
  const keys = sort.split(',').map((raw) => {
    const desc = raw.startsWith('-');
    const field = desc ? raw.slice(1) : raw;
    if (records.length > 0 && !(field in (records[0] as object)))
      throw badRequest({ sort: [`cannot sort by "${field}"`] });
    return { field, dir: desc ? -1 : 1 };
  });
  return [...records].sort((a, b) => {
    for (const { field, dir } of keys) {
      const x = (a as Record<string, unknown>)[field];
      const y = (b as Record<string, unknown>)[field];
      if (x === y) continue;
      if (x === null || x === undefined) return 1; // nulls last either way
      if (y === null || y === undefined) return -1;
      return ((x as number | string) < (y as number | string) ? -1 : 1) * dir;
    }
    return 0;
  });
}

function positiveIntParam(query: URLSearchParams, name: string): number | null {
  const raw = query.get(name);
  if (raw === null || raw === '') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw badRequest({ [name]: [`must be a positive integer, got "${raw}"`] });
  return Number(raw);
}

/**
 * One page of `records` rendered by `show`, with Total / Per-Page / Link headers. Link has
 * first+prev when there is a previous page and next+last when there is a later page (so page 1
 * carries only next and last, and the last page has no next).
 */
export function pageOf<T>(
  req: SimRequest,
  records: T[],
  show: (record: T) => unknown,
  config: Pick<ProcoreSimConfig, 'defaultPerPage' | 'maxPerPage'>,
): SimResponse {
  const page = positiveIntParam(req.query, 'page') ?? 1;
  const perPage = Math.min(
    positiveIntParam(req.query, 'per_page') ?? config.defaultPerPage,
    config.maxPerPage,
  );
  const lastPage = Math.max(1, Math.ceil(records.length / perPage));
  const slice = records.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<http://${req.headers.host ?? '127.0.0.1'}${req.url.pathname}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(1, 'first'), link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  const headers: Record<string, string> = { Total: String(records.length), 'Per-Page': String(perPage) };
  if (links.length > 0) headers['Link'] = links.join(', ');
  return { status: 200, headers, body: slice.map(show) };
}

/** Filters, sorts and pages in one call: the usual list endpoint. */
export function listResponse<T extends object>(
  req: SimRequest,
  records: T[],
  defs: FilterDefs<T>,
  show: (record: T) => unknown,
  config: Pick<ProcoreSimConfig, 'defaultPerPage' | 'maxPerPage'>,
  allowDeleted = false,
): SimResponse {
  return pageOf(
    req,
    sortRecords(filterRecords(records, req.query, defs, allowDeleted), req.query),
    show,
    config,
  );
}

/** Filters every list shares: id[], origin_id, created_at and updated_at ranges. */
export function commonFilters<
  T extends { id: number; created_at: string; updated_at: string; origin_id?: string | null },
>(): FilterDefs<T> {
  return {
    id: { kind: 'ids', get: (r) => r.id },
    origin_id: { kind: 'equals', get: (r) => r.origin_id ?? null },
    created_at: { kind: 'range', get: (r) => r.created_at },
    updated_at: { kind: 'range', get: (r) => r.updated_at },
  };
}
