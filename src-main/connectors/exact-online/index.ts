/**
 * Exact Online connector (one per division): purchase orders (sync feed), their deletions,
 * purchase entries (booked supplier invoices), sales invoices and sales orders with their
 * deletions, the supplier feed and supplier writes, and the reference lists for the mapping
 * screens. One read serves every flow that uses a stream (F1, F4, F5).
 * Quirks and design choices: README.md in this folder. URLs and query shapes: client.ts.
 */
import { createHash } from 'node:crypto';
import type { TokenSet } from '../../../src-shared/domain/auth';
import type {
  PurchaseInvoice,
  PurchaseOrder,
  SalesInvoice,
  SalesOrder,
  SourceDeletion,
  SourceEntityDeletion,
  Supplier,
} from '../../../src-shared/domain/records';
import type {
  AccessTokenProvider,
  ConnectionTestResult,
  Connector,
  ConnectorContext,
  SourcePage,
  WriteCallOptions,
} from '../connector';
import { inLookupWindows, systemClock, type KitClock, type RequestBudget, type RetryPolicy } from '../_kit';
import { ExactClient } from './client';
import { webLinkBuilder, type ExactWebLinkKind } from './links';
import {
  PURCHASE_ORDER_KEY,
  expandedLinesOrNull,
  mapPurchaseEntry,
  mapPurchaseOrder,
  mapSupplier,
  parseWireDate,
  trimCode,
  wireDateToIsoDate,
  type FoldedDocument,
  type PurchaseEntryLookups,
  type PurchaseOrderContext,
} from './mappers';
import { readSalesInvoices, readSalesOrders } from './sales';
import { allDeletionPages, deletionsOf, ExactLookups, foldedFeedPages, mapEach, parseTimestampCursor } from './streams';
import {
  createSupplier,
  findAccountByCode,
  updateSupplier,
  readSuppliersChanged,
  type ExactSupplierFields,
  type ExactSupplierInput,
  type ExactSupplierWriteResult,
} from './suppliers';
import type { WireDeletedRow, WirePurchaseEntry, WirePurchaseOrderSyncRow } from './wire';

export { ExactMappingError } from './mappers';
export { deletionsOf, DELETION_ENTITY_TYPES, type DeletedEntity } from './streams';
export { sharedExactFeeds, type ExactFeeds, type SourceReadSharing } from './shared';
export type { WireDeletedRow } from './wire';
export { DEFAULT_WEB_LINKS, type ExactWebLinkKind } from './links';
export type { ExactSupplierFields, ExactSupplierInput, ExactSupplierWriteResult } from './suppliers';

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
  /**
   * Access-token lifetime in seconds when a token answer has no `expires_in` (RFC 6749 §5.1
   * makes it only RECOMMENDED); default 600 (§1.2).
   */
  accessTokenLifetimeSeconds?: number;
  /**
   * Patterns of the links back to Exact's web screens (unconfirmed; links.ts), with {host},
   * {division}, {id}, {number}. Checked when the connector is created.
   */
  webLinks?: Partial<Record<ExactWebLinkKind, string>>;
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

/** A purchase entry found by its supplier invoice number (e.g. the invoice a credit note corrects). */
export interface ExactPurchaseInvoiceRef {
  sourceId: string;
  entryNumber: string;
  invoiceNumber: string;
  invoiceDate: string;
  documentType: 'invoice' | 'credit-note';
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
   * sync/Deleted for every document kind the app knows, in one read (rows as Exact sent them;
   * cursor: the highest Timestamp of any). Flows sharing a division read this once per poll and
   * take their kinds with `deletionsOf(pages, kind)`.
   */
  readDeletions(cursor: string | null): AsyncIterable<SourcePage<never, WireDeletedRow>>;
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

