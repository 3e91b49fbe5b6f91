/**
 * Pure conversions between the connector's public types (types.ts) and Coupa's JSON (wire.ts):
 * request bodies, the comparison that decides whether a PUT is needed, Coupa records as public
 * types, money checked with Decimal (never a float), and Coupa's error bodies as sentences.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  CoupaAccount,
  CoupaAccountType,
  CoupaAddress,
  CoupaChartOfAccounts,
  CoupaInvoice,
  CoupaInvoiceLine,
  CoupaOrderLine,
  CoupaPurchaseOrder,
  CoupaSupplier,
  CoupaUser,
  InvoiceInput,
  InvoiceLineInput,
  PostalAddress,
  PurchaseOrderInput,
  PurchaseOrderLineInput,
  SupplierInput,
  SupplierRef,
} from './types';
import { INVOICE_LINE_TYPES, ORDER_LINE_TYPES } from './wire';
import type {
  WireAccount,
  WireAccountType,
  WireAddress,
  WireAddressBody,
  WireBody,
  WireDecimal,
  WireErrorBody,
  WireInvoice,
  WireInvoiceLine,
  WireLine,
  WireLineWrite,
  WireOrderLine,
  WirePurchaseOrder,
  WireRef,
  WireRemitTo,
  WireSupplier,
  WireUser,
} from './wire';

/** Input the connector refuses before calling Coupa; the message names the field. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** Coupa answered without something the connector needs; names the record and field. */
export class CoupaResponseShapeError extends Error {
  override readonly name = 'CoupaResponseShapeError';
}

/** Fact sheet §3.4: po-number is unique and at most 20 characters. */
export const MAX_PO_NUMBER = 20;
/** Fact sheet §3.5: invoice-number at most 40 characters. */
export const MAX_INVOICE_NUMBER = 40;

// ---- ids, decimals, dates ----------------------------------------------------------------------

export function idFromWire(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  // An answer without the record (empty, spoiled) names no id: say so, not "undefined".
  throw new CoupaResponseShapeError(`Coupa sent ${what} without a valid id (${value === undefined || value === null ? 'none given' : `got ${JSON.stringify(value)}`})`);
}

/** An id for a request body: Coupa ids are integers. */
export function idToWire(id: string, what: string): number {
  const value = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(value))
    throw new InvalidInputError(`${what} "${id}" is not a Coupa id (digits only)`);
  return value;
}

function parseDecimal(text: string, what: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
}

/** A quantity or price to send: exact (up to 6 decimals), as a string (decimals are strings in JSON). */
export function decimalToWire(text: string, what: string): string {
  return parseDecimal(text, what).toString();
}

/** An amount to send: at most two decimals (never rounded silently), "1234.50". */
export function moneyToWire(text: string, what: string): string {
  const value = parseDecimal(text, what);
  if (!value.roundToCents().equals(value))
    throw new InvalidInputError(`${what} ${text} has fractions of a cent; round it before sending`);
  return value.toMoneyString();
}

export function decimalFromWire(value: unknown, what: string): Decimal {
  try {
    if (typeof value === 'string') return Decimal.parse(value);
    if (typeof value === 'number') return Decimal.fromJsonNumber(value);
  } catch (error) {
    if (!(error instanceof InvalidDecimalError)) throw error;
  }
  throw new CoupaResponseShapeError(`Coupa sent ${what} as ${JSON.stringify(value)}, not a decimal`);
}

