import { Decimal } from '../../../src-shared/domain/money';
import type { CoupaRecord } from './records';
import { decimalText, isObject, wantsDelete, type Problems } from './validate';

/**
 * order-lines / invoice-lines in a POST or PUT (fact sheet §3.4–3.5, R39 Swagger nested
 * attributes): a line with an `id` updates that line, `{id, _delete: true}` removes it, one
 * without an `id` is added; lines not mentioned stay. line-num is unique within the document.
 */
export type LineKind = 'order' | 'invoice';

export interface LineContext {
  currency: { code: string };
  problems: Problems;
  now: string;
  /** Why an invoice line may not reference this PO line, or null when it may. */
  orderLineProblem(orderLineId: number): string | null;
  /** Why this existing line may not be deleted, or null when it may. */
  deleteProblem(line: CoupaRecord): string | null;
}

export interface MergedLines {
  lines: CoupaRecord[];
  deleted: CoupaRecord[];
}

const LINE_TYPES: Record<LineKind, { quantity: string; amount: string }> = {
  order: { quantity: 'OrderQuantityLine', amount: 'OrderAmountLine' },
  invoice: { quantity: 'InvoiceQuantityLine', amount: 'InvoiceAmountLine' },
};

function blankLine(kind: LineKind, number: number, currency: { code: string }, now: string): CoupaRecord {
  return {
    id: 0,
    'line-num': number,
    description: null,
    price: null,
    quantity: null,
    uom: null,
    total: null,
    currency,
    type: null,
    account: null,
    'account-allocations': [],
    'created-at': now,
    'updated-at': now,
    ...(kind === 'order'
      ? { 'need-by-date': null, commodity: null, status: 'created' }
      : { 'tax-amount': null, 'order-line-id': null, 'source-part-num': null }),
  };
}

/** A value was sent (null and absent are "not given"). */
function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** An account is given by its code or its segments (Coupa Account: code, segment-1…segment-20). */
function isAccount(value: unknown): boolean {
  if (!isObject(value)) return false;
  const filled = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
  return filled(value.code) || filled(value['segment-1']);
}

