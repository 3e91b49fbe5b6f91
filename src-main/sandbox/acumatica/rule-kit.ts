import { Decimal } from '../../../src-shared/domain/money';
import type { EntityTable } from './entity-table';
import { fieldEquals } from './odata-filter';
import { isoFromMs, type Scalar, type StoredNode, type StoredRecord } from './schema';

/**
 * What every entity's business rules share: the per-field error collector behind the 422 echo
 * (fact sheet 1.9), the context a rule reads the tenant through, and the coding checks of
 * document lines (account, subaccount, project, project task, cost code) that bills, purchase
 * orders, subcontracts, change orders and external commitments all make.
 */

/** Entity name → its table. */
export type Tables = Record<string, EntityTable>;

/** Another record a rule changed and that must be saved in the same transaction. */
export interface Related {
  entity: string;
  record: StoredRecord;
}

export class EntityErrors {
  /** Top-level field → message. */
  readonly fields = new Map<string, string>();
  /** Detail line or linked entity id → field → message. */
  readonly nodes = new Map<string, Map<string, string>>();
  readonly entity: string[] = [];

  field(name: string, message: string): void {
    if (!this.fields.has(name)) this.fields.set(name, message);
  }

  node(nodeId: string, name: string, message: string): void {
    let m = this.nodes.get(nodeId);
    if (!m) this.nodes.set(nodeId, (m = new Map()));
    if (!m.has(name)) m.set(name, message);
  }

  get any(): boolean {
    return this.fields.size > 0 || this.nodes.size > 0 || this.entity.length > 0;
  }
}

/** What the request actually sent, so derived fields follow the caller's intent. */
export interface SentTree {
  fields: Set<string>;
  /** Collection name → line id → what that line sent. */
  lines: Map<string, Map<string, SentTree>>;
  linked: Map<string, SentTree>;
}

export function emptySent(): SentTree {
  return { fields: new Set(), lines: new Map(), linked: new Map() };
}

export interface RuleContext {
  tables: Tables;
  /** The instant of the request (simulator clock). */
  now: number;
  /** Midnight of the business date (`PX-CbApiBusinessDate`, else the simulator's today). */
  today: string;
  branch: string;
  currency: string;
  /** Closed financial periods as "MMYYYY" (Acumatica's PostPeriod form, shown as MM-YYYY). */
  closedPeriods: Set<string>;
  nextNumber(sequence: string, prefix: string): string;
  newGuid(): string;
}

export function table(ctx: RuleContext, entity: string): EntityTable {
  const t = ctx.tables[entity];
  if (!t) throw new Error(`acumatica: no table for ${entity}`);
  return t;
}

export function find(ctx: RuleContext, entity: string, keys: readonly Scalar[]): StoredRecord | undefined {
  if (keys.some((k) => k === null || k === undefined || k === '')) return undefined;
  return table(ctx, entity).byKeys(keys);
}

/** Acumatica's selector message for a value that is not in the list (ErrorMessages.ValueDoesntExist). */
export const NOT_FOUND = (displayName: string): string => `'${displayName}' cannot be found in the system.`;
export const EMPTY = (displayName: string): string => `'${displayName}' cannot be empty.`;

export function isBlank(value: Scalar | undefined): value is null | undefined | '' {
  return value === null || value === undefined || value === '';
}

export const money = (value: Scalar | undefined): Decimal => Decimal.parse(String(value ?? '0'));

/** "2026-01-15T…" → "012026" (MMYYYY). */
export function postPeriodOf(isoDate: string): string {
  return `${isoDate.slice(5, 7)}${isoDate.slice(0, 4)}`;
}

/** The closed-period message for a date, or null when its period is open. */
export function closedPeriodMessage(ctx: RuleContext, isoDate: string): string | null {
  const period = postPeriodOf(isoDate);
  if (!ctx.closedPeriods.has(period)) return null;
  return `The ${period.slice(0, 2)}-${period.slice(2)} financial period is closed in the AP module.`;
}

/**
 * A vendor a document may be entered for, or the message that refuses it. Vendor statuses
 * (AP303000): Inactive and On Hold vendors take no new documents, Hold Payments vendors take no
 * payments. The wording is this sandbox's (unconfirmed).
 */
