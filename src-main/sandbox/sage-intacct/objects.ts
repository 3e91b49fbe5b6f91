import type { SimCollection, SimStore } from '../_common/sim-store';

/**
 * The Intacct objects this gateway serves (fact sheet 2.6–2.9) and their stored form: every
 * value a string exactly as the XML carries it (money "1234.50", dates mm/dd/yyyy, timestamps
 * "mm/dd/yyyy HH:MM:SS"); nested blocks such as DISPLAYCONTACT are kept flattened with dots
 * ("DISPLAYCONTACT.PRINTAS"), each one listed as a field. An empty or missing value is NULL to
 * the query languages.
 */
/** `decimal` is money (rounded to 2 decimals, fact sheet 2.6); `number` keeps its precision (quantities, unit prices, rates, percentages). */
export type IntacctFieldType = 'text' | 'integer' | 'decimal' | 'number' | 'date' | 'timestamp' | 'boolean';

export interface IntacctRecord {
  fields: Record<string, string>;
  /** Lines of a document (APBILLITEMS, ENTRIES, APPYMTDETAILS, PODOCUMENTENTRIES). */
  lines?: Record<string, string>[];
}

export interface LineSpec {
  /** Container and item element on create/update, e.g. APBILLITEMS / APBILLITEM. */
  container: string;
  item: string;
  fields: Record<string, IntacctFieldType>;
}

export interface ObjectSchema {
  name: string;
  /** What lookup/inspect call it. */
  label: string;
  /** The business id (VENDORID, ACCOUNTNO, …); null for documents keyed by RECORDNO only. */
  idField: string | null;
  /** Fields that scope the id: a TASKID is unique within its PROJECTID (Construction). */
  scopeFields: string[];
  fields: Record<string, IntacctFieldType>;
  /** Nested blocks accepted on create/update; their fields are listed flattened (BLOCK.FIELD). */
  nestedBlocks: string[];
  /** Allowed values of enumerated fields. */
  enums: Record<string, readonly string[]>;
  /** Required on create (lookup/inspect show them as such). */
  required: string[];
  /** Computed by Intacct: refused on create/update. */
  readOnly: string[];
  /** Custom fields of this company (config `customFields`), plain text. */
  customFields: string[];
  lines: LineSpec | null;
  /** Generic create/update/delete allowed (GLACCOUNT and the dimensions are read-only here). */
  writable: boolean;
  /** A transaction: an entity session (login with locationid) sees and writes its own entity only. */
  entityScoped: boolean;
}

const TIMESTAMPS = { WHENCREATED: 'timestamp', WHENMODIFIED: 'timestamp' } as const;
const STATUS_ENUM = { STATUS: ['active', 'inactive'] } as const;
const ENTITY = { MEGAENTITYID: 'text', MEGAENTITYNAME: 'text' } as const;

/** Dimension fields of a transaction line (fact sheet 2.6, XSD `lineitem`/`potransitem`). */
const LINE_DIMENSIONS = {
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
} as const;

export const BILL_LINE_FIELDS: Record<string, IntacctFieldType> = {
  RECORDNO: 'integer',
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
  ...LINE_DIMENSIONS,
};

