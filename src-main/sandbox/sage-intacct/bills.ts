import { Decimal } from '../../../src-shared/domain/money';
import { LINE_DIMENSIONS, type Caller, type IntacctCompany } from './company';
import { recordFailure } from './errors';
import type { IntacctRecord } from './objects';
import { readFields, readLines } from './records';
import { dueDateFromTerm, legacyDate } from './values';
import { asArray, asObject, textOf, type XmlNode, type XmlObject } from './xml';

/**
 * AP bills (fact sheet 2.6): generic `<create>/<update><APBILL>` and the legacy `create_bill`
 * (XSD `create_bill`, dates as year/month/day, lines as `billitems/lineitem`), one set of rules.
 * Payments (payments.ts) move STATE, TOTALPAID, TOTALDUE and WHENPAID.
 */

/** STATE as query results print it, from what has been paid. */
export function billState(fields: Record<string, string>): string {
  if (fields.STATE === 'Draft') return 'Draft';
  const paid = Decimal.parse(fields.TOTALPAID || '0');
  if (paid.isZero()) return 'Posted';
  return Decimal.parse(fields.TOTALDUE || '0').isZero() ? 'Paid' : 'Partially Paid';
}

export function writeBill(company: IntacctCompany, input: XmlObject, mode: 'create' | 'update', caller: Caller): IntacctRecord {
  const table = company.table('APBILL');
  const schema = table.schema;
  const problems: string[] = [];
  const problem = (m: string): void => {
    problems.push(m);
  };

  let record: IntacctRecord;
  if (mode === 'update') {
    const recordNo = textOf(input.RECORDNO);
    const existing = recordNo ? table.get(recordNo) : undefined;
    if (!existing || !company.visible(schema, existing, caller)) {
      throw recordFailure([recordNo ? `No APBILL has RECORDNO ${recordNo}${caller.entity ? ` in entity ${caller.entity}` : ''}.` : 'Update of APBILL needs RECORDNO.'], 'Bill not found', 'Could not update APBILL record!');
    }
    if (!Decimal.parse(existing.fields.TOTALPAID || '0').isZero()) {
      throw recordFailure([`Bill ${recordNo ?? ''} has payments applied (state ${existing.fields.STATE ?? ''}); reverse the payments before changing it.`], 'Invalid bill', 'Could not update APBILL record!');
    }
    record = { fields: { ...existing.fields }, lines: (existing.lines ?? []).map((l) => ({ ...l })) };
  } else record = { fields: {}, lines: [] };

  const action = textOf(input.ACTION) ?? '';
  if (action && action !== 'Submit' && action !== 'Draft') problem(`ACTION must be Submit or Draft, got '${action}'.`);
  const handledHere = mode === 'update' ? ['APBILLITEMS', 'ACTION', 'RECORDNO'] : ['APBILLITEMS', 'ACTION'];
  Object.assign(record.fields, readFields(schema, input, new Set(handledHere), problem));

  const f = record.fields;
  const draft = mode === 'create' ? action === 'Draft' : f.STATE === 'Draft' && action !== 'Submit';
  if (!draft) for (const required of schema.required) if (!f[required]) problem(`${required} is required (unless ACTION is Draft).`);
  if (f.VENDORID) {
    const vendor = company.activeRecord('VENDOR', 'Vendor', f.VENDORID);
    if ('problem' in vendor) problem(vendor.problem);
    else f.VENDORNAME = vendor.record.fields.NAME ?? '';
  }
  f.WHENPOSTED ||= f.WHENCREATED ?? '';

  if (input.APBILLITEMS !== undefined) mergeBillLines(company, record, input.APBILLITEMS, mode, problem);
  const lines = record.lines ?? [];
  if (lines.length === 0 && !draft) problem('A bill needs at least one line (APBILLITEMS/APBILLITEM).');
  lines.forEach((line, i) => checkBillLine(company, line, `Line ${i + 1}:`, caller, problem));

  if (problems.length > 0) throw recordFailure(problems, 'Invalid bill', `Could not ${mode} APBILL record!`);

  const total = Decimal.sum(lines.map((l) => Decimal.parse(l.TRX_AMOUNT ?? '0'))).toMoneyString();
  f.TOTALENTERED = total;
  f.TRX_TOTALENTERED = total;
  f.TOTALPAID ||= '0.00';
  f.TRX_TOTALPAID ||= '0.00';
  f.TOTALDUE = Decimal.parse(total).minus(Decimal.parse(f.TOTALPAID)).toMoneyString();
  f.TRX_TOTALDUE = f.TOTALDUE;
  f.CURRENCY ||= company.settings.currency;
  f.BASECURR ||= company.settings.currency;
  f.MODULEKEY = '3.AP';
  if (mode === 'create') Object.assign(f, company.entityFields(caller));
  f.STATE = draft ? 'Draft' : '';
  f.STATE = billState(f);
  f.WHENMODIFIED = company.stamp();
  f.RECORDNO ||= table.nextRecordNo();
  table.put(record);
  return record;
}

