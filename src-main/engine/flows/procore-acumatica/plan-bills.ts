import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreVendorRef } from '../../../../src-shared/domain/records';
import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { BillInput, BillLineInput } from '../../../connectors/acumatica';
import { f2Key, findCostCodeRow, findCostRow, type F2Mappings } from './mappings';
import type { BillSource, DirectCostRecord, F2Reference, InvoiceRecord, PlannedBill } from './model';
import type { F2Policy } from './policy';
import { cutText } from '../../../../src-shared/domain/text';

/**
 * Pure planning of AP bills: one per approved subcontractor invoice or direct cost. Every line is
 * coded through the mapping tables (project → Acumatica project and branch; cost code + cost type
 * → GL account and subaccount; on construction connections cost code → project task and
 * Acumatica cost code) and every account, subaccount, branch, project, task and cost code is
 * checked to exist and be active in Acumatica before anything is written; otherwise the record
 * waits, with the reason in finance words and the mapping keys that would fix it.
 */
export type PlanResult<P> = { ok: true; writes: P[] } | { ok: false; issues: ValidationIssue[] };

/** Acumatica's limits (APInvoice.InvoiceNbr; descriptions). */
const MAX_VENDOR_REF = 40;
const MAX_TEXT = 255;
/** The project code of a line that posts to no project (Acumatica's non-project). */
const NON_PROJECT = 'X';

/** The container of every bill: lookups go by vendor + vendor ref, batched across vendors. */
export const BILLS_CONTAINER = 'bills';

/** The runner's key of a bill: its Acumatica idempotency key, vendor + vendor ref ("V000005/F2026-00121"). */
export function billOriginId(vendorId: string, vendorRef: string): string {
  return `${vendorId}/${vendorRef}`;
}

/** The vendor + vendor ref a bill's origin id names (the vendor id holds no "/"). */
export function parseBillOriginId(originId: string): { vendorId: string; vendorRef: string } | null {
  const slash = originId.indexOf('/');
  return slash > 0 ? { vendorId: originId.slice(0, slash), vendorRef: originId.slice(slash + 1) } : null;
}

/** What the bill's origin field (or note) keeps: the Procore record it came from. */
export function procoreOrigin(source: Pick<BillSource, 'kind' | 'procoreId'>): string {
  return `procore:${source.kind}:${source.procoreId}`;
}

function truncate(text: string, max = MAX_TEXT): string {
  return cutText(text, max);
}

