import type { JsonValue } from '../../../../src-shared/domain/audit';
import { comparedField, compareLines, type RecordComparison, type RecordLabel } from '../../../../src-shared/domain/labels';
import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreDirectCost, ProcoreRequisition } from '../../../../src-shared/domain/records';
import type { BillLineInput } from '../../../connectors/acumatica';
import type { SourceRecordRef, TargetState } from '../types';
import { directCostRecordLabel, invoiceRecordLabel } from './labels';
import type { PlannedBill } from './model';

/**
 * The record view of F2's bills (decision 0022): the Procore subcontractor invoice or direct cost
 * beside the AP bill Acumatica holds (or was sent) for it, header and lines, differences marked.
 * Bill lines carry no key of the source line (Acumatica keys them by its own id), so they pair
 * in the order the planner wrote them: the lines billed this period, then retainage.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: false },
  { id: 'amount', label: 'Amount', kind: 'amount', compared: true },
  { id: 'coding', label: 'Coding', kind: 'text', compared: false },
];

/** A planned bill's retainage lines (net-line retainage), by the text the planner gives them. */
const RETAINAGE = /^Retainage (held|released) on /;

function asBill(payload: JsonValue | null): PlannedBill | null {
  return isObject(payload) && payload['entity'] === 'bill' && isObject(payload['bill']) && Array.isArray((payload['bill'] as Record<string, unknown>)['lines'])
    ? (payload as unknown as PlannedBill)
    : null;
}

function billCoding(l: BillLineInput): string {
  return [`GL ${l.account}${l.subaccount ? ` / ${l.subaccount}` : ''}`, l.branch && `branch ${l.branch}`, l.project && l.project !== 'X' && `project ${l.project}`, l.task && `task ${l.task}`, l.costCode && `cost code ${l.costCode}`]
    .filter(Boolean)
    .join(' · ');
}

type Side = { key: string; cells: Record<string, string | null> };

export function compareF2Record(_ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null {
  const requisition = isObject(source) && isObject(source['requisition']) ? (source['requisition'] as unknown as ProcoreRequisition) : null;
  const directCost = isObject(source) && isObject(source['directCost']) ? (source['directCost'] as unknown as ProcoreDirectCost) : null;
  const written = targets.map((t) => ({ plan: asBill(t.payload), label: t.label })).find((t) => t.plan !== null) ?? null;
  const plan = written?.plan ?? null;
  if (!requisition && !directCost && !plan) return null;
  const currency = plan?.currency ?? sourceLabel?.currency ?? null;
  // Retainage on lines of its own: the bill holds what is payable, so that is what it is compared with.
  const netLine = plan?.bill.lines.some((l) => RETAINAGE.test(l.description)) ?? false;

  const sourceLines: Side[] = [];
  let sourceTotal: string | null = null;
  let number: string | null = null;
  let date: string | null = null;
  if (requisition) {
    for (const item of requisition.lines.filter((i) => !Decimal.parse(i.billedThisPeriod).isZero()))
      sourceLines.push({ key: `line ${sourceLines.length + 1}`, cells: { description: `${item.itemType === 'change-order' ? 'Change order item' : 'Contract item'}: ${item.description}`, amount: item.billedThisPeriod, coding: `cost code ${item.costCode}` } });
    if (netLine) {
      const held = Decimal.parse(requisition.retainageThisPeriod);
      const released = Decimal.parse(requisition.retainageReleasedThisPeriod);
      if (!held.isZero()) sourceLines.push({ key: 'retainage held', cells: { description: 'Retainage held this period', amount: held.negate().toMoneyString(), coding: null } });
      if (!released.isZero()) sourceLines.push({ key: 'retainage released', cells: { description: 'Retainage released this period', amount: released.toMoneyString(), coding: null } });
    }
    sourceTotal = netLine ? requisition.netPayable : requisition.totalClaimed;
    number = requisition.invoiceNumber;
    date = requisition.billingDate ?? requisition.periodEnd;
  } else if (directCost) {
    for (const l of directCost.lines)
      sourceLines.push({ key: `line ${sourceLines.length + 1}`, cells: { description: l.description || l.costCodeName, amount: l.amount, coding: `cost code ${l.costCode}${l.lineItemTypeCode ? ` · cost type ${l.lineItemTypeCode}` : ''}` } });
    sourceTotal = directCost.grandTotal;
    number = directCost.invoiceNumber;
    date = directCost.date ?? directCost.receivedDate;
  }

  const targetLines: Side[] = [];
  if (plan) {
    let item = 0;
    for (const l of plan.bill.lines) {
      const retainage = RETAINAGE.exec(l.description);
      const key = retainage ? `retainage ${retainage[1]!}` : `line ${++item}`;
      targetLines.push({ key, cells: { description: l.description, amount: l.amount, coding: billCoding(l) } });
    }
  }

  const label = sourceLabel ?? (requisition ? invoiceRecordLabel(requisition, null) : directCost ? directCostRecordLabel(directCost, null) : null);
  const target = written?.label ?? null;
  const fields = [
    comparedField('Document', 'text', label ? `${label.documentType} ${label.number ?? ''}`.trim() : null, target ? `${target.documentType}${target.id ? ` ${target.id}` : ''}` : plan ? 'Bill' : null, { compared: false }),
    comparedField('Invoice number / vendor ref', 'text', number, plan?.bill.vendorRef ?? null),
    comparedField('Vendor', 'text', label?.counterparty ?? null, plan ? (target?.counterparty ? `${plan.bill.vendorId} ${target.counterparty}` : plan.bill.vendorId) : null, { compared: false }),
    comparedField('Project', 'text', label?.project ?? null, target?.project ?? plan?.bill.project ?? null, { compared: false }),
    comparedField('Date', 'date', date, plan?.bill.date ?? null),
    comparedField(netLine ? 'Payable (after retainage)' : 'Amount', 'amount', sourceTotal, plan?.total ?? null, { currency }),
  ];
  return {
    sourceTitle: 'Procore',
    targetTitle: 'Acumatica',
    fields,
    lineColumns: COLUMNS,
    lines: compareLines(COLUMNS, sourceLines, targetLines).map((line) => (plan ? line : { ...line, differs: [] })),
    currency,
  };
}