function optionalDecimal(value: WireDecimal | null | undefined, what: string): Decimal | null {
  return value === null || value === undefined || value === '' ? null : decimalFromWire(value, what);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(date: string, what: string): string {
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new InvalidInputError(`${what} "${date}" is not a date (YYYY-MM-DD)`);
  return date;
}

/**
 * A date for a Coupa datetime field (invoice-date is `date-time` in the R39 Swagger): midnight
 * UTC. Coupa answers in UTC, so a local midnight (`…T00:00+02:00`) would come back as the day
 * before (brief).
 */
export function dateToWire(date: string, what: string): string {
  return `${checkDate(date, what)}T00:00:00+00:00`;
}

/** The UTC calendar day of a Coupa datetime (or a bare date); null when absent or unreadable. */
export function dateFromWire(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (ISO_DATE.test(text)) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
}

// ---- references ----------------------------------------------------------------------------

/** `po-number` = prefix + the Exact order number; at most 20 characters (fact sheet §3.4). */
export function coupaPoNumber(prefix: string, orderNumber: string | number): string {
  const poNumber = `${prefix}${String(orderNumber).trim()}`;
  if (poNumber.length > MAX_PO_NUMBER)
    throw new InvalidInputError(
      `PO number "${poNumber}" is ${poNumber.length} characters; Coupa allows ${MAX_PO_NUMBER}. Shorten the PO number prefix.`,
    );
  return poNumber;
}

export function supplierRefToWire(ref: SupplierRef): WireRef {
  if ('id' in ref) return { id: idToWire(ref.id, 'Supplier id') };
  if (ref.number.trim() === '') throw new InvalidInputError('The supplier number is empty');
  return { number: ref.number };
}

export function describeSupplier(ref: SupplierRef): string {
  return 'id' in ref ? `supplier id ${ref.id}` : `supplier ${ref.number}`;
}

/** Whether Coupa's rendered supplier reference is the supplier `ref` names. */
export function isSameSupplier(ref: SupplierRef, wire: WireRef | null | undefined): boolean {
  if (!wire) return false;
  if ('id' in ref) return wire.id !== null && wire.id !== undefined && String(wire.id) === ref.id;
  return typeof wire.number === 'string' && wire.number === ref.number;
}

/** The chart of accounts with its defaults, checked once when the connector is created. */
export interface ResolvedChart {
  accountType: WireRef;
  glSegment: number;
  costCenterSegment: number | null;
  separator: string;
}

export function resolveChart(chart: CoupaChartOfAccounts): ResolvedChart {
  const glSegment = chart.glAccountSegment ?? 1;
  const costCenterSegment = chart.costCenterSegment === undefined ? 2 : chart.costCenterSegment;
  const segmentOk = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 20;
  if (!segmentOk(glSegment) || (costCenterSegment !== null && !segmentOk(costCenterSegment)))
    throw new InvalidInputError('Account segments are numbered 1 to 20 in Coupa');
  if (glSegment === costCenterSegment)
    throw new InvalidInputError('The GL account and the cost center cannot use the same account segment');
  const type = chart.accountType;
  const accountType: WireRef =
    'id' in type ? { id: idToWire(type.id, 'Account type id') } : { name: type.name.trim() };
  if ('name' in accountType && !accountType.name) throw new InvalidInputError('The account type name is empty');
  return { accountType, glSegment, costCenterSegment, separator: chart.codeSeparator ?? '-' };
}

/**
 * The line's `account`: the GL account and cost center in their segments of the chart, and the
 * segments joined as the code (brief: "account built from GL account + cost center per the
 * configured chart of accounts").
 */
export function accountToWire(chart: ResolvedChart, glAccount: string, costCenter: string | null): WireAccount {
  const gl = glAccount.trim();
  if (gl === '') throw new InvalidInputError('The GL account is empty');
  const cc = costCenter?.trim() || null;
  if (cc !== null && chart.costCenterSegment === null)
    throw new InvalidInputError(
      `Cost center ${cc} cannot be coded: the Coupa chart of accounts of this connection has no cost-center segment`,
    );
  const segments = new Map<number, string>([[chart.glSegment, gl]]);
  if (cc !== null && chart.costCenterSegment !== null) segments.set(chart.costCenterSegment, cc);
  const ordered = [...segments.entries()].sort(([a], [b]) => a - b);
  const account: WireAccount = {
    code: ordered.map(([, value]) => value).join(chart.separator),
    'account-type': chart.accountType,
  };
  for (const [n, value] of ordered) account[`segment-${n}`] = value;
  return account;
}

// ---- lines ---------------------------------------------------------------------------------

/** A line as it will be sent, with what decides whether Coupa's line already says the same. */
export interface PreparedLine {
  lineNum: number;
  body: WireLineWrite;
  /** quantity × price to the cent (quantity line) or the price (amount line). */
  total: Decimal;
  tax: Decimal | null;
  /** Resolved `order-line-id` (invoice lines), null = not linked. */
  orderLineId: string | null;
}

interface LineLike {
  lineNum: number;
  description: string;
  quantity: string | null;
  price: string;
  uom?: string | null;
  glAccount: string;
  costCenter: string | null;
}

function prepareLine(
  line: LineLike,
  types: { quantity: string; amount: string },
  chart: ResolvedChart,
  where: string,
): PreparedLine {
  if (!Number.isInteger(line.lineNum) || line.lineNum < 1)
    throw new InvalidInputError(`${where}: the line number must be a whole number from 1`);
  if (line.description.trim() === '') throw new InvalidInputError(`${where}: the description is empty`);
  const price = parseDecimal(line.price, `${where}: price`);
  const quantity = line.quantity === null ? null : parseDecimal(line.quantity, `${where}: quantity`);
  const body: WireLineWrite = {
    'line-num': line.lineNum,
    description: line.description,
    type: quantity === null ? types.amount : types.quantity,
    price: price.toString(),
    quantity: quantity === null ? null : quantity.toString(),
    account: accountToWire(chart, line.glAccount, line.costCenter),
  };
  if (line.uom !== undefined) body['uom'] = line.uom === null ? null : { code: line.uom };
  // Coupa: total = quantity × price, rounded half-up to the cent; an amount line's total is its price.
  const total = quantity === null ? price.roundToCents() : quantity.times(price, 2);
  return { lineNum: line.lineNum, body, total, tax: null, orderLineId: null };
}

function checkLineNumbers(lines: readonly { lineNum: number }[], what: string): void {
  const seen = new Set<number>();
  for (const line of lines) {
    if (seen.has(line.lineNum)) throw new InvalidInputError(`${what} uses line number ${line.lineNum} twice`);
    seen.add(line.lineNum);
  }
}

export function prepareOrderLines(lines: readonly PurchaseOrderLineInput[], chart: ResolvedChart): PreparedLine[] {
  checkLineNumbers(lines, 'The purchase order');
  return lines.map((line) => {
    const prepared = prepareLine(line, ORDER_LINE_TYPES, chart, `Line ${line.lineNum}`);
    if (line.needByDate !== undefined)
      prepared.body['need-by-date'] =
        line.needByDate === null ? null : dateToWire(line.needByDate, `Line ${line.lineNum}: need-by date`);
    return prepared;
  });
}

export function prepareInvoiceLines(
  lines: readonly InvoiceLineInput[],
  chart: ResolvedChart,
  orderLineIdOf: (line: InvoiceLineInput) => string | null,
): PreparedLine[] {
  checkLineNumbers(lines, 'The invoice');
  if (lines.length === 0) throw new InvalidInputError('An invoice needs at least one line');
  return lines.map((line) => {
    const where = `Line ${line.lineNum}`;
    const prepared = prepareLine(line, INVOICE_LINE_TYPES, chart, where);
    const tax = Decimal.parse(moneyToWire(line.taxAmount, `${where}: tax amount`));
    prepared.tax = tax;
    prepared.body['tax-amount'] = tax.toMoneyString();
    prepared.orderLineId = orderLineIdOf(line);
    prepared.body['order-line-id'] =
      prepared.orderLineId === null ? null : idToWire(prepared.orderLineId, `${where}: PO line id`);
    return prepared;
  });
}

/** Coupa's lines for a PUT: matched by line-num (`{id, …}`), new ones added, the rest `{id, _delete: true}`. */
export function linesForUpdate(current: readonly WireLine[], desired: readonly PreparedLine[]): WireLineWrite[] {
  const byNum = new Map(current.map((line) => [Number(line['line-num']), line]));
  const wanted = new Set(desired.map((line) => line.lineNum));
  const out: WireLineWrite[] = [];
  // Deletions first: a line-num freed by a deletion can then be taken by another line.
  for (const line of current)
    if (!wanted.has(Number(line['line-num']))) out.push({ id: line.id, _delete: true });
  for (const line of desired) {
    const existing = byNum.get(line.lineNum);
    out.push(existing ? { id: existing.id, ...line.body } : line.body);
  }
  return out;
}

const sameText = (a: unknown, b: unknown): boolean => (a ?? null) === (b ?? null);

function sameDecimal(wire: WireDecimal | null | undefined, wanted: string | null, what: string): boolean {
  const current = optionalDecimal(wire, what);
  if (current === null || wanted === null) return current === null && wanted === null;
  return current.equals(Decimal.parse(wanted));
}

/** What differs between Coupa's line and the prepared one, in words (empty = the same). */
function lineDifferences(current: WireLine & WireInvoiceLine & WireOrderLine, line: PreparedLine): string[] {
  const body = line.body;
  const where = `line ${line.lineNum}`;
  const out: string[] = [];
  if (!sameText(current.description, body['description'])) out.push(`${where} description`);
  if (!sameText(current.type, body['type'])) out.push(`${where} type`);
  if (!sameDecimal(current.price, body['price'] as string, `${where} price`)) out.push(`${where} price`);
  if (!sameDecimal(current.quantity, body['quantity'] as string | null, `${where} quantity`))
    out.push(`${where} quantity`);
  if (!sameText(current.account?.code, (body['account'] as WireAccount).code)) out.push(`${where} account`);
  if ('uom' in body && !sameText(current.uom?.code, (body['uom'] as WireRef | null)?.code))
    out.push(`${where} unit`);
  if ('need-by-date' in body && dateFromWire(current['need-by-date']) !== dateFromWire(body['need-by-date']))
    out.push(`${where} need-by date`);
  if (line.tax !== null && !sameDecimal(current['tax-amount'], line.tax.toMoneyString(), `${where} tax`))
    out.push(`${where} tax`);
  if ('order-line-id' in body) {
    const currentLink = current['order-line-id'] === null || current['order-line-id'] === undefined ? null : String(current['order-line-id']);
    if (currentLink !== line.orderLineId) out.push(`${where} PO line link`);
  }
  return out;
}

function linesDifferences(current: readonly WireLine[], desired: readonly PreparedLine[]): string[] {
  const byNum = new Map(current.map((line) => [Number(line['line-num']), line]));
  const wanted = new Set(desired.map((line) => line.lineNum));
  const out: string[] = [];
  for (const line of desired) {
    const existing = byNum.get(line.lineNum);
    if (!existing) out.push(`line ${line.lineNum} is new`);
    else out.push(...lineDifferences(existing, line));
  }
  for (const num of byNum.keys()) if (!wanted.has(num)) out.push(`line ${num} was removed`);
  return out;
}

/**
 * Coupa's line totals must equal the ones sent, to the cent, line by line (and no other lines):
 * null when they do, else the sentence saying where they differ.
 */
export function totalsProblem(current: readonly WireLine[], desired: readonly PreparedLine[], what: string): string | null {
  const byNum = new Map(current.map((line) => [Number(line['line-num']), line]));
  for (const line of desired) {
    const existing = byNum.get(line.lineNum);
    if (!existing) return `Coupa's ${what} has no line ${line.lineNum} after the write`;
    const total = optionalDecimal(existing.total, `the total of line ${line.lineNum}`);
    if (total === null || !total.equals(line.total))
      return `Coupa computed ${total?.toMoneyString() ?? 'no total'} for line ${line.lineNum} of ${what}; ${line.total.toMoneyString()} was sent`;
  }
  if (current.length !== desired.length)
    return `Coupa's ${what} has ${current.length} lines after the write; ${desired.length} were sent`;
  return null;
}

// ---- purchase orders ----------------------------------------------------------------------

export interface PreparedPurchaseOrder {
  input: PurchaseOrderInput;
  /** Header fields (no lines). */
  header: WireBody;
  lines: PreparedLine[];
  shipToUserLogin: string;
}

export function preparePurchaseOrder(
  input: PurchaseOrderInput,
  chart: ResolvedChart | null,
  defaultShipToUserLogin: string | undefined,
): PreparedPurchaseOrder {
  const poNumber = input.poNumber;
  if (poNumber.trim() === '') throw new InvalidInputError('The PO number is empty');
  if (poNumber.length > MAX_PO_NUMBER)
    throw new InvalidInputError(`PO number "${poNumber}" is longer than Coupa's ${MAX_PO_NUMBER} characters`);
  const shipToUserLogin = (input.shipToUserLogin ?? defaultShipToUserLogin ?? '').trim();
  if (shipToUserLogin === '')
    throw new InvalidInputError(
      'Coupa requires a ship-to user on an external PO: set the default ship-to user of the Coupa connection',
    );
  if (chart === null && input.lines.length > 0)
    throw new InvalidInputError('Set the chart of accounts of the Coupa connection: every PO line needs an account');
  const header: WireBody = {
    'po-number': poNumber,
    type: 'ExternalOrderHeader',
    supplier: supplierRefToWire(input.supplier),
    currency: { code: currencyCode(input.currency) },
    'ship-to-user': { login: shipToUserLogin },
  };
  if (input.shipToAddressCode !== undefined)
    header['ship-to-address'] = input.shipToAddressCode === null ? null : { 'location-code': input.shipToAddressCode };
  const lines = chart === null ? [] : prepareOrderLines(input.lines, chart);
  return { input, header, lines, shipToUserLogin };
}

function currencyCode(code: string): string {
  const trimmed = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(trimmed)) throw new InvalidInputError(`"${code}" is not a currency code such as EUR`);
  return trimmed;
}

