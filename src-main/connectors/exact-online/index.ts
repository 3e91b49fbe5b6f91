/**
 * Exact Online source connector: purchase orders (sync feed), their deletions, purchase entries
 * (booked supplier invoices) and the reference lists for the mapping screens.
 * Quirks and design choices: README.md in this folder. URLs and query shapes: client.ts.
 */
import { createHash } from 'node:crypto';
import type { TokenSet } from '../../../src-shared/domain/auth';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../../src-shared/domain/records';
import type {
  AccessTokenProvider,
  ConnectionTestResult,
  Connector,
  ConnectorContext,
  SourcePage,
  UnreadableSourceRow,
} from '../connector';
import { inLookupWindows, systemClock, type KitClock, type RequestBudget, type RetryPolicy } from '../_kit';
import { ExactClient } from './client';
import {
  ExactMappingError,
  expandedLinesOrNull,
  foldPurchaseOrderRows,
  mapDeletedPurchaseOrder,
  mapPurchaseEntry,
  mapPurchaseOrder,
  parseWireDate,
  splitAtPageBoundary,
  trimCode,
  type FoldedPurchaseOrder,
} from './mappers';
import type { WirePurchaseEntry, WirePurchaseOrderSyncRow } from './wire';

export { ExactMappingError } from './mappers';

export type ExactRegion = 'nl' | 'be' | 'de' | 'co.uk' | 'fr' | 'es' | 'com';

/** Regional host (§1.1): auth, token and API calls all go there. */
export function exactHostFor(region: ExactRegion): string {
  return `https://start.exactonline.${region}`;
}

export interface ExactOnlineSettings {
  region: ExactRegion;
  /** Overrides the regional host (the sandbox's http://127.0.0.1:PORT). */
  baseUrl?: string;
  division: number;
  clientId: string;
  /** Defaults from the fact sheet (§1.7): 60/min, 5,000/day, 10 errors per endpoint per hour. */
  rateLimits?: { minutely?: number; daily?: number; errorsPerHour?: number };
}

/** Injected time and retry knobs (tests move a simulator's clock instead of sleeping). */
export interface ExactOnlineRuntime {
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

export interface ExactMe {
  userId: string;
  fullName: string;
  currentDivision: number;
  divisions: { code: number; name: string }[];
}

/** G/L account, cost center, cost unit or project as the mapping screens list them. */
export interface ExactReference {
  id: string;
  code: string;
  description: string;
}

export interface ExactSupplier {
  id: string;
  /** Trimmed (Exact pads to 18 characters). */
  code: string;
  name: string;
}

export interface ExactOnlineConnector extends Connector {
  readonly system: 'exact-online';
  /** The shared request budget (`exact:<clientId>:<division>`), for the status screen. */
  readonly budget: RequestBudget;
  authorizeEndpoint(): string;
  exchangeCode(input: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
    clientSecret: string;
  }): Promise<TokenSet>;
  /**
   * Rotates the token pair. `accessTokenExpiresAt` (optional) sharpens the retry time of a
   * RefreshTooEarlyError; without it the worst case (token just issued) is assumed.
   */
  refreshTokens(input: {
    refreshToken: string;
    clientSecret: string;
    accessTokenExpiresAt?: number;
  }): Promise<TokenSet>;
  me(): Promise<ExactMe>;
  /** Cursor: the sync Timestamp (Int64 as a decimal string); null = from the start. */
  readPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<PurchaseOrder>>;
  readDeletedPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceDeletion>>;
  /**
   * Cursor: the newest `Modified` read (ISO instant) and the versions of the entries read at that
   * instant; null or '' = from the start. Rows at the instant are read again (`ge`: one committed
   * later with the same Modified is not lost) and those already read are dropped.
   */
  readPurchaseInvoices(cursor: string | null): AsyncIterable<SourcePage<PurchaseInvoice>>;
  readGlAccounts(): Promise<ExactReference[]>;
  readCostCenters(): Promise<ExactReference[]>;
  readCostUnits(): Promise<ExactReference[]>;
  readSuppliers(): Promise<ExactSupplier[]>;
  readProjects(): Promise<ExactReference[]>;
}

const DEFAULT_LIMITS = { minutely: 60, daily: 5000, errorsPerHour: 10 };

/**
 * Source rows gathered before their lookups (item G/L accounts, supplier and project codes)
 * are resolved in one go: a lookup call takes 20 ids, so resolving per page (1,000 sync rows,
 * 60 entries) paid for many part-filled calls. The windows bound what is held in memory
 * (10 sync pages; 50 entry pages of about 3 lines each).
 */
