import type { PaymentWriteBack } from '../../../connectors/procore';
import type { PlanResult } from './plan-bills';
import type { CheckRecord, PlannedPayment } from './model';
import type { F2Policy } from './policy';

/**
 * Payment status back to Procore, pure. A released, not voided AP payment (Check) that pays a
 * bill this flow posted marks the Procore record paid: a subcontractor invoice gets a contract
 * payment on its commitment and its payment date, a direct cost its payment date. A voided
 * check reverses what it recorded. Bills the flow did not post, and payments not yet released,
 * change nothing in Procore.
 */

/** The container of a payment: the commitment it is recorded on, or the project's direct costs. */
export function paymentContainer(payment: PaymentWriteBack): string {
  return payment.target === 'requisition' ? `${payment.projectId}/${payment.commitmentId}` : `${payment.projectId}/direct-costs`;
}

/** "Payment 000045 → Bill 000123": one Procore payment per bill a check pays (Procore's origin_id). */
export function paymentOriginId(check: Pick<CheckRecord, 'type' | 'referenceNbr'>, bill: { docType: string; referenceNbr: string }): string {
  return `${check.type} ${check.referenceNbr} → ${bill.docType} ${bill.referenceNbr}`;
}

export function checkLabel(check: Pick<CheckRecord, 'type' | 'referenceNbr' | 'vendorId'>): string {
  return `AP ${check.type.toLowerCase()} ${check.referenceNbr}${check.vendorId ? ` to vendor ${check.vendorId}` : ''}`;
}

export function planCheck(rec: CheckRecord, policy: F2Policy, previous: ReadonlyMap<string, PlannedPayment> = new Map()): PlanResult<PlannedPayment> {
  // The "Voided Payment" document reverses its original, whose record carries the void.
  if (rec.isVoidingDocument) return { ok: true, writes: [] };
  if (!rec.effective && !rec.voided) return { ok: true, writes: [] };
  const date = rec.applicationDate ?? rec.lastModified?.slice(0, 10) ?? null;
  const writes: PlannedPayment[] = [];
  for (const app of rec.applications) {
    if (!app.released || !app.posted || !date) continue;
    const originId = paymentOriginId(rec, app);
    // A check voided before its payment ever reached Procore has nothing to reverse.
    if (rec.voided && !previous.has(originId)) continue;
    const { source, billKey } = app.posted;
    const payment: PaymentWriteBack =
      source.kind === 'requisition'
        ? {
            target: 'requisition',
            paymentOriginId: originId,
            projectId: source.projectId,
            requisitionId: source.procoreId,
            requisitionNumber: source.requisitionNumber ?? 0,
            commitmentId: source.commitmentId ?? '',
            amount: app.amountPaid,
            date,
            checkNumber: rec.paymentRef ?? rec.referenceNbr,
            invoiceNumber: source.invoiceNumber,
            notes: `Acumatica ${rec.type} ${rec.referenceNbr} paying ${billKey}`,
            originData: `Paid in Acumatica by ${rec.type} ${rec.referenceNbr} (ml-connector)`,
            voided: rec.voided,
          }
        : {
            target: 'direct-cost',
            paymentOriginId: originId,
            projectId: source.projectId,
            directCostId: source.procoreId,
            paymentDate: rec.voided ? null : date,
          };
    writes.push({
      entity: 'payment',
      originId,
      sourceId: rec.sourceId,
      containerId: paymentContainer(payment),
      total: rec.voided ? '0.00' : app.amountPaid,
      currency: policy.currency,
      payment,
      billKey,
      label: `${rec.voided ? 'Voided ' : ''}${checkLabel(rec)} paying ${source.label}`,
    });
  }
  return { ok: true, writes };
}