export function purchaseOrderCreateBody(po: PreparedPurchaseOrder): WireBody {
  return { ...po.header, 'order-lines': po.lines.map((line) => line.body) };
}

/** What differs between Coupa's PO and the one to send, in words (empty = no PUT needed). */
export function purchaseOrderDifferences(current: WirePurchaseOrder, po: PreparedPurchaseOrder): string[] {
  const out: string[] = [];
  if (!isSameSupplier(po.input.supplier, current.supplier)) out.push('supplier');
  if (current.currency?.code !== (po.header['currency'] as WireRef).code) out.push('currency');
  if ((current['ship-to-user']?.login ?? '').toLowerCase() !== po.shipToUserLogin.toLowerCase())
    out.push('ship-to user');
  if (po.input.shipToAddressCode !== undefined && !sameText(current['ship-to-address']?.['location-code'], po.input.shipToAddressCode))
    out.push('ship-to address');
  out.push(...linesDifferences(current['order-lines'] ?? [], po.lines));
  return out;
}

/** The PUT body bringing Coupa's PO to `po`, or null when it already says the same. */
export function purchaseOrderUpdateBody(current: WirePurchaseOrder, po: PreparedPurchaseOrder): WireBody | null {
  if (purchaseOrderDifferences(current, po).length === 0) return null;
  const { type: _type, ...header } = po.header; // `type` is set on create only
  return { ...header, 'order-lines': linesForUpdate(current['order-lines'] ?? [], po.lines) };
}

