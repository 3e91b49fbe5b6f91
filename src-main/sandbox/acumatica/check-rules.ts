import { Decimal } from '../../../src-shared/domain/money';
import { PAID, RELEASED, billStatus } from './bill-rules';
import { fieldEquals } from './odata-filter';
import {
  ActionError,
  NOT_FOUND,
  checkVendor,
  cloneRecord,
  closedPeriodMessage,
  find,
  isBlank,
  linesOf,
  money,
  table,
  type EntityErrors,
  type EntityRules,
  type Related,
  type RuleContext,
} from './rule-kit';
import { derivedGuid, isoFromMs, type StoredNode, type StoredRecord } from './schema';

/**
 * AP payments (screen AP302000, OpenAPI `Check`). A payment entered through the API starts
 * Balanced (On Hold with `Hold`) and changes nothing else: its `Details` (the Adjustments view)
 * only say which bills it will pay. `ReleaseCheck` applies it: each bill's Balance drops, the
 * bill turns Open/Closed, the applications move to the payment's `History` (the APPost view) and
 * the payment is Closed (Open while part of it is unapplied). `VoidCheck` on a released payment
 * creates a "Voided Payment" document with the same number and negative amounts (Balanced);
 * releasing THAT restores the bills' balances and marks the original payment Voided (the
 * two-step void of AP302000: Void, then Release). A bill lists every payment applied to it, with
 * the payment's status, under `Applications`.
 */
const ENTERABLE_TYPES = ['Payment', 'Prepayment'];
export const VOIDED_PAYMENT = 'Voided Payment';
/** Hidden links between a payment and its voiding document. */
const VOID_OF = '_VoidOf';
const VOIDED_BY = '_VoidedBy';
/** Hidden on a bill's application row: the payment record it mirrors. */
const FROM_CHECK = '_Check';

export const checkRules: EntityRules = {
  save(ctx, check, change, errors) {
    const v = check.values;
    if (!change.isNew && (v[RELEASED] === true || v.Type === VOIDED_PAYMENT)) {
      const allowed = new Set(
        v[RELEASED] === true
          ? ['Description', 'PaymentRef']
          : ['Description', 'PaymentRef', 'Hold', 'ApplicationDate'],
      );
      if (change.sent.lines.size > 0 || [...change.sent.fields].some((f) => !allowed.has(f))) {
        errors.entity.push(
          v[RELEASED] === true
            ? 'The payment has been released; only its description and payment reference can be changed (void it to reverse it).'
            : 'A voided payment can only be released, held or described; its amounts come from the payment it voids.',
        );
      }
      if (v[RELEASED] === true) return [];
      v.Status = v.Hold === true ? 'On Hold' : 'Balanced';
      return syncApplications(ctx, [{ record: check, previous: change.previous }]);
    }
    v.Type ??= 'Payment';
    if (!ENTERABLE_TYPES.includes(String(v.Type))) {
      errors.field(
        'Type',
        `'${String(v.Type)}' cannot be entered (expected ${ENTERABLE_TYPES.join(' or ')}; a ${VOIDED_PAYMENT} is created by the VoidCheck action).`,
      );
    }
    const vendorCheck = checkVendor(ctx, v.Vendor, 'payment');
    const vendor = 'vendor' in vendorCheck ? vendorCheck.vendor : undefined;
    if ('message' in vendorCheck) errors.field('Vendor', vendorCheck.message);
    v.ApplicationDate ??= ctx.today;
    const closed = closedPeriodMessage(ctx, String(v.ApplicationDate));
    if (closed) errors.field('ApplicationDate', closed);
    v.CurrencyID ??= vendor?.values.CurrencyID ?? ctx.currency;
    v.PaymentMethod ??= vendor?.values.PaymentMethod ?? 'CHECK';
    checkCashAccount(ctx, check, errors);
    v.Hold ??= false;

    const applied = linesOf(check, 'Details').reduce(
      (total, line) => total.plus(applyDetailLine(ctx, check, line, errors)),
      Decimal.ZERO,
    );
    const paymentAmount = isBlank(v.PaymentAmount) ? applied : money(v.PaymentAmount);
    if (paymentAmount.compare(applied) < 0)
      errors.field('PaymentAmount', 'The payment amount is less than the amount applied to documents.');
    v.PaymentAmount = paymentAmount.toMoneyString();
    v.UnappliedBalance = paymentAmount.minus(applied).toMoneyString();
    v.Status = v.Hold === true ? 'On Hold' : 'Balanced';
    return syncApplications(ctx, [{ record: check, previous: change.previous }]);
  },

  deletable: (_ctx, check) =>
    check.values[RELEASED] === true
      ? 'The document has been released and cannot be deleted; void it instead.'
      : null,

  afterDelete(ctx, check) {
    const gone: StoredRecord = { ...check, collections: {} };
    const related = syncApplications(ctx, [{ record: gone, previous: check }]);
    const voided =
      typeof check.values[VOID_OF] === 'string' ? table(ctx, 'Check').get(check.values[VOID_OF]) : undefined;
    if (voided) {
      const original = cloneRecord(voided);
      delete original.values[VOIDED_BY];
      related.push({ entity: 'Check', record: original });
    }
    return related;
  },

  actions: {
    ReleaseCheck: {
      precheck(_ctx, check) {
        if (check.values[RELEASED] === true) return 'The document is already released.';
        if (check.values.Hold === true) return 'The document is on hold and cannot be released.';
        return null;
      },
      run: releaseCheck,
    },
    VoidCheck: {
      precheck(ctx, check) {
        if (!ENTERABLE_TYPES.includes(String(check.values.Type)))
          return `A ${String(check.values.Type)} cannot be voided.`;
        if (check.values[RELEASED] !== true)
          return 'The document is not released; delete it instead of voiding it.';
        if (check.values.Status === 'Voided') return 'The document has already been voided.';
        const pending =
          typeof check.values[VOIDED_BY] === 'string'
            ? table(ctx, 'Check').get(check.values[VOIDED_BY])
            : undefined;
        if (pending)
          return `A ${VOIDED_PAYMENT} ${String(pending.values.ReferenceNbr)} for this document already exists; release it.`;
        return null;
      },
      run: voidCheck,
    },
  },
};

