import { Decimal } from '../../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../../../src-shared/domain/records';
import { isFlaggedReason } from '../../../../src-shared/domain/validation';
import type { CoupaConnector, CoupaInvoice, CoupaPurchaseOrder } from '../../../connectors/coupa';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import type { Store } from '../../../store/db';
import { reconcile, type ReconciliationReport, type ReconInput } from '../../reconcile/reconcile';
import { readOrExplain } from '../../sync/explain-read-failure';
import { STREAMS } from './flow';
import { invoiceAmounts } from './labels';
import { loadF5Mappings } from './mappings';
import { F5_FLOW, type CoupaFlowPolicy, type F5Mappings, type PlannedInvoice, type PlannedPurchaseOrder } from './model';
import { coupaNumberOf, invoiceOriginId, poNumberOf } from './plan';

/**
 * F5's answer to "do Exact and Coupa agree?" (decision 0023): per document, the Exact purchase
 * order's total (excl. VAT) against the Coupa PO's, and the purchase entry's gross (incl. VAT,
 * what the supplier is paid) against the Coupa invoice's; each difference explained by the
 * generic module (engine/reconcile): waits in Pending validation, not yet synced (changed in
 * Exact since, or never sent), changed in Coupa by hand (the app's last write is what Exact says
 * but Coupa holds something else, or it is gone from Coupa), deleted in Exact.
 *
 * Coupa amounts: a cancelled PO commits nothing (0.00; it keeps its lines there), a voided or
 * abandoned invoice owes nothing. A document Coupa holds under the flow's key that Exact does not
 * expect there — an order cancelled or an entry rejected in Exact before it was ever sent — is
 * "in Coupa only" (entered there by hand): it is compared as 0.00 expected, and as 0.00 the app
 * last wrote, so the module reports it as changed in Coupa by hand, with its whole amount.
 *
 * Coupa documents under numbers no Exact document has (keyed in Coupa by hand) are listed too:
 * every PO whose po-number has the flow's prefix, and every invoice of the suppliers F5 knows;
 * each is "in Coupa only", its whole amount changed in Coupa by hand.
 *
 * Reads only. Calls: Exact — the full purchase-order, deletion and purchase-entry reads (as an
 * initial sync reads them); Coupa — the POs under the prefix, 50 a page (⌈POs / 50⌉, plus lookups
 * by number for POs written under an earlier prefix), and the invoices of F5's suppliers, 50
 * supplier numbers a query and 50 invoices a page (about ⌈invoices / 50⌉ + ⌈suppliers / 50⌉).
 */

/** Coupa statuses in which an invoice owes nothing. */
const VOID_INVOICE = new Set(['voided', 'abandoned', 'withdrawn', 'disputed_voided']);

export interface F5ReconInput {
  mappings: Pick<F5Mappings, 'policy' | 'supplierLinks'>;
  orders: readonly PurchaseOrder[];
  /** Exact's sync/Deleted: orders gone, whatever a full read still returns. */
  deletedOrders: ReadonlySet<string>;
  invoices: readonly PurchaseInvoice[];
  /** Rows Exact sent that could not be read (they wait in Pending). */
  unreadable: readonly { sourceId: string; label: string; problem: string }[];
  coupaOrders: ReadonlyMap<string, CoupaPurchaseOrder>;
  /** By origin id: supplier number / invoice number. */
  coupaInvoices: ReadonlyMap<string, CoupaInvoice>;
  /** Why a record waits in Pending validation, by stream and Exact id. */
  parked: ReadonlyMap<string, string>;
  /** What the app last wrote to Coupa and had confirmed, by entity and origin id. */
  written: ReadonlyMap<string, { sourceId: string; containerId: string | null; payload: PlannedPurchaseOrder | PlannedInvoice }>;
}

export const parkedKey = (stream: string, sourceId: string): string => `${stream}\u0000${sourceId}`;
export const writtenKey = (entity: 'purchase-order' | 'purchase-invoice', originId: string): string => `${entity}\u0000${originId}`;

const cents = (amount: string): Decimal => Decimal.parse(amount).roundToCents();

/** What the app last had Coupa hold for a written record: a cancelled PO commits nothing. */
function confirmedOf(w: { containerId: string | null; payload: PlannedPurchaseOrder | PlannedInvoice } | undefined): string | null {
  if (!w) return null;
  return w.payload.entity === 'purchase-order' && w.containerId === 'cancelled' ? '0.00' : w.payload.total;
}

