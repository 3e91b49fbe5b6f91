/**
 * Wire shapes of the contract-based REST API, Default endpoint (fact sheet 1.5 / 1.8; field names
 * from `shared/vendor-specs/acumatica/Default_24.200.001.openapi.json`, `components.schemas`).
 *
 * Every ordinary field is `{value, error?}`. Answers are parsed with `parseJsonKeepingNumbers`, so
 * numbers (DecimalValue, IntValue) arrive here as their literal text: `Wire<string>`. Request
 * bodies carry decimals as `JsonDecimal` (written as bare JSON numbers).
 */
import type { JsonDecimal } from './json-text';

/** A field as read: `{}` when empty, `error` on a 422 echo. */
export interface Wire<T> {
  value?: T | null;
  error?: string;
}

/** A field as sent. */
export interface Send<T> {
  value: T | null;
}

export type WireCustom = Record<string, Record<string, { type?: string; value?: unknown; error?: string }>>;

/** System members every record and detail line has (OpenAPI `Entity`). */
export interface WireEntity {
  id?: string;
  rowNumber?: string;
  note?: Wire<string>;
  custom?: WireCustom;
  error?: string;
  /** Any other member: a field, a detail collection or a linked entity. */
  [member: string]: unknown;
}

export interface WireBillDetail extends WireEntity {
  Account?: Wire<string>;
  Subaccount?: Wire<string>;
  Branch?: Wire<string>;
  Project?: Wire<string>;
  ProjectTask?: Wire<string>;
  CostCode?: Wire<string>;
  /** The GL account's description (read-only): free text goes in TransactionDescription. */
  Description?: Wire<string>;
  TransactionDescription?: Wire<string>;
  Qty?: Wire<string>;
  UnitCost?: Wire<string>;
  ExtendedCost?: Wire<string>;
  Amount?: Wire<string>;
}

export interface WireBillApplication extends WireEntity {
  DocType?: Wire<string>;
  ReferenceNbr?: Wire<string>;
  AmountPaid?: Wire<string>;
  Balance?: Wire<string>;
  Status?: Wire<string>;
}

export interface WireBill extends WireEntity {
  Type?: Wire<string>;
  ReferenceNbr?: Wire<string>;
  Vendor?: Wire<string>;
  VendorRef?: Wire<string>;
  Date?: Wire<string>;
  DueDate?: Wire<string>;
  PostPeriod?: Wire<string>;
  Description?: Wire<string>;
  BranchID?: Wire<string>;
  Project?: Wire<string>;
  CurrencyID?: Wire<string>;
  Hold?: Wire<boolean>;
  Status?: Wire<string>;
  Amount?: Wire<string>;
  Balance?: Wire<string>;
  TaxTotal?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
  Details?: WireBillDetail[];
  Applications?: WireBillApplication[];
}

export interface WireAddress extends WireEntity {
  AddressLine1?: Wire<string>;
  AddressLine2?: Wire<string>;
  City?: Wire<string>;
  State?: Wire<string>;
  PostalCode?: Wire<string>;
  Country?: Wire<string>;
}

export interface WireContact extends WireEntity {
  CompanyName?: Wire<string>;
  DisplayName?: Wire<string>;
  Attention?: Wire<string>;
  Email?: Wire<string>;
  Phone1?: Wire<string>;
  Address?: WireAddress;
}

export interface WireVendor extends WireEntity {
  VendorID?: Wire<string>;
  VendorName?: Wire<string>;
  LegalName?: Wire<string>;
  VendorClass?: Wire<string>;
  Status?: Wire<string>;
  Terms?: Wire<string>;
  CurrencyID?: Wire<string>;
  PaymentMethod?: Wire<string>;
  TaxRegistrationID?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
  MainContact?: WireContact;
}

export interface WireAccount extends WireEntity {
  AccountCD?: Wire<string>;
  Description?: Wire<string>;
  Type?: Wire<string>;
  AccountGroup?: Wire<string>;
  Active?: Wire<boolean>;
}

export interface WireSubaccount extends WireEntity {
  SubaccountCD?: Wire<string>;
  Description?: Wire<string>;
  Active?: Wire<boolean>;
}

export interface WireProject extends WireEntity {
  ProjectID?: Wire<string>;
  Description?: Wire<string>;
  Status?: Wire<string>;
  Hold?: Wire<boolean>;
  ExternalRefNbr?: Wire<string>;
}

export interface WireProjectTask extends WireEntity {
  ProjectID?: Wire<string>;
  ProjectTaskID?: Wire<string>;
  Description?: Wire<string>;
  Status?: Wire<string>;
  Default?: Wire<boolean>;
}

export interface WireCostCode extends WireEntity {
  CostCodeID?: Wire<string>;
  Description?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
}