/** GLENTRY: LOCATION and DEPARTMENT, not …ID (fact sheet 2.7). */
export const GL_ENTRY_FIELDS: Record<string, IntacctFieldType> = {
  LINE_NO: 'integer',
  ACCOUNTNO: 'text',
  TR_TYPE: 'integer',
  TRX_AMOUNT: 'decimal',
  CURRENCY: 'text',
  DESCRIPTION: 'text',
  DOCUMENT: 'text',
  ALLOCATION: 'text',
  BILLABLE: 'boolean',
  LOCATION: 'text',
  DEPARTMENT: 'text',
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

export const PAYMENT_DETAIL_FIELDS: Record<string, IntacctFieldType> = {
  RECORDKEY: 'integer',
  ENTRYKEY: 'integer',
  TRX_PAYMENTAMOUNT: 'decimal',
};

/** PODOCUMENTENTRY, written through create_potransaction's potransitem (XSD). */
export const PO_LINE_FIELDS: Record<string, IntacctFieldType> = {
  LINE_NO: 'integer',
  ITEMID: 'text',
  ITEMDESC: 'text',
  QUANTITY: 'number',
  UNIT: 'text',
  PRICE: 'number',
  TOTAL: 'decimal',
  MEMO: 'text',
  RETAINAGEPERCENTAGE: 'number',
  LOCATIONID: 'text',
  DEPARTMENTID: 'text',
  PROJECTID: 'text',
  TASKID: 'text',
  COSTTYPEID: 'text',
  CUSTOMERID: 'text',
  VENDORID: 'text',
  EMPLOYEEID: 'text',
  CLASSID: 'text',
  CONTRACTID: 'text',
  WAREHOUSEID: 'text',
  BILLABLE: 'boolean',
};

type SchemaSpec = Partial<ObjectSchema> & Pick<ObjectSchema, 'name' | 'label' | 'idField' | 'fields'>;

/** A master-data object read by the connector (GLACCOUNT and the dimensions). */
function master(name: string, label: string, idField: string, fields: Record<string, IntacctFieldType>, scopeFields: string[] = []): SchemaSpec {
  return { name, label, idField, scopeFields, fields: { RECORDNO: 'integer', [idField]: 'text', ...fields, STATUS: 'text', ...TIMESTAMPS }, enums: { ...STATUS_ENUM } };
}

const CONTACT_FIELDS = ['PRINTAS', 'COMPANYNAME', 'TAXABLE', 'TAXGROUP', 'PREFIX', 'FIRSTNAME', 'LASTNAME', 'INITIAL', 'PHONE1', 'PHONE2', 'CELLPHONE', 'PAGER', 'FAX', 'EMAIL1', 'EMAIL2', 'URL1', 'URL2'];
const ADDRESS_FIELDS = ['ADDRESS1', 'ADDRESS2', 'CITY', 'STATE', 'ZIP', 'COUNTRY', 'COUNTRYCODE'];

const SPECS: SchemaSpec[] = [
  {
    name: 'APBILL',
    label: 'AP Bill',
    idField: null,
    writable: true,
    entityScoped: true,
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
      EXCHANGE_RATE: 'number',
      SUPDOCID: 'text',
      INCLUSIVETAX: 'boolean',
      TAXSOLUTIONID: 'text',
      BILLTOPAYTOCONTACTNAME: 'text',
      SHIPTORETURNTOCONTACTNAME: 'text',
      STATE: 'text',
      TOTALENTERED: 'decimal',
      TRX_TOTALENTERED: 'decimal',
      TOTALPAID: 'decimal',
      TRX_TOTALPAID: 'decimal',
      TOTALDUE: 'decimal',
      TRX_TOTALDUE: 'decimal',
      MODULEKEY: 'text',
      ...ENTITY,
      WHENMODIFIED: 'timestamp',
    },
    enums: { PAYMENTPRIORITY: ['urgent', 'high', 'normal', 'low'] },
    required: ['VENDORID', 'WHENCREATED', 'WHENDUE'],
    readOnly: ['RECORDNO', 'VENDORNAME', 'STATE', 'TOTALENTERED', 'TRX_TOTALENTERED', 'TOTALPAID', 'TRX_TOTALPAID', 'TOTALDUE', 'TRX_TOTALDUE', 'MODULEKEY', 'WHENMODIFIED', 'WHENPAID', 'MEGAENTITYID', 'MEGAENTITYNAME'],
    lines: { container: 'APBILLITEMS', item: 'APBILLITEM', fields: BILL_LINE_FIELDS },
  },
  {
    name: 'APPYMT',
    label: 'AP Payment',
    idField: null,
    writable: true,
    entityScoped: true,
    fields: {
      RECORDNO: 'integer',
      PAYMENTMETHOD: 'text',
      FINANCIALENTITY: 'text',
      VENDORID: 'text',
      VENDORNAME: 'text',
      DOCNUMBER: 'text',
      DESCRIPTION: 'text',
      PAYMENTDATE: 'date',
      WHENPAID: 'date',
      CURRENCY: 'text',
      BASECURR: 'text',
      TOTALENTERED: 'decimal',
      TRX_TOTALENTERED: 'decimal',
      STATE: 'text',
      ...ENTITY,
      ...TIMESTAMPS,
    },
    enums: { PAYMENTMETHOD: ['Printed Check', 'Manual Check', 'Cash', 'EFT', 'Credit Card', 'ACH'] },
    required: ['PAYMENTMETHOD', 'FINANCIALENTITY', 'VENDORID', 'PAYMENTDATE'],
    readOnly: ['RECORDNO', 'VENDORNAME', 'WHENPAID', 'TOTALENTERED', 'TRX_TOTALENTERED', 'STATE', 'MEGAENTITYID', 'MEGAENTITYNAME', 'WHENCREATED', 'WHENMODIFIED'],
    lines: { container: 'APPYMTDETAILS', item: 'APPYMTDETAIL', fields: PAYMENT_DETAIL_FIELDS },
  },
  {
    // One row per bill a payment paid: which bills moved to Paid, and by how much.
    name: 'APPYMTDETAIL',
    label: 'AP Payment Detail',
    idField: null,
    entityScoped: true,
    fields: { RECORDNO: 'integer', PAYMENTKEY: 'integer', RECORDKEY: 'integer', ENTRYKEY: 'integer', TRX_PAYMENTAMOUNT: 'decimal', PAYMENTAMOUNT: 'decimal', PAYMENTDATE: 'date', ...ENTITY, ...TIMESTAMPS },
  },
  {
    name: 'GLBATCH',
    label: 'Journal Entry',
    idField: null,
    writable: true,
    entityScoped: true,
    fields: {
      RECORDNO: 'integer',
      BATCHNO: 'integer',
      JOURNAL: 'text',
      BATCH_DATE: 'date',
      BATCH_TITLE: 'text',
      REVERSEDATE: 'date',
      REFERENCENO: 'text',
      SUPDOCID: 'text',
      STATE: 'text',
      ...ENTITY,
      ...TIMESTAMPS,
    },
    enums: { STATE: ['Draft', 'Posted'] },
    required: ['JOURNAL', 'BATCH_DATE', 'BATCH_TITLE'],
    readOnly: ['RECORDNO', 'BATCHNO', 'MEGAENTITYID', 'MEGAENTITYNAME', 'WHENCREATED', 'WHENMODIFIED'],
    lines: { container: 'ENTRIES', item: 'GLENTRY', fields: GL_ENTRY_FIELDS },
  },
  {
    // Purchasing documents, written by create_potransaction / update_potransaction (XSD).
    name: 'PODOCUMENT',
    label: 'Purchasing Transaction',
    idField: 'DOCID',
    entityScoped: true,
    fields: {
      RECORDNO: 'integer',
      DOCID: 'text',
      DOCNO: 'text',
      DOCPARID: 'text',
      CUSTVENDID: 'text',
      CUSTVENDNAME: 'text',
      PONUMBER: 'text',
      VENDORDOCNO: 'text',
      WHENCREATED: 'date',
      WHENPOSTED: 'date',
      WHENDUE: 'date',
      TERMNAME: 'text',
      MESSAGE: 'text',
      STATE: 'text',
      PROJECTID: 'text',
      CHANGELOGNUMBER: 'text',
      CURRENCY: 'text',
      BASECURR: 'text',
      SUBTOTAL: 'decimal',
      TOTAL: 'decimal',
      TRX_TOTAL: 'decimal',
      PAYTO: 'text',
      RETURNTO: 'text',
      ...ENTITY,
      WHENMODIFIED: 'timestamp',
    },
    lines: { container: 'PODOCUMENTENTRIES', item: 'PODOCUMENTENTRY', fields: PO_LINE_FIELDS },
  },
  {
    name: 'VENDOR',
    label: 'Vendor',
    idField: 'VENDORID',
    writable: true,
    nestedBlocks: ['DISPLAYCONTACT', 'CONTACTINFO', 'PAYTO', 'RETURNTO'],
    fields: {
      RECORDNO: 'integer',
      VENDORID: 'text',
      NAME: 'text',
      STATUS: 'text',
      ONETIME: 'boolean',
      HIDEDISPLAYCONTACT: 'boolean',
      VENDTYPE: 'text',
      PARENTID: 'text',
      GLGROUP: 'text',
      TAXID: 'text',
      NAME1099: 'text',
      FORM1099TYPE: 'text',
      FORM1099BOX: 'text',
      SUPDOCID: 'text',
      APACCOUNT: 'text',
      OFFSETGLACCOUNT: 'text',
      CREDITLIMIT: 'decimal',
      ONHOLD: 'boolean',
      DONOTCUTCHECK: 'boolean',
      COMMENTS: 'text',
      CURRENCY: 'text',
      PAYMETHODKEY: 'text',
      MERGEPAYMENTREQ: 'boolean',
      PAYMENTNOTIFY: 'boolean',
      BILLINGTYPE: 'text',
      PAYMENTPRIORITY: 'text',
      TERMNAME: 'text',
      DISPLAYTERMDISCOUNT: 'boolean',
      ACHENABLED: 'boolean',
      ACHBANKROUTINGNUMBER: 'text',
      ACHACCOUNTNUMBER: 'text',
      ACHACCOUNTTYPE: 'text',
      ACHREMITTANCETYPE: 'text',
      VENDORACCOUNTNO: 'text',
      DISPLAYACCTNOCHECK: 'boolean',
      OBJECTRESTRICTION: 'text',
      RESTRICTEDLOCATIONS: 'text',
      RESTRICTEDDEPARTMENTS: 'text',
      RETAINAGEPERCENTAGE: 'number',
      ...Object.fromEntries(CONTACT_FIELDS.map((f) => [`DISPLAYCONTACT.${f}`, 'text'])),
      ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [`DISPLAYCONTACT.MAILADDRESS.${f}`, 'text'])),
      'CONTACTINFO.CONTACTNAME': 'text',
      'PAYTO.CONTACTNAME': 'text',
      'RETURNTO.CONTACTNAME': 'text',
      ...TIMESTAMPS,
    },
    // Values as VendorCreate in the vendor SDK writes them.
    enums: {
      ...STATUS_ENUM,
      PAYMENTPRIORITY: ['urgent', 'high', 'normal', 'low'],
      BILLINGTYPE: ['openitem', 'balanceforward'],
      ACHACCOUNTTYPE: ['Checking Account', 'Savings Account'],
      ACHREMITTANCETYPE: ['CCD', 'CTX', 'PPD'],
      OBJECTRESTRICTION: ['Unrestricted', 'RootOnly', 'Restricted'],
    },
    required: ['NAME', 'DISPLAYCONTACT.PRINTAS'],
    readOnly: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED'],
  },
  master('GLACCOUNT', 'GL Account', 'ACCOUNTNO', { TITLE: 'text', ACCOUNTTYPE: 'text', NORMALBALANCE: 'text', CLOSINGTYPE: 'text' }),
  master('GLJOURNAL', 'Journal', 'SYMBOL', { TITLE: 'text' }),
  master('CHECKINGACCOUNT', 'Checking Account', 'BANKACCOUNTID', { BANKNAME: 'text', CURRENCY: 'text' }),
  master('DEPARTMENT', 'Department', 'DEPARTMENTID', { TITLE: 'text', PARENTID: 'text' }),
  master('LOCATION', 'Location', 'LOCATIONID', { NAME: 'text', PARENTID: 'text' }),
  master('PROJECT', 'Project', 'PROJECTID', { NAME: 'text', LOCATIONID: 'text', PROJECTCATEGORY: 'text' }),
  {
    // Projects application "Create Task" / "Update Task" (XML API 3.0; the XSD's legacy
    // create_task / update_task carry the same fields in lower case): NAME and PROJECTID are
    // required, and TASKID too in a company without document sequencing for tasks (this one).
    ...master(
      'TASK',
      'Task',
      'TASKID',
      {
        NAME: 'text',
        PROJECTID: 'text',
        PROJECTNAME: 'text',
        PROJECTKEY: 'integer',
        DESCRIPTION: 'text',
        BILLABLE: 'boolean',
        ISMILESTONE: 'boolean',
        UTILIZED: 'boolean',
        PRIORITY: 'integer',
        TASKNO: 'text',
        TASKSTATUS: 'text',
        PBEGINDATE: 'date',
        PENDDATE: 'date',
        BUDGETQTY: 'number',
        ESTQTY: 'number',
        PARENTKEY: 'integer',
        PARENTID: 'text',
        PARENTNAME: 'text',
        STANDARDTASKID: 'text',
        ITEMID: 'text',
        CLASSID: 'text',
      },
      ['PROJECTID'],
    ),
    writable: true,
    enums: { ...STATUS_ENUM, TASKSTATUS: ['Not Started', 'Planned', 'In Progress', 'Completed', 'On Hold'] },
    required: ['TASKID', 'NAME', 'PROJECTID'],
    readOnly: ['RECORDNO', 'PROJECTNAME', 'PROJECTKEY', 'PARENTNAME', 'WHENCREATED', 'WHENMODIFIED'],
  },
  master('COSTTYPE', 'Cost Type', 'COSTTYPEID', { NAME: 'text', PROJECTID: 'text', TASKID: 'text' }, ['PROJECTID', 'TASKID']),
  master('CLASS', 'Class', 'CLASSID', { NAME: 'text', PARENTID: 'text' }),
  master('CUSTOMER', 'Customer', 'CUSTOMERID', { NAME: 'text' }),
  master('EMPLOYEE', 'Employee', 'EMPLOYEEID', { 'PERSONALINFO.CONTACTNAME': 'text', TITLE: 'text' }),
  master('ITEM', 'Item', 'ITEMID', { NAME: 'text', ITEMTYPE: 'text', UNIT: 'text' }),
  master('CONTRACT', 'Contract', 'CONTRACTID', { NAME: 'text' }),
  master('WAREHOUSE', 'Warehouse', 'WAREHOUSEID', { NAME: 'text' }),
];

