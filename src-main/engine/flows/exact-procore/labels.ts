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
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import type { SourceRecordRef, TargetState } from '../types';
import type { PlannedCommitment, PlannedDirectCost, PlannedLine, PlannedWrite, ProcoreReference } from './model';

/**
 * How F1's documents are named on every screen, command, export and notification (decision
 * 0022): Exact purchase orders as "PO 20010", purchase invoices by the supplier's invoice number
 * ("Invoice F2026-00089"), with the supplier, the project(s), the date and the amount excl. VAT;
 * the Procore documents written for them as "Procore commitment <id>" and "Procore direct cost
 * <id>". And the record view: the Exact document and what Procore holds, field by field and
 * line by line.
 */

/** Names a project code: "P26-005 Woontoren Kop van Zuid" when the Procore project it maps to is known. */
export type ProjectNamer = (projectCode: string) => string | null;

function projectsOf(lines: readonly { projectCode: string | null }[], name?: ProjectNamer): string | null {
  const codes = [...new Set(lines.map((l) => l.projectCode).filter((c): c is string => c !== null))];
  if (codes.length === 0) return null;
  return codes.map((code) => { const n = name?.(code); return n ? `${code} ${n}` : code; }).join(', ');
}

function sumOf(amounts: readonly string[]): string {
  return Decimal.sum(amounts.map((a) => Decimal.parse(a))).toMoneyString();
}

export function purchaseOrderLabel(po: PurchaseOrder, projectName?: ProjectNamer): RecordLabel {
  return {
    documentType: 'Purchase order',
    shortType: 'PO',
    number: po.number,
    counterparty: po.supplier.name || null,
    counterpartyCode: po.supplier.code || null,
    project: projectsOf(po.lines, projectName),
    date: po.orderDate || null,
    amount: po.amount ?? sumOf(po.lines.map((l) => l.amount)),
    currency: po.currency,
  };
}

export function purchaseInvoiceLabel(inv: PurchaseInvoice, projectName?: ProjectNamer): RecordLabel {
  const credit = inv.documentType === 'credit-note';
  return {
    documentType: credit ? 'Credit note' : 'Purchase invoice',
    shortType: credit ? 'Credit note' : 'Invoice',
    number: inv.invoiceNumber || inv.entryNumber,
    counterparty: inv.supplier.name || null,
    counterpartyCode: inv.supplier.code || null,
    project: projectsOf(inv.lines, projectName),
    date: inv.invoiceDate || null,
    amount: sumOf(inv.lines.map((l) => l.amount)),
    currency: inv.currency,
  };
}

/**
 * A Procore document written (targetId) or about to be (null), named with Procore's own names
 * when known; its project as the source names it too ("P26-005 Riverside Medical Centre").
 */
export function procoreLabel(plan: PlannedWrite, targetId: string | null, reference?: ProcoreReference | null, projectCodeOf?: (projectId: string) => string | null): TargetLabel {
  const project = reference?.projects.get(plan.projectId);
  const name = project?.name ?? null;
  const code = projectCodeOf?.(plan.projectId) ?? null;
  // The cost codes and cost types of its lines by their Procore ids, so the record view shows "01-100 · M".
  const codes: Record<string, string> = {};
  if (reference) {
    const used = new Set(plan.lines.flatMap((l) => [l.costCodeId, l.lineItemTypeId]));
    for (const [full, id] of project?.costCodes ?? []) if (used.has(id)) codes[id] = full;
    for (const [typeCode, id] of reference.lineItemTypes) if (used.has(id)) codes[id] = typeCode;
  }
  return {
    system: 'Procore',
    documentType: plan.entity === 'commitment' ? 'Commitment' : 'Direct cost',
    number: plan.entity === 'commitment' ? plan.number : plan.invoiceNumber,
    id: targetId,
    counterparty: reference?.vendors.get(plan.vendorId) ?? null,
    project: code && name ? `${code} ${name}` : (name ?? code),
    amount: plan.total,
    currency: plan.currency,
    ...(Object.keys(codes).length > 0 ? { codes } : {}),
  };
}

