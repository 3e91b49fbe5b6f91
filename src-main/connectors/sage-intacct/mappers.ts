/**
 * Pure conversions for the Sage Intacct connector: ISO dates ⇄ `mm/dd/yyyy` (and the legacy
 * year/month/day), money checked with Decimal (never a float, never rounded silently),
 * deterministic controlids, the bodies of every function the connector sends (in the XSD's
 * element order where the XSD fixes one: legacy purchasing functions, `query`), the records
 * read back, the errors turned into one sentence, and the validation of lines against the
 * company's accounts and dimensions. No I/O here; client.ts sends what these build.
 */
import { createHash } from 'node:crypto';
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { stripIllegalXmlChars } from '../_kit';
import type {
  BillInput,
  BillLineInput,
  BillPayment,
  BillPaymentStatus,
  BillUpdate,
  FoundDocument,
  FoundLine,
  IntacctErrorDetail,
  IntacctVendor,
  JournalEntryInput,
  JournalEntryUpdate,
  JournalLineInput,
  LineDimensions,
  PostingProblem,
  PurchasingDocumentInput,
  PurchasingDocumentUpdate,
  PurchasingLineInput,
  ReferenceData,
  ReferenceObject,
  ReferenceValue,
  RetainageSetting,
  ValidatableDocument,
  VendorAddress,
  VendorInput,
  VendorUpdate,
} from './types';
import type { WireError, XmlNode, XmlValue } from './wire';

/** Input the connector refuses before sending anything (bad amount, date, missing line…). */
export class IntacctInputError extends Error {
  override readonly name = 'IntacctInputError';
}

/** A response without the shape the connector needs; names the object and field. */
export class IntacctResponseShapeError extends Error {
  override readonly name = 'IntacctResponseShapeError';
}

// ---------------------------------------------------------------------------------------
// XML values

/** A node's children named `name` as a list (0, 1 or many: the parser makes one a scalar). */
export function listOf(value: XmlValue | undefined): XmlValue[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** The records of a `<data>` element: `<apbill>` (read, readByQuery) or `<APBILL>` (query). */
export function recordsOf(data: XmlNode | string | null | undefined, object: string): XmlNode[] {
  if (!data || typeof data === 'string') return [];
  const rows = [...listOf(data[object]), ...listOf(data[object.toLowerCase()])];
  return rows.filter((row): row is XmlNode => typeof row === 'object' && !Array.isArray(row));
}

/** A row's RECORDNO, its identity when one is sent twice (null when the row has none). */
export function recordNoOf(row: XmlNode): string | null {
  return textOf(row, 'RECORDNO') || null;
}

/** Text of a field ('' when absent or empty). */
export function textOf(node: XmlNode | undefined, field: string): string {
  const value = node?.[field];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && typeof value['#text'] === 'string')
    return value['#text'];
  return '';
}

/** A numeric attribute of `<data>` (count, totalcount, numremaining, offset), or null. */
export function dataAttribute(data: XmlNode | string | null | undefined, name: string): number | null {
  if (!data || typeof data === 'string') return null;
  const value = data[`@_${name}`];
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Removes the characters XML 1.0 forbids (fact sheet 2.10) from every string of a body and
 * reports how many went, so the item's result can say its text changed. The kit's buildXml
 * would strip them too; doing it per item first tells which document lost them.
 */
export function cleanBody<T>(body: T): { body: T; stripped: number } {
  let stripped = 0;
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const result = stripIllegalXmlChars(value);
      stripped += result.stripped.length;
      return result.text;
    }
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner)]));
    return value;
  };
  return { body: visit(body) as T, stripped };
}

/** Drops undefined and '' members (optional elements are omitted, never sent empty). */
function compact<T extends Record<string, unknown>>(object: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== ''));
}

// ---------------------------------------------------------------------------------------
// Dates (fact sheet 2.6: generic objects mm/dd/yyyy; legacy functions year/month/day)

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isoParts(iso: string, what: string): { year: string; month: string; day: string } {
  const match = ISO_DATE.exec(iso.trim());
  const [year, month, day] = match ? [match[1] ?? '', match[2] ?? '', match[3] ?? ''] : ['', '', ''];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (!match || date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day))
    throw new IntacctInputError(`${what} "${iso}" is not a calendar date in YYYY-MM-DD form`);
  return { year, month, day };
}

/** "2026-10-15" → "10/15/2026". */
export function toIntacctDate(iso: string, what: string): string {
  const { year, month, day } = isoParts(iso, what);
  return `${month}/${day}/${year}`;
}

/** "2026-10-15" → { year: "2026", month: "10", day: "15" } (legacy functions). */
export function toLegacyDate(iso: string, what: string): { year: string; month: string; day: string } {
  return isoParts(iso, what);
}

/** "10/15/2026" → "2026-10-15"; '' → null. */
export function fromIntacctDate(text: string): string | null {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(text.trim());
  return match ? `${match[3] ?? ''}-${match[1] ?? ''}-${match[2] ?? ''}` : null;
}

/** "10/15/2026 09:30:05" → "2026-10-15T09:30:05"; '' → null. */
export function fromIntacctTimestamp(text: string): string | null {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  return `${match[3] ?? ''}-${match[1] ?? ''}-${match[2] ?? ''}T${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}`;
}

/**
 * A modified-since cursor (`YYYY-MM-DDTHH:MM:SS`, a trailing `Z` or fraction ignored: the
 * value is Intacct's own clock, see README) → "mm/dd/yyyy HH:MM:SS" for a WHENMODIFIED filter.
 */
export function toIntacctTimestamp(cursor: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?Z?$/.exec(cursor.trim());
  if (!match)
    throw new IntacctInputError(`The modified-since cursor "${cursor}" is not a date-time like 2026-10-15T09:30:00`);
  return `${match[2] ?? ''}/${match[3] ?? ''}/${match[1] ?? ''} ${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}`;
}

/** The later of two `YYYY-MM-DDTHH:MM:SS` stamps (they compare as text). */
export function laterStamp(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

// ---------------------------------------------------------------------------------------
// Money and quantities

function parseDecimal(text: string, what: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw new IntacctInputError(`${what}: ${error.message}`);
    throw error;
  }
}