const money = (amount: string): string => Decimal.parse(amount).toMoneyString();
const fmt = (amount: string | Decimal): string => {
  const d = typeof amount === 'string' ? Decimal.parse(amount) : amount;
  const [int, frac] = d.abs().toMoneyString().split('.') as [string, string];
  return `${d.isNegative() ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
};

/** Amounts in finance notation ("1,234.50"), for messages. */
export const formatAmount = fmt;

// ---- vendor ----------------------------------------------------------------------------------------

/**
 * The Acumatica vendor of a Procore vendor: the confirmed mapping row or the Procore vendor's
 * origin_id. `label` names the record ("Direct cost PLDC-9906"): a record without a vendor is a
 * fix of that one record in Procore, so its reason names it.
 */
export function resolveVendor(vendor: ProcoreVendorRef | null, m: F2Mappings, ref: F2Reference, label: string): string | ValidationIssue {
  if (!vendor) return { code: 'unmapped-vendor', message: `${label} names no vendor in Procore; set its vendor there`, mappingKeys: [] };
  const key = f2Key.vendor(vendor.id);
  const mapped = m.vendors.get(vendor.id);
  const origin = ref.procoreVendors.get(vendor.id)?.originId ?? null;
  if (mapped && origin && mapped.toLowerCase() !== origin.toLowerCase())
    return {
      code: 'unmapped-vendor',
      message: `Procore vendor ${vendor.name} is linked to Acumatica vendor ${origin} in Procore but to ${mapped} in Mappings; correct one of them`,
      mappingKeys: [key],
    };
  const vendorId = mapped ?? origin;
  if (!vendorId)
    return { code: 'unmapped-vendor', message: `Procore vendor ${vendor.name} is not linked to an Acumatica vendor`, mappingKeys: [key] };
  const found = ref.acumaticaVendors.get(vendorId);
  if (!found)
    return {
      code: 'vendor-not-in-target',
      message: `Procore vendor ${vendor.name} is linked to Acumatica vendor ${vendorId}, which Acumatica does not have`,
      mappingKeys: [key],
    };
  if (!found.active)
    return {
      code: 'vendor-not-in-target',
      message: `Procore vendor ${vendor.name} is linked to Acumatica vendor ${vendorId} (${found.name}), which is ${found.status} in Acumatica`,
      mappingKeys: [key],
    };
  return vendorId;
}

// ---- coding ----------------------------------------------------------------------------------------

interface Coding {
  account: string;
  subaccount: string;
  branch: string | undefined;
  project?: string;
  task?: string;
  costCode?: string;
}

interface CodingContext {
  m: F2Mappings;
  ref: F2Reference;
  policy: F2Policy;
  projectId: string;
}

/** Codes one line (cost code + cost type of a Procore project), or says why it cannot be coded. */
export function codeLine(ctx: CodingContext, costCode: string, costType: string | null): Coding | ValidationIssue[] {
  const { m, ref, policy, projectId } = ctx;
  const a = ref.acumatica;
  const issues: ValidationIssue[] = [];
  const project = m.projects.get(projectId);
  if (!project && policy.construction)
    issues.push({
      code: 'unmapped-project',
      message: `Procore project ${projectId} is not linked to an Acumatica project`,
      mappingKeys: [f2Key.project(projectId)],
    });
  const row = findCostRow(m.costs, costCode, costType, projectId);
  const pair = `Cost code ${costCode}${costType ? ` (cost type ${costType})` : ''}`;
  if (!row) {
    issues.push({
      code: 'unmapped-cost',
      message: `${pair} has no GL account mapping`,
      mappingKeys: costType ? [f2Key.cost(costCode, costType, null), f2Key.cost(costCode, null, null)] : [f2Key.cost(costCode, null, null)],
    });
  } else {
    const rowKey = f2Key.cost(row.costCode, row.costType, row.procoreProjectId);
    const account = a.accounts.get(row.account);
    if (!account) issues.push({ code: 'unmapped-cost', message: `${pair} maps to GL ${row.account}, which Acumatica does not have`, mappingKeys: [rowKey] });
    else if (!account.active) issues.push({ code: 'unmapped-cost', message: `${pair} maps to GL ${row.account}, which is inactive in Acumatica`, mappingKeys: [rowKey] });
    const sub = a.subaccounts.get(row.subaccount);
    if (!sub) issues.push({ code: 'unmapped-cost', message: `${pair} maps to subaccount ${row.subaccount}, which Acumatica does not have`, mappingKeys: [rowKey] });
    else if (!sub.active) issues.push({ code: 'unmapped-cost', message: `${pair} maps to subaccount ${row.subaccount}, which is inactive in Acumatica`, mappingKeys: [rowKey] });
  }
  const branch = project?.branch;
  if (branch && a.branches) {
    const found = a.branches.get(branch);
    const why = !found ? 'which Acumatica does not have' : !found.active ? 'which is inactive in Acumatica' : null;
    if (why) issues.push({ code: 'unmapped-project', message: `Procore project ${projectId} is booked to branch ${branch}, ${why}`, mappingKeys: [f2Key.project(projectId)] });
  }
  let construction: Pick<Coding, 'project' | 'task' | 'costCode'> = {};
  if (policy.construction && project) {
    const codeRow = findCostCodeRow(m.costCodes, costCode, projectId);
    const acuProject = project.acumaticaProject;
    if (!codeRow) {
      issues.push({
        code: 'unmapped-cost',
        message: `Cost code ${costCode} has no Acumatica project task and cost code mapping`,
        mappingKeys: [f2Key.costCode(costCode, null)],
      });
    } else {
      const codeKey = f2Key.costCode(codeRow.costCode, codeRow.procoreProjectId);
      if (acuProject !== NON_PROJECT) {
        const found = a.projects.get(acuProject);
        if (!found)
          issues.push({ code: 'unmapped-project', message: `Procore project ${projectId} is linked to Acumatica project ${acuProject}, which Acumatica does not have`, mappingKeys: [f2Key.project(projectId)] });
        else if (!found.active)
          issues.push({ code: 'unmapped-project', message: `Acumatica project ${acuProject} is not active (${found.status ?? 'no status'}): costs cannot be posted to it`, mappingKeys: [f2Key.project(projectId)] });
        else {
          const task = found.tasks.get(codeRow.task);
          if (!task)
            issues.push({ code: 'unmapped-cost', message: `Cost code ${costCode} maps to project task ${codeRow.task}, which project ${acuProject} does not have in Acumatica`, mappingKeys: [codeKey] });
          else if (!task.active)
            issues.push({ code: 'unmapped-cost', message: `Cost code ${costCode} maps to project task ${codeRow.task} of ${acuProject}, which is not active in Acumatica (${task.status ?? 'no status'})`, mappingKeys: [codeKey] });
        }
      }
      if (!a.costCodes.has(codeRow.acumaticaCostCode))
        issues.push({
          code: 'unmapped-cost',
          message: `Cost code ${codeRow.acumaticaCostCode} does not exist in Acumatica (add it there, or map Procore cost code ${costCode} to another)`,
          mappingKeys: [codeKey],
        });
      construction = acuProject === NON_PROJECT ? { project: NON_PROJECT } : { project: acuProject, task: codeRow.task, costCode: codeRow.acumaticaCostCode };
    }
  }
  if (issues.length || !row) return issues;
  return { account: row.account, subaccount: row.subaccount, branch, ...construction };
}

/** A line of the retainage account (net-line retainage): to no project. */
function retainageLine(ctx: CodingContext, label: string, amount: Decimal, description: string, subaccount: string): BillLineInput | ValidationIssue {
  const account = ctx.policy.retainageAccount;
  if (!account)
    return {
      code: 'unmapped-cost',
      message: `Retainage of ${fmt(amount.abs())} is to go on a line of its own, but the Acumatica connection names no retainage payable account`,
      mappingKeys: [],
    };
  const found = ctx.ref.acumatica.accounts.get(account);
  if (!found || !found.active)
    return {
      code: 'unmapped-cost',
      message: `The retainage payable account ${account} ${found ? 'is inactive in' : 'does not exist in'} Acumatica`,
      mappingKeys: [],
    };
  const branch = ctx.m.projects.get(ctx.projectId)?.branch;
  return {
    amount: amount.toMoneyString(),
    description: truncate(description),
    account,
    subaccount,
    ...(branch ? { branch } : {}),
    ...(ctx.policy.construction ? { project: NON_PROJECT } : {}),
  };
}

function line(amount: string, description: string, coding: Coding): BillLineInput {
  return {
    amount: money(amount),
    description: truncate(description),
    account: coding.account,
    subaccount: coding.subaccount,
    ...(coding.branch ? { branch: coding.branch } : {}),
    ...(coding.project ? { project: coding.project } : {}),
    ...(coding.task ? { task: coding.task } : {}),
    ...(coding.costCode ? { costCode: coding.costCode } : {}),
  };
}

/**
 * Each problem once. The record itself is named by its label (labels.ts) wherever a reason is
 * shown, and by the runner in the audit entry ("<record> waits: <reason>"), so a reason says only
 * what is wrong: records waiting for the same fix read alike (Pending groups them).
 */
function waits(issues: ValidationIssue[]): { ok: false; issues: ValidationIssue[] } {
  const seen = new Set<string>();
  return { ok: false, issues: issues.filter((i) => (seen.has(i.message) ? false : (seen.add(i.message), true))) };
}

const total = (lines: readonly BillLineInput[]): string => Decimal.sum(lines.map((l) => Decimal.parse(l.amount))).toMoneyString();

/**
 * A bill already posted is not re-coded by a later mapping change: while the source's amounts,
 * date and key are the same, the confirmed plan stands (and nothing is written). A changed
 * amount is an update of the bill (refused by the writer once the bill is released); a changed
 * vendor or invoice number cannot move a posted bill and waits for a person.
 */
function keepPosted(plan: PlannedBill, previous: ReadonlyMap<string, PlannedBill>): PlanResult<PlannedBill> {
  const posted = [...previous.values()].find((p) => p.entity === 'bill');
  if (!posted) return { ok: true, writes: [plan] };
  if (posted.originId !== plan.originId)
    return {
      ok: false,
      issues: [
        {
          code: 'target-rejected',
          message: `${plan.source.label} was posted to Acumatica for vendor ${posted.bill.vendorId} with vendor reference ${posted.bill.vendorRef}; its vendor or invoice number is now ${plan.bill.vendorId} / ${plan.bill.vendorRef}. A posted bill cannot move: correct it in Acumatica, then retry`,
          mappingKeys: [],
        },
      ],
    };
  const sameAmounts =
    posted.total === plan.total &&
    posted.bill.date === plan.bill.date &&
    posted.bill.lines.length === plan.bill.lines.length &&
    posted.bill.lines.every((l, i) => l.amount === plan.bill.lines[i]!.amount);
  return { ok: true, writes: [sameAmounts ? posted : plan] };
}

function billPlan(source: BillSource, sourceId: string, vendorId: string, vendorRef: string, date: string, description: string, lines: BillLineInput[], policy: F2Policy, project: string | undefined, branch: string | undefined, retainagePercent?: string): PlannedBill {
  const bill: BillInput = {
    vendorId,
    vendorRef,
    originId: procoreOrigin(source),
    date,
    description: truncate(description),
    ...(branch ? { branch } : {}),
    ...(project && project !== NON_PROJECT ? { project } : {}),
    // A tenant that holds documents on entry refuses to release held bills.
    ...(policy.releaseBills ? { hold: false } : {}),
    ...(retainagePercent !== undefined ? { retainagePercent } : {}),
    lines,
  };
  return {
    entity: 'bill',
    originId: billOriginId(vendorId, vendorRef),
    sourceId,
    containerId: BILLS_CONTAINER,
    total: total(lines),
    currency: policy.currency,
    bill,
    release: policy.releaseBills,
    source,
  };
}

function checkVendorRef(vendorRef: string): ValidationIssue | null {
  return vendorRef.length > MAX_VENDOR_REF
    ? { code: 'target-rejected', message: `The invoice number "${cutText(vendorRef)}" is longer than Acumatica's ${MAX_VENDOR_REF} characters for a vendor reference`, mappingKeys: [] }
    : null;
}

