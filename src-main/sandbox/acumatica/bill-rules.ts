import { Decimal } from '../../../src-shared/domain/money';
import type { EntityTable } from './entity-table';
import { BILL_TYPES, isoFromMs, type StoredLine, type StoredRecord } from './schema';

/**
 * Business rules applied on PUT, after the sent fields are merged: defaults, validation with
 * per-field messages (the 422 shape of fact sheet 1.9) and derived totals. Money is added as
 * exact decimals; `Amount`/`Balance` are always recomputed from the lines, never taken from
 * the request.
 */
export class EntityErrors {
  readonly fields = new Map<string, string>();
  readonly lines = new Map<string, Map<string, string>>();
  readonly entity: string[] = [];

  field(name: string, message: string): void {
    if (!this.fields.has(name)) this.fields.set(name, message);
  }

  line(lineId: string, name: string, message: string): void {
    let m = this.lines.get(lineId);
    if (!m) this.lines.set(lineId, (m = new Map()));
    if (!m.has(name)) m.set(name, message);
  }

  get any(): boolean {
    return this.fields.size > 0 || this.lines.size > 0 || this.entity.length > 0;
  }
}

/** What the request actually sent, so derived fields follow the caller's intent. */
export interface SentFields {
  header: Set<string>;
  lines: Map<string, Set<string>>;
}

export interface RuleContext {
  tables: Record<'Vendor' | 'Account' | 'Subaccount' | 'Project' | 'Bill', EntityTable>;
  now: number;
  branch: string;
  currency: string;
  /** Closed financial periods as "MMYYYY" (Acumatica's PostPeriod form, shown as MM-YYYY). */
  closedPeriods: Set<string>;
  nextNumber(sequence: string): string;
}

const NOT_FOUND = (field: string): string => `'${field}' cannot be found in the system.`;
const EMPTY = (field: string): string => `'${field}' cannot be empty.`;

/** Hidden bookkeeping kept next to the wire fields (never rendered: not in the schema). */
export const PAID = '_AmountPaid';
export const RELEASED = '_Released';

export function applyBillRules(ctx: RuleContext, bill: StoredRecord, sent: SentFields, isNew: boolean, errors: EntityErrors): void {
  const v = bill.values;
  if (!isNew && v[RELEASED] === true && (sent.lines.size > 0 || sent.header.has('Vendor') || sent.header.has('Date'))) {
    errors.entity.push('The document has been released; its vendor, date and lines can no longer be changed.');
  }
  v.Type ??= 'Bill';
  if (!BILL_TYPES.includes(String(v.Type) as (typeof BILL_TYPES)[number])) {
    errors.field('Type', `'${String(v.Type)}' is not a valid document type (expected one of: ${BILL_TYPES.join(', ')}).`);
  }
  if (isNew && (v.ReferenceNbr === null || v.ReferenceNbr === undefined)) v.ReferenceNbr = ctx.nextNumber('Bill');
  if (v.Vendor === null || v.Vendor === undefined || v.Vendor === '') errors.field('Vendor', EMPTY('Vendor'));
  else {
    const vendor = ctx.tables.Vendor.byKeys([v.Vendor]);
    if (!vendor) errors.field('Vendor', NOT_FOUND('Vendor'));
    else v.Vendor = vendor.values.VendorID ?? v.Vendor;
  }
  v.Date ??= isoFromMs(Math.floor(ctx.now / 86_400_000) * 86_400_000);
  v.DueDate ??= v.Date;
  v.PostPeriod = postPeriodOf(String(v.Date));
  if (ctx.closedPeriods.has(v.PostPeriod)) {
    const shown = `${v.PostPeriod.slice(0, 2)}-${v.PostPeriod.slice(2)}`;
    errors.field('PostPeriod', `The ${shown} financial period is closed in the AP module.`);
  }
  v.BranchID ??= ctx.branch;
  v.CurrencyID ??= ctx.currency;
  v.Hold ??= false;
  v.ApprovedForPayment ??= false;
  v.TaxTotal ??= '0';

  const details = (bill.details ??= []);
  let nextLineNbr = details.reduce((max, line) => Math.max(max, Number(line.values.LineNbr ?? 0)), 0) + 1;
  let total = Decimal.ZERO;
  for (const line of details) {
    if (line.values.LineNbr === null || line.values.LineNbr === undefined) line.values.LineNbr = nextLineNbr++;
    applyLineRules(ctx, bill, line, sent.lines.get(line.id), errors);
    total = total.plus(Decimal.parse(String(line.values.Amount ?? '0')));
  }
  v.Amount = total.toMoneyString();
  v.Balance = total.minus(Decimal.parse(String(v[PAID] ?? '0'))).toMoneyString();
  v.Status = billStatus(bill);
  v.LastModifiedDateTime = isoFromMs(ctx.now);
}

