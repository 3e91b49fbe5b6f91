/**
 * Pure conversions between the connector's public types and Acumatica's wire shapes (fact sheet
 * 1.5–1.9), and the plain-language explanations of refusals. No I/O here.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { JsonDecimal } from './json-text';
import type {
  AcumaticaAccount,
  AcumaticaAddress,
  AcumaticaBranch,
  AcumaticaChangeOrder,
  AcumaticaCommitment,
  AcumaticaContact,
  AcumaticaCostCode,
  AcumaticaPayment,
  AcumaticaProject,
  AcumaticaProjectTask,
  AcumaticaReference,
  AcumaticaSubaccount,
  AcumaticaVendor,
  BillInput,
  BillLineInput,
  BillType,
  BillUpdate,
  CommitmentLine,
  FieldProblem,
  FoundBill,
  FoundBillLine,
  PaymentApplication,
  RetainageMode,
  SubcontractInput,
  VendorInput,
} from './types';
import type {
  SendBody,
  Wire,
  WireAccount,
  WireBill,
  WireBillDetail,
  WireChangeOrder,
  WireCheck,
  WireCheckApplication,
  WireCompaniesStructureRow,
  WireContact,
  WireCostCode,
  WireEntity,
  WireHttpError,
  WireOrder,
  WireOrderLine,
  WireProject,
  WireProjectTask,
  WireSubaccount,
  WireVendor,
} from './wire';

/** The input a local check refused; nothing was sent. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

// ---- wire values ---------------------------------------------------------------------------------

export const send = <T>(value: T | null): { value: T | null } => ({ value });
export const sendMoney = (amount: Decimal): { value: JsonDecimal } => ({
  value: new JsonDecimal(amount.toMoneyString()),
});
export const sendDecimal = (amount: Decimal): { value: JsonDecimal } => ({
  value: new JsonDecimal(amount.toString()),
});

/** The value of a wrapped field as text ('' and absent → null). */
export function text(field: Wire<unknown> | undefined): string | null {
  const value = field?.value;
  if (value === undefined || value === null || value === '') return null;
  return String(value);
}

export function flag(field: Wire<boolean> | undefined): boolean {
  return field?.value === true;
}

/** A decimal field read with `parseJsonKeepingNumbers` (its literal digits), as a money string. */
export function moneyOf(field: Wire<string> | undefined): string {
  const raw = text(field);
  return raw === null ? '0.00' : Decimal.parse(raw).toMoneyString();
}

export function decimalOf(field: Wire<string> | undefined): string {
  const raw = text(field);
  return raw === null ? '0' : Decimal.parse(raw).toString();
}

function intOf(field: Wire<string> | undefined): number | null {
  const raw = text(field);
  return raw !== null && /^-?\d+$/.test(raw) ? Number(raw) : null;
}

/** "2026-01-15T00:00:00+00:00" → "2026-01-15"; Acumatica dates carry no meaningful time. */
export function dateOf(field: Wire<string> | undefined): string | null {
  const raw = text(field);
  return raw === null ? null : raw.slice(0, 10);
}