function coupaOrderTotal(po: CoupaPurchaseOrder | undefined): string | null {
  if (!po) return null;
  return po.status === 'cancelled' ? '0.00' : Decimal.parse(po.total).toMoneyString();
}

function coupaInvoiceTotal(inv: CoupaInvoice | undefined): string | null {
  if (!inv) return null;
  return VOID_INVOICE.has(inv.status) ? '0.00' : Decimal.parse(inv.gross).toMoneyString();
}

/** "123" / "123, cancelled": the Coupa record as a controller finds it there. */
const coupaId = (doc: { id: string; status: string } | undefined): string | null => (doc ? (doc.status === 'cancelled' || VOID_INVOICE.has(doc.status) ? `${doc.id}, ${doc.status}` : doc.id) : null);

function projectsOf(lines: readonly { projectCode: string | null }[]): string | null {
  const codes = [...new Set(lines.map((l) => l.projectCode).filter((c): c is string => c !== null && c !== ''))];
  return codes.length ? codes.join(', ') : null;
}

/** The comparisons for the generic reconciliation: one per Coupa document the flow writes (or should). Pure. */
export function f5Comparisons(input: F5ReconInput): ReconInput[] {
  const { mappings: m } = input;
  const policy: CoupaFlowPolicy = m.policy;
  const out: ReconInput[] = [];
  const seen = new Set<string>();

  /** A document Coupa holds that Exact does not expect there (and the app never wrote). */
  const inCoupaOnly = (base: Omit<ReconInput, 'expected' | 'actual' | 'confirmed' | 'targetKey' | 'parkedReason' | 'deletedAtSource'>, key: string, actual: string): ReconInput => ({
    ...base,
    documentNumber: `${base.documentNumber} (in Coupa only)`,
    targetKey: key,
    expected: '0.00',
    actual,
    confirmed: '0.00',
    parkedReason: null,
    deletedAtSource: false,
  });

  for (const po of input.orders) {
    if (input.deletedOrders.has(po.sourceId)) continue;
    const key = poNumberOf(m as F5Mappings, po.number);
    const wkey = writtenKey('purchase-order', key);
    seen.add(wkey);
    const written = input.written.get(wkey);
    const held = input.coupaOrders.get(key);
    const base = {
      sourceId: po.sourceId,
      documentType: 'Purchase order',
      documentNumber: po.number,
      counterparty: po.supplier.name || null,
      project: projectsOf(po.lines),
      currency: po.currency,
      lineCount: Math.max(1, po.lines.length),
      targetId: coupaId(held),
    };
    const parkedReason = input.parked.get(parkedKey(STREAMS.purchaseOrders, po.sourceId)) ?? null;
    let expected: string | null;
    if (po.status === 'cancelled') {
      if (!written) {
        // Never sent (cancelled before it reached Coupa): nothing is expected there.
        const actual = coupaOrderTotal(held);
        if (held && actual !== '0.00') out.push(inCoupaOnly(base, key, actual!));
        continue;
      }
      // Cancelled in Coupa per the policy; left as it was otherwise.
      expected = policy.cancelledPurchaseOrders === 'cancel' ? '0.00' : confirmedOf(written);
    } else expected = Decimal.sum(po.lines.map((l) => cents(l.amount))).toMoneyString();
    out.push({ ...base, targetKey: key, expected, actual: coupaOrderTotal(held), confirmed: confirmedOf(written), parkedReason, deletedAtSource: false });
  }

  for (const inv of input.invoices) {
    const key = invoiceOriginId(coupaNumberOf(m as F5Mappings, inv.supplier.code), inv.invoiceNumber);
    const wkey = writtenKey('purchase-invoice', key);
    seen.add(wkey);
    const written = input.written.get(wkey);
    const held = input.coupaInvoices.get(key);
    const credit = inv.documentType === 'credit-note';
    const base = {
      sourceId: inv.sourceId,
      documentType: credit ? 'Credit note' : 'Supplier invoice',
      documentNumber: inv.invoiceNumber,
      counterparty: inv.supplier.name || null,
      project: projectsOf(inv.lines),
      currency: inv.currency,
      lineCount: Math.max(1, inv.lines.length),
      targetId: coupaId(held),
    };
    const parkedReason = input.parked.get(parkedKey(STREAMS.purchaseInvoices, inv.sourceId)) ?? null;
    const actual = coupaInvoiceTotal(held);
    if (inv.status === 'rejected' && !written) {
      // Rejected in Exact before it was sent: no liability, nothing expected in Coupa.
      if (held && actual !== '0.00') out.push(inCoupaOnly(base, key, actual!));
      continue;
    }
    // Rejected after it was sent: Coupa should owe nothing (the sync parks it for a person there).
    const expected = inv.status === 'rejected' ? '0.00' : invoiceAmounts(inv).gross;
    out.push({ ...base, targetKey: key, expected, actual, confirmed: confirmedOf(written), parkedReason, deletedAtSource: false });
  }

  // Rows Exact sent that could not be read: they wait in Pending until corrected in Exact.
  const writtenSources = new Set([...input.written.values()].map((w) => w.sourceId));
  for (const row of input.unreadable) {
    if (writtenSources.has(row.sourceId)) continue; // compared below, as written records
    out.push({ sourceId: row.sourceId, documentType: row.label, documentNumber: '', counterparty: null, project: null, currency: 'EUR', targetKey: row.sourceId, expected: null, actual: null, confirmed: null, parkedReason: row.problem, deletedAtSource: false, lineCount: 0 });
  }

  // What the app wrote whose Exact document is gone (deleted there): a PO is cancelled in Coupa
  // per the policy (0.00 expected), an invoice is owed no more.
  for (const [wkey, w] of input.written) {
    if (seen.has(wkey)) continue;
    const plan = w.payload;
    const isOrder = plan.entity === 'purchase-order';
    const held = isOrder ? input.coupaOrders.get(plan.originId) : input.coupaInvoices.get(plan.originId);
    out.push({
      sourceId: w.sourceId,
      documentType: isOrder ? 'Purchase order' : plan.input.creditNote ? 'Credit note' : 'Supplier invoice',
      documentNumber: isOrder ? plan.orderNumber : plan.input.invoiceNumber,
      counterparty: null,
      project: null,
      currency: plan.currency,
      targetKey: plan.originId,
      expected: isOrder && policy.cancelledPurchaseOrders === 'leave' ? confirmedOf(w) : isOrder ? '0.00' : null,
      actual: isOrder ? coupaOrderTotal(held as CoupaPurchaseOrder | undefined) : coupaInvoiceTotal(held as CoupaInvoice | undefined),
      confirmed: confirmedOf(w),
      parkedReason: null,
      deletedAtSource: true,
      lineCount: Math.max(1, plan.lines.length),
      targetId: coupaId(held),
    });
  }

  // Documents Coupa holds under numbers no Exact document has and the app never wrote (keyed in
  // Coupa by hand under the flow's PO-number prefix, or an invoice of one of F5's suppliers).
  const orphan = (kind: 'purchase-order' | 'purchase-invoice', key: string, doc: CoupaPurchaseOrder | CoupaInvoice, number: string, type: string, actual: string | null): void => {
    if (seen.has(writtenKey(kind, key)) || input.written.has(writtenKey(kind, key)) || actual === null || actual === '0.00') return;
    const base = { sourceId: `coupa:${kind}:${doc.id}`, documentType: type, documentNumber: number, counterparty: doc.supplier?.name ?? null, project: null, currency: doc.currency ?? 'EUR', lineCount: Math.max(1, doc.lines.length), targetId: coupaId(doc) };
    out.push(inCoupaOnly(base, key, actual));
  };
  for (const [key, po] of input.coupaOrders) orphan('purchase-order', key, po, po.poNumber, 'Purchase order', coupaOrderTotal(po));
  for (const [key, inv] of input.coupaInvoices) orphan('purchase-invoice', key, inv, inv.invoiceNumber, inv.isCreditNote ? 'Credit note' : 'Supplier invoice', coupaInvoiceTotal(inv));
  return out;
}