export function checkVendor(
  ctx: RuleContext,
  vendorId: Scalar | undefined,
  purpose: 'document' | 'payment' = 'document',
): { vendor: StoredRecord } | { message: string } {
  if (isBlank(vendorId)) return { message: EMPTY('Vendor') };
  const vendor = find(ctx, 'Vendor', [vendorId]);
  if (!vendor) return { message: NOT_FOUND('Vendor') };
  const status = String(vendor.values.Status ?? 'Active');
  const id = String(vendor.values.VendorID);
  if (status === 'Inactive') return { message: `The vendor '${id}' is inactive.` };
  if (status === 'On Hold') return { message: `The vendor '${id}' is on hold.` };
  if (status === 'Hold Payments' && purpose === 'payment')
    return { message: `Payments to the vendor '${id}' are on hold.` };
  return { vendor };
}

/** Field names of a line's coding; each entity names them differently (Subcontract lines say `Task`). */
export interface CodingFields {
  account?: string;
  subaccount?: string;
  project?: string;
  task?: string;
  costCode?: string;
}

/** Acumatica's non-project code: lines not posted to a project carry it. */
export const NON_PROJECT = 'X';

/**
 * Validates (and defaults) the coding of one line: the GL account and subaccount must exist and
 * be active; a project line needs a task of that project (the project's default task when none
 * is given) and a cost code that exists. `report(field, message)` files the error on the line.
 */
export function checkCoding(
  ctx: RuleContext,
  line: StoredNode,
  names: CodingFields,
  report: (field: string, message: string) => void,
  options: { requireAccount?: boolean; project?: Scalar } = {},
): void {
  const v = line.values;
  if (names.account) {
    const code = v[names.account];
    if (isBlank(code)) {
      if (options.requireAccount) report(names.account, EMPTY('Account'));
    } else {
      const account = find(ctx, 'Account', [code]);
      if (!account) report(names.account, NOT_FOUND('Account'));
      // Wording is this sandbox's (unconfirmed).
      else if (account.values.Active === false)
        report(names.account, `The account '${String(code)}' is inactive.`);
    }
  }
  if (names.subaccount) {
    const code = v[names.subaccount];
    if (!isBlank(code)) {
      const sub = find(ctx, 'Subaccount', [code]);
      if (!sub) report(names.subaccount, NOT_FOUND('Subaccount'));
      else if (sub.values.Active === false)
        report(names.subaccount, `The subaccount '${String(code)}' is inactive.`);
    }
  }
  const project = names.project ? v[names.project] : options.project;
  const isProjectLine = !isBlank(project) && project !== NON_PROJECT;
  if (isProjectLine && !find(ctx, 'Project', [project])) {
    report(names.project ?? 'Project', NOT_FOUND('Project'));
    return;
  }
  if (names.task) {
    const task = v[names.task];
    if (!isProjectLine) {
      if (!isBlank(task)) report(names.task, NOT_FOUND('Project Task'));
    } else if (isBlank(task)) {
      const fallback = defaultTask(ctx, String(project));
      if (fallback) v[names.task] = fallback;
      else report(names.task, EMPTY('Project Task'));
    } else if (!find(ctx, 'ProjectTask', [project, task])) {
      report(names.task, NOT_FOUND('Project Task'));
    }
  }
  if (names.costCode) {
    const code = v[names.costCode];
    if (!isBlank(code) && !find(ctx, 'CostCode', [code])) report(names.costCode, NOT_FOUND('Cost Code'));
  }
}

function defaultTask(ctx: RuleContext, projectId: string): string | null {
  const task = table(ctx, 'ProjectTask')
    .query(fieldEquals('ProjectID', projectId))
    .find((t) => t.values.Default === true);
  return task ? String(task.values.ProjectTaskID) : null;
}

