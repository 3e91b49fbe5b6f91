import type { JsonValue } from '../../../../src-shared/domain/audit';
import { comparedField, compareLines, type ComparedField, type RecordComparison, type RecordLabel, type TargetLabel } from '../../../../src-shared/domain/labels';
import { Decimal } from '../../../../src-shared/domain/money';
import type { SourceRecordRef, TargetState } from '../types';
import type { BillPaymentsRecord, CommitmentRecord, PlannedDocument, PlannedWrite, RequisitionRecord, TaskRecord, VendorPairRecord } from './model';
import { DEFAULT_POLICY, type F3Policy } from './policy';

/**
 * How F3's records are named on every screen, command, export and notification (decision 0022):
 * Procore commitments as "Subcontract SC-001 · vendor · $ revised contract", pay applications as
 * "Pay application 3 on SC-001 · vendor · amount" (claimed or payable, per the retainage
 * setting: what Intacct's bill totals), vendors by Intacct id and name; what the flow writes as
 * "Sage Intacct AP bill …", "Sage Intacct purchasing transaction …", "Sage Intacct journal
 * entry …", and Procore vendors, cost codes and payments. And the record view: the Procore record
 * beside the Intacct document, header and lines. Pure.
 */

/** Names a Procore project by its name, when the run has read it. */
export type ProjectNamer = (projectId: string) => string | null;

type Money = Pick<F3Policy, 'currency' | 'retainage'>;

export function commitmentRecordLabel(record: Pick<CommitmentRecord, 'commitment'>, policy: Money = DEFAULT_POLICY, projectName?: ProjectNamer): RecordLabel {
  const c = record.commitment;
  const type = c.commitmentType === 'work-order' ? 'Subcontract' : 'Purchase order';
  return {
    documentType: type,
    shortType: c.commitmentType === 'work-order' ? 'Subcontract' : 'PO',
    number: c.number,
    counterparty: c.vendor?.name ?? null,
    counterpartyCode: c.vendor?.id ?? null,
    project: projectName?.(c.projectId) ?? null,
    date: c.contractDate,
    // What Intacct's document holds: the schedule of values plus approved change orders.
    amount: Decimal.parse(c.revisedContract).toMoneyString(),
    currency: policy.currency,
  };
}

/** What a pay application's bill totals: claimed (gross) or payable after retainage. */
export function payApplicationAmount(r: RequisitionRecord['requisition'], policy: Money = DEFAULT_POLICY): string {
  return Decimal.parse(policy.retainage === 'gross' ? r.totalClaimed : r.netPayable).toMoneyString();
}

export function payApplicationRecordLabel(record: Pick<RequisitionRecord, 'requisition'>, policy: Money = DEFAULT_POLICY, projectName?: ProjectNamer): RecordLabel {
  const r = record.requisition;
  return {
    documentType: 'Pay application',
    shortType: 'Pay application',
    number: `${r.number} on ${r.commitmentNumber ?? `commitment ${r.commitmentId}`}`,
    counterparty: r.vendor?.name ?? r.vendorName,
    counterpartyCode: r.vendor?.id ?? null,
    project: projectName?.(r.projectId) ?? null,
    date: r.billingDate ?? r.periodEnd,
    amount: payApplicationAmount(r, policy),
    currency: policy.currency,
  };
}

export function vendorRecordLabel(pair: Pick<VendorPairRecord, 'intacct' | 'procore'>): RecordLabel {
  return { documentType: 'Vendor', shortType: 'Vendor', number: pair.intacct.vendorId, counterparty: pair.intacct.name || pair.procore?.name || null, counterpartyCode: pair.intacct.vendorId, project: null, date: null, amount: null, currency: null };
}

export function billPaymentsRecordLabel(record: Pick<BillPaymentsRecord, 'bill' | 'requisition'>, policy: Money = DEFAULT_POLICY): RecordLabel {
  return {
    documentType: 'Payments of AP bill',
    shortType: 'Payments of bill',
    number: record.bill.billNumber ?? record.bill.recordNo,
    counterparty: record.bill.vendorId,
    counterpartyCode: record.bill.vendorId,
    project: null,
    date: null,
    amount: Decimal.parse(record.bill.totalPaid).toMoneyString(),
    currency: policy.currency,
  };
}

export function taskRecordLabel(task: Pick<TaskRecord, 'taskId' | 'name' | 'intacctProjectId'>): RecordLabel {
  return { documentType: 'Intacct task', shortType: 'Task', number: task.taskId, counterparty: task.name || null, counterpartyCode: null, project: task.intacctProjectId, date: null, amount: null, currency: null };
}

const DOCUMENT_TYPES: Record<PlannedDocument['entity'], string> = { 'intacct-purchasing': 'Purchasing transaction', 'intacct-bill': 'AP bill', 'intacct-journal': 'Journal entry' };