  /**
   * Sales invoices with their lines (sync/SalesInvoice/SalesInvoices, line rows folded per
   * invoice). Cursor: the sync Timestamp (Int64 as a decimal string); null = from the start.
   */
  readSalesInvoices(cursor: string | null): AsyncIterable<SourcePage<SalesInvoice>>;
  /**
   * Sales orders with their lines: changed orders are found on sync/SalesOrder/SalesOrderHeaders
   * and …/SalesOrderLines and read whole from salesorder/SalesOrders. Cursor: `<headers>:<lines>`
   * (the two feeds' Timestamps); null = from the start.
   */
  readSalesOrders(cursor: string | null): AsyncIterable<SourcePage<SalesOrder>>;
  /** sync/Deleted EntityType 13. Cursor: the sync Timestamp; null = from the start. */
  readDeletedSalesInvoices(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'sales-invoice'>>>;
  /** sync/Deleted EntityType 32 (and legacy 12). Cursor: the sync Timestamp; null = from the start. */
  readDeletedSalesOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'sales-order'>>>;
  /** sync/Deleted EntityType 2: deleted accounts (suppliers, and customers too). Cursor: the sync Timestamp. */
  readDeletedSuppliers(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'supplier'>>>;
  /**
   * Suppliers changed since the cursor (sync/CRM/Accounts, accounts with IsSupplier), with their
   * bank accounts (read-only). Cursor: the sync Timestamp; null = from the start.
   */
  readSuppliersChanged(cursor: string | null): AsyncIterable<SourcePage<Supplier>>;
  /** The supplier with this code, or null (also the recovery lookup for createSupplier). 1 call. */
  findSupplierByCode(code: string): Promise<Supplier | null>;
  /** One supplier by id, or null when Exact no longer has it. 1 call. */
  readSupplier(supplierId: string): Promise<Supplier | null>;
  /** Creates a supplier in crm/Accounts unless its code exists (1 lookup + 1 POST). */
  createSupplier(input: ExactSupplierInput, options?: WriteCallOptions): Promise<ExactSupplierWriteResult>;
  /** Changes supplier fields (1 PUT); bank details are refused before any call. */
  updateSupplier(
    supplierId: string,
    changes: ExactSupplierFields,
    options?: WriteCallOptions,
  ): Promise<ExactSupplierWriteResult>;
  /** The supplier's purchase entry with this invoice number (`YourRef`), or null. 1 call. */
  findPurchaseInvoiceByNumber(supplierId: string, invoiceNumber: string): Promise<ExactPurchaseInvoiceRef | null>;
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
  const lifetime = settings.accessTokenLifetimeSeconds;
  if (lifetime !== undefined && (!Number.isSafeInteger(lifetime) || lifetime < 30 || lifetime > 86_400))
    throw new RangeError(
      `The Exact Online access-token lifetime (accessTokenLifetimeSeconds) must be a whole number of seconds from 30 to 86400, got ${JSON.stringify(lifetime)}.`,
    );
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
    ...(lifetime !== undefined ? { accessTokenLifetimeSeconds: lifetime } : {}),
  });

  const lookups = new ExactLookups(client);
  const links = webLinkBuilder(baseUrl, settings.division, settings.webLinks);
  const salesDeps = { client, lookups, links };
  const supplierDeps = { client, links };

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

  async function* readPurchaseOrders(cursor: string | null): AsyncGenerator<SourcePage<PurchaseOrder>> {
    const start = parseTimestampCursor(cursor);
    const pages = inLookupWindows(
      foldedFeedPages(client.purchaseOrderSyncPages(start.toString()), start, PURCHASE_ORDER_KEY),
      (page) => page.rows,
      LOOKUP_WINDOW_PO_ROWS,
      (window) =>
        lookups.loadItems(
          window.flatMap((page) => page.documents.flatMap((po) => po.lines.flatMap((line) => (line.Item ? [line.Item] : [])))),
        ),
    );
    const context = { items: lookups.items, webUrl: (id: string, number: string) => links('purchaseOrder', id, number) };
    for await (const page of pages) {
      const { records, unreadable } = mapPurchaseOrderDocuments(page.documents, context);
      yield { records, deletions: [], unreadable: [...page.unreadable, ...unreadable], cursorAfter: page.cursorAfter };
    }
  }

