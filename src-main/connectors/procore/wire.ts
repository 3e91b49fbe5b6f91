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