/** What a plan is (or would be) in Intacct or, written back, in Procore. */
export function f3TargetLabel(plan: PlannedWrite, targetId: string | null, projectName?: ProjectNamer): TargetLabel {
  const id = targetId === '' ? null : targetId;
  switch (plan.entity) {
    case 'intacct-purchasing':
    case 'intacct-bill':
    case 'intacct-journal':
      return {
        system: 'Sage Intacct',
        documentType: DOCUMENT_TYPES[plan.entity],
        number: plan.header.number,
        id,
        counterparty: plan.header.vendorName || plan.header.vendorId,
        project: plan.header.projectId ?? null,
        amount: plan.total,
        currency: plan.currency,
      };
    case 'intacct-vendor':
      return { system: 'Sage Intacct', documentType: 'Vendor', number: plan.vendor.vendorId, id, counterparty: plan.vendor.name ?? null, project: null, amount: null, currency: null };
    case 'procore-vendor':
      return { system: 'Procore', documentType: 'Vendor', number: plan.vendor.originCode ?? plan.vendor.originId, id, counterparty: plan.vendor.name, project: null, amount: null, currency: null };
    case 'procore-cost-code':
      return { system: 'Procore', documentType: 'Cost code', number: plan.costCode.code, id, counterparty: plan.costCode.name, project: projectName?.(plan.projectId) ?? null, amount: null, currency: null };
    case 'procore-payment':
      return {
        system: 'Procore',
        documentType: 'Contract payment',
        number: `${plan.payment.paymentOriginId} on pay application ${plan.payment.requisitionNumber}`,
        id,
        counterparty: null,
        project: projectName?.(plan.payment.projectId) ?? null,
        amount: Decimal.parse(plan.payment.amount).toMoneyString(),
        currency: plan.currency,
      };
  }
}

// -------------------------------------------------------------------------------------------------
// From stored snapshots (records parked or audited before labels were stored, and the record view)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asCommitment(payload: JsonValue | null): CommitmentRecord | null {
  return isObject(payload) && isObject(payload['commitment']) && payload['commitment']['kind'] === 'procore-commitment' && Array.isArray(payload['changeOrders']) ? (payload as unknown as CommitmentRecord) : null;
}

function asPayApplication(payload: JsonValue | null): RequisitionRecord | null {
  return isObject(payload) && isObject(payload['requisition']) && payload['requisition']['kind'] === 'procore-requisition' ? (payload as unknown as RequisitionRecord) : null;
}

function asVendorPair(payload: JsonValue | null): VendorPairRecord | null {
  return isObject(payload) && isObject(payload['intacct']) && typeof payload['intacct']['vendorId'] === 'string' && 'procore' in payload ? (payload as unknown as VendorPairRecord) : null;
}

function asBillPayments(payload: JsonValue | null): BillPaymentsRecord | null {
  return isObject(payload) && isObject(payload['bill']) && isObject(payload['requisition']) && Array.isArray(payload['payments']) ? (payload as unknown as BillPaymentsRecord) : null;
}

function asTask(payload: JsonValue | null): TaskRecord | null {
  return isObject(payload) && typeof payload['taskId'] === 'string' && typeof payload['intacctProjectId'] === 'string' ? (payload as unknown as TaskRecord) : null;
}

function asDocument(payload: JsonValue): PlannedDocument | null {
  return isObject(payload) && (payload['entity'] === 'intacct-purchasing' || payload['entity'] === 'intacct-bill' || payload['entity'] === 'intacct-journal') && Array.isArray(payload['postingLines'])
    ? (payload as unknown as PlannedDocument)
    : null;
}

/** The label of a stored F3 snapshot (amounts per the default policy), or null when it is not one. */
export function describeF3Record(_ref: SourceRecordRef, payload: JsonValue): RecordLabel | null {
  try {
    const commitment = asCommitment(payload);
    if (commitment) return commitmentRecordLabel(commitment);
    const payApplication = asPayApplication(payload);
    if (payApplication) return payApplicationRecordLabel(payApplication);
    const vendors = asVendorPair(payload);
    if (vendors) return vendorRecordLabel(vendors);
    const payments = asBillPayments(payload);
    if (payments) return billPaymentsRecordLabel(payments);
    const task = asTask(payload);
    return task ? taskRecordLabel(task) : null;
  } catch {
    return null; // an amount that is not a decimal: not an F3 record after all
  }
}

const coding = (costCode: string | null, costType: string | null): string | null => (costCode ? `cost code ${costCode}${costType ? ` · cost type ${costType}` : ''}` : null);
const money = (amount: string): string => Decimal.parse(amount).toMoneyString();

const COMMITMENT_COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: false },
  { id: 'amount', label: 'Amount', kind: 'amount', compared: true },
  { id: 'coding', label: 'Coding', kind: 'text', compared: true },
];
/** A pay application's line posts what it bills this period, net or gross of retainage per the setting: shown, not compared. */
const PAY_APPLICATION_COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'description', label: 'Description', kind: 'text', compared: false },
  { id: 'amount', label: 'Billed this period / posted', kind: 'amount', compared: false },
  { id: 'retainage', label: 'Retainage', kind: 'amount', compared: false },
  { id: 'coding', label: 'Coding', kind: 'text', compared: true },
];

