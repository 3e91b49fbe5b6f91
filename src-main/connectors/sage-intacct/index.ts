/**
 * Sage Intacct connector (XML Web Services, fact sheet §2): sign-in and sessions, reference data
 * (GL accounts and dimensions) with validation of lines before posting, AP bills, purchasing
 * transactions and GL journal entries written idempotently (deterministic controlids, look-up by
 * key when an answer is unclear), vendors both ways and the payment status of bills.
 * System-level only: the F3 flow decides what to post. Quirks and sources: README.md.
 */
import type { ConnectionTestResult, Connector, ConnectorContext } from '../connector';
import { HttpNetworkError, HttpStatusError, HttpTimeoutError, HostNotAllowedError, freshRecords, type RequestBudget } from '../_kit';
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import { Decimal } from '../../../src-shared/domain/money';
import {
  IntacctClient,
  IntacctConfigError,
  IntacctReadError,
  IntacctSenderNotAuthorizedError,
  IntacctSessionError,
  MAX_PAGE_SIZE,
  readControlId,
  type FunctionCounts,
  type FunctionOutcome,
} from './client';
import {
  BILL_FIELDS,
  IntacctInputError,
  JOURNAL_FIELDS,
  PURCHASING_FIELDS,
  ReferenceIndex,
  VENDOR_FIELDS,
  allOf,
  billCreate,
  billFromWire,
  billLabel,
  billLineFromWire,
  billPaymentDetailFromWire,
  billPaymentFromWire,
  billUpdate,
  checkDocument,
  checkKeyFieldName,
  chunked,
  cleanBody,
  dataAttribute,
  fromIntacctTimestamp,
  foundDocuments,
  isCustomKeyField,
  journalCreate,
  journalFromWire,
  journalLineFromWire,
  journalUpdate,
  laterStamp,
  linesOf,
  listOf,
  objectsNamedBy,
  purchasingCreate,
  purchasingFromWire,
  purchasingLabel,
  purchasingLineFromWire,
  purchasingUpdate,
  queryBody,
  readBody,
  recordNoOf,
  recordsOf,
  referenceFields,
  referenceFromRow,
  textOf,
  toIntacctTimestamp,
  vendorCreate,
  vendorFromWire,
  vendorMatches,
  vendorUpdate,
  writeControlId,
  type BuiltWrite,
  type QueryFilter,
} from './mappers';
import type {
  BillInput,
  BillPayment,
  BillPaymentStatus,
  BillUpdate,
  FoundDocument,
  IntacctKeyFields,
  IntacctRuntime,
  IntacctSecretProvider,
  IntacctSettings,
  IntacctVendor,
  JournalEntryInput,
  JournalEntryUpdate,
  PostingProblem,
  PurchasingDocumentInput,
  PurchasingDocumentUpdate,
  ReferenceData,
  ReferenceObject,
  RetainageSetting,
  ValidatableDocument,
  VendorInput,
  VendorUpdate,
  WriteOptions,
  WriteResult,
} from './types';
import type { XmlNode } from './wire';
import { runWrites, type FoundTarget, type Unsendable, type WriteItem, type WriteSpec } from './writes';

export * from './types';
export {
  IntacctConfigError,
  IntacctReadError,
  IntacctRequestRefusedError,
  IntacctSenderNotAuthorizedError,
  IntacctSessionError,
  isSessionFatal,
  type FunctionCounts,
} from './client';
export { IntacctInputError, ReferenceIndex, checkDocument } from './mappers';

export interface IntacctConnector extends Connector {
  readonly system: 'sage-intacct';
  /** The company's pacing budget when `requestsPerMinute` is set (null otherwise). */
  readonly budget: RequestBudget | null;
  /** Requests and functions sent so far, by function (for the bench's minimal plan). */
  counts(): FunctionCounts;

  /** GL accounts and dimension values (with STATUS), every page; 1 call, +1 when pages remain. */
  readReference(objects: readonly ReferenceObject[], options?: { activeOnly?: boolean }): Promise<ReferenceData>;
  /**
   * Every account, vendor and dimension value of each document must exist and be active. Reads
   * the objects the documents name once per connector (a run) and keeps them; problems per key.
   */
  validateDocuments(documents: readonly ValidatableDocument[]): Promise<Map<string, PostingProblem[]>>;
  /** Forget the reference data `validateDocuments` kept (the next call reads it again). */
  forgetReference(): void;