/** The objects of one simulator, with the company's custom fields (config) added. */
export function buildSchemas(customFields: Record<string, readonly string[]>): Record<string, ObjectSchema> {
  const out: Record<string, ObjectSchema> = {};
  for (const spec of SPECS) {
    const custom = [...(customFields[spec.name] ?? [])];
    out[spec.name] = {
      scopeFields: [],
      nestedBlocks: [],
      enums: {},
      required: [],
      readOnly: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED'],
      lines: null,
      writable: false,
      entityScoped: false,
      ...spec,
      customFields: custom,
      fields: { ...spec.fields, ...Object.fromEntries(custom.map((f) => [f, 'text' as const])) },
    };
  }
  return out;
}

/** Type of a field (flattened nested ones included); undefined when the object has no such field. */
export function fieldType(schema: ObjectSchema, field: string): IntacctFieldType | undefined {
  return schema.fields[field];
}

/** One object's records keyed by RECORDNO, with an index on its (scoped) business id. */
export class ObjectTable {
  readonly collection: SimCollection<IntacctRecord>;
  private readonly byId = new Map<string, string>();

  constructor(
    private readonly store: SimStore,
    readonly schema: ObjectSchema,
  ) {
    this.collection = store.collection<IntacctRecord>(schema.name);
    for (const record of this.collection.all()) this.index(record);
  }