// -------------------------------------------------------------------------------------------------
// From stored snapshots (records parked or audited before labels were stored, and the record view)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asPurchaseOrder(payload: JsonValue | null): PurchaseOrder | null {
  return isObject(payload) && payload['kind'] === 'purchase-order' && typeof payload['number'] === 'string' && isObject(payload['supplier']) && Array.isArray(payload['lines'])
    ? (payload as unknown as PurchaseOrder)
    : null;
}

function asPurchaseInvoice(payload: JsonValue | null): PurchaseInvoice | null {
  return isObject(payload) && payload['kind'] === 'purchase-invoice' && typeof payload['invoiceNumber'] === 'string' && isObject(payload['supplier']) && Array.isArray(payload['lines'])
    ? (payload as unknown as PurchaseInvoice)
    : null;
}

function asPlan(payload: JsonValue | null): PlannedWrite | null {
  return isObject(payload) && (payload['entity'] === 'commitment' || payload['entity'] === 'direct-cost') && Array.isArray(payload['lines'])
    ? (payload as unknown as PlannedWrite)
    : null;
}

/** The label of a stored F1 snapshot, or null when it is not one (the host then names it by its id). */
export function describeF1Record(_ref: SourceRecordRef, payload: JsonValue): RecordLabel | null {
  try {
    const po = asPurchaseOrder(payload);
    if (po) return purchaseOrderLabel(po);
    const inv = asPurchaseInvoice(payload);
    return inv ? purchaseInvoiceLabel(inv) : null;
  } catch {
    return null; // an amount that is not a decimal: not an F1 record after all
  }
}

const LINE_COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: true },
  { id: 'quantity', label: 'Quantity', kind: 'quantity', compared: true },
  { id: 'unitPrice', label: 'Unit price', kind: 'amount', compared: true },
  { id: 'amount', label: 'Amount', kind: 'amount', compared: true },
  { id: 'coding', label: 'Coding', kind: 'text', compared: false },
];
/** A direct cost keeps no quantity or unit price per line: an invoice is compared by amount. */
const INVOICE_LINE_COLUMNS = LINE_COLUMNS.filter((c) => c.id !== 'quantity' && c.id !== 'unitPrice');

type SourceLine = { sourceLineId: string; projectCode: string | null; description: string; amount: string; quantity?: string | null; unitPrice?: string | null; glAccountCode: string | null; costCenterCode: string | null; costUnitCode: string | null };

function sourceCells(line: SourceLine): Record<string, string | null> {
  const coding = [line.glAccountCode && `GL ${line.glAccountCode}`, line.costCenterCode && `cost center ${line.costCenterCode}`, line.costUnitCode && `cost unit ${line.costUnitCode}`, line.projectCode && `project ${line.projectCode}`]
    .filter(Boolean)
    .join(' · ');
  return { description: line.description, quantity: line.quantity ?? null, unitPrice: line.unitPrice ?? null, amount: line.amount, coding: coding || null };
}

function targetCells(line: PlannedLine, codes: Readonly<Record<string, string>>): Record<string, string | null> {
  const costCode = codes[line.costCodeId];
  const type = codes[line.lineItemTypeId];
  return {
    description: line.description,
    quantity: line.quantity,
    unitPrice: line.unitCost,
    amount: line.amount,
    coding: `cost code ${costCode ?? `id ${line.costCodeId}`} · cost type ${type ?? `id ${line.lineItemTypeId}`}`,
  };
}

/**
 * The Exact document beside what Procore holds (or was sent) for it: the header fields and the
 * lines paired by line id, differences marked. A record split over projects is compared with
 * the targets given (one target: only the lines of its project).
 */