export interface ReconcileDeps {
  store: Store;
  exact: Pick<ExactOnlineConnector, 'readPurchaseOrders' | 'readDeletedPurchaseOrders' | 'readPurchaseInvoices'>;
  coupa: Pick<CoupaConnector, 'findPurchaseOrdersByNumber' | 'listPurchaseOrders' | 'listInvoicesOfSuppliers'>;
  apiCalls(): Record<string, number>;
}

async function readAll<R, D>(pages: AsyncIterable<{ records: R[]; deletions: D[]; unreadable?: { sourceId: string; label: string; problem: string }[] }>) {
  const records: R[] = [];
  const deletions: D[] = [];
  const unreadable: { sourceId: string; label: string; problem: string }[] = [];
  for await (const page of pages) {
    records.push(...page.records);
    deletions.push(...page.deletions);
    unreadable.push(...(page.unreadable ?? []));
  }
  return { records, deletions, unreadable };
}

/** Reads Exact in full and Coupa by the keys the flow writes, and reconciles (decision 0023). Writes nothing. */
export async function reconcileExactCoupa(deps: ReconcileDeps): Promise<ReconciliationReport> {
  const { store } = deps;
  const start = deps.apiCalls();
  const { mappings } = loadF5Mappings(store);
  const orders = await readOrExplain('Exact Online', 'the purchase orders', () => readAll<PurchaseOrder, never>(deps.exact.readPurchaseOrders(null)));
  const deleted = await readOrExplain('Exact Online', 'the deleted purchase orders', () => readAll<never, SourceDeletion>(deps.exact.readDeletedPurchaseOrders(null)));
  const invoices = await readOrExplain('Exact Online', 'the purchase entries', () => readAll<PurchaseInvoice, never>(deps.exact.readPurchaseInvoices(null)));

  const written = new Map<string, { sourceId: string; containerId: string | null; payload: PlannedPurchaseOrder | PlannedInvoice }>();
  for (const t of store.targetRecords.listForFlow(F5_FLOW))
    if (t.entity === 'purchase-order' || t.entity === 'purchase-invoice')
      written.set(writtenKey(t.entity, t.originId), { sourceId: t.sourceId, containerId: t.containerId, payload: t.payload as unknown as PlannedPurchaseOrder | PlannedInvoice });

  // Coupa, by every key Exact's documents have and every key the app ever wrote.
  const poNumbers = new Set(orders.records.map((po) => poNumberOf(mappings, po.number)));
  const invoiceKeys = new Map(invoices.records.map((inv) => [invoiceOriginId(coupaNumberOf(mappings, inv.supplier.code), inv.invoiceNumber), { invoiceNumber: inv.invoiceNumber, supplier: { number: coupaNumberOf(mappings, inv.supplier.code) } }]));
  for (const w of written.values()) {
    if (w.payload.entity === 'purchase-order') poNumbers.add(w.payload.originId);
    else if ('number' in w.payload.input.supplier) invoiceKeys.set(w.payload.originId, { invoiceNumber: w.payload.input.invoiceNumber, supplier: { number: w.payload.input.supplier.number } });
  }
  // Coupa's POs under the flow's prefix, listed (so one keyed there by hand is seen too), and by
  // number those the app wrote under an earlier prefix.
  const prefix = mappings.policy.poNumberPrefix;
  const coupaOrders = new Map<string, CoupaPurchaseOrder>();
  for (const po of await readOrExplain('Coupa', 'the purchase orders', () => deps.coupa.listPurchaseOrders({ poNumberPrefix: prefix }))) coupaOrders.set(po.poNumber, po);
  const elsewhere = [...poNumbers].filter((n) => !n.startsWith(prefix));
  if (elsewhere.length) for (const [n, po] of await readOrExplain('Coupa', 'the purchase orders', () => deps.coupa.findPurchaseOrdersByNumber(elsewhere))) coupaOrders.set(n, po);
  // Every invoice of the suppliers F5 knows: those of Exact's documents, the links and those it wrote.
  const supplierNumbers = new Set([...invoiceKeys.values()].map((k) => k.supplier.number));
  for (const po of orders.records) supplierNumbers.add(coupaNumberOf(mappings, po.supplier.code));
  for (const n of mappings.supplierLinks.values()) supplierNumbers.add(n);
  for (const t of store.targetRecords.listForFlow(F5_FLOW)) if (t.entity === 'supplier') supplierNumbers.add(t.originId);
  const coupaInvoices = new Map<string, CoupaInvoice>();
  for (const inv of await readOrExplain('Coupa', 'the invoices', () => deps.coupa.listInvoicesOfSuppliers([...supplierNumbers])))
    if (inv.supplier?.number) coupaInvoices.set(invoiceOriginId(inv.supplier.number, inv.invoiceNumber), inv);

  const parked = new Map<string, string>();
  for (const p of store.parked.listOpen(F5_FLOW)) if (!isFlaggedReason(p.reasonCode)) parked.set(parkedKey(p.stream, p.sourceId), p.reasonText);

  const inputs = f5Comparisons({
    mappings,
    orders: orders.records,
    deletedOrders: new Set(deleted.deletions.map((d) => d.sourceId)),
    invoices: invoices.records,
    unreadable: [...orders.unreadable, ...invoices.unreadable],
    coupaOrders,
    coupaInvoices,
    parked,
    written,
  });
  const end = deps.apiCalls();
  const used = Object.fromEntries(Object.keys(end).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return reconcile({ flow: F5_FLOW, title: 'Exact Online → Coupa', generatedAt: new Date().toISOString(), apiCalls: used }, inputs);
}
