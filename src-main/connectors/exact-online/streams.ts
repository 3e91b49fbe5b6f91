/**
 * What every Exact read stream shares: Timestamp cursors, folding line-level feed pages with the
 * page-boundary rule, the lookups cached for the connector's life, and turning rows the mappers
 * refuse into unreadable rows for the engine to park.
 */
import type { SourceEntity, SourceEntityDeletion } from '../../../src-shared/domain/records';
import type { SourcePage, UnreadableSourceRow } from '../connector';
import { DELETED_ENTITY_TYPES, type ExactClient } from './client';
import {
  ExactMappingError,
  feedDocumentIdOf,
  feedRowProblem,
  foldLineRows,
  mapDeletion,
  splitFeedAtPageBoundary,
  trimCode,
  wireTimestamp,
  type FeedDocumentKey,
  type FeedLineRow,
  type FoldedDocument,
  type ItemAccounts,
} from './mappers';
import type { WireDeletedRow } from './wire';

/** First run reads from `Timestamp gt 1` (§1.6). */
export function parseTimestampCursor(cursor: string | null): bigint {
  if (cursor === null || cursor === '') return 1n;
  if (!/^\d+$/.test(cursor))
    throw new RangeError(`Exact Online sync cursor must be a whole number, got ${JSON.stringify(cursor)}`);
  return BigInt(cursor);
}

export function maxBigInt(values: Iterable<bigint>, floor: bigint): bigint {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}

/**
 * Maps each row; a row the mapper refuses (ExactMappingError: a required field missing, a
 * reference that resolves to nothing) becomes an unreadable row for the engine to park.
 * Any other error is a bug or an API break and stops the read.
 */