  createBills(bills: readonly BillInput[], options?: WriteOptions): Promise<WriteResult[]>;
  updateBills(updates: readonly BillUpdate[], options?: WriteOptions): Promise<WriteResult[]>;
  findBills(keys: readonly string[], options?: { withLines?: boolean }): Promise<Map<string, FoundDocument>>;

  createJournalEntries(entries: readonly JournalEntryInput[], options?: WriteOptions): Promise<WriteResult[]>;
  updateJournalEntries(updates: readonly JournalEntryUpdate[], options?: WriteOptions): Promise<WriteResult[]>;
  /** Journal entries by key, with their lines (the total is the sum of the debits). */
  findJournalEntries(keys: readonly string[]): Promise<Map<string, FoundDocument>>;

  createPurchasingDocuments(documents: readonly PurchasingDocumentInput[], options?: WriteOptions): Promise<WriteResult[]>;
  updatePurchasingDocuments(updates: readonly PurchasingDocumentUpdate[], options?: WriteOptions): Promise<WriteResult[]>;
  findPurchasingDocuments(keys: readonly string[], options?: { transactionType?: string; withLines?: boolean }): Promise<Map<string, FoundDocument>>;

  /** Vendors changed at or after `modifiedSince` (all when omitted); `cursorAfter` = the newest WHENMODIFIED read. */
  listVendors(options?: { modifiedSince?: string | null; activeOnly?: boolean }): Promise<{ vendors: IntacctVendor[]; cursorAfter: string | null }>;
  findVendors(keys: readonly string[]): Promise<Map<string, IntacctVendor>>;
  createVendors(vendors: readonly VendorInput[], options?: WriteOptions): Promise<WriteResult[]>;
  updateVendors(updates: readonly VendorUpdate[], options?: WriteOptions): Promise<WriteResult[]>;

  /**
   * Payment status of bills changed at or after `modifiedSince` (payments move WHENMODIFIED);
   * by default only bills carrying a key (those this app posted).
   */
  readBillPayments(options?: { modifiedSince?: string | null; onlyKeyed?: boolean }): Promise<{ bills: BillPaymentStatus[]; cursorAfter: string | null }>;
  /** Which payments paid these bills (APPYMTDETAIL + APPYMT): 2 calls. */
  readPaymentsOfBills(billRecordNos: readonly string[]): Promise<BillPayment[]>;
}

interface Resolved {
  keyFields: IntacctKeyFields;
  retainage: RetainageSetting;
  pageSize: number;
  keysPerQuery: number;
  functionsPerRequest: number;
  rounds: number;
  prefix: string;
}

function wholeNumber(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const n = value ?? fallback;
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new IntacctConfigError(`${what} must be a whole number from ${min} to ${max}, got ${String(n)}.`);
  return n;
}

function resolve(settings: IntacctSettings): Resolved {
  const prefix = settings.controlIdPrefix ?? 'mlc';
  if (!/^[A-Za-z0-9-]{1,16}$/.test(prefix)) throw new IntacctConfigError(`The controlid prefix must be 1 to 16 letters, digits or dashes, got "${prefix}".`);
  const keys = settings.keyFields ?? {};
  const retainage = settings.retainage ?? { mode: 'gross' };
  if (retainage.mode === 'separate-line' && !retainage.accountNo.trim())
    throw new IntacctConfigError('Retainage on a separate line needs the retainage payable GL account.');
  try {
    return {
      keyFields: {
        bill: checkKeyFieldName('APBILL', keys.bill ?? 'PROCORE_ID'),
        purchasing: checkKeyFieldName('PODOCUMENT', keys.purchasing ?? 'PROCORE_ID'),
        journal: checkKeyFieldName('GLBATCH', keys.journal ?? 'REFERENCENO'),
        vendor: checkKeyFieldName('VENDOR', keys.vendor ?? 'PROCORE_VENDOR_ID'),
      },
      retainage,
      pageSize: wholeNumber(settings.pageSize, MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE, 'The Intacct page size'),
      keysPerQuery: wholeNumber(settings.keysPerQuery, 100, 1, 1000, 'Keys per Intacct look-up'),
      functionsPerRequest: wholeNumber(settings.functionsPerRequest, 50, 1, 500, 'Functions per Intacct request'),
      rounds: wholeNumber(settings.writeRounds, 3, 1, 10, 'Intacct write rounds'),
      prefix,
    };
  } catch (error) {
    if (error instanceof IntacctInputError) throw new IntacctConfigError(error.message);
    throw error;
  }
}

