import type { JsonValue } from '../../../../src-shared/domain/audit';
import {
  comparedField,
  compareLines,
  type ComparedField,
  type RecordComparison,
  type RecordLabel,
  type TargetLabel,
} from '../../../../src-shared/domain/labels';
import { Decimal } from '../../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, Supplier } from '../../../../src-shared/domain/records';
import type { SourceRecordRef, TargetState } from '../types';
import type { PlannedCoupaSupplier, PlannedExactSupplier, PlannedInvoice, PlannedPurchaseOrder, PlannedWrite } from './model';
import type { CoupaSupplierRecord } from './suppliers';

/**
 * How F5's records are named on every screen, command, export and notification (decision 0022):
 * Exact purchase orders as "PO 20011 · Koster B.V. · € 39.854,50", purchase entries by the
 * supplier's invoice number ("Supplier invoice F2026-00089", "Credit note CN-7") with their amount
 * incl. VAT (what Coupa's invoice totals and the supplier is paid), suppliers by code and name;
 * what the flow writes as "Coupa purchase order EX-20011 (id 123)", "Coupa invoice F2026-00089
 * (id 88)", "Coupa supplier 40030 (id 12)", and suppliers written back as "Exact Online supplier
 * 40030". And the record view: the Exact record beside what Coupa was sent, field by field and
 * line by line. Pure.
 */

/** Names a Coupa supplier number by its Coupa name, when the run has read it. */
export type SupplierNamer = (coupaNumber: string) => string | null;

const sumOf = (amounts: readonly string[]): Decimal => Decimal.sum(amounts.map((a) => Decimal.parse(a)));

function projectsOf(lines: readonly { projectCode: string | null }[]): string | null {
  const codes = [...new Set(lines.map((l) => l.projectCode).filter((c): c is string => c !== null && c !== ''))];
  return codes.length ? codes.join(', ') : null;
}

export function purchaseOrderRecordLabel(po: PurchaseOrder): RecordLabel {
  return {
    documentType: 'Purchase order',
    shortType: 'PO',
    number: po.number,
    counterparty: po.supplier.name || null,
    counterpartyCode: po.supplier.code || null,
    project: projectsOf(po.lines),
    date: po.orderDate || null,
    amount: (po.amount === undefined ? sumOf(po.lines.map((l) => l.amount)) : Decimal.parse(po.amount)).toMoneyString(),
    currency: po.currency,
  };
}

const isCreditNote = (inv: Pick<PurchaseInvoice, 'documentType'>): boolean => inv.documentType === 'credit-note';

/**
 * An entry's net, VAT and gross as Coupa holds them: a credit note is negative there, so one
 * booked with positive amounts in Exact is turned (as the planner sends it).
 */
export function invoiceAmounts(inv: Pick<PurchaseInvoice, 'documentType' | 'lines'>): { net: string; vat: string; gross: string; sign: 1 | -1 } {
  const net = sumOf(inv.lines.map((l) => l.amount));
  const vat = sumOf(inv.lines.map((l) => l.vatAmount));
  const sign = isCreditNote(inv) && !net.isNegative() && !net.isZero() ? -1 : 1;
  const signed = (d: Decimal): string => (sign < 0 ? d.negate() : d).toMoneyString();
  return { net: signed(net), vat: signed(vat), gross: signed(net.plus(vat)), sign };
}

export function invoiceRecordLabel(inv: PurchaseInvoice): RecordLabel {
  const type = isCreditNote(inv) ? 'Credit note' : 'Supplier invoice';
  return {
    documentType: type,
    shortType: type,
    number: inv.invoiceNumber || inv.entryNumber,
    counterparty: inv.supplier.name || null,
    counterpartyCode: inv.supplier.code || null,
    project: projectsOf(inv.lines),
    date: inv.invoiceDate || null,
    amount: invoiceAmounts(inv).gross,
    currency: inv.currency,
  };
}

export function supplierRecordLabel(s: Pick<Supplier, 'code' | 'name'>): RecordLabel {
  return { documentType: 'Supplier', shortType: 'Supplier', number: s.code, counterparty: s.name || null, counterpartyCode: s.code, project: null, date: null, amount: null, currency: null };
}

