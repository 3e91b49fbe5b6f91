import {
  ActionError,
  EMPTY,
  EntityErrors,
  NON_PROJECT,
  NOT_FOUND,
  checkCoding,
  checkVendor,
  cloneRecord,
  emptySent,
  find,
  isBlank,
  linesOf,
  money,
  numberLines,
  priceLine,
  statusAction,
  sumMoney,
  type Change,
  type EntityRules,
  type Related,
  type RuleContext,
} from './rule-kit';
import { isoFromMs, type StoredNode, type StoredRecord } from './schema';

/**
 * Commitments as Acumatica holds them: purchase orders (PO301000, OpenAPI `PurchaseOrder`),
 * subcontracts (`Subcontract`), project change orders (`ChangeOrder`, whose `Commitments` lines
 * change a PO or subcontract when the change order is released) and external commitments
 * (`ExternalCommitment`, commitments tracked outside Acumatica). Totals are exact sums of the
 * lines; a commitment that is Completed, Closed or Canceled can no longer change.
 */
const PO_TYPES = ['Normal', 'Drop-Ship', 'Blanket', 'Standard', 'Project Drop-Ship'];
/** The order type label of a subcontract (POOrderType.RegularSubcontract), as change order lines name it. */
export const SUBCONTRACT_TYPE = 'Subcontract';
const FINAL_STATUSES = ['Completed', 'Closed', 'Canceled'];

/** What differs between a purchase order and a subcontract. */
interface OrderKind {
  entity: 'PurchaseOrder' | 'Subcontract';
  number: 'OrderNbr' | 'SubcontractNbr';
  lineTask: 'ProjectTask' | 'Task';
  total: 'OrderTotal' | 'SubcontractTotal';
}
const PURCHASE_ORDER: OrderKind = {
  entity: 'PurchaseOrder',
  number: 'OrderNbr',
  lineTask: 'ProjectTask',
  total: 'OrderTotal',
};
const SUBCONTRACT: OrderKind = {
  entity: 'Subcontract',
  number: 'SubcontractNbr',
  lineTask: 'Task',
  total: 'SubcontractTotal',
};

function orderSave(kind: OrderKind) {
  return (ctx: RuleContext, order: StoredRecord, change: Change, errors: EntityErrors): Related[] => {
    const v = order.values;
    const previousStatus = change.previous?.values.Status;
    if (
      !change.isNew &&
      FINAL_STATUSES.includes(String(previousStatus)) &&
      (change.sent.lines.size > 0 || change.sent.fields.size > 0)
    ) {
      errors.entity.push(
        `The ${kind.entity === 'Subcontract' ? 'subcontract' : 'purchase order'} is ${String(previousStatus)} and can no longer be changed.`,
      );
    }
    if (kind.entity === 'PurchaseOrder') {
      v.Type ??= 'Normal';
      if (!PO_TYPES.includes(String(v.Type)))
        errors.field(
          'Type',
          `'${String(v.Type)}' is not a valid order type (expected one of: ${PO_TYPES.join(', ')}).`,
        );
    }
    const vendorCheck = checkVendor(ctx, v.VendorID);
    const vendor = 'vendor' in vendorCheck ? vendorCheck.vendor : undefined;
    if ('message' in vendorCheck) errors.field('VendorID', vendorCheck.message);
    v.Date ??= ctx.today;
    v.CurrencyID ??= vendor?.values.CurrencyID ?? ctx.currency;
    v.Branch ??= ctx.branch;
    v.Terms ??= vendor?.values.Terms ?? null;
    v.Location ??= 'MAIN';
    v.Hold ??= false;
    if (
      kind.entity === 'PurchaseOrder' &&
      !isBlank(v.Project) &&
      v.Project !== NON_PROJECT &&
      !find(ctx, 'Project', [v.Project])
    ) {
      errors.field('Project', NOT_FOUND('Project'));
    }
    const lines = linesOf(order, 'Details');
    numberLines(lines);
    const sentLines = change.sent.lines.get('Details');
    for (const line of lines) orderLine(ctx, kind, order, line, sentLines?.get(line.id)?.fields, errors);
    const live = lines.filter((l) => l.values.Cancelled !== true && l.values.Canceled !== true);
    const taxes = linesOf(order, 'TaxDetails');
    for (const tax of taxes) {
      if (isBlank(tax.values.TaxID)) errors.node(tax.id, 'TaxID', EMPTY('Tax ID'));
      tax.values.TaxAmount = money(tax.values.TaxAmount).roundToCents().toMoneyString();
    }
    const taxTotal = sumMoney(taxes, 'TaxAmount');
    const lineTotal =
      kind.entity === 'Subcontract' ? sumMoney(live, 'Amount') : sumMoney(live, 'ExtendedCost');
    v.LineTotal = lineTotal.toMoneyString();
    v.TaxTotal = taxTotal.toMoneyString();
    v[kind.total] = lineTotal.plus(taxTotal).toMoneyString();
    if (kind.entity === 'Subcontract') {
      v.DiscountTotal = sumMoney(live, 'DiscountAmount').toMoneyString();
      v.RetainageTotal = sumMoney(live, 'RetainageAmount').toMoneyString();
    }
    if (!change.sent.fields.has('ControlTotal')) v.ControlTotal = v[kind.total] ?? null;
    if (!FINAL_STATUSES.includes(String(v.Status)) || change.isNew)
      v.Status = v.Hold === true ? 'On Hold' : 'Open';
    return [];
  };
}

