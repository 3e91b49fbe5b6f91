import type { SimRequest } from '../_common/sim-server';
import { compareOrderKeys, filterFields, lowerBound, matches, parseFilter, orderKey, parseOrderBy, parseSelect, type FilterNode, type OrderBy, type OrderKey, type Selection } from './odata';
import type { ExactRepository, EndpointDef } from './repository';
import type { SyncFeedDef, SyncLog } from './sync';
import { ExactApiError, GUID, type ExactRecord } from './wire';

/**
 * Reading collections the way Exact does (fact sheet §1.4, §1.6): `d.results` pages of at most
 * 60 rows (1000 on sync), `__next` as an absolute URL carrying `$skiptoken`, `__metadata` on
 * every row, line collections `__deferred` unless `$expand`ed, and the query-shape rules that
 * surface as 400s ($select on sync, mandatory $filter, unsupported filter fields).
 */
export interface QueryContext {
  req: SimRequest;
  /** "http://127.0.0.1:port" as the client addressed us (for absolute URIs). */
  origin: string;
  division: number;
}

export function keyLiteral(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = String(value);
  return GUID.test(text) ? `guid'${text}'` : `'${text.replace(/'/g, "''")}'`;
}

/** Parses the key inside `Entity(…)`: guid'…', a number or a quoted string. */
export function parseKeyLiteral(text: string): string {
  const guid = /^guid'([^']*)'$/i.exec(text);
  if (guid) {
    if (!GUID.test(guid[1] as string)) throw new ExactApiError(400, `"${text}" is not a valid guid key.`);
    return (guid[1] as string).toLowerCase();
  }
  if (/^\d+L?$/.test(text)) return text.replace(/L$/, '');
  const quoted = /^'(.*)'$/.exec(text);
  if (quoted) return (quoted[1] as string).replace(/''/g, "'");
  throw new ExactApiError(400, `"${text}" is not a valid key; use guid'…'.`);
}

function param(req: SimRequest, name: string): string | null {
  return req.query.get(name);
}

function nonNegativeInt(req: SimRequest, name: string): number | undefined {
  const raw = param(req, name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new ExactApiError(400, `${name} must be a whole number >= 0, got "${raw}".`);
  return Number(raw.trim());
}

/** The request URL with some query options replaced (null = removed), as an absolute URL. */
function linkWith(ctx: QueryContext, replace: Record<string, string | null>): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of ctx.req.query) {
    if (k in replace) {
      if (seen.has(k)) continue;
      seen.add(k);
      const value = replace[k];
      if (value !== null && value !== undefined) parts.push(`${k}=${encodeURIComponent(value)}`);
      continue;
    }
    parts.push(`${k}=${encodeURIComponent(v)}`);
  }
  for (const [k, v] of Object.entries(replace)) if (!seen.has(k) && v !== null) parts.push(`${k}=${encodeURIComponent(v)}`);
  return `${ctx.origin}${ctx.req.url.pathname}${parts.length ? `?${parts.join('&')}` : ''}`;
}

function checkFields(kind: 'filter' | 'select', used: Iterable<string>, known: Set<string> | null, typeName: string): void {
  if (!known) return;
  const unknown = [...used].filter((f) => !known.has(f));
  if (unknown.length === 0) return;
  if (kind === 'filter') throw new ExactApiError(400, `Filtering on these fields is not supported: ${unknown.join(', ')}`);
  throw new ExactApiError(400, `$select: the property '${unknown[0]}' does not exist on type '${typeName}'.`);
}

function parseFilterParam(req: SimRequest): FilterNode | null {
  const text = param(req, '$filter');
  return text === null || text.trim() === '' ? null : parseFilter(text);
}

/** Adds the row's fields that $select keeps (all for no $select) to `out`, in the row's order. */
function copySelected(row: ExactRecord, fields: Set<string> | null, out: ExactRecord): void {
  // for…in rather than Object.entries: no [field, value] array per field of every row sent.
  // Rows are plain objects, so it sees exactly their own fields.
  for (const field in row) if (!fields || fields.has(field)) out[field] = row[field];
}

