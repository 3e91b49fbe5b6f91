import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreCommitmentChangeOrder } from '../../../../src-shared/domain/records';
import type { IssueCode, ValidationIssue } from '../../../../src-shared/domain/validation';
import { checkDocument, type LineDimensions, type PostingProblem, type ReferenceIndex, type ValidatableDocument } from '../../../connectors/sage-intacct';
import { f3Key, findCostMapping, type F3Mappings } from './mappings';
import { COMPANY, documentKey, type CommitmentRecord, type DocumentHeader, type PlannedDocument, type PostingLine, type RequisitionRecord } from './model';
import type { F3Policy } from './policy';
import { cutText } from '../../../../src-shared/domain/text';

/**
 * Pure planning of F3's Intacct documents: a Procore commitment (with its approved change
 * orders) becomes one purchasing transaction, draft bill or journal entry; a pay application
 * one AP bill. Every line is coded through the mapping tables and checked against Intacct's
 * accounts and dimensions (read once per run) before anything is posted; what cannot be posted
 * is explained in finance words with the mapping keys that would fix it. No I/O here.
 */
export type PlanResult<P> = { ok: true; writes: P[] } | { ok: false; issues: ValidationIssue[] };

export interface PlanContext {
  mappings: F3Mappings;
  policy: F3Policy;
  /** Intacct's accounts, dimensions, vendors and items, as read this run. */
  reference: ReferenceIndex;
  /** Procore vendor id → Intacct VENDORID beyond the Vendors table (links Procore holds: origin id / External ID). */
  vendorLinks: ReadonlyMap<string, string>;
  /** Procore project id → its name (for messages). */
  projectNames: ReadonlyMap<string, string>;
}

const money = (value: string): Decimal => Decimal.parse(value);
const sum = (values: readonly Decimal[]): Decimal => Decimal.sum([...values]);

/** YYYY-MM-DD plus whole days. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}


/** "SC-001 (Funderingstechniek Meijer B.V.)" — how a controller names a commitment. */
export function commitmentLabel(c: ProcoreCommitment): string {
  const kind = c.commitmentType === 'work-order' ? 'Subcontract' : 'Purchase order';
  return `${kind} ${cutText(c.number)}${c.vendor ? ` (${cutText(c.vendor.name)})` : ''}`;
}

export function payApplicationLabel(r: RequisitionRecord['requisition']): string {
  const of = r.commitmentNumber ? ` of ${cutText(r.commitmentNumber)}` : '';
  const who = [r.vendor?.name ?? r.vendorName, r.invoiceNumber ? `invoice ${r.invoiceNumber}` : null].filter((t): t is string => !!t).map((t) => cutText(t)).join(', ');
  return `Pay application #${r.number}${of}${who ? ` (${who})` : ''}`;
}