/** An amount to send: exact, at most two decimals (Intacct would round more, 2.6), as "1234.50". */
export function money(amount: string, what: string): Decimal {
  const value = parseDecimal(amount, what);
  if (!value.roundToCents().equals(value))
    throw new IntacctInputError(`${what} ${amount} has fractions of a cent; round it before sending`);
  return value;
}

/** A quantity, unit price or percentage: exact, as given (up to six decimals). */
export function quantity(text: string, what: string): Decimal {
  return parseDecimal(text, what);
}

/** A money value read back; '' counts as zero (Intacct leaves unpaid totals empty at times). */
export function moneyFromWire(text: string, what: string): Decimal {
  if (text.trim() === '') return Decimal.ZERO;
  try {
    return Decimal.parse(text);
  } catch {
    throw new IntacctResponseShapeError(`Sage Intacct sent ${what} "${text}", which is not an amount`);
  }
}

// ---------------------------------------------------------------------------------------
// Controlids (fact sheet 2.3): deterministic for writes, so a repeat is refused, not doubled

const SAFE_CONTROL_ID = /^[A-Za-z0-9._:~@-]+$/;
const MAX_CONTROL_ID = 256;

/**
 * The function controlid of a write: the same document (object, operation, key, change)
 * always gets the same controlid, so with uniqueid=true Intacct runs it at most once. Readable
 * when it can be (support finds it in the audit); a hash when the key is long or unusual.
 */
export function writeControlId(prefix: string, object: string, operation: 'create' | 'update', key: string, changeId?: string): string {
  const readable = [prefix, object.toLowerCase(), operation, key, ...(changeId ? [changeId] : [])].join(':');
  if (readable.length <= MAX_CONTROL_ID && SAFE_CONTROL_ID.test(readable)) return readable;
  const digest = createHash('sha256').update(JSON.stringify([object, operation, key, changeId ?? null])).digest('hex');
  return `${prefix}:${object.toLowerCase()}:${operation}:h${digest.slice(0, 48)}`;
}

// ---------------------------------------------------------------------------------------
// Errors (fact sheet 2.5): the useful text is in description2 (function errors) or
// description (gateway errors); a "[Support ID: …]" suffix is for Intacct support.

const SUPPORT_ID = /\s*\[Support ID: [^\]]*\]\s*$/;
const SUMMARY = /^Could not (create|update|delete) .* record!?$/i;

export function errorDetails(errors: readonly WireError[] | undefined): IntacctErrorDetail[] {
  return (errors ?? []).map((e) => ({
    errorno: e.errorno ?? '',
    description: e.description ?? '',
    description2: e.description2 ?? '',
    correction: e.correction ?? '',
  }));
}

/**
 * Intacct's errors as one sentence for a finance user: each problem's text without its Support
 * ID, the closing "Could not create … record!" left out when there is something more specific.
 */
export function errorText(details: readonly IntacctErrorDetail[]): string {
  const texts = details
    .map((e) => (e.description2 || e.description).replace(SUPPORT_ID, '').trim())
    .filter((text) => text !== '');
  const specific = texts.filter((text) => !SUMMARY.test(text));
  const chosen = [...new Set(specific.length > 0 ? specific : texts)];
  return chosen.length > 0 ? chosen.join(' ') : 'Sage Intacct gave no reason.';
}

// ---------------------------------------------------------------------------------------
// Key fields: a standard field of the object, or a custom field (any other name)

const STANDARD_KEY_FIELDS: Record<string, readonly string[]> = {
  APBILL: ['RECORDID', 'DOCNUMBER'],
  GLBATCH: ['REFERENCENO'],
  PODOCUMENT: ['PONUMBER', 'VENDORDOCNO'],
  VENDOR: ['VENDORID'],
};

export function isCustomKeyField(object: string, field: string): boolean {
  return !(STANDARD_KEY_FIELDS[object] ?? []).includes(field);
}

export function checkKeyFieldName(object: string, field: string): string {
  const name = field.trim().toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(name))
    throw new IntacctInputError(`The key field of ${object} must be a field name such as PROCORE_ID, got "${field}"`);
  return name;
}

function requireText(value: string | undefined, what: string): string {
  const text = value?.trim() ?? '';
  if (text === '') throw new IntacctInputError(`${what} is missing`);
  return text;
}

// ---------------------------------------------------------------------------------------
// Dimensions on lines

/** Line dimension → element on APBILLITEM (fact sheet 2.6). GLENTRY differs only in LOCATION/DEPARTMENT (2.7). */
const DIMENSION_FIELDS: readonly [keyof LineDimensions, string][] = [
  ['locationId', 'LOCATIONID'],
  ['departmentId', 'DEPARTMENTID'],
  ['projectId', 'PROJECTID'],
  ['taskId', 'TASKID'],
  ['costTypeId', 'COSTTYPEID'],
  ['customerId', 'CUSTOMERID'],
  ['vendorId', 'VENDORID'],
  ['employeeId', 'EMPLOYEEID'],
  ['itemId', 'ITEMID'],
  ['classId', 'CLASSID'],
  ['warehouseId', 'WAREHOUSEID'],
];

/** TASKID needs PROJECTID, COSTTYPEID needs both (2.6; the XSD nests them the same way). */
function checkDimensionScope(line: LineDimensions, at: string): void {
  if (line.taskId && !line.projectId) throw new IntacctInputError(`${at} has task ${line.taskId} but no project`);
  if (line.costTypeId && !(line.projectId && line.taskId))
    throw new IntacctInputError(`${at} has cost type ${line.costTypeId} but no project and task`);
}