const LOOKUP_WINDOW_PO_ROWS = 10_000;
const LOOKUP_WINDOW_ENTRIES = 3_000;

export function createExactOnlineConnector(
  ctx: ConnectorContext & { tokens: AccessTokenProvider },
  settings: ExactOnlineSettings,
  runtime: ExactOnlineRuntime = {},
): ExactOnlineConnector {
  if (!Number.isSafeInteger(settings.division) || settings.division <= 0)
    throw new RangeError(`Exact Online division must be a positive whole number, got ${settings.division}`);
  if (!settings.clientId.trim()) throw new RangeError('Exact Online client ID is empty');
  const baseUrl = settings.baseUrl ?? exactHostFor(settings.region);
  // One host per connection (§1.1): a context pointing elsewhere is a wiring mistake.
  if (new URL(ctx.baseUrl).origin !== new URL(baseUrl).origin)
    throw new RangeError(`Exact Online connection is for ${baseUrl}, but the context names ${ctx.baseUrl}`);
  const now = ctx.now ?? Date.now;
  const client = new ExactClient({
    baseUrl,
    allowedHosts: ctx.allowedHosts,
    division: settings.division,
    clientId: settings.clientId,
    tokens: ctx.tokens,
    logger: ctx.logger.child({ connector: 'exact-online' }),
    clock: runtime.clock ?? { now, sleep: systemClock.sleep },
    rateLimits: { ...DEFAULT_LIMITS, ...settings.rateLimits },
    ...(runtime.retry ? { retry: runtime.retry } : {}),
  });

  // Lookups cached for the connector's life: item -> cost G/L code, account -> code, project -> code.
  const itemGlAccounts = new Map<string, string | null>();
  const supplierCodes = new Map<string, string>();
  const projectCodes = new Map<string, string>();

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

  async function me(): Promise<ExactMe> {
    const wireMe = await client.me();
    if (!wireMe.UserID || typeof wireMe.CurrentDivision !== 'number')
      throw new Error(
        'Exact Online current/Me did not say who is signed in (UserID/CurrentDivision missing).',
      );
    const divisions = await client.divisions(wireMe.CurrentDivision);
    return {
      userId: wireMe.UserID,
      fullName: wireMe.FullName?.trim() ?? '',
      currentDivision: wireMe.CurrentDivision,
      divisions: divisions.flatMap((d) =>
        typeof d.Code === 'number' ? [{ code: d.Code, name: d.Description?.trim() ?? '' }] : [],
      ),
    };
  }

  /** Folded orders per sync page, before their items' G/L accounts are looked up. */
  async function* foldedPurchaseOrderPages(
    cursor: string | null,
  ): AsyncGenerator<{ orders: FoldedPurchaseOrder[]; rows: number; cursorAfter: string }> {
    let cursorAfter = parseTimestampCursor(cursor);
    /** Rows of the order at the previous page's end (see splitAtPageBoundary). */
    let carried: WirePurchaseOrderSyncRow[] = [];
    const pages = client.purchaseOrderSyncPages(cursorAfter.toString())[Symbol.asyncIterator]();
    let page = await pages.next();
    while (!page.done) {
      // One page of look-ahead: on the last page nothing needs holding back.
      const next = await pages.next();
      const split = splitAtPageBoundary(carried, page.value, next.done === true, cursorAfter);
      carried = split.carried;
      cursorAfter = split.cursorAfter;
      const orders = [...foldPurchaseOrderRows(split.ready).values()].sort((a, b) =>
        a.maxTimestamp < b.maxTimestamp ? -1 : 1,
      );
      yield { orders, rows: split.ready.length, cursorAfter: cursorAfter.toString() };
      page = next;
    }
  }

  async function* readPurchaseOrders(cursor: string | null): AsyncGenerator<SourcePage<PurchaseOrder>> {
    const pages = inLookupWindows(
      foldedPurchaseOrderPages(cursor),
      (page) => page.rows,
      LOOKUP_WINDOW_PO_ROWS,
      (window) =>
        loadMissing(
          window.flatMap((page) => page.orders.flatMap((po) => po.lines.flatMap((line) => (line.Item ? [line.Item] : [])))),
          itemGlAccounts,
          (ids) => client.itemsById(ids),
          (item) => itemGlAccounts.set(item.ID, item.GLCostsCode?.trim() || null),
        ),
    );
    for await (const page of pages) {
      const { records, unreadable } = mapEach(
        page.orders,
        (po) => mapPurchaseOrder(po, itemGlAccounts),
        (po) => ({
          sourceId: po.purchaseOrderId,
          label: `Purchase order ${po.header.OrderNumber ?? po.purchaseOrderId}`,
          raw: { header: po.header, lines: po.lines },
        }),
      );
      yield { records, deletions: [], unreadable, cursorAfter: page.cursorAfter };
    }
  }

  async function* readDeletedPurchaseOrders(
    cursor: string | null,
  ): AsyncGenerator<SourcePage<never, SourceDeletion>> {
    let cursorAfter = parseTimestampCursor(cursor);
    for await (const rows of client.deletedPurchaseOrderPages(cursorAfter.toString())) {
      const deletions = rows.map(mapDeletedPurchaseOrder);
      cursorAfter = maxBigInt(
        deletions.map((d) => BigInt(d.sourceVersion)),
        cursorAfter,
      );
      yield { records: [], deletions, cursorAfter: cursorAfter.toString() };
    }
  }

  async function* readPurchaseInvoices(cursor: string | null): AsyncGenerator<SourcePage<PurchaseInvoice>> {
    const checkpoint = parseEntryCheckpoint(cursor);
    const pages = inLookupWindows(
      client.purchaseEntryPages(checkpoint.instant),
      (entries) => entries.length,
      LOOKUP_WINDOW_ENTRIES,
      (window) => loadLookupsFor(window.flat()),
    );
    for await (const page of pages) {
      // `Modified ge` re-sends the rows at the checkpoint's instant: those already read, in the
      // same version, are dropped here (a row modified again differs, so it comes through).
      const entries = page.filter((entry) => !checkpoint.alreadyRead(entry));
      for (const entry of page) checkpoint.advance(entry);
      const { records, unreadable } = mapEach(
        entries,
        (entry) => mapPurchaseEntry(entry, { supplierCodes, projectCodes }),
        (entry) => ({
          sourceId: entry.EntryID ?? `purchase-entry-without-id:${String(entry.EntryNumber ?? '?')}`,
          label: `Purchase entry ${entry.EntryNumber ?? entry.EntryID ?? '(no number)'}`,
          raw: entry,
        }),
      );
      yield { records, deletions: [], unreadable, cursorAfter: checkpoint.toCursor() };
    }
  }

  async function loadLookupsFor(entries: readonly WirePurchaseEntry[]): Promise<void> {
    const supplierIds = entries.flatMap((e) => (e.Supplier ? [e.Supplier] : []));
    await loadMissing(
      supplierIds,
      supplierCodes,
      (ids) => client.accountsById(ids),
      (a) => {
        if (a.Code) supplierCodes.set(a.ID, trimCode(a.Code));
      },
    );
    // An entry without expanded lines is reported unreadable when it is mapped; it has nothing to look up.
    const projectIds = entries.flatMap((e) =>
      (expandedLinesOrNull(e.PurchaseEntryLines) ?? []).flatMap((line) => (line.Project ? [line.Project] : [])),
    );
    await loadMissing(
      projectIds,
      projectCodes,
      (ids) => client.projectsById(ids),
      (p) => {
        if (p.Code) projectCodes.set(p.ID, p.Code.trim());
      },
    );
  }

  const toReference = (
    rows: { ID?: string | null; Code?: string | null; Description?: string | null }[],
    what: string,
  ): ExactReference[] =>
    rows.map((row) => {
      if (!row.ID || !row.Code)
        throw new Error(
          `Exact Online ${what}: a row without ID or Code (${JSON.stringify(row.ID ?? null)}).`,
        );
      return { id: row.ID, code: row.Code.trim(), description: row.Description?.trim() ?? '' };
    });

  return {
    system: 'exact-online',
    budget: client.budget,
    authorizeEndpoint: () => client.authorizeEndpoint(),
    exchangeCode: (input) => client.exchangeCode(input),
    refreshTokens: (input) => client.refreshTokens(input),
    me,
    async testConnection(): Promise<ConnectionTestResult> {
      try {
        const who = await me();
        const division = who.divisions.find((d) => d.code === settings.division);
        if (!division)
          return {
            ok: false,
            problem: `Signed in as ${who.fullName}, but this user has no access to Exact Online division ${settings.division}.`,
          };
        return {
          ok: true,
          detail: `Signed in to Exact Online as ${who.fullName}; division ${division.code} (${division.name}).`,
        };
      } catch (error) {
        return { ok: false, problem: error instanceof Error ? error.message : String(error) };
      }
    },
    readPurchaseOrders,
    readDeletedPurchaseOrders,
    readPurchaseInvoices,
    readGlAccounts: async () => toReference(await client.glAccounts(), 'G/L account'),
    readCostCenters: async () => toReference(await client.costCenters(), 'cost center'),
    readCostUnits: async () => toReference(await client.costUnits(), 'cost unit'),
    readProjects: async () => toReference(await client.projects(), 'project'),
    async readSuppliers(): Promise<ExactSupplier[]> {
      return (await client.suppliers()).map((row) => {
        if (!row.ID || !row.Code)
          throw new Error(
            `Exact Online supplier: a row without ID or Code (${JSON.stringify(row.ID ?? null)}).`,
          );
        return { id: row.ID, code: trimCode(row.Code), name: row.Name?.trim() ?? '' };
      });
    },
    close: () => client.close(),
  };
}