export function coupaSupplierRecordLabel(s: Pick<CoupaSupplierRecord, 'number' | 'name'>): RecordLabel {
  return { documentType: 'Coupa supplier', shortType: 'Coupa supplier', number: s.number, counterparty: s.name || null, counterpartyCode: s.number, project: null, date: null, amount: null, currency: null };
}

/** What a plan is (or would be) in Coupa or, for suppliers written back, in Exact. */
export function coupaTargetLabel(plan: PlannedWrite, targetId: string | null, supplierName?: SupplierNamer): TargetLabel {
  const id = targetId === '' ? null : targetId; // a cancellation Coupa had nothing for is confirmed without an id
  switch (plan.entity) {
    case 'supplier':
      return { system: 'Coupa', documentType: 'Supplier', number: plan.input.number, id, counterparty: plan.input.name, project: null, amount: null, currency: null };
    case 'exact-supplier':
      return {
        system: 'Exact Online',
        documentType: 'Supplier',
        number: plan.originId,
        id,
        counterparty: plan.write.kind === 'create' ? plan.write.input.name : (plan.write.changes.name ?? null),
        project: null,
        amount: null,
        currency: null,
      };
    case 'purchase-order': {
      const number = 'number' in plan.input.supplier ? plan.input.supplier.number : null;
      return {
        system: 'Coupa',
        documentType: 'Purchase order',
        number: plan.originId,
        id,
        counterparty: (number && supplierName?.(number)) ?? null,
        project: plan.input.shipToAddressCode ?? null,
        // Cancelled in Coupa: it keeps its lines there but commits nothing.
        amount: plan.containerId === 'cancelled' ? '0.00' : plan.total,
        currency: plan.currency,
      };
    }
    case 'purchase-invoice': {
      const number = 'number' in plan.input.supplier ? plan.input.supplier.number : null;
      return {
        system: 'Coupa',
        documentType: plan.input.creditNote ? 'Credit note' : 'Invoice',
        number: plan.input.invoiceNumber,
        id,
        counterparty: (number && supplierName?.(number)) ?? null,
        project: null,
        amount: plan.total,
        currency: plan.currency,
      };
    }
  }
}

// -------------------------------------------------------------------------------------------------
// From stored snapshots (records parked or audited before labels were stored, and the record view)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asPurchaseOrder(payload: JsonValue | null): PurchaseOrder | null {
  return isObject(payload) && payload['kind'] === 'purchase-order' && typeof payload['number'] === 'string' && isObject(payload['supplier']) && Array.isArray(payload['lines'])
    ? (payload as unknown as PurchaseOrder)
    : null;
}

function asInvoice(payload: JsonValue | null): PurchaseInvoice | null {
  return isObject(payload) && payload['kind'] === 'purchase-invoice' && typeof payload['invoiceNumber'] === 'string' && isObject(payload['supplier']) && Array.isArray(payload['lines'])
    ? (payload as unknown as PurchaseInvoice)
    : null;
}

function asSupplier(payload: JsonValue | null): Supplier | null {
  return isObject(payload) && payload['kind'] === 'supplier' && typeof payload['code'] === 'string' && typeof payload['name'] === 'string' ? (payload as unknown as Supplier) : null;
}

function asCoupaSupplier(payload: JsonValue | null): CoupaSupplierRecord | null {
  return isObject(payload) && !('kind' in payload) && typeof payload['name'] === 'string' && Array.isArray(payload['remitTos']) ? (payload as unknown as CoupaSupplierRecord) : null;
}

function asPlan(payload: JsonValue): PlannedWrite | null {
  if (!isObject(payload) || typeof payload['originId'] !== 'string') return null;
  const entity = payload['entity'];
  return entity === 'purchase-order' || entity === 'purchase-invoice' || entity === 'supplier' || entity === 'exact-supplier' ? (payload as unknown as PlannedWrite) : null;
}

/** The label of a stored F5 snapshot, or null when it is not one (the host then names it by its id). */
export function describeF5Record(_ref: SourceRecordRef, payload: JsonValue): RecordLabel | null {
  try {
    const po = asPurchaseOrder(payload);
    if (po) return purchaseOrderRecordLabel(po);
    const inv = asInvoice(payload);
    if (inv) return invoiceRecordLabel(inv);
    const supplier = asSupplier(payload);
    if (supplier) return supplierRecordLabel(supplier);
    const coupa = asCoupaSupplier(payload);
    return coupa ? coupaSupplierRecordLabel(coupa) : null;
  } catch {
    return null; // an amount that is not a decimal: not an F5 record after all
  }
}

