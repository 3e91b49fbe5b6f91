import { Decimal } from '../../../src-shared/domain/money';
import { legacyCustomFields } from './bills';
import { LINE_DIMENSIONS, type Caller, type IntacctCompany } from './company';
import { recordFailure } from './errors';
import { PO_LINE_FIELDS, type IntacctRecord } from './objects';
import { checkValue, dueDateFromTerm, legacyDate } from './values';
import { asArray, asObject, textOf, type XmlObject } from './xml';

/**
 * Purchasing transactions through the legacy functions the XSD defines in full:
 * `create_potransaction`, `update_potransaction key="…"` and `delete_potransaction key="…"`
 * (the generic PODOCUMENT create is not in the XSD, so these are the documented write path).
 * Each answers `<key>` = DOCID, "<transaction type>-<document number>" (e.g.
 * "Purchase Order-PO0001"); the documents read back as object PODOCUMENT (readByQuery / query
 * / read with `docparid` = the transaction type). Change orders amend a document with
 * update_potransaction: `updatepotransitems` appends `potransitem` lines and changes existing
 * ones with `updatepotransitem line_num="N"`; `changelognumber` records the change.
 * Lines need an ITEM (XSD: itemid and quantity required); TOTAL = quantity × price, rounded
 * to the cent.
 */
export const PO_TRANSACTION_TYPES: Record<string, string> = { 'Purchase Order': 'PO', Subcontract: 'SC' };
const PO_STATES = ['Draft', 'Pending'] as const;

/** Legacy header element → PODOCUMENT field (simple text values). */
const HEADER_FIELDS: Record<string, string> = {
  referenceno: 'PONUMBER',
  vendordocno: 'VENDORDOCNO',
  termname: 'TERMNAME',
  message: 'MESSAGE',
  basecurr: 'BASECURR',
  currency: 'CURRENCY',
  state: 'STATE',
  projectid: 'PROJECTID',
  changelognumber: 'CHANGELOGNUMBER',
};
const HEADER_DATES: Record<string, string> = { datecreated: 'WHENCREATED', dateposted: 'WHENPOSTED', datedue: 'WHENDUE' };

/** Legacy potransitem / updatepotransitem element → PODOCUMENTENTRY field. */
const LINE_FIELDS: Record<string, string> = {
  itemid: 'ITEMID',
  itemdesc: 'ITEMDESC',
  quantity: 'QUANTITY',
  unit: 'UNIT',
  price: 'PRICE',
  memo: 'MEMO',
  locationid: 'LOCATIONID',
  departmentid: 'DEPARTMENTID',
  projectid: 'PROJECTID',
  taskid: 'TASKID',
  costtypeid: 'COSTTYPEID',
  customerid: 'CUSTOMERID',
  vendorid: 'VENDORID',
  employeeid: 'EMPLOYEEID',
  classid: 'CLASSID',
  contractid: 'CONTRACTID',
  warehouseid: 'WAREHOUSEID',
  billable: 'BILLABLE',
  retainagepercentage: 'RETAINAGEPERCENTAGE',
};

