import type {
  ProcoreCommitment,
  ProcoreCommitmentChangeOrder,
  ProcoreRequisition,
  ProcoreVendorRecord,
} from '../../../../src-shared/domain/records';
import type { CostCodeUpsert, RequisitionPaymentWriteBack, VendorUpsert } from '../../../connectors/procore';
import type { BillPayment, BillPaymentStatus, IntacctVendor, LineDimensions, VendorUpdate } from '../../../connectors/sage-intacct';
import type { VendorField } from './policy';

/**
 * F3 (Procore → Sage Intacct): the records its streams read (some joined from two reads, so a
 * stored snapshot is enough to plan them again) and the writes it plans. Ids are strings,
 * amounts two-decimal strings, dates YYYY-MM-DD.
 */

/** All Intacct documents of a run are written and looked up together (Intacct batches per request, not per project). */
export const COMPANY = 'company';

// ---- source records ---------------------------------------------------------------------------

/** A commitment with every change order of it known so far: its Intacct document is planned from both. */
export interface CommitmentRecord {
  sourceId: string;
  commitment: ProcoreCommitment;
  changeOrders: ProcoreCommitmentChangeOrder[];
}

/** A pay application with the cost type of each G703 line (from its commitment's SOV or change order line). */
export interface RequisitionRecord {
  sourceId: string;
  requisition: ProcoreRequisition;
  /** G703 line id → the line item type code of the line it bills (null when unknown). */
  costTypes: Record<string, string | null>;
}

export type VendorValues = Partial<Record<VendorField, string | boolean | null>>;

/** An Intacct vendor with its Procore vendor (null: Procore does not have it yet). */
export interface VendorPairRecord {
  sourceId: string;
  intacct: IntacctVendor;
  procore: ProcoreVendorRecord | null;
  /** How the two are linked ('mapping' = the Vendors table), or null when they are not yet. */
  linkedBy: 'mapping' | 'origin_id' | 'origin_code' | 'name' | null;
  /** Values both systems last held alike (what a 'both' field's change is measured against). */
  agreed: VendorValues;
}

/** An Intacct task of a mapped project: the Procore project should have it as a cost code. */
export interface TaskRecord {
  sourceId: string;
  procoreProjectId: string;
  intacctProjectId: string;
  taskId: string;
  name: string;
  /** The Procore project's cost code with that code, when it has one. */
  procoreCostCode: { id: string; name: string; originId: string | null } | null;
}

/** A bill this flow posted for a pay application, with its payments. */
export interface BillPaymentsRecord {
  sourceId: string;
  bill: BillPaymentStatus;
  requisition: { id: string; projectId: string; commitmentId: string; number: number; invoiceNumber: string | null };
  payments: BillPayment[];
}

// ---- planned writes -----------------------------------------------------------------------------

interface Bookkeeping {
  /** The Intacct key (PROCORE_ID / REFERENCENO), Procore origin id, … */
  originId: string;
  sourceId: string;
  containerId: string;
  total: string;
  currency: string;
}

/** One line of an Intacct document, numbered as Intacct numbers it (stable across amendments). */
export interface PostingLine extends LineDimensions {
  /** What the line stands for: `sov:<line id>`, `co:<cost code>|<type>`, `g703:<line id>`, `release`. */
  ref: string;
  lineNo: number;
  description: string;
  amount: string;
  /** Retainage withheld on it (pay applications). */
  retainage?: string;
  /** GL account (bills and journals; purchasing lines post through their item). */
  accountNo?: string;
  costCode: string | null;
  costType: string | null;
}

export interface DocumentHeader {
  vendorId: string;
  vendorName: string;
  date: string;
  dueDate?: string;
  /** Bill number (RECORDID) / PONUMBER. */
  number: string;
  /** DOCNUMBER of bills. */
  reference: string;
  description: string;
  projectId?: string;
}

export interface PlannedDocument extends Bookkeeping {
  entity: 'intacct-purchasing' | 'intacct-bill' | 'intacct-journal';
  /** What it posts: a Procore commitment or pay application. */
  kind: 'commitment' | 'pay-application';
  header: DocumentHeader;
  /** Purchasing: the transaction definition. */
  transactionType?: string;
  /** Bills: saved as a draft (commitments posted as bills). */
  draft?: boolean;
  /** Journals: the journal and the offset account. */
  journal?: { symbol: string; offsetAccountNo: string };
  postingLines: PostingLine[];
  /** Bills with separate-line retainage: LINE_NO of the retainage credit line. */
  retainageLineNo?: number;
  /** What crash recovery compares with Intacct: each Intacct line by LINE_NO (journals: entry order). */
  lines: { originId: string; amount: string }[];
}

/**
 * The version of the vendor being changed (Procore updated_at / Intacct WHENMODIFIED) is part of
 * the plan: the same change planned again after someone edited the target is a new plan, so it
 * is written again instead of being taken for one already confirmed.
 */
export interface PlannedProcoreVendor extends Bookkeeping {
  entity: 'procore-vendor';
  vendor: VendorUpsert;
  label: string;
  seenVersion: string | null;
}

export interface PlannedIntacctVendor extends Bookkeeping {
  entity: 'intacct-vendor';
  vendor: Omit<VendorUpdate, 'changeId'>;
  label: string;
  seenVersion: string | null;
}

export interface PlannedCostCode extends Bookkeeping {
  entity: 'procore-cost-code';
  projectId: string;
  costCode: CostCodeUpsert;
  /** The name Procore held when planned (see PlannedProcoreVendor.seenVersion). */
  seen?: string;
}

export interface PlannedPayment extends Bookkeeping {
  entity: 'procore-payment';
  payment: RequisitionPaymentWriteBack;
}

export type PlannedWrite = PlannedDocument | PlannedProcoreVendor | PlannedIntacctVendor | PlannedCostCode | PlannedPayment;

/** Which system a planned write goes to. */
export function systemOf(entity: string): 'sage-intacct' | 'procore' {
  return entity.startsWith('intacct-') ? 'sage-intacct' : 'procore';
}

/** The Intacct key of a Procore record's document (stored in PROCORE_ID / REFERENCENO). */
export const documentKey = {
  commitment: (commitmentId: string): string => `procore-commitment-${commitmentId}`,
  payApplication: (requisitionId: string): string => `procore-payapp-${requisitionId}`,
};

/** The Procore requisition id of a pay application's key, or null for other keys. */
export function requisitionOfKey(key: string | null): string | null {
  const match = /^procore-payapp-(\d+)$/.exec(key ?? '');
  return match ? match[1]! : null;
}