function lineType(type: unknown, amountType: string): 'quantity' | 'amount' {
  return type === amountType ? 'amount' : 'quantity';
}

function orderLineFromWire(line: WireOrderLine, what: string): CoupaOrderLine {
  const where = `${what} line ${String(line['line-num'])}`;
  return {
    id: idFromWire(line.id, where),
    lineNum: Number(line['line-num']),
    description: line.description ?? null,
    quantity: optionalDecimal(line.quantity, `${where} quantity`)?.toString() ?? null,
    price: decimalFromWire(line.price, `${where} price`).toString(),
    total: (optionalDecimal(line.total, `${where} total`) ?? Decimal.ZERO).toMoneyString(),
    uom: line.uom?.code ?? null,
    accountCode: line.account?.code ?? null,
    type: lineType(line.type, ORDER_LINE_TYPES.amount),
  };
}

function supplierSummary(ref: WireRef | null | undefined, what: string): CoupaPurchaseOrder['supplier'] {
  if (!ref || ref.id === null || ref.id === undefined) return null;
  return { id: idFromWire(ref.id, what), number: ref.number ?? null, name: ref.name ?? null };
}

export function purchaseOrderFromWire(wire: WirePurchaseOrder): CoupaPurchaseOrder {
  const what = `purchase order ${wire['po-number'] ?? (wire.id === undefined || wire.id === null ? 'without a number' : String(wire.id))}`;
  const lines = (wire['order-lines'] ?? []).map((line) => orderLineFromWire(line, what));
  return {
    id: idFromWire(wire.id, what),
    poNumber: wire['po-number'] ?? '',
    status: wire.status ?? 'unknown',
    version: wire.version === null || wire.version === undefined ? null : Number(wire.version),
    exported: wire.exported === true,
    supplier: supplierSummary(wire.supplier, `the supplier of ${what}`),
    currency: wire.currency?.code ?? null,
    shipToUserLogin: wire['ship-to-user']?.login ?? null,
    shipToAddressCode: wire['ship-to-address']?.['location-code'] ?? null,
    lines: lines.sort((a, b) => a.lineNum - b.lineNum),
    total: Decimal.sum(lines.map((line) => Decimal.parse(line.total))).toMoneyString(),
    updatedAt: wire['updated-at'] ?? null,
  };
}