/** "Subcontractor invoice SC-003 #2 (F2026-00121) of Meijer B.V." */
export function invoiceLabel(r: InvoiceRecord['requisition']): string {
  const vendor = r.vendor?.name ?? r.vendorName;
  return `Subcontractor invoice ${cutText(r.commitmentNumber ?? `of commitment ${r.commitmentId}`)} #${r.number}${r.invoiceNumber ? ` (${cutText(r.invoiceNumber)})` : ''}${vendor ? ` of ${cutText(vendor)}` : ''}`;
}

export function directCostLabel(d: DirectCostRecord['directCost']): string {
  return `Direct cost ${d.invoiceNumber ?? d.sourceId}${d.vendor ? ` of ${d.vendor.name}` : ''}`;
}

/**
 * One AP bill per approved subcontractor invoice: a line per G703 item billed this period
 * (contract and change-order items), and retainage as the connection says (a line of its own,
 * Acumatica's retainage, or not on the bill). VendorRef = the subcontractor's invoice number.
 */
export function planInvoice(rec: InvoiceRecord, m: F2Mappings, ref: F2Reference, policy: F2Policy, previous: ReadonlyMap<string, PlannedBill> = new Map()): PlanResult<PlannedBill> {
  const r = rec.requisition;
  const label = invoiceLabel(r);
  const issues: ValidationIssue[] = [];
  const vendor = resolveVendor(r.vendor, m, ref, label);
  if (typeof vendor !== 'string') issues.push(vendor);
  const ctx: CodingContext = { m, ref, policy, projectId: r.projectId };
  const lines: BillLineInput[] = [];
  let subaccount: string | null = null;
  const retained = Decimal.parse(r.retainageThisPeriod);
  const released = Decimal.parse(r.retainageReleasedThisPeriod);
  let percent: string | undefined;
  if (policy.retainage === 'acumatica') {
    // Acumatica computes retainage from a percentage per line: it must give Procore's amounts to the cent.
    const billed = Decimal.parse(r.totalClaimed);
    const pct = retained.isZero() ? null : percentOf(retained, billed);
    const linesAgree =
      pct !== null &&
      r.lines.every((item) =>
        retainageAt(Decimal.parse(item.billedThisPeriod), pct).equals(
          Decimal.parse(item.retainageRetainedThisPeriod).plus(Decimal.parse(item.materialsRetainageRetained)),
        ),
      );
    if (!retained.isZero() && !linesAgree)
      issues.push({
        code: 'target-rejected',
        message: `Retainage of ${fmt(retained)} held on ${fmt(billed)} billed, which Acumatica's retainage percentage cannot give to the cent on every line; keep retainage on a line of its own for this connection`,
        mappingKeys: [],
      });
    else if (pct !== null) percent = pct;
    if (!released.isZero())
      issues.push({
        code: 'target-rejected',
        message: `Retainage of ${fmt(released)} is released on it; with Acumatica's own retainage, release it in Acumatica (Release AP Retainage)`,
        mappingKeys: [],
      });
  }
  for (const item of r.lines) {
    const billed = Decimal.parse(item.billedThisPeriod);
    if (billed.isZero()) continue;
    const coding = codeLine(ctx, item.costCode, null);
    if (Array.isArray(coding)) {
      issues.push(...coding);
      continue;
    }
    subaccount ??= coding.subaccount;
    const what = item.itemType === 'change-order' ? 'change order item' : 'contract item';
    const l = line(item.billedThisPeriod, `${r.commitmentNumber ?? ''} #${r.number} ${what}: ${item.description}`.trim(), coding);
    if (percent !== undefined) l.retainagePercent = percent;
    lines.push(l);
  }
  if (policy.retainage === 'net-line') {
    for (const [amount, text] of [
      [retained.negate(), `Retainage held on ${r.commitmentNumber ?? 'commitment'} #${r.number}`],
      [released, `Retainage released on ${r.commitmentNumber ?? 'commitment'} #${r.number}`],
    ] as const) {
      if (amount.isZero()) continue;
      const l = retainageLine(ctx, label, amount, text, subaccount ?? m.costs[0]?.subaccount ?? '');
      if ('code' in l) issues.push(l);
      else lines.push(l);
    }
  }
  const vendorRef = r.invoiceNumber?.trim() || `${r.commitmentNumber ?? r.commitmentId} #${r.number}`;
  const refIssue = checkVendorRef(vendorRef);
  if (refIssue) issues.push(refIssue);
  if (issues.length || typeof vendor !== 'string') return waits(issues);
  // An invoice that bills nothing this period needs no AP bill.
  if (lines.length === 0) return { ok: true, writes: [] };
  const source: BillSource = {
    kind: 'requisition',
    procoreId: r.sourceId,
    projectId: r.projectId,
    commitmentId: r.commitmentId,
    commitmentNumber: r.commitmentNumber,
    requisitionNumber: r.number,
    invoiceNumber: r.invoiceNumber,
    vendorName: r.vendor?.name ?? r.vendorName ?? '',
    label,
  };
  const project = m.projects.get(r.projectId);
  const date = r.billingDate ?? r.periodEnd ?? r.sourceVersion.slice(0, 10);
  const description = `${r.commitmentNumber ?? 'Commitment'} invoice #${r.number}${r.periodEnd ? ` for the period to ${r.periodEnd}` : ''} (Procore)`;
  const plan = billPlan(source, rec.sourceId, vendor, vendorRef, date, description, lines, policy, policy.construction ? project?.acumaticaProject : undefined, project?.branch, percent);
  return keepPosted(plan, previous);
}

