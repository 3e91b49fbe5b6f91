/**
 * Procore REST wire shapes (snake_case JSON), as far as this connector reads and writes them.
 * Source: fact sheet Part 2 (shared/api/exact-online-procore.md §2.2–§2.7).
 *
 * Ids: the client parses every response with `parseProcoreJson`, which turns the integer value
 * of any `id` / `*_id` key into its exact digit string before JSON.parse can round it (Procore
 * ids may exceed 32 bits, §2.1). So ids read here are `WireId` = string (a number only when
 * some other path built the object). Every read field is optional/nullable on purpose: the
 * mappers check what they need and name what is missing.
 */

/** An id as read from a response: digit string (after parseProcoreJson) or a plain number. */
export type WireId = string | number;
/** An id as written: a JSON number when it is a safe integer, else its digit string. */
export type WireIdOut = number | string;
/** Decimal amount; Procore answers with strings ("1234.50"), we always send strings. */
export type WireMoney = string;

/** `POST /oauth/token` (client credentials) success body (§2.2). */
export interface WireTokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number | string;
  created_at?: number;
  refresh_token?: string;
}

/** Doorkeeper-style OAuth error body (§2.2). */
export interface WireOAuthError {
  error?: string;
  error_description?: string;
}

/** 4xx body: `{"errors": "text"}`, `{"errors": {"field": ["msg"]}}` or `{"message": "text"}` (§2.7). */
export interface WireErrorBody {
  errors?: string | Record<string, string[] | string>;
  message?: string;
}

export interface WireProject {
  id?: WireId;
  name?: string | null;
  display_name?: string | null;
  project_number?: string | null;
  active?: boolean | null;
  origin_id?: string | null;
}

export interface WireCostCode {
  id?: WireId;
  code?: string | null;
  full_code?: string | null;
  name?: string | null;
  deleted_at?: string | null;
}

export interface WireLineItemType {
  id?: WireId;
  code?: string | null;
  name?: string | null;
}

export interface WireVendor {
  id?: WireId;
  name?: string | null;
  is_active?: boolean | null;
  origin_id?: string | null;
  origin_code?: string | null;
}

/** One item of `PATCH /purchase_order_contracts/sync` `updates` (§2.5). */
export interface WireCommitmentUpdate {
  origin_id: string;
  origin_code: string;
  title: string;
  number: string;
  description: string;
  status: string;
  vendor_id: WireIdOut;
  contract_date: string;
  accounting_method: 'amount';
}

/** One item of `PATCH …/line_items/sync` `updates`: a schedule-of-values line (§2.5). */
export interface WireLineUpdate {
  origin_id: string;
  description: string;
  amount: WireMoney;
  cost_code_id: WireIdOut;
  line_item_type_id: WireIdOut;
  quantity?: string;
  unit_cost?: string;
  uom?: string;
}

/** One item of `PATCH /projects/{id}/direct_costs/sync` `updates` (§2.5). */
export interface WireDirectCostUpdate {
  origin_id: string;
  direct_cost_type: 'invoice';
  invoice_number: string;
  vendor_id: WireIdOut;
  direct_cost_date: string;
  status: string;
  description: string;
}

/** A direct cost line in `PATCH …/direct_costs/line_items/sync`: names its parent. */
export interface WireDirectCostLineUpdate extends WireLineUpdate {
  direct_cost_id: WireIdOut;
}

/** Show-shaped commitment (purchase order contract). */
export interface WireCommitment {
  id?: WireId;
  origin_id?: string | null;
  status?: string | null;
  grand_total?: WireMoney | null;
  deleted_at?: string | null;
}

export interface WireDirectCost {
  id?: WireId;
  origin_id?: string | null;
  status?: string | null;
  grand_total?: WireMoney | null;
  amount?: WireMoney | null;
  deleted_at?: string | null;
}