  async function* readDeletedPurchaseOrders(
    cursor: string | null,
  ): AsyncGenerator<SourcePage<never, SourceDeletion>> {
    yield* deletionsOf(allDeletionPages(client, cursor), 'purchase-order');
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
      const { records, unreadable } = mapPurchaseEntries(entries, { supplierCodes: lookups.accountCodes, projectCodes: lookups.projectCodes });
      yield { records, deletions: [], unreadable, cursorAfter: checkpoint.toCursor() };
    }
  }

  async function loadLookupsFor(entries: readonly WirePurchaseEntry[]): Promise<void> {
    // Only keys that are text are looked up: a row with anything else is reported unreadable when it is mapped.
    const text = (value: unknown): string[] => (typeof value === 'string' && value.trim() !== '' ? [value] : []);
    await lookups.loadAccounts(entries.flatMap((e) => text(e?.Supplier)));
    // An entry without expanded lines is reported unreadable when it is mapped; it has nothing to look up.
    await lookups.loadProjects(
      entries.flatMap((e) => (expandedLinesOrNull(e?.PurchaseEntryLines) ?? []).flatMap((line) => text(line?.Project))),
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
    readSalesInvoices: (cursor) => readSalesInvoices(salesDeps, cursor),
    readSalesOrders: (cursor) => readSalesOrders(salesDeps, cursor),
    readDeletedSalesInvoices: (cursor) => deletionsOf(allDeletionPages(client, cursor), 'sales-invoice'),
    readDeletedSalesOrders: (cursor) => deletionsOf(allDeletionPages(client, cursor), 'sales-order'),
    readDeletedSuppliers: (cursor) => deletionsOf(allDeletionPages(client, cursor), 'supplier'),
    readDeletions: (cursor) => allDeletionPages(client, cursor),
    readSuppliersChanged: (cursor) => readSuppliersChanged(supplierDeps, cursor),
    async findSupplierByCode(code) {
      const found = await findAccountByCode(supplierDeps, code);
      return found?.isSupplier ? found.supplier : null;
    },
    async readSupplier(supplierId) {
      const row = await client.accountById(supplierId);
      if (!row || row.IsSupplier !== true) return null;
      return supplierFromRow(row);
    },
    createSupplier: (input, options) => createSupplier(supplierDeps, input, options),
    updateSupplier: (supplierId, changes, options) => updateSupplier(supplierDeps, supplierId, changes, options),
    async findPurchaseInvoiceByNumber(supplierId, invoiceNumber) {
      const rows = await client.purchaseEntriesByInvoiceNumber(supplierId, invoiceNumber.trim());
      const row = rows.find((r) => r.EntryID);
      if (!row?.EntryID) return null;
      const label = `purchase entry ${row.EntryID}`;
      return {
        sourceId: row.EntryID,
        entryNumber: String(row.EntryNumber ?? ''),
        invoiceNumber: row.YourRef?.trim() ?? invoiceNumber.trim(),
        invoiceDate: wireDateToIsoDate(row.EntryDate, label, 'EntryDate'),
        documentType: row.Type === 31 ? 'credit-note' : 'invoice',
      };
    },
    close: () => client.close(),
  };

  function supplierFromRow(row: NonNullable<Awaited<ReturnType<ExactClient['accountById']>>>): Supplier {
    return mapSupplier(row, { bankAccounts: new Map(), webUrl: (id, code) => links('account', id, code) });
  }
}

/** A page of folded purchase orders as records, and the orders that cannot be read (the read's mapping, pure). */
export function mapPurchaseOrderDocuments(documents: readonly FoldedDocument<WirePurchaseOrderSyncRow>[], context: PurchaseOrderContext) {
  return mapEach(
    documents,
    (po) => mapPurchaseOrder(po, context),
    (po) => ({
      sourceId: po.documentId,
      label: `Purchase order ${keyText(po.header.OrderNumber) ?? po.documentId}`,
      raw: { header: po.header, lines: po.lines },
    }),
  );
}

/** A page of purchase entries as records, and the entries that cannot be read (the read's mapping, pure). */
export function mapPurchaseEntries(entries: readonly WirePurchaseEntry[], lookups: PurchaseEntryLookups) {
  return mapEach(
    entries,
    (entry) => mapPurchaseEntry(entry, lookups),
    (entry) => {
      const id = keyText(entry?.EntryID);
      const number = keyText(entry?.EntryNumber);
      return {
        sourceId: id ?? `purchase-entry-without-id:${number ?? '?'}`,
        label: `Purchase entry ${number ?? id ?? (keyText(entry?.YourRef) ? `for supplier invoice ${keyText(entry?.YourRef)!.slice(0, 60)}` : '(no number)')}`,
        raw: entry,
      };
    },
  );
}

/** A document key or number as text, or null when the wire sent none (or something else). */
function keyText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null;
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