export function compareF1Record(_ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null {
  const po = asPurchaseOrder(source);
  const inv = po ? null : asPurchaseInvoice(source);
  const plans = targets.map((t) => ({ plan: asPlan(t.payload), label: t.label })).filter((t): t is { plan: PlannedWrite; label: TargetLabel | null } => t.plan !== null);
  if (!po && !inv && plans.length === 0) return null;
  const record = po ?? inv;
  const currency = record?.currency ?? plans[0]?.plan.currency ?? null;

  // A split record's target holds the lines of one project: compare with those.
  const projectsOfTargets = new Set(plans.map((t) => (t.plan.originId.includes('/') ? t.plan.originId.slice(t.plan.originId.indexOf('/') + 1) : null)));
  const wholeRecord = plans.length === 0 || projectsOfTargets.has(null);
  const sourceLines = ((record?.lines ?? []) as SourceLine[]).filter((l) => wholeRecord || (l.projectCode !== null && projectsOfTargets.has(l.projectCode)));
  const targetLines = plans.flatMap((t) => t.plan.lines.map((line) => ({ line, codes: t.label?.codes ?? {} })));
  const joined = (values: (string | null)[]): string | null => {
    const present = [...new Set(values.filter((v): v is string => v !== null && v !== ''))];
    return present.length ? present.join(', ') : null;
  };
  const written = plans.length > 0;
  const targetOf = (read: (plan: PlannedWrite, label: TargetLabel | null) => string | null): string | null => (written ? joined(plans.map((t) => read(t.plan, t.label))) : null);
  // The label stored when it was read names its projects with Procore's names; a fresh reading has only the codes.
  const label = sourceLabel ?? (po ? purchaseOrderLabel(po) : inv ? purchaseInvoiceLabel(inv) : null);

  const fields: ComparedField[] = [
    comparedField(
      'Document',
      'text',
      label ? `${label.documentType} ${label.number ?? ''}`.trim() : null,
      targetOf((p) => `${p.entity === 'commitment' ? 'Commitment' : 'Direct cost'} ${p.entity === 'commitment' ? p.number : p.invoiceNumber}`),
      { compared: false },
    ),
    comparedField('Number', 'text', po ? po.number : inv ? inv.invoiceNumber : null, targetOf((p) => (p.entity === 'commitment' ? (p as PlannedCommitment).number : (p as PlannedDirectCost).invoiceNumber)), {
      // A split purchase order's commitments carry the project in their number (20001-P26-003).
      compared: wholeRecord,
    }),
    comparedField('Supplier / vendor', 'text', record ? `${record.supplier.code} ${record.supplier.name}` : null, targetOf((p, l) => l?.counterparty ?? `vendor ${p.vendorId}`), { compared: false }),
    comparedField('Project', 'text', label?.project ?? null, targetOf((p, l) => l?.project ?? `project ${p.projectId}`), { compared: false }),
    comparedField('Date', 'date', po ? po.orderDate : inv ? inv.invoiceDate : null, targetOf((p) => (p.entity === 'commitment' ? (p as PlannedCommitment).contractDate : (p as PlannedDirectCost).date))),
    comparedField('Description', 'text', record?.description ?? null, targetOf((p) => p.description)),
    comparedField('Status', 'text', po ? po.status : inv ? (inv.status ?? null) : null, targetOf((p) => p.status), { compared: false }),
    comparedField(
      'Total excl. VAT',
      'amount',
      record ? sumOf(sourceLines.map((l) => l.amount)) : null,
      written ? sumOf(plans.map((t) => t.plan.total)) : null,
      { currency },
    ),
  ];
  const columns = inv || plans.some((t) => t.plan.entity === 'direct-cost') ? INVOICE_LINE_COLUMNS : LINE_COLUMNS;
  return {
    sourceTitle: 'Exact Online',
    targetTitle: 'Procore',
    fields,
    lineColumns: columns,
    lines: compareLines(
      columns,
      sourceLines.map((l) => ({ key: l.sourceLineId, cells: sourceCells(l) })),
      written ? targetLines.map(({ line, codes }) => ({ key: line.originId, cells: targetCells(line, codes) })) : [],
    ).map((line) => (written ? line : { ...line, differs: [] })),
    currency,
  };
}
