import { Decimal } from '../../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import { mappingKey, type ValidationIssue } from '../../../../src-shared/domain/validation';
import type {
  CostMappingRow,
  ExactProcoreMappings,
  FlowPolicy,
  PlannedCommitment,
  PlannedDirectCost,
  PlannedLine,
  ProcoreReference,
} from './model';
import { cutText } from '../../../../src-shared/domain/text';

/**
 * Pure planning for F1: resolve every line through the mapping tables, validate it against
 * Procore's reference data, and either plan the writes or explain (in finance words) why the
 * record must wait. No I/O here: the engine persists, writes and audits.
 */
export type PlanResult<P> = { ok: true; writes: P[] } | { ok: false; issues: ValidationIssue[] };

interface LineCoding {
  sourceLineId: string;
  projectCode: string | null;
  glAccountCode: string | null;
  costCenterCode: string | null;
  costUnitCode: string | null;
}

interface ResolvedLine {
  projectId: string;
  projectCode: string;
  costCodeId: string;
  lineItemTypeId: string;
}

export function findCostMapping(
  rows: readonly CostMappingRow[],
  gl: string,
  costCenter: string,
  costUnit: string | null,
): CostMappingRow | undefined {
  let wildcard: CostMappingRow | undefined;
  for (const row of rows) {
    if (row.glAccountCode !== gl || row.costCenterCode !== costCenter) continue;
    if (costUnit !== null && row.costUnitCode === costUnit) return row;
    if (row.costUnitCode === null) wildcard = row;
  }
  return wildcard;
}

function describePair(gl: string, costCenter: string, costUnit: string | null): string {
  return `GL ${cutText(gl)} / cost center ${cutText(costCenter)}${costUnit ? ` / cost unit ${cutText(costUnit)}` : ''}`;
}

/** Resolves one line's coding; returns the issues instead when it cannot. */
function resolveLine(
  line: LineCoding,
  recordLabel: string,
  m: ExactProcoreMappings,
  ref: ProcoreReference,
): ResolvedLine | ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const at = { sourceLineId: line.sourceLineId };
  let projectId: string | undefined;
  if (!line.projectCode) {
    issues.push({ code: 'unmapped-project', message: `${recordLabel} has a line without an Exact project`, ...at, mappingKeys: [] });
  } else {
    projectId = m.projects.get(line.projectCode);
    if (!projectId || !ref.projects.has(projectId)) {
      issues.push({
        code: 'unmapped-project',
        message: projectId
          ? `Exact project ${cutText(line.projectCode)} is linked to Procore project ${projectId}, which this company does not have (any more)`
          : `Exact project ${cutText(line.projectCode)} is not linked to a Procore project`,
        ...at,
        mappingKeys: [mappingKey.project(line.projectCode)],
      });
      projectId = undefined;
    }
  }
  if (!line.glAccountCode) {
    issues.push({ code: 'missing-gl-account', message: `${recordLabel} has a line without a G/L account (check the item's purchase account in Exact)`, ...at, mappingKeys: [] });
    return issues;
  }
  if (!line.costCenterCode) {
    issues.push({
      code: 'unmapped-cost',
      message: `GL ${cutText(line.glAccountCode)} on ${recordLabel} has no cost center, so it cannot be coded to a cost code`,
      ...at,
      mappingKeys: [],
    });
    return issues;
  }
  const key = mappingKey.cost(line.glAccountCode, line.costCenterCode, line.costUnitCode);
  const wildcardKey = mappingKey.cost(line.glAccountCode, line.costCenterCode, null);
  const cost = findCostMapping(m.costs, line.glAccountCode, line.costCenterCode, line.costUnitCode);
  if (!cost) {
    issues.push({
      code: 'unmapped-cost',
      message: `${describePair(line.glAccountCode, line.costCenterCode, line.costUnitCode)} has no cost code mapping`,
      ...at,
      mappingKeys: line.costUnitCode ? [key, wildcardKey] : [key],
    });
    return issues;
  }
  const lineItemTypeId = ref.lineItemTypes.get(cost.lineItemTypeCode);
  if (!lineItemTypeId)
    issues.push({
      code: 'unknown-line-item-type',
      message: `Cost type ${cost.lineItemTypeCode} (mapped from ${describePair(cost.glAccountCode, cost.costCenterCode, cost.costUnitCode)}) does not exist in Procore`,
      ...at,
      mappingKeys: [mappingKey.cost(cost.glAccountCode, cost.costCenterCode, cost.costUnitCode)],
    });
  if (!projectId) return issues;
  const project = ref.projects.get(projectId)!;
  const costCodeId = project.costCodes.get(cost.costCode);
  if (!costCodeId)
    issues.push({
      code: 'cost-code-not-in-project',
      message: `Cost code ${cost.costCode} (mapped from ${describePair(cost.glAccountCode, cost.costCenterCode, cost.costUnitCode)}) does not exist in Procore project "${project.name}"`,
      ...at,
      mappingKeys: [mappingKey.cost(cost.glAccountCode, cost.costCenterCode, cost.costUnitCode), mappingKey.project(line.projectCode!)],
    });
  if (issues.length > 0 || !costCodeId || !lineItemTypeId) return issues;
  return { projectId, projectCode: line.projectCode!, costCodeId, lineItemTypeId };
}


