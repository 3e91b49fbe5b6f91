import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { JsonNumberText } from './json-text';

/**
 * The entities of the `Default` endpoint this simulator serves (fact sheet 1.8), as field
 * name → value type. Records are stored unwrapped (money as decimal strings, instants as ISO
 * text) and wrapped as `{"value": …}` only on the wire (1.5).
 */
export type FieldType = 'string' | 'decimal' | 'int' | 'bool' | 'datetime';
export type Scalar = string | number | boolean | null;

export interface StoredLine {
  id: string;
  values: Record<string, Scalar>;
}

export interface StoredRecord {
  id: string;
  values: Record<string, Scalar>;
  /** The `Details` collection (Bill, PurchaseOrder, Check); undefined for flat entities. */
  details?: StoredLine[];
  /** Bill only: payments applied to it (read with `$expand=Applications`, 1.8). */
  applications?: StoredLine[];
}

export interface EntitySchema {
  name: string;
  fields: Record<string, FieldType>;
  /** Key fields that locate an existing record on PUT (1.7) and in GET /{Entity}/{keys}. */
  keys: string[];
  /** Only these entities accept PUT; the others are reference data here. */
  writable: boolean;
  details?: Record<string, FieldType>;
  applications?: Record<string, FieldType>;
  /** Fields with an equality index (fast `$filter=X eq '…'`, e.g. the vendor-ref lookup). */
  indexed: string[];
}

export const BILL_TYPES = ['Bill', 'Credit Adj.', 'Debit Adj.', 'Prepayment'] as const;

export const SCHEMAS: Record<string, EntitySchema> = {
  Bill: {
    name: 'Bill',
    keys: ['Type', 'ReferenceNbr'],
    writable: true,
    indexed: ['VendorRef', 'Vendor'],
    fields: {
      Type: 'string',
      ReferenceNbr: 'string',
      Vendor: 'string',
      VendorRef: 'string',
      Date: 'datetime',
      DueDate: 'datetime',
      PostPeriod: 'string',
      Description: 'string',
      BranchID: 'string',
      LocationID: 'string',
      CurrencyID: 'string',
      Terms: 'string',
      Project: 'string',
      Hold: 'bool',
      ApprovedForPayment: 'bool',
      Status: 'string',
      Amount: 'decimal',
      Balance: 'decimal',
      TaxTotal: 'decimal',
      CashAccount: 'string',
      LastModifiedDateTime: 'datetime',
    },
    details: {
      LineNbr: 'int',
      Account: 'string',
      Subaccount: 'string',
      Amount: 'decimal',
      ExtendedCost: 'decimal',
      Qty: 'decimal',
      UnitCost: 'decimal',
      UOM: 'string',
      InventoryID: 'string',
      Branch: 'string',
      Project: 'string',
      ProjectTask: 'string',
      CostCode: 'string',
      NonBillable: 'bool',
      Description: 'string',
      TransactionDescription: 'string',
      TaxCategory: 'string',
      POOrderType: 'string',
      POOrderNbr: 'string',
      POLine: 'int',
    },
    applications: { DocType: 'string', ReferenceNbr: 'string', AmountPaid: 'decimal', Balance: 'decimal', Status: 'string' },
  },
  Vendor: {
    name: 'Vendor',
    keys: ['VendorID'],
    writable: true,
    indexed: ['VendorID'],
    fields: {
      VendorID: 'string',
      VendorName: 'string',
      LegalName: 'string',
      VendorClass: 'string',
      Status: 'string',
      Terms: 'string',
      CurrencyID: 'string',
      PaymentMethod: 'string',
      CashAccount: 'string',
      APAccount: 'string',
      APSubaccount: 'string',
      TaxRegistrationID: 'string',
      TaxZone: 'string',
      F1099Vendor: 'bool',
      CreatedDateTime: 'datetime',
      LastModifiedDateTime: 'datetime',
    },
  },
  Account: {
    name: 'Account',
    keys: ['AccountCD'],
    writable: false,
    indexed: ['AccountCD'],
    fields: {
      AccountCD: 'string',
      AccountID: 'int',
      Description: 'string',
      Type: 'string',
      AccountClass: 'string',
      AccountGroup: 'string',
      Active: 'bool',
      CashAccount: 'bool',
      CurrencyID: 'string',
      PostOption: 'string',
      LastModifiedDateTime: 'datetime',
    },
  },
  // No LastModifiedDateTime in 24.200.001 (1.6).
  Subaccount: {
    name: 'Subaccount',
    keys: ['SubaccountCD'],
    writable: false,
    indexed: ['SubaccountCD'],
    fields: { SubaccountCD: 'string', SubaccountID: 'int', Description: 'string', Active: 'bool', Secured: 'bool' },
  },
  Project: {
    name: 'Project',
    keys: ['ProjectID'],
    writable: false,
    indexed: ['ProjectID'],
    fields: { ProjectID: 'string', Description: 'string', Status: 'string', LastModifiedDateTime: 'datetime' },
  },
  PurchaseOrder: {
    name: 'PurchaseOrder',
    keys: ['Type', 'OrderNbr'],
    writable: false,
    indexed: ['VendorRef'],
    fields: {
      Type: 'string',
      OrderNbr: 'string',
      Status: 'string',
      VendorID: 'string',
      VendorRef: 'string',
      Date: 'datetime',
      PromisedOn: 'datetime',
      Description: 'string',
      Project: 'string',
      Branch: 'string',
      Hold: 'bool',
      CurrencyID: 'string',
      LineTotal: 'decimal',
      TaxTotal: 'decimal',
      OrderTotal: 'decimal',
      ControlTotal: 'decimal',
      Terms: 'string',
      LastModifiedDateTime: 'datetime',
    },
    details: {
      LineNbr: 'int',
      LineType: 'string',
      InventoryID: 'string',
      LineDescription: 'string',
      OrderQty: 'decimal',
      UnitCost: 'decimal',
      ExtendedCost: 'decimal',
      Account: 'string',
      Subaccount: 'string',
      Project: 'string',
      ProjectTask: 'string',
      CostCode: 'string',
      ReceivedAmount: 'decimal',
      QtyOnReceipts: 'decimal',
      Completed: 'bool',
      Cancelled: 'bool',
      BranchID: 'string',
    },
  },
  Check: {
    name: 'Check',
    keys: ['Type', 'ReferenceNbr'],
    writable: true,
    indexed: ['Vendor'],
    fields: {
      Type: 'string',
      ReferenceNbr: 'string',
      Vendor: 'string',
      Status: 'string',
      Hold: 'bool',
      ApplicationDate: 'datetime',
      PaymentAmount: 'decimal',
      UnappliedBalance: 'decimal',
      PaymentMethod: 'string',
      PaymentRef: 'string',
      CashAccount: 'string',
      CurrencyID: 'string',
      LastModifiedDateTime: 'datetime',
    },
    details: {
      DocType: 'string',
      ReferenceNbr: 'string',
      AmountPaid: 'decimal',
      Balance: 'decimal',
      CashDiscountBalance: 'decimal',
    },
  },
};

