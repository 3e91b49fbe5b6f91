/**
 * Pagination helpers. Each yields one page (an array) at a time so the engine can snapshot a
 * page and advance its cursor only after the page is durable. Each refuses to loop forever on
 * a server that repeats its next link / cursor.
 */
import { PaginationError } from './errors';

export interface PaginateOptions {
  /** Stop with an error after this many pages (a runaway guard, not a feature). */
  maxPages?: number;
}

const DEFAULT_MAX_PAGES = 100_000;

/** Pagination that knows a record's identity (offset and cursor pagination). */
export interface DedupeOptions<T> extends PaginateOptions {
  /**
   * The record's identity (null: none, never dropped). With it, a record the server sends twice
   * (in one page or in two) is yielded once, and a page, offset or cursor the server repeats is
   * asked again — at most MAX_REPEATED_PAGES times in a row — instead of skipping the page owed.
   */
  keyOf?: (item: T) => string | null;
}

/** A server repeating itself this many times in a row stops the read (bounded, nothing skipped). */
export const MAX_REPEATED_PAGES = 3;

/** A listed record's `id` as text, the usual keyOf (null when the answer left it out). */
export function recordIdOf(record: unknown): string | null {
  const id = record !== null && typeof record === 'object' ? (record as { id?: unknown }).id : undefined;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : null;
}

/** Drops the records of `items` whose key is in `seen` or earlier in `items`; adds the new keys to `seen`. */
export function freshRecords<T>(items: readonly T[], keyOf: (item: T) => string | null, seen: Set<string>): T[] {
  const fresh: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (key !== null) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    fresh.push(item);
  }
  return fresh;
}

function repeatedTooOften(what: string): PaginationError {
  return new PaginationError(
    `${what} ${MAX_REPEATED_PAGES + 1} times in a row; the read stopped so that no record is skipped (nothing was lost: run the sync again later)`,
  );
}

function guardPageCount(pages: number, options: PaginateOptions | undefined, what: string): void {
  const maxPages = options?.maxPages ?? DEFAULT_MAX_PAGES;
  if (pages > maxPages)
    throw new PaginationError(
      `${what}: more than ${maxPages} pages; stopping (raise maxPages if this is expected)`,
    );
}

/**
 * Follow an absolute next link (OData `d.__next`) until the page has none. A link to a page
 * already read stops the read, unless `keyOf` is given: then the link is followed again (it
 * names the page still owed), records already read are dropped, and a page bringing nothing
 * new MAX_REPEATED_PAGES + 1 times in a row stops the read.
 */
export async function* followNextLinks<T>(
  firstUrl: string,
  fetchPage: (url: string) => Promise<{ items: T[]; next: string | null | undefined }>,
  options?: DedupeOptions<T>,
): AsyncGenerator<T[]> {
  const keyOf = options?.keyOf;
  const visited = new Set<string>();
  const seen = new Set<string>();
  let repeats = 0;
  let url: string | null | undefined = firstUrl;
  for (let pages = 1; url; pages += 1) {
    guardPageCount(pages, options, 'next-link pagination');
    const again = visited.has(url);
    if (again && !keyOf)
      throw new PaginationError(
        `next-link pagination: the server's next page link pointed at a page it had already sent (${new URL(url, 'http://x').pathname}); the read stopped so that no record is read twice or skipped (nothing was lost: run the sync again later)`,
      );
    visited.add(url);
    const page = await fetchPage(url);
    const items = keyOf ? freshRecords(page.items, keyOf, seen) : page.items;
    if (again && items.length === 0) {
      repeats += 1;
      if (repeats > MAX_REPEATED_PAGES) throw repeatedTooOften("next-link pagination: the server's next page link pointed at a page it had already sent");
    } else repeats = 0;
    if (!again || items.length > 0) yield items;
    url = page.next;
  }
}

/** Parse an RFC 8288 `Link` header into rel → URL (`rel="next"` → links.next). */
export function parseLinkHeader(value: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) return links;
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const [, target = '', params = ''] = match;
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1];
    if (!rel) continue;
    for (const name of rel.trim().split(/\s+/)) links[name.toLowerCase()] = target;
  }
  return links;
}

/**
 * page/per_page pagination (Procore). Continues while the response's Link header has
 * rel="next"; without a Link header, continues while pages come back full.
 */