function applyLineRules(ctx: RuleContext, bill: StoredRecord, line: StoredLine, sent: Set<string> | undefined, errors: EntityErrors): void {
  const l = line.values;
  const account = l.Account;
  if (account === null || account === undefined || account === '') errors.line(line.id, 'Account', EMPTY('Account'));
  else if (!ctx.tables.Account.byKeys([account])) errors.line(line.id, 'Account', NOT_FOUND('Account'));
  if (l.Subaccount !== null && l.Subaccount !== undefined && !ctx.tables.Subaccount.byKeys([l.Subaccount])) {
    errors.line(line.id, 'Subaccount', NOT_FOUND('Subaccount'));
  }
  for (const field of ['Project'] as const) {
    const project = l[field];
    if (project !== null && project !== undefined && project !== 'X' && !ctx.tables.Project.byKeys([project])) {
      errors.line(line.id, field, NOT_FOUND(field));
    }
  }
  l.Branch ??= bill.values.BranchID ?? ctx.branch;
  l.Project ??= bill.values.Project ?? 'X';
  // Quantity × unit cost when the caller priced the line that way; otherwise the amount given.
  const sentPricing = sent?.has('Qty') || sent?.has('UnitCost');
  const sentAmount = sent?.has('ExtendedCost') || sent?.has('Amount');
  if (sentPricing || (!sentAmount && l.ExtendedCost == null)) {
    const qty = Decimal.parse(String(l.Qty ?? '1'));
    const unitCost = Decimal.parse(String(l.UnitCost ?? '0'));
    l.Qty = qty.toString();
    l.UnitCost = unitCost.toString();
    l.ExtendedCost = qty.times(unitCost, 2).toMoneyString();
  } else if (sentAmount) {
    const amount = Decimal.parse(String(sent?.has('ExtendedCost') ? l.ExtendedCost : l.Amount)).roundToCents();
    l.ExtendedCost = amount.toMoneyString();
    l.Qty = '1';
    l.UnitCost = amount.toMoneyString();
  }
  l.Amount = l.ExtendedCost ?? '0.00';
  l.UOM ??= 'EA';
}

export function billStatus(bill: StoredRecord): string {
  const v = bill.values;
  if (v[RELEASED] === true) return Decimal.parse(String(v.Balance ?? '0')).isZero() ? 'Closed' : 'Open';
  return v.Hold === true ? 'On Hold' : 'Balanced';
}

/** "2026-01-15T…" → "012026" (MMYYYY). */
function postPeriodOf(isoDate: string): string {
  return `${isoDate.slice(5, 7)}${isoDate.slice(0, 4)}`;
}

export function applyVendorRules(ctx: RuleContext, vendor: StoredRecord, isNew: boolean, errors: EntityErrors): void {
  const v = vendor.values;
  if (!v.VendorID) errors.field('VendorID', EMPTY('VendorID'));
  if (!v.VendorName) errors.field('VendorName', EMPTY('VendorName'));
  v.Status ??= 'Active';
  v.CurrencyID ??= ctx.currency;
  if (isNew) v.CreatedDateTime = isoFromMs(ctx.now);
  v.LastModifiedDateTime = isoFromMs(ctx.now);
}

/**
 * An AP payment (Check) created through the API is applied at once to the bills in its
 * Details, so the bill's Balance/Status read-back (fact sheet 1.8) can be exercised. Returns
 * the bills to save with the check.
 */
export function applyCheckRules(ctx: RuleContext, check: StoredRecord, isNew: boolean, errors: EntityErrors): StoredRecord[] {
  const v = check.values;
  if (!isNew) {
    errors.entity.push('A released payment cannot be changed through this sandbox; void it and enter a new one.');
    return [];
  }
  v.Type ??= 'Payment';
  v.ReferenceNbr ??= ctx.nextNumber('Check');
  if (!v.Vendor) errors.field('Vendor', EMPTY('Vendor'));
  else if (!ctx.tables.Vendor.byKeys([v.Vendor])) errors.field('Vendor', NOT_FOUND('Vendor'));
  v.ApplicationDate ??= isoFromMs(Math.floor(ctx.now / 86_400_000) * 86_400_000);
  v.CurrencyID ??= ctx.currency;
  v.Hold = false;
  const paidBills: StoredRecord[] = [];
  let applied = Decimal.ZERO;
  for (const line of check.details ?? []) {
    const l = line.values;
    l.DocType ??= 'Bill';
    const bill = ctx.tables.Bill.byKeys([l.DocType, l.ReferenceNbr ?? null]);
    if (!bill || bill.values.Vendor !== v.Vendor) {
      errors.line(line.id, 'ReferenceNbr', NOT_FOUND('Reference Nbr.'));
      continue;
    }
    if (bill.values[RELEASED] !== true) {
      errors.line(line.id, 'ReferenceNbr', 'The document is not released and cannot be paid.');
      continue;
    }
    const amount = Decimal.parse(String(l.AmountPaid ?? bill.values.Balance ?? '0')).roundToCents();
    const balance = Decimal.parse(String(bill.values.Balance ?? '0'));
    if (amount.compare(balance) > 0) {
      errors.line(line.id, 'AmountPaid', `The amount paid cannot exceed the document balance (${balance.toMoneyString()}).`);
      continue;
    }
    const paid = Decimal.parse(String(bill.values[PAID] ?? '0')).plus(amount);
    const updated: StoredRecord = { ...bill, values: { ...bill.values, [PAID]: paid.toMoneyString(), LastModifiedDateTime: isoFromMs(ctx.now) } };
    updated.values.Balance = balance.minus(amount).toMoneyString();
    updated.values.Status = billStatus(updated);
    updated.applications = [
      ...(bill.applications ?? []),
      {
        id: line.id,
        values: { DocType: String(v.Type), ReferenceNbr: v.ReferenceNbr ?? null, AmountPaid: amount.toMoneyString(), Balance: updated.values.Balance, Status: 'Closed' },
      },
    ];
    l.AmountPaid = amount.toMoneyString();
    l.Balance = updated.values.Balance;
    l.CashDiscountBalance = '0.00';
    applied = applied.plus(amount);
    paidBills.push(updated);
  }
  const paymentAmount = v.PaymentAmount == null ? applied : Decimal.parse(String(v.PaymentAmount));
  if (paymentAmount.compare(applied) < 0) errors.field('PaymentAmount', 'The payment amount is less than the amount applied to documents.');
  v.PaymentAmount = paymentAmount.toMoneyString();
  v.UnappliedBalance = paymentAmount.minus(applied).toMoneyString();
  v.Status = 'Closed';
  v.LastModifiedDateTime = isoFromMs(ctx.now);
  return paidBills;
}