/** System fields that may appear in a body and are not ordinary fields (1.5). */
export const SYSTEM_FIELDS = new Set(['id', 'rowNumber', 'note', 'custom', 'files', '_links', 'error', 'delete']);

export class WireValueError extends Error {}

/** `{"value": x}` from a request body → stored scalar of the field's type. */
export function parseWireValue(field: string, type: FieldType, wrapped: unknown): Scalar {
  if (wrapped === null || typeof wrapped !== 'object' || Array.isArray(wrapped) || !('value' in wrapped)) {
    throw new WireValueError(`Field '${field}' must be an object of the form {"value": …} (see "Representation of a Record in JSON Format").`);
  }
  const value = (wrapped as { value: unknown }).value;
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new WireValueError(`Field '${field}' expects a string value, got ${JSON.stringify(value)}.`);
      return value;
    case 'decimal':
      try {
        if (typeof value === 'number') return Decimal.fromJsonNumber(value).toString();
        if (typeof value === 'string') return Decimal.parse(value).toString();
      } catch (err) {
        if (err instanceof InvalidDecimalError) throw new WireValueError(`Field '${field}': ${err.message}`);
        throw err;
      }
      throw new WireValueError(`Field '${field}' expects a decimal number, got ${JSON.stringify(value)}.`);
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw new WireValueError(`Field '${field}' expects an integer, got ${JSON.stringify(value)}.`);
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw new WireValueError(`Field '${field}' expects true or false, got ${JSON.stringify(value)}.`);
    case 'datetime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new WireValueError(`Field '${field}' expects a date/time such as "2026-01-15T00:00:00+00:00", got ${JSON.stringify(value)}.`);
      }
      return normalizeDateTime(value);
    }
  }
}

/** Plain dates ("2026-01-15") are midnight UTC; every instant is stored as ISO with +00:00. */
export function normalizeDateTime(text: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return isoFromMs(ms);
}

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Stored scalar → `{"value": …}`; null fields are sent as `{}` like the live API does. */
export function wrapValue(type: FieldType, value: Scalar | undefined): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (type === 'decimal') return { value: new JsonNumberText(String(value)) };
  return { value };
}

/** Which fields a GET/PUT response carries ($select / $expand, contract v4 rules, 1.6). */
export interface Shape {
  /** null = every top-level field. */
  fields: Set<string> | null;
  /** Collections to include: `Details`, `Applications`. */
  expand: Set<string>;
  /** null = every detail field. */
  detailFields: Set<string> | null;
}

export const FULL_SHAPE: Shape = { fields: null, expand: new Set(['Details', 'Applications']), detailFields: null };

export function renderRecord(schema: EntitySchema, record: StoredRecord, shape: Shape, rowNumber: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: record.id, rowNumber, note: {} };
  for (const [field, type] of Object.entries(schema.fields)) {
    if (shape.fields && !shape.fields.has(field)) continue;
    out[field] = wrapValue(type, record.values[field]);
  }
  if (schema.details && shape.expand.has('Details')) {
    out.Details = (record.details ?? []).map((line, index) => renderLine(schema.details ?? {}, line, shape.detailFields, index + 1));
  }
  if (schema.applications && shape.expand.has('Applications')) {
    out.Applications = (record.applications ?? []).map((line, index) => renderLine(schema.applications ?? {}, line, null, index + 1));
  }
  out.custom = {};
  return out;
}

export function renderLine(
  fields: Record<string, FieldType>,
  line: StoredLine,
  only: Set<string> | null,
  rowNumber: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: line.id, rowNumber, note: {} };
  for (const [field, type] of Object.entries(fields)) {
    if (only && !only.has(field)) continue;
    out[field] = wrapValue(type, line.values[field]);
  }
  out.custom = {};
  return out;
}
