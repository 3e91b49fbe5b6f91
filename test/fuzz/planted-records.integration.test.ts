import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFlow } from '../../src-main/engine/flows/registry';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { sandboxStorePath } from '../../src-main/sandbox/_common/simulator';
import { SimStore } from '../../src-main/sandbox/_common/sim-store';
import { entitySyncRow, purchaseOrderSyncRow, salesInvoiceSyncRow } from '../../src-main/sandbox/exact-online/entities';
import { Decimal } from '../../src-shared/domain/money';
import { FLAGGED_REASON_PREFIX } from '../../src-shared/domain/validation';
import type { BookRow } from '../support/crash-harness';
import { trackUnhandledRejections } from '../support/unhandled';
import { rawLeaks } from './arbitraries/hostile';
import { textsOf } from './fuzz-kit';
import { cleanRunBooks, expectSameBooks, openOnSandbox, type SandboxFlow } from './sandbox-flow';

/**
 * Issue 18, level (c): hostile records planted in the SOURCE simulator, in its own wire shapes,
 * on the same page as the demo's good ones, and the real flow run once against the real
 * simulators. They are written into the simulator's store file through a second handle, as
 * another process would; the simulator reloads before its next answer. Promises: the run ends,
 * nothing escapes; every bad record is parked with a reason naming its document and saying what
 * is wrong, in words (no GUID, no raw JSON); a record whose text is odd but valid (emoji, right-to-left, XML specials,
 * control characters) is written and its text arrives (the target simulator refuses XML or
 * GraphQL that is not well formed); every good record is written as a clean run writes it;
 * an amount finer than the target takes is parked or written exactly, never rounded.
 */
type Json = Record<string, unknown>;

/**
 * What a planted record must come to. 'parked': not written, with a reason in words; 'written':
 * and its text arrives; 'flagged': written and listed as "created, needs review" in words;
 * 'either': parked in words or written, and if written, its money exactly.
 */
type Expect = 'parked' | 'written' | 'flagged' | 'either';

interface Plant {
  /** What is hostile about it, for failing assertions. */
  what: string;
  /** The document number finance knows it by (the reason must name it, or one of `alsoNamed`). */
  number: string;
  /** Other numbers that name it as well (a purchase entry: its entry number beside the invoice number). */
  alsoNamed?: string[];
  /** Ids the source gave it (a target book key or a parked row names one of them). */
  ids: string[];
  /**
   * Ids of the document it arrives on when it is a part of another (a change order: its
   * commitment): that document's target rows hold it, and are not compared with a clean run's.
   * A part parked may leave its document written without it.
   */
  hostIds?: string[];
  expect: Expect;
  /** An amount that must arrive exactly, if the record is written. */
  exactAmount?: string;
  /** Texts that must arrive intact in the target (control characters aside). */
  arrives?: string[];
  /** The record as the source holds it (words of the source are not leaks). */
  raw: unknown;
}

const ODD = { emoji: '🏗️ Bouw 👷‍♀️', rtl: 'شركة البناء בנייה', xml: 'A&B <C> "D" ]]>' };
/** Control characters a valid text may carry; the target takes the text without them. */
const CONTROL = '\u0001\u0008';
const HUGE = 'W'.repeat(100_000);

/** Runs `plant` on a simulator's store file through a second handle, as another process would, and closes it. */
function inSimulatorStore<T>(path: string, plant: (store: SimStore) => T): T {
  const store = new SimStore(path);
  try {
    return plant(store);
  } finally {
    store.close();
  }
}

/**
 * One Exact document type in the simulator's store (headers, lines keyed by `parentId`) and a
 * template to copy: a one-line EUR document that `fits` and the clean run writes.
 */
function exactTemplate(store: SimStore, kind: { headers: string; lines: string; parentId: string; what: string }, fits: (header: Json) => boolean) {
  const headers = store.collection<Json>(kind.headers);
  const allLines = store.collection<Json>(kind.lines);
  const linesOf = (id: string) => allLines.filter((l) => String(l[kind.parentId]).toLowerCase() === id.toLowerCase()).sort((a, b) => Number(a['LineNumber']) - Number(b['LineNumber']));
  const template = headers.all().find((h) => fits(h) && linesOf(String(h[kind.parentId])).length === 1 && h['Currency'] === 'EUR');
  if (!template) throw new Error(`the demo world has no ${kind.what} the clean run writes`);
  return { headers, allLines, template, templateLines: linesOf(String(template[kind.parentId])) };
}

// ---------------------------------------------------------------- Exact Online purchase orders

/** A copy of a demo PO (its lines, its supplier) under new ids and number, spoiled by `spoil`. */
interface PoCopy {
  header: Json;
  lines: Json[];
}