const account = (gl: string | null, costCenter: string | null): string | null => (gl ? `GL ${gl}${costCenter ? ` · cost center ${costCenter}` : ''}` : null);
const joined = (values: readonly (string | null | undefined)[]): string | null => {
  const present = [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return present.length ? present.join(', ') : null;
};

/**
 * Lines pair by line number (Coupa's line-num is Exact's). Quantity and price are shown, not
 * compared: a line whose quantity × price does not give its amount to the cent goes to Coupa as
 * an amount line (no quantity), which is no difference.
 */
const ORDER_COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: true },
  { id: 'quantity', label: 'Quantity', kind: 'quantity', compared: false },
  { id: 'unitPrice', label: 'Unit price', kind: 'amount', compared: false },
  { id: 'amount', label: 'Amount excl. VAT', kind: 'amount', compared: true },
  { id: 'coding', label: 'Account', kind: 'text', compared: true },
];
const INVOICE_COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: true },
  { id: 'amount', label: 'Amount excl. VAT', kind: 'amount', compared: true },
  { id: 'vat', label: 'VAT', kind: 'amount', compared: true },
  { id: 'coding', label: 'Account', kind: 'text', compared: true },
  { id: 'orderLine', label: 'PO line', kind: 'text', compared: false },
];

function comparePurchaseOrder(po: PurchaseOrder | null, plans: readonly { plan: PlannedPurchaseOrder; label: TargetLabel | null }[], sourceLabel: RecordLabel | null): RecordComparison {
  const written = plans.length > 0;
  const target = (read: (p: PlannedPurchaseOrder, l: TargetLabel | null) => string | null | undefined): string | null => (written ? joined(plans.map((t) => read(t.plan, t.label))) : null);
  const label = sourceLabel ?? (po ? purchaseOrderRecordLabel(po) : null);
  const currency = po?.currency ?? plans[0]?.plan.currency ?? null;
  const cancelled = plans.some((t) => t.plan.containerId === 'cancelled');
  const fields: ComparedField[] = [
    comparedField('Document', 'text', label ? `Purchase order ${label.number ?? ''}`.trim() : null, target((p) => `Purchase order ${p.originId}`), { compared: false }),
    comparedField('Number', 'text', po?.number ?? null, target((p) => p.orderNumber)),
    comparedField('Supplier', 'text', po ? `${po.supplier.code} ${po.supplier.name}` : null, target((p, l) => {
      const number = 'number' in p.input.supplier ? p.input.supplier.number : null;
      return [number, l?.counterparty].filter(Boolean).join(' ') || null;
    }), { compared: false }),
    comparedField('Project / ship-to', 'text', label?.project ?? null, target((p) => p.input.shipToAddressCode ?? null), { compared: false }),
    comparedField('Status', 'text', po?.status ?? null, target((p) => (p.containerId === 'cancelled' ? 'cancelled' : 'open')), { compared: false }),
    comparedField('Currency', 'text', po?.currency ?? null, target((p) => p.input.currency)),
    comparedField('Total excl. VAT', 'amount', po ? sumOf(po.lines.map((l) => l.amount)).toMoneyString() : null, written ? sumOf(plans.map((t) => t.plan.total)).toMoneyString() : null, { currency }),
  ];
  const amounts = new Map(plans.flatMap((t) => t.plan.lines.map((l) => [l.originId, l.amount] as const)));
  const lines = compareLines(
    ORDER_COLUMNS,
    (po?.lines ?? []).map((l) => ({
      key: String(l.lineNumber),
      cells: { description: l.description.trim() || l.itemCode || `Line ${l.lineNumber}`, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount, coding: account(l.glAccountCode, l.costCenterCode || null) },
    })),
    written
      ? plans.flatMap((t) =>
          t.plan.input.lines.map((l) => ({
            key: String(l.lineNum),
            cells: { description: l.description, quantity: l.quantity, unitPrice: l.price, amount: amounts.get(String(l.lineNum)) ?? null, coding: account(l.glAccount, l.costCenter) },
          })),
        )
      : [],
  );
  return {
    sourceTitle: 'Exact Online',
    targetTitle: cancelled ? 'Coupa (cancelled)' : 'Coupa',
    fields,
    lineColumns: ORDER_COLUMNS,
    lines: written ? lines : lines.map((l) => ({ ...l, differs: [] })),
    currency,
  };
}