/**
 * Lines whose amount is not whole cents: Procore books cents, and money is never rounded
 * silently, so the record waits until the amount is corrected at the source.
 */
function centIssues(lines: readonly { sourceLineId: string; lineNumber: number; amount: string }[], label: string): ValidationIssue[] {
  return lines.flatMap((line) => {
    const amount = Decimal.parse(line.amount);
    if (amount.equals(amount.roundToCents())) return [];
    return [{ code: 'amount-not-cents' as const, message: `Line ${line.lineNumber} of ${label} has the amount ${amount.toString()}, with fractions of a cent; Procore books whole cents and the amount is not rounded. Correct it in Exact Online`, sourceLineId: line.sourceLineId, mappingKeys: [] }];
  });
}

function resolveVendor(
  supplier: { code: string; name: string },
  m: ExactProcoreMappings,
  ref: ProcoreReference,
): string | ValidationIssue {
  const vendorId = m.vendors.get(supplier.code);
  if (!vendorId)
    return {
      code: 'unmapped-vendor',
      message: `Supplier ${cutText(supplier.code)} (${cutText(supplier.name)}) is not linked to a Procore vendor`,
      mappingKeys: [mappingKey.vendor(supplier.code)],
    };
  if (!ref.vendors.has(vendorId))
    return {
      code: 'vendor-not-in-target',
      message: `Supplier ${cutText(supplier.code)} (${cutText(supplier.name)}) is linked to Procore vendor ${vendorId}, which is missing or inactive in Procore`,
      mappingKeys: [mappingKey.vendor(supplier.code)],
    };
  return vendorId;
}

/** Groups resolved lines by Procore project; one target record per project. */
function byProject<L>(lines: { line: L; resolved: ResolvedLine }[]): Map<string, { projectCode: string; items: { line: L; resolved: ResolvedLine }[] }> {
  const groups = new Map<string, { projectCode: string; items: { line: L; resolved: ResolvedLine }[] }>();
  for (const item of lines) {
    const g = groups.get(item.resolved.projectId) ?? { projectCode: item.resolved.projectCode, items: [] };
    g.items.push(item);
    groups.set(item.resolved.projectId, g);
  }
  return groups;
}

/** origin_id must be unique per company and type: a record split over projects gets suffixes. */
function originIdFor(sourceId: string, projectCode: string, split: boolean): string {
  return split ? `${sourceId}/${projectCode}` : sourceId;
}

