import { Decimal } from '../../../../src-shared/domain/money';
import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { BillPaymentsRecord, PlannedPayment } from './model';
import type { F3Policy } from './policy';
import type { PlanResult } from './plan';

/**
 * Payment status back into Procore, pure: each Intacct payment applied to a pay application's
 * bill becomes a contract payment on the commitment (origin id = the payment and the bill, so a
 * payment spread over several bills gives one per bill), and the requisition shows the latest
 * payment date and whether it is paid or partly paid. A payment this flow recorded that no
 * longer pays the bill (reversed or voided in Intacct, or gone) is taken off again, as F2 does
 * with a voided check: its contract payment is removed and the requisition's date recomputed.
 */
export const paymentOriginId = (paymentRecordNo: string, billRecordNo: string): string => `intacct-payment-${paymentRecordNo}-bill-${billRecordNo}`;

/**
 * APPYMT states in which a payment pays nothing: a reversed payment (`reverse_appayment`), its
 * reversing entry, a voided or declined one. Matched without case: the wire gives labels.
 */
const NOT_PAYING = new Set(['reversed', 'reversal', 'voided', 'declined']);
export const paysTheBill = (state: string | null): boolean => !NOT_PAYING.has((state ?? '').trim().toLowerCase());

export function planBillPayments(record: BillPaymentsRecord, policy: F3Policy, previous: ReadonlyMap<string, PlannedPayment> = new Map()): PlanResult<PlannedPayment> {
  const { bill, requisition } = record;
  const byPayment = new Map<string, { amount: Decimal; date: string | null; check: string | null; method: string | null }>();
  for (const p of record.payments) {
    if (p.billRecordNo !== bill.recordNo || !paysTheBill(p.state)) continue;
    const seen = byPayment.get(p.paymentRecordNo);
    byPayment.set(p.paymentRecordNo, {
      amount: (seen?.amount ?? Decimal.ZERO).plus(Decimal.parse(p.amount)),
      date: p.paymentDate ?? seen?.date ?? null,
      check: p.documentNumber ?? seen?.check ?? null,
      method: p.paymentMethod ?? seen?.method ?? null,
    });
  }
  const issues: ValidationIssue[] = [];
  const writes: PlannedPayment[] = [];
  const erpStatus = bill.paymentStatus === 'paid' ? policy.paidErpStatus : bill.paymentStatus === 'partially-paid' ? policy.partlyPaidErpStatus : null;
  for (const [paymentNo, p] of [...byPayment].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))) {
    const date = p.date ?? bill.paidOn;
    if (!date) {
      issues.push({ code: 'source-unreadable', message: `Intacct payment ${paymentNo} of bill ${bill.billNumber ?? bill.recordNo} has no payment date`, mappingKeys: [] });
      continue;
    }
    const originId = paymentOriginId(paymentNo, bill.recordNo);
    writes.push({
      entity: 'procore-payment',
      originId,
      sourceId: record.sourceId,
      containerId: `${requisition.projectId}/${requisition.commitmentId}`,
      total: p.amount.toMoneyString(),
      currency: policy.currency,
      payment: {
        target: 'requisition',
        paymentOriginId: originId,
        projectId: requisition.projectId,
        requisitionId: requisition.id,
        requisitionNumber: requisition.number,
        commitmentId: requisition.commitmentId,
        amount: p.amount.toMoneyString(),
        date,
        checkNumber: p.check,
        invoiceNumber: requisition.invoiceNumber,
        notes: `Paid in Sage Intacct${p.method ? ` (${p.method})` : ''}, bill ${bill.billNumber ?? bill.recordNo}`,
        originData: `Sage Intacct payment ${paymentNo}`,
        voided: false,
        erpStatus,
      },
    });
  }
  // What this flow recorded earlier and Intacct no longer shows paying the bill: take it off.
  const paying = new Set(writes.map((w) => w.originId));
  for (const [originId, earlier] of previous) {
    if (paying.has(originId) || earlier.entity !== 'procore-payment') continue;
    writes.push({ ...earlier, total: '0.00', payment: { ...earlier.payment, voided: true, erpStatus } });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, writes };
}