function dimensionElements(line: LineDimensions, rename: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [property, field] of DIMENSION_FIELDS) {
    const value = line[property]?.trim();
    if (value) out[rename[field] ?? field] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// AP bills (fact sheet 2.6)

export interface BuiltWrite {
  /** The function body, e.g. `{ create: { APBILL: … } }`. */
  body: Record<string, unknown>;
  /** Total the document should have in Intacct after this write (null when not checked). */
  total: Decimal | null;
  lineNos?: number[];
  retainageLineNo?: number | null;
}

interface BillLinesOut {
  items: Record<string, unknown>[];
  lineNos: number[];
  retainageLineNo: number | null;
  total: Decimal;
}

/** The bill's lines after the retainage setting, numbered as Intacct numbers them (1-based). */
function billLines(lines: readonly (BillLineInput & { lineNo?: number })[], retainage: RetainageSetting, label: string, retainageLineNo?: number): BillLinesOut {
  if (lines.length === 0) throw new IntacctInputError(`${label} has no lines`);
  const items: Record<string, unknown>[] = [];
  const lineNos: number[] = [];
  let total = Decimal.ZERO;
  let withheld = Decimal.ZERO;
  lines.forEach((line, index) => {
    const at = `${label} line ${index + 1}`;
    const amount = money(line.amount, `${at} amount`);
    const held = line.retainage === undefined || line.retainage.trim() === '' ? Decimal.ZERO : money(line.retainage, `${at} retainage`);
    if (held.abs().compare(amount.abs()) > 0) throw new IntacctInputError(`${at}: retainage ${held.toMoneyString()} is more than the line amount ${amount.toMoneyString()}`);
    checkDimensionScope(line, at);
    const posted = retainage.mode === 'net' ? amount.minus(held) : amount;
    withheld = withheld.plus(held);
    total = total.plus(posted);
    const lineNo = line.lineNo ?? index + 1;
    lineNos.push(lineNo);
    items.push(
      compact({
        ...(line.lineNo !== undefined ? { LINE_NO: String(line.lineNo) } : {}),
        ACCOUNTNO: requireText(line.accountNo, `${at} GL account`),
        TRX_AMOUNT: posted.toMoneyString(),
        ENTRYDESCRIPTION: line.description,
        ...dimensionElements(line),
      }),
    );
  });
  if (new Set(lineNos).size !== lineNos.length) throw new IntacctInputError(`${label} names a LINE_NO twice`);
  let retainageNo: number | null = null;
  if (retainage.mode === 'separate-line' && (!withheld.isZero() || retainageLineNo !== undefined)) {
    const first = lines[0];
    retainageNo = retainageLineNo ?? (lines.some((l) => l.lineNo !== undefined) ? Math.max(...lineNos) + 1 : lines.length + 1);
    if (lineNos.includes(retainageNo)) throw new IntacctInputError(`${label}: LINE_NO ${retainageNo} is both a line and the retainage line`);
    total = total.minus(withheld);
    items.push(
      compact({
        ...(lines.some((l) => l.lineNo !== undefined) ? { LINE_NO: String(retainageNo) } : {}),
        ACCOUNTNO: requireText(retainage.accountNo, 'The retainage payable account (connection setting)'),
        TRX_AMOUNT: withheld.negate().toMoneyString(),
        ENTRYDESCRIPTION: retainage.description ?? 'Retainage withheld',
        LOCATIONID: first?.locationId,
        DEPARTMENTID: first?.departmentId,
      }),
    );
  }
  return { items, lineNos, retainageLineNo: retainageNo, total };
}

export interface KeyedBody {
  keyField: string;
  retainage: RetainageSetting;
}

export function billCreate(input: BillInput, options: KeyedBody): BuiltWrite {
  const label = billLabel(input);
  const key = requireText(input.key, `${label}: the key`);
  const lines = billLines(input.lines, options.retainage, label);
  if (!input.draft && !input.dueDate && !input.termName)
    throw new IntacctInputError(`${label} needs a due date or a payment term (Intacct requires one unless the bill is a draft)`);
  const header: Record<string, unknown> = compact({
    VENDORID: requireText(input.vendorId, `${label}: the vendor`),
    WHENCREATED: toIntacctDate(input.date, `${label} date`),
    WHENPOSTED: input.glPostingDate ? toIntacctDate(input.glPostingDate, `${label} GL posting date`) : undefined,
    WHENDUE: input.dueDate ? toIntacctDate(input.dueDate, `${label} due date`) : undefined,
    RECORDID: input.billNumber,
    DOCNUMBER: input.reference,
    DESCRIPTION: input.description,
    TERMNAME: input.termName,
    ACTION: input.draft ? 'Draft' : undefined,
  });
  header[options.keyField] = key;
  header.APBILLITEMS = { APBILLITEM: lines.items };
  return { body: { create: { APBILL: header } }, total: lines.total, lineNos: lines.lineNos, retainageLineNo: lines.retainageLineNo };
}

export function billUpdate(update: BillUpdate, options: KeyedBody): BuiltWrite {
  const label = `bill ${update.key}`;
  const recordNo = requireText(update.recordNo, `${label}: RECORDNO`);
  for (const line of update.lines)
    if (!Number.isInteger(line.lineNo) || line.lineNo < 1) throw new IntacctInputError(`${label}: LINE_NO must be a whole number from 1, got ${String(line.lineNo)}`);
  const lines = billLines(update.lines, options.retainage, label, update.retainageLineNo);
  const body = compact({
    RECORDNO: recordNo,
    DESCRIPTION: update.description,
    DOCNUMBER: options.keyField === 'DOCNUMBER' ? undefined : update.reference,
    WHENDUE: update.dueDate ? toIntacctDate(update.dueDate, `${label} due date`) : undefined,
    ACTION: update.submit ? 'Submit' : undefined,
  });
  body.APBILLITEMS = { APBILLITEM: lines.items };
  return { body: { update: { APBILL: body } }, total: lines.total, lineNos: lines.lineNos, retainageLineNo: lines.retainageLineNo };
}

export function billLabel(input: { key: string; billNumber?: string }): string {
  return input.billNumber ? `bill ${input.billNumber} (${input.key})` : `bill ${input.key}`;
}

// ---------------------------------------------------------------------------------------
// GL journal entries (fact sheet 2.7)

function journalEntries(lines: readonly JournalLineInput[], label: string): { entries: Record<string, unknown>[]; debits: Decimal } {
  if (lines.length < 2) throw new IntacctInputError(`${label} needs at least two lines (a debit and a credit)`);
  let debits = Decimal.ZERO;
  let credits = Decimal.ZERO;
  const entries = lines.map((line, index) => {
    const at = `${label} line ${index + 1}`;
    const amount = money(line.amount, `${at} amount`);
    if (amount.isNegative() || amount.isZero()) throw new IntacctInputError(`${at}: the amount must be more than zero (the side says debit or credit)`);
    if (line.side !== 'debit' && line.side !== 'credit') throw new IntacctInputError(`${at}: side must be debit or credit`);
    checkDimensionScope(line, at);
    if (line.side === 'debit') debits = debits.plus(amount);
    else credits = credits.plus(amount);
    return compact({
      ACCOUNTNO: requireText(line.accountNo, `${at} GL account`),
      TR_TYPE: line.side === 'debit' ? '1' : '-1',
      TRX_AMOUNT: amount.toMoneyString(),
      DESCRIPTION: line.description,
      ...dimensionElements(line, { LOCATIONID: 'LOCATION', DEPARTMENTID: 'DEPARTMENT' }),
    });
  });
  if (!debits.equals(credits))
    throw new IntacctInputError(`${label} does not balance: debits ${debits.toMoneyString()}, credits ${credits.toMoneyString()}`);
  return { entries, debits };
}

export function journalCreate(input: JournalEntryInput, options: { keyField: string }): BuiltWrite {
  const label = `journal entry ${input.key}`;
  const { entries, debits } = journalEntries(input.lines, label);
  const header: Record<string, unknown> = compact({
    JOURNAL: requireText(input.journal, `${label}: the journal`),
    BATCH_DATE: toIntacctDate(input.date, `${label} date`),
    BATCH_TITLE: requireText(input.title, `${label}: the title`),
    STATE: input.draft ? 'Draft' : undefined,
  });
  header[options.keyField] = requireText(input.key, `${label}: the key`);
  header.ENTRIES = { GLENTRY: entries };
  return { body: { create: { GLBATCH: header } }, total: debits };
}

export function journalUpdate(update: JournalEntryUpdate): BuiltWrite {
  const label = `journal entry ${update.key}`;
  const { entries, debits } = journalEntries(update.lines, label);
  const body = compact({
    RECORDNO: requireText(update.recordNo, `${label}: RECORDNO`),
    BATCH_TITLE: update.title,
    BATCH_DATE: update.date ? toIntacctDate(update.date, `${label} date`) : undefined,
  });
  // An update with ENTRIES replaces them all: a journal entry balances as a whole (2.7).
  body.ENTRIES = { GLENTRY: entries };
  return { body: { update: { GLBATCH: body } }, total: debits };
}

// ---------------------------------------------------------------------------------------
// Purchasing transactions: legacy create_potransaction / update_potransaction (XSD order)

interface PurchasingLineOut {
  element: Record<string, unknown>;
  total: Decimal;
}

/** potransitem / updatepotransitem children in the XSD's sequence (the subset this connector writes). */
function purchasingLine(line: PurchasingLineInput, defaultItemId: string | undefined, at: string): PurchasingLineOut {
  const qty = quantity(line.quantity, `${at} quantity`);
  if (qty.isZero()) throw new IntacctInputError(`${at}: the quantity must not be zero`);
  const price = quantity(line.unitPrice, `${at} unit price`);
  checkDimensionScope(line, at);
  const itemId = line.itemId?.trim() || defaultItemId?.trim();
  if (!itemId) throw new IntacctInputError(`${at} has no item (Intacct purchasing lines need one; set a default purchasing item)`);
  const element = compact({
    itemid: itemId,
    itemdesc: line.itemDescription,
    warehouseid: line.warehouseId,
    quantity: qty.toString(),
    unit: line.unit,
    price: price.toString(),
    locationid: line.locationId,
    departmentid: line.departmentId,
    memo: line.memo,
    projectid: line.projectId,
    taskid: line.taskId,
    costtypeid: line.costTypeId,
    customerid: line.customerId,
    vendorid: line.vendorId,
    employeeid: line.employeeId,
    classid: line.classId,
    retainagepercentage: line.retainagePercentage === undefined ? undefined : quantity(line.retainagePercentage, `${at} retainage %`).toString(),
  });
  return { element, total: qty.times(price).roundToCents() };
}

function legacyCustomFields(name: string, value: string): Record<string, unknown> {
  return { customfield: [{ customfieldname: name, customfieldvalue: value }] };
}

export function purchasingCreate(input: PurchasingDocumentInput, options: { keyField: string; defaultItemId?: string }): BuiltWrite {
  const label = purchasingLabel(input);
  const key = requireText(input.key, `${label}: the key`);
  if (input.lines.length === 0) throw new IntacctInputError(`${label} has no lines`);
  const lines = input.lines.map((line, i) => purchasingLine(line, options.defaultItemId, `${label} line ${i + 1}`));
  const custom = isCustomKeyField('PODOCUMENT', options.keyField);
  const body = compact({
    transactiontype: requireText(input.transactionType, `${label}: the transaction type`),
    datecreated: toLegacyDate(input.date, `${label} date`),
    vendorid: requireText(input.vendorId, `${label}: the vendor`),
    referenceno: options.keyField === 'PONUMBER' ? key : input.referenceNo,
    vendordocno: options.keyField === 'VENDORDOCNO' ? key : input.vendorDocNo,
    termname: input.termName,
    datedue: input.dueDate ? toLegacyDate(input.dueDate, `${label} due date`) : undefined,
    message: input.message,
    returnto: { contactname: requireText(input.returnTo, `${label}: the return-to contact`) },
    payto: { contactname: requireText(input.payTo, `${label}: the pay-to contact`) },
    customfields: custom ? legacyCustomFields(options.keyField, key) : undefined,
    state: input.draft ? 'Draft' : undefined,
    projectid: input.projectId,
    potransitems: { potransitem: lines.map((l) => l.element) },
  });
  return { body: { create_potransaction: body }, total: Decimal.sum(lines.map((l) => l.total)) };
}

export function purchasingUpdate(update: PurchasingDocumentUpdate, options: { defaultItemId?: string }): BuiltWrite {
  const label = `${update.transactionType} ${update.key}`;
  if (update.lines.length === 0) throw new IntacctInputError(`${label} has no lines`);
  const changed: Record<string, unknown>[] = [];
  const appended: Record<string, unknown>[] = [];
  const totals: Decimal[] = [];
  const seen = new Set<number>();
  update.lines.forEach((line, i) => {
    const out = purchasingLine(line, options.defaultItemId, `${label} line ${i + 1}`);
    totals.push(out.total);
    if (line.lineNo === undefined) appended.push(out.element);
    else {
      if (!Number.isInteger(line.lineNo) || line.lineNo < 1 || seen.has(line.lineNo))
        throw new IntacctInputError(`${label} line ${i + 1}: line number ${String(line.lineNo)} is not a new whole number from 1`);
      seen.add(line.lineNo);
      changed.push({ '@_line_num': String(line.lineNo), ...out.element });
    }
  });
  const body = compact({
    '@_key': requireText(update.documentId, `${label}: the document id (DOCID)`),
    datedue: update.dueDate ? toLegacyDate(update.dueDate, `${label} due date`) : undefined,
    message: update.message,
    changelognumber: update.changeLogNumber,
    updatepotransitems: compact({
      updatepotransitem: changed.length > 0 ? changed : undefined,
      potransitem: appended.length > 0 ? appended : undefined,
    }),
  });
  return { body: { update_potransaction: body }, total: Decimal.sum(totals) };
}

export function purchasingLabel(input: { key: string; transactionType: string; referenceNo?: string }): string {
  return `${input.transactionType} ${input.referenceNo ? `${input.referenceNo} (${input.key})` : input.key}`;
}

// ---------------------------------------------------------------------------------------
// Vendors (fact sheet 2.8)

function contactBlock(fields: { printAs?: string; name?: string; email?: string; phone?: string; address?: VendorAddress }): Record<string, unknown> | undefined {
  const address = fields.address
    ? compact({
        ADDRESS1: fields.address.line1,
        ADDRESS2: fields.address.line2,
        CITY: fields.address.city,
        STATE: fields.address.state,
        ZIP: fields.address.postalCode,
        COUNTRY: fields.address.country,
        COUNTRYCODE: fields.address.countryCode,
      })
    : {};
  const block = compact({
    PRINTAS: fields.printAs ?? fields.name,
    COMPANYNAME: fields.name,
    PHONE1: fields.phone,
    EMAIL1: fields.email,
    MAILADDRESS: Object.keys(address).length > 0 ? address : undefined,
  });
  return Object.keys(block).length > 0 ? block : undefined;
}

export function vendorCreate(input: VendorInput, options: { keyField: string }): BuiltWrite {
  const label = `vendor ${input.name || input.key}`;
  const key = requireText(input.key, `${label}: the key`);
  const name = requireText(input.name, `${label}: the name`);
  const keyIsId = options.keyField === 'VENDORID';
  if (keyIsId && input.vendorId && input.vendorId !== key)
    throw new IntacctInputError(`${label}: the vendor id ${input.vendorId} differs from its key ${key}, and VENDORID is the key field`);
  const body: Record<string, unknown> = compact({
    VENDORID: keyIsId ? key : input.vendorId,
    NAME: name,
    DISPLAYCONTACT: contactBlock({ ...input, name }),
    STATUS: input.active === undefined ? undefined : input.active ? 'active' : 'inactive',
    TAXID: input.taxId,
    TERMNAME: input.termName,
  });
  if (!keyIsId) body[options.keyField] = key;
  return { body: { create: { VENDOR: body } }, total: null };
}

export function vendorUpdate(update: VendorUpdate): BuiltWrite {
  const label = `vendor ${update.vendorId}`;
  const body = compact({
    VENDORID: requireText(update.vendorId, `${label}: VENDORID`),
    NAME: update.name,
    DISPLAYCONTACT: contactBlock(update),
    STATUS: update.active === undefined ? undefined : update.active ? 'active' : 'inactive',
    TAXID: update.taxId,
    TERMNAME: update.termName,
  });
  return { body: { update: { VENDOR: body } }, total: null };
}

// ---------------------------------------------------------------------------------------
// `query` bodies (fact sheet 2.9, XSD `query`, `filteroption`)

export type QueryFilter =
  | { op: 'equalto' | 'notequalto' | 'greaterthan' | 'greaterthanorequalto' | 'lessthan' | 'lessthanorequalto'; field: string; value: string }
  | { op: 'in'; field: string; values: string[] }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'and' | 'or'; parts: QueryFilter[] };