function plantExactPurchaseOrders(dataDir: string, good: (po: Json) => boolean, unknownCurrency: Expect): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'exact'), (store) => {
    const { headers, allLines, template, templateLines } = exactTemplate(store, { headers: 'PurchaseOrders', lines: 'PurchaseOrderLines', parentId: 'PurchaseOrderID', what: 'one-line purchase order' }, good);
    const plants: Plant[] = [];
    let number = 99_000;
    const plant = (what: string, expect: Expect, spoil: (po: PoCopy) => void, extra: Partial<Plant> = {}) => {
      number += 1;
      const id = randomUUID();
      const po: PoCopy = {
        header: { ...template, PurchaseOrderID: id, OrderNumber: number },
        lines: templateLines.map((l) => ({ ...l, ID: randomUUID(), PurchaseOrderID: id })),
      };
      spoil(po);
      store.transaction(() => {
        headers.put(id.toLowerCase(), po.header);
        for (const line of po.lines) {
          allLines.put(String(line['ID']).toLowerCase(), line);
          // One sync row per line with the division's next Timestamp (sandbox exact-online/sync.ts).
          const ts = (store.getMeta<number>('sync:lastTimestamp') ?? 10_000) + 1;
          store.collection<Json>('sync_PurchaseOrders').put(String(ts), purchaseOrderSyncRow(po.header as never, line as never, ts));
          store.setMeta('sync:lastTimestamp', ts);
        }
      });
      plants.push({ what, number: String(number), ids: [id], expect, raw: po, ...extra });
    };
    const setLine = (po: PoCopy, fields: Json) => {
      po.lines = po.lines.map((l) => ({ ...l, ...fields }));
      po.header = { ...po.header, AmountDC: fields['AmountDC'] ?? po.header['AmountDC'], AmountFC: fields['AmountFC'] ?? po.header['AmountFC'] };
    };
    plant('an amount with 5 decimals', 'either', (po) => setLine(po, { Quantity: 1, QuantityInPurchaseUnits: 1, UnitPrice: 12.34567, NetPrice: 12.34567, AmountDC: 12.34567, AmountFC: 12.34567 }), { exactAmount: '12.34567' });
    plant('a negative quantity', 'either', (po) => setLine(po, { Quantity: -2, QuantityInPurchaseUnits: -2, UnitPrice: 10, NetPrice: 10, AmountDC: -20, AmountFC: -20 }), { exactAmount: '-20' });
    plant('a zero quantity', 'either', (po) => setLine(po, { Quantity: 0, QuantityInPurchaseUnits: 0, AmountDC: 0, AmountFC: 0 }));
    plant('a 100,000-character line description', 'either', (po) => setLine(po, { Description: HUGE }));
    plant('emoji, right-to-left text, XML specials and control characters in its texts', 'written', (po) => {
      po.header = { ...po.header, Description: `${ODD.emoji} ${ODD.rtl}${CONTROL}`, YourRef: ODD.xml, SupplierName: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` };
      setLine(po, { Description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}` });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    plant('an unknown currency', unknownCurrency, (po) => (po.header = { ...po.header, Currency: 'XXX' }));
    plant('an order date that is no date', 'parked', (po) => (po.header = { ...po.header, OrderDate: '/Date(abc)/' }));
    plant('an order date in the year 1', 'either', (po) => (po.header = { ...po.header, OrderDate: '/Date(-62135596800000)/' }));
    plant('no supplier', 'parked', (po) => (po.header = { ...po.header, Supplier: null, SupplierCode: null, SupplierName: null }));
    plant('an amount as text "12,50"', 'parked', (po) => setLine(po, { AmountDC: '12,50', AmountFC: '12,50' }));
    return plants;
  });
}

/**
 * Copies of a demo purchase entry (a supplier invoice) under new ids, entry number and invoice
 * number, spoiled one way each (the standard endpoint: header plus expanded lines, by Modified).
 */
