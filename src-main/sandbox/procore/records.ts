/**
 * What the simulator stores per collection: the writable attributes plus ids, parents and
 * timestamps. Computed attributes (grand_total, vendor {…}, cost_code {…}…) are added when a
 * record is shown (views.ts), so they can never disagree with the lines they are summed from.
 * Money is a string with two decimals, dates "YYYY-MM-DD", timestamps ISO seconds UTC.
 */
export interface Stamped {
  id: number;
  created_at: string;
  updated_at: string;
}

export interface OriginFields {
  origin_id: string | null;
  origin_data: string | null;
}

export interface ProjectRecord extends Stamped, OriginFields {
  name: string;
  display_name: string;
  project_number: string;
  active: boolean;
  stage: string;
  address: string | null;
  city: string | null;
  state_code: string | null;
  country_code: string | null;
  zip: string | null;
}

export interface CostCodeRecord extends Stamped, OriginFields {
  project_id: number;
  code: string;
  full_code: string;
  name: string;
  parent_id: number | null;
  position: number;
  budgeted: boolean;
  standard_cost_code_id: number | null;
  deleted_at: string | null;
}

export type LineItemBaseType =
  'equipment' | 'materials' | 'commitment' | 'owner_cost' | 'professional_services' | 'other';

export interface LineItemTypeRecord extends Stamped, OriginFields {
  name: string;
  code: string;
  base_type: LineItemBaseType;
}

export interface VendorRecord extends Stamped, OriginFields {
  name: string;
  abbreviated_name: string | null;
  trade_name: string | null;
  legal_name: string | null;
  is_active: boolean;
  address: string | null;
  city: string | null;
  state_code: string | null;
  country_code: string | null;
  zip: string | null;
  business_phone: string | null;
  mobile_phone: string | null;
  fax_number: string | null;
  email_address: string | null;
  website: string | null;
  license_number: string | null;
  origin_code: string | null;
  synced_to_erp: boolean;
}

export type CommitmentKind = 'purchase_order_contract' | 'work_order_contract';

/** PO and WO share one record shape; the WO-only attributes stay null on a PO. */
export interface CommitmentRecord extends Stamped, OriginFields {
  kind: CommitmentKind;
  project_id: number;
  vendor_id: number | null;
  number: string | null;
  title: string | null;
  description: string | null;
  status: string;
  assignee_id: number | null;
  contract_date: string | null;
  delivery_date: string | null;
  issued_on_date: string | null;
  execution_date: string | null;
  executed: boolean;
  private: boolean;
  retainage_percent: string | null;
  payment_terms: string | null;
  bill_to_address: string | null;
  ship_to_address: string | null;
  ship_via: string | null;
  accounting_method: 'amount' | 'unit';
  origin_code: string | null;
  invoice_contact_user_ids: number[];
  inclusions: string | null;
  exclusions: string | null;
  contract_start_date: string | null;
  contract_estimated_completion_date: string | null;
  actual_completion_date: string | null;
  signed_contract_received_date: string | null;
  deleted_at: string | null;
}

/** A coded line (commitment SOV line or direct cost line). */
export interface CodedLineFields {
  project_id: number;
  description: string | null;
  amount: string;
  quantity: string | null;
  unit_cost: string | null;
  uom: string | null;
  extended_type: 'manual' | 'calculated';
  cost_code_id: number;
  line_item_type_id: number;
  position: number;
}

export interface CommitmentLineRecord extends Stamped, OriginFields, CodedLineFields {
  contract_id: number;
  tax_code_id: number | null;
}

export interface ChangeOrderRecord extends Stamped, OriginFields {
  project_id: number;
  contract_id: number;
  batch_id: number | null;
  number: string | null;
  title: string | null;
  description: string | null;
  status: string;
  due_date: string | null;
  invoiced_date: string | null;
  paid_date: string | null;
  executed: boolean;
  private: boolean;
  reference: string | null;
  revision: number;
  origin_code: string | null;
  reviewed_at: string | null;
  /** CCO lines: their sum is the CCO grand_total. */
  line_items: {
    id: number;
    description: string | null;
    amount: string;
    cost_code_id: number;
    line_item_type_id: number;
  }[];
}

export type RequisitionStatus =
  | 'draft'
  | 'under_review'
  | 'revise_and_resubmit'
  | 'approved'
  | 'approved_as_noted'
  | 'pending_owner_approval';

export interface RequisitionRecord extends Stamped, OriginFields {
  project_id: number;
  commitment_id: number;
  number: number;
  invoice_number: string | null;
  status: RequisitionStatus;
  erp_status: string | null;
  period_id: number | null;
  requisition_start: string | null;
  requisition_end: string | null;
  billing_date: string | null;
  payment_date: string | null;
  submitted_at: string | null;
  final: boolean;
  comment: string | null;
  /** Retainage withheld on work completed this period, e.g. "5.00" (percent). */
  retainage_percent: string;
}

export interface ContractItemRecord extends Stamped {
  requisition_id: number;
  project_id: number;
  line_item_id: number;
  cost_code_id: number;
  description_of_work: string | null;
  work_completed_this_period: string;
  materials_presently_stored: string;
}

/**
 * A change-order line billed on a subcontractor invoice (`…/requisitions/{id}/change_order_items`):
 * G703 detail for an approved commitment change order's line, next to the contract items.
 */
export interface ChangeOrderItemRecord extends Stamped {
  requisition_id: number;
  project_id: number;
  /** The commitment change order (Procore shows it as change_order_package_id). */
  change_order_id: number;
  /** The line of that change order (its `line_items[].id`); its amount is the scheduled value. */
  change_order_line_id: number;
  cost_code_id: number;
  description_of_work: string | null;
  work_completed_this_period: string;
  materials_presently_stored: string;
}

/**
 * A payment issued against a commitment (`/rest/v1.0/contract_payments`), e.g. the ERP's check
 * for a subcontractor invoice. `draw_request_number` is the number of the invoice it pays.
 */
export interface ContractPaymentRecord extends Stamped, OriginFields {
  project_id: number;
  contract_id: number;
  /** The subcontractor invoice paid: derived from draw_request_number within the contract. */
  requisition_id: number | null;
  amount: string;
  date: string | null;
  check_number: string | null;
  invoice_number: string | null;
  invoice_date: string | null;
  draw_request_number: number | null;
  payment_number: number;
  payment_method: string | null;
  notes: string | null;
  origin_code: string | null;
}

export interface DirectCostRecord extends Stamped, OriginFields {
  project_id: number;
  direct_cost_type: 'invoice' | 'expense' | 'payroll';
  status: 'draft' | 'pending' | 'revise_and_resubmit' | 'approved';
  vendor_id: number | null;
  employee_id: number | null;
  invoice_number: string | null;
  description: string | null;
  direct_cost_date: string | null;
  received_date: string | null;
  payment_date: string | null;
  terms: string | null;
  deleted_at: string | null;
}

export interface DirectCostLineRecord extends Stamped, OriginFields, CodedLineFields {
  direct_cost_id: number;
}