/** Amount text from a caller: plain decimal, at most two decimals (never rounded silently). */
export function parseAmount(value: string, what: string): Decimal {
  let amount: Decimal;
  try {
    amount = Decimal.parse(value);
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
  if (!amount.equals(amount.roundToCents()))
    throw new InvalidInputError(
      `${what} ${value} has fractions of a cent; round it to two decimals at the source.`,
    );
  return amount;
}

function parsePercent(value: string, what: string): Decimal {
  let pct: Decimal;
  try {
    pct = Decimal.parse(value);
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
  if (pct.isNegative() || pct.compare(Decimal.parse('100')) > 0)
    throw new InvalidInputError(`${what} ${value} is not a percentage from 0 to 100.`);
  return pct;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(value: string, what: string): string {
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new InvalidInputError(`${what} "${value}" is not a date like 2026-01-15.`);
  return value;
}

/** OData string literal: quotes doubled (1.6). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `LastModifiedDateTime ge datetimeoffset'…'` (1.6): `ge`, so a change at the same instant is not lost. */
export function modifiedSinceFilter(iso: string, field = 'LastModifiedDateTime'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidInputError(`modifiedSince "${iso}" is not an ISO instant.`);
  return `${field} ge datetimeoffset'${new Date(ms).toISOString().replace('Z', '+00:00')}'`;
}

export function andFilters(parts: readonly (string | null | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => !!p);
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : present.map((p) => `(${p})`).join(' and ');
}

export function anyOf(field: string, values: readonly string[]): string {
  return values.map((v) => `${field} eq ${odataString(v)}`).join(' or ');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- sessions ------------------------------------------------------------------------------------

/**
 * Cookies from a login answer's Set-Cookie (the kit joins repeated headers with ", "; an
 * `expires=Thu, 01 Jan …` attribute also holds a comma, so split only before `name=`).
 */
export function parseSetCookie(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(/,(?=\s*[^;,\s=]+=)/)) {
    const pair = part.split(';')[0]?.trim() ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value) cookies.set(name, value);
    else cookies.delete(name);
  }
  return cookies;
}

export function cookieHeader(cookies: ReadonlyMap<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * A `Location` header against the instance URL: an absolute path already carries the site's
 * `/{instanceName}` (1.1), a relative one is below the instance URL.
 */
export function resolveLocation(location: string, instanceUrl: string): string {
  const base = instanceUrl.endsWith('/') ? instanceUrl : `${instanceUrl}/`;
  return new URL(location, base).href;
}

// ---- errors in words -----------------------------------------------------------------------------

const FIELD_WORDS: Record<string, string> = {
  Vendor: 'vendor',
  VendorID: 'vendor',
  VendorRef: 'vendor reference',
  VendorName: 'vendor name',
  Type: 'document type',
  Date: 'date',
  DueDate: 'due date',
  PostPeriod: 'financial period',
  BranchID: 'branch',
  Branch: 'branch',
  Account: 'account',
  Subaccount: 'subaccount',
  Project: 'project',
  ProjectID: 'project',
  ProjectTask: 'project task',
  ProjectTaskID: 'project task',
  Task: 'project task',
  CostCode: 'cost code',
  ExtendedCost: 'amount',
  Amount: 'amount',
  Terms: 'terms',
  CurrencyID: 'currency',
  POOrderNbr: 'order number',
  Email: 'e-mail',
};

const SYSTEM_MEMBERS = new Set(['id', 'rowNumber', 'note', 'custom', 'error', 'files', '_links', 'delete']);
/** Acumatica's entity-level summary when the real errors are on the fields. */
const GENERIC_ENTITY_ERROR = /raised at least one error|please review the errors/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every error of a 422 echo (1.9): field errors on the record, on each detail line and on linked
 * entities, custom fields, and the entity-level message when no field carries one (1.11: clients
 * that read only the top level lose the line errors).
 */
export function collectProblems(echo: WireEntity): FieldProblem[] {
  const out: FieldProblem[] = [];
  walk(echo, '', out);
  const hasSpecific = out.length > 0;
  if (typeof echo.error === 'string' && echo.error && !(hasSpecific && GENERIC_ENTITY_ERROR.test(echo.error)))
    out.unshift({ path: '', message: echo.error });
  return out;
}

function walk(node: Record<string, unknown>, prefix: string, out: FieldProblem[]): void {
  for (const [member, value] of Object.entries(node)) {
    if (member === 'custom' && isObject(value)) {
      for (const [view, fields] of Object.entries(value)) {
        if (!isObject(fields)) continue;
        for (const [field, wrapped] of Object.entries(fields))
          if (isObject(wrapped) && typeof wrapped.error === 'string')
            out.push({ path: `${prefix}${view}.${field}`, message: wrapped.error });
      }
      continue;
    }
    if (member === 'note' && isObject(value) && typeof value.error === 'string') {
      out.push({ path: `${prefix}note`, message: value.error });
      continue;
    }
    if (SYSTEM_MEMBERS.has(member)) continue;
    if (Array.isArray(value)) {
      value.forEach((line, i) => {
        if (!isObject(line)) return;
        const linePrefix = `${prefix}${member}[${i + 1}]`;
        const before = out.length;
        walk(line, `${linePrefix}.`, out);
        // A line's own `error` repeats its field errors; keep it only when it is all there is.
        if (out.length === before && typeof line.error === 'string' && line.error)
          out.push({ path: linePrefix, message: line.error });
      });
      continue;
    }
    if (!isObject(value)) continue;
    if (typeof value.error === 'string' && !('id' in value) && !('rowNumber' in value)) {
      out.push({ path: `${prefix}${member}`, message: value.error });
      continue;
    }
    if ('id' in value || 'rowNumber' in value) {
      const before = out.length;
      walk(value, `${prefix}${member}.`, out);
      if (out.length === before && typeof value.error === 'string' && value.error)
        out.push({ path: `${prefix}${member}`, message: value.error });
    }
  }
}

/** "Details[2].Account" → "line 2 account"; "MainContact.Email" → "main contact e-mail". */
export function describePath(path: string): string {
  if (!path) return '';
  return path
    .split('.')
    .map((part) => {
      const line = /^(\w+)\[(\d+)\]$/.exec(part);
      if (line)
        return line[1] === 'Details' || line[1] === 'Commitments'
          ? `line ${line[2]}`
          : `${line[1]} row ${line[2]}`;
      return FIELD_WORDS[part] ?? part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    })
    .join(' ');
}

/** One sentence: "<subject> was refused by Acumatica: line 2 account: …; line 3 subaccount: …". */
export function refusalSentence(
  subject: string,
  problems: readonly FieldProblem[],
  fallback: string,
): string {
  const parts = problems.map((p) => {
    const where = describePath(p.path);
    const message = p.message.trim().replace(/\.$/, '');
    return where ? `${where}: ${message}` : message;
  });
  const body = parts.length ? [...new Set(parts)].join('; ') : fallback.trim().replace(/\.$/, '');
  return `${subject} was refused by Acumatica: ${body}.`;
}

/** The message of a 400/500 body `{message, exceptionMessage}` (1.9), or a short quote of an HTML page. */
export function serverMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as WireHttpError & WireEntity;
    const message =
      parsed.exceptionMessage ??
      parsed.message ??
      (typeof parsed.error === 'string' ? parsed.error : undefined);
    if (message) return message.length > 400 ? `${message.slice(0, 400)}…` : message;
  } catch {
    // not JSON: IIS answers some failures with an HTML page (1.9)
  }
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  return title ? `HTTP ${status} (${title})` : `HTTP ${status}`;
}

// ---- reference data ------------------------------------------------------------------------------

export function accountFromWire(w: WireAccount): AcumaticaAccount | null {
  const code = text(w.AccountCD);
  if (!code) return null;
  return {
    code,
    description: text(w.Description) ?? '',
    type: text(w.Type),
    accountGroup: text(w.AccountGroup),
    active: w.Active?.value !== false,
  };
}

export function subaccountFromWire(w: WireSubaccount): AcumaticaSubaccount | null {
  const code = text(w.SubaccountCD);
  if (!code) return null;
  return { code, description: text(w.Description) ?? '', active: w.Active?.value !== false };
}

export function branchFromWire(w: WireCompaniesStructureRow): AcumaticaBranch | null {
  const code = text(w.BranchID);
  if (!code) return null;
  return { code, name: text(w.BranchName) ?? code, active: w.BranchStatus?.value !== false };
}

/** Costs post only to an Active project/task (Planned, On Hold, Completed, Cancelled… refuse them). */
const ACTIVE = 'Active';

export function projectFromWire(w: WireProject): AcumaticaProject | null {
  const projectId = text(w.ProjectID);
  if (!projectId) return null;
  const status = text(w.Status);
  return {
    projectId,
    description: text(w.Description) ?? '',
    status,
    active: status === ACTIVE && !flag(w.Hold),
    externalRef: text(w.ExternalRefNbr),
    tasks: new Map(),
  };
}

export function taskFromWire(w: WireProjectTask): { projectId: string; task: AcumaticaProjectTask } | null {
  const projectId = text(w.ProjectID);
  const taskId = text(w.ProjectTaskID);
  if (!projectId || !taskId) return null;
  const status = text(w.Status);
  return {
    projectId,
    task: {
      taskId,
      description: text(w.Description) ?? '',
      status,
      active: status === ACTIVE,
      isDefault: flag(w.Default),
    },
  };
}

export function costCodeFromWire(w: WireCostCode): AcumaticaCostCode | null {
  const code = text(w.CostCodeID);
  if (!code) return null;
  return { code, description: text(w.Description) ?? '', lastModified: text(w.LastModifiedDateTime) };
}

/** Acumatica's non-project code: a line that posts to no project carries it. */
export const NON_PROJECT = 'X';

/**
 * What makes a bill's coding unusable, checked against the reference read this run: every account,
 * subaccount and branch must exist and be active; on construction connections every project and
 * task must exist and be active, and every cost code exist. Empty = fine.
 */
export function codingProblems(
  bill: BillInput,
  reference: AcumaticaReference,
  construction: boolean,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (path: string, message: string): void => void out.push({ path, message });
  const checkBranch = (path: string, branch: string | undefined): void => {
    if (!branch || reference.branches === null) return;
    const found = reference.branches.get(branch);
    if (!found) add(path, `branch ${branch} does not exist in Acumatica`);
    else if (!found.active) add(path, `branch ${branch} is inactive in Acumatica`);
  };
  checkBranch('BranchID', bill.branch);
  if (construction && bill.project && bill.project !== NON_PROJECT) {
    const project = reference.projects.get(bill.project);
    if (!project) add('Project', `project ${bill.project} does not exist in Acumatica`);
    else if (!project.active)
      add('Project', `project ${bill.project} is not active in Acumatica (${project.status ?? 'no status'})`);
  }
  bill.lines.forEach((line, i) => {
    const at = `Details[${i + 1}].`;
    const account = reference.accounts.get(line.account);
    if (!account) add(`${at}Account`, `account ${line.account} does not exist in Acumatica`);
    else if (!account.active) add(`${at}Account`, `account ${line.account} is inactive in Acumatica`);
    if (line.subaccount) {
      const sub = reference.subaccounts.get(line.subaccount);
      if (!sub) add(`${at}Subaccount`, `subaccount ${line.subaccount} does not exist in Acumatica`);
      else if (!sub.active) add(`${at}Subaccount`, `subaccount ${line.subaccount} is inactive in Acumatica`);
    }
    checkBranch(`${at}Branch`, line.branch);
    if (!construction) return;
    const projectId = line.project ?? bill.project;
    if (projectId && projectId !== NON_PROJECT) {
      const project = reference.projects.get(projectId);
      if (!project) add(`${at}Project`, `project ${projectId} does not exist in Acumatica`);
      else {
        if (!project.active)
          add(
            `${at}Project`,
            `project ${projectId} is not active in Acumatica (${project.status ?? 'no status'})`,
          );
        if (line.task) {
          const task = project.tasks.get(line.task);
          if (!task)
            add(`${at}ProjectTask`, `task ${line.task} does not exist on project ${projectId} in Acumatica`);
          else if (!task.active)
            add(
              `${at}ProjectTask`,
              `task ${line.task} of project ${projectId} is not active in Acumatica (${task.status ?? 'no status'})`,
            );
        }
      }
    } else if (line.task) add(`${at}ProjectTask`, `task ${line.task} is given without a project`);
    if (line.costCode && !reference.costCodes.has(line.costCode))
      add(`${at}CostCode`, `cost code ${line.costCode} does not exist in Acumatica`);
  });
  return out;
}

// ---- bills ---------------------------------------------------------------------------------------

/** Marker that keeps the origin in a bill's note (when no origin screen field is configured). */
const ORIGIN_MARKER = 'ml-connector origin: ';

export interface BillWriteSettings {
  construction: boolean;
  retainage: RetainageMode;
  /** `View.Field` of the origin screen field, or null for the note. */
  originField: { view: string; field: string } | null;
}

/** "Document.UsrProcoreOrigin" → {view, field}. */
export function parseScreenField(path: string): { view: string; field: string } {
  const m = /^(\w+)\.(\w+)$/.exec(path.trim());
  if (!m) throw new InvalidInputError(`"${path}" is not a screen field like Document.UsrProcoreOrigin.`);
  return { view: m[1] as string, field: m[2] as string };
}

/**
 * The AP document that reduces what is owed to a vendor (a vendor's credit memo): Bills and
 * Adjustments (AP301000) "Debit Adj." Acumatica's help: debit adjustments decrease the accounts
 * payable balance, credit adjustments ("Credit Adj.") increase it.
 */
export const VENDOR_CREDIT_TYPE: BillType = 'Debit Adj.';

/**
 * The document type for a bill's lines: a negative total is a vendor credit, a debit adjustment
 * (VENDOR_CREDIT_TYPE), with every line's sign turned so its total is positive.
 */
export function billTypeFor(lines: readonly { amount: Decimal }[]): { type: BillType; sign: 1 | -1 } {
  const total = Decimal.sum(lines.map((l) => l.amount));
  return total.isNegative() ? { type: VENDOR_CREDIT_TYPE, sign: -1 } : { type: 'Bill', sign: 1 };
}

/** A bill's amount as what it does to the payable: a debit adjustment's (positive) amount negated. */
export function signedBillAmount(type: string, amount: Decimal): Decimal {
  return type === VENDOR_CREDIT_TYPE ? amount.negate() : amount;
}

const MAX_VENDOR_REF = 40; // APInvoice.InvoiceNbr

/** Checks a bill input and returns its lines' amounts; throws InvalidInputError saying what is wrong. */
export function checkBillInput(bill: BillInput, settings: BillWriteSettings): Decimal[] {
  const problems: FieldProblem[] = [];
  const problem = (path: string, message: string): void => void problems.push({ path, message });
  if (!bill.vendorId?.trim()) problem('Vendor', 'the vendor is empty');
  if (!bill.vendorRef?.trim()) problem('VendorRef', 'the vendor reference (invoice number) is empty');
  else if (bill.vendorRef.length > MAX_VENDOR_REF)
    problem('VendorRef', `the vendor reference is longer than ${MAX_VENDOR_REF} characters`);
  if (!bill.originId?.trim()) problem('note', 'the origin id is empty');
  const tryCheck = (path: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      if (error instanceof InvalidInputError) problem(path, error.message);
      else throw error;
    }
  };
  tryCheck('Date', () => checkDate(bill.date, 'the date'));
  if (bill.dueDate !== undefined)
    tryCheck('DueDate', () => checkDate(bill.dueDate as string, 'the due date'));
  if (bill.lines.length === 0) problem('Details', 'the bill has no lines');
  const retainageGiven =
    bill.retainagePercent !== undefined || bill.lines.some((l) => l.retainagePercent !== undefined);
  if (retainageGiven && settings.retainage === 'not-used')
    problem(
      'Retainage',
      'retainage is given but this connection does not apply retainage in Acumatica (connection setting)',
    );
  if (bill.retainagePercent !== undefined)
    tryCheck('Retainage', () => parsePercent(bill.retainagePercent as string, 'the retainage'));
  const amounts = bill.lines.map((line, i) => {
    const at = `Details[${i + 1}]`;
    if (!line.account?.trim()) problem(`${at}.Account`, 'the account is empty');
    if (line.retainagePercent !== undefined)
      tryCheck(`${at}.Retainage`, () => parsePercent(line.retainagePercent as string, 'the retainage'));
    try {
      return parseAmount(line.amount, 'the amount');
    } catch (error) {
      if (error instanceof InvalidInputError) problem(`${at}.ExtendedCost`, error.message);
      else throw error;
      return Decimal.ZERO;
    }
  });
  if (problems.length) throw new InvalidInputError(problems.map((p) => p.message).join('; '), problems);
  return amounts;
}