/** The cash account a payment is drawn on: given (must be a cash account) or the tenant's first one. */
function checkCashAccount(ctx: RuleContext, check: StoredRecord, errors: EntityErrors): void {
  const v = check.values;
  if (isBlank(v.CashAccount)) {
    const first = table(ctx, 'Account')
      .collection.all()
      .find((a) => a.values.CashAccount === true && a.values.Active !== false);
    v.CashAccount = first?.values.AccountCD ?? null;
    return;
  }
  const account = find(ctx, 'Account', [v.CashAccount]);
  if (!account || account.values.CashAccount !== true) errors.field('CashAccount', NOT_FOUND('Cash Account'));
}

/** One bill a payment will pay: released, same vendor, amount within what other unreleased payments leave. */
function applyDetailLine(
  ctx: RuleContext,
  check: StoredRecord,
  line: StoredNode,
  errors: EntityErrors,
): Decimal {
  const l = line.values;
  l.DocType ??= 'Bill';
  const bill = find(ctx, 'Bill', [l.DocType, l.ReferenceNbr ?? null]);
  if (!bill || bill.values.Vendor !== check.values.Vendor) {
    errors.node(line.id, 'ReferenceNbr', NOT_FOUND('Reference Nbr.'));
    return Decimal.ZERO;
  }
  if (bill.values[RELEASED] !== true) {
    errors.node(line.id, 'ReferenceNbr', 'The document is not released and cannot be paid.');
    return Decimal.ZERO;
  }
  const available = money(bill.values.Balance).minus(pendingOnOtherPayments(ctx, check, bill));
  const amount = (isBlank(l.AmountPaid) ? available : money(l.AmountPaid)).roundToCents();
  if (amount.compare(Decimal.ZERO) <= 0 || amount.compare(available) > 0) {
    errors.node(
      line.id,
      'AmountPaid',
      `The amount paid cannot exceed the document balance (${available.toMoneyString()}).`,
    );
    return Decimal.ZERO;
  }
  l.AmountPaid = amount.toMoneyString();
  l.Balance = available.minus(amount).toMoneyString();
  l.CashDiscountBalance = '0.00';
  return amount;
}