/** Create: lines in order. Update: each line must name its LINE_NO (2.12); a new number appends. */
function mergeBillLines(company: IntacctCompany, record: IntacctRecord, node: XmlNode, mode: 'create' | 'update', problem: (m: string) => void): void {
  const table = company.table('APBILL');
  const spec = table.schema.lines;
  if (!spec) return;
  const items = readLines(spec, node, problem);
  if (mode === 'create') record.lines = [];
  const lines = (record.lines ??= []);
  const newLine = (line: Record<string, string>): void => {
    lines.push({ ...line, LINE_NO: String(lines.length + 1), RECORDNO: String(table.nextNumber('recordno:APBILLITEM')) });
  };
  items.forEach((line, i) => {
    if (line.RECORDNO) problem(`APBILLITEM ${i + 1}: RECORDNO is set by Intacct.`);
    if (mode === 'create') {
      newLine(line);
      return;
    }
    if (!line.LINE_NO) {
      problem('Updating bill lines requires LINE_NO on every APBILLITEM.');
      return;
    }
    const existing = lines.find((l) => l.LINE_NO === line.LINE_NO);
    if (existing) Object.assign(existing, line);
    else newLine(line);
  });
}

function checkBillLine(company: IntacctCompany, line: Record<string, string>, at: string, caller: Caller, problem: (m: string) => void): void {
  if (line.ACCOUNTLABEL && !line.ACCOUNTNO) problem(`${at} account labels are not set up in this company; use ACCOUNTNO.`);
  else if (!line.ACCOUNTNO) problem(`${at} ACCOUNTNO is required.`);
  else company.checkAccount(line.ACCOUNTNO, at, problem);
  if (!line.TRX_AMOUNT) problem(`${at} TRX_AMOUNT is required.`);
  company.checkLineDimensions(line, LINE_DIMENSIONS, at, caller, problem);
}

// ------------------------------------------------------------------ legacy create_bill

/** Legacy lineitem element → APBILLITEM field (XSD `lineitem`). */
const LEGACY_LINE_FIELDS: Record<string, string> = {
  glaccountno: 'ACCOUNTNO',
  accountlabel: 'ACCOUNTLABEL',
  offsetglaccountno: 'OFFSETGLACCOUNTNO',
  amount: 'TRX_AMOUNT',
  allocationid: 'ALLOCATION',
  memo: 'ENTRYDESCRIPTION',
  locationid: 'LOCATIONID',
  departmentid: 'DEPARTMENTID',
  item1099: 'FORM1099',
  form1099type: 'FORM1099TYPE',
  form1099box: 'FORM1099BOX',
  projectid: 'PROJECTID',
  taskid: 'TASKID',
  costtypeid: 'COSTTYPEID',
  customerid: 'CUSTOMERID',
  vendorid: 'VENDORID',
  employeeid: 'EMPLOYEEID',
  itemid: 'ITEMID',
  classid: 'CLASSID',
  contractid: 'CONTRACTID',
  warehouseid: 'WAREHOUSEID',
  billable: 'BILLABLE',
  totaltrxamount: 'TOTALTRXAMOUNT',
};

/** Legacy header element → APBILL field; dates and blocks are handled separately. */
const LEGACY_HEADER_FIELDS: Record<string, string> = {
  vendorid: 'VENDORID',
  termname: 'TERMNAME',
  action: 'ACTION',
  billno: 'RECORDID',
  ponumber: 'DOCNUMBER',
  onhold: 'ONHOLD',
  description: 'DESCRIPTION',
  basecurr: 'BASECURR',
  currency: 'CURRENCY',
  exchratetype: 'EXCH_RATE_TYPE_ID',
  exchrate: 'EXCHANGE_RATE',
  supdocid: 'SUPDOCID',
  inclusivetax: 'INCLUSIVETAX',
  taxsolutionid: 'TAXSOLUTIONID',
};
const LEGACY_DATES: Record<string, string> = { datecreated: 'WHENCREATED', dateposted: 'WHENPOSTED', datedue: 'WHENDUE', exchratedate: 'EXCH_RATE_DATE' };