// ---- invoices -------------------------------------------------------------------------------

export interface PreparedInvoice {
  input: InvoiceInput;
  header: WireBody;
  lines: PreparedLine[];
  remitToCode: string;
  billToLocationCode: string;
}

export function prepareInvoice(
  input: InvoiceInput,
  chart: ResolvedChart | null,
  resolved: { remitToCode: string; billToLocationCode: string | undefined; orderLineIdOf: (line: InvoiceLineInput) => string | null },
): PreparedInvoice {
  const number = input.invoiceNumber;
  if (number.trim() === '') throw new InvalidInputError('The invoice number is empty');
  if (number.length > MAX_INVOICE_NUMBER)
    throw new InvalidInputError(`Invoice number "${number}" is longer than Coupa's ${MAX_INVOICE_NUMBER} characters`);
  if (chart === null)
    throw new InvalidInputError('Set the chart of accounts of the Coupa connection: every invoice line needs an account');
  const billTo = (resolved.billToLocationCode ?? '').trim();
  if (billTo === '')
    throw new InvalidInputError('Coupa requires a bill-to address on an invoice: set the default bill-to address of the Coupa connection');
  const lineLevel = input.lineLevelTaxation ?? true;
  const remitTo = { 'remit-to-code': resolved.remitToCode };
  const header: WireBody = {
    'invoice-number': number,
    'invoice-date': dateToWire(input.invoiceDate, 'The invoice date'),
    supplier: supplierRefToWire(input.supplier),
    currency: { code: currencyCode(input.currency) },
    'account-type': chart.accountType,
    'bill-to-address': { 'location-code': billTo },
    'remit-to-address': remitTo,
    'supplier-remit-to': remitTo,
    'line-level-taxation': lineLevel,
    'is-credit-note': input.creditNote !== null && input.creditNote !== undefined,
  };
  if (!lineLevel) {
    if (input.taxAmount === null || input.taxAmount === undefined)
      throw new InvalidInputError('Without line-level taxation the invoice needs its tax amount');
    header['tax-amount'] = moneyToWire(input.taxAmount, 'The tax amount');
  }
  if (input.creditNote) {
    const original = input.creditNote.originalInvoiceNumber.trim();
    if (original === '') throw new InvalidInputError('A credit note needs the number of the invoice it corrects');
    header['original-invoice-number'] = original;
    header['original-invoice-date'] = dateToWire(input.creditNote.originalInvoiceDate, 'The original invoice date');
  }
  if (input.netDueDate !== undefined)
    header['net-due-date'] = input.netDueDate === null ? null : dateToWire(input.netDueDate, 'The due date');
  if (input.supplierNote !== undefined) header['supplier-note'] = input.supplierNote;
  const lines = prepareInvoiceLines(input.lines, chart, resolved.orderLineIdOf);
  return { input, header, lines, remitToCode: resolved.remitToCode, billToLocationCode: billTo };
}

export function invoiceCreateBody(invoice: PreparedInvoice): WireBody {
  return { ...invoice.header, 'invoice-lines': invoice.lines.map((line) => line.body) };
}

