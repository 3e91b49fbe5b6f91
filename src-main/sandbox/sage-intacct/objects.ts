import type { SimCollection, SimStore } from '../_common/sim-store';

/**
 * The Intacct objects this gateway serves (fact sheet 2.6, 2.8) and their stored form: every
 * value a string exactly as the XML carries it (money "1234.50", dates mm/dd/yyyy, timestamps
 * "mm/dd/yyyy HH:MM:SS"); nested blocks such as DISPLAYCONTACT are kept flattened with dots
 * ("DISPLAYCONTACT.PRINTAS"). An empty or missing value is NULL to the query languages.
 */
export type IntacctFieldType = 'text' | 'integer' | 'decimal' | 'date' | 'timestamp' | 'boolean';

export interface IntacctRecord {
  fields: Record<string, string>;
  /** APBILL lines (APBILLITEMS/APBILLITEM). */
  lines?: Record<string, string>[];
}

export interface ObjectSchema {
  name: string;
  /** The business id (VENDORID, ACCOUNTNO, …); null for APBILL, which is keyed by RECORDNO. */
  idField: string | null;
  fields: Record<string, IntacctFieldType>;
  /** Nested blocks accepted on create/update, flattened as BLOCK.FIELD. */
  nestedBlocks: string[];
  writable: boolean;
}

const TIMESTAMPS = { WHENCREATED: 'timestamp', WHENMODIFIED: 'timestamp' } as const;

export const BILL_LINE_FIELDS: Record<string, IntacctFieldType> = {
  LINE_NO: 'integer',
  ACCOUNTNO: 'text',
  ACCOUNTLABEL: 'text',
  OFFSETGLACCOUNTNO: 'text',
  TRX_AMOUNT: 'decimal',
  TOTALTRXAMOUNT: 'decimal',
  ENTRYDESCRIPTION: 'text',
  FORM1099: 'boolean',
  FORM1099TYPE: 'text',
  FORM1099BOX: 'text',
  BILLABLE: 'boolean',
  ALLOCATION: 'text',
  LOCATIONID: 'text',
  DEPARTMENTID: 'text',
  PROJECTID: 'text',
  TASKID: 'text',
  COSTTYPEID: 'text',
  CUSTOMERID: 'text',
  VENDORID: 'text',
  EMPLOYEEID: 'text',
  ITEMID: 'text',
  CLASSID: 'text',
  CONTRACTID: 'text',
  WAREHOUSEID: 'text',
};