export interface WireLineItem {
  id?: WireId;
  origin_id?: string | null;
  amount?: WireMoney | null;
  direct_cost_id?: WireId | null;
}

/** Sync actions always answer 200 with this (§2.5). */
export interface WireSyncResponse<E> {
  entities?: E[];
  /** The input item echoed back plus `errors: {field: [msg]}`. */
  errors?: Array<Record<string, unknown> & { errors?: Record<string, string[] | string> | string }>;
}

// ---- source reads (flows F2 / F3) ---------------------------------------------------------------

/** `{id, name}` references inside Show-shaped records (vendor, project). */
export interface WireRef {
  id?: WireId | null;
  name?: string | null;
}

export interface WireCostCodeRef {
  id?: WireId | null;
  code?: string | null;
  full_code?: string | null;
  name?: string | null;
}

export interface WireLineItemTypeRef {
  id?: WireId | null;
  code?: string | null;
  name?: string | null;
  base_type?: string | null;
}

/** A coded line as Procore shows it (commitment SOV line, direct cost line; §2.5). */
export interface WireCodedLine {
  id?: WireId;
  position?: number | null;
  description?: string | null;
  amount?: WireMoney | null;
  quantity?: string | number | null;
  unit_cost?: string | number | null;
  uom?: string | null;
  cost_code_id?: WireId | null;
  line_item_type_id?: WireId | null;
  cost_code?: WireCostCodeRef | null;
  line_item_type?: WireLineItemTypeRef | null;
  origin_id?: string | null;
}

/** A purchase order / work order contract as listed (§2.5 read-only money fields are strings). */
export interface WireCommitmentRecord {
  id?: WireId;
  number?: string | null;
  title?: string | null;
  description?: string | null;
  status?: string | null;
  executed?: boolean | null;
  contract_date?: string | null;
  retainage_percent?: string | number | null;
  vendor?: WireRef | null;
  grand_total?: WireMoney | null;
  revised_contract?: WireMoney | null;
  approved_change_orders?: WireMoney | null;
  pending_change_orders?: WireMoney | null;
  total_payments?: WireMoney | null;
  origin_id?: string | null;
  origin_code?: string | null;
  origin_data?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  deleted_at?: string | null;
  /** The mixed `/commitments` list says which kind each entry is (unconfirmed field name). */
  type?: string | null;
}

/** A commitment change order (§2.5: grand_total string; line detail only where the answer has it). */
export interface WireChangeOrder {
  id?: WireId;
  contract_id?: WireId | null;
  number?: string | null;
  title?: string | null;
  description?: string | null;
  status?: string | null;
  executed?: boolean | null;
  grand_total?: WireMoney | null;
  due_date?: string | null;
  reviewed_at?: string | null;
  origin_id?: string | null;
  origin_code?: string | null;
  updated_at?: string | null;
  line_items?: WireCodedLine[] | null;
}

/** A subcontractor invoice (`/requisitions`, §2.5). */
export interface WireRequisition {
  id?: WireId;
  project_id?: WireId | null;
  commitment_id?: WireId | null;
  commitment_type?: string | null;
  contract_name?: string | null;
  number?: number | string | null;
  invoice_number?: string | null;
  status?: string | null;
  erp_status?: string | null;
  requisition_start?: string | null;
  requisition_end?: string | null;
  billing_date?: string | null;
  payment_date?: string | null;
  final?: boolean | null;
  vendor_name?: string | null;
  total_claimed_amount?: WireMoney | null;
  summary?: Record<string, unknown> | null;
  origin_id?: string | null;
  origin_data?: string | null;
  updated_at?: string | null;
}