export interface QuerySpec {
  object: string;
  fields: readonly string[];
  filter?: QueryFilter;
  orderBy?: readonly { field: string; descending?: boolean }[];
  docparid?: string;
  pageSize: number;
  offset?: number;
}

/** `<and>`/`<or>` need two parts or more (XSD); one part stands alone. */
export function allOf(parts: readonly (QueryFilter | undefined)[]): QueryFilter | undefined {
  const present = parts.filter((p): p is QueryFilter => p !== undefined);
  if (present.length <= 1) return present[0];
  return { op: 'and', parts: present };
}

function filterElement(filter: QueryFilter): [string, Record<string, unknown>] {
  switch (filter.op) {
    case 'and':
    case 'or': {
      if (filter.parts.length < 2) throw new IntacctInputError(`<${filter.op}> needs two conditions or more`);
      const grouped: Record<string, Record<string, unknown>[]> = {};
      for (const part of filter.parts) {
        const [name, body] = filterElement(part);
        (grouped[name] ??= []).push(body);
      }
      return [filter.op, grouped];
    }
    case 'in':
      if (filter.values.length === 0 || filter.values.length > 1000) throw new IntacctInputError(`<in> takes 1 to 1000 values, got ${filter.values.length}`);
      return ['in', { field: filter.field, value: [...filter.values] }];
    case 'isnull':
    case 'isnotnull':
      return [filter.op, { field: filter.field }];
    default:
      return [filter.op, { field: filter.field, value: filter.value }];
  }
}