/** The retainage a percentage gives on an amount, rounded to the cent as Acumatica rounds it. */
function retainageAt(amount: Decimal, percent: string): Decimal {
  return amount.times(Decimal.parse(percent)).times(Decimal.parse('0.01')).roundToCents();
}

/** "5.00" when `part` is exactly that percentage (to two decimals) of `whole`, else null. */
export function percentOf(part: Decimal, whole: Decimal): string | null {
  const wholeCents = whole.toCents();
  if (wholeCents === 0n) return null;
  // Basis points = part × 10000 / whole, exact only when it divides.
  const numerator = part.toCents() * 10000n;
  if (numerator % wholeCents !== 0n) return null;
  const bp = numerator / wholeCents;
  const abs = bp < 0n ? -bp : bp;
  const pct = `${bp < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  return retainageAt(whole, pct).equals(part) ? pct : null;
}

/** One AP bill per approved direct cost (a negative one is a vendor credit: a debit adjustment); VendorRef = its invoice number. */
export function planDirectCost(rec: DirectCostRecord, m: F2Mappings, ref: F2Reference, policy: F2Policy, previous: ReadonlyMap<string, PlannedBill> = new Map()): PlanResult<PlannedBill> {
  const d = rec.directCost;
  const label = directCostLabel(d);
  const issues: ValidationIssue[] = [];
  const vendor = resolveVendor(d.vendor, m, ref, label);
  if (typeof vendor !== 'string') issues.push(vendor);
  const ctx: CodingContext = { m, ref, policy, projectId: d.projectId };
  const lines: BillLineInput[] = [];
  for (const item of d.lines) {
    const coding = codeLine(ctx, item.costCode, item.lineItemTypeCode);
    if (Array.isArray(coding)) issues.push(...coding);
    else lines.push(line(item.amount, item.description || d.description || item.costCodeName, coding));
  }
  if (d.lines.length === 0) issues.push({ code: 'no-lines', message: `${label} has no lines in Procore; add its lines there`, mappingKeys: [] });
  const vendorRef = d.invoiceNumber?.trim() || `Procore DC ${d.sourceId}`;
  const refIssue = checkVendorRef(vendorRef);
  if (refIssue) issues.push(refIssue);
  if (issues.length || typeof vendor !== 'string') return waits(issues);
  const source: BillSource = {
    kind: 'direct-cost',
    procoreId: d.sourceId,
    projectId: d.projectId,
    commitmentId: null,
    commitmentNumber: null,
    requisitionNumber: null,
    invoiceNumber: d.invoiceNumber,
    vendorName: d.vendor?.name ?? '',
    label,
  };
  const project = m.projects.get(d.projectId);
  const date = d.date ?? d.receivedDate ?? d.sourceVersion.slice(0, 10);
  const plan = billPlan(source, rec.sourceId, vendor, vendorRef, date, d.description || label, lines, policy, policy.construction ? project?.acumaticaProject : undefined, project?.branch);
  return keepPosted(plan, previous);
}