/** Output shape of one row: __metadata first, the selected fields, navigation as __deferred or expanded. */
export function shapeRecord(
  ctx: QueryContext,
  repo: ExactRepository,
  def: EndpointDef,
  row: ExactRecord,
  selection: Selection,
  expand: ReadonlySet<string>,
  lineDefOf: (path: string) => EndpointDef,
): ExactRecord {
  const uri = `${ctx.origin}/api/v1/${ctx.division}/${def.path}(${keyLiteral(row[def.key])})`;
  const out: ExactRecord = { __metadata: { uri, type: `Exact.Web.Api.Models.${def.type}` } };
  copySelected(row, selection.fields, out);
  const nav = def.navigation;
  if (nav && (!selection.fields || selection.fields.has(nav.property))) {
    if (expand.has(nav.property)) {
      const lineDef = lineDefOf(nav.linesPath);
      const nested: Selection = { fields: selection.nested.get(nav.property) ?? null, nested: new Map() };
      out[nav.property] = { results: repo.linesOf(lineDef, String(row[def.key])).map((l) => shapeRecord(ctx, repo, lineDef, l, nested, new Set(), lineDefOf)) };
    } else {
      out[nav.property] = { __deferred: { uri: `${uri}/${nav.property}` } };
    }
  }
  return out;
}