function plantExactPurchaseEntries(dataDir: string, good: (entry: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'exact'), (store) => {
    const { headers, allLines, template, templateLines } = exactTemplate(store, { headers: 'PurchaseEntries', lines: 'PurchaseEntryLines', parentId: 'EntryID', what: 'one-line purchase entry' }, (h) => good(h) && Number(h['AmountFC']) > 0);
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (e: { header: Json; lines: Json[] }) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const id = randomUUID();
      const invoice = `PLANTINV-${9900 + k}`;
      const doc = {
        header: { ...template, EntryID: id, EntryNumber: 99_900 + k, InvoiceNumber: 99_900 + k, YourRef: invoice },
        lines: templateLines.map((l) => ({ ...l, ID: randomUUID(), EntryID: id })),
      };
      spoil(doc);
      store.transaction(() => {
        headers.put(id.toLowerCase(), doc.header);
        for (const line of doc.lines) allLines.put(String(line['ID']).toLowerCase(), line);
      });
      plants.push({ what, number: invoice, alsoNamed: [String(99_900 + k)], ids: [id], expect, raw: doc, ...extra });
    };
    /** A net line amount with its header gross (net + the template's VAT) kept consistent. */
    const net = (e: { header: Json; lines: Json[] }, amount: number | string) => {
      const vat = Number(template['VATAmountFC'] ?? 0);
      e.lines = e.lines.map((l) => ({ ...l, AmountDC: amount, AmountFC: amount, VATBaseAmountDC: amount, VATBaseAmountFC: amount }));
      const gross = typeof amount === 'number' ? Number((amount + vat).toFixed(5)) : amount;
      e.header = { ...e.header, AmountDC: gross, AmountFC: gross };
    };
    plant('a line amount with 5 decimals', 'either', (e) => net(e, 1000.12345), { exactAmount: '1000.12345' });
    plant('a 100,000-character description', 'either', (e) => {
      e.header = { ...e.header, Description: HUGE };
      e.lines = e.lines.map((l) => ({ ...l, Description: HUGE }));
    });
    plant('emoji, right-to-left text, XML specials and control characters in its line text', 'written', (e) => (e.lines = e.lines.map((l) => ({ ...l, Description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` }))));
    plant('an unknown currency', 'parked', (e) => (e.header = { ...e.header, Currency: 'XXX' }));
    plant('an entry date that is no date', 'parked', (e) => (e.header = { ...e.header, EntryDate: '/Date(99999999999999999999)/' }));
    plant('no supplier', 'parked', (e) => (e.header = { ...e.header, Supplier: null, SupplierName: null }));
    plant('an amount as text "12,50"', 'parked', (e) => (e.lines = e.lines.map((l) => ({ ...l, AmountFC: '12,50' }))));
    return plants;
  });
}

// ---------------------------------------------------------------- Exact Online sales invoices and sales orders (F4)

/** The Exact simulator's next division-wide sync Timestamp (sandbox exact-online/sync.ts). */
function nextSyncTimestamp(store: SimStore): number {
  const ts = (store.getMeta<number>('sync:lastTimestamp') ?? 10_000) + 1;
  store.setMeta('sync:lastTimestamp', ts);
  return ts;
}

interface SalesCopy {
  header: Json;
  lines: Json[];
}

/** Sets every line's amounts (and quantity 1) and the header totals to match, VAT left out. */
function salesAmount(doc: SalesCopy, amount: number | string, vatFields: readonly string[]): void {
  doc.lines = doc.lines.map((l) => ({ ...l, Quantity: 1, UnitPrice: amount, NetPrice: amount, AmountDC: amount, AmountFC: amount, ...Object.fromEntries(vatFields.map((f) => [f, 0])) }));
  doc.header = { ...doc.header, AmountDC: amount, AmountFC: amount, AmountFCExclVat: amount, ...Object.fromEntries(vatFields.filter((f) => f in doc.header).map((f) => [f, 0])) };
}

/**
 * Copies of a demo sales invoice (one line, EUR) under new ids and invoice number, spoiled one
 * way each, written as Exact keeps them: the invoice, its lines, and one row per line on the
 * line-level sync feed (header fields repeated). An invoice without lines has no feed row at
 * all (the feed is line level), so it cannot be planted.
 */
function plantExactSalesInvoices(dataDir: string, good: (invoice: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'exact'), (store) => {
    const { headers, allLines, template, templateLines } = exactTemplate(store, { headers: 'SalesInvoices', lines: 'SalesInvoiceLines', parentId: 'InvoiceID', what: 'one-line sales invoice' }, (h) => good(h) && h['Type'] === 8020 && Number(h['AmountFCExclVat']) > 0);
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (doc: SalesCopy) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const id = randomUUID();
      const doc: SalesCopy = {
        header: { ...template, InvoiceID: id, InvoiceNumber: 99_100 + k },
        lines: templateLines.map((l) => ({ ...l, ID: randomUUID(), InvoiceID: id })),
      };
      spoil(doc);
      store.transaction(() => {
        headers.put(id.toLowerCase(), doc.header);
        for (const line of doc.lines) {
          allLines.put(String(line['ID']).toLowerCase(), line);
          const ts = nextSyncTimestamp(store);
          store.collection<Json>('sync_SalesInvoices').put(String(ts), salesInvoiceSyncRow(doc.header as never, line as never, ts));
        }
      });
      plants.push({ what: `sales invoice with ${what}`, number: String(doc.header['InvoiceNumber']), ids: [id], expect, raw: doc, ...extra });
    };
    const VAT = ['VATAmountDC', 'VATAmountFC'];
    const line = (doc: SalesCopy, fields: Json) => (doc.lines = doc.lines.map((l) => ({ ...l, ...fields })));
    plant('no customer', 'parked', (d) => (d.header = { ...d.header, InvoiceTo: null, InvoiceToName: null, OrderedBy: null, OrderedByName: null }));
    plant('a customer Exact does not hold', 'parked', (d) => (d.header = { ...d.header, InvoiceTo: randomUUID(), InvoiceToName: 'Onbekende Klant B.V.' }));
    plant('an unknown currency', 'flagged', (d) => (d.header = { ...d.header, Currency: 'XXX' }));
    plant('a line amount with 5 decimals', 'either', (d) => salesAmount(d, 1000.12345, VAT), { exactAmount: '1000.12345' });
    plant('a 100,000-character description', 'either', (d) => {
      d.header = { ...d.header, Description: HUGE };
      line(d, { Description: HUGE });
    });
    plant('emoji, right-to-left text, XML specials and control characters in its customer name', 'written', (d) => {
      d.header = { ...d.header, InvoiceToName: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}`, Description: `${ODD.emoji} ${ODD.rtl}${CONTROL}` };
      line(d, { Description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    plant('a negative amount (an invoice, not a credit note)', 'either', (d) => salesAmount(d, -250, VAT), { exactAmount: '-250' });
    plant('a negative amount on a credit note', 'written', (d) => {
      salesAmount(d, -250, VAT);
      d.header = { ...d.header, Type: 8021, TypeDescription: 'Sales credit note' };
    }, { exactAmount: '-250' });
    plant('a zero-amount line', 'either', (d) => salesAmount(d, 0, VAT));
    plant('a line on a G/L account Exact does not hold', 'parked', (d) => line(d, { GLAccount: randomUUID(), GLAccountDescription: 'Onbekende omzet' }));
    plant('a line without a G/L account', 'flagged', (d) => line(d, { GLAccount: null, GLAccountDescription: null }));
    plant("another invoice's number", 'flagged', (d) => (d.header = { ...d.header, InvoiceNumber: template['InvoiceNumber'] }));
    plant('an unknown document type', 'parked', (d) => (d.header = { ...d.header, Type: 9999, TypeDescription: null }));
    plant('an invoice date that is no date', 'parked', (d) => (d.header = { ...d.header, InvoiceDate: '/Date(abc)/' }));
    return plants;
  });
}

/**
 * Copies of a demo sales order (one line, EUR) under new ids and order number, spoiled one way
 * each, written as Exact keeps them: the order and its lines, a row on the header sync feed and
 * one per line on the line feed (the flow reads changed orders whole from salesorder/SalesOrders).
 */
function plantExactSalesOrders(dataDir: string, good: (order: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'exact'), (store) => {
    const { headers, allLines, template, templateLines } = exactTemplate(store, { headers: 'SalesOrders', lines: 'SalesOrderLines', parentId: 'OrderID', what: 'open one-line sales order' }, (h) => good(h) && h['Status'] === 12);
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (doc: SalesCopy) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const id = randomUUID();
      const doc: SalesCopy = {
        header: { ...template, OrderID: id, OrderNumber: 99_200 + k },
        lines: templateLines.map((l) => ({ ...l, ID: randomUUID(), OrderID: id })),
      };
      spoil(doc);
      store.transaction(() => {
        headers.put(id.toLowerCase(), doc.header);
        const ts = nextSyncTimestamp(store);
        store.collection<Json>('sync_SalesOrderHeaders').put(String(ts), entitySyncRow(doc.header as never, 'OrderID', ts));
        for (const line of doc.lines) {
          allLines.put(String(line['ID']).toLowerCase(), line);
          const lineTs = nextSyncTimestamp(store);
          store.collection<Json>('sync_SalesOrderLines').put(String(lineTs), entitySyncRow(line as never, 'ID', lineTs));
        }
      });
      plants.push({ what: `sales order with ${what}`, number: String(doc.header['OrderNumber']), ids: [id], expect, raw: doc, ...extra });
    };
    const VAT = ['VATAmount'];
    const line = (doc: SalesCopy, fields: Json) => (doc.lines = doc.lines.map((l) => ({ ...l, ...fields })));
    plant('no customer', 'parked', (d) => (d.header = { ...d.header, OrderedBy: null, OrderedByName: null, InvoiceTo: null, InvoiceToName: null }));
    plant('an unknown currency', 'flagged', (d) => (d.header = { ...d.header, Currency: 'XXX' }));
    plant('a line amount with 5 decimals', 'either', (d) => salesAmount(d, 500.12345, VAT), { exactAmount: '500.12345' });
    plant('a 100,000-character description', 'either', (d) => {
      d.header = { ...d.header, Description: HUGE };
      line(d, { Description: HUGE });
    });
    plant('emoji, right-to-left text, XML specials and control characters in its customer name', 'written', (d) => {
      d.header = { ...d.header, OrderedByName: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}`, Description: `${ODD.emoji} ${ODD.rtl}${CONTROL}` };
      line(d, { Description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    plant('a negative line amount', 'either', (d) => salesAmount(d, -75, VAT), { exactAmount: '-75' });
    plant('no lines', 'either', (d) => {
      d.lines = [];
      d.header = { ...d.header, AmountDC: 0, AmountFC: 0, AmountFCExclVat: 0 };
    });
    plant('a line of an item Exact does not hold', 'parked', (d) => line(d, { Item: randomUUID(), ItemCode: 'PLANT-ITEM', ItemDescription: 'Onbekend artikel' }));
    plant("another order's number", 'flagged', (d) => (d.header = { ...d.header, OrderNumber: template['OrderNumber'] }));
    plant('an unknown status', 'parked', (d) => (d.header = { ...d.header, Status: 99, StatusDescription: null }));
    plant('an order date in the year 1', 'either', (d) => (d.header = { ...d.header, OrderDate: '/Date(-62135596800000)/' }));
    return plants;
  });
}

// ---------------------------------------------------------------- Procore pay applications and commitments

/** Writes Procore records through a second handle; ids come from the simulator's own sequence. */
class ProcorePlanter {
  constructor(readonly store: SimStore) {}
  nextId(): number {
    const id = this.store.getMeta<number>('next_id');
    if (id === undefined) throw new Error('the Procore simulator has no id sequence');
    this.store.setMeta('next_id', id + 1);
    return id;
  }
  all(collection: string): Json[] {
    return this.store.collection<Json>(collection).all();
  }
  put(collection: string, record: Json): void {
    this.store.collection<Json>(collection).put(String(record['id']), record);
  }
}

/**
 * Copies of a subcontractor invoice (pay application) the clean run wrote, each under a new
 * invoice number, on its commitment, spoiled one way each.
 */
function plantProcorePayApplications(dataDir: string, good: (requisition: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'procore'), (store) => {
    const p = new ProcorePlanter(store);
    const items = p.all('requisition_contract_items');
    const itemsOf = (id: unknown) => items.filter((i) => i['requisition_id'] === id);
    const template = p.all('requisitions').find((r) => good(r) && itemsOf(r['id']).length >= 1 && Number(r['retainage_percent'] ?? 0) === 0);
    if (!template) throw new Error('the demo world has no pay application the clean run writes');
    const siblings = p.all('requisitions').filter((r) => r['commitment_id'] === template['commitment_id']);
    let sequence = Math.max(...siblings.map((r) => Number(r['number'])));
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (r: { requisition: Json; items: Json[] }) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      sequence += 1;
      const number = `PLANT-${9900 + k}`;
      p.store.transaction(() => {
        const id = p.nextId();
        const doc = {
          requisition: { ...template, id, number: sequence, invoice_number: number },
          items: itemsOf(template['id']).map((i) => ({ ...i, id: p.nextId(), requisition_id: id })),
        };
        spoil(doc);
        p.put('requisitions', doc.requisition);
        for (const item of doc.items) p.put('requisition_contract_items', item);
        plants.push({ what, number, ids: [String(id)], expect, raw: doc, ...extra });
      });
    };
    const first = (doc: { items: Json[] }, fields: Json) => (doc.items[0] = { ...doc.items[0]!, ...fields });
    plant('an amount with 5 decimals', 'either', (d) => first(d, { work_completed_this_period: '1234.56789' }), { exactAmount: '1234.56789' });
    plant('a negative amount claimed', 'either', (d) => first(d, { work_completed_this_period: '-500.00' }), { exactAmount: '-500' });
    plant('a 100,000-character description of work', 'either', (d) => first(d, { description_of_work: HUGE }));
    plant('emoji, right-to-left text, XML specials and control characters in its description', 'written', (d) => first(d, { description_of_work: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` }), { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    plant('a billing date in the year 9999', 'either', (d) => (d.requisition = { ...d.requisition, billing_date: '9999-12-31' }));
    return plants;
  });
}

/** Copies of a commitment the clean run wrote, under new numbers, spoiled one way each. */
function plantProcoreCommitments(dataDir: string, good: (commitment: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'procore'), (store) => {
    const p = new ProcorePlanter(store);
    const lines = p.all('line_items');
    const linesOf = (id: unknown) => lines.filter((l) => l['contract_id'] === id);
    let collection = 'purchase_order_contracts';
    let template = p.all(collection).find((c) => good(c) && linesOf(c['id']).length === 1 && !c['deleted_at']);
    if (!template) {
      collection = 'work_order_contracts';
      template = p.all(collection).find((c) => good(c) && linesOf(c['id']).length === 1 && !c['deleted_at']);
    }
    if (!template) throw new Error('the demo world has no one-line commitment the clean run writes');
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (c: { commitment: Json; lines: Json[] }) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const number = `PL-${9900 + k}`;
      p.store.transaction(() => {
        const id = p.nextId();
        const doc = { commitment: { ...template, id, number }, lines: linesOf(template['id']).map((l) => ({ ...l, id: p.nextId(), contract_id: id })) };
        spoil(doc);
        p.put(collection, doc.commitment);
        for (const line of doc.lines) p.put('line_items', line);
        plants.push({ what, number, ids: [String(id)], expect, raw: doc, ...extra });
      });
    };
    const line = (doc: { lines: Json[] }, fields: Json) => (doc.lines[0] = { ...doc.lines[0]!, ...fields });
    plant('a line amount with 5 decimals', 'either', (d) => line(d, { amount: '2500.12345' }), { exactAmount: '2500.12345' });
    plant('a zero quantity', 'either', (d) => line(d, { quantity: '0', unit_cost: '10.00', amount: '0.00' }));
    plant('a 100,000-character title', 'either', (d) => (d.commitment = { ...d.commitment, title: HUGE }));
    plant('emoji, right-to-left text, XML specials and control characters in its texts', 'written', (d) => {
      d.commitment = { ...d.commitment, title: `${ODD.emoji} ${ODD.rtl}${CONTROL}` };
      line(d, { description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    plant('no vendor', 'parked', (d) => (d.commitment = { ...d.commitment, vendor_id: null }));
    return plants;
  });
}

/** Copies of an approved direct cost the clean run posted, one line, under new invoice numbers, spoiled one way each (F2). */
function plantProcoreDirectCosts(dataDir: string, good: (directCost: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'procore'), (store) => {
    const p = new ProcorePlanter(store);
    const lines = p.all('direct_cost_line_items');
    const linesOf = (id: unknown) => lines.filter((l) => l['direct_cost_id'] === id);
    const template = p.all('direct_costs').find((d) => good(d) && d['status'] === 'approved' && !d['deleted_at'] && !d['origin_id'] && linesOf(d['id']).length === 1 && Number(linesOf(d['id'])[0]!['amount']) > 0);
    if (!template) throw new Error('the demo world has no approved one-line direct cost the clean run posts');
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (d: { directCost: Json; lines: Json[] }) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const number = `PLDC-${9900 + k}`;
      p.store.transaction(() => {
        const id = p.nextId();
        const doc = {
          directCost: { ...template, id, invoice_number: number },
          lines: linesOf(template['id']).map((l) => ({ ...l, id: p.nextId(), direct_cost_id: id })),
        };
        spoil(doc);
        p.put('direct_costs', doc.directCost);
        for (const line of doc.lines) p.put('direct_cost_line_items', line);
        plants.push({ what: `direct cost with ${what}`, number: String(doc.directCost['invoice_number']), ids: [String(id)], expect, raw: doc, ...extra });
      });
    };
    const line = (d: { lines: Json[] }, fields: Json) => (d.lines[0] = { ...d.lines[0]!, ...fields });
    plant('no vendor', 'parked', (d) => (d.directCost = { ...d.directCost, vendor_id: null }));
    plant('a line on a cost code the project does not have', 'parked', (d) => line(d, { cost_code_id: 999_999_999 }));
    plant('a line amount with 5 decimals', 'either', (d) => line(d, { amount: '1234.56789' }), { exactAmount: '1234.56789' });
    plant('emoji, right-to-left text, XML specials and control characters in its texts', 'written', (d) => {
      d.directCost = { ...d.directCost, description: `${ODD.emoji} ${ODD.rtl}${CONTROL}` };
      line(d, { description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}` });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml] });
    // A vendor credit: Acumatica's debit adjustment reduces the payable (a "Credit Adj." would raise it).
    plant('a negative amount', 'either', (d) => line(d, { amount: '-500.00' }), { exactAmount: '500', arrives: ['Debit Adj.'] });
    plant('no lines', 'parked', (d) => (d.lines = []));
    plant('a 100,000-character description', 'either', (d) => {
      d.directCost = { ...d.directCost, description: HUGE };
      line(d, { description: HUGE });
    });
    plant('a zero-amount line', 'either', (d) => line(d, { amount: '0.00' }));
    return plants;
  });
}

/**
 * Change orders on copies of a one-line commitment the clean run posted (F3): each copy under a
 * new number carries one change order, spoiled one way. The change order is the planted record;
 * its commitment's document is where it arrives (hostIds).
 */
function plantProcoreChangeOrders(dataDir: string, good: (commitment: Json) => boolean): Plant[] {
  return inSimulatorStore(sandboxStorePath(dataDir, 'procore'), (store) => {
    const p = new ProcorePlanter(store);
    const lines = p.all('line_items');
    const linesOf = (id: unknown) => lines.filter((l) => l['contract_id'] === id);
    let collection = 'purchase_order_contracts';
    const find = () => p.all(collection).find((c) => good(c) && linesOf(c['id']).length === 1 && !c['deleted_at'] && !c['origin_id']);
    let template = find();
    if (!template) {
      collection = 'work_order_contracts';
      template = find();
    }
    if (!template) throw new Error('the demo world has no one-line commitment the clean run writes');
    const templateLine = linesOf(template['id'])[0]!;
    // Another coding of the same project that a posted commitment carries: a change line coded so
    // is a line of its own on the document (its text shows), not an amendment of the first line.
    const posted = new Set([...p.all('purchase_order_contracts'), ...p.all('work_order_contracts')].filter((c) => good(c) && !c['origin_id']).map((c) => c['id']));
    const codingOf = (l: Json) => `${String(l['cost_code_id'])}/${String(l['line_item_type_id'])}`;
    const otherCoding = lines.find((l) => posted.has(l['contract_id']) && l['project_id'] === templateLine['project_id'] && codingOf(l) !== codingOf(templateLine));
    if (!otherCoding) throw new Error('the demo world has no second coding on a posted commitment of the same project');
    const plants: Plant[] = [];
    let k = 0;
    const plant = (what: string, expect: Expect, spoil: (co: Json) => void, extra: Partial<Plant> = {}) => {
      k += 1;
      const number = `PLCO-${9900 + k}`;
      p.store.transaction(() => {
        const commitmentId = p.nextId();
        const commitment = { ...template, id: commitmentId, number: `PLC-${9900 + k}` };
        p.put(collection, commitment);
        p.put('line_items', { ...templateLine, id: p.nextId(), contract_id: commitmentId });
        const co: Json = {
          id: p.nextId(),
          project_id: template['project_id'],
          contract_id: commitmentId,
          batch_id: null,
          number,
          title: `Planted change ${k}`,
          description: null,
          status: 'approved',
          due_date: null,
          invoiced_date: null,
          paid_date: null,
          executed: true,
          private: false,
          reference: null,
          revision: 0,
          origin_id: null,
          origin_code: null,
          origin_data: null,
          reviewed_at: template['updated_at'],
          // The commitment's own coding: an approved change amends its line.
          line_items: [{ id: p.nextId(), description: `Planted change ${k}`, amount: '1000.00', cost_code_id: templateLine['cost_code_id'], line_item_type_id: templateLine['line_item_type_id'] }],
          created_at: template['created_at'],
          updated_at: template['updated_at'],
        };
        spoil(co);
        p.put('commitment_change_orders', co);
        plants.push({ what: `change order with ${what}`, number: String(co['number']), alsoNamed: [String(commitment['number'])], ids: [String(co['id'])], hostIds: [String(commitmentId)], expect, raw: { commitment, changeOrder: co }, ...extra });
      });
    };
    const coLine = (co: Json, fields: Json) => (co['line_items'] = (co['line_items'] as Json[]).map((l) => ({ ...l, ...fields })));
    const amended = (amount: string) => Decimal.parse(String(templateLine['amount'])).plus(Decimal.parse(amount)).toMoneyString();
    plant('a line amount with 5 decimals', 'parked', (co) => coLine(co, { amount: '1000.12345' }));
    plant('a negative (deductive) amount', 'written', (co) => coLine(co, { amount: '-250.00' }), { exactAmount: amended('-250.00') });
    plant('emoji, right-to-left text, XML specials and control characters in its texts, on a line of its own', 'written', (co) => {
      co['title'] = `${ODD.emoji} ${ODD.rtl}${CONTROL}`;
      co['description'] = `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}`;
      coLine(co, { description: `${ODD.xml} ${ODD.rtl} ${ODD.emoji}${CONTROL}`, cost_code_id: otherCoding['cost_code_id'], line_item_type_id: otherCoding['line_item_type_id'] });
    }, { arrives: [ODD.emoji, ODD.rtl, ODD.xml], exactAmount: '1000.00' });
    plant('no lines', 'either', (co) => (co['line_items'] = []));
    plant('a line on a cost code the project does not have', 'parked', (co) => coLine(co, { cost_code_id: 999_999_999 }));
    plant('a 100,000-character description, pending approval', 'either', (co) => {
      co['status'] = 'pending';
      co['description'] = HUGE;
      coLine(co, { description: HUGE });
    });
    return plants;
  });
}

// ---------------------------------------------------------------- the cases

interface PlantedCase {
  flow: string;
  plant(dataDir: string, clean: readonly BookRow[]): Plant[];
}

/** A source record the clean run wrote: one of its ids or its number names a book row. */
const inBooks = (clean: readonly BookRow[], ...names: unknown[]) => {
  const keys = names.map((n) => String(n).toLowerCase());
  return clean.some((row) => keys.some((k) => row.key.toLowerCase().includes(k) || JSON.stringify(row.value).toLowerCase().includes(`"${k}"`)));
};

/** F1 and F5 park a document in a currency that is none; F4's board shows it, flagged (its planner's rule). */
const exactCase = (flow: string, unknownCurrency: Expect, entries: boolean): PlantedCase => ({
  flow,
  plant: (dataDir, clean) => [
    ...plantExactPurchaseOrders(dataDir, (po) => inBooks(clean, po['PurchaseOrderID'], po['OrderNumber']), unknownCurrency),
    ...(entries ? plantExactPurchaseEntries(dataDir, (e) => inBooks(clean, e['EntryID'], e['YourRef'])) : []),
  ],
});

const CASES: readonly PlantedCase[] = [
  // F4 reads no purchase entries (sales invoices and orders instead).
  exactCase('exact-procore', 'parked', true),
  exactCase('exact-coupa', 'parked', true),
  {
    flow: 'exact-monday',
    plant: (dataDir, clean) => [
      ...exactCase('exact-monday', 'flagged', false).plant(dataDir, clean),
      ...plantExactSalesInvoices(dataDir, (i) => inBooks(clean, i['InvoiceID'])),
      ...plantExactSalesOrders(dataDir, (o) => inBooks(clean, o['OrderID'])),
    ],
  },
  {
    flow: 'procore-acumatica',
    plant: (dataDir, clean) => [
      ...plantProcorePayApplications(dataDir, (r) => inBooks(clean, r['invoice_number'])),
      ...plantProcoreDirectCosts(dataDir, (d) => inBooks(clean, d['invoice_number'])),
    ],
  },
  {
    flow: 'procore-intacct',
    plant: (dataDir, clean) => [
      ...plantProcoreCommitments(dataDir, (c) => inBooks(clean, c['id'])),
      ...plantProcorePayApplications(dataDir, (r) => inBooks(clean, r['id'])),
      ...plantProcoreChangeOrders(dataDir, (c) => inBooks(clean, c['id'])),
    ],
  },
];

// ---------------------------------------------------------------- the promises

const unhandled = trackUnhandledRejections();

interface ParkedRow {
  source_id: string;
  reason_code: string;
  reason_text: string;
  label: string | null;
}

/** A book row is a planted record's if its key or values name one of the record's ids or its number. */
function plantOf(row: BookRow, plants: readonly Plant[], withHosts = true): Plant | undefined {
  const text = `${row.key} ${JSON.stringify(row.value)}`.toLowerCase();
  return plants.find((p) => [...p.ids, ...(withHosts ? (p.hostIds ?? []) : [])].some((id) => text.includes(id.toLowerCase())) || new RegExp(`\\b${p.number}\\b`).test(row.key));
}

/** Procore's ids of a planted document's lines or items (a reason names a line by its place, never by these). */
function lineIdsOf(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return [];
  return Object.entries(raw).flatMap(([key, value]) =>
    Array.isArray(value) && /^(lines|items|line_items)$/.test(key)
      ? value.map((l: unknown) => (typeof l === 'object' && l !== null ? String((l as { id?: unknown }).id ?? '') : '')).filter((id) => /^\d+$/.test(id))
      : typeof value === 'object' && value !== null && !Array.isArray(value) ? lineIdsOf(value) : [],
  );
}

/** An id as Exact gives it (a GUID): never a word a finance user reads. */
const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

describe.each(CASES.map((c) => [c.flow, c] as const))('%s with hostile records planted in its source', (flowId, c) => {
  const plugin = findFlow(flowId)! as AnyFlowPlugin;
  let clean: BookRow[];

  beforeAll(async () => {
    clean = await cleanRunBooks(plugin);
  }, 60_000);

  it('each bad record is parked in words naming its document, odd text arrives, good records as a clean run writes them, money never rounded', async () => {
    const f: SandboxFlow = await openOnSandbox(plugin);
    try {
      const plants = c.plant(f.dataDir, clean);
      const summary = await f.run();
      expect(['succeeded', 'partial'], summary.error ?? '').toContain(summary.status);
      const parked = f.store.db.prepare('SELECT source_id, reason_code, reason_text, label FROM parked WHERE flow = ? AND resolved_at IS NULL').all(flowId) as ParkedRow[];
      const books = await f.books();
      const problems: string[] = [];
      for (const p of plants) {
        const mine = parked.filter((r) => p.ids.some((id) => r.source_id.toLowerCase().includes(id.toLowerCase())) || r.reason_text.includes(p.number));
        const held = books.filter((row) => plantOf(row, [p]) === p);
        // Its own rows: a part parked may leave the document it rides on written without it.
        const own = books.filter((row) => plantOf(row, [p], false) === p);
        const name = `${p.what} (document ${p.number})`;
        if (process.env['PLANTED_VERBOSE']) console.log(flowId, name, held.length > 0 ? `written: ${JSON.stringify(held[0]!.value).slice(0, 300)}` : '', mine.map((r) => `parked: ${r.label ?? ''} | ${r.reason_text.slice(0, 300)}`).join(' / '));
        if (p.expect === 'parked' && mine.length === 0) problems.push(`${name}: not parked${held.length > 0 ? ' but written' : ''}`);
        if (p.expect === 'parked' && own.length > 0) problems.push(`${name}: written, though it is parked`);
        // Flagged itself, by its own id: a reason naming its number may be another document's (one carrying the same number).
        const flaggedItself = mine.some((r) => r.reason_code.startsWith(FLAGGED_REASON_PREFIX) && p.ids.some((id) => r.source_id.toLowerCase().includes(id.toLowerCase())));
        if (p.expect === 'flagged' && (held.length === 0 || !flaggedItself)) problems.push(`${name}: not ${held.length === 0 ? 'written' : 'flagged for review'}`);
        if ((p.expect === 'written' || p.expect === 'flagged') && held.length === 0) problems.push(`${name}: not written${mine.length > 0 ? `, parked: ${mine[0]!.reason_text.slice(0, 300)}` : ''}`);
        if (p.expect === 'either' && mine.length === 0 && held.length === 0) problems.push(`${name}: neither written nor parked (lost)`);
        for (const r of mine) {
          if (![p.number, ...(p.alsoNamed ?? [])].some((n) => r.reason_text.includes(n))) problems.push(`${name}: the reason does not name the document: ${r.reason_text.slice(0, 300)}`);
          // What to do: correct it in the source, or add or set what is missing (a flag says it in its own words).
          if (!r.reason_code.startsWith(FLAGGED_REASON_PREFIX) && !/\b(Correct|correct|add|Add|set|Set|enter|Enter|map|Map)\b/.test(r.reason_text)) problems.push(`${name}: the reason does not say what to do: ${r.reason_text.slice(0, 300)}`);
          // A refusal by the target names the target's rule, not what to correct in the source: the planner must see it first.
          if (r.reason_code === 'target-rejected') problems.push(`${name}: parked only because the target refused it: ${r.reason_text.slice(0, 300)}`);
          for (const leak of rawLeaks(r.reason_text, textsOf(p.raw))) problems.push(`${name}: the reason shows ${leak}: ${r.reason_text.slice(0, 300)}`);
          if (GUID.test(r.reason_text)) problems.push(`${name}: the reason shows an id (GUID) instead of words: ${r.reason_text.slice(0, 300)}`);
          for (const id of lineIdsOf(p.raw)) if (new RegExp(`\\b(?:line|item) ${id}\\b`).test(r.reason_text)) problems.push(`${name}: the reason names a line by Procore's id ${id} instead of its place: ${r.reason_text.slice(0, 300)}`);
        }
        for (const row of held) {
          const stored = JSON.stringify(row.value);
          if (p.exactAmount !== undefined && !stored.includes(p.exactAmount)) problems.push(`${name}: written without its exact amount ${p.exactAmount} (rounded?): ${stored.slice(0, 400)}`);
          for (const text of p.arrives ?? []) if (!textsOf(row.value).includes(text)) problems.push(`${name}: "${text}" did not arrive intact: ${stored.slice(0, 400)}`);
        }
      }
      // The demo's document whose number a plant copies was there first: it is not the one flagged.
      const planted = plants.flatMap((p) => [...p.ids, ...(p.hostIds ?? [])].map((id) => id.toLowerCase()));
      for (const r of parked)
        if (r.reason_code === `${FLAGGED_REASON_PREFIX}duplicate-number` && !planted.some((id) => r.source_id.toLowerCase().includes(id)))
          problems.push(`a good record is flagged for a number a plant copied: ${r.reason_text.slice(0, 300)}`);
      expect(problems).toEqual([]);
      // Every good record as a clean run writes it, record by record.
      const good = books.filter((row) => plantOf(row, plants) === undefined);
      expectSameBooks(clean, good);
      expect(unhandled).toEqual([]);
    } finally {
      await f.close();
    }
  }, 90_000);
});