/** One bill line as sent: amount as Qty 1 × UnitCost = ExtendedCost, text in TransactionDescription. */
export function billLineBody(line: BillLineInput, amount: Decimal, settings: BillWriteSettings): SendBody {
  const body: SendBody = {
    Account: send(line.account),
    TransactionDescription: send(line.description),
    Qty: sendDecimal(Decimal.parse('1')),
    UnitCost: sendMoney(amount),
    ExtendedCost: sendMoney(amount),
  };
  if (line.subaccount) body.Subaccount = send(line.subaccount);
  if (line.branch) body.Branch = send(line.branch);
  if (settings.construction) {
    if (line.project) body.Project = send(line.project);
    if (line.task) body.ProjectTask = send(line.task);
    if (line.costCode) body.CostCode = send(line.costCode);
  }
  if (settings.retainage === 'screen-fields' && line.retainagePercent !== undefined)
    body.custom = {
      Transactions: {
        RetainagePct: {
          type: 'CustomDecimalField',
          value: new JsonDecimal(Decimal.parse(line.retainagePercent).toString()),
        },
      },
    };
  return body;
}

/** A new bill's body (PUT /Bill, 1.7): no id and no ReferenceNbr, so Acumatica inserts and numbers it. */
export function billBody(
  bill: BillInput,
  amounts: readonly Decimal[],
  settings: BillWriteSettings,
): { body: SendBody; type: BillType } {
  const { type, sign } = billTypeFor(amounts.map((amount) => ({ amount })));
  const body: SendBody = {
    Type: send(type),
    Vendor: send(bill.vendorId),
    VendorRef: send(bill.vendorRef),
    Date: send(bill.date),
    Details: bill.lines.map((line, i) =>
      billLineBody(line, sign === 1 ? (amounts[i] as Decimal) : (amounts[i] as Decimal).negate(), settings),
    ),
  };
  if (bill.dueDate) body.DueDate = send(bill.dueDate);
  if (bill.description) body.Description = send(bill.description);
  if (bill.branch) body.BranchID = send(bill.branch);
  if (settings.construction && bill.project) body.Project = send(bill.project);
  if (bill.hold !== undefined) body.Hold = send(bill.hold);
  const custom: Record<string, Record<string, unknown>> = {};
  if (settings.originField)
    custom[settings.originField.view] = {
      [settings.originField.field]: { type: 'CustomStringField', value: bill.originId },
    };
  else body.note = send(`${ORIGIN_MARKER}${bill.originId}`);
  if (settings.retainage === 'screen-fields' && bill.retainagePercent !== undefined) {
    // APInvoice.RetainageApply / DefRetainagePct: the Default endpoint's Bill has no retainage fields.
    const document = (custom.Document ??= {});
    document.RetainageApply = { type: 'CustomBooleanField', value: true };
    document.DefRetainagePct = {
      type: 'CustomDecimalField',
      value: new JsonDecimal(Decimal.parse(bill.retainagePercent).toString()),
    };
  }
  if (Object.keys(custom).length) body.custom = custom;
  return { body, type };
}

