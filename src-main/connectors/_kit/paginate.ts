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

function guardPageCount(pages: number, options: PaginateOptions | undefined, what: string): void {
  const maxPages = options?.maxPages ?? DEFAULT_MAX_PAGES;
  if (pages > maxPages)
    throw new PaginationError(
      `${what}: more than ${maxPages} pages; stopping (raise maxPages if this is expected)`,
    );
}

/** Follow an absolute next link (OData `d.__next`) until the page has none. */
export async function* followNextLinks<T>(
  firstUrl: string,
  fetchPage: (url: string) => Promise<{ items: T[]; next: string | null | undefined }>,
  options?: PaginateOptions,
): AsyncGenerator<T[]> {
  const visited = new Set<string>();
  let url: string | null | undefined = firstUrl;
  for (let pages = 1; url; pages += 1) {
    guardPageCount(pages, options, 'next-link pagination');
    if (visited.has(url))
      throw new PaginationError(
        `next-link pagination: server repeated the link ${url}; stopping to avoid a loop`,
      );
    visited.add(url);
    const page = await fetchPage(url);
    yield page.items;
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

/** offset/limit pagination (Coupa): stop at the first page shorter than `limit`. */
export async function* paginateByOffset<T>(
  limit: number,
  fetchPage: (offset: number, limit: number) => Promise<T[]>,
  options?: PaginateOptions,
): AsyncGenerator<T[]> {
  for (let pages = 1, offset = 0; ; pages += 1) {
    guardPageCount(pages, options, 'offset pagination');
    const items = await fetchPage(offset, limit);
    if (items.length > limit)
      throw new PaginationError(`offset pagination: asked for ${limit} rows, got ${items.length}`);
    yield items;
    if (items.length < limit) return;
    offset += limit;
  }
}

/** Cursor pagination (monday `items_page` then `next_items_page`): stop when the cursor is null. */
export async function* paginateByCursor<T>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; cursor: string | null | undefined }>,
  options?: PaginateOptions,
): AsyncGenerator<T[]> {
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let pages = 1; ; pages += 1) {
    guardPageCount(pages, options, 'cursor pagination');
    const page = await fetchPage(cursor);
    yield page.items;
    if (!page.cursor) return;
    if (seen.has(page.cursor))
      throw new PaginationError('cursor pagination: server repeated a cursor; stopping to avoid a loop');
    seen.add(page.cursor);
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
