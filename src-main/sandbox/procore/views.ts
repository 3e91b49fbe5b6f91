import { Decimal } from '../../../src-shared/domain/money';
import { sumMoney } from './fields';
import type {
  ChangeOrderRecord,
  CodedLineFields,
  CommitmentLineRecord,
  CommitmentRecord,
  ContractItemRecord,
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
    const payments = Decimal.ZERO; // contract payments are not simulated
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

  private itemThisPeriod(i: ContractItemRecord): Decimal {
    return Decimal.parse(i.work_completed_this_period).plus(Decimal.parse(i.materials_presently_stored));
  }

  private requisitionThisPeriod(r: RequisitionRecord): Decimal {
    return sumMoney(
      this.state.contractItems
        .inGroup('requisition', r.id)
        .flatMap((i) => [i.work_completed_this_period, i.materials_presently_stored]),
    );
  }

  private requisitionRetainage(r: RequisitionRecord): Decimal {
    const pct = Decimal.parse(r.retainage_percent);
    return Decimal.sum(
      this.state.contractItems
        .inGroup('requisition', r.id)
        .map((i) => percentOf(this.itemThisPeriod(i), pct)),
    );
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
        total_retainage: money(totalRetainage),
        total_earned_less_retainage: money(earnedLessRetainage),
        less_previous_certificates_for_payment: money(previousCertificates),
        current_payment_due: money(thisPeriod.minus(retainageThisPeriod)),
        balance_to_finish_including_retainage: money(contractSum.minus(earnedLessRetainage)),
      },
    };
  }

  contractItem(i: ContractItemRecord): Record<string, unknown> {
    const requisition = this.state.requisitions.get(i.requisition_id);
    const line = this.state.commitmentLines.get(i.line_item_id);
    const scheduled = line ? Decimal.parse(line.amount) : Decimal.ZERO;
    const previousIds = new Set(requisition ? this.previousRequisitions(requisition).map((p) => p.id) : []);
    const previous = Decimal.sum(
      this.state.contractItems
        .inGroup('line', i.line_item_id)
        .filter((o) => previousIds.has(o.requisition_id))
        .map((o) => this.itemThisPeriod(o)),
    );
    const toDate = previous.plus(this.itemThisPeriod(i));
    const retainage = requisition
      ? percentOf(this.itemThisPeriod(i), Decimal.parse(requisition.retainage_percent))
      : Decimal.ZERO;
    return {
      ...i,
      scheduled_value: money(scheduled),
      work_completed_from_previous_application: money(previous),
      materials_previously_stored: '0.00',
      total_completed_and_stored_to_date: money(toDate),
      percent_complete: percentage(toDate, scheduled),
      balance_to_finish: money(scheduled.minus(toDate)),
      work_completed_retainage_retained_this_period: money(retainage),
    };
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