/**
 * The body of an update (PUT /Bill with `id`): lines with `id` are updated, `delete: true` removes
 * one, lines without id are appended (1.7). An update's amounts keep the bill's sign convention:
 * a debit adjustment's lines are sent negated, as they were created.
 */
export function billUpdateBody(
  update: BillUpdate,
  documentType: string,
  settings: BillWriteSettings,
): SendBody {
  const sign = documentType === VENDOR_CREDIT_TYPE ? -1 : 1;
  const body: SendBody = { id: update.id };
  if (update.date) body.Date = send(checkDate(update.date, 'the date'));
  if (update.dueDate) body.DueDate = send(checkDate(update.dueDate, 'the due date'));
  if (update.description !== undefined) body.Description = send(update.description);
  if (update.hold !== undefined) body.Hold = send(update.hold);
  body.Details = update.lines.map((change, i) => {
    if (change.kind === 'delete') {
      if (!change.lineId) throw new InvalidInputError(`change ${i + 1}: a line is deleted by its id`);
      return { id: change.lineId, delete: true };
    }
    const amount = parseAmount(change.line.amount, `change ${i + 1}: the amount`);
    const line = billLineBody(change.line, sign === 1 ? amount : amount.negate(), settings);
    if (change.kind === 'update') {
      if (!change.lineId)
        throw new InvalidInputError(
          `change ${i + 1}: a line is updated by its id (a line sent without id is appended)`,
        );
      return { id: change.lineId, ...line };
    }
    return line;
  });
  return body;
}