/** What differs between Coupa's invoice and the one to send, in words (empty = the same). */
export function invoiceDifferences(current: WireInvoice, invoice: PreparedInvoice): string[] {
  const header = invoice.header;
  const out: string[] = [];
  if (!isSameSupplier(invoice.input.supplier, current.supplier)) out.push('supplier');
  if (dateFromWire(current['invoice-date']) !== invoice.input.invoiceDate) out.push('invoice date');
  if (current.currency?.code !== (header['currency'] as WireRef).code) out.push('currency');
  if ((current['is-credit-note'] === true) !== header['is-credit-note']) out.push('credit note');
  if (header['is-credit-note'] === true) {
    if (!sameText(current['original-invoice-number'], header['original-invoice-number'])) out.push('original invoice number');
    if (dateFromWire(current['original-invoice-date']) !== dateFromWire(header['original-invoice-date']))
      out.push('original invoice date');
  }
  if (current['line-level-taxation'] !== header['line-level-taxation']) out.push('line-level taxation');
  if ('tax-amount' in header && !sameDecimal(current['tax-amount'], header['tax-amount'] as string, 'the tax amount'))
    out.push('tax amount');
  // A reference Coupa did not render (fields=…) is not compared; one rendered empty differs.
  const remitTo = current['remit-to-address'];
  if (remitTo !== undefined && (remitTo?.['remit-to-code'] ?? null) !== invoice.remitToCode) out.push('remit-to address');
  const billTo = current['bill-to-address'];
  if (billTo !== undefined && (billTo?.['location-code'] ?? null) !== invoice.billToLocationCode) out.push('bill-to address');
  out.push(...linesDifferences(current['invoice-lines'] ?? [], invoice.lines));
  return out;
}

export function invoiceUpdateBody(current: WireInvoice, invoice: PreparedInvoice): WireBody | null {
  if (invoiceDifferences(current, invoice).length === 0) return null;
  return { ...invoice.header, 'invoice-lines': linesForUpdate(current['invoice-lines'] ?? [], invoice.lines) };
}

/** Coupa's header tax and gross total must agree with the lines sent, to the cent. */
export function invoiceTotalsProblem(current: WireInvoice, invoice: PreparedInvoice): string | null {
  const what = `invoice ${invoice.input.invoiceNumber}`;
  const lines = totalsProblem(current['invoice-lines'] ?? [], invoice.lines, what);
  if (lines) return lines;
  const net = Decimal.sum(invoice.lines.map((line) => line.total));
  const tax =
    'tax-amount' in invoice.header
      ? Decimal.parse(invoice.header['tax-amount'] as string)
      : Decimal.sum(invoice.lines.map((line) => line.tax ?? Decimal.ZERO));
  const gross = optionalDecimal(current['gross-total'], `the gross total of ${what}`);
  if (gross !== null && !gross.equals(net.plus(tax)))
    return `Coupa's gross total of ${what} is ${gross.toMoneyString()}; the lines sent add up to ${net.plus(tax).toMoneyString()} incl. tax`;
  return null;
}

function invoiceLineFromWire(line: WireInvoiceLine, what: string): CoupaInvoiceLine {
  const where = `${what} line ${String(line['line-num'])}`;
  const link = line['order-line-id'];
  return {
    id: idFromWire(line.id, where),
    lineNum: Number(line['line-num']),
    description: line.description ?? null,
    quantity: optionalDecimal(line.quantity, `${where} quantity`)?.toString() ?? null,
    price: decimalFromWire(line.price, `${where} price`).toString(),
    total: (optionalDecimal(line.total, `${where} total`) ?? Decimal.ZERO).toMoneyString(),
    taxAmount: optionalDecimal(line['tax-amount'], `${where} tax`)?.toMoneyString() ?? null,
    accountCode: line.account?.code ?? null,
    orderLineId: link === null || link === undefined ? null : idFromWire(link, `${where} order-line-id`),
    poNumber: line['po-number'] ?? null,
    type: lineType(line.type, INVOICE_LINE_TYPES.amount),
  };
}