function compareInvoice(inv: PurchaseInvoice | null, plans: readonly { plan: PlannedInvoice; label: TargetLabel | null }[], sourceLabel: RecordLabel | null): RecordComparison {
  const written = plans.length > 0;
  const target = (read: (p: PlannedInvoice, l: TargetLabel | null) => string | null | undefined): string | null => (written ? joined(plans.map((t) => read(t.plan, t.label))) : null);
  const label = sourceLabel ?? (inv ? invoiceRecordLabel(inv) : null);
  const currency = inv?.currency ?? plans[0]?.plan.currency ?? null;
  const amounts = inv ? invoiceAmounts(inv) : null;
  const signed = (text: string): string => (amounts?.sign === -1 ? Decimal.parse(text).negate().toMoneyString() : text);
  const fields: ComparedField[] = [
    comparedField('Document', 'text', label ? `${label.documentType} ${label.number ?? ''}`.trim() : null, target((p) => `${p.input.creditNote ? 'Credit note' : 'Invoice'} ${p.input.invoiceNumber}`), { compared: false }),
    comparedField('Invoice number', 'text', inv?.invoiceNumber ?? null, target((p) => p.input.invoiceNumber)),
    comparedField('Entry number', 'text', inv?.entryNumber ?? null, null, { compared: false }),
    comparedField('Supplier', 'text', inv ? `${inv.supplier.code} ${inv.supplier.name}` : null, target((p, l) => {
      const number = 'number' in p.input.supplier ? p.input.supplier.number : null;
      return [number, l?.counterparty].filter(Boolean).join(' ') || null;
    }), { compared: false }),
    comparedField('Invoice date', 'date', inv?.invoiceDate ?? null, target((p) => p.input.invoiceDate)),
    comparedField('Due date', 'date', inv?.dueDate ?? null, target((p) => p.input.netDueDate ?? null)),
    comparedField('Purchase order', 'text', inv?.purchaseOrderNumber ?? null, target((p) => joined(p.input.lines.map((l) => (l.orderLine && 'poNumber' in l.orderLine ? l.orderLine.poNumber : null)))), { compared: false }),
    comparedField('Corrects invoice', 'text', null, target((p) => p.input.creditNote?.originalInvoiceNumber ?? null), { compared: false }),
    comparedField('Currency', 'text', inv?.currency ?? null, target((p) => p.input.currency)),
    comparedField('Net', 'amount', amounts?.net ?? null, written ? sumOf(plans.map((t) => t.plan.net)).toMoneyString() : null, { currency }),
    comparedField('VAT', 'amount', amounts?.vat ?? null, written ? sumOf(plans.map((t) => t.plan.tax)).toMoneyString() : null, { currency }),
    comparedField('Total incl. VAT', 'amount', amounts?.gross ?? null, written ? sumOf(plans.map((t) => t.plan.total)).toMoneyString() : null, { currency }),
  ];
  const nets = new Map(plans.flatMap((t) => t.plan.lines.map((l) => [l.originId, l.amount] as const)));
  const lines = compareLines(
    INVOICE_COLUMNS,
    (inv?.lines ?? []).map((l) => ({
      key: String(l.lineNumber),
      cells: { description: l.description.trim() || `Line ${l.lineNumber}`, amount: signed(l.amount), vat: signed(l.vatAmount), coding: account(l.glAccountCode, l.costCenterCode || null), orderLine: null },
    })),
    written
      ? plans.flatMap((t) =>
          t.plan.input.lines.map((l) => ({
            key: String(l.lineNum),
            cells: {
              description: l.description,
              amount: nets.get(String(l.lineNum)) ?? null,
              vat: l.taxAmount,
              coding: account(l.glAccount, l.costCenter),
              orderLine: l.orderLine ? ('poNumber' in l.orderLine ? `${l.orderLine.poNumber} line ${l.orderLine.lineNum}` : `id ${l.orderLine.id}`) : null,
            },
          })),
        )
      : [],
  );
  return { sourceTitle: 'Exact Online', targetTitle: 'Coupa', fields, lineColumns: INVOICE_COLUMNS, lines: written ? lines : lines.map((l) => ({ ...l, differs: [] })), currency };
}