function originOf(w: WireBill, originField: BillWriteSettings['originField']): string | null {
  if (originField) {
    const value = w.custom?.[originField.view]?.[originField.field]?.value;
    return typeof value === 'string' && value ? value : null;
  }
  const note = text(w.note);
  if (!note) return null;
  const at = note.indexOf(ORIGIN_MARKER);
  if (at < 0) return null;
  return (
    note
      .slice(at + ORIGIN_MARKER.length)
      .split(/\r?\n/)[0]
      ?.trim() || null
  );
}

/**
 * Bill statuses after release (PX.Objects.AP.APDocStatus labels, fact sheet 1.8). Before release a
 * bill is On Hold / Hold / Balanced / Pending Approval / Rejected / Scheduled / Pre-Released …
 */
const RELEASED_BILL_STATUSES = new Set([
  'Open',
  'Closed',
  'Voided',
  'Pending Payment',
  'Unapplied',
  'Under Reclassification',
]);

export function billLineFromWire(w: WireBillDetail): FoundBillLine {
  if (!w.id) throw new InvalidInputError('a bill line came back without an id');
  return {
    id: w.id,
    account: text(w.Account),
    subaccount: text(w.Subaccount),
    branch: text(w.Branch),
    project: text(w.Project),
    task: text(w.ProjectTask),
    costCode: text(w.CostCode),
    description: text(w.TransactionDescription),
    amount: moneyOf(w.ExtendedCost ?? w.Amount),
  };
}