export function invoiceFromWire(wire: WireInvoice): CoupaInvoice {
  const what = `invoice ${wire['invoice-number'] ?? (wire.id === undefined || wire.id === null ? 'without a number' : String(wire.id))}`;
  const lines = (wire['invoice-lines'] ?? []).map((line) => invoiceLineFromWire(line, what)).sort((a, b) => a.lineNum - b.lineNum);
  const net = Decimal.sum(lines.map((line) => Decimal.parse(line.total)));
  const tax = optionalDecimal(wire['tax-amount'], `the tax of ${what}`) ??
    Decimal.sum(lines.map((line) => (line.taxAmount === null ? Decimal.ZERO : Decimal.parse(line.taxAmount))));
  const gross = optionalDecimal(wire['gross-total'], `the gross total of ${what}`) ?? net.plus(tax);
  return {
    id: idFromWire(wire.id, what),
    invoiceNumber: wire['invoice-number'] ?? '',
    invoiceDate: dateFromWire(wire['invoice-date']),
    supplier: supplierSummary(wire.supplier, `the supplier of ${what}`),
    currency: wire.currency?.code ?? null,
    status: wire.status ?? 'unknown',
    paid: wire.paid === true,
    exported: wire.exported === true,
    isCreditNote: wire['is-credit-note'] === true,
    originalInvoiceNumber: wire['original-invoice-number'] ?? null,
    originalInvoiceDate: dateFromWire(wire['original-invoice-date']),
    lineLevelTaxation: typeof wire['line-level-taxation'] === 'boolean' ? wire['line-level-taxation'] : null,
    remitToCode: wire['remit-to-address']?.['remit-to-code'] ?? null,
    billToLocationCode: wire['bill-to-address']?.['location-code'] ?? null,
    net: net.toMoneyString(),
    tax: tax.toMoneyString(),
    gross: gross.toMoneyString(),
    lines,
    updatedAt: wire['updated-at'] ?? null,
  };
}

// ---- suppliers ------------------------------------------------------------------------------

export function supplierFromWire(wire: WireSupplier): CoupaSupplier {
  const what = `supplier ${wire.number ?? wire.name ?? (wire.id === undefined || wire.id === null ? 'without a number' : String(wire.id))}`;
  const contact = wire['primary-contact'];
  return {
    id: idFromWire(wire.id, what),
    number: wire.number ?? null,
    name: wire.name ?? '',
    displayName: wire['display-name'] ?? null,
    status: wire.status ?? null,
    poEmail: wire['po-email'] ?? null,
    taxId: wire['tax-id'] ?? null,
    paymentTermCode: wire['payment-term']?.code ?? null,
    primaryContact: contact
      ? { email: contact.email ?? null, firstName: contact['name-given'] ?? null, lastName: contact['name-family'] ?? null }
      : null,
    remitTos: (wire['remit-to-addresses'] ?? []).map((address) => ({
      id: idFromWire(address.id, `a remit-to address of ${what}`),
      code: address['remit-to-code'] ?? '',
      name: address.name ?? null,
      active: address.active !== false,
    })),
    updatedAt: wire['updated-at'] ?? null,
  };
}

function addressToWire(address: PostalAddress, what: string): WireAddressBody {
  if (address.street1.trim() === '' || address.city.trim() === '')
    throw new InvalidInputError(`${what} needs a street and a city`);
  return {
    street1: address.street1,
    street2: address.street2 ?? null,
    city: address.city,
    'postal-code': address.postalCode ?? null,
    country: { code: address.countryCode.trim().toUpperCase() },
  };
}

function remitToDifferences(current: WireRemitTo, wanted: WireRemitTo): boolean {
  return (['name', 'street1', 'street2', 'city', 'postal-code'] as const).some((key) => !sameText(current[key], wanted[key])) ||
    current.country?.code !== wanted.country?.code;
}

/**
 * The supplier body for a POST (`current` null) or the fields to change for a PUT (null when
 * Coupa already says the same). Remit-to addresses are matched by code: a known code updates
 * that address (`{id, …}`), a new one is added; addresses not named are left alone.
 */
export function supplierBody(input: SupplierInput, current: WireSupplier | null): WireBody | null {
  if (input.number.trim() === '') throw new InvalidInputError('The supplier number is empty');
  if (input.name.trim() === '') throw new InvalidInputError(`Supplier ${input.number} has no name`);
  const wanted: WireBody = { name: input.name, number: input.number };
  if (input.displayName !== undefined) wanted['display-name'] = input.displayName;
  if (input.status !== undefined) wanted['status'] = input.status;
  if (input.poEmail !== undefined) wanted['po-email'] = input.poEmail;
  if (input.taxId !== undefined) wanted['tax-id'] = input.taxId;
  if (input.paymentTermCode !== undefined)
    wanted['payment-term'] = input.paymentTermCode === null ? null : { code: input.paymentTermCode };
  if (input.primaryContact !== undefined)
    wanted['primary-contact'] =
      input.primaryContact === null
        ? null
        : {
            email: input.primaryContact.email,
            'name-given': input.primaryContact.firstName,
            'name-family': input.primaryContact.lastName,
          };
  if (input.primaryAddress !== undefined)
    wanted['primary-address'] =
      input.primaryAddress === null ? null : addressToWire(input.primaryAddress, `The address of supplier ${input.number}`);
  const remitTos = (input.remitTos ?? []).map((remitTo): WireRemitTo => {
    if (remitTo.code.trim() === '') throw new InvalidInputError(`A remit-to address of supplier ${input.number} has no code`);
    return {
      'remit-to-code': remitTo.code,
      name: remitTo.name ?? input.name,
      ...addressToWire(remitTo, `Remit-to address ${remitTo.code} of supplier ${input.number}`),
      active: true,
    };
  });
  if (new Set(remitTos.map((r) => r['remit-to-code'])).size !== remitTos.length)
    throw new InvalidInputError(`Supplier ${input.number} names a remit-to code twice`);
  if (current === null) return { ...wanted, ...(remitTos.length ? { 'remit-to-addresses': remitTos } : {}) };

  const changes: WireBody = {};
  for (const [key, value] of Object.entries(wanted)) {
    const now = (current as Record<string, unknown>)[key];
    const same =
      key === 'payment-term'
        ? sameText((now as WireRef | null | undefined)?.code, (value as WireRef | null)?.code)
        : typeof value === 'object' && value !== null
          ? JSON.stringify(pick(now, Object.keys(value))) === JSON.stringify(value)
          : sameText(now, value);
    if (!same) changes[key] = value;
  }
  const currentByCode = new Map((current['remit-to-addresses'] ?? []).map((r) => [r['remit-to-code'], r]));
  const remitChanges = remitTos.flatMap((remitTo): WireRemitTo[] => {
    const existing = currentByCode.get(remitTo['remit-to-code']);
    if (!existing) return [remitTo];
    const changed = remitToDifferences(existing, remitTo) || existing.active === false;
    return changed ? [{ id: existing.id ?? null, ...remitTo }] : [];
  });
  if (remitChanges.length) changes['remit-to-addresses'] = remitChanges;
  return Object.keys(changes).length === 0 ? null : changes;
}