export const SCHEMAS: Record<string, ObjectSchema> = {
  APBILL: {
    name: 'APBILL',
    idField: null,
    writable: true,
    nestedBlocks: [],
    fields: {
      RECORDNO: 'integer',
      RECORDID: 'text',
      VENDORID: 'text',
      VENDORNAME: 'text',
      DOCNUMBER: 'text',
      DESCRIPTION: 'text',
      // In APBILL, WHENCREATED is the transaction date (2.6), not a timestamp.
      WHENCREATED: 'date',
      WHENPOSTED: 'date',
      WHENDUE: 'date',
      WHENPAID: 'date',
      RECPAYMENTDATE: 'date',
      PAYMENTPRIORITY: 'text',
      TERMNAME: 'text',
      ONHOLD: 'boolean',
      PRBATCH: 'text',
      CURRENCY: 'text',
      BASECURR: 'text',
      EXCH_RATE_DATE: 'date',
      EXCH_RATE_TYPE_ID: 'text',
      EXCHANGE_RATE: 'decimal',
      SUPDOCID: 'text',
      INCLUSIVETAX: 'boolean',
      TAXSOLUTIONID: 'text',
      STATE: 'text',
      TOTALENTERED: 'decimal',
      TRX_TOTALENTERED: 'decimal',
      TOTALPAID: 'decimal',
      TOTALDUE: 'decimal',
      MODULEKEY: 'text',
      WHENMODIFIED: 'timestamp',
    },
  },
  VENDOR: {
    name: 'VENDOR',
    idField: 'VENDORID',
    writable: true,
    nestedBlocks: ['DISPLAYCONTACT'],
    fields: {
      RECORDNO: 'integer',
      VENDORID: 'text',
      NAME: 'text',
      STATUS: 'text',
      VENDTYPE: 'text',
      PARENTID: 'text',
      TAXID: 'text',
      NAME1099: 'text',
      FORM1099TYPE: 'text',
      FORM1099BOX: 'text',
      TERMNAME: 'text',
      CURRENCY: 'text',
      APACCOUNT: 'text',
      OFFSETGLACCOUNT: 'text',
      CREDITLIMIT: 'decimal',
      ONHOLD: 'boolean',
      DONOTCUTCHECK: 'boolean',
      PAYMETHODKEY: 'text',
      VENDORACCOUNTNO: 'text',
      ...TIMESTAMPS,
    },
  },
  GLACCOUNT: {
    name: 'GLACCOUNT',
    idField: 'ACCOUNTNO',
    writable: false,
    nestedBlocks: [],
    fields: { RECORDNO: 'integer', ACCOUNTNO: 'text', TITLE: 'text', ACCOUNTTYPE: 'text', NORMALBALANCE: 'text', CLOSINGTYPE: 'text', STATUS: 'text', ...TIMESTAMPS },
  },
  DEPARTMENT: {
    name: 'DEPARTMENT',
    idField: 'DEPARTMENTID',
    writable: false,
    nestedBlocks: [],
    fields: { RECORDNO: 'integer', DEPARTMENTID: 'text', TITLE: 'text', STATUS: 'text', ...TIMESTAMPS },
  },
  LOCATION: {
    name: 'LOCATION',
    idField: 'LOCATIONID',
    writable: false,
    nestedBlocks: [],
    fields: { RECORDNO: 'integer', LOCATIONID: 'text', NAME: 'text', STATUS: 'text', ...TIMESTAMPS },
  },
  PROJECT: {
    name: 'PROJECT',
    idField: 'PROJECTID',
    writable: false,
    nestedBlocks: [],
    fields: { RECORDNO: 'integer', PROJECTID: 'text', NAME: 'text', STATUS: 'text', LOCATIONID: 'text', ...TIMESTAMPS },
  },
};

/** Type of a field, including flattened nested ones (always text). */
export function fieldType(schema: ObjectSchema, field: string): IntacctFieldType | undefined {
  const type = schema.fields[field];
  if (type) return type;
  const block = field.split('.')[0] ?? '';
  return field.includes('.') && schema.nestedBlocks.includes(block) ? 'text' : undefined;
}

/** One object's records keyed by RECORDNO, with an index on its business id. */
export class ObjectTable {
  readonly collection: SimCollection<IntacctRecord>;
  private readonly byId = new Map<string, string>();

  constructor(
    private readonly store: SimStore,
    readonly schema: ObjectSchema,
  ) {
    this.collection = store.collection<IntacctRecord>(schema.name);
    for (const [recordNo, record] of this.entries()) this.index(recordNo, record);
  }

  private *entries(): Generator<[string, IntacctRecord]> {
    for (const record of this.collection.all()) yield [record.fields.RECORDNO ?? '', record];
  }

  get(recordNo: string): IntacctRecord | undefined {
    return this.collection.get(recordNo);
  }

  /** By business id (VENDORID, ACCOUNTNO, …). Ids compare exactly (case-sensitive). */
  byBusinessId(id: string): IntacctRecord | undefined {
    const recordNo = this.byId.get(id);
    return recordNo === undefined ? undefined : this.collection.get(recordNo);
  }

  nextRecordNo(): string {
    const key = `recordno:${this.schema.name}`;
    const n = (this.store.getMeta<number>(key) ?? 0) + 1;
    this.store.setMeta(key, n);
    return String(n);
  }

  put(record: IntacctRecord): void {
    const recordNo = record.fields.RECORDNO ?? '';
    const previous = this.collection.get(recordNo);
    if (previous && this.schema.idField) this.byId.delete(previous.fields[this.schema.idField] ?? '');
    this.collection.put(recordNo, record);
    this.index(recordNo, record);
  }

  all(): IntacctRecord[] {
    return this.collection.all();
  }

  private index(recordNo: string, record: IntacctRecord): void {
    const idField = this.schema.idField;
    if (idField && record.fields[idField]) this.byId.set(record.fields[idField], recordNo);
  }
}