/** A number or key as a label shows it: long text cut, so Pending validation stays readable. */
function cut(value: string | number): string {
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export function mapEach<W, R>(
  rows: readonly W[],
  map: (row: W) => R,
  describe: (row: W) => Omit<UnreadableSourceRow, 'problem'>,
): { records: R[]; unreadable: UnreadableSourceRow[] } {
  const records: R[] = [];
  const unreadable: UnreadableSourceRow[] = [];
  for (const row of rows) {
    try {
      records.push(map(row));
    } catch (error) {
      if (!(error instanceof ExactMappingError)) throw error;
      unreadable.push({
        ...describe(row),
        problem: `${error.message}. Correct it in Exact Online; the next sync reads it again.`,
      });
    }
  }
  return { records, unreadable };
}

/**
 * Folded documents per page of a line-level sync feed (purchase orders, sales invoices). One
 * page of look-ahead: the document at a page's end is held for the next page (or emitted with
 * the last one), and the cursor stays below it (mappers.splitFeedAtPageBoundary).
 */
export async function* foldedFeedPages<R extends FeedLineRow>(
  pages: AsyncIterable<R[]>,
  start: bigint,
  key: FeedDocumentKey<R>,
): AsyncGenerator<{ documents: FoldedDocument<R>[]; unreadable: UnreadableSourceRow[]; rows: number; cursorAfter: string }> {
  let cursorAfter = start;
  let carried: R[] = [];
  const iterator = pages[Symbol.asyncIterator]();
  let page = await iterator.next();
  while (!page.done) {
    const next = await iterator.next();
    const split = splitFeedAtPageBoundary(carried, page.value, next.done === true, cursorAfter, key);
    carried = split.carried;
    cursorAfter = split.cursorAfter;
    const { readable, unreadable } = unfoldableDocuments(split.ready, key);
    const documents = [...foldLineRows(readable, key).values()].sort((a, b) =>
      a.maxTimestamp < b.maxTimestamp ? -1 : 1,
    );
    yield { documents, unreadable, rows: split.ready.length, cursorAfter: cursorAfter.toString() };
    page = next;
  }
}

/**
 * Splits a feed page's rows into those the fold can take and the documents it cannot: a
 * document with any row the fold cannot read (feedRowProblem) is parked whole, with all its
 * rows, since folding it without that row could drop a line. A row naming no document is
 * parked on its own.
 */
export function unfoldableDocuments<R extends FeedLineRow>(
  rows: readonly R[],
  key: FeedDocumentKey<R>,
): { readable: R[]; unreadable: UnreadableSourceRow[] } {
  const groups = new Map<string, { docId: string | null; rows: R[]; problem: ExactMappingError | null }>();
  rows.forEach((row, index) => {
    const docId = feedDocumentIdOf(row, key);
    const lineId = row !== null && typeof row === 'object' && typeof row.ID === 'string' ? row.ID : `#${index}`;
    const group = docId ?? `${key.what.replace(/ /g, '-')}-without-${key.field}:${lineId}`;
    const entry = groups.get(group) ?? { docId, rows: [], problem: null };
    entry.rows.push(row);
    entry.problem ??= feedRowProblem(row, key);
    groups.set(group, entry);
  });
  const readable: R[] = [];
  const unreadable: UnreadableSourceRow[] = [];
  for (const [sourceId, group] of groups) {
    if (!group.problem) {
      readable.push(...group.rows);
      continue;
    }
    const numbers = group.rows.map((row) => (row !== null && typeof row === 'object' ? key.number(row) : null));
    const number = numbers.find((n): n is string | number => (typeof n === 'number' && Number.isSafeInteger(n)) || (typeof n === 'string' && n.trim() !== ''));
    const what = key.what.charAt(0).toUpperCase() + key.what.slice(1);
    unreadable.push({
      sourceId,
      label: `${what} ${cut(number ?? group.docId ?? `(no ${key.field})`)}`,
      problem: `${group.problem.message}. Correct it in Exact Online; the next sync reads it again.`,
      raw: { rows: group.rows },
    });
  }
  return { readable, unreadable };
}

/** The document kinds whose deletions the app reads from sync/Deleted, by their EntityType codes (§1.6). */
export const DELETION_ENTITY_TYPES = {
  'purchase-order': DELETED_ENTITY_TYPES.purchaseOrders,
  'sales-invoice': DELETED_ENTITY_TYPES.salesInvoices,
  'sales-order': DELETED_ENTITY_TYPES.salesOrders,
  // crm/Accounts (suppliers and customers alike: a flow keeps the ones it synced).
  supplier: DELETED_ENTITY_TYPES.accounts,
} as const satisfies Partial<Record<SourceEntity, readonly number[]>>;
export type DeletedEntity = keyof typeof DELETION_ENTITY_TYPES;

/**
 * One read of sync/Deleted for every document kind the app knows (decision 0017): the rows as
 * Exact sent them, cursor = the highest Timestamp of any of them. Each flow's deletion streams
 * filter it (`deletionsOf`), so F1, F4 and F5 on one division share one call per poll, where a
 * read per kind cost one each; their cursors all follow the one feed and so stay equal.
 */
export async function* allDeletionPages(client: ExactClient, cursor: string | null): AsyncGenerator<SourcePage<never, WireDeletedRow>> {
  let cursorAfter = parseTimestampCursor(cursor);
  const types = [...new Set(Object.values(DELETION_ENTITY_TYPES).flat())].sort((a, b) => a - b);
  for await (const rows of client.deletedPages(types, cursorAfter.toString())) {
    const stamps = rows.filter((row) => row.Timestamp != null).map((row) => wireTimestamp(row.Timestamp, `deleted record ${row.EntityKey ?? '(no EntityKey)'}`));
    cursorAfter = maxBigInt(stamps, cursorAfter);
    yield { records: [], deletions: rows, cursorAfter: cursorAfter.toString() };
  }
}

/** The deletions of one document kind in pages of the whole sync/Deleted feed (the feed's cursor kept). */
export async function* deletionsOf<E extends DeletedEntity>(
  pages: AsyncIterable<SourcePage<never, WireDeletedRow>>,
  entity: E,
): AsyncGenerator<SourcePage<never, SourceEntityDeletion<E>>> {
  const types: readonly number[] = DELETION_ENTITY_TYPES[entity];
  for await (const page of pages) {
    const deletions = page.deletions.filter((row) => row.EntityType != null && types.includes(row.EntityType)).map((row) => mapDeletion(row, entity));
    yield { records: [], deletions, cursorAfter: page.cursorAfter };
  }
}


/**
 * Reference lookups cached for the connector's life (codes do not change under a guid in
 * practice; a code renamed in Exact is picked up when the connector is recreated): items'
 * G/L accounts, account codes (suppliers and customers), project codes, G/L accounts by guid.
 * Each loads only the ids it has not seen, 20 per call.
 */
export class ExactLookups {
  readonly items = new Map<string, ItemAccounts>();
  readonly accountCodes = new Map<string, string>();
  readonly projectCodes = new Map<string, string>();
  readonly glAccounts = new Map<string, { code: string; description: string | null }>();

  constructor(private readonly client: ExactClient) {}

  loadItems(ids: Iterable<string>): Promise<void> {
    return loadMissing(ids, this.items, (missing) => this.client.itemsById(missing), (item) => {
      const account = (code: string | null | undefined, description: string | null | undefined) =>
        code?.trim() ? { code: code.trim(), description: description?.trim() || null } : null;
      this.items.set(item.ID, {
        costs: account(item.GLCostsCode, item.GLCostsDescription),
        revenue: account(item.GLRevenueCode, item.GLRevenueDescription),
      });
    });
  }

  loadAccounts(ids: Iterable<string>): Promise<void> {
    return loadMissing(ids, this.accountCodes, (missing) => this.client.accountsById(missing), (account) => {
      if (account.Code) this.accountCodes.set(account.ID, trimCode(account.Code));
    });
  }

  loadProjects(ids: Iterable<string>): Promise<void> {
    return loadMissing(ids, this.projectCodes, (missing) => this.client.projectsById(missing), (project) => {
      if (project.Code) this.projectCodes.set(project.ID, project.Code.trim());
    });
  }

  loadGlAccounts(ids: Iterable<string>): Promise<void> {
    return loadMissing(ids, this.glAccounts, (missing) => this.client.glAccountsById(missing), (gl) => {
      if (gl.Code) this.glAccounts.set(gl.ID, { code: gl.Code.trim(), description: gl.Description?.trim() || null });
    });
  }
}

async function loadMissing<T extends { ID?: string | null }>(
  ids: Iterable<string>,
  cache: Map<string, unknown>,
  fetch: (ids: string[]) => Promise<T[]>,
  store: (row: T & { ID: string }) => void,
): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !cache.has(id));
  if (missing.length === 0) return;
  for (const row of await fetch(missing)) if (row.ID) store(row as T & { ID: string });
}