export function createPoTransaction(company: IntacctCompany, input: XmlObject, caller: Caller): string {
  const table = company.table('PODOCUMENT');
  const problems: string[] = [];
  const type = textOf(input.transactiontype) ?? '';
  const prefix = PO_TRANSACTION_TYPES[type];
  if (!prefix) problems.push(`Invalid transaction type '${type}'; this company has ${Object.keys(PO_TRANSACTION_TYPES).map((t) => `'${t}'`).join(', ')}.`);
  const f: Record<string, string> = {};
  const vendorId = textOf(input.vendorid) ?? '';
  const vendor = company.activeRecord('VENDOR', 'Vendor', vendorId);
  if (!vendorId) problems.push('create_potransaction needs <vendorid>.');
  else if ('problem' in vendor) problems.push(vendor.problem);
  else Object.assign(f, { CUSTVENDID: vendorId, CUSTVENDNAME: vendor.record.fields.NAME ?? '' });
  if (input.datecreated === undefined) problems.push('create_potransaction needs <datecreated>.');
  for (const block of ['returnto', 'payto']) if (input[block] === undefined) problems.push(`create_potransaction needs <${block}> (a contact name).`);
  if (input.potransitems === undefined) problems.push('create_potransaction needs <potransitems> with at least one <potransitem>.');
  readHeader(company, input, f, new Set(['transactiontype', 'vendorid', 'documentno', 'potransitems']), 'create_potransaction', problems);

  const documentNo = textOf(input.documentno) ?? '';
  const lines = asArray(asObject(input.potransitems)?.potransitem).map((item, i) => readLine(asObject(item) ?? {}, {}, `potransitem ${i + 1}:`, problems));
  if (input.potransitems !== undefined && lines.length === 0) problems.push('<potransitems> needs at least one <potransitem>.');
  const docNo = documentNo || (prefix ? `${prefix}${String(table.nextNumber(`docno:${type}`)).padStart(4, '0')}` : '');
  const docId = `${type}-${docNo}`;
  if (documentNo && table.byBusinessId(docId)) problems.push(`Document number ${documentNo} is already used by ${docId}.`);
  const record: IntacctRecord = { fields: { ...f, DOCID: docId, DOCNO: docNo, DOCPARID: type }, lines: lines.map((l, i) => ({ ...l, LINE_NO: String(i + 1) })) };
  finish(company, record, 'create', caller, problems);
  Object.assign(record.fields, company.entityFields(caller), { RECORDNO: table.nextRecordNo() });
  table.put(record);
  return docId;
}

export function updatePoTransaction(company: IntacctCompany, input: XmlObject, caller: Caller): string {
  const existing = findDocument(company, textOf(input['@_key']) ?? '', caller, 'update');
  if (existing.fields.STATE === 'Closed') throw recordFailure([`${existing.fields.DOCID ?? ''} is closed and cannot change.`], 'Invalid transaction', 'Could not update Document record!');
  const problems: string[] = [];
  const record: IntacctRecord = { fields: { ...existing.fields }, lines: (existing.lines ?? []).map((l) => ({ ...l })) };
  readHeader(company, input, record.fields, new Set(['updatepotransitems']), 'update_potransaction', problems);
  const lines = (record.lines ??= []);
  const changes = asObject(input.updatepotransitems);
  for (const [key, items] of Object.entries(changes ?? {})) {
    if (key === 'potransitem') {
      for (const item of asArray(items)) lines.push({ ...readLine(asObject(item) ?? {}, {}, `new potransitem ${lines.length + 1}:`, problems), LINE_NO: String(lines.length + 1) });
    } else if (key === 'updatepotransitem') {
      for (const item of asArray(items)) {
        const node = asObject(item) ?? {};
        const lineNo = textOf(node['@_line_num']) ?? '';
        const line = lines.find((l) => l.LINE_NO === lineNo);
        if (!line) problems.push(`updatepotransitem line_num="${lineNo}": ${existing.fields.DOCID ?? ''} has lines 1 to ${lines.length}.`);
        else Object.assign(line, readLine(node, line, `line ${lineNo}:`, problems));
      }
    } else if (!key.startsWith('@_')) problems.push(`<updatepotransitems> holds potransitem and updatepotransitem, not ${key}.`);
  }
  finish(company, record, 'update', caller, problems);
  company.table('PODOCUMENT').put(record);
  return record.fields.DOCID ?? '';
}

export function deletePoTransaction(company: IntacctCompany, input: XmlObject, caller: Caller): string {
  const existing = findDocument(company, textOf(input['@_key']) ?? '', caller, 'delete');
  company.table('PODOCUMENT').delete(existing.fields.RECORDNO ?? '');
  return existing.fields.DOCID ?? '';
}

function findDocument(company: IntacctCompany, key: string, caller: Caller, action: string): IntacctRecord {
  const table = company.table('PODOCUMENT');
  const doc = table.byBusinessId(key);
  if (!doc || !company.visible(table.schema, doc, caller)) {
    throw recordFailure([key ? `No purchasing transaction has key '${key}' (the DOCID, e.g. 'Purchase Order-PO0001').` : `${action}_potransaction needs a key attribute.`], 'Transaction not found', `Could not ${action} Document record!`);
  }
  return doc;
}