export function billFromWire(w: WireBill, originField: BillWriteSettings['originField']): FoundBill {
  const status = text(w.Status) ?? '';
  if (!w.id) throw new InvalidInputError('a bill came back without an id');
  return {
    id: w.id,
    type: text(w.Type) ?? 'Bill',
    referenceNbr: text(w.ReferenceNbr) ?? '',
    vendorId: text(w.Vendor) ?? '',
    vendorRef: text(w.VendorRef) ?? '',
    originId: originOf(w, originField),
    date: dateOf(w.Date),
    status,
    released: RELEASED_BILL_STATUSES.has(status),
    hold: flag(w.Hold),
    amount: moneyOf(w.Amount),
    balance: moneyOf(w.Balance),
    lastModified: text(w.LastModifiedDateTime),
    lines: (w.Details ?? []).map(billLineFromWire),
  };
}

/** `$filter` for a chunk of vendor + vendor ref keys (a bill's idempotency key). */
export function billKeysFilter(keys: readonly { vendorId: string; vendorRef: string }[]): string {
  return keys
    .map((k) => `(Vendor eq ${odataString(k.vendorId)} and VendorRef eq ${odataString(k.vendorRef)})`)
    .join(' or ');
}

export const billKeyText = (vendorId: string, vendorRef: string): string => `${vendorId}\u0000${vendorRef}`;

// ---- vendors -------------------------------------------------------------------------------------

function addressFromWire(w: WireContact['Address']): AcumaticaAddress | null {
  if (!w) return null;
  return {
    line1: text(w.AddressLine1),
    line2: text(w.AddressLine2),
    city: text(w.City),
    state: text(w.State),
    postalCode: text(w.PostalCode),
    country: text(w.Country),
  };
}

function contactFromWire(w: WireContact | undefined): AcumaticaContact | null {
  if (!w) return null;
  return {
    companyName: text(w.CompanyName),
    attention: text(w.Attention),
    email: text(w.Email),
    phone: text(w.Phone1),
    address: addressFromWire(w.Address),
  };
}

/** Vendor statuses that still take bills (AP303000): Inactive and On Hold do not. */
const BILLABLE_VENDOR_STATUSES = new Set(['Active', 'One-Time', 'Hold Payments']);

export function vendorFromWire(w: WireVendor): AcumaticaVendor | null {
  const vendorId = text(w.VendorID);
  if (!vendorId || !w.id) return null;
  const status = text(w.Status) ?? 'Active';
  return {
    id: w.id,
    vendorId,
    name: text(w.VendorName) ?? '',
    legalName: text(w.LegalName),
    vendorClass: text(w.VendorClass),
    status,
    active: BILLABLE_VENDOR_STATUSES.has(status),
    terms: text(w.Terms),
    currency: text(w.CurrencyID),
    paymentMethod: text(w.PaymentMethod),
    taxRegistrationId: text(w.TaxRegistrationID),
    mainContact: contactFromWire(w.MainContact),
    lastModified: text(w.LastModifiedDateTime),
  };
}