/**
 * `create_bill` → the same bill as a generic create; answers the new RECORDNO as `<key>`.
 * A due date may come from the payment term instead (XSD: datedue or termname).
 */
export function createLegacyBill(company: IntacctCompany, input: XmlObject, caller: Caller): string {
  const problems: string[] = [];
  const bill: XmlObject = {};
  const customFields = new Set(company.table('APBILL').schema.customFields);
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@_') || key === '#text') continue;
    if (LEGACY_HEADER_FIELDS[key]) bill[LEGACY_HEADER_FIELDS[key]] = textOf(value) ?? '';
    else if (LEGACY_DATES[key]) {
      const date = legacyDate(value, key);
      if (date.ok) bill[LEGACY_DATES[key]] = date.value;
      else problems.push(date.error);
    } else if (key === 'payto' || key === 'returnto') {
      bill[key === 'payto' ? 'BILLTOPAYTOCONTACTNAME' : 'SHIPTORETURNTOCONTACTNAME'] = textOf(asObject(value)?.contactname) ?? '';
    } else if (key === 'customfields') {
      for (const [name, text] of legacyCustomFields(value)) {
        if (customFields.has(name)) bill[name] = text;
        else problems.push(`APBILL has no custom field ${name}${customFields.size > 0 ? ` (custom fields of this company: ${[...customFields].join(', ')})` : ''}.`);
      }
    } else if (key === 'billitems') {
      bill.APBILLITEMS = { APBILLITEM: asArray(asObject(value)?.lineitem).map((item, i) => legacyLine(asObject(item) ?? {}, i + 1, problems)) };
    } else problems.push(`create_bill: <${key}> is not served by this sandbox.`);
  }
  if (!bill.VENDORID) problems.push('create_bill needs <vendorid>.');
  if (!bill.WHENCREATED) problems.push('create_bill needs <datecreated>.');
  if (!bill.APBILLITEMS) problems.push('create_bill needs <billitems> with at least one <lineitem>.');
  const term = textOf(bill.TERMNAME) ?? '';
  if (!bill.WHENDUE && term && typeof bill.WHENCREATED === 'string') {
    const due = dueDateFromTerm(term, bill.WHENCREATED);
    if (due) bill.WHENDUE = due;
    else problems.push(`Invalid term '${term}' (this company has 'Net N' terms and 'Due on receipt').`);
  } else if (!bill.WHENDUE) problems.push('create_bill needs <datedue> or <termname>.');
  if (problems.length > 0) throw recordFailure(problems, 'Invalid bill', 'Could not create Bill record!');
  return writeBill(company, bill, 'create', caller).fields.RECORDNO ?? '';
}

function legacyLine(item: XmlObject, n: number, problems: string[]): XmlObject {
  const line: XmlObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const field = LEGACY_LINE_FIELDS[key];
    if (field) line[field] = textOf(value) ?? '';
    else problems.push(`create_bill lineitem ${n}: <${key}> is not served by this sandbox.`);
  }
  return line;
}

/** `<customfields><customfield><customfieldname>X</customfieldname><customfieldvalue>v</…>` pairs. */
export function legacyCustomFields(node: XmlNode | undefined): [string, string][] {
  return asArray(asObject(node)?.customfield).map((cf) => {
    const o = asObject(cf);
    return [(textOf(o?.customfieldname) ?? '').toUpperCase(), textOf(o?.customfieldvalue) ?? ''];
  });
}

/** Generic delete of a bill: refused while payments are applied (reverse them first). */
export function deleteBill(company: IntacctCompany, recordNo: string, caller: Caller): void {
  const table = company.table('APBILL');
  const bill = table.get(recordNo);
  if (!bill || !company.visible(table.schema, bill, caller)) throw recordFailure([`No APBILL has RECORDNO ${recordNo}.`], 'Bill not found', 'Could not delete APBILL record!');
  if (!Decimal.parse(bill.fields.TOTALPAID || '0').isZero()) {
    throw recordFailure([`Bill ${recordNo} has payments applied; delete or reverse the payments first.`], 'Invalid bill', 'Could not delete APBILL record!');
  }
  table.delete(recordNo);
}