/** A G703 item (`…/contract_items`, `…/change_order_items`; SDK field names). */
export interface WireRequisitionItem {
  id?: WireId;
  item_type?: string | null;
  line_item_id?: WireId | null;
  change_order_package_id?: WireId | null;
  cost_code_id?: WireId | null;
  description_of_work?: string | null;
  scheduled_value?: WireMoney | null;
  work_completed_from_previous_application?: WireMoney | null;
  work_completed_this_period?: WireMoney | null;
  materials_presently_stored?: WireMoney | null;
  total_completed_and_stored_to_date?: WireMoney | null;
  work_completed_retainage_retained_this_period?: WireMoney | null;
  work_completed_retainage_released_this_period?: WireMoney | null;
  materials_stored_retainage_currently_retained?: WireMoney | null;
}

/** A direct cost as listed (lines embedded when the list carries them). */
export interface WireDirectCostRecord {
  id?: WireId;
  direct_cost_type?: string | null;
  status?: string | null;
  vendor?: WireRef | null;
  vendor_id?: WireId | null;
  vendor_name?: string | null;
  invoice_number?: string | null;
  description?: string | null;
  direct_cost_date?: string | null;
  received_date?: string | null;
  payment_date?: string | null;
  grand_total?: WireMoney | null;
  amount?: WireMoney | null;
  origin_id?: string | null;
  origin_data?: string | null;
  updated_at?: string | null;
  deleted_at?: string | null;
  line_items?: WireCodedLine[] | null;
}

/** A company vendor with the fields an ERP vendor sync reads (§2.5 Vendors). */
export interface WireVendorRecord extends WireVendor {
  legal_name?: string | null;
  abbreviated_name?: string | null;
  address?: string | null;
  city?: string | null;
  state_code?: string | null;
  country_code?: string | null;
  zip?: string | null;
  business_phone?: string | null;
  email_address?: string | null;
  website?: string | null;
  origin_data?: string | null;
  updated_at?: string | null;
}

/** A project cost code with the ERP fields (§2.5 Cost codes). */
export interface WireCostCodeRecord extends WireCostCode {
  parent?: { id?: WireId | null } | null;
  parent_id?: WireId | null;
  origin_id?: string | null;
  origin_data?: string | null;
}

export interface WireLineItemTypeRecord extends WireLineItemType {
  base_type?: string | null;
  origin_id?: string | null;
}

// ---- write-backs ----------------------------------------------------------------------------

/** One item of `PATCH /vendors/sync` (§2.5; matched by id, else origin_id). */
export interface WireVendorUpdate {
  id?: WireIdOut;
  origin_id: string;
  origin_code?: string | null;
  origin_data?: string | null;
  name: string;
  legal_name?: string | null;
  abbreviated_name?: string | null;
  is_active?: boolean;
  address?: string | null;
  city?: string | null;
  state_code?: string | null;
  country_code?: string | null;
  zip?: string | null;
  business_phone?: string | null;
  email_address?: string | null;
  website?: string | null;
}

/** One item of `PATCH /cost_codes/sync` (§2.5: `code` excludes the parent's prefix). */
export interface WireCostCodeUpdate {
  origin_id: string;
  origin_data?: string | null;
  code: string;
  name: string;
  parent_id?: WireIdOut | null;
}

/** `{id, origin_id, origin_data}` (+ payment_date): a sync item that links or pays a direct cost. */
export interface WireDirectCostLink {
  id: WireIdOut;
  origin_id?: string;
  origin_data?: string | null;
  payment_date?: string | null;
}

/** A payment issued against a commitment (`/contract_payments`, SDK ContractPayment). */
export interface WireContractPayment {
  id?: WireId;
  contract_id?: WireId | null;
  requisition_id?: WireId | null;
  draw_request_number?: number | string | null;
  amount?: WireMoney | null;
  date?: string | null;
  check_number?: string | null;
  invoice_number?: string | null;
  origin_id?: string | null;
  origin_data?: string | null;
}

export interface WireContractPaymentCreate {
  amount: WireMoney;
  date: string;
  check_number?: string;
  invoice_number?: string;
  draw_request_number?: number;
  notes?: string;
  payment_method?: string;
  origin_id: string;
  origin_data?: string;
}