/** PUT /Vendor body: the key VendorID locates an existing vendor (1.7); MainContact is a linked entity. */
export function vendorBody(v: VendorInput): SendBody {
  if (!v.vendorId?.trim()) throw new InvalidInputError('the vendor id is empty');
  if (!v.name?.trim()) throw new InvalidInputError('the vendor name is empty');
  const body: SendBody = { VendorID: send(v.vendorId), VendorName: send(v.name) };
  const optional: [string, string | undefined][] = [
    ['LegalName', v.legalName],
    ['VendorClass', v.vendorClass],
    ['Status', v.status],
    ['Terms', v.terms],
    ['CurrencyID', v.currency],
    ['PaymentMethod', v.paymentMethod],
    ['TaxRegistrationID', v.taxRegistrationId],
  ];
  for (const [field, value] of optional) if (value !== undefined) body[field] = send(value);
  if (v.mainContact) {
    const c = v.mainContact;
    const contact: SendBody = {};
    const fields: [string, string | null | undefined][] = [
      ['CompanyName', c.companyName],
      ['Attention', c.attention],
      ['Email', c.email],
      ['Phone1', c.phone],
    ];
    for (const [field, value] of fields) if (value !== undefined) contact[field] = send(value);
    if (c.address) {
      const a = c.address;
      const address: SendBody = {};
      const lines: [string, string | null | undefined][] = [
        ['AddressLine1', a.line1],
        ['AddressLine2', a.line2],
        ['City', a.city],
        ['State', a.state],
        ['PostalCode', a.postalCode],
        ['Country', a.country],
      ];
      for (const [field, value] of lines) if (value !== undefined) address[field] = send(value);
      contact.Address = address;
    }
    body.MainContact = contact;
  }
  return body;
}

// ---- commitments ---------------------------------------------------------------------------------

function orderLineFromWire(w: WireOrderLine): CommitmentLine {
  return {
    lineNbr: intOf(w.LineNbr),
    description: text(w.LineDescription) ?? text(w.Description as Wire<string> | undefined),
    account: text(w.Account),
    subaccount: text(w.Subaccount),
    project: text(w.Project),
    task: text(w.ProjectTask) ?? text(w.Task),
    costCode: text(w.CostCode),
    quantity: decimalOf(w.OrderQty),
    unitCost: decimalOf(w.UnitCost),
    amount: moneyOf(w.ExtendedCost),
    retainageAmount: w.RetainageAmount === undefined ? null : moneyOf(w.RetainageAmount),
    completed: flag(w.Completed),
  };
}

export function commitmentFromWire(
  w: WireOrder,
  kind: AcumaticaCommitment['kind'],
): AcumaticaCommitment | null {
  const number = kind === 'subcontract' ? text(w.SubcontractNbr) : text(w.OrderNbr);
  if (!number || !w.id) return null;
  const lines = (w.Details ?? []).map(orderLineFromWire);
  const projects = [
    ...new Set(lines.map((l) => l.project).filter((p): p is string => !!p && p !== NON_PROJECT)),
  ];
  const header = text(w.Project);
  return {
    kind,
    id: w.id,
    orderType: kind === 'subcontract' ? 'Subcontract' : (text(w.Type) ?? 'Normal'),
    number,
    status: text(w.Status) ?? '',
    vendorId: text(w.VendorID),
    vendorRef: text(w.VendorRef),
    date: dateOf(w.Date),
    description: text(w.Description),
    project:
      header && header !== NON_PROJECT ? header : projects.length === 1 ? (projects[0] as string) : null,
    projects:
      header && header !== NON_PROJECT && !projects.includes(header) ? [header, ...projects] : projects,
    currency: text(w.CurrencyID),
    total: moneyOf(kind === 'subcontract' ? w.SubcontractTotal : w.OrderTotal),
    retainageTotal: w.RetainageTotal === undefined ? null : moneyOf(w.RetainageTotal),
    lastModified: text(w.LastModifiedDateTime),
    lines,
  };
}

export function changeOrderFromWire(w: WireChangeOrder): AcumaticaChangeOrder | null {
  const refNbr = text(w.RefNbr);
  if (!refNbr || !w.id) return null;
  const status = text(w.Status) ?? '';
  return {
    id: w.id,
    refNbr,
    projectId: text(w.ProjectID),
    externalRef: text(w.ExternalRefNbr),
    description: text(w.Description),
    status,
    released: status === 'Closed',
    date: dateOf(w.ChangeDate),
    commitmentsTotal: moneyOf(w.CommitmentsChangeTotal),
    lastModified: text(w.LastModifiedDateTime),
    lines: (w.Commitments ?? []).map((l) => ({
      commitmentType: text(l.POType),
      commitmentNumber: text(l.PONbr),
      commitmentLineNbr: intOf(l.POLineNbr),
      vendorId: text(l.Vendor),
      account: text(l.Account),
      costCode: text(l.CostCode),
      task: text(l.ProjectTaskID),
      amount: moneyOf(l.Amount),
      description: text(l.Description) ?? text(l.LineDescription),
    })),
  };
}