export function queryBody(spec: QuerySpec): Record<string, unknown> {
  if (spec.fields.length === 0) throw new IntacctInputError(`a query of ${spec.object} needs fields (select * is not supported)`);
  const body: Record<string, unknown> = { select: { field: [...spec.fields] }, object: spec.object };
  if (spec.docparid) body.docparid = spec.docparid;
  if (spec.filter) {
    const [name, inner] = filterElement(spec.filter);
    body.filter = { [name]: inner };
  }
  if (spec.orderBy && spec.orderBy.length > 0)
    body.orderby = { order: spec.orderBy.map((o) => ({ field: o.field, [o.descending ? 'descending' : 'ascending']: '' })) };
  body.pagesize = String(spec.pageSize);
  body.offset = String(spec.offset ?? 0);
  return { query: body };
}

/** `read` by keys (RECORDNOs; DOCIDs for PODOCUMENT): the only read that returns the lines. */
export function readBody(object: string, keys: readonly string[], docparid?: string): Record<string, unknown> {
  return { read: compact({ object, keys: keys.join(','), fields: '*', docparid }) };
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------
// Reference data (fact sheet 2.8)

interface ReferenceSpec {
  id: string;
  name: string | null;
  label: string;
  scope: readonly ('PROJECTID' | 'TASKID')[];
}

export const REFERENCE_SPECS: Record<ReferenceObject, ReferenceSpec> = {
  GLACCOUNT: { id: 'ACCOUNTNO', name: 'TITLE', label: 'GL account', scope: [] },
  DEPARTMENT: { id: 'DEPARTMENTID', name: 'TITLE', label: 'Department', scope: [] },
  LOCATION: { id: 'LOCATIONID', name: 'NAME', label: 'Location', scope: [] },
  PROJECT: { id: 'PROJECTID', name: 'NAME', label: 'Project', scope: [] },
  TASK: { id: 'TASKID', name: 'NAME', label: 'Task', scope: ['PROJECTID'] },
  COSTTYPE: { id: 'COSTTYPEID', name: 'NAME', label: 'Cost type', scope: ['PROJECTID', 'TASKID'] },
  CLASS: { id: 'CLASSID', name: 'NAME', label: 'Class', scope: [] },
  VENDOR: { id: 'VENDORID', name: 'NAME', label: 'Vendor', scope: [] },
  CUSTOMER: { id: 'CUSTOMERID', name: 'NAME', label: 'Customer', scope: [] },
  EMPLOYEE: { id: 'EMPLOYEEID', name: null, label: 'Employee', scope: [] },
  ITEM: { id: 'ITEMID', name: 'NAME', label: 'Item', scope: [] },
  WAREHOUSE: { id: 'WAREHOUSEID', name: 'NAME', label: 'Warehouse', scope: [] },
};

export function referenceFields(object: ReferenceObject): string[] {
  const spec = REFERENCE_SPECS[object];
  return ['RECORDNO', spec.id, ...(spec.name ? [spec.name] : []), ...spec.scope, 'STATUS'];
}

/** STATUS as queries print it ("active"/"inactive"; some objects answer T/F). */
export function isActiveStatus(status: string): boolean {
  return /^(active|t|true)$/i.test(status.trim());
}

export function referenceFromRow(object: ReferenceObject, row: XmlNode): ReferenceValue {
  const spec = REFERENCE_SPECS[object];
  const id = textOf(row, spec.id);
  if (id === '') throw new IntacctResponseShapeError(`Sage Intacct sent a ${spec.label} without ${spec.id}`);
  return {
    object,
    id,
    name: spec.name ? textOf(row, spec.name) : '',
    active: isActiveStatus(textOf(row, 'STATUS')),
    recordNo: textOf(row, 'RECORDNO'),
    ...(spec.scope.includes('PROJECTID') ? { projectId: textOf(row, 'PROJECTID') } : {}),
    ...(spec.scope.includes('TASKID') ? { taskId: textOf(row, 'TASKID') } : {}),
  };
}

/** Reference values by object and (scoped) id, for validation before posting. */
export class ReferenceIndex {
  readonly #values = new Map<string, ReferenceValue>();
  readonly #loaded = new Set<ReferenceObject>();

  constructor(data: ReferenceData = {}) {
    this.add(data);
  }

  add(data: ReferenceData): void {
    for (const [object, values] of Object.entries(data) as [ReferenceObject, ReferenceValue[]][]) {
      this.#loaded.add(object);
      for (const value of values) this.#values.set(ReferenceIndex.#key(object, value.id, value.projectId, value.taskId), value);
    }
  }

  clear(): void {
    this.#values.clear();
    this.#loaded.clear();
  }

  has(object: ReferenceObject): boolean {
    return this.#loaded.has(object);
  }

  get(object: ReferenceObject, id: string, projectId?: string, taskId?: string): ReferenceValue | undefined {
    return this.#values.get(ReferenceIndex.#key(object, id, projectId, taskId));
  }

  static #key(object: ReferenceObject, id: string, projectId?: string, taskId?: string): string {
    const scope = REFERENCE_SPECS[object].scope;
    return JSON.stringify([object, scope.includes('PROJECTID') ? (projectId ?? '') : '', scope.includes('TASKID') ? (taskId ?? '') : '', id]);
  }
}