function total(lines: PlannedLine[]): string {
  return Decimal.sum(lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
}

/** Lines written earlier that the source no longer has: kept, zeroed and marked, never deleted. */
function carryRemovedLines(current: PlannedLine[], previous: PlannedLine[] | undefined): PlannedLine[] {
  if (!previous) return current;
  const present = new Set(current.map((l) => l.originId));
  const removed = previous
    .filter((l) => !present.has(l.originId))
    .map((l) => ({
      ...l,
      amount: '0.00',
      quantity: l.quantity === null ? null : '0',
      description: l.description.startsWith('[removed in Exact] ') ? l.description : `[removed in Exact] ${l.description}`,
    }));
  return [...current, ...removed];
}

function validateCommon(
  record: { currency: string; lines: unknown[] },
  label: string,
  policy: FlowPolicy,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (record.lines.length === 0) issues.push({ code: 'no-lines', message: `${label} has no lines`, mappingKeys: [] });
  if (record.currency !== policy.currency)
    issues.push({
      code: 'currency-mismatch',
      message: `${label} is in ${record.currency}, but the Procore company books in ${policy.currency}. Correct it in Exact Online`,
      mappingKeys: [],
    });
  return issues;
}

export function planPurchaseOrder(
  po: PurchaseOrder,
  m: ExactProcoreMappings,
  ref: ProcoreReference,
  policy: FlowPolicy,
  /** Lines of the commitments written for this PO before, keyed by commitment origin id. */
  previous: ReadonlyMap<string, PlannedLine[]> = new Map(),
): PlanResult<PlannedCommitment> {
  const label = `Purchase order ${po.number}`;
  const issues = [...validateCommon(po, label, policy), ...centIssues(po.lines, label)];
  const vendor = resolveVendor(po.supplier, m, ref);
  if (typeof vendor !== 'string') issues.push(vendor);
  const resolved: { line: PurchaseOrder['lines'][number]; resolved: ResolvedLine }[] = [];
  for (const line of po.lines) {
    const r = resolveLine(line, label, m, ref);
    if (Array.isArray(r)) issues.push(...r);
    else resolved.push({ line, resolved: r });
  }
  if (issues.length > 0 || typeof vendor !== 'string') return { ok: false, issues };

  const cancelled = po.status === 'cancelled';
  const groups = byProject(resolved);
  const split = groups.size > 1;
  const writes: PlannedCommitment[] = [];
  for (const [projectId, group] of groups) {
    const originId = originIdFor(po.sourceId, group.projectCode, split);
    let lines: PlannedLine[] = group.items.map(({ line, resolved: r }) => ({
      originId: line.sourceLineId,
      description: line.description,
      amount: Decimal.parse(line.amount).toMoneyString(),
      quantity: line.quantity,
      unitCost: line.unitPrice,
      uom: line.unit,
      costCodeId: r.costCodeId,
      lineItemTypeId: r.lineItemTypeId,
    }));
    lines = carryRemovedLines(lines, previous.get(originId));
    if (cancelled && policy.cancelled === 'close-and-zero')
      lines = lines.map((l) => ({ ...l, amount: '0.00', quantity: l.quantity === null ? null : '0' }));
    writes.push({
      entity: 'commitment',
      originId,
      containerId: projectId,
      currency: po.currency,
      sourceId: po.sourceId,
      projectId,
      vendorId: vendor,
      title: cutText(`PO ${po.number}${po.description ? ` – ${po.description}` : ''}`, 255),
      number: split ? `${po.number}-${group.projectCode}` : po.number,
      description: cancelled ? `Cancelled in Exact Online. ${po.description}`.trim() : po.description,
      status: cancelled && policy.cancelled === 'close-and-zero' ? 'Closed' : policy.commitmentStatus,
      contractDate: po.orderDate,
      originCode: po.number,
      lines,
      total: total(lines),
    });
  }
  return { ok: true, writes };
}

export function planPurchaseInvoice(
  inv: PurchaseInvoice,
  m: ExactProcoreMappings,
  ref: ProcoreReference,
  policy: FlowPolicy,
  previous: ReadonlyMap<string, PlannedLine[]> = new Map(),
): PlanResult<PlannedDirectCost> {
  const label = `Purchase invoice ${cutText(inv.invoiceNumber)} (entry ${inv.entryNumber})`;
  const issues = [...validateCommon(inv, label, policy), ...centIssues(inv.lines, label)];
  const vendor = resolveVendor(inv.supplier, m, ref);
  if (typeof vendor !== 'string') issues.push(vendor);
  const resolved: { line: PurchaseInvoice['lines'][number]; resolved: ResolvedLine }[] = [];
  for (const line of inv.lines) {
    const r = resolveLine(line, label, m, ref);
    if (Array.isArray(r)) issues.push(...r);
    else resolved.push({ line, resolved: r });
  }
  if (issues.length > 0 || typeof vendor !== 'string') return { ok: false, issues };
  const groups = byProject(resolved);
  const split = groups.size > 1;
  const writes: PlannedDirectCost[] = [];
  for (const [projectId, group] of groups) {
    const originId = originIdFor(inv.sourceId, group.projectCode, split);
    const lines = carryRemovedLines(
      group.items.map(({ line, resolved: r }) => ({
        originId: line.sourceLineId,
        description: line.description,
        amount: Decimal.parse(line.amount).toMoneyString(),
        quantity: null,
        unitCost: null,
        uom: null,
        costCodeId: r.costCodeId,
        lineItemTypeId: r.lineItemTypeId,
      })),
      previous.get(originId),
    );
    writes.push({
      entity: 'direct-cost',
      originId,
      containerId: projectId,
      currency: inv.currency,
      sourceId: inv.sourceId,
      projectId,
      vendorId: vendor,
      invoiceNumber: inv.invoiceNumber,
      date: inv.invoiceDate,
      description: inv.description,
      status: policy.directCostStatus,
      lines,
      total: total(lines),
    });
  }
  return { ok: true, writes };
}