function readHeader(company: IntacctCompany, input: XmlObject, f: Record<string, string>, handled: ReadonlySet<string>, fn: string, problems: string[]): void {
  const customFields = new Set(company.table('PODOCUMENT').schema.customFields);
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@_') || key === '#text' || handled.has(key)) continue;
    const field = HEADER_FIELDS[key];
    if (field) f[field] = textOf(value)?.trim() ?? '';
    else if (HEADER_DATES[key]) {
      const date = legacyDate(value, key);
      if (date.ok) f[HEADER_DATES[key]] = date.value;
      else problems.push(date.error);
    } else if (key === 'returnto' || key === 'payto') {
      const block = asObject(value);
      const name = textOf(block?.contactname) ?? textOf(asObject(block?.contact)?.contactname) ?? '';
      if (!name) problems.push(`<${key}> needs a <contactname>.`);
      f[key === 'payto' ? 'PAYTO' : 'RETURNTO'] = name;
    } else if (key === 'customfields') {
      for (const [name, text] of legacyCustomFields(value)) {
        if (customFields.has(name)) f[name] = text;
        else problems.push(`PODOCUMENT has no custom field ${name}${customFields.size > 0 ? ` (custom fields of this company: ${[...customFields].join(', ')})` : ''}.`);
      }
    } else problems.push(`${fn}: <${key}> is not served by this sandbox.`);
  }
  if (f.STATE && !(PO_STATES as readonly string[]).includes(f.STATE)) problems.push(`<state> must be ${PO_STATES.join(' or ')}, got '${f.STATE}'.`);
  if (f.PROJECTID) {
    const project = company.activeRecord('PROJECT', 'Project', f.PROJECTID);
    if ('problem' in project) problems.push(project.problem);
  }
}

function readLine(item: XmlObject, base: Record<string, string>, at: string, problems: string[]): Record<string, string> {
  const line: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const field = LINE_FIELDS[key];
    const text = textOf(value);
    if (!field) problems.push(`${at} <${key}> is not served by this sandbox.`);
    else if (text === undefined) problems.push(`${at} <${key}> must be a simple value.`);
    else {
      const checked = checkValue(field, PO_LINE_FIELDS[field] ?? 'text', text);
      if (checked.ok) line[field] = checked.value;
      else problems.push(`${at} ${checked.error}`);
    }
  }
  return line;
}

/** Line rules and totals shared by create and update; throws with every problem found. */
function finish(company: IntacctCompany, record: IntacctRecord, mode: 'create' | 'update', caller: Caller, problems: string[]): void {
  const f = record.fields;
  const lines = record.lines ?? [];
  lines.forEach((line, i) => {
    const at = `Line ${i + 1}:`;
    if (!line.ITEMID) problems.push(`${at} itemid is required.`);
    if (!line.QUANTITY || Decimal.parse(line.QUANTITY).isZero()) problems.push(`${at} quantity must be a non-zero number.`);
    line.PRICE ||= '0.00';
    line.TOTAL = Decimal.parse(line.QUANTITY || '0').times(Decimal.parse(line.PRICE)).roundToCents().toMoneyString();
    company.checkLineDimensions(line, LINE_DIMENSIONS, at, caller, (m) => problems.push(m));
    if (line.ITEMID) {
      const item = company.tables.ITEM?.byBusinessId(line.ITEMID);
      line.ITEMDESC ||= item?.fields.NAME ?? '';
      line.UNIT ||= item?.fields.UNIT ?? '';
    }
  });
  if (f.WHENCREATED && !f.WHENDUE && f.TERMNAME) {
    const due = dueDateFromTerm(f.TERMNAME, f.WHENCREATED);
    if (due) f.WHENDUE = due;
    else problems.push(`Invalid term '${f.TERMNAME}' (this company has 'Net N' terms and 'Due on receipt').`);
  }
  if (problems.length > 0) throw recordFailure(problems, 'Invalid transaction', `Could not ${mode} Document record!`);
  const total = Decimal.sum(lines.map((l) => Decimal.parse(l.TOTAL ?? '0'))).toMoneyString();
  f.SUBTOTAL = total;
  f.TOTAL = total;
  f.TRX_TOTAL = total;
  f.CURRENCY ||= company.settings.currency;
  f.BASECURR ||= company.settings.currency;
  f.WHENPOSTED ||= f.WHENCREATED ?? '';
  f.STATE ||= 'Pending';
  f.WHENMODIFIED = company.stamp();
}