function orderLine(
  ctx: RuleContext,
  kind: OrderKind,
  order: StoredRecord,
  line: StoredNode,
  sent: Set<string> | undefined,
  errors: EntityErrors,
): void {
  const l = line.values;
  const v = order.values;
  l.OrderNbr = v[kind.number] ?? null;
  l.OrderType = kind.entity === 'Subcontract' ? SUBCONTRACT_TYPE : (v.Type ?? 'Normal');
  l.BranchID ??= v.Branch ?? ctx.branch;
  l.Project ??= (kind.entity === 'PurchaseOrder' ? v.Project : null) ?? NON_PROJECT;
  l.UOM ??= 'EA';
  checkCoding(
    ctx,
    line,
    {
      account: 'Account',
      subaccount: 'Subaccount',
      project: 'Project',
      task: kind.lineTask,
      costCode: 'CostCode',
    },
    (f, m) => errors.node(line.id, f, m),
  );
  const extended = priceLine(l, sent, { qty: 'OrderQty', unitCost: 'UnitCost', amount: 'ExtendedCost' });
  if (kind.entity === 'PurchaseOrder') {
    l.LineType ??= 'Non-Stock';
    l.ReceivedAmount ??= '0.00';
    l.QtyOnReceipts ??= '0';
    l.Completed ??= false;
    l.Cancelled ??= false;
    return;
  }
  l.DiscountAmount = money(l.DiscountAmount).roundToCents().toMoneyString();
  const amount = extended.minus(money(l.DiscountAmount));
  l.Amount = amount.toMoneyString();
  if (v.ApplyRetainage === true) {
    l.RetainagePct ??= v.RetainagePct ?? '0';
    l.RetainageAmount = amount.times(money(l.RetainagePct).times(money('0.01')), 2).toMoneyString();
  } else {
    l.RetainagePct = '0';
    l.RetainageAmount = '0.00';
  }
  l.Completed ??= false;
  l.Canceled ??= false;
  l.Closed ??= false;
}

const finalOrOpen = (label: string) => (_ctx: RuleContext, order: StoredRecord) =>
  FINAL_STATUSES.includes(String(order.values.Status))
    ? `The ${label} is ${String(order.values.Status)} and cannot be deleted.`
    : null;

export const purchaseOrderRules: EntityRules = {
  save: orderSave(PURCHASE_ORDER),
  deletable: finalOrOpen('purchase order'),
};

export const subcontractRules: EntityRules = {
  save(ctx, order, change, errors) {
    order.values.ApplyRetainage ??= false;
    order.values.RetainagePct ??= '0';
    return orderSave(SUBCONTRACT)(ctx, order, change, errors);
  },
  deletable: finalOrOpen('subcontract'),
  actions: {
    PutOnHold: statusAction('Subcontract', ['Open', 'Pending Approval'], { Status: 'On Hold', Hold: true }),
    ReleaseFromHold: statusAction('Subcontract', ['On Hold'], { Status: 'Open', Hold: false }),
  },
};

