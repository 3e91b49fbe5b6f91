import { commitmentOf } from './commitment-rules';
import {
  ActionError,
  EMPTY,
  NON_PROJECT,
  NOT_FOUND,
  addDays,
  checkCoding,
  checkVendor,
  cloneRecord,
  closedPeriodMessage,
  find,
  isBlank,
  linesOf,
  money,
  postPeriodOf,
  priceLine,
  sumMoney,
  termsDays,
  type ActionDefinition,
  type EntityErrors,
  type EntityRules,
  type RuleContext,
  type SentTree,
} from './rule-kit';
import { isoFromMs, type StoredNode, type StoredRecord } from './schema';

/**
 * AP bills (screen AP301000, OpenAPI `Bill`): defaults, coding checks per line, exact totals
 * (Amount = lines + tax, never taken from the request), the AP document status a bill shows
 * (On Hold / Balanced before release, Open / Closed after) and the ReleaseBill action.
 */
export const BILL_TYPES = ['Bill', 'Credit Adj.', 'Debit Adj.', 'Prepayment'] as const;

/** Hidden bookkeeping kept next to the wire fields (never rendered: not in the schema). */
export const RELEASED = '_Released';
export const PAID = '_AmountPaid';

/** AP document status labels (PX.Objects.AP.APDocStatus) for a bill. */
export function billStatus(bill: StoredRecord): string {
  const v = bill.values;
  if (v[RELEASED] === true) return money(v.Balance).isZero() ? 'Closed' : 'Open';
  return v.Hold === true ? 'On Hold' : 'Balanced';
}

export const billRules: EntityRules = {
  save(ctx, bill, change, errors) {
    const v = bill.values;
    const released = v[RELEASED] === true;
    if (
      released &&
      !change.isNew &&
      (change.sent.lines.size > 0 || ['Vendor', 'Date', 'Type'].some((f) => change.sent.fields.has(f)))
    ) {
      errors.entity.push(
        'The document has been released; its vendor, date and lines can no longer be changed.',
      );
    }
    v.Type ??= 'Bill';
    if (!BILL_TYPES.includes(String(v.Type) as (typeof BILL_TYPES)[number])) {
      errors.field(
        'Type',
        `'${String(v.Type)}' is not a valid document type (expected one of: ${BILL_TYPES.join(', ')}).`,
      );
    }
    const vendorCheck = checkVendor(ctx, v.Vendor);
    const vendor = 'vendor' in vendorCheck ? vendorCheck.vendor : undefined;
    if ('message' in vendorCheck) errors.field('Vendor', vendorCheck.message);
    else v.Vendor = vendorCheck.vendor.values.VendorID ?? v.Vendor ?? null;

    v.Date ??= ctx.today;
    v.Terms ??= vendor?.values.Terms ?? null;
    v.DueDate ??= addDays(String(v.Date), termsDays(v.Terms));
    v.PostPeriod = postPeriodOf(String(v.Date));
    const closed = released ? null : closedPeriodMessage(ctx, String(v.Date));
    if (closed) errors.field('PostPeriod', closed);
    v.BranchID ??= ctx.branch;
    v.CurrencyID ??= vendor?.values.CurrencyID ?? ctx.currency;
    v.LocationID ??= 'MAIN';
    v.Hold ??= false;
    v.ApprovedForPayment ??= false;
    if (!isBlank(v.Project) && v.Project !== NON_PROJECT && !find(ctx, 'Project', [v.Project]))
      errors.field('Project', NOT_FOUND('Project'));

    const details = linesOf(bill, 'Details');
    if (!released)
      for (const line of details)
        applyBillLine(ctx, bill, line, change.sent.lines.get('Details')?.get(line.id), errors);
    const taxes = linesOf(bill, 'TaxDetails');
    for (const tax of taxes) applyTaxLine(tax, errors);
    const taxTotal = sumMoney(taxes, 'TaxAmount');
    v.TaxTotal = taxTotal.toMoneyString();
    const amount = sumMoney(details, 'ExtendedCost').plus(taxTotal);
    v.Amount = amount.toMoneyString();
    v.Balance = amount.minus(money(v[PAID])).toMoneyString();
    v.Status = billStatus(bill);
    return [];
  },

  deletable: (_ctx, bill) =>
    bill.values[RELEASED] === true ? 'The document has been released and cannot be deleted.' : null,

  actions: {
    ReleaseBill: {
      precheck(_ctx, bill) {
        if (bill.values[RELEASED] === true) return 'The document is already released.';
        if (bill.values.Hold === true) return 'The document is on hold and cannot be released.';
        return null;
      },
      run(ctx, bill) {
        const closed = closedPeriodMessage(ctx, String(bill.values.Date));
        if (closed) throw new ActionError(closed);
        const released = cloneRecord(bill);
        released.values[RELEASED] = true;
        released.values.Status = billStatus(released);
        released.values.LastModifiedDateTime = isoFromMs(ctx.now);
        return {
          save: [{ entity: 'Bill', record: released }],
          processed: { entity: 'Bill', record: released },
        };
      },
    } satisfies ActionDefinition,
  },
  unmodelledActions: ['ReleaseRetainage', 'ReverseBill'],
};