/** What unreleased payments other than `check` already apply to the bill. */
function pendingOnOtherPayments(ctx: RuleContext, check: StoredRecord, bill: StoredRecord): Decimal {
  let total = Decimal.ZERO;
  for (const other of table(ctx, 'Check').query(fieldEquals('Vendor', String(check.values.Vendor)))) {
    if (other.id === check.id || other.values[RELEASED] === true || other.values.Type === VOIDED_PAYMENT)
      continue;
    for (const line of other.collections?.Details ?? []) {
      if (line.values.DocType === bill.values.Type && line.values.ReferenceNbr === bill.values.ReferenceNbr)
        total = total.plus(money(line.values.AmountPaid));
    }
  }
  return total;
}

function releaseCheck(ctx: RuleContext, check: StoredRecord): { save: Related[]; processed: Related } {
  const closed = closedPeriodMessage(ctx, String(check.values.ApplicationDate));
  if (closed) throw new ActionError(closed);
  const bills = new BillBook(ctx);
  const released = cloneRecord(check);
  const history: StoredNode[] = [];
  for (const line of released.collections?.Details ?? []) {
    const { DocType, ReferenceNbr } = line.values;
    const bill = bills.get(DocType ?? 'Bill', ReferenceNbr ?? null);
    if (!bill)
      throw new ActionError(
        `The document ${String(DocType)} ${String(ReferenceNbr)} cannot be found in the system.`,
      );
    const amount = money(line.values.AmountPaid);
    const balance = money(bill.values.Balance);
    const after = balance.minus(amount);
    if (after.isNegative())
      throw new ActionError(
        `The amount paid (${amount.toMoneyString()}) exceeds the balance (${balance.toMoneyString()}) of ${String(DocType)} ${String(ReferenceNbr)}.`,
      );
    bill.values[PAID] = money(bill.values[PAID]).plus(amount).toMoneyString();
    bill.values.Balance = after.toMoneyString();
    bill.values.Status = billStatus(bill);
    bill.values.LastModifiedDateTime = isoFromMs(ctx.now);
    history.push({
      id: line.id,
      values: {
        DocType: DocType ?? 'Bill',
        ReferenceNbr: ReferenceNbr ?? null,
        AmountPaid: amount.toMoneyString(),
        Balance: after.toMoneyString(),
        CashDiscountBalance: '0.00',
        CashDiscountTaken: '0.00',
        VendorRef: bill.values.VendorRef ?? null,
      },
    });
  }
  const collections = (released.collections ??= {});
  collections.Details = [];
  collections.History = [...(collections.History ?? []), ...history];
  released.values[RELEASED] = true;
  released.values.LastModifiedDateTime = isoFromMs(ctx.now);
  const save: Related[] = [{ entity: 'Check', record: released }];
  const changes = [{ record: released, previous: check }];
  const voidOf = released.values[VOID_OF];
  if (typeof voidOf === 'string') {
    released.values.Status = 'Closed';
    const stored = table(ctx, 'Check').get(voidOf);
    if (stored) {
      const original = cloneRecord(stored);
      original.values.Status = 'Voided';
      original.values.LastModifiedDateTime = isoFromMs(ctx.now);
      save.push({ entity: 'Check', record: original });
      changes.push({ record: original, previous: stored });
    }
  } else {
    released.values.Status = money(released.values.UnappliedBalance).isZero() ? 'Closed' : 'Open';
  }
  save.push(...syncApplications(ctx, changes, bills));
  return { save, processed: { entity: 'Check', record: released } };
}