/** The PO or subcontract a change order or bill line points at (POType "Subcontract" = a subcontract). */
export function commitmentOf(ctx: RuleContext, poType: unknown, poNbr: unknown): Related | undefined {
  if (poType === SUBCONTRACT_TYPE) {
    const record = find(ctx, 'Subcontract', [poNbr as string]);
    return record && { entity: 'Subcontract', record };
  }
  const record = find(ctx, 'PurchaseOrder', [poType as string, poNbr as string]);
  return record && { entity: 'PurchaseOrder', record };
}

export const changeOrderRules: EntityRules = {
  save(ctx, co, change, errors) {
    const v = co.values;
    if (!change.isNew && change.previous?.values.Status === 'Closed') {
      errors.entity.push('The change order has been released and can no longer be changed.');
      return [];
    }
    if (isBlank(v.ProjectID)) errors.field('ProjectID', EMPTY('Project'));
    else if (!find(ctx, 'Project', [v.ProjectID])) errors.field('ProjectID', NOT_FOUND('Project'));
    v.ChangeDate ??= ctx.today;
    v.Hold ??= true;
    v.Status = v.Hold === true ? 'On Hold' : 'Open';
    const lines = linesOf(co, 'Commitments');
    for (const line of lines) {
      const l = line.values;
      const report = (field: string, message: string): void => errors.node(line.id, field, message);
      l.POType ??= 'Normal';
      if (isBlank(l.PONbr)) report('PONbr', EMPTY('PO Nbr.'));
      else {
        const target = commitmentOf(ctx, l.POType, l.PONbr);
        if (!target) report('PONbr', NOT_FOUND('PO Nbr.'));
        else {
          l.Vendor = target.record.values.VendorID ?? null;
          if (FINAL_STATUSES.includes(String(target.record.values.Status)))
            report('PONbr', `The commitment ${String(l.PONbr)} is ${String(target.record.values.Status)}.`);
          if (
            !isBlank(l.POLineNbr) &&
            !target.record.collections?.Details?.some((d) => d.values.LineNbr === l.POLineNbr)
          )
            report('POLineNbr', NOT_FOUND('PO Line Nbr.'));
        }
      }
      checkCoding(ctx, line, { account: 'Account', task: 'ProjectTaskID', costCode: 'CostCode' }, report, {
        project: v.ProjectID ?? null,
      });
      l.Amount = money(l.Amount).roundToCents().toMoneyString();
      l.AmountinBaseCurrency = l.Amount;
      l.CurrencyID ??= ctx.currency;
      l.Status = isBlank(l.POLineNbr) ? 'New Line' : 'Update';
    }
    v.CommitmentsChangeTotal = sumMoney(lines, 'Amount').toMoneyString();
    return [];
  },
  deletable: (_ctx, co) =>
    co.values.Status === 'Closed' ? 'The change order has been released and cannot be deleted.' : null,
  actions: {
    HoldChangeOrder: statusAction('ChangeOrder', ['Open'], { Status: 'On Hold', Hold: true }),
    RemoveChangeOrderFromHold: statusAction('ChangeOrder', ['On Hold'], { Status: 'Open', Hold: false }),
    ReleaseChangeOrder: {
      precheck: (_ctx, co) =>
        co.values.Status === 'Open'
          ? null
          : `The change order must be Open to be released (it is ${String(co.values.Status)}).`,
      run: releaseChangeOrder,
    },
  },
  unmodelledActions: ['ApproveChangeOrder', 'RejectChangeOrder', 'EmailChangeOrder', 'ReverseChangeOrder'],
};