/**
 * A commitment's lines as its Intacct document carries them: the schedule of values, each
 * approved change order line added to the first line of the same cost code and cost type, or a
 * line of its own (as the planner builds them; change order statuses per the default policy).
 */
function commitmentLines(record: CommitmentRecord): { key: string; cells: Record<string, string | null> }[] {
  const c = record.commitment;
  const lines = [...c.lines]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.sourceLineId.localeCompare(b.sourceLineId))
    .map((l) => ({ key: `sov:${l.sourceLineId}`, costCode: l.costCode, costType: l.lineItemTypeCode, description: l.description, amount: Decimal.parse(l.amount) }));
  for (const co of record.changeOrders) {
    if (co.commitmentId !== c.sourceId || !DEFAULT_POLICY.changeOrderStatuses.includes(co.status.toLowerCase())) continue;
    for (const l of co.lines ?? []) {
      const same = lines.find((w) => w.costCode === l.costCode && w.costType === l.lineItemTypeCode);
      if (same) same.amount = same.amount.plus(Decimal.parse(l.amount));
      else lines.push({ key: `co:${l.costCode}|${l.lineItemTypeCode ?? ''}`, costCode: l.costCode, costType: l.lineItemTypeCode, description: `${l.description} (change order ${co.number})`, amount: Decimal.parse(l.amount) });
    }
  }
  return lines.map((l) => ({ key: l.key, cells: { description: l.description, amount: l.amount.toMoneyString(), coding: coding(l.costCode, l.costType) } }));
}

/** The Procore commitment or pay application beside the Intacct document the flow posted for it. */
export function compareF3Record(_ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null {
  const docs = targets.flatMap((t) => {
    const plan = asDocument(t.payload);
    return plan ? [{ plan, label: t.label }] : [];
  });
  const commitment = asCommitment(source);
  const payApplication = commitment ? null : asPayApplication(source);
  if (!commitment && !payApplication && docs.length === 0) return null;
  if (!commitment && !payApplication && source !== null) return null; // vendors, payments, tasks: no document to compare
  const doc = docs[0] ?? null;
  const label = sourceLabel ?? (commitment ? commitmentRecordLabel(commitment) : payApplication ? payApplicationRecordLabel(payApplication) : null);
  const currency = label?.currency ?? doc?.plan.currency ?? null;
  const header = doc?.plan.header ?? null;
  const fields: ComparedField[] = [
    comparedField('Document', 'text', label ? `${label.documentType} ${label.number ?? ''}`.trim() : null, doc ? `${DOCUMENT_TYPES[doc.plan.entity]} ${header!.number}` : null, { compared: false }),
    comparedField('Vendor', 'text', label?.counterparty ?? null, header ? `${header.vendorId} ${header.vendorName}`.trim() : null, { compared: false }),
    comparedField('Project', 'text', label?.project ?? null, header?.projectId ?? null, { compared: false }),
    comparedField('Date', 'date', label?.date ?? null, header?.date ?? null),
    comparedField(
      'Description',
      'text',
      commitment ? commitment.commitment.title || commitment.commitment.description || null : payApplication?.requisition.invoiceNumber ? `Invoice ${payApplication.requisition.invoiceNumber}` : null,
      header?.description ?? null,
      { compared: false },
    ),
    comparedField('Total', 'amount', label?.amount ?? null, doc?.plan.total ?? null, { currency }),
  ];
  const columns = payApplication || doc?.plan.kind === 'pay-application' ? PAY_APPLICATION_COLUMNS : COMMITMENT_COLUMNS;
  const sourceLines = commitment
    ? commitmentLines(commitment)
    : (payApplication?.requisition.lines ?? []).map((l) => ({
        key: `g703:${l.sourceLineId}`,
        cells: { description: l.description || l.costCodeName, amount: money(l.billedThisPeriod), retainage: Decimal.parse(l.retainageRetainedThisPeriod).plus(Decimal.parse(l.materialsRetainageRetained)).toMoneyString(), coding: coding(l.costCode, payApplication!.costTypes[l.sourceLineId] ?? null) },
      }));
  const targetLines = (doc?.plan.postingLines ?? []).map((l) => ({
    key: l.ref,
    cells: { description: l.description, amount: money(l.amount), retainage: l.retainage === undefined ? null : money(l.retainage), coding: coding(l.costCode, l.costType) ?? (l.accountNo ? `GL ${l.accountNo}` : null) },
  }));
  // A pay application's lines that bill nothing this period are not posted: not a difference.
  const posted = new Set(targetLines.map((l) => l.key));
  const shownSource = doc && payApplication ? sourceLines.filter((l) => posted.has(l.key) || !Decimal.parse(l.cells.amount ?? '0').isZero()) : sourceLines;
  const lines = compareLines(columns, shownSource, targetLines);
  return {
    sourceTitle: 'Procore',
    targetTitle: 'Sage Intacct',
    fields,
    lineColumns: columns,
    lines: doc ? lines : lines.map((l) => ({ ...l, differs: [] })),
    currency,
  };
}
