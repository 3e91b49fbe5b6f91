/**
 * Exact Online wire shapes (OData v3 JSON, PascalCase), as far as this connector reads them.
 * Every field is optional/nullable here on purpose: the mappers check what they need and name
 * the missing field, instead of trusting the server's shape. Source: fact sheet Part 1
 * (shared/api/exact-online-procore.md §1.4–§1.6) and picqer/exact-php-client docblocks.
 */

/** `"/Date(1641034800000)/"`: milliseconds since the epoch (§1.4). */
export type WireDate = string;

/** Collection envelope: `{"d": {"results": [...], "__next": "<absolute URL>"}}` (§1.4). */
export interface ODataCollection<T> {
  d: { results: T[]; __next?: string | null };
}

/** A single entity (`Me` may come either way: `d.results[0]` or a bare `d`). */
export interface ODataSingleOrCollection<T> {
  d: T | { results: T[] };
}

/** An expanded line collection: OData v2/v3 wraps it in `results`; accept a bare array too. */
export type ExpandedLines<T> = { results: T[] } | T[];

/** OAuth token endpoint success body; `expires_in` arrives as a string ("600") (§1.2). */
export interface WireTokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: string | number;
  refresh_token?: string;
}

/** OAuth token endpoint error body (§1.8). */
export interface WireOAuthError {
  error?: string;
  error_description?: string;
}

/** OData error envelope of REST calls (§1.8). */
export interface WireODataError {
  error?: { code?: string; message?: { lang?: string; value?: string } };
}

export interface WireMe {
  UserID?: string | null;
  FullName?: string | null;
  CurrentDivision?: number | null;
}

export interface WireDivision {
  Code?: number | null;
  Description?: string | null;
}

/**
 * One row of `sync/PurchaseOrder/PurchaseOrders`: LINE-level, header fields repeated, `ID` is
 * the line key, `Timestamp` the feed's Int64 row version (§1.6).
 */
export interface WirePurchaseOrderSyncRow {
  Timestamp?: number | null;
  ID?: string | null;
  PurchaseOrderID?: string | null;
  OrderNumber?: number | null;
  OrderDate?: WireDate | null;
  OrderStatus?: number | null;
  Supplier?: string | null;
  SupplierCode?: string | null;
  SupplierName?: string | null;
  Currency?: string | null;
  YourRef?: string | null;
  Modified?: WireDate | null;
  LineNumber?: number | null;
  Item?: string | null;
  ItemCode?: string | null;
  ItemDescription?: string | null;
  Description?: string | null;
  Quantity?: number | null;
  UnitPrice?: number | null;
  Unit?: string | null;
  AmountFC?: number | null;
  CostCenterCode?: string | null;
  CostUnitCode?: string | null;
  ProjectCode?: string | null;
}

/** One row of `sync/Deleted` (§1.6). */
export interface WireDeletedRow {
  Timestamp?: number | null;
  EntityKey?: string | null;
  EntityType?: number | null;
  DeletedDate?: WireDate | null;
}

/** `logistics/Items`: the item's own cost G/L account (`GLCosts`/`GLCostsCode`). */
export interface WireItem {
  ID?: string | null;
  Code?: string | null;
  GLCostsCode?: string | null;
}

export interface WirePurchaseEntryLine {
  ID?: string | null;
  LineNumber?: number | null;
  GLAccountCode?: string | null;
  Description?: string | null;
  AmountFC?: number | null;
  VATAmountFC?: number | null;
  /** Cost center / unit CODES on this entity (Edm.String), not guids. */
  CostCenter?: string | null;
  CostUnit?: string | null;
  /** Project guid; its code comes from project/Projects. */
  Project?: string | null;
}

/** `purchaseentry/PurchaseEntries` with `$expand=PurchaseEntryLines` (§1.5). */
export interface WirePurchaseEntry {
  EntryID?: string | null;
  EntryNumber?: number | null;
  /** The supplier's own invoice number. */
  YourRef?: string | null;
  Supplier?: string | null;
  SupplierName?: string | null;
  EntryDate?: WireDate | null;
  DueDate?: WireDate | null;
  Description?: string | null;
  Currency?: string | null;
  Modified?: WireDate | null;
  PurchaseEntryLines?: ExpandedLines<WirePurchaseEntryLine> | null;
}

/** Code/description reference rows: GL accounts, cost centers, cost units, projects. */
export interface WireCodedRow {
  ID?: string | null;
  Code?: string | null;
  Description?: string | null;
}

/** `crm/Accounts` rows (Code is right-aligned, padded to 18 characters). */
export interface WireAccount {
  ID?: string | null;
  Code?: string | null;
  Name?: string | null;
}