/** Line property → reference object it names. */
const LINE_REFERENCES: readonly [keyof LineDimensions | 'accountNo', ReferenceObject, string][] = [
  ['accountNo', 'GLACCOUNT', 'ACCOUNTNO'],
  ['locationId', 'LOCATION', 'LOCATIONID'],
  ['departmentId', 'DEPARTMENT', 'DEPARTMENTID'],
  ['projectId', 'PROJECT', 'PROJECTID'],
  ['taskId', 'TASK', 'TASKID'],
  ['costTypeId', 'COSTTYPE', 'COSTTYPEID'],
  ['classId', 'CLASS', 'CLASSID'],
  ['vendorId', 'VENDOR', 'VENDORID'],
  ['customerId', 'CUSTOMER', 'CUSTOMERID'],
  ['employeeId', 'EMPLOYEE', 'EMPLOYEEID'],
  ['itemId', 'ITEM', 'ITEMID'],
  ['warehouseId', 'WAREHOUSE', 'WAREHOUSEID'],
];

/** The reference objects a set of documents names (what validation must read). */
export function objectsNamedBy(documents: readonly ValidatableDocument[]): ReferenceObject[] {
  const needed = new Set<ReferenceObject>();
  for (const doc of documents) {
    if (doc.vendorId) needed.add('VENDOR');
    for (const line of doc.lines)
      for (const [property, object] of LINE_REFERENCES) if (line[property]?.trim()) needed.add(object);
  }
  return [...needed];
}