/** $select and $expand of a standard endpoint, checked against the fields it has. */
function parseShape(req: SimRequest, def: EndpointDef, known: Set<string> | null): { selection: Selection; expand: Set<string> } {
  const selection = parseSelect(param(req, '$select'));
  const navNames = def.navigation ? [def.navigation.property] : [];
  if (selection.fields) checkFields('select', [...selection.fields].filter((f) => !navNames.includes(f)), known, `Exact.Web.Api.Models.${def.type}`);
  const expand = new Set((param(req, '$expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  for (const e of expand) if (!navNames.includes(e)) throw new ExactApiError(400, `$expand: '${e}' is not a line collection of ${def.path}.`);
  return { selection, expand };
}

/** `Entity(guid'…')`: `{"d": {…}}` with $select/$expand applied. */
export function singleRecord(ctx: QueryContext, repo: ExactRepository, def: EndpointDef, record: ExactRecord, lineDefOf: (path: string) => EndpointDef): ExactRecord {
  const { selection, expand } = parseShape(ctx.req, def, new Set(Object.keys(record)));
  return { d: shapeRecord(ctx, repo, def, record, selection, expand, lineDefOf) };
}

export interface StandardListOptions {
  pageSize: number;
  /** Rows in key order (the endpoint's records, or a header's lines). */
  rows: readonly ExactRecord[];
  lineDefOf: (path: string) => EndpointDef;
  /** `/$count`: answer the number of matching rows as plain text. */
  countOnly?: boolean;
}

/**
 * The last $filter + $orderby result per `rows` array: every page of an ordered read ($skip
 * paging) asks for the same list again. `rows` is a new array after any write to its
 * collection (ExactRepository.sortedRecords), so a kept list is never stale.
 */
const orderedRows = new WeakMap<readonly ExactRecord[], { query: string; ordered: readonly ExactRecord[] }>();

export function listStandard(ctx: QueryContext, repo: ExactRepository, def: EndpointDef, opts: StandardListOptions): { status: number; headers?: Record<string, string>; body: unknown } {
  const { req } = ctx;
  const known = opts.rows[0] ? new Set(Object.keys(opts.rows[0])) : null;
  const filter = parseFilterParam(req);
  if (def.mandatoryFilter) {
    const used = filter ? filterFields(filter) : new Set<string>();
    if (!def.mandatoryFilter.some((f) => used.has(f))) {
      throw new ExactApiError(
        400,
        `This endpoint has mandatory filtering applied. A GET request for this endpoint must have a $filter parameter with one of the following fields in the url: ${def.mandatoryFilter.join(', ')}`,
      );
    }
  }
  if (filter) checkFields('filter', filterFields(filter), known, def.type);
  const { selection, expand } = parseShape(req, def, known);

  const keep = (row: ExactRecord): boolean => !filter || matches(filter, row);
  if (opts.countOnly) {
    let count = 0;
    for (const row of opts.rows) if (keep(row)) count += 1;
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: String(count) };
  }

  const top = nonNegativeInt(req, '$top');
  const skip = nonNegativeInt(req, '$skip') ?? 0;
  const pageSize = Math.min(opts.pageSize, top ?? Infinity);
  const orderBy = param(req, '$orderby');
  const skipToken = param(req, '$skiptoken');
  let page: ExactRecord[];
  let more: boolean;
  if (orderBy) {
    // Ordered reads page on with $skip (a key-based skiptoken does not fit a custom order).
    const order = parseOrderBy(orderBy);
    checkFields('filter', order.map((o) => o.field), known, def.type);
    const query = `${param(req, '$filter') ?? ''}\n${orderBy}`;
    const kept = orderedRows.get(opts.rows);
    let all = kept?.query === query ? kept.ordered : undefined;
    if (!all) {
      const keyed = opts.rows.filter(keep).map((row) => ({ row, keys: order.map((o) => orderKey(row[o.field])) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < order.length; i += 1) {
          const c = compareOrderKeys(a.keys[i] as OrderKey, b.keys[i] as OrderKey);
          if (c !== 0) return (order[i] as OrderBy).descending ? -c : c;
        }
        return 0;
      });
      all = keyed.map((k) => k.row);
      orderedRows.set(opts.rows, { query, ordered: all });
    }
    page = all.slice(skip, skip + pageSize);
    more = all.length > skip + pageSize;
  } else {
    // Key order; $skiptoken = the key of the last row already read.
    const after = skipToken === null ? null : parseKeyLiteral(skipToken).toLowerCase();
    let start = 0;
    if (after !== null) {
      let lo = 0;
      let hi = opts.rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (String((opts.rows[mid] as ExactRecord)[def.key]).toLowerCase() <= after) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    page = [];
    more = false;
    let toSkip = skip;
    for (let i = start; i < opts.rows.length; i += 1) {
      const row = opts.rows[i] as ExactRecord;
      if (!keep(row)) continue;
      if (toSkip > 0) {
        toSkip -= 1;
        continue;
      }
      if (page.length === pageSize) {
        more = true;
        break;
      }
      page.push(row);
    }
  }
  if (top !== undefined && top <= page.length) more = false;

  const d: ExactRecord = { results: page.map((row) => shapeRecord(ctx, repo, def, row, selection, expand, opts.lineDefOf)) };
  if (more) {
    const remainingTop = top === undefined ? null : String(top - page.length);
    const last = page[page.length - 1] as ExactRecord;
    d.__next = orderBy
      ? linkWith(ctx, { $skip: String(skip + page.length), $top: remainingTop, $skiptoken: null })
      : linkWith(ctx, { $skiptoken: keyLiteral(last[def.key]), $skip: null, $top: remainingTop });
  }
  return { status: 200, body: { d } };
}

/**
 * sync/… reads: `$select` (or `$top=1`) is mandatory, only the feed's filterable fields may be
 * filtered, pages hold up to 1000 rows in Timestamp order and `__next` carries
 * `$skiptoken=<last Timestamp>L`.
 */
export function listSync(
  ctx: QueryContext,
  sync: SyncLog,
  feed: SyncFeedDef,
  pageSize: number,
  /** Reshapes a stored row before $select (e.g. a collection sent deferred instead of inline). */
  present: (row: ExactRecord) => ExactRecord = (row) => row,
): { status: number; body: unknown } {
  const { req } = ctx;
  const selectText = param(req, '$select');
  const top = nonNegativeInt(req, '$top');
  if ((selectText === null || selectText.trim() === '') && top !== 1) {
    throw new ExactApiError(400, 'Please add a $select or a $top=1 statement to the query string.');
  }
  const filter = parseFilterParam(req);
  if (filter) checkFields('filter', filterFields(filter), new Set(feed.filterable), feed.type);
  const selection = parseSelect(selectText);
  if (selection.fields) checkFields('select', selection.fields, sync.fieldsOf(feed.name), feed.type);

  let from = 0;
  let inclusive = true;
  const bound = filter ? lowerBound(filter, 'Timestamp') : undefined;
  if (bound) ({ value: from, inclusive } = bound);
  const skipToken = param(req, '$skiptoken');
  if (skipToken !== null) {
    const match = /^(\d+)L?$/.exec(skipToken.trim());
    if (!match) throw new ExactApiError(400, `$skiptoken "${skipToken}" is not a sync Timestamp such as 12345L.`);
    const token = Number(match[1]);
    if (token >= from) {
      from = token;
      inclusive = false;
    }
  }
  // $top has little effect on sync endpoints (issue #587): only $top=1 without $select is honoured.
  const limit = selectText === null || selectText.trim() === '' ? 1 : pageSize;
  const page: ExactRecord[] = [];
  let more = false;
  for (const row of sync.rowsFrom(feed.name, from, inclusive)) {
    if (filter && !matches(filter, row)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(row);
  }
  if (limit === 1) more = false;
  const results = page.map((row) => {
    const out: ExactRecord = {
      __metadata: { uri: `${ctx.origin}/api/v1/${ctx.division}/sync/${feed.name}(${String(row.Timestamp)}L)`, type: feed.type },
    };
    copySelected(present(row), selection.fields, out);
    return out;
  });
  const d: ExactRecord = { results };
  if (more) d.__next = linkWith(ctx, { $skiptoken: `${String((page[page.length - 1] as ExactRecord).Timestamp)}L` });
  return { status: 200, body: { d } };
}