/** "1,234,567.89" */
export function formatAmount(amount: string): string {
  const [whole = '0', cents = '00'] = amount.replace('-', '').split('.');
  return `${amount.startsWith('-') ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/**
 * A parked record's reasons start with the record as finance names it (document, counterparty,
 * amount), so Pending validation says which one waits, not only why.
 */
export function namedIssues<P>(result: PlanResult<P>, name: string): PlanResult<P> {
  return result.ok ? result : { ok: false, issues: result.issues.map((i) => ({ ...i, message: `${name}: ${i.message}` })) };
}

// ---- coding -----------------------------------------------------------------------------------------

interface WantedLine {
  ref: string;
  description: string;
  amount: Decimal;
  retainage?: Decimal;
  costCode: string | null;
  costType: string | null;
  /** A fixed account (the retainage payable account on a release line) instead of the cost mapping's. */
  accountNo?: string;
}

interface Coded {
  line: PostingLine;
  /** What a problem on each field of this line is about, for the message and the mapping keys. */
  origin: { costKey: string | null; projectKey: string; costCode: string | null; costType: string | null; accountFromSettings: boolean };
}

interface Issue {
  code: IssueCode;
  message: string;
  mappingKeys: string[];
}

function costWords(costCode: string | null, costType: string | null): string {
  return `Cost code ${costCode ?? '(none)'}${costType ? ` / cost type ${costType}` : ''}`;
}

/** The project's Intacct dimensions, or why there are none. */
function projectCoding(projectId: string, projectName: string, ctx: PlanContext): { dims: LineDimensions; key: string } | Issue {
  const key = f3Key.project(projectId);
  const mapped = ctx.mappings.projects.get(projectId);
  if (!mapped)
    return { code: 'unmapped-project', message: `Procore project ${projectName} is not linked to an Intacct project`, mappingKeys: [key] };
  return {
    key,
    dims: {
      projectId: mapped.intacctProjectId,
      ...(mapped.locationId ? { locationId: mapped.locationId } : {}),
      ...(mapped.classId ? { classId: mapped.classId } : {}),
    },
  };
}

/** The Intacct vendor of a Procore vendor, or why there is none. */
function vendorCoding(vendor: { id: string; name: string } | null, what: string, ctx: PlanContext): { vendorId: string; vendorName: string } | Issue {
  if (!vendor) return { code: 'unmapped-vendor', message: `${what} has no vendor in Procore; set its vendor there`, mappingKeys: [] };
  const vendorId = ctx.mappings.vendors.get(vendor.id) ?? ctx.vendorLinks.get(vendor.id);
  if (!vendorId)
    return { code: 'unmapped-vendor', message: `Procore vendor ${vendor.name} is not linked to an Intacct vendor`, mappingKeys: [f3Key.vendor(vendor.id)] };
  return { vendorId, vendorName: ctx.reference.get('VENDOR', vendorId)?.name || vendor.name };
}

/**
 * Numbers the wanted lines as Intacct numbers them: a line posted before keeps its LINE_NO (an
 * amendment changes lines by number); new ones follow the highest number used; a line posted
 * before and no longer wanted stays with 0.00 (Intacct keeps lines an update leaves out).
 */
function numberLines(wanted: readonly WantedLine[], previous: readonly PostingLine[] | undefined, reserved: number | undefined): (WantedLine & { lineNo: number; kept?: PostingLine })[] {
  const before = new Map((previous ?? []).map((l) => [l.ref, l]));
  let next = Math.max(0, reserved ?? 0, ...(previous ?? []).map((l) => l.lineNo)) + 1;
  const out: (WantedLine & { lineNo: number; kept?: PostingLine })[] = [];
  const seen = new Set<string>();
  for (const line of wanted) {
    seen.add(line.ref);
    const old = before.get(line.ref);
    out.push({ ...line, lineNo: old ? old.lineNo : next++ });
  }
  for (const old of previous ?? [])
    if (!seen.has(old.ref))
      out.push({ ref: old.ref, description: old.description, amount: Decimal.ZERO, costCode: old.costCode, costType: old.costType, lineNo: old.lineNo, kept: old, ...(old.accountNo ? { accountNo: old.accountNo } : {}) });
  return out.sort((a, b) => a.lineNo - b.lineNo);
}

function codeLines(
  lines: readonly (WantedLine & { lineNo: number; kept?: PostingLine })[],
  project: { dims: LineDimensions; key: string },
  ctx: PlanContext,
  withAccount: boolean,
): { coded: Coded[]; issues: Issue[] } {
  const coded: Coded[] = [];
  const issues: Issue[] = [];
  for (const line of lines) {
    const base = {
      ref: line.ref,
      lineNo: line.lineNo,
      description: line.description,
      amount: line.amount.toMoneyString(),
      ...(line.retainage && !line.retainage.isZero() ? { retainage: line.retainage.toMoneyString() } : {}),
      costCode: line.costCode,
      costType: line.costType,
    };
    if (line.kept) {
      // A line no longer wanted keeps the coding it was posted with; only its amount goes to zero.
      coded.push({ line: { ...line.kept, ...base, ...(line.kept.retainage ? { retainage: '0.00' } : {}) }, origin: { costKey: null, projectKey: project.key, costCode: line.costCode, costType: line.costType, accountFromSettings: false } });
      continue;
    }
    if (line.accountNo) {
      coded.push({ line: { ...base, accountNo: line.accountNo, ...project.dims }, origin: { costKey: null, projectKey: project.key, costCode: null, costType: null, accountFromSettings: true } });
      continue;
    }
    if (!line.costCode) {
      // Named by its description, never by its ref (which carries Procore's line id).
      issues.push({ code: 'unmapped-cost', message: `A line${line.description ? ` (${cutText(line.description, 40)})` : ''} has no cost code in Procore, so it cannot be coded; set its cost code there`, mappingKeys: [] });
      continue;
    }
    const mapping = findCostMapping(ctx.mappings.costs, line.costCode, line.costType);
    if (!mapping) {
      issues.push({
        code: 'unmapped-cost',
        message: `${costWords(line.costCode, line.costType)} has no GL account mapping`,
        mappingKeys: line.costType ? [f3Key.cost(line.costCode, line.costType), f3Key.cost(line.costCode, null)] : [f3Key.cost(line.costCode, null)],
      });
      continue;
    }
    // Construction: the Procore cost code is the Intacct task, the line item type its cost type.
    const dims: LineDimensions = {
      ...project.dims,
      ...(mapping.departmentId ? { departmentId: mapping.departmentId } : {}),
      taskId: line.costCode,
      ...(line.costType ? { costTypeId: line.costType } : {}),
    };
    coded.push({
      line: { ...base, ...(withAccount ? { accountNo: mapping.accountNo } : {}), ...dims },
      origin: { costKey: f3Key.cost(mapping.costCode, mapping.costType), projectKey: project.key, costCode: line.costCode, costType: line.costType, accountFromSettings: false },
    });
  }
  return { coded, issues };
}

/** Intacct's own problems with the coded lines (unknown or inactive values), in finance words. */
function validate(key: string, vendor: { vendorId: string; procoreVendor: { id: string; name: string } }, coded: readonly Coded[], projectName: string, ctx: PlanContext, itemSetting: boolean): Issue[] {
  // Lines kept at zero are not checked again: they were valid when posted and move no money.
  const checked = coded.filter((c) => !(c.line.amount === '0.00' && !c.line.retainage && c.origin.costKey === null && !c.origin.accountFromSettings));
  const doc: ValidatableDocument = {
    key,
    vendorId: vendor.vendorId,
    lines: checked.map((c) => {
      const picked: LineDimensions & { accountNo?: string } = {};
      for (const field of ['accountNo', 'locationId', 'departmentId', 'projectId', 'taskId', 'costTypeId', 'classId', 'itemId'] as const) {
        const value = c.line[field];
        if (value) picked[field] = value;
      }
      return picked;
    }),
  };
  const issues = checkDocument(doc, ctx.reference).map((p) => explain(p, p.lineIndex === null ? null : checked[p.lineIndex]!, vendor.procoreVendor, projectName, itemSetting));
  const unique = new Map(issues.map((i) => [i.message, i]));
  return [...unique.values()];
}

function state(p: PostingProblem): string {
  return p.kind === 'inactive' ? 'which is inactive in Intacct' : 'which does not exist in Intacct';
}

function explain(p: PostingProblem, line: Coded | null, procoreVendor: { id: string; name: string }, projectName: string, itemSetting: boolean): Issue {
  const o = line?.origin;
  const cost = o ? costWords(o.costCode, o.costType) : '';
  const costKeys = o?.costKey ? [o.costKey] : [];
  switch (p.field) {
    case 'VENDORID':
      return { code: 'vendor-not-in-target', message: `Procore vendor ${procoreVendor.name} is linked to Intacct vendor ${p.value}, ${state(p)}`, mappingKeys: [f3Key.vendor(procoreVendor.id)] };
    case 'ACCOUNTNO':
      return o?.accountFromSettings
        ? { code: 'missing-gl-account', message: `The retainage payable account ${p.value} (a Sage Intacct connection setting) is ${p.kind === 'inactive' ? 'inactive' : 'missing'} in Intacct`, mappingKeys: [] }
        : { code: 'unmapped-cost', message: `${cost} maps to GL ${p.value}, ${state(p)}`, mappingKeys: costKeys };
    case 'DEPARTMENTID':
      return { code: 'unmapped-cost', message: `${cost} maps to department ${p.value}, ${state(p)}`, mappingKeys: costKeys };
    case 'PROJECTID':
    case 'LOCATIONID':
    case 'CLASSID': {
      const what = p.field === 'PROJECTID' ? 'project' : p.field === 'LOCATIONID' ? 'location' : 'class';
      return { code: 'unmapped-project', message: `Procore project ${projectName} maps to Intacct ${what} ${p.value}, ${state(p)}`, mappingKeys: o ? [o.projectKey] : [] };
    }
    case 'TASKID':
      return {
        code: 'cost-code-not-in-project',
        message: `Cost code ${p.value} is ${p.kind === 'inactive' ? 'an inactive task' : 'not a task'} of the Intacct project of Procore project ${projectName}`,
        mappingKeys: o ? [o.projectKey] : [],
      };
    case 'COSTTYPEID':
      return { code: 'unknown-line-item-type', message: `Cost type ${p.value} is not ${p.kind === 'inactive' ? 'active' : 'set up'} under task ${o?.costCode ?? ''} of the Intacct project of Procore project ${projectName}`, mappingKeys: costKeys };
    case 'ITEMID':
      return { code: 'target-rejected', message: `The item on commitment lines, ${p.value}${itemSetting ? ' (a Sage Intacct connection setting)' : ''}, ${state(p)}`, mappingKeys: [] };
    default:
      return { code: 'target-rejected', message: p.message, mappingKeys: [] };
  }
}

const asIssues = (issues: readonly Issue[], sourceLineId?: string): ValidationIssue[] => issues.map((i) => ({ ...i, ...(sourceLineId ? { sourceLineId } : {}) }));

// ---- commitments ------------------------------------------------------------------------------------

function changeOrderOrder(a: ProcoreCommitmentChangeOrder, b: ProcoreCommitmentChangeOrder): number {
  return a.number.localeCompare(b.number, undefined, { numeric: true }) || a.sourceId.localeCompare(b.sourceId);
}

/**
 * The lines a commitment's document should carry: its schedule of values, each approved change
 * order line added to the first line with the same cost code and cost type (an amendment of that
 * line), or a line of its own for a new coding.
 */
function commitmentLines(record: CommitmentRecord, policy: F3Policy): WantedLine[] | Issue {
  const c = record.commitment;
  const lines: WantedLine[] = [...c.lines]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.sourceLineId.localeCompare(b.sourceLineId))
    .map((l) => ({ ref: `sov:${l.sourceLineId}`, description: l.description, amount: money(l.amount), costCode: l.costCode, costType: l.lineItemTypeCode }));
  const approved = record.changeOrders.filter((co) => co.commitmentId === c.sourceId && policy.changeOrderStatuses.includes(co.status.toLowerCase())).sort(changeOrderOrder);
  for (const co of approved) {
    if (co.lines === null)
      return { code: 'no-lines', message: `Change order ${co.number} on ${commitmentLabel(c)} came from Procore without its lines, so its ${co.grandTotal} cannot be coded`, mappingKeys: [] };
    for (const l of co.lines) {
      const same = lines.find((w) => w.costCode === l.costCode && w.costType === l.lineItemTypeCode);
      if (same) same.amount = same.amount.plus(money(l.amount));
      else lines.push({ ref: `co:${l.costCode}|${l.lineItemTypeCode ?? ''}`, description: `${l.description} (change order ${co.number})`, amount: money(l.amount), costCode: l.costCode, costType: l.lineItemTypeCode });
    }
  }
  return lines;
}

/** The document a commitment posted as before, if any (its type stays: a second document is never created). */
export function previousCommitmentDocument(previous: ReadonlyMap<string, PlannedDocument>, commitmentId: string): PlannedDocument | undefined {
  return previous.get(documentKey.commitment(commitmentId));
}

/**
 * A commitment → its one Intacct document. `previous` is the document as last posted (its type
 * and line numbers win over the current setting); `zero` plans every line at 0.00 (a commitment
 * deleted in Procore, policy "zero").
 */
export function planCommitment(record: CommitmentRecord, previous: PlannedDocument | undefined, ctx: PlanContext, zero = false): PlanResult<PlannedDocument> {
  const c = record.commitment;
  const label = commitmentLabel(c);
  const key = documentKey.commitment(c.sourceId);
  const entity = previous?.entity ?? (ctx.policy.commitmentDocument === 'purchasing' ? 'intacct-purchasing' : ctx.policy.commitmentDocument === 'draft-bill' ? 'intacct-bill' : 'intacct-journal');
  const issues: Issue[] = [];
  if (c.lines.length === 0 && !previous) issues.push({ code: 'no-lines', message: `${label} has no schedule of values lines in Procore`, mappingKeys: [] });
  const wanted = commitmentLines(record, ctx.policy);
  if (!Array.isArray(wanted)) issues.push(wanted);
  const projectName = ctx.projectNames.get(c.projectId) ?? `(id ${c.projectId})`;
  const project = projectCoding(c.projectId, projectName, ctx);
  const vendor = vendorCoding(c.vendor, label, ctx);
  if ('code' in project) issues.push(project);
  if ('code' in vendor) issues.push(vendor);
  if (entity === 'intacct-purchasing' && !ctx.policy.purchasingItemId)
    issues.push({ code: 'target-rejected', message: 'Commitments post as purchasing transactions, whose lines need an item: set "Item on commitment lines" on the Sage Intacct connection', mappingKeys: [] });
  if (entity === 'intacct-journal' && !ctx.policy.journalOffsetAccountNo)
    issues.push({ code: 'missing-gl-account', message: 'Commitments post as journal entries, which need an offset account: set "Commitments offset account" on the Sage Intacct connection', mappingKeys: [] });
  if (issues.length > 0 || 'code' in project || 'code' in vendor || !Array.isArray(wanted)) return { ok: false, issues: asIssues(issues) };

  const numbered = numberLines(zero ? [] : wanted, previous?.postingLines, previous?.retainageLineNo);
  const withAccount = entity !== 'intacct-purchasing';
  const { coded, issues: codingIssues } = codeLines(numbered, project, ctx, withAccount);
  if (codingIssues.length > 0) return { ok: false, issues: asIssues(dedupe(codingIssues)) };
  const itemId = ctx.policy.purchasingItemId ?? undefined;
  const postingLines = coded.map((x) => (entity === 'intacct-purchasing' && itemId ? { ...x.line, itemId } : x.line));
  const validation = validate(key, { vendorId: vendor.vendorId, procoreVendor: c.vendor! }, coded.map((x, i) => ({ ...x, line: postingLines[i]! })), projectName, ctx, true);
  if (entity === 'intacct-journal') validation.push(...journalAccountIssues(ctx));
  if (validation.length > 0) return { ok: false, issues: asIssues(validation) };

  const header: DocumentHeader = {
    vendorId: vendor.vendorId,
    vendorName: vendor.vendorName,
    date: c.contractDate ?? c.sourceVersion.slice(0, 10),
    number: c.number,
    reference: c.number,
    description: c.title,
    ...(project.dims.projectId ? { projectId: project.dims.projectId } : {}),
  };
  const base = { originId: key, sourceId: c.sourceId, containerId: COMPANY, currency: ctx.policy.currency, kind: 'commitment' as const, header };
  if (entity === 'intacct-journal') return { ok: true, writes: [journalDocument(base, postingLines, ctx.policy)] };
  const total = sum(postingLines.map((l) => money(l.amount))).toMoneyString();
  const lines = postingLines.map((l) => ({ originId: `L${l.lineNo}`, amount: l.amount }));
  if (entity === 'intacct-bill') return { ok: true, writes: [{ ...base, entity, draft: true, postingLines, total, lines }] };
  return { ok: true, writes: [{ ...base, entity, transactionType: ctx.policy.transactionTypes[c.commitmentType], postingLines, total, lines }] };
}

function journalAccountIssues(ctx: PlanContext): Issue[] {
  const offset = ctx.policy.journalOffsetAccountNo;
  if (!offset) return [];
  const found = ctx.reference.get('GLACCOUNT', offset);
  if (found?.active) return [];
  return [{ code: 'missing-gl-account', message: `The commitments offset account ${offset} (a Sage Intacct connection setting) is ${found ? 'inactive' : 'missing'} in Intacct`, mappingKeys: [] }];
}

/**
 * A journal entry: each line on its job cost account (debit, or credit for a reduction), the
 * total against the offset account; lines at zero are left out (a journal line must move money).
 */
function journalDocument(base: Omit<PlannedDocument, 'entity' | 'postingLines' | 'total' | 'lines'>, postingLines: PostingLine[], policy: F3Policy): PlannedDocument {
  const net = sum(postingLines.map((l) => money(l.amount)));
  const signed = postingLines.filter((l) => !money(l.amount).isZero()).map((l) => money(l.amount));
  if (!net.isZero()) signed.push(net.negate());
  const debits = sum(signed.filter((a) => !a.isNegative()));
  return {
    ...base,
    entity: 'intacct-journal',
    journal: { symbol: policy.journalSymbol, offsetAccountNo: policy.journalOffsetAccountNo! },
    postingLines,
    total: debits.toMoneyString(),
    lines: signed.map((a, i) => ({ originId: `E${i + 1}`, amount: a.toMoneyString() })),
  };
}

function dedupe(issues: readonly Issue[]): Issue[] {
  return [...new Map(issues.map((i) => [i.message, i])).values()];
}

// ---- pay applications ---------------------------------------------------------------------------------

/**
 * A pay application → one AP bill: a line per G703 line billed this period, coded like its
 * commitment line; retainage per setting (gross: full amounts; net: less retainage; separate
 * line: full amounts and a credit to retainage payable, so the bill is what is payable now);
 * retainage released this period is paid out with it.
 */
export function planPayApplication(record: RequisitionRecord, previous: PlannedDocument | undefined, ctx: PlanContext): PlanResult<PlannedDocument> {
  const r = record.requisition;
  const label = payApplicationLabel(r);
  const key = documentKey.payApplication(r.sourceId);
  const policy = ctx.policy;
  const issues: Issue[] = [];
  const projectName = ctx.projectNames.get(r.projectId) ?? `(id ${r.projectId})`;
  const project = projectCoding(r.projectId, projectName, ctx);
  const vendor = vendorCoding(r.vendor, label, ctx);
  if ('code' in project) issues.push(project);
  if ('code' in vendor) issues.push(vendor);
  if ('code' in project || 'code' in vendor) return { ok: false, issues: asIssues(issues) };

  const wanted: WantedLine[] = [];
  let released = Decimal.ZERO;
  let claimed = Decimal.ZERO;
  let retained = Decimal.ZERO;
  for (const l of r.lines) {
    const billed = money(l.billedThisPeriod);
    const held = money(l.retainageRetainedThisPeriod).plus(money(l.materialsRetainageRetained));
    const release = money(l.retainageReleasedThisPeriod);
    claimed = claimed.plus(billed);
    retained = retained.plus(held);
    released = released.plus(release);
    const amount = policy.retainage === 'net' ? billed.plus(release) : billed;
    if (amount.isZero() && held.isZero()) continue;
    wanted.push({
      ref: `g703:${l.sourceLineId}`,
      description: l.description || l.costCodeName,
      amount,
      ...(policy.retainage === 'gross' ? {} : { retainage: held }),
      costCode: l.costCode,
      costType: record.costTypes[l.sourceLineId] ?? null,
    });
  }
  if (policy.retainage === 'separate-line' && !released.isZero())
    wanted.push({ ref: 'release', description: 'Retainage released', amount: released, costCode: null, costType: null, accountNo: policy.retainageAccountNo! });
  if (wanted.length === 0 && !previous) return { ok: true, writes: [] };

  const expected = policy.retainage === 'gross' ? claimed : claimed.minus(retained).plus(released);
  const procoreTotal = policy.retainage === 'gross' ? money(r.totalClaimed) : money(r.netPayable);
  if (!expected.equals(procoreTotal))
    return {
      ok: false,
      issues: asIssues([{ code: 'source-unreadable', message: `${label}: its G703 lines add up to ${expected.toMoneyString()}, but Procore shows ${procoreTotal.toMoneyString()} ${policy.retainage === 'gross' ? 'claimed' : 'payable'}`, mappingKeys: [] }]),
    };

  const numbered = numberLines(wanted, previous?.postingLines, previous?.retainageLineNo);
  const { coded, issues: codingIssues } = codeLines(numbered, project, ctx, true);
  if (codingIssues.length > 0) return { ok: false, issues: asIssues(dedupe(codingIssues)) };
  const postingLines = coded.map((x) => x.line);
  const validation = validate(key, { vendorId: vendor.vendorId, procoreVendor: r.vendor! }, coded, projectName, ctx, false);
  if (policy.retainage === 'separate-line') {
    const account = ctx.reference.get('GLACCOUNT', policy.retainageAccountNo!);
    if (!retained.isZero() && !account?.active)
      validation.push({ code: 'missing-gl-account', message: `The retainage payable account ${policy.retainageAccountNo!} (a Sage Intacct connection setting) is ${account ? 'inactive' : 'missing'} in Intacct`, mappingKeys: [] });
  }
  if (validation.length > 0) return { ok: false, issues: asIssues(dedupe(validation)) };

  // What Intacct will hold per LINE_NO: net lines less their retainage, the retainage credit line.
  const posted = postingLines.map((l) => ({ lineNo: l.lineNo, amount: policy.retainage === 'net' ? money(l.amount).minus(money(l.retainage ?? '0')) : money(l.amount) }));
  const withheld = sum(postingLines.map((l) => money(l.retainage ?? '0')));
  let retainageLineNo = previous?.retainageLineNo;
  if (policy.retainage === 'separate-line' && (!withheld.isZero() || retainageLineNo !== undefined)) {
    retainageLineNo ??= postingLines.length + 1;
    posted.push({ lineNo: retainageLineNo, amount: withheld.negate() });
  }
  const date = r.billingDate ?? r.periodEnd ?? r.sourceVersion.slice(0, 10);
  const dueDate = addDays(date, policy.billDueDays);
  // A billing date near 9999-12-31 has no due date Intacct can hold (found by the planted records, issue 18).
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate))
    return {
      ok: false,
      issues: asIssues([{ code: 'source-unreadable', message: `${label}: its billing date ${date} leaves no due date ${policy.billDueDays} days later that Sage Intacct can hold. Correct the billing date in Procore`, mappingKeys: [] }]),
    };
  const period = r.periodStart && r.periodEnd ? ` for ${r.periodStart} to ${r.periodEnd}` : '';
  return {
    ok: true,
    writes: [
      {
        entity: 'intacct-bill',
        kind: 'pay-application',
        originId: key,
        sourceId: r.sourceId,
        containerId: COMPANY,
        currency: policy.currency,
        header: {
          vendorId: vendor.vendorId,
          vendorName: vendor.vendorName,
          date,
          dueDate,
          number: r.invoiceNumber ?? `${r.commitmentNumber ?? r.commitmentId}-${r.number}`,
          reference: `${r.commitmentNumber ?? r.commitmentId} #${r.number}`,
          description: `Pay application #${r.number}${r.commitmentNumber ? ` on ${r.commitmentNumber}` : ''}${period}`,
          ...(project.dims.projectId ? { projectId: project.dims.projectId } : {}),
        },
        postingLines,
        ...(retainageLineNo !== undefined ? { retainageLineNo } : {}),
        total: sum(posted.map((p) => p.amount)).toMoneyString(),
        lines: posted.sort((a, b) => a.lineNo - b.lineNo).map((p) => ({ originId: `L${p.lineNo}`, amount: p.amount.toMoneyString() })),
      },
    ],
  };
}

/**
 * A commitment deleted in Procore, policy "zero": its document keeps every line at 0.00 (nothing
 * is deleted in Intacct). Journals cannot hold zero lines, so they are left as they are.
 */
export function zeroDocument(plan: PlannedDocument): PlannedDocument {
  const postingLines = plan.postingLines.map((l) => ({ ...l, amount: '0.00', ...(l.retainage ? { retainage: '0.00' } : {}) }));
  return {
    ...plan,
    header: { ...plan.header, description: `Deleted in Procore: ${plan.header.description}` },
    postingLines,
    total: '0.00',
    lines: [...postingLines.map((l) => ({ originId: `L${l.lineNo}`, amount: '0.00' })), ...(plan.retainageLineNo !== undefined ? [{ originId: `L${plan.retainageLineNo}`, amount: '0.00' }] : [])].sort((a, b) => Number(a.originId.slice(1)) - Number(b.originId.slice(1))),
  };
}