/**
 * Every account and dimension value of a document must exist and be active in Intacct (tasks
 * within their project, cost types within project and task): the problems, in finance words.
 */
export function checkDocument(doc: ValidatableDocument, index: ReferenceIndex): PostingProblem[] {
  const problems: PostingProblem[] = [];
  const check = (lineIndex: number | null, object: ReferenceObject, field: string, id: string, projectId?: string, taskId?: string): void => {
    const spec = REFERENCE_SPECS[object];
    const at = lineIndex === null ? '' : `Line ${lineIndex + 1}: `;
    if ((spec.scope.includes('PROJECTID') && !projectId) || (spec.scope.includes('TASKID') && !taskId)) {
      problems.push({ lineIndex, field, value: id, kind: 'needs-scope', message: `${at}${spec.label} ${id} needs ${spec.scope.includes('TASKID') ? 'a project and a task' : 'a project'} on the same line.` });
      return;
    }
    const where = taskId ? ` under task ${taskId} of project ${projectId ?? ''}` : projectId && spec.scope.length > 0 ? ` in project ${projectId}` : '';
    const found = index.get(object, id, projectId, taskId);
    if (!found) problems.push({ lineIndex, field, value: id, kind: 'unknown', message: `${at}${spec.label} ${id} does not exist${where} in Sage Intacct.` });
    else if (!found.active)
      problems.push({
        lineIndex,
        field,
        value: id,
        kind: 'inactive',
        message: `${at}${spec.label} ${id}${found.name ? ` (${found.name})` : ''}${where} is inactive in Sage Intacct; choose an active one or have it reactivated.`,
      });
  };
  if (doc.vendorId?.trim()) check(null, 'VENDOR', 'VENDORID', doc.vendorId.trim());
  doc.lines.forEach((line, lineIndex) => {
    for (const [property, object, field] of LINE_REFERENCES) {
      const id = line[property]?.trim();
      if (!id) continue;
      const projectId = REFERENCE_SPECS[object].scope.length > 0 ? line.projectId?.trim() : undefined;
      const taskId = object === 'COSTTYPE' ? line.taskId?.trim() : undefined;
      check(lineIndex, object, field, id, projectId, taskId);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------
// Records read back

export const BILL_FIELDS = ['RECORDNO', 'RECORDID', 'VENDORID', 'STATE', 'TOTALENTERED', 'TOTALPAID', 'TOTALDUE', 'WHENPAID', 'WHENMODIFIED'] as const;
export const PURCHASING_FIELDS = ['RECORDNO', 'DOCID', 'DOCPARID', 'STATE', 'TOTAL', 'WHENMODIFIED'] as const;
export const JOURNAL_FIELDS = ['RECORDNO', 'BATCHNO', 'JOURNAL', 'STATE', 'WHENMODIFIED'] as const;
/** Contact fields are selected by their dotted names (query answers them under those names, 2.9). */
export const VENDOR_FIELDS = ['RECORDNO', 'VENDORID', 'NAME', 'STATUS', 'TAXID', 'TERMNAME', 'DISPLAYCONTACT.EMAIL1', 'DISPLAYCONTACT.PHONE1', 'WHENMODIFIED'] as const;

/** The lines of a `read` record (`<APBILLITEMS><apbillitem>`, `<ENTRIES><glentry>`, …). */
export function linesOf(row: XmlNode, container: string): XmlNode[] {
  const block = row[container];
  if (!block || typeof block !== 'object' || Array.isArray(block)) return [];
  return Object.entries(block)
    .filter(([name]) => !name.startsWith('@_'))
    .flatMap(([, value]) => listOf(value))
    .filter((line): line is XmlNode => typeof line === 'object' && !Array.isArray(line));
}

export function billLineFromWire(line: XmlNode): FoundLine {
  return {
    lineNo: Number(textOf(line, 'LINE_NO')) || 0,
    recordNo: textOf(line, 'RECORDNO') || null,
    accountNo: textOf(line, 'ACCOUNTNO') || null,
    itemId: textOf(line, 'ITEMID') || null,
    amount: moneyFromWire(textOf(line, 'TRX_AMOUNT'), 'a bill line amount').toMoneyString(),
    quantity: null,
    unitPrice: null,
    description: textOf(line, 'ENTRYDESCRIPTION'),
  };
}

export function purchasingLineFromWire(line: XmlNode): FoundLine {
  return {
    lineNo: Number(textOf(line, 'LINE_NO')) || 0,
    recordNo: textOf(line, 'RECORDNO') || null,
    accountNo: null,
    itemId: textOf(line, 'ITEMID') || null,
    amount: moneyFromWire(textOf(line, 'TOTAL'), 'a purchasing line total').toMoneyString(),
    quantity: textOf(line, 'QUANTITY') || null,
    unitPrice: textOf(line, 'PRICE') || null,
    description: textOf(line, 'MEMO') || textOf(line, 'ITEMDESC'),
  };
}

export function journalLineFromWire(line: XmlNode): FoundLine & { side: 'debit' | 'credit' } {
  return {
    lineNo: Number(textOf(line, 'LINE_NO')) || 0,
    recordNo: textOf(line, 'RECORDNO') || null,
    accountNo: textOf(line, 'ACCOUNTNO') || null,
    itemId: textOf(line, 'ITEMID') || null,
    amount: moneyFromWire(textOf(line, 'TRX_AMOUNT'), 'a journal line amount').toMoneyString(),
    quantity: null,
    unitPrice: null,
    description: textOf(line, 'DESCRIPTION'),
    side: textOf(line, 'TR_TYPE') === '-1' ? 'credit' : 'debit',
  };
}

/** Groups rows by the key field; several rows for one key are reported as duplicates. */
export function foundDocuments(rows: readonly XmlNode[], keyField: string, toDocument: (row: XmlNode, key: string) => Omit<FoundDocument, 'duplicates'>): Map<string, FoundDocument> {
  const found = new Map<string, FoundDocument>();
  for (const row of rows) {
    const key = textOf(row, keyField);
    if (key === '') continue;
    const document = toDocument(row, key);
    const earlier = found.get(key);
    if (!earlier) found.set(key, { ...document, duplicates: [] });
    // The oldest (lowest RECORDNO) is the one; later copies are listed for the controller.
    else if (Number(document.recordNo) < Number(earlier.recordNo)) found.set(key, { ...document, duplicates: [earlier.recordNo, ...earlier.duplicates] });
    else earlier.duplicates.push(document.recordNo);
  }
  return found;
}

export function billFromWire(row: XmlNode, key: string): Omit<FoundDocument, 'duplicates'> {
  return {
    key,
    recordNo: textOf(row, 'RECORDNO'),
    documentId: textOf(row, 'RECORDID') || null,
    state: textOf(row, 'STATE'),
    total: moneyFromWire(textOf(row, 'TOTALENTERED'), 'a bill total').toMoneyString(),
    modifiedAt: fromIntacctTimestamp(textOf(row, 'WHENMODIFIED')),
  };
}

export function purchasingFromWire(row: XmlNode, key: string): Omit<FoundDocument, 'duplicates'> {
  return {
    key,
    recordNo: textOf(row, 'RECORDNO'),
    documentId: textOf(row, 'DOCID') || null,
    state: textOf(row, 'STATE'),
    total: moneyFromWire(textOf(row, 'TOTAL'), 'a purchasing document total').toMoneyString(),
    modifiedAt: fromIntacctTimestamp(textOf(row, 'WHENMODIFIED')),
  };
}

/** A journal's total (its debits) comes from its entries, read separately. */
export function journalFromWire(row: XmlNode, key: string): Omit<FoundDocument, 'duplicates'> {
  return {
    key,
    recordNo: textOf(row, 'RECORDNO'),
    documentId: textOf(row, 'BATCHNO') || null,
    state: textOf(row, 'STATE'),
    total: '0.00',
    modifiedAt: fromIntacctTimestamp(textOf(row, 'WHENMODIFIED')),
  };
}

export function vendorFromWire(row: XmlNode, keyField: string): IntacctVendor {
  const vendorId = textOf(row, 'VENDORID');
  if (vendorId === '') throw new IntacctResponseShapeError('Sage Intacct sent a vendor without VENDORID');
  return {
    recordNo: textOf(row, 'RECORDNO'),
    vendorId,
    name: textOf(row, 'NAME'),
    active: isActiveStatus(textOf(row, 'STATUS')),
    taxId: textOf(row, 'TAXID') || null,
    termName: textOf(row, 'TERMNAME') || null,
    email: textOf(row, 'DISPLAYCONTACT.EMAIL1') || null,
    phone: textOf(row, 'DISPLAYCONTACT.PHONE1') || null,
    key: textOf(row, keyField) || null,
    modifiedAt: fromIntacctTimestamp(textOf(row, 'WHENMODIFIED')),
  };
}

/** Does a vendor read back carry every value an update set? (an update that already happened) */
export function vendorMatches(vendor: IntacctVendor, update: VendorUpdate): boolean {
  return (
    (update.name === undefined || vendor.name === update.name) &&
    (update.active === undefined || vendor.active === update.active) &&
    (update.taxId === undefined || vendor.taxId === update.taxId) &&
    (update.termName === undefined || vendor.termName === update.termName) &&
    (update.email === undefined || vendor.email === (update.email || null)) &&
    (update.phone === undefined || vendor.phone === (update.phone || null))
  );
}

export function billPaymentFromWire(row: XmlNode, keyField: string): BillPaymentStatus {
  const total = moneyFromWire(textOf(row, 'TOTALENTERED'), 'a bill total');
  const paid = moneyFromWire(textOf(row, 'TOTALPAID'), 'a bill amount paid');
  const due = moneyFromWire(textOf(row, 'TOTALDUE'), 'a bill amount due');
  const paymentStatus = paid.isZero() ? 'unpaid' : due.isZero() || due.isNegative() ? 'paid' : 'partially-paid';
  return {
    recordNo: textOf(row, 'RECORDNO'),
    key: textOf(row, keyField) || null,
    billNumber: textOf(row, 'RECORDID') || null,
    vendorId: textOf(row, 'VENDORID'),
    state: textOf(row, 'STATE'),
    paymentStatus,
    total: total.toMoneyString(),
    totalPaid: paid.toMoneyString(),
    totalDue: due.toMoneyString(),
    paidOn: fromIntacctDate(textOf(row, 'WHENPAID')),
    modifiedAt: fromIntacctTimestamp(textOf(row, 'WHENMODIFIED')),
  };
}

export function billPaymentDetailFromWire(detail: XmlNode, payment: XmlNode | undefined): BillPayment {
  return {
    paymentRecordNo: textOf(detail, 'PAYMENTKEY'),
    billRecordNo: textOf(detail, 'RECORDKEY'),
    amount: moneyFromWire(textOf(detail, 'TRX_PAYMENTAMOUNT'), 'a payment amount').toMoneyString(),
    paymentDate: fromIntacctDate(textOf(detail, 'PAYMENTDATE') || textOf(payment, 'PAYMENTDATE')),
    paymentMethod: textOf(payment, 'PAYMENTMETHOD') || null,
    documentNumber: textOf(payment, 'DOCNUMBER') || null,
    state: textOf(payment, 'STATE') || null,
  };
}
