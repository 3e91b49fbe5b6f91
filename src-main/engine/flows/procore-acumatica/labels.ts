import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { RecordLabel, TargetLabel } from '../../../../src-shared/domain/labels';
import type { ProcoreCommitment, ProcoreDirectCost, ProcoreRequisition } from '../../../../src-shared/domain/records';
import type { SourceRecordRef } from '../types';
import type { CheckRecord, CommitmentRecord, CostCodeRecord, DirectCostRecord, F2Write, InvoiceRecord, VendorPairRecord } from './model';
import type { F2Policy } from './policy';
import { VENDOR_CREDIT_TYPE } from '../../../connectors/acumatica';

/**
 * How F2's records are named on every screen, command, export and notification (decision 0022):
 * a subcontractor invoice as "Subcontractor invoice SC-003 #2 (F2026-00121) · Meijer B.V. ·
 * 172,791.75" (its commitment, its number on it and the subcontractor's own invoice number; the
 * amount its AP bill holds), a direct cost by its invoice number, an AP payment by its type and
 * number with the amount it pays on one bill; and what F2 wrote as Acumatica names it ("Acumatica
 * bill 000123") or Procore does ("Procore cost code 01-100").
 */

/** Names a Procore project: its Acumatica project ("P26004 Distributiecentrum Tilburg-Noord"), when mapped. */
export type ProjectNamer = (procoreProjectId: string) => string | null;

/**
 * What the AP bill of a subcontractor invoice holds: net of retainage when retainage is a line of
 * the bill, else what was billed (Acumatica's own retainage is held on the bill, not off it).
 */
export function invoiceBillAmount(r: Pick<ProcoreRequisition, 'netPayable' | 'totalClaimed'>, retainage: F2Policy['retainage']): string {
  return retainage === 'net-line' ? r.netPayable : r.totalClaimed;
}

/** "SC-003 #2 (F2026-00121)": the invoice by its commitment, its number there and the subcontractor's own number. */
export function invoiceNumberOf(r: Pick<ProcoreRequisition, 'commitmentNumber' | 'commitmentId' | 'number' | 'invoiceNumber'>): string {
  return `${r.commitmentNumber ?? r.commitmentId} #${r.number}${r.invoiceNumber ? ` (${r.invoiceNumber})` : ''}`;
}

export function invoiceRecordLabel(r: ProcoreRequisition, policy: Pick<F2Policy, 'retainage' | 'currency'> | null, project?: ProjectNamer): RecordLabel {
  return {
    documentType: 'Subcontractor invoice',
    shortType: 'Subcontractor invoice',
    number: invoiceNumberOf(r),
    counterparty: r.vendor?.name ?? r.vendorName ?? null,
    counterpartyCode: null,
    project: project?.(r.projectId) ?? null,
    date: r.billingDate ?? r.periodEnd ?? null,
    // Without the connection's policy (a stored snapshot read later): what the subcontractor billed.
    amount: invoiceBillAmount(r, policy?.retainage ?? 'gross'),
    currency: policy?.currency ?? null,
  };
}

export function directCostRecordLabel(d: ProcoreDirectCost, policy: Pick<F2Policy, 'currency'> | null, project?: ProjectNamer): RecordLabel {
  return {
    documentType: 'Direct cost',
    shortType: 'Direct cost',
    number: d.invoiceNumber ?? d.sourceId,
    counterparty: d.vendor?.name ?? null,
    counterpartyCode: null,
    project: project?.(d.projectId) ?? null,
    date: d.date ?? d.receivedDate ?? null,
    amount: d.grandTotal,
    currency: policy?.currency ?? null,
  };
}

export function commitmentRecordLabel(c: ProcoreCommitment, policy: Pick<F2Policy, 'currency'> | null, project?: ProjectNamer): RecordLabel {
  const type = c.commitmentType === 'work-order' ? 'Work order contract' : 'Purchase order contract';
  return {
    documentType: type,
    shortType: c.commitmentType === 'work-order' ? 'Subcontract' : 'PO',
    number: c.number,
    counterparty: c.vendor?.name ?? null,
    counterpartyCode: null,
    project: project?.(c.projectId) ?? null,
    date: c.contractDate,
    amount: c.revisedContract,
    currency: policy?.currency ?? null,
  };
}

/** A vendor pair, by its name and (when it has one) its Acumatica VendorID. */
export function vendorRecordLabel(pair: VendorPairRecord): RecordLabel {
  const vendorId = pair.acumatica?.vendorId ?? pair.procore?.originId ?? null;
  return {
    documentType: 'Vendor',
    shortType: 'Vendor',
    number: vendorId,
    counterparty: pair.procore?.name ?? pair.acumatica?.fields.name ?? null,
    counterpartyCode: vendorId,
    project: null,
    date: null,
    amount: null,
    currency: null,
  };
}

export function costCodeRecordLabel(rec: CostCodeRecord): RecordLabel {
  return {
    documentType: 'Acumatica cost code',
    shortType: 'Cost code',
    number: rec.description ? `${rec.code} ${rec.description}` : rec.code,
    counterparty: null,
    counterpartyCode: null,
    project: rec.projectName,
    date: null,
    amount: null,
    currency: null,
  };
}