export function mergeLines(kind: LineKind, input: unknown, current: CoupaRecord[], ctx: LineContext): MergedLines {
  const { problems, now, currency } = ctx;
  const label = kind === 'order' ? 'Order line' : 'Invoice line';
  const types = LINE_TYPES[kind];
  if (!Array.isArray(input)) {
    problems.add(`${kind}-lines must be an array`);
    return { lines: current, deleted: [] };
  }
  const lines = current.map((l) => ({ ...l }));
  const deleted: CoupaRecord[] = [];
  input.forEach((raw, position) => {
    const where = `${label} ${position + 1}`;
    if (!isObject(raw)) {
      problems.add(`${where} must be an object`);
      return;
    }
    const index = raw.id !== undefined ? lines.findIndex((l) => l.id === Number(raw.id)) : -1;
    if (raw.id !== undefined && index < 0) {
      problems.add(`${where}: line id ${String(raw.id)} is not on this document`);
      return;
    }
    if (wantsDelete(raw)) {
      const target = lines[index];
      if (!target) {
        problems.add(`${where}: _delete needs the id of the line to delete`);
        return;
      }
      const refused = ctx.deleteProblem(target);
      if (refused) problems.add(`${where}: ${refused}`);
      else deleted.push(...lines.splice(index, 1));
      return;
    }
    let line = lines[index];
    if (!line) {
      line = blankLine(kind, lines.reduce((max, l) => Math.max(max, Number(l['line-num'])), 0) + 1, currency, now);
      lines.push(line);
    }
    line['updated-at'] = now;
    if (raw['line-num'] !== undefined) {
      const n = Number(raw['line-num']);
      if (!Number.isInteger(n) || n < 1) problems.add(`${where}: line-num must be a whole number >= 1`);
      else line['line-num'] = n;
    }
    if (raw.description !== undefined) line.description = raw.description;
    if (typeof line.description !== 'string' || line.description.trim() === '') problems.add(`${where}: description can't be blank`);
    line.price = given(raw.price) ? decimalText(raw.price, `${where}: price`, problems) : raw.price === null ? null : line.price;
    if (!given(raw.price) && line.price === null) problems.add(`${where}: price can't be blank`);
    let quantityRefused = false;
    if (given(raw.quantity)) {
      line.quantity = decimalText(raw.quantity, `${where}: quantity`, problems);
      quantityRefused = line.quantity === null;
    } else if (raw.quantity === null) line.quantity = null;
    if (isObject(raw.uom)) line.uom = raw.uom;
    if (isObject(raw.currency) && typeof raw.currency.code === 'string') line.currency = { code: raw.currency.code };
    if (raw.account !== undefined) line.account = raw.account;
    if (Array.isArray(raw['account-allocations'])) line['account-allocations'] = raw['account-allocations'];
    // R39 Swagger / brief: every line carries an account (or a split over allocations).
    const allocated = Array.isArray(line['account-allocations']) && line['account-allocations'].length > 0;
    if (!allocated && !isAccount(line.account)) problems.add(`${where}: account can't be blank (send {"code": …} or its segments)`);
    if (kind === 'order') {
      if (raw['need-by-date'] !== undefined) line['need-by-date'] = raw['need-by-date'];
      if (isObject(raw.commodity)) line.commodity = raw.commodity;
    } else {
      const tax = raw['tax-amount'];
      line['tax-amount'] = given(tax) ? decimalText(tax, `${where}: tax-amount`, problems) : tax === null ? null : line['tax-amount'];
      if (!given(tax) && line['tax-amount'] === null) problems.add(`${where}: tax-amount can't be blank (send "0.00" for no tax)`);
      if (raw['source-part-num'] !== undefined) line['source-part-num'] = raw['source-part-num'];
      if (raw['order-line-id'] !== undefined && raw['order-line-id'] !== null) {
        const id = Number(raw['order-line-id']);
        const refused = Number.isInteger(id) ? ctx.orderLineProblem(id) : `order-line-id ${String(raw['order-line-id'])} is not a purchase order line`;
        if (refused) problems.add(`${where}: ${refused}`);
        else line['order-line-id'] = id;
      } else if (raw['order-line-id'] === null) line['order-line-id'] = null;
    }
    if (raw.type !== undefined) {
      if (raw.type !== types.quantity && raw.type !== types.amount) problems.add(`${where}: type must be ${types.quantity} or ${types.amount}`);
      else line.type = raw.type;
    }
    // An order line without quantity is an amount line; an invoice line is a quantity line
    // unless it says otherwise (Coupa's default InvoiceQuantityLine, brief: quantity required).
    line.type ??= kind === 'order' && line.quantity === null ? types.amount : types.quantity;
    if (line.type === types.quantity && line.quantity === null && !quantityRefused) problems.add(`${where}: quantity can't be blank on a ${types.quantity}`);
  });
  const seen = new Set<number>();
  for (const line of lines) {
    const n = Number(line['line-num']);
    if (seen.has(n)) problems.add(`${label} number ${n} is used twice; line-num must be unique within the document`);
    seen.add(n);
  }
  // Totals only from lines that passed: a bad price is a 400 above, never a parse failure here.
  if (!problems.any) for (const line of lines) line.total = lineTotal(line, types.quantity);
  return { lines, deleted };
}

/** quantity × price rounded half-up to the cent on a quantity line; the price on an amount line. */
export function lineTotal(line: CoupaRecord, quantityType: string): string {
  const price = Decimal.parse(String(line.price));
  return line.type === quantityType && typeof line.quantity === 'string'
    ? price.times(Decimal.parse(line.quantity), 2).toMoneyString()
    : price.toMoneyString();
}