/**
 * Maps each row; a row the mapper refuses (ExactMappingError: a required field missing, a
 * reference that resolves to nothing) becomes an unreadable row for the engine to park.
 * Any other error is a bug or an API break and stops the read.
 */
function mapEach<W, R>(
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

/** An entry's Modified in epoch ms, or null when it is missing or malformed. */
function modifiedMsOf(entry: WirePurchaseEntry): number | null {
  try {
    return parseWireDate(entry.Modified, 'purchase entry', 'Modified');
  } catch {
    return null;
  }
}

/**
 * An entry's identity and version: its key and a digest of the row as Exact sent it, without
 * the OData `__metadata` blocks (their URIs name the host, which is not part of the data).
 */
function entryVersion(entry: WirePurchaseEntry): string {
  const key = entry.EntryID ?? `#${String(entry.EntryNumber ?? '?')}`;
  const data = JSON.stringify(entry, (name, value: unknown) => (name === '__metadata' ? undefined : value));
  return `${key}:${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
}

/**
 * Beyond this many entries sharing one Modified instant (a bulk import), the cursor keeps the
 * instant only and those rows are read again next time; the engine sees they are unchanged.
 */
const MAX_VERSIONS_IN_CURSOR = 500;

/**
 * The purchase-entry checkpoint: `<ISO instant>` or `<ISO instant>|<version>,<version>…`
 * (older cursors are the instant alone). The instant only moves forward.
 */
function parseEntryCheckpoint(cursor: string | null) {
  const [instantText = '', versionsText = ''] = cursor === null ? [] : cursor.split('|', 2);
  let instantMs: number | null = null;
  if (instantText !== '') {
    instantMs = Date.parse(instantText);
    if (Number.isNaN(instantMs))
      throw new RangeError(`Exact Online purchase-entry cursor must start with an ISO date-time, got ${JSON.stringify(cursor)}`);
  }
  const readBefore = new Set(versionsText === '' ? [] : versionsText.split(','));
  let atInstant = new Set(readBefore);
  return {
    instant: instantMs === null ? null : new Date(instantMs).toISOString(),
    alreadyRead(entry: WirePurchaseEntry): boolean {
      return instantMs !== null && modifiedMsOf(entry) === instantMs && readBefore.has(entryVersion(entry));
    },
    advance(entry: WirePurchaseEntry): void {
      const ms = modifiedMsOf(entry);
      if (ms === null || (instantMs !== null && ms < instantMs)) return;
      if (instantMs === null || ms > instantMs) {
        instantMs = ms;
        atInstant = new Set();
      }
      atInstant.add(entryVersion(entry));
    },
    toCursor(): string {
      if (instantMs === null) return '';
      const instant = new Date(instantMs).toISOString();
      return atInstant.size === 0 || atInstant.size > MAX_VERSIONS_IN_CURSOR ? instant : `${instant}|${[...atInstant].join(',')}`;
    },
  };
}

/** First run reads from `Timestamp gt 1` (§1.6). */
function parseTimestampCursor(cursor: string | null): bigint {
  if (cursor === null || cursor === '') return 1n;
  if (!/^\d+$/.test(cursor))
    throw new RangeError(`Exact Online sync cursor must be a whole number, got ${JSON.stringify(cursor)}`);
  return BigInt(cursor);
}

function maxBigInt(values: readonly bigint[], floor: bigint): bigint {
  return values.reduce((a, b) => (b > a ? b : a), floor);
}