function applyBillLine(
  ctx: RuleContext,
  bill: StoredRecord,
  line: StoredNode,
  sent: SentTree | undefined,
  errors: EntityErrors,
): void {
  const l = line.values;
  l.Branch ??= bill.values.BranchID ?? ctx.branch;
  l.Project ??= bill.values.Project ?? NON_PROJECT;
  checkCoding(
    ctx,
    line,
    {
      account: 'Account',
      subaccount: 'Subaccount',
      project: 'Project',
      task: 'ProjectTask',
      costCode: 'CostCode',
    },
    (f, m) => errors.node(line.id, f, m),
    {
      requireAccount: true,
    },
  );
  // BillDetail.Description is mapped to the account's description (Transactions.AccountID_Account_description),
  // so whatever a client sends there is replaced; free text belongs in TransactionDescription (TranDesc).
  checkOrderLink(ctx, bill, line, errors);
  const account = isBlank(l.Account) ? undefined : find(ctx, 'Account', [l.Account]);
  l.Description = account?.values.Description ?? null;
  priceLine(l, sent?.fields, {
    qty: 'Qty',
    unitCost: 'UnitCost',
    amount: 'ExtendedCost',
    alsoAmount: 'Amount',
  });
  l.Amount = l.ExtendedCost ?? '0.00';
  l.UOM ??= 'EA';
}

/** A line billed against a purchase order or subcontract line: the order must exist, be the vendor's, and have that line. */
function checkOrderLink(ctx: RuleContext, bill: StoredRecord, line: StoredNode, errors: EntityErrors): void {
  const l = line.values;
  if (isBlank(l.POOrderNbr)) return;
  l.POOrderType ??= 'Normal';
  const order = commitmentOf(ctx, l.POOrderType, l.POOrderNbr);
  if (!order) errors.node(line.id, 'POOrderNbr', NOT_FOUND('PO Number'));
  else if (order.record.values.VendorID !== bill.values.Vendor) {
    errors.node(line.id, 'POOrderNbr', `The order ${String(l.POOrderNbr)} belongs to another vendor.`);
  } else if (
    !isBlank(l.POLine) &&
    !order.record.collections?.Details?.some((d) => d.values.LineNbr === l.POLine)
  ) {
    errors.node(line.id, 'POLine', NOT_FOUND('PO Line'));
  }
}

/** BillTaxDetail: a tax id, and the tax amount (rate × taxable amount when not given). */
function applyTaxLine(tax: StoredNode, errors: EntityErrors): void {
  const t = tax.values;
  if (isBlank(t.TaxID)) errors.node(tax.id, 'TaxID', EMPTY('Tax ID'));
  if (isBlank(t.TaxAmount)) {
    t.TaxAmount =
      isBlank(t.TaxableAmount) || isBlank(t.TaxRate)
        ? '0.00'
        : money(t.TaxableAmount)
            .times(money(t.TaxRate).times(money('0.01')), 2)
            .toMoneyString();
  } else {
    t.TaxAmount = money(t.TaxAmount).roundToCents().toMoneyString();
  }
}
