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
  /** When the goods are expected (header field, repeated). */
  ReceiptDate?: WireDate | null;
  /** The line's VAT in the order currency. */
  VATAmount?: number | null;
  VATCode?: string | null;
  CostCenterDescription?: string | null;
}

/** One row of `sync/Deleted` (§1.6). */
export interface WireDeletedRow {
  Timestamp?: number | null;
  EntityKey?: string | null;
  EntityType?: number | null;
  DeletedDate?: WireDate | null;
}

/**
 * `logistics/Items`: the item's cost G/L account (purchase lines take theirs from it) and its
 * revenue G/L account (sales-order lines take theirs from it).
 */
export interface WireItem {
  ID?: string | null;
  Code?: string | null;
  GLCostsCode?: string | null;
  GLCostsDescription?: string | null;
  GLRevenueCode?: string | null;
  GLRevenueDescription?: string | null;
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
  GLAccountDescription?: string | null;
  CostCenterDescription?: string | null;
  Quantity?: number | null;
  VATCode?: string | null;
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
  /** 30 purchase entry, 31 purchase credit note. */
  Type?: number | null;
  /** Number of the purchase order the entry refers to, when it refers to one. */
  OrderNumber?: number | null;
  /** 5 rejected, 20 open, 50 processed. */
  Status?: number | null;
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

/** A navigation collection that was not expanded: `{"__deferred": {"uri": …}}` (§1.4). */
export interface DeferredLines {
  __deferred: { uri?: string };
}

/** `crm/BankAccounts` (picqer BankAccount.php, mirroring Exact's CRMBankAccounts page). */
export interface WireBankAccount {
  ID?: string | null;
  Account?: string | null;
  /** IBAN or account number. */
  BankAccount?: string | null;
  BankAccountHolderName?: string | null;
  BICCode?: string | null;
  Main?: boolean | null;
}

/**
 * A supplier as `sync/CRM/Accounts` or `crm/Accounts` gives it (§1.5 "Suppliers"). On the sync
 * feed `Timestamp` is the row version; `BankAccounts` may come inline or deferred (unconfirmed).
 */
export interface WireSupplierAccount extends WireAccount {
  Timestamp?: number | null;
  IsSupplier?: boolean | null;
  Blocked?: boolean | null;
  AddressLine1?: string | null;
  AddressLine2?: string | null;
  AddressLine3?: string | null;
  Postcode?: string | null;
  City?: string | null;
  Country?: string | null;
  Email?: string | null;
  Phone?: string | null;
  VATNumber?: string | null;
  ChamberOfCommerce?: string | null;
  Modified?: WireDate | null;
  BankAccounts?: ExpandedLines<WireBankAccount> | DeferredLines | null;
}

/** What a write to crm/Accounts may carry (Exact field names). Bank accounts never. */
export interface WireAccountWrite {
  Code?: string;
  Name?: string;
  IsSupplier?: boolean;
  Blocked?: boolean;
  AddressLine1?: string | null;
  AddressLine2?: string | null;
  AddressLine3?: string | null;
  Postcode?: string | null;
  City?: string | null;
  Country?: string | null;
  Email?: string | null;
  Phone?: string | null;
  VATNumber?: string | null;
  ChamberOfCommerce?: string | null;
}

/**
 * One row of `sync/SalesInvoice/SalesInvoices`: LINE level like the purchase-order feed, header
 * fields repeated, `InvoiceID` shared, `ID` the line key (§1.6; fields per picqer SyncSalesInvoice).
 * Lines carry the G/L account as a guid (`GLAccount`) with its description, not its code.
 */
export interface WireSalesInvoiceRow {
  Timestamp?: number | null;
  ID?: string | null;
  InvoiceID?: string | null;
  InvoiceNumber?: number | null;
  InvoiceDate?: WireDate | null;
  DueDate?: WireDate | null;
  InvoiceTo?: string | null;
  InvoiceToName?: string | null;
  Currency?: string | null;
  /** 10 draft, 20 open, 50 processed. */
  Status?: number | null;
  /** 8020 invoice, 8021 credit note, 8023 direct invoice, 8024 direct credit note. */
  Type?: number | null;
  YourRef?: string | null;
  /** Header total excl. VAT, repeated on each row when Exact sends it. */
  AmountFCExclVat?: number | null;
  Modified?: WireDate | null;
  LineNumber?: number | null;
  ItemCode?: string | null;
  Description?: string | null;
  Quantity?: number | null;
  UnitPrice?: number | null;
  AmountFC?: number | null;
  VATAmountFC?: number | null;
  VATCode?: string | null;
  GLAccount?: string | null;
  GLAccountDescription?: string | null;
  /** Cost center / unit codes (Edm.String) on sales lines. */
  CostCenter?: string | null;
  CostCenterDescription?: string | null;
  CostUnit?: string | null;
}

/** `salesinvoice/SalesInvoices` with `$expand=SalesInvoiceLines` (the feed's header + line fields). */
export type WireSalesInvoice = Omit<WireSalesInvoiceRow, 'Timestamp' | 'ID' | 'LineNumber'> & {
  SalesInvoiceLines?: ExpandedLines<WireSalesInvoiceRow> | null;
};

/** A row of sync/SalesOrder/SalesOrderHeaders or …/SalesOrderLines, as far as change detection reads it. */
export interface WireSalesOrderFeedRow {
  Timestamp?: number | null;
  /** Line key on the lines feed (on the header feed it equals OrderID). */
  ID?: string | null;
  OrderID?: string | null;
  Modified?: WireDate | null;
}

export interface WireSalesOrderLine {
  ID?: string | null;
  LineNumber?: number | null;
  Item?: string | null;
  ItemCode?: string | null;
  ItemDescription?: string | null;
  Description?: string | null;
  Quantity?: number | null;
  UnitPrice?: number | null;
  AmountFC?: number | null;
  VATAmount?: number | null;
  VATCode?: string | null;
  CostCenter?: string | null;
  CostCenterDescription?: string | null;
  CostUnit?: string | null;
  Modified?: WireDate | null;
}

/** `salesorder/SalesOrders` with `$expand=SalesOrderLines` (§1.5). */
export interface WireSalesOrder {
  OrderID?: string | null;
  OrderNumber?: number | null;
  OrderDate?: WireDate | null;
  DeliveryDate?: WireDate | null;
  OrderedBy?: string | null;
  OrderedByName?: string | null;
  Description?: string | null;
  YourRef?: string | null;
  Currency?: string | null;
  /** 12 open, 20 partial, 21 complete, 45 cancelled. */
  Status?: number | null;
  Modified?: WireDate | null;
  SalesOrderLines?: ExpandedLines<WireSalesOrderLine> | null;
}

/** A purchase entry found by its supplier invoice number (credit-note lookups). */
export interface WirePurchaseEntryRef {
  EntryID?: string | null;
  EntryNumber?: number | null;
  YourRef?: string | null;
  EntryDate?: WireDate | null;
  Type?: number | null;
}