/** One AP payment on one bill: "Check 000045 · Meijer B.V. · 12,000.00" (what it pays on that bill). */
export function checkRecordLabel(rec: CheckRecord, policy: Pick<F2Policy, 'currency'> | null, vendorName?: (vendorId: string) => string | null): RecordLabel {
  const app = rec.applications[0];
  const name = app?.posted?.source.vendorName || (rec.vendorId ? (vendorName?.(rec.vendorId) ?? null) : null);
  return {
    documentType: `AP ${rec.type.toLowerCase()}`,
    shortType: rec.type,
    number: rec.referenceNbr,
    counterparty: name ?? rec.vendorId,
    counterpartyCode: rec.vendorId,
    project: null,
    date: rec.applicationDate,
    amount: app?.amountPaid ?? null,
    currency: policy?.currency ?? null,
  };
}

// -------------------------------------------------------------------------------------------------
// What F2 writes, as the target names it

export interface TargetNames {
  /** Acumatica vendor name by VendorID (the run's reference, when read). */
  acumaticaVendor?: (vendorId: string) => string | null;
  project?: ProjectNamer;
}

/** "Bill 000123" (the writer's key of a bill) → its type and Acumatica reference number. */
function billKeyParts(targetId: string | null): { type: string; referenceNbr: string } | null {
  const m = targetId ? /^(Bill|Credit Adj\.|Debit Adj\.|Prepayment) (.+)$/.exec(targetId) : null;
  return m ? { type: m[1]!, referenceNbr: m[2]! } : null;
}

const BILL_TYPES: Record<string, string> = { Bill: 'Bill', 'Credit Adj.': 'Credit adjustment', 'Debit Adj.': 'Debit adjustment', Prepayment: 'Prepayment' };

/**
 * The document a plan writes: an AP bill as "Acumatica bill F2026-00121 (id 000123)" (the
 * vendor's invoice number, and Acumatica's reference number once
 * written), a vendor by its VendorID, a payment or cost code in Procore by what it is attached
 * to.
 */
export function f2TargetLabel(plan: F2Write, targetId: string | null, names: TargetNames = {}): TargetLabel {
  const base = { id: targetId, amount: plan.total, currency: plan.currency };
  switch (plan.entity) {
    case 'bill': {
      const key = billKeyParts(targetId);
      const type = key?.type ?? (plan.total.startsWith('-') ? VENDOR_CREDIT_TYPE : 'Bill');
      return {
        ...base,
        system: 'Acumatica',
        documentType: BILL_TYPES[type] ?? type,
        // The vendor's invoice number is the bill's own number for AP; Acumatica's reference number is its id.
        number: plan.bill.vendorRef,
        id: key?.referenceNbr ?? null,
        counterparty: names.acumaticaVendor?.(plan.bill.vendorId) ?? plan.source.vendorName ?? plan.bill.vendorId,
        project: names.project?.(plan.source.projectId) ?? plan.bill.project ?? null,
      };
    }
    case 'vendor':
      return { ...base, system: 'Acumatica', documentType: 'Vendor', number: plan.vendorId, id: null, counterparty: plan.agreed.name, project: null, amount: null, currency: null };
    case 'subcontract':
      return {
        ...base,
        system: 'Acumatica',
        documentType: 'Subcontract',
        number: targetId ?? plan.subcontract.vendorRef,
        id: null,
        counterparty: names.acumaticaVendor?.(plan.subcontract.vendorId) ?? plan.subcontract.vendorId,
        project: plan.subcontract.project ?? null,
      };
    case 'payment':
      return {
        ...base,
        system: 'Procore',
        documentType: plan.payment.target === 'requisition' ? 'Contract payment' : 'Payment date of direct cost',
        number: plan.payment.target === 'requisition' ? (plan.payment.checkNumber ?? null) : null,
        counterparty: null,
        project: names.project?.(plan.payment.projectId) ?? null,
      };
    case 'cost-code':
      return { ...base, system: 'Procore', documentType: 'Cost code', number: plan.costCode.code, counterparty: null, project: names.project?.(plan.projectId) ?? null, amount: null, currency: null };
  }
}

// -------------------------------------------------------------------------------------------------
// From stored snapshots (the host names records whose row has no stored label)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The label of a stored F2 snapshot (its stream record), or null when it is not one. */
export function describeF2Record(_ref: SourceRecordRef, payload: JsonValue): RecordLabel | null {
  if (!isObject(payload) || typeof payload['sourceId'] !== 'string') return null;
  const p = payload as unknown as Partial<InvoiceRecord & DirectCostRecord & CommitmentRecord & VendorPairRecord & CheckRecord & CostCodeRecord>;
  if (isObject(p.requisition) && p.requisition['kind'] === 'procore-requisition') return invoiceRecordLabel(p.requisition as unknown as ProcoreRequisition, null);
  if (isObject(p.directCost) && p.directCost['kind'] === 'procore-direct-cost') return directCostRecordLabel(p.directCost as unknown as ProcoreDirectCost, null);
  if (isObject(p.commitment) && p.commitment['kind'] === 'procore-commitment') return commitmentRecordLabel(p.commitment as unknown as ProcoreCommitment, null);
  if ('linkedBy' in p && 'candidates' in p) return vendorRecordLabel(payload as unknown as VendorPairRecord);
  if (typeof p.referenceNbr === 'string' && typeof p.type === 'string' && Array.isArray(p.applications)) return checkRecordLabel(payload as unknown as CheckRecord, null);
  if (typeof p.code === 'string' && typeof p.projectName === 'string') return costCodeRecordLabel(payload as unknown as CostCodeRecord);
  return null;
}