export async function* paginateByPageNumber<T>(
  perPage: number,
  fetchPage: (page: number, perPage: number) => Promise<{ items: T[]; linkHeader?: string | undefined }>,
  options?: PaginateOptions,
): AsyncGenerator<T[]> {
  for (let page = 1; ; page += 1) {
    guardPageCount(page, options, 'page-number pagination');
    const result = await fetchPage(page, perPage);
    yield result.items;
    const hasNext =
      result.linkHeader === undefined
        ? result.items.length >= perPage
        : parseLinkHeader(result.linkHeader).next !== undefined;
    if (!hasNext || result.items.length === 0) return;
  }
}

/**
 * offset/limit pagination (Coupa, Acumatica): stop at the first page shorter than `limit`. With
 * `keyOf`, a record sent twice is yielded once, and a page holding only records already read
 * (the server answered the previous offset again) is asked for again, not taken as read.
 */
export async function* paginateByOffset<T>(
  limit: number,
  fetchPage: (offset: number, limit: number) => Promise<T[]>,
  options?: DedupeOptions<T>,
): AsyncGenerator<T[]> {
  const keyOf = options?.keyOf;
  const seen = new Set<string>();
  let repeats = 0;
  for (let pages = 1, offset = 0; ; pages += 1) {
    guardPageCount(pages, options, 'offset pagination');
    const raw = await fetchPage(offset, limit);
    let items = raw;
    // Rows the page holds, each record counted once (a record sent twice is one row).
    let rows = raw.length;
    if (keyOf) {
      const keys = raw.map(keyOf);
      rows = new Set(keys.filter((k) => k !== null)).size + keys.filter((k) => k === null).length;
      const known = keys.every((k) => k !== null && seen.has(k));
      if (raw.length > 0 && known) {
        repeats += 1;
        if (repeats > MAX_REPEATED_PAGES) throw repeatedTooOften(`offset pagination: the server answered offset ${offset} with records it had already sent`);
        continue;
      }
      repeats = 0;
      items = freshRecords(raw, keyOf, seen);
    }
    if (rows > limit)
      throw new PaginationError(`offset pagination: asked for ${limit} rows, got ${rows}`);
    yield items;
    if (rows < limit) return;
    offset += limit;
  }
}

/**
 * Cursor pagination (monday `items_page` then `next_items_page`): stop when the cursor is null.
 * Without `keyOf` a repeated cursor stops the read. With it, records already read are dropped
 * and a repeated cursor is followed again (it names the page still owed), at most
 * MAX_REPEATED_PAGES times in a row.
 */
export async function* paginateByCursor<T>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; cursor: string | null | undefined }>,
  options?: DedupeOptions<T>,
): AsyncGenerator<T[]> {
  const keyOf = options?.keyOf;
  const seenCursors = new Set<string>();
  const seenKeys = new Set<string>();
  let repeats = 0;
  let cursor: string | null = null;
  for (let pages = 1; ; pages += 1) {
    guardPageCount(pages, options, 'cursor pagination');
    const page = await fetchPage(cursor);
    yield keyOf ? freshRecords(page.items, keyOf, seenKeys) : page.items;
    if (!page.cursor) return;
    if (seenCursors.has(page.cursor)) {
      if (!keyOf) throw new PaginationError('cursor pagination: server repeated a cursor; stopping to avoid a loop');
      repeats += 1;
      if (repeats > MAX_REPEATED_PAGES) throw repeatedTooOften('cursor pagination: the server sent a cursor it had sent before');
    } else repeats = 0;
    seenCursors.add(page.cursor);
    cursor = page.cursor;
  }
}

/**
 * Groups consecutive pages into windows of at least `windowSize` units (rows, records: what
 * `sizeOf` counts; the last window may be smaller), calls `beforeYield` once per window, then
 * yields that window's pages one by one, in order. Connectors use it to resolve lookups (codes
 * of referenced items, suppliers, projects) once per window instead of once per page: a lookup
 * call takes a fixed number of ids, so per-page lookups waste calls on part-filled batches.
 */
export async function* inLookupWindows<P>(
  pages: AsyncIterable<P>,
  sizeOf: (page: P) => number,
  windowSize: number,
  beforeYield: (window: readonly P[]) => Promise<void>,
): AsyncGenerator<P> {
  if (!(Number.isInteger(windowSize) && windowSize > 0))
    throw new RangeError(`lookup window size must be a positive integer, got ${windowSize}`);
  let window: P[] = [];
  let size = 0;
  for await (const page of pages) {
    window.push(page);
    size += sizeOf(page);
    if (size < windowSize) continue;
    const full = window;
    window = [];
    size = 0;
    await beforeYield(full);
    yield* full;
  }
  if (window.length > 0) {
    await beforeYield(window);
    yield* window;
  }
}