/** PUT /Subcontract body (lines name the task `Task`, 1.8). */
export function subcontractBody(input: SubcontractInput): SendBody {
  const problems: string[] = [];
  if (!input.vendorId?.trim()) problems.push('the vendor is empty');
  if (!input.vendorRef?.trim()) problems.push('the commitment number (vendor reference) is empty');
  if (!input.project?.trim()) problems.push('the project is empty');
  if (input.lines.length === 0) problems.push('the subcontract has no lines');
  if (problems.length) throw new InvalidInputError(problems.join('; '));
  const body: SendBody = {
    VendorID: send(input.vendorId),
    VendorRef: send(input.vendorRef),
    Date: send(checkDate(input.date, 'the date')),
    Details: input.lines.map((line, i) => {
      const amount = parseAmount(line.amount, `line ${i + 1}: the amount`);
      const out: SendBody = {
        LineDescription: send(line.description),
        Project: send(line.project ?? input.project),
        OrderQty: sendDecimal(Decimal.parse('1')),
        UnitCost: sendMoney(amount),
        ExtendedCost: sendMoney(amount),
      };
      if (line.account) out.Account = send(line.account);
      if (line.subaccount) out.Subaccount = send(line.subaccount);
      if (line.task) out.Task = send(line.task);
      if (line.costCode) out.CostCode = send(line.costCode);
      if (line.retainagePercent !== undefined)
        out.RetainagePct = sendDecimal(parsePercent(line.retainagePercent, `line ${i + 1}: the retainage`));
      return out;
    }),
  };
  if (input.description) body.Description = send(input.description);
  if (input.branch) body.Branch = send(input.branch);
  // The Default endpoint's Subcontract has no Hold field: a new one takes the tenant's default.
  if (input.retainagePercent !== undefined) {
    body.ApplyRetainage = send(true);
    body.RetainagePct = sendDecimal(parsePercent(input.retainagePercent, 'the retainage'));
  }
  return body;
}

// ---- AP payments ---------------------------------------------------------------------------------

/** Payment statuses after release (AP302000); Balanced / On Hold / Pending … are not released. */
const RELEASED_PAYMENT_STATUSES = new Set(['Open', 'Closed', 'Voided', 'Reserved', 'Printed']);
const EFFECTIVE_PAYMENT_TYPES = new Set(['Payment', 'Prepayment', 'Quick Check']);
export const VOIDED_PAYMENT = 'Voided Payment';

function applicationFromWire(w: WireCheckApplication, released: boolean): PaymentApplication | null {
  const referenceNbr = text(w.ReferenceNbr);
  if (!referenceNbr) return null;
  return {
    docType: text(w.DocType) ?? 'Bill',
    referenceNbr,
    vendorRef: text(w.VendorRef),
    amountPaid: moneyOf(w.AmountPaid),
    balance: w.Balance?.value === undefined || w.Balance.value === null ? null : moneyOf(w.Balance),
    released,
  };
}

/**
 * An AP payment (`Check`, 1.8) with what it means for the bills: applications in `History` were
 * applied by the release, those in `Details` wait for it. A payment is voided only once its
 * "Voided Payment" document is itself released (AP302000 Void, then Release).
 */
export function paymentFromWire(w: WireCheck): AcumaticaPayment | null {
  const referenceNbr = text(w.ReferenceNbr);
  if (!referenceNbr || !w.id) return null;
  const type = text(w.Type) ?? 'Payment';
  const status = text(w.Status) ?? '';
  const isVoidingDocument = type === VOIDED_PAYMENT;
  const released = isVoidingDocument ? status === 'Closed' : RELEASED_PAYMENT_STATUSES.has(status);
  const voided = !isVoidingDocument && status === 'Voided';
  const applications = [
    ...(w.History ?? []).map((a) => applicationFromWire(a, true)),
    ...(w.Details ?? []).map((a) => applicationFromWire(a, false)),
  ].filter((a): a is PaymentApplication => a !== null);
  return {
    id: w.id,
    type,
    referenceNbr,
    vendorId: text(w.Vendor),
    status,
    hold: flag(w.Hold),
    released,
    voided,
    isVoidingDocument,
    effective: released && !voided && EFFECTIVE_PAYMENT_TYPES.has(type),
    applicationDate: dateOf(w.ApplicationDate),
    amount: moneyOf(w.PaymentAmount),
    unappliedBalance: moneyOf(w.UnappliedBalance),
    paymentMethod: text(w.PaymentMethod),
    paymentRef: text(w.PaymentRef),
    currency: text(w.CurrencyID),
    lastModified: text(w.LastModifiedDateTime),
    applications,
  };
}
