import type { AcumaticaReference, BillInput, CostCodeInput, SubcontractInput, VendorInput } from '../../../connectors/acumatica';
import type { CostCodeUpsert, PaymentWriteBack, VendorUpsert } from '../../../connectors/procore';
import type {
  ProcoreCommitment,
  ProcoreDirectCost,
  ProcoreRequisition,
  ProcoreVendorRecord,
} from '../../../../src-shared/domain/records';

/**
 * F2 (Procore → Acumatica): the records its streams hand the runner, the reference data a run
 * reads, and the planned writes. Stream records wrap the source record under a sourceId with the
 * kind in front ("requisition:562…"): Procore ids of different objects may coincide, and the
 * runner keeps what a source record wrote by its sourceId.
 */

// ---- source records -----------------------------------------------------------------------------

export interface InvoiceRecord {
  sourceId: string;
  requisition: ProcoreRequisition;
}

export interface DirectCostRecord {
  sourceId: string;
  directCost: ProcoreDirectCost;
}

export interface CommitmentRecord {
  sourceId: string;
  commitment: ProcoreCommitment;
}

/** The vendor fields both systems keep, as one side holds them (normalised for comparison elsewhere). */
export interface VendorFields {
  name: string | null;
  email: string | null;
  phone: string | null;
  address1: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  country: string | null;
}

/** An Acumatica vendor as the vendor stream compares it. */
export interface AcumaticaVendorView {
  vendorId: string;
  active: boolean;
  status: string;
  taxRegistrationId: string | null;
  fields: VendorFields;
}

/**
 * One vendor as both systems hold it: a Procore vendor, an Acumatica vendor, or both when linked.
 * sourceId is stable across runs: "vendor:<Procore id>" while a Procore vendor is involved, or
 * "vendor:acumatica:<VendorID>" for an Acumatica vendor (also after the flow created it in
 * Procore, which its Procore origin data says).
 */
export interface VendorPairRecord {
  sourceId: string;
  procore: ProcoreVendorRecord | null;
  acumatica: AcumaticaVendorView | null;
  /** How the two are linked: the Procore vendor's origin_id, a confirmed mapping row, or not at all. */
  linkedBy: 'origin-id' | 'mapping' | null;
  /** The link cannot be trusted: origin_id and the mapping name different vendors, or a link names a vendor Acumatica does not have. */
  linkProblem: string | null;
  /** Unlinked: vendors of the other system that look like this one (same name or External ID). */
  candidates: { id: string; name: string; matchedBy: 'origin_code' | 'name' | 'tax_id' }[];
  /** Unlinked Procore vendor: an Acumatica vendor already holds the id a new vendor would get. */
  takenVendorId: { vendorId: string; name: string } | null;
}

/**
 * One bill an AP payment (Check) pays, with the Procore record that bill came from: one record
 * per payment and bill (a payment of several bills is several records).
 */
export interface CheckRecord {
  sourceId: string;
  type: string;
  referenceNbr: string;
  vendorId: string | null;
  status: string;
  released: boolean;
  voided: boolean;
  isVoidingDocument: boolean;
  effective: boolean;
  applicationDate: string | null;
  paymentRef: string | null;
  lastModified: string | null;
  /** The bill paid (one), as a list so one planner serves a payment of any number of bills. */
  applications: PaidBill[];
}

export interface PaidBill {
  docType: string;
  referenceNbr: string;
  vendorRef: string | null;
  amountPaid: string;
  released: boolean;
  /** The Procore record of a bill this flow posted; null for bills it did not post. */
  posted: PostedBillRef | null;
}

/** What F2 kept of a bill it posted (from its confirmed plan). */
export interface PostedBillRef {
  /** "Bill 000123": the bill's type and number, also the Procore record's origin_id. */
  billKey: string;
  source: BillSource;
}

/**
 * An Acumatica cost code for one mapped Procore project that lacks it (or got it from this flow):
 * one record per code and project, so each write has a source record of its own.
 */
export interface CostCodeRecord {
  sourceId: string;
  code: string;
  description: string;
  lastModified: string | null;
  projectId: string;
  projectName: string;
}

// ---- reference data of a run --------------------------------------------------------------------

export interface F2Reference {
  acumatica: AcumaticaReference;
  /** Acumatica vendors by VendorID. */
  acumaticaVendors: ReadonlyMap<string, { name: string; active: boolean; status: string }>;
  /** Procore vendor id → the Acumatica VendorID in its origin_id (null: none), with its name. */
  procoreVendors: ReadonlyMap<string, { name: string; originId: string | null }>;
}

// ---- planned writes -----------------------------------------------------------------------------

interface Bookkeeping {
  originId: string;
  sourceId: string;
  containerId: string;
  total: string;
  currency: string;
}

/** Where a bill comes from, as finance names it and as Procore's write-backs need it. */
export interface BillSource {
  kind: 'requisition' | 'direct-cost';
  /** The Procore record's id. */
  procoreId: string;
  projectId: string;
  commitmentId: string | null;
  commitmentNumber: string | null;
  /** Invoice number within the commitment (Procore's draw_request_number). */
  requisitionNumber: number | null;
  invoiceNumber: string | null;
  vendorName: string;
  /** e.g. "Subcontractor invoice SC-003 #2 (F2026-00121) of Meijer B.V.". */
  label: string;
}

export interface PlannedBill extends Bookkeeping {
  entity: 'bill';
  bill: BillInput;
  release: boolean;
  source: BillSource;
}

export interface PlannedVendor extends Bookkeeping {
  entity: 'vendor';
  /** Acumatica VendorID of the pair (new vendors: the id they are created with). */
  vendorId: string;
  /** null until the vendor exists in Procore. */
  procoreVendorId: string | null;
  /** The fields both systems hold once this plan is written (the base of the next comparison). */
  agreed: VendorFields;
  /** Create or update in Acumatica; null = nothing to write there. */
  acumatica: VendorInput | null;
  /** Create, update or link in Procore; null = nothing to write there. */
  procore: VendorUpsert | null;
  label: string;
}

export interface PlannedPayment extends Bookkeeping {
  entity: 'payment';
  payment: PaymentWriteBack;
  /** The bill it pays ("Bill 000123"), which is the Procore record's origin_id. */
  billKey: string;
  label: string;
}

export interface PlannedCostCode extends Bookkeeping {
  entity: 'cost-code';
  projectId: string;
  costCode: CostCodeUpsert;
  label: string;
}

export interface PlannedSubcontract extends Bookkeeping {
  entity: 'subcontract';
  subcontract: SubcontractInput;
  label: string;
}

export type F2Write = PlannedBill | PlannedVendor | PlannedPayment | PlannedCostCode | PlannedSubcontract;

/** Re-exported for the planners' signatures. */
export type { CostCodeInput };