/** Each commitment line changes its PO/subcontract: the amount is added to a line, or a new line is appended. */
function releaseChangeOrder(ctx: RuleContext, co: StoredRecord): { save: Related[]; processed: Related } {
  const targets = new Map<string, Related>();
  for (const line of co.collections?.Commitments ?? []) {
    const l = line.values;
    const found = commitmentOf(ctx, l.POType, l.PONbr);
    if (!found) throw new ActionError(`The commitment ${String(l.PONbr)} cannot be found in the system.`);
    const key = `${found.entity}/${found.record.id}`;
    const target = targets.get(key) ?? { entity: found.entity, record: cloneRecord(found.record) };
    targets.set(key, target);
    applyCommitmentChange(ctx, target, co, line);
  }
  const save: Related[] = [];
  for (const target of targets.values()) {
    const errors = new EntityErrors();
    const rules = target.entity === 'Subcontract' ? subcontractRules : purchaseOrderRules;
    rules.save?.(ctx, target.record, { isNew: false, sent: emptySent(), previous: undefined }, errors);
    if (errors.any)
      throw new ActionError(
        `The change order cannot be applied to ${String(target.record.values.OrderNbr ?? target.record.values.SubcontractNbr)}: ${firstMessage(errors)}`,
      );
    target.record.values.LastModifiedDateTime = isoFromMs(ctx.now);
    save.push(target);
  }
  const released = cloneRecord(co);
  released.values.Status = 'Closed';
  released.values.LastModifiedDateTime = isoFromMs(ctx.now);
  save.push({ entity: 'ChangeOrder', record: released });
  return { save, processed: { entity: 'ChangeOrder', record: released } };
}

function applyCommitmentChange(
  ctx: RuleContext,
  target: Related,
  co: StoredRecord,
  coLine: StoredNode,
): void {
  const l = coLine.values;
  const amount = money(l.Amount);
  const lines = linesOf(target.record, 'Details');
  const existing = isBlank(l.POLineNbr) ? undefined : lines.find((d) => d.values.LineNbr === l.POLineNbr);
  if (existing) {
    const extended = money(existing.values.ExtendedCost).plus(amount);
    existing.values.OrderQty = '1';
    existing.values.UnitCost = extended.toMoneyString();
    existing.values.ExtendedCost = extended.toMoneyString();
    return;
  }
  const task = target.entity === 'Subcontract' ? 'Task' : 'ProjectTask';
  lines.push({
    id: ctx.newGuid(),
    values: {
      Account: l.Account ?? null,
      CostCode: l.CostCode ?? null,
      Project: co.values.ProjectID ?? null,
      [task]: l.ProjectTaskID ?? null,
      LineDescription: `${String(co.values.RefNbr)} ${String(co.values.Description ?? '')}`.trim(),
      OrderQty: '1',
      UnitCost: amount.toMoneyString(),
      ExtendedCost: amount.toMoneyString(),
    },
  });
}

function firstMessage(errors: EntityErrors): string {
  const fromNodes = [...errors.nodes.values()].flatMap((m) => [...m.values()]);
  return [...errors.entity, ...errors.fields.values(), ...fromNodes][0] ?? 'invalid';
}

export const externalCommitmentRules: EntityRules = {
  save(ctx, ec, _change, errors) {
    const v = ec.values;
    if (isBlank(v.ProjectID)) errors.field('ProjectID', EMPTY('Project'));
    checkCoding(ctx, ec, { project: 'ProjectID', task: 'ProjectTaskID', costCode: 'CostCode' }, (f, m) =>
      errors.field(f, m),
    );
    const original = money(v.OriginalCommittedAmount).roundToCents();
    const changeOrders = money(v.CommittedCOAmount).roundToCents();
    const invoiced = money(v.CommittedInvoicedAmount).roundToCents();
    const revised = original.plus(changeOrders);
    v.OriginalCommittedAmount = original.toMoneyString();
    v.CommittedCOAmount = changeOrders.toMoneyString();
    v.CommittedInvoicedAmount = invoiced.toMoneyString();
    v.RevisedCommittedAmount = revised.toMoneyString();
    v.CommittedOpenAmount = revised.minus(invoiced).toMoneyString();
    if (!isBlank(v.OriginalCommittedQty) || !isBlank(v.CommittedCOQty)) {
      const qty = money(v.OriginalCommittedQty).plus(money(v.CommittedCOQty));
      v.RevisedCommittedQty = qty.toString();
      v.CommittedOpenQty = qty.minus(money(v.CommittedInvoicedQty)).toString();
    }
    return [];
  },
  deletable: () => null,
};