/** `Qty × UnitCost` when the caller priced the line that way, else the amount it sent (one rounding to the cent). */
export function priceLine(
  values: Record<string, Scalar>,
  sent: Set<string> | undefined,
  names: { qty: string; unitCost: string; amount: string; alsoAmount?: string },
): Decimal {
  const sentPricing = sent?.has(names.qty) || sent?.has(names.unitCost);
  const sentAmount =
    sent?.has(names.amount) || (names.alsoAmount !== undefined && sent?.has(names.alsoAmount));
  if (sentPricing || (!sentAmount && isBlank(values[names.amount]))) {
    const qty = Decimal.parse(String(values[names.qty] ?? '1'));
    const unitCost = Decimal.parse(String(values[names.unitCost] ?? '0'));
    values[names.qty] = qty.toString();
    values[names.unitCost] = unitCost.toString();
    values[names.amount] = qty.times(unitCost, 2).toMoneyString();
  } else if (sentAmount) {
    const given =
      names.alsoAmount !== undefined && sent?.has(names.alsoAmount) && !sent.has(names.amount)
        ? values[names.alsoAmount]
        : values[names.amount];
    const amount = Decimal.parse(String(given ?? '0')).roundToCents();
    values[names.amount] = amount.toMoneyString();
    values[names.qty] = '1';
    values[names.unitCost] = amount.toMoneyString();
  }
  return Decimal.parse(String(values[names.amount] ?? '0'));
}

/** Line numbers for lines that have none yet, after the highest one in use. */
export function numberLines(lines: StoredNode[], field = 'LineNbr'): void {
  let next = lines.reduce((max, line) => Math.max(max, Number(line.values[field] ?? 0)), 0) + 1;
  for (const line of lines) if (isBlank(line.values[field])) line.values[field] = next++;
}

/** A record's lines of one collection (created empty when missing). */
export function linesOf(record: StoredNode, collection: string): StoredNode[] {
  return ((record.collections ??= {})[collection] ??= []);
}

/** `Decimal.sum` of one field over lines, as money. */
export function sumMoney(lines: readonly StoredNode[], field: string): Decimal {
  return lines.reduce((total, line) => total.plus(money(line.values[field])), Decimal.ZERO);
}

/** A deep copy to change and save (records read from a table are shared with its cache). */
export function cloneRecord(record: StoredRecord): StoredRecord {
  return structuredClone(record);
}

/** Days of a terms code like "30D" (the demo tenant's terms); other codes: due on the document date. */
export function termsDays(terms: Scalar | undefined): number {
  const m = /^(\d+)D$/i.exec(String(terms ?? ''));
  return m ? Number(m[1]) : 0;
}

export function addDays(isoDate: string, days: number): string {
  const ms = Date.parse(isoDate) + days * 86_400_000;
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** What a PUT changes: whether it inserts, what it sent, and the record as it was before. */
export interface Change {
  isNew: boolean;
  sent: SentTree;
  previous: StoredRecord | undefined;
}

/** A failure while an action runs: reported as the operation's 500 (fact sheet 1.7). */
export class ActionError extends Error {}

export interface ActionDefinition {
  /** Checked when the action is invoked; a message refuses it at once (the action is disabled). */
  precheck(ctx: RuleContext, record: StoredRecord): string | null;
  /** The work, run when the operation completes; throws ActionError. `processed` = the Location target. */
  run(ctx: RuleContext, record: StoredRecord): { save: Related[]; processed: Related };
}

/** One entity's behaviour on PUT, DELETE and actions. */
export interface EntityRules {
  /** Defaults, validation (into `errors`) and derived values; returns other records to save too. */
  save?(ctx: RuleContext, record: StoredRecord, change: Change, errors: EntityErrors): Related[];
  /** null = the record may be deleted; else why not. Without it, DELETE is not modelled. */
  deletable?(ctx: RuleContext, record: StoredRecord): string | null;
  afterDelete?(ctx: RuleContext, record: StoredRecord): Related[];
  actions?: Record<string, ActionDefinition>;
  /** Actions of the contract (OpenAPI `/{Entity}/{Action}` paths) this sandbox does not model. */
  unmodelledActions?: readonly string[];
}

/** An action that moves a record between two statuses by its Hold flag or Status (Subcontract, ChangeOrder, ProjectTask). */
export function statusAction(
  entity: string,
  from: readonly string[],
  to: { Status: string; Hold?: boolean },
): ActionDefinition {
  return {
    precheck: (_ctx, record) =>
      from.includes(String(record.values.Status))
        ? null
        : `The action cannot be performed on a ${entity} with the ${String(record.values.Status)} status.`,
    run: (ctx, record) => {
      const updated = cloneRecord(record);
      updated.values.Status = to.Status;
      if (to.Hold !== undefined) updated.values.Hold = to.Hold;
      updated.values.LastModifiedDateTime = isoFromMs(ctx.now);
      return { save: [{ entity, record: updated }], processed: { entity, record: updated } };
    },
  };
}