/** The keys of `value` (an object Coupa rendered) that the body names, in the body's order. */
function pick(value: unknown, keys: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null) return value ?? null;
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    keys.map((key) => {
      const inner = source[key];
      // Nested country objects: compare only their code.
      return [key, key === 'country' && typeof inner === 'object' && inner !== null ? { code: (inner as WireRef).code ?? null } : (inner ?? null)];
    }),
  );
}

// ---- reference data -------------------------------------------------------------------------

export function accountTypeFromWire(wire: WireAccountType): CoupaAccountType {
  return {
    id: idFromWire(wire.id, `account type ${wire.name ?? ''}`),
    name: wire.name ?? '',
    currency: wire.currency?.code ?? null,
    active: wire.active !== false,
  };
}

export function accountFromWire(wire: WireAccount): CoupaAccount {
  const segments = Array.from({ length: 20 }, (_, i) => {
    const value = wire[`segment-${i + 1}`];
    return typeof value === 'string' && value !== '' ? value : null;
  });
  const typeId = wire['account-type']?.id;
  return {
    id: idFromWire(wire.id, `account ${wire.code ?? ''}`),
    code: wire.code ?? '',
    name: wire.name || null,
    active: wire.active !== false,
    accountTypeId: typeId === undefined || typeId === null ? null : String(typeId),
    accountTypeName: wire['account-type']?.name ?? null,
    segments,
  };
}

export function addressFromWire(wire: WireAddress): CoupaAddress {
  return {
    id: idFromWire(wire.id, `address ${wire.name ?? ''}`),
    name: wire.name ?? null,
    locationCode: wire['location-code'] ?? null,
    city: wire.city ?? null,
    active: wire.active !== false,
  };
}

export function userFromWire(wire: WireUser): CoupaUser {
  return {
    id: idFromWire(wire.id, `user ${wire.login ?? ''}`),
    login: wire.login ?? '',
    fullName: wire.fullname ?? null,
    email: wire.email ?? null,
    active: wire.active !== false,
  };
}

// ---- errors ---------------------------------------------------------------------------------

/** Coupa's messages from an error body (`{"errors": {"invoice": ["…"]}}`, §3.7); [] when none. */
export function coupaMessages(text: string): string[] {
  let body: WireErrorBody;
  try {
    body = JSON.parse(text) as WireErrorBody;
  } catch {
    return [];
  }
  const errors = body?.errors;
  if (typeof errors === 'string') return [errors];
  if (Array.isArray(errors)) return errors.map(String);
  if (errors && typeof errors === 'object')
    return Object.values(errors).flatMap((messages) => (Array.isArray(messages) ? messages.map(String) : [String(messages)]));
  return [];
}

/** Coupa refused a change of an approved / paid / in-approval invoice (brief: "Approved or paid cannot be changed"). */
export function lockedInvoiceCode(messages: readonly string[]): 'invoice-approved' | 'invoice-paid' | 'invoice-in-approval' | null {
  const text = messages.join(' ');
  if (/paid invoice cannot be/i.test(text)) return 'invoice-paid';
  if (/status approved cannot be/i.test(text)) return 'invoice-approved';
  if (/status pending_approval cannot be/i.test(text)) return 'invoice-in-approval';
  return null;
}

/** A create refused because the key is taken: the record may be ours from a lost answer. */
export function isDuplicateKeyRefusal(messages: readonly string[]): boolean {
  return messages.some((message) => /has already been (taken|used)/i.test(message));
}
