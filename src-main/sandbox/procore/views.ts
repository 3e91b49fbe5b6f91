import { Decimal } from '../../../src-shared/domain/money';
import { sumMoney } from './fields';
import type {
  ChangeOrderItemRecord,
  ChangeOrderRecord,
  CodedLineFields,
  CommitmentLineRecord,
  CommitmentRecord,
  ContractItemRecord,
  ContractPaymentRecord,
  CostCodeRecord,
  DirectCostLineRecord,
  DirectCostRecord,
  ProjectRecord,
  RequisitionRecord,
  VendorRecord,
} from './records';
import type { ProcoreState } from './state';

/** Divides by a positive bigint, rounding half away from zero. */
function divideRounded(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  const twiceRemainder = 2n * (value % divisor < 0n ? -(value % divisor) : value % divisor);
  if (twiceRemainder >= divisor) return value < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

/** `percent` % of `amount`, rounded half up to the cent (retainage). */
export function percentOf(amount: Decimal, percent: Decimal): Decimal {
  // units are 10^-6: the product has 12 decimals; /100 for percent; keep 2 decimals.
  return Decimal.fromCents(divideRounded(amount.units * percent.units, 100n * 10n ** 10n));
}

/** part / whole as a percentage with two decimals ("0.00" when whole is zero). */
export function percentage(part: Decimal, whole: Decimal): string {
  if (whole.isZero()) return '0.00';
  return Decimal.fromCents(divideRounded(part.units * 10_000n, whole.units)).toMoneyString();
}

const money = (d: Decimal): string => d.toMoneyString();
const COMMITMENT_TYPE = {
  purchase_order_contract: 'PurchaseOrderContract',
  work_order_contract: 'WorkOrderContract',
} as const;
const WORK_ORDER_ONLY = [
  'inclusions',
  'exclusions',
  'contract_start_date',
  'contract_estimated_completion_date',
  'actual_completion_date',
  'signed_contract_received_date',
] as const;

export interface CommitmentTotals {
  grandTotal: Decimal;
  approvedChangeOrders: Decimal;
  revisedContract: Decimal;
}

/** Show-shaped records (what GET /{id} returns), with every computed field derived on the spot. */
export class Views {
  constructor(
    private readonly state: ProcoreState,
    private readonly company: { id: number; name: string },
  ) {}

  project(p: ProjectRecord): Record<string, unknown> {
    return { ...p, company: this.company };
  }

  vendor(v: VendorRecord): Record<string, unknown> {
    return { ...v, parent: null, vendor_group: null };
  }

  private vendorRef(id: number | null): { id: number; name: string } | null {
    const v = id === null ? undefined : this.state.vendors.get(id);
    return v ? { id: v.id, name: v.name } : null;
  }

  costCode(c: CostCodeRecord): Record<string, unknown> {
    const { parent_id: _parent, ...rest } = c;
    return {
      ...rest,
      parent: null,
      line_item_types: this.state.lineItemTypes
        .all()
        .map((t) => ({ id: t.id, name: t.name, code: t.code, base_type: t.base_type })),
    };
  }

  private codedLine(l: CodedLineFields): Record<string, unknown> {
    const cc = this.state.costCodes.get(l.cost_code_id);
    const lit = this.state.lineItemTypes.get(l.line_item_type_id);
    return {
      total_amount: l.amount,
      extended_amount: l.amount,
      cost_code: cc ? { id: cc.id, code: cc.code, full_code: cc.full_code, name: cc.name } : null,
      line_item_type: lit ? { id: lit.id, name: lit.name, code: lit.code, base_type: lit.base_type } : null,
      // WBS codes are not simulated as records: the budget code is derived (no id of its own).
      wbs_code:
        cc && lit
          ? { id: null, flat_code: `${cc.full_code}.${lit.code}`, description: `${cc.name}.${lit.name}` }
          : null,
    };
  }

  commitmentLine(l: CommitmentLineRecord): Record<string, unknown> {
    return { ...l, ...this.codedLine(l) };
  }

  commitmentTotals(c: CommitmentRecord): CommitmentTotals {
    const grandTotal = sumMoney(this.state.commitmentLines.inGroup('contract', c.id).map((l) => l.amount));
    let approvedChangeOrders = Decimal.ZERO;
    for (const co of this.state.changeOrders.inGroup('contract', c.id))
      if (co.status === 'approved')
        approvedChangeOrders = approvedChangeOrders.plus(this.changeOrderTotal(co));
    return { grandTotal, approvedChangeOrders, revisedContract: grandTotal.plus(approvedChangeOrders) };
  }

  commitment(c: CommitmentRecord): Record<string, unknown> {
    const { kind, project_id, vendor_id, ...rest } = c;
    const out: Record<string, unknown> = { ...rest };
    if (kind === 'purchase_order_contract') for (const key of WORK_ORDER_ONLY) delete out[key];
    const { grandTotal, approvedChangeOrders, revisedContract } = this.commitmentTotals(c);
    let pending = Decimal.ZERO;
    let draft = Decimal.ZERO;
    for (const co of this.state.changeOrders.inGroup('contract', c.id)) {
      if (co.status.startsWith('pending')) pending = pending.plus(this.changeOrderTotal(co));
      else if (co.status === 'draft') draft = draft.plus(this.changeOrderTotal(co));
    }
    let requisitioned = Decimal.ZERO;
    for (const r of this.state.requisitions.inGroup('commitment', c.id))
      requisitioned = requisitioned.plus(this.requisitionThisPeriod(r));
    const payments = sumMoney(this.state.contractPayments.inGroup('contract', c.id).map((p) => p.amount));
    const project = this.state.projects.get(project_id);
    return {
      ...out,
      project: project ? { id: project.id, name: project.name } : null,
      vendor: this.vendorRef(vendor_id),
      grand_total: money(grandTotal),
      revised_contract: money(revisedContract),
      approved_change_orders: money(approvedChangeOrders),
      pending_change_orders: money(pending),
      draft_change_orders_amount: money(draft),
      total_payments: money(payments),
      total_requisitions_amount: money(requisitioned),
      remaining_balance_outstanding: money(revisedContract.minus(payments)),
      percentage_paid: percentage(payments, revisedContract),
    };
  }

  changeOrderTotal(co: ChangeOrderRecord): Decimal {
    return sumMoney(co.line_items.map((l) => l.amount));
  }

  changeOrder(co: ChangeOrderRecord): Record<string, unknown> {
    return { ...co, grand_total: money(this.changeOrderTotal(co)), paid: co.paid_date !== null };
  }

  private itemThisPeriod(i: ContractItemRecord | ChangeOrderItemRecord): Decimal {
    return Decimal.parse(i.work_completed_this_period).plus(Decimal.parse(i.materials_presently_stored));
  }

  /** Every G703 item of an invoice: contract items, then change-order items. */
  private itemsOf(r: RequisitionRecord): (ContractItemRecord | ChangeOrderItemRecord)[] {
    return [
      ...this.state.contractItems.inGroup('requisition', r.id),
      ...this.state.changeOrderItems.inGroup('requisition', r.id),
    ];
  }

  private requisitionThisPeriod(r: RequisitionRecord): Decimal {
    return Decimal.sum(this.itemsOf(r).map((i) => this.itemThisPeriod(i)));
  }

  /** This period's change-order items of an invoice: the additive and the deductive ones apart. */
  private changeOrderItemsThisPeriod(r: RequisitionRecord): { positive: Decimal; negative: Decimal } {
    const amounts = this.state.changeOrderItems.inGroup('requisition', r.id).map((i) => this.itemThisPeriod(i));
    return {
      positive: Decimal.sum(amounts.filter((d) => !d.isNegative())),
      negative: Decimal.sum(amounts.filter((d) => d.isNegative())),
    };
  }

  private requisitionRetainage(r: RequisitionRecord): Decimal {
    const pct = Decimal.parse(r.retainage_percent);
    return Decimal.sum(this.itemsOf(r).map((i) => percentOf(this.itemThisPeriod(i), pct)));
  }

  /** Earlier invoices (lower number) against the same commitment. */
  private previousRequisitions(r: RequisitionRecord): RequisitionRecord[] {
    return this.state.requisitions.inGroup('commitment', r.commitment_id).filter((o) => o.number < r.number);
  }

  requisition(r: RequisitionRecord): Record<string, unknown> {
    const commitment = this.state.commitment(r.commitment_id);
    const totals = commitment ? this.commitmentTotals(commitment) : null;
    const contractSum = totals?.revisedContract ?? Decimal.ZERO;
    const previous = this.previousRequisitions(r);
    const thisPeriod = this.requisitionThisPeriod(r);
    const previousCompleted = Decimal.sum(previous.map((p) => this.requisitionThisPeriod(p)));
    const previousRetainage = Decimal.sum(previous.map((p) => this.requisitionRetainage(p)));
    const retainageThisPeriod = this.requisitionRetainage(r);
    const completedToDate = previousCompleted.plus(thisPeriod);
    const totalRetainage = previousRetainage.plus(retainageThisPeriod);
    const earnedLessRetainage = completedToDate.minus(totalRetainage);
    const previousCertificates = previousCompleted.minus(previousRetainage);
    const vendor = commitment ? this.vendorRef(commitment.vendor_id) : null;
    const changeOrderItems = this.changeOrderItemsThisPeriod(r);
    const previousItems = previous.map((p) => this.changeOrderItemsThisPeriod(p));
    const previousPositive = Decimal.sum(previousItems.map((p) => p.positive));
    const previousNegative = Decimal.sum(previousItems.map((p) => p.negative));
    return {
      ...r,
      commitment_type: commitment ? COMMITMENT_TYPE[commitment.kind] : null,
      contract_name: commitment?.title ?? null,
      vendor_name: vendor?.name ?? null,
      percent_complete: percentage(completedToDate, contractSum),
      total_claimed_amount: money(thisPeriod),
      summary: {
        original_contract_sum: money(totals?.grandTotal ?? Decimal.ZERO),
        net_change_by_change_orders: money(totals?.approvedChangeOrders ?? Decimal.ZERO),
        contract_sum_to_date: money(contractSum),
        total_completed_and_stored_to_date: money(completedToDate),
        completed_work_retainage_percent: Decimal.parse(r.retainage_percent).toMoneyString(),
        completed_work_retainage_amount: money(totalRetainage),
        stored_materials_retainage_percent: '0.00',
        stored_materials_retainage_amount: '0.00',
        total_retainage: money(totalRetainage),
        total_earned_less_retainage: money(earnedLessRetainage),
        less_previous_certificates_for_payment: money(previousCertificates),
        current_payment_due: money(thisPeriod.minus(retainageThisPeriod)),
        balance_to_finish_including_retainage: money(contractSum.minus(earnedLessRetainage)),
        positive_new_change_order_item_total: money(changeOrderItems.positive),
        negative_new_change_order_item_total: money(changeOrderItems.negative),
        positive_previous_change_order_item_total: money(previousPositive),
        negative_previous_change_order_item_total: money(previousNegative),
        positive_change_order_item_total: money(changeOrderItems.positive.plus(previousPositive)),
        negative_change_order_item_total: money(changeOrderItems.negative.plus(previousNegative)),
        formatted_period:
          r.requisition_start && r.requisition_end ? `${r.requisition_start} - ${r.requisition_end}` : null,
      },
    };
  }

  /**
   * The G703 columns every item shows (SDK RequisitionContractItem / ChangeOrderItem): amounts
   * this period, from previous applications, to date, and the retainage held this period.
   */
  private g703(
    item: ContractItemRecord | ChangeOrderItemRecord,
    scheduled: Decimal,
    previousItems: (ContractItemRecord | ChangeOrderItemRecord)[],
  ): Record<string, unknown> {
    const requisition = this.state.requisitions.get(item.requisition_id);
    const pct = requisition ? Decimal.parse(requisition.retainage_percent) : Decimal.ZERO;
    const previous = Decimal.sum(previousItems.map((o) => this.itemThisPeriod(o)));
    const previousRetainage = Decimal.sum(previousItems.map((o) => percentOf(this.itemThisPeriod(o), pct)));
    const toDate = previous.plus(this.itemThisPeriod(item));
    return {
      scheduled_value: money(scheduled),
      work_completed_from_previous_application: money(previous),
      materials_previously_stored: '0.00',
      total_completed_and_stored_to_date: money(toDate),
      percent_complete: percentage(toDate, scheduled),
      total_completed_and_stored_to_date_percent: percentage(toDate, scheduled),
      balance_to_finish: money(scheduled.minus(toDate)),
      work_completed_retainage_from_previous_application: money(previousRetainage),
      work_completed_retainage_retained_this_period: money(percentOf(this.itemThisPeriod(item), pct)),
      work_completed_retainage_percent_this_period: pct.toMoneyString(),
      work_completed_retainage_released_this_period: '0.00',
      materials_stored_retainage_currently_retained: '0.00',
      materials_stored_retainage_percent_this_period: '0.00',
      materials_stored_retainage_released_this_period: '0.00',
    };
  }

  /** The `candidates` (items of the same SOV / change order line) billed on earlier invoices of the commitment. */
  private previousItems<I extends ContractItemRecord | ChangeOrderItemRecord>(
    item: I,
    candidates: I[],
  ): I[] {
    const requisition = this.state.requisitions.get(item.requisition_id);
    const previousIds = new Set(requisition ? this.previousRequisitions(requisition).map((p) => p.id) : []);
    return candidates.filter((o) => previousIds.has(o.requisition_id));
  }

  contractItem(i: ContractItemRecord): Record<string, unknown> {
    const line = this.state.commitmentLines.get(i.line_item_id);
    const scheduled = line ? Decimal.parse(line.amount) : Decimal.ZERO;
    const previous = this.previousItems(i, this.state.contractItems.inGroup('line', i.line_item_id));
    return {
      ...i,
      item_type: 'contract_item',
      position: line?.position ?? null,
      ...this.g703(i, scheduled, previous),
    };
  }

  /** A change-order item: its scheduled value is the change order line's amount. */
  changeOrderItem(i: ChangeOrderItemRecord): Record<string, unknown> {
    const { change_order_id: changeOrderId, change_order_line_id: changeOrderLineId, ...rest } = i;
    const co = this.state.changeOrders.get(changeOrderId);
    const line = co?.line_items.find((l) => l.id === changeOrderLineId);
    const scheduled = line ? Decimal.parse(line.amount) : Decimal.ZERO;
    const previous = this.previousItems(i, this.state.changeOrderItems.inGroup('changeOrderLine', changeOrderLineId));
    return {
      ...rest,
      item_type: 'change_order_item',
      line_item_id: changeOrderLineId,
      change_order_package_id: changeOrderId,
      ...this.g703(i, scheduled, previous),
    };
  }

  contractPayment(p: ContractPaymentRecord): Record<string, unknown> {
    // `status` is for Procore Pay payments; one recorded from an ERP has none (unconfirmed).
    return { ...p, status: null };
  }

  directCostLine(l: DirectCostLineRecord): Record<string, unknown> {
    return { ...l, ...this.codedLine(l) };
  }

  directCost(d: DirectCostRecord): Record<string, unknown> {
    const lines = this.state.directCostLines.inGroup('directCost', d.id);
    const total = money(sumMoney(lines.map((l) => l.amount)));
    const vendor = this.vendorRef(d.vendor_id);
    return {
      ...d,
      amount: total,
      grand_total: total,
      vendor,
      vendor_name: vendor?.name ?? null,
      line_items: lines.map((l) => this.directCostLine(l)),
    };
  }
}