const yesNo = (blocked: boolean | undefined | null): string | null => (blocked === undefined || blocked === null ? null : blocked ? 'blocked' : 'not blocked');

function compareSupplier(s: Supplier | null, plans: readonly PlannedCoupaSupplier[]): RecordComparison {
  const p = plans[0] ?? null;
  const input = p?.input;
  const fields: ComparedField[] = [
    comparedField('Code / number', 'text', s?.code ?? null, input?.number ?? null),
    comparedField('Name', 'text', s?.name ?? null, input?.name ?? null),
    comparedField('E-mail', 'text', s?.email ?? null, input?.primaryContact === undefined ? null : (input.primaryContact?.email ?? null)),
    comparedField('VAT number', 'text', s?.vatNumber ?? null, input?.taxId ?? null),
    comparedField('Blocked', 'text', s ? yesNo(s.blocked) : null, input?.status === undefined ? null : yesNo(input.status === 'inactive')),
    comparedField('Remit-to', 'text', null, input?.remitTos ? joined(input.remitTos.map((r) => r.code)) : null, { compared: false }),
  ];
  return { sourceTitle: 'Exact Online', targetTitle: 'Coupa', fields, lineColumns: [], lines: [], currency: null };
}

function compareCoupaSupplier(cs: CoupaSupplierRecord | null, plans: readonly PlannedExactSupplier[]): RecordComparison {
  const p = plans[0] ?? null;
  const values = p ? (p.write.kind === 'create' ? p.write.input : p.write.changes) : null;
  // An update sends only the fields that change: the others are not compared.
  const side = <K extends 'name' | 'email' | 'vatNumber'>(key: K): string | null => (values && values[key] !== undefined ? (values[key] ?? null) : null);
  const fields: ComparedField[] = [
    comparedField('Number / code', 'text', cs?.number ?? null, p?.originId ?? null),
    comparedField('Name', 'text', cs?.name ?? null, side('name')),
    comparedField('E-mail', 'text', cs?.primaryContact?.email ?? null, side('email')),
    comparedField('VAT number', 'text', cs?.taxId ?? null, side('vatNumber')),
    comparedField('Blocked', 'text', cs ? yesNo(cs.status === 'inactive') : null, values ? yesNo(values.blocked) : null),
  ];
  return { sourceTitle: 'Coupa', targetTitle: 'Exact Online', fields, lineColumns: [], lines: [], currency: null };
}

/** The Exact record (or, Coupa → Exact, the Coupa supplier) beside what the flow sent for it. */
export function compareF5Record(_ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null {
  const plans = targets.flatMap((t) => {
    const plan = asPlan(t.payload);
    return plan ? [{ plan, label: t.label }] : [];
  });
  const po = asPurchaseOrder(source);
  const orders = plans.filter((t): t is { plan: PlannedPurchaseOrder; label: TargetLabel | null } => t.plan.entity === 'purchase-order');
  if (po || (source === null && orders.length > 0 && orders.length === plans.length)) return comparePurchaseOrder(po, orders, sourceLabel ?? null);
  const inv = asInvoice(source);
  const invoices = plans.filter((t): t is { plan: PlannedInvoice; label: TargetLabel | null } => t.plan.entity === 'purchase-invoice');
  if (inv || (source === null && invoices.length > 0 && invoices.length === plans.length)) return compareInvoice(inv, invoices, sourceLabel ?? null);
  const supplier = asSupplier(source);
  const toCoupa = plans.flatMap((t) => (t.plan.entity === 'supplier' ? [t.plan] : []));
  if (supplier || (source === null && toCoupa.length > 0)) return compareSupplier(supplier, toCoupa);
  const coupa = asCoupaSupplier(source);
  const toExact = plans.flatMap((t) => (t.plan.entity === 'exact-supplier' ? [t.plan] : []));
  if (coupa || (source === null && toExact.length > 0)) return compareCoupaSupplier(coupa, toExact);
  return null;
}