function voidCheck(ctx: RuleContext, check: StoredRecord): { save: Related[]; processed: Related } {
  const bills = new BillBook(ctx);
  const lines: StoredNode[] = (check.collections?.History ?? []).map((applied) => {
    const bill = bills.get(applied.values.DocType ?? 'Bill', applied.values.ReferenceNbr ?? null);
    const amount = money(applied.values.AmountPaid);
    return {
      id: ctx.newGuid(),
      values: {
        DocType: applied.values.DocType ?? 'Bill',
        ReferenceNbr: applied.values.ReferenceNbr ?? null,
        AmountPaid: amount.negate().toMoneyString(),
        Balance: money(bill?.values.Balance).plus(amount).toMoneyString(),
        CashDiscountBalance: '0.00',
      },
    };
  });
  const v = check.values;
  const voiding: StoredRecord = {
    id: ctx.newGuid(),
    values: {
      Type: VOIDED_PAYMENT,
      ReferenceNbr: v.ReferenceNbr ?? null,
      Vendor: v.Vendor ?? null,
      ApplicationDate: ctx.today,
      CashAccount: v.CashAccount ?? null,
      PaymentMethod: v.PaymentMethod ?? null,
      PaymentRef: v.PaymentRef ?? null,
      CurrencyID: v.CurrencyID ?? null,
      Description: v.Description ?? null,
      Hold: false,
      Status: 'Balanced',
      PaymentAmount: money(v.PaymentAmount).negate().toMoneyString(),
      UnappliedBalance: money(v.UnappliedBalance).negate().toMoneyString(),
      LastModifiedDateTime: isoFromMs(ctx.now),
      [VOID_OF]: check.id,
    },
    collections: { Details: lines, History: [] },
  };
  const original = cloneRecord(check);
  original.values[VOIDED_BY] = voiding.id;
  const save: Related[] = [
    { entity: 'Check', record: voiding },
    { entity: 'Check', record: original },
    ...syncApplications(ctx, [{ record: voiding, previous: undefined }], bills),
  ];
  return { save, processed: { entity: 'Check', record: voiding } };
}

/** Working copies of the bills an operation changes (read once, saved together). */
class BillBook {
  private readonly copies = new Map<string, StoredRecord>();

  constructor(private readonly ctx: RuleContext) {}

  get(docType: unknown, refNbr: unknown): StoredRecord | undefined {
    const key = `${String(docType)}\u0000${String(refNbr)}`;
    const copy = this.copies.get(key);
    if (copy) return copy;
    const stored = find(this.ctx, 'Bill', [docType as string, refNbr as string]);
    if (!stored) return undefined;
    const fresh = cloneRecord(stored);
    this.copies.set(key, fresh);
    return fresh;
  }

  changed(): Related[] {
    return [...this.copies.values()].map((record) => ({ entity: 'Bill', record }));
  }
}

/**
 * Rewrites, on every bill a payment touches (before or after the change), the application rows
 * that mirror that payment: one per Details/History line, with the payment's type, number and
 * status. Returns the bills to save.
 */
function syncApplications(
  ctx: RuleContext,
  changes: { record: StoredRecord; previous: StoredRecord | undefined }[],
  bills = new BillBook(ctx),
): Related[] {
  const touched = new Set<string>();
  const refsOf = (check: StoredRecord | undefined): StoredNode[] => [
    ...(check?.collections?.Details ?? []),
    ...(check?.collections?.History ?? []),
  ];
  for (const { record, previous } of changes) {
    for (const line of [...refsOf(previous), ...refsOf(record)])
      touched.add(`${String(line.values.DocType ?? 'Bill')}\u0000${String(line.values.ReferenceNbr)}`);
  }
  for (const key of touched) {
    const [docType, refNbr] = key.split('\u0000');
    const bill = bills.get(docType, refNbr);
    if (!bill) continue;
    let rows = linesOf(bill, 'Applications');
    for (const { record } of changes) {
      const mirrored: StoredNode[] = refsOf(record)
        .filter(
          (line) =>
            String(line.values.DocType ?? 'Bill') === docType && String(line.values.ReferenceNbr) === refNbr,
        )
        .map((line) => ({
          id: derivedGuid(`${record.id}/${line.id}`),
          values: {
            [FROM_CHECK]: record.id,
            DocType: record.values.Type ?? null,
            ReferenceNbr: record.values.ReferenceNbr ?? null,
            AmountPaid: line.values.AmountPaid ?? null,
            Balance: null,
            Status: record.values.Status ?? null,
          },
        }));
      // A payment's rows keep their place in the list when they change (first application first).
      const at = rows.findIndex((row) => row.values[FROM_CHECK] === record.id);
      rows = rows.filter((row) => row.values[FROM_CHECK] !== record.id);
      rows.splice(at < 0 ? rows.length : at, 0, ...mirrored);
    }
    for (const row of rows) row.values.Balance = bill.values.Balance ?? null;
    (bill.collections ??= {}).Applications = rows;
  }
  return bills.changed();
}