export function createIntacctConnector(
  ctx: ConnectorContext & { secrets: IntacctSecretProvider },
  settings: IntacctSettings,
  runtime: IntacctRuntime = {},
): IntacctConnector {
  const config = resolve(settings);
  const client = new IntacctClient(ctx, settings, runtime);
  const { keyFields } = config;
  const reference = new ReferenceIndex();

  // ---- reads ------------------------------------------------------------------------------

  async function readReference(objects: readonly ReferenceObject[], options: { activeOnly?: boolean } = {}): Promise<ReferenceData> {
    const unique = [...new Set(objects)];
    if (unique.length === 0) return {};
    const rows = await client.queryAll(
      unique.map((object) => ({
        object,
        fields: referenceFields(object),
        orderBy: [{ field: 'RECORDNO' }],
        pageSize: config.pageSize,
        ...(options.activeOnly ? { filter: { op: 'equalto', field: 'STATUS', value: 'active' } as const } : {}),
      })),
      `read ${unique.join(', ')}`,
    );
    return Object.fromEntries(unique.map((object, i) => [object, (rows[i] ?? []).map((row) => referenceFromRow(object, row))]));
  }

  /** Rows whose key field holds one of `keys` (several `in` filters in one request). */
  async function rowsByKey(object: string, keyField: string, keys: readonly string[], fields: readonly string[], docparid?: string): Promise<XmlNode[]> {
    const unique = [...new Set(keys.filter((k) => k !== ''))];
    if (unique.length === 0) return [];
    const rows = await client.queryAll(
      chunked(unique, config.keysPerQuery).map((chunk) => ({
        object,
        fields: [...new Set([...fields, keyField])],
        filter: { op: 'in', field: keyField, values: chunk } as const,
        orderBy: [{ field: 'RECORDNO' }],
        pageSize: config.pageSize,
        ...(docparid ? { docparid } : {}),
      })),
      `find ${object} by ${keyField}`,
    );
    return rows.flat();
  }

  /** Full records (with lines) by RECORDNO, or DOCID for PODOCUMENT: `read` returns lines. */
  async function readFull(object: string, keys: readonly string[], docparid?: string): Promise<XmlNode[]> {
    if (keys.length === 0) return [];
    const outcomes = await client.read(
      chunked([...new Set(keys)], 100).map((chunk) => ({ controlId: readControlId(), body: readBody(object, chunk, docparid) })),
      `read ${object} with lines`,
    );
    return outcomes.flatMap((o) => recordsOf(o.data, object));
  }

  async function findBills(keys: readonly string[], options: { withLines?: boolean } = {}): Promise<Map<string, FoundDocument>> {
    const found = foundDocuments(await rowsByKey('APBILL', keyFields.bill, keys, BILL_FIELDS), keyFields.bill, billFromWire);
    if (options.withLines && found.size > 0) {
      const full = new Map((await readFull('APBILL', [...found.values()].map((d) => d.recordNo))).map((row) => [textOf(row, 'RECORDNO'), row]));
      for (const document of found.values()) {
        const row = full.get(document.recordNo);
        document.lines = row ? linesOf(row, 'APBILLITEMS').map(billLineFromWire) : [];
      }
    }
    return found;
  }

  async function findJournalEntries(keys: readonly string[]): Promise<Map<string, FoundDocument>> {
    const found = foundDocuments(await rowsByKey('GLBATCH', keyFields.journal, keys, JOURNAL_FIELDS), keyFields.journal, journalFromWire);
    if (found.size === 0) return found;
    const full = new Map((await readFull('GLBATCH', [...found.values()].map((d) => d.recordNo))).map((row) => [textOf(row, 'RECORDNO'), row]));
    for (const document of found.values()) {
      const row = full.get(document.recordNo);
      const lines = row ? linesOf(row, 'ENTRIES').map(journalLineFromWire) : [];
      document.lines = lines;
      document.total = Decimal.sum(lines.filter((l) => l.side === 'debit').map((l) => Decimal.parse(l.amount))).toMoneyString();
    }
    return found;
  }

  /** The PODOCUMENT field the purchasing key lives in (referenceno is read back as PONUMBER). */
  const purchasingKeyField = keyFields.purchasing;

  async function findPurchasingDocuments(keys: readonly string[], options: { transactionType?: string; withLines?: boolean } = {}): Promise<Map<string, FoundDocument>> {
    const rows = await rowsByKey('PODOCUMENT', purchasingKeyField, keys, PURCHASING_FIELDS, options.transactionType);
    const found = foundDocuments(rows, purchasingKeyField, purchasingFromWire);
    if (options.withLines && found.size > 0) {
      // `read` of PODOCUMENT takes DOCIDs, per transaction definition.
      const byType = new Map<string, string[]>();
      for (const row of rows) {
        const type = textOf(row, 'DOCPARID');
        byType.set(type, [...(byType.get(type) ?? []), textOf(row, 'DOCID')]);
      }
      const full = new Map<string, XmlNode>();
      for (const [type, ids] of byType) for (const row of await readFull('PODOCUMENT', ids, type || undefined)) full.set(textOf(row, 'DOCID'), row);
      for (const document of found.values()) {
        const row = document.documentId ? full.get(document.documentId) : undefined;
        document.lines = row ? linesOf(row, 'PODOCUMENTENTRIES').map(purchasingLineFromWire) : [];
      }
    }
    return found;
  }

  const vendorFields = (): string[] => [...new Set([...VENDOR_FIELDS, keyFields.vendor])];

  async function findVendors(keys: readonly string[]): Promise<Map<string, IntacctVendor>> {
    const vendors = new Map<string, IntacctVendor>();
    for (const row of await rowsByKey('VENDOR', keyFields.vendor, keys, vendorFields())) {
      const vendor = vendorFromWire(row, keyFields.vendor);
      if (vendor.key !== null && !vendors.has(vendor.key)) vendors.set(vendor.key, vendor);
    }
    return vendors;
  }

  /** Rows changed at or after `since`, by WHENMODIFIED then RECORDNO (keyset pages: a record changed while paging is not skipped). */
  async function changedSince(object: string, fields: readonly string[], since: string | null | undefined, extra: QueryFilter | undefined): Promise<XmlNode[]> {
    const from = since ? toIntacctTimestamp(since) : null;
    const rows: XmlNode[] = [];
    const seen = new Set<string>();
    let after: { stamp: string; recordNo: string } | null = null;
    for (;;) {
      const window: QueryFilter | undefined = after
        ? {
            op: 'or',
            parts: [
              { op: 'greaterthan', field: 'WHENMODIFIED', value: after.stamp },
              { op: 'and', parts: [{ op: 'equalto', field: 'WHENMODIFIED', value: after.stamp }, { op: 'greaterthan', field: 'RECORDNO', value: after.recordNo }] },
            ],
          }
        : from
          ? { op: 'greaterthanorequalto', field: 'WHENMODIFIED', value: from }
          : undefined;
      const filter = allOf([extra, window]);
      // One page per call: the next page starts after this one's last row.
      const [outcome] = await client.read(
        [
          {
            controlId: readControlId(),
            body: queryBody({
              object,
              fields: [...new Set(['RECORDNO', 'WHENMODIFIED', ...fields])],
              ...(filter ? { filter } : {}),
              orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
              pageSize: config.pageSize,
            }),
          },
        ],
        `read ${object} changed since ${since ?? 'the start'}`,
      );
      // A record sent twice in the same version is kept once; edited meanwhile, both versions are.
      const page = recordsOf(outcome?.data, object);
      rows.push(...freshRecords(page, (row) => (recordNoOf(row) === null ? null : `${recordNoOf(row)}@${textOf(row, 'WHENMODIFIED')}`), seen));
      const last = page[page.length - 1];
      if ((dataAttribute(outcome?.data, 'numremaining') ?? 0) === 0 || !last) break;
      after = { stamp: textOf(last, 'WHENMODIFIED'), recordNo: textOf(last, 'RECORDNO') };
    }
    return rows;
  }

  const newestStamp = (rows: readonly XmlNode[], start: string | null | undefined): string | null =>
    rows.reduce<string | null>((latest, row) => laterStamp(latest, fromIntacctTimestamp(textOf(row, 'WHENMODIFIED'))), start ?? null);

  // ---- writes -----------------------------------------------------------------------------

  function prepare<I extends { key: string; changeId?: string }>(
    inputs: readonly I[],
    object: string,
    operation: 'create' | 'update',
    label: (input: I) => string,
    build: (input: I) => BuiltWrite,
  ): (WriteItem<I> | Unsendable)[] {
    return inputs.map((input, index) => {
      const name = label(input);
      let built: BuiltWrite;
      try {
        built = build(input);
      } catch (error) {
        if (!(error instanceof IntacctInputError)) throw error;
        return { index, key: input.key, message: `Not sent to Sage Intacct: ${error.message}.` };
      }
      const { body, stripped } = cleanBody(built.body);
      return {
        key: input.key,
        input,
        controlId: writeControlId(config.prefix, object, operation, input.key, input.changeId),
        body,
        label: name,
        expectedTotal: built.total,
        ...(built.lineNos ? { lineNos: built.lineNos } : {}),
        ...(built.retainageLineNo !== undefined ? { retainageLineNo: built.retainageLineNo } : {}),
        warnings: stripped > 0 ? [`${stripped} control character${stripped === 1 ? ' was' : 's were'} removed from its text (XML does not allow them).`] : [],
      };
    });
  }

  const write = <I, F extends FoundTarget>(spec: WriteSpec<I, F>, items: (WriteItem<I> | Unsendable)[], options: WriteOptions = {}): Promise<WriteResult[]> =>
    runWrites(client, spec, items, { ...options, functionsPerRequest: config.functionsPerRequest, rounds: config.rounds });

  const recordTarget =
    (object: string, idField?: string) =>
    (outcome: FunctionOutcome): FoundTarget | null => {
      const row = recordsOf(outcome.data, object)[0];
      const recordNo = textOf(row, 'RECORDNO');
      if (!recordNo) return null;
      return { targetId: idField ? textOf(row, idField) || recordNo : recordNo, recordNo, total: null };
    };

  const asTargets = (found: Map<string, FoundDocument>, useDocumentId = false): Map<string, FoundTarget> =>
    new Map([...found].map(([key, d]) => [key, { targetId: useDocumentId && d.documentId ? d.documentId : d.recordNo, recordNo: d.recordNo, total: d.total }]));

  const totalMatches = (found: FoundTarget, item: WriteItem<unknown>): boolean =>
    item.expectedTotal !== null && found.total !== null && Decimal.parse(found.total).equals(item.expectedTotal);

  const billSpec = (mode: 'create' | 'update'): WriteSpec<BillInput | BillUpdate> => ({
    what: 'bill',
    object: 'APBILL',
    mode,
    targetOf: recordTarget('APBILL'),
    lookup: async (items) => asTargets(await findBills(items.map((i) => i.key))),
    reached: (found, item) => mode === 'create' || totalMatches(found, item),
  });

  const journalSpec = (mode: 'create' | 'update'): WriteSpec<JournalEntryInput | JournalEntryUpdate> => ({
    what: 'journal entry',
    object: 'GLBATCH',
    mode,
    targetOf: recordTarget('GLBATCH'),
    lookup: async (items) => asTargets(await findJournalEntries(items.map((i) => i.key))),
    reached: (found, item) => mode === 'create' || totalMatches(found, item),
  });

  const purchasingSpec = (mode: 'create' | 'update', transactionType?: string): WriteSpec<PurchasingDocumentInput | PurchasingDocumentUpdate> => ({
    what: 'purchasing document',
    object: 'PODOCUMENT',
    mode,
    // Legacy functions answer <key> (the DOCID), not <data> (2.5).
    targetOf: (outcome) => (outcome.key ? { targetId: outcome.key, recordNo: null, total: null } : null),
    lookup: async (items) => asTargets(await findPurchasingDocuments(items.map((i) => i.key), transactionType ? { transactionType } : {}), true),
    reached: (found, item) => mode === 'create' || totalMatches(found, item),
  });

  type VendorTarget = FoundTarget & { vendor: IntacctVendor };
  const vendorSpec = (mode: 'create' | 'update'): WriteSpec<VendorInput | VendorUpdate, VendorTarget> => ({
    what: 'vendor',
    object: 'VENDOR',
    mode,
    targetOf: recordTarget('VENDOR', 'VENDORID'),
    lookup: async (items) =>
      new Map([...(await findVendors(items.map((i) => i.key)))].map(([key, vendor]) => [key, { targetId: vendor.vendorId, recordNo: vendor.recordNo, total: null, vendor }])),
    reached: (found, item) => mode === 'create' || vendorMatches(found.vendor, item.input as VendorUpdate),
  });

  /** Purchasing writes of one call share a transaction type when they can (look-ups use it). */
  const singleType = (docs: readonly { transactionType: string }[]): string | undefined => {
    const types = new Set(docs.map((d) => d.transactionType));
    return types.size === 1 ? [...types][0] : undefined;
  };

  // ---- the connector -------------------------------------------------------------------

  return {
    system: 'sage-intacct',
    budget: client.budget,
    counts: () => client.counts(),

    async testConnection(): Promise<ConnectionTestResult> {
      try {
        const session = await client.signIn();
        const where = session.locationId ? `entity ${session.locationId}` : 'the top level';
        const missing = await missingKeyFields();
        if (missing.length > 0)
          return {
            ok: false,
            problem:
              `Signed in to Sage Intacct company ${session.companyId} as ${session.userId} (${where}), but ${missing.join('; ')}. ` +
              'An administrator can add the custom fields in Intacct (Customization Services), or choose other key fields under Connections.',
          };
        return { ok: true, detail: `Signed in to Sage Intacct company ${session.companyId} as ${session.userId} (${where}).` };
      } catch (error) {
        return { ok: false, problem: explainFailure(error, settings) };
      }
    },

    readReference,

    async validateDocuments(documents) {
      const needed = objectsNamedBy(documents).filter((object) => !reference.has(object));
      if (needed.length > 0) reference.add(await readReference(needed));
      return new Map(documents.map((doc) => [doc.key, checkDocument(doc, reference)]));
    },

    forgetReference() {
      reference.clear();
    },

    createBills: (bills, options) =>
      write(
        billSpec('create'),
        prepare(bills, 'APBILL', 'create', billLabel, (bill) => billCreate(bill, { keyField: keyFields.bill, retainage: config.retainage })),
        options,
      ),
    updateBills: (updates, options) =>
      write(
        billSpec('update'),
        prepare(updates, 'APBILL', 'update', (u) => `bill ${u.key}`, (u) => billUpdate(u, { keyField: keyFields.bill, retainage: config.retainage })),
        options,
      ),
    findBills,

    createJournalEntries: (entries, options) =>
      write(
        journalSpec('create'),
        prepare(entries, 'GLBATCH', 'create', (e) => `journal entry ${e.title} (${e.key})`, (e) => journalCreate(e, { keyField: keyFields.journal })),
        options,
      ),
    updateJournalEntries: (updates, options) =>
      write(journalSpec('update'), prepare(updates, 'GLBATCH', 'update', (u) => `journal entry ${u.key}`, journalUpdate), options),
    findJournalEntries,

    createPurchasingDocuments: (documents, options) =>
      write(
        purchasingSpec('create', singleType(documents)),
        prepare(documents, 'PODOCUMENT', 'create', purchasingLabel, (d) =>
          purchasingCreate(d, { keyField: purchasingKeyField, ...(settings.defaultPurchasingItemId ? { defaultItemId: settings.defaultPurchasingItemId } : {}) }),
        ),
        options,
      ),
    updatePurchasingDocuments: (updates, options) =>
      write(
        purchasingSpec('update', singleType(updates)),
        prepare(updates, 'PODOCUMENT', 'update', (u) => `${u.transactionType} ${u.documentId} (${u.key})`, (u) =>
          purchasingUpdate(u, settings.defaultPurchasingItemId ? { defaultItemId: settings.defaultPurchasingItemId } : {}),
        ),
        options,
      ),
    findPurchasingDocuments,

    async listVendors(options = {}) {
      const rows = await changedSince('VENDOR', vendorFields(), options.modifiedSince, options.activeOnly ? { op: 'equalto', field: 'STATUS', value: 'active' } : undefined);
      return { vendors: rows.map((row) => vendorFromWire(row, keyFields.vendor)), cursorAfter: newestStamp(rows, options.modifiedSince) };
    },
    findVendors,
    createVendors: (vendors, options) =>
      write(vendorSpec('create'), prepare(vendors, 'VENDOR', 'create', (v) => `vendor ${v.name} (${v.key})`, (v) => vendorCreate(v, { keyField: keyFields.vendor })), options),
    updateVendors: (updates, options) =>
      write(vendorSpec('update'), prepare(updates, 'VENDOR', 'update', (u) => `vendor ${u.vendorId} (${u.key})`, vendorUpdate), options),

    async readBillPayments(options = {}) {
      const onlyKeyed = options.onlyKeyed ?? true;
      const rows = await changedSince(
        'APBILL',
        [...BILL_FIELDS, keyFields.bill],
        options.modifiedSince,
        onlyKeyed && isCustomKeyField('APBILL', keyFields.bill) ? { op: 'isnotnull', field: keyFields.bill } : undefined,
      );
      return { bills: rows.map((row) => billPaymentFromWire(row, keyFields.bill)), cursorAfter: newestStamp(rows, options.modifiedSince) };
    },

    async readPaymentsOfBills(billRecordNos) {
      const unique = [...new Set(billRecordNos)];
      if (unique.length === 0) return [];
      const details = (
        await client.queryAll(
          chunked(unique, config.keysPerQuery).map((chunk) => ({
            object: 'APPYMTDETAIL',
            fields: ['RECORDNO', 'PAYMENTKEY', 'RECORDKEY', 'TRX_PAYMENTAMOUNT', 'PAYMENTDATE'],
            filter: { op: 'in', field: 'RECORDKEY', values: chunk } as const,
            orderBy: [{ field: 'RECORDNO' }],
            pageSize: config.pageSize,
          })),
          'read payment details of bills',
        )
      ).flat();
      const paymentKeys = [...new Set(details.map((d) => textOf(d, 'PAYMENTKEY')).filter((k) => k !== ''))];
      const payments = new Map<string, XmlNode>();
      if (paymentKeys.length > 0) {
        const rows = await client.queryAll(
          chunked(paymentKeys, config.keysPerQuery).map((chunk) => ({
            object: 'APPYMT',
            fields: ['RECORDNO', 'PAYMENTMETHOD', 'DOCNUMBER', 'PAYMENTDATE', 'STATE'],
            filter: { op: 'in', field: 'RECORDNO', values: chunk } as const,
            orderBy: [{ field: 'RECORDNO' }],
            pageSize: config.pageSize,
          })),
          'read payments',
        );
        for (const row of rows.flat()) payments.set(textOf(row, 'RECORDNO'), row);
      }
      return details.map((detail) => billPaymentDetailFromWire(detail, payments.get(textOf(detail, 'PAYMENTKEY'))));
    },

    close: () => client.close(),
  };

  /** Custom key fields the company lacks (one `lookup` per object, in one request). */
  async function missingKeyFields(): Promise<string[]> {
    const objects: [string, string, string][] = [
      ['APBILL', keyFields.bill, 'AP bills'],
      ['PODOCUMENT', keyFields.purchasing, 'purchasing transactions'],
      ['GLBATCH', keyFields.journal, 'journal entries'],
      ['VENDOR', keyFields.vendor, 'vendors'],
    ];
    const custom = objects.filter(([object, field]) => isCustomKeyField(object, field));
    if (custom.length === 0) return [];
    const outcomes = await client.read(
      custom.map(([object]) => ({ controlId: readControlId(), body: { lookup: { object } } })),
      'look up the key fields',
    );
    return custom.flatMap(([, field, what], i) => {
      const data = outcomes[i]?.data;
      const type = data && typeof data === 'object' ? data.Type : undefined;
      const fields = type && typeof type === 'object' && !Array.isArray(type) ? type.Fields : undefined;
      const list = fields && typeof fields === 'object' && !Array.isArray(fields) ? listOf(fields.Field) : [];
      const ids = list.map((f) => (typeof f === 'object' && !Array.isArray(f) ? textOf(f, 'ID') : ''));
      return ids.includes(field) ? [] : [`${what} have no field ${field} to hold the Procore key`];
    });
  }
}

/** One sentence for the Connections screen. */
function explainFailure(error: unknown, settings: IntacctSettings): string {
  if (
    error instanceof NeedsReauthError ||
    error instanceof IntacctSenderNotAuthorizedError ||
    error instanceof IntacctSessionError ||
    error instanceof IntacctConfigError ||
    error instanceof IntacctReadError
  )
    return error.message;
  if (error instanceof HostNotAllowedError)
    return `Sage Intacct pointed to a host this connection may not use: ${error.message}. Add it to the allowed hosts only if it is an intacct.com address.`;
  if (error instanceof HttpStatusError)
    return `Sage Intacct answered HTTP ${error.status} at ${new URL(settings.endpointUrl).host}; try again later${error.status >= 500 ? ' (the service may be down)' : ''}.`;
  if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError) return `Could not reach Sage Intacct: ${error.message}`;
  return `Testing the Sage Intacct connection failed: ${error instanceof Error ? error.message : String(error)}`;
}