/** CompaniesStructure (an inquiry) → Results rows: the tenant's companies and branches. */
export interface WireCompaniesStructureRow extends WireEntity {
  BranchID?: Wire<string>;
  BranchName?: Wire<string>;
  BranchStatus?: Wire<boolean>;
}

/** PurchaseOrder / Subcontract detail line. The task is `ProjectTask` on PO lines, `Task` on subcontract lines. */
export interface WireOrderLine extends WireEntity {
  LineNbr?: Wire<string>;
  LineDescription?: Wire<string>;
  Account?: Wire<string>;
  Subaccount?: Wire<string>;
  Project?: Wire<string>;
  ProjectTask?: Wire<string>;
  Task?: Wire<string>;
  CostCode?: Wire<string>;
  OrderQty?: Wire<string>;
  UnitCost?: Wire<string>;
  ExtendedCost?: Wire<string>;
  /** Subcontract lines: extended cost less discount. */
  Amount?: Wire<string>;
  RetainagePct?: Wire<string>;
  RetainageAmount?: Wire<string>;
  Completed?: Wire<boolean>;
}

export interface WireOrder extends WireEntity {
  Type?: Wire<string>;
  OrderNbr?: Wire<string>;
  SubcontractNbr?: Wire<string>;
  Status?: Wire<string>;
  VendorID?: Wire<string>;
  VendorRef?: Wire<string>;
  Date?: Wire<string>;
  Description?: Wire<string>;
  Project?: Wire<string>;
  Branch?: Wire<string>;
  Hold?: Wire<boolean>;
  CurrencyID?: Wire<string>;
  LineTotal?: Wire<string>;
  TaxTotal?: Wire<string>;
  OrderTotal?: Wire<string>;
  SubcontractTotal?: Wire<string>;
  RetainageTotal?: Wire<string>;
  ApplyRetainage?: Wire<boolean>;
  RetainagePct?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
  Details?: WireOrderLine[];
}

/** ChangeOrder.Commitments line: the task is `ProjectTaskID` here. */
export interface WireChangeOrderCommitment extends WireEntity {
  POType?: Wire<string>;
  PONbr?: Wire<string>;
  POLineNbr?: Wire<string>;
  Vendor?: Wire<string>;
  Account?: Wire<string>;
  CostCode?: Wire<string>;
  ProjectTaskID?: Wire<string>;
  Amount?: Wire<string>;
  Description?: Wire<string>;
  LineDescription?: Wire<string>;
  Status?: Wire<string>;
}

export interface WireChangeOrder extends WireEntity {
  RefNbr?: Wire<string>;
  ProjectID?: Wire<string>;
  Description?: Wire<string>;
  ExternalRefNbr?: Wire<string>;
  Status?: Wire<string>;
  Hold?: Wire<boolean>;
  ChangeDate?: Wire<string>;
  CommitmentsChangeTotal?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
  Commitments?: WireChangeOrderCommitment[];
}

/** Check.Details (applications not released yet) and Check.History (what a released payment applied). */
export interface WireCheckApplication extends WireEntity {
  DocType?: Wire<string>;
  ReferenceNbr?: Wire<string>;
  AmountPaid?: Wire<string>;
  Balance?: Wire<string>;
  /** History rows only. */
  VendorRef?: Wire<string>;
}

export interface WireCheck extends WireEntity {
  Type?: Wire<string>;
  ReferenceNbr?: Wire<string>;
  Vendor?: Wire<string>;
  Status?: Wire<string>;
  Hold?: Wire<boolean>;
  ApplicationDate?: Wire<string>;
  PaymentAmount?: Wire<string>;
  UnappliedBalance?: Wire<string>;
  PaymentMethod?: Wire<string>;
  PaymentRef?: Wire<string>;
  CurrencyID?: Wire<string>;
  LastModifiedDateTime?: Wire<string>;
  Details?: WireCheckApplication[];
  History?: WireCheckApplication[];
}

/** GET {instance}/entity (1.1 discovery). */
export interface WireDiscovery {
  version?: { acumaticaBuildVersion?: string; databaseVersion?: string };
  endpoints?: { name?: string; version?: string; href?: string }[];
}

/** 400/500 body (OpenAPI `HttpError`, fact sheet 1.9). */
export interface WireHttpError {
  message?: string;
  exceptionMessage?: string;
  exceptionType?: string;
}

export interface WireTokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number | string;
  token_type?: string;
  scope?: string;
}

export interface WireOAuthError {
  error?: string;
  error_description?: string;
}

/** A request body member: a wrapped value, a line list, a linked entity or `custom`. */
export type SendBody = Record<string, unknown>;

/** A decimal field as sent. */
export type SendDecimal = Send<JsonDecimal>;