  get(recordNo: string): IntacctRecord | undefined {
    return this.collection.get(recordNo);
  }

  /**
   * By business id (VENDORID, ACCOUNTNO, …), compared exactly (case-sensitive); scoped ids
   * (TASK, COSTTYPE) also need their scope values in order (PROJECTID[, TASKID]).
   */
  byBusinessId(id: string, ...scope: string[]): IntacctRecord | undefined {
    const recordNo = this.byId.get(this.indexKey(id, scope));
    return recordNo === undefined ? undefined : this.collection.get(recordNo);
  }

  nextRecordNo(): string {
    return String(this.nextNumber(`recordno:${this.schema.name}`));
  }

  /** A numbering sequence kept with the store (bill line RECORDNOs, document numbers). */
  nextNumber(sequence: string): number {
    const n = (this.store.getMeta<number>(sequence) ?? 0) + 1;
    this.store.setMeta(sequence, n);
    return n;
  }

  put(record: IntacctRecord): void {
    const recordNo = record.fields.RECORDNO ?? '';
    const previous = this.collection.get(recordNo);
    if (previous) this.unindex(previous);
    this.collection.put(recordNo, record);
    this.index(record);
  }

  delete(recordNo: string): void {
    const previous = this.collection.get(recordNo);
    if (!previous) return;
    this.unindex(previous);
    this.collection.delete(recordNo);
  }

  all(): IntacctRecord[] {
    return this.collection.all();
  }

  private indexKey(id: string, scope: string[]): string {
    return JSON.stringify([...scope, id]);
  }

  private keyOf(record: IntacctRecord): string | null {
    const idField = this.schema.idField;
    const id = idField ? record.fields[idField] : undefined;
    if (!id) return null;
    return this.indexKey(
      id,
      this.schema.scopeFields.map((f) => record.fields[f] ?? ''),
    );
  }

  private index(record: IntacctRecord): void {
    const key = this.keyOf(record);
    if (key) this.byId.set(key, record.fields.RECORDNO ?? '');
  }

  private unindex(record: IntacctRecord): void {
    const key = this.keyOf(record);
    if (key && this.byId.get(key) === record.fields.RECORDNO) this.byId.delete(key);
  }
}
