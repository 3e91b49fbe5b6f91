/**
 * Coupa Core API wire shapes (JSON with hyphenated keys, fact sheet §3.1), as far as this
 * connector reads and writes them. Sources: fact sheet §3.4–§3.6 and the brief's R39 Swagger
 * facts. Every read field is optional/nullable on purpose: the mappers check what they need and
 * name what is missing. Decimals are strings in Coupa's JSON (a number is tolerated on read).
 */

export type WireId = number | string;
export type WireDecimal = string | number;

/** `POST /oauth2/token` success body (§3.2). */
export interface WireTokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number | string;
  scope?: string;
}

export interface WireOAuthError {
  error?: string;
  error_description?: string;
}

/** 4xx/5xx body: `{"errors": {"<object>": ["message", …]}}` (§3.7). */
export interface WireErrorBody {
  errors?: Record<string, string[] | string> | string[] | string;
}

/** A reference as Coupa renders it inside another record: id plus natural keys. */
export interface WireRef {
  id?: WireId | null;
  name?: string | null;
  number?: string | null;
  code?: string | null;
  login?: string | null;
  'location-code'?: string | null;
  'remit-to-code'?: string | null;
}

/** Compass "Accounts API": code = the segments joined by "-"; segment-1…segment-20 (null when unused). */
export interface WireAccount {
  id?: WireId | null;
  code?: string | null;
  name?: string | null;
  /** Only on GET /api/accounts: false = no longer available to users. */
  active?: boolean | null;
  'account-type'?: WireRef | null;
  [segment: `segment-${number}`]: string | null | undefined;
}

export interface WireRemitTo {
  id?: WireId | null;
  'remit-to-code'?: string | null;
  name?: string | null;
  street1?: string | null;
  street2?: string | null;
  city?: string | null;
  'postal-code'?: string | null;
  country?: { code?: string | null } | null;
  active?: boolean | null;
}

export interface WireContact {
  email?: string | null;
  'name-given'?: string | null;
  'name-family'?: string | null;
}

export interface WireAddressBody {
  street1?: string | null;
  street2?: string | null;
  city?: string | null;
  'postal-code'?: string | null;
  country?: { code?: string | null } | null;
}

export interface WireSupplier {
  id?: WireId;
  name?: string | null;
  'display-name'?: string | null;
  number?: string | null;
  status?: string | null;
  'po-email'?: string | null;
  'tax-id'?: string | null;
  'payment-term'?: WireRef | null;
  'primary-contact'?: WireContact | null;
  'primary-address'?: WireAddressBody | null;
  'remit-to-addresses'?: WireRemitTo[] | null;
  'updated-at'?: string | null;
}

/** Line types (R39 Swagger): quantity × price, or an amount (price = the line amount). */
export const ORDER_LINE_TYPES = { quantity: 'OrderQuantityLine', amount: 'OrderAmountLine' } as const;
export const INVOICE_LINE_TYPES = { quantity: 'InvoiceQuantityLine', amount: 'InvoiceAmountLine' } as const;

export interface WireLine {
  id?: WireId;
  'line-num'?: number | string | null;
  description?: string | null;
  price?: WireDecimal | null;
  quantity?: WireDecimal | null;
  total?: WireDecimal | null;
  uom?: WireRef | null;
  type?: string | null;
  account?: WireAccount | null;
}

export interface WireOrderLine extends WireLine {
  'need-by-date'?: string | null;
}

export interface WireInvoiceLine extends WireLine {
  'tax-amount'?: WireDecimal | null;
  'order-line-id'?: WireId | null;
  'po-number'?: string | null;
}

export interface WirePurchaseOrder {
  id?: WireId;
  'po-number'?: string | null;
  type?: string | null;
  status?: string | null;
  version?: number | string | null;
  exported?: boolean | null;
  currency?: WireRef | null;
  supplier?: WireRef | null;
  'ship-to-user'?: WireRef | null;
  'ship-to-address'?: WireRef | null;
  'order-lines'?: WireOrderLine[] | null;
  'updated-at'?: string | null;
}

export interface WireInvoice {
  id?: WireId;
  'invoice-number'?: string | null;
  'invoice-date'?: string | null;
  supplier?: WireRef | null;
  currency?: WireRef | null;
  status?: string | null;
  paid?: boolean | null;
  exported?: boolean | null;
  'is-credit-note'?: boolean | null;
  'original-invoice-number'?: string | null;
  'original-invoice-date'?: string | null;
  'line-level-taxation'?: boolean | null;
  'tax-amount'?: WireDecimal | null;
  'gross-total'?: WireDecimal | null;
  'remit-to-address'?: WireRef | null;
  'supplier-remit-to'?: WireRef | null;
  'bill-to-address'?: WireRef | null;
  'account-type'?: WireRef | null;
  'invoice-lines'?: WireInvoiceLine[] | null;
  'updated-at'?: string | null;
}

export interface WireAccountType {
  id?: WireId;
  name?: string | null;
  currency?: WireRef | null;
  active?: boolean | null;
}

export interface WireAddress {
  id?: WireId;
  name?: string | null;
  'location-code'?: string | null;
  city?: string | null;
  active?: boolean | null;
}

export interface WireUser {
  id?: WireId;
  login?: string | null;
  fullname?: string | null;
  email?: string | null;
  active?: boolean | null;
}

/** Body lines of a POST/PUT: `{id, …}` updates, no id adds, `{id, _delete: true}` removes (R39 Swagger). */
export type WireLineWrite = Record<string, unknown>;
export type WireBody = Record<string, unknown>;
