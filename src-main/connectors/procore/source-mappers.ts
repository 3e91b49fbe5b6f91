/**
 * Pure conversions of Procore source rows (wire.ts) into the source-neutral records the F2/F3
 * flows plan from (src-shared/domain/records.ts). A row this connector cannot turn into a
 * record (an id or amount missing, a cost code the project no longer has, totals that do not
 * add up) throws ProcoreMappingError; the read returns it as an unreadable row for the engine
 * to park, and goes on with the rest of the page.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  ProcoreChangeOrderLine,
  ProcoreCommitment,
  ProcoreCommitmentChangeOrder,
  ProcoreCommitmentLine,
  ProcoreCostCoding,
  ProcoreDirectCost,
  ProcoreDirectCostLine,
  ProcoreRequisition,
  ProcoreRequisitionLine,
  ProcoreSourceDeletion,
  ProcoreVendorRecord,
  ProcoreVendorRef,
} from '../../../src-shared/domain/records';
import type { CommitmentKind } from './client';
import { lineName } from './line-names';
import { idFromWire, ProcoreResponseShapeError } from './mappers';
import type {
  WireChangeOrder,
  WireCodedLine,
  WireCommitmentRecord,
  WireCostCodeRecord,
  WireDirectCostRecord,
  WireLineItemType,
  WireRef,
  WireRequisition,
  WireRequisitionItem,
  WireVendorRecord,
} from './wire';

/** A source row that cannot become a record; the message says what is wrong with it. */
export class ProcoreMappingError extends Error {
  override readonly name = 'ProcoreMappingError';
}

/** Cost codes and line item types of a project by id, for lines that carry ids only. */
export interface CodingIndex {
  costCodes: ReadonlyMap<string, { fullCode: string; name: string }>;
  lineItemTypes: ReadonlyMap<string, { code: string; name: string }>;
}

export function codingIndex(
  costCodes: readonly WireCostCodeRecord[],
  lineItemTypes: readonly WireLineItemType[],
): CodingIndex {
  const codes = new Map<string, { fullCode: string; name: string }>();
  for (const code of costCodes) {
    const fullCode = code.full_code ?? code.code;
    if (code.id === undefined || !fullCode) continue;
    codes.set(String(code.id), { fullCode, name: code.name ?? '' });
  }
  const types = new Map<string, { code: string; name: string }>();
  for (const type of lineItemTypes) {
    if (type.id === undefined || !type.code) continue;
    types.set(String(type.id), { code: type.code, name: type.name ?? '' });
  }
  return { costCodes: codes, lineItemTypes: types };
}

const EMPTY_INDEX: CodingIndex = { costCodes: new Map(), lineItemTypes: new Map() };

/** A wire value as a reason shows it: a short text quoted, never raw JSON or pages of text. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : 'a group of fields';
}

/** A number, title or id as a label names the document: text or a whole number, long text cut; null for anything else. */
function named(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null;
}

/** A line's cost code in words ("03-300 Concrete") for its name; null when it has none this project knows. */
function costCodeWords(costCode: WireCodedLine['cost_code'], costCodeId: unknown, index: CodingIndex): string | null {
  const id = costCode?.id ?? costCodeId;
  const known = typeof id === 'string' || typeof id === 'number' ? index.costCodes.get(String(id)) : undefined;
  const code = costCode?.full_code ?? known?.fullCode ?? costCode?.code;
  if (typeof code !== 'string' || code.trim() === '') return null;
  const name = costCode?.name ?? known?.name;
  return typeof name === 'string' && name.trim() !== '' ? `${code} ${name}` : code;
}

/**
 * Each line's place in the document as Procore lists it (1-based): by `position` where Procore
 * sends one (as the planners order them), else in the order sent.
 */
function placesOf(lines: readonly { position?: number | null }[]): number[] {
  const at = (line: { position?: number | null }) => (typeof line.position === 'number' && Number.isFinite(line.position) ? line.position : 0);
  const order = lines.map((line, i) => ({ i, at: at(line) })).sort((a, b) => a.at - b.at || a.i - b.i);
  const places = new Array<number>(lines.length);
  order.forEach((entry, k) => (places[entry.i] = k + 1));
  return places;
}

/** The names of a document's coded lines (commitment SOV, change order, direct cost lines). */
function codedLineNames(lines: readonly WireCodedLine[], index: CodingIndex): string[] {
  const places = placesOf(lines);
  return lines.map((line, i) => lineName('line', places[i]!, line.description, costCodeWords(line.cost_code, line.cost_code_id, index)));
}

function fail(message: string): never {
  throw new ProcoreMappingError(message);
}

function id(value: unknown, what: string): string {
  try {
    return idFromWire(value, what);
  } catch (error) {
    if (error instanceof ProcoreResponseShapeError) fail(`${what} has no valid id (got ${shown(value)})`);
    throw error;
  }
}

function optionalId(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : id(value, what);
}

/** A money string from Procore: exact, at most two decimals (never rounded silently). */
function money(value: unknown, what: string): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    fail(`${what} is missing (got ${shown(value)})`);
  let amount: Decimal;
  try {
    amount = typeof value === 'number' ? Decimal.fromJsonNumber(value) : Decimal.parse(value);
  } catch (error) {
    if (error instanceof InvalidDecimalError) fail(`${what} is not an amount: ${shown(value)}`);
    throw error;
  }
  if (!amount.equals(amount.roundToCents())) fail(`${what} ${String(value)} has fractions of a cent`);
  return amount.toMoneyString();
}

/** Money that Procore may leave out (retainage columns): absent = "0.00". */
function moneyOrZero(value: unknown, what: string): string {
  return value === null || value === undefined ? '0.00' : money(value, what);
}

function decimalOrNull(value: unknown, what: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  try {
    return (typeof value === 'number' ? Decimal.fromJsonNumber(value) : Decimal.parse(String(value))).toString();
  } catch {
    fail(`${what} is not a number: ${shown(value)}`);
  }
}

function sum(amounts: readonly string[]): Decimal {
  return Decimal.sum(amounts.map((amount) => Decimal.parse(amount)));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A calendar date Procore sent ("2026-03-31", or an instant whose day it is), or null when none; anything else is refused. */
function dateOrNull(value: unknown, what: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value) : null;
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !day || day.getUTCFullYear() !== Number(match[1]) || day.getUTCMonth() !== Number(match[2]) - 1 || day.getUTCDate() !== Number(match[3]))
    fail(`${what} is not a calendar date (got ${shown(value)})`);
  return (value as string).slice(0, 10);
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function vendorRef(vendor: WireRef | null | undefined, what: string): ProcoreVendorRef | null {
  if (!vendor || vendor.id === null || vendor.id === undefined) return null;
  return { id: id(vendor.id, `the vendor of ${what}`), name: vendor.name ?? '' };
}

/** The cost coding of a line: from its cost_code / line_item_type objects, else the index. */
export function codingOf(line: WireCodedLine, index: CodingIndex, what: string): ProcoreCostCoding {
  const costCodeId = optionalId(line.cost_code?.id ?? line.cost_code_id, `the cost code of ${what}`);
  if (costCodeId === null) fail(`${what} has no cost code`);
  const known = index.costCodes.get(costCodeId);
  // full_code carries the parent prefixes; a bare `code` is only right for a top-level code.
  const costCode = line.cost_code?.full_code ?? known?.fullCode ?? line.cost_code?.code;
  // Procore's id of the code is no word for finance: the line's name says which line it is.
  if (!costCode) fail(`${what} is coded to a cost code the project no longer has`);
  const lineItemTypeId = optionalId(line.line_item_type?.id ?? line.line_item_type_id, `the cost type of ${what}`);
  const type = lineItemTypeId === null ? undefined : index.lineItemTypes.get(lineItemTypeId);
  return {
    costCodeId,
    costCode,
    costCodeName: line.cost_code?.name ?? known?.name ?? '',
    lineItemTypeId,
    lineItemTypeCode: line.line_item_type?.code ?? type?.code ?? null,
  };
}

/** The record's sourceVersion: updated_at as sent; a record without one cannot be tracked. */
function versionOf(updatedAt: string | null | undefined, what: string): string {
  if (!updatedAt) fail(`${what} has no updated_at`);
  return updatedAt;
}

/** Procore's total must equal its lines, to the cent, or the record cannot be posted as is. */
function checkTotal(total: string, lines: readonly { amount: string }[], what: string, totalName: string): void {
  const linesTotal = sum(lines.map((line) => line.amount));
  if (!linesTotal.equals(Decimal.parse(total)))
    fail(
      `Procore's ${totalName} of ${what} is ${total} but its lines add up to ${linesTotal.toMoneyString()}; ` +
        'open it in Procore and check its lines',
    );
}

// ---- commitments --------------------------------------------------------------------------

function commitmentLine(line: WireCodedLine, index: CodingIndex, what: string, name: string): ProcoreCommitmentLine {
  const lineWhat = `${name} of ${what}`;
  return {
    sourceLineId: id(line.id, lineWhat),
    position: typeof line.position === 'number' ? line.position : null,
    description: text(line.description),
    amount: money(line.amount, `the amount of ${lineWhat}`),
    quantity: decimalOrNull(line.quantity, `the quantity of ${lineWhat}`),
    unitCost: decimalOrNull(line.unit_cost, `the unit cost of ${lineWhat}`),
    uom: textOrNull(line.uom),
    originId: textOrNull(line.origin_id),
    ...codingOf(line, index, lineWhat),
  };
}

export function commitmentLabel(row: WireCommitmentRecord, kind: CommitmentKind): string {
  const noun = kind === 'work-order' ? 'Subcontract' : 'Purchase order';
  return `${noun} ${named(row?.number) ?? named(row?.title) ?? named(row?.id) ?? '(no id)'}`;
}

export function commitmentFromWire(
  row: WireCommitmentRecord,
  kind: CommitmentKind,
  projectId: string,
  lines: readonly WireCodedLine[],
  index: CodingIndex = EMPTY_INDEX,
): ProcoreCommitment {
  const what = commitmentLabel(row, kind);
  const names = codedLineNames(lines, index);
  const mappedLines = lines.map((line, i) => commitmentLine(line, index, what, names[i]!));
  const grandTotal = money(row.grand_total, `the grand total of ${what}`);
  checkTotal(grandTotal, mappedLines, what, 'grand total');
  return {
    kind: 'procore-commitment',
    sourceId: id(row.id, what),
    projectId,
    commitmentType: kind,
    number: text(row.number),
    title: text(row.title),
    description: text(row.description),
    vendor: vendorRef(row.vendor, what),
    status: row.status ?? fail(`${what} has no status`),
    executed: row.executed === true,
    contractDate: dateOrNull(row.contract_date, `the contract date of ${what}`),
    retainagePercent: decimalOrNull(row.retainage_percent, `the retainage percent of ${what}`),
    grandTotal,
    revisedContract: moneyOrZero(row.revised_contract ?? row.grand_total, `the revised contract of ${what}`),
    approvedChangeOrders: moneyOrZero(row.approved_change_orders, `the approved change orders of ${what}`),
    pendingChangeOrders: moneyOrZero(row.pending_change_orders, `the pending change orders of ${what}`),
    totalPayments: moneyOrZero(row.total_payments, `the payments of ${what}`),
    originId: textOrNull(row.origin_id),
    originCode: textOrNull(row.origin_code),
    originData: textOrNull(row.origin_data),
    lines: mappedLines,
    sourceVersion: versionOf(row.updated_at, what),
  };
}

/** A soft-deleted commitment (listed with filters[include_deleted]=with). */
export function commitmentDeletion(
  row: WireCommitmentRecord,
  kind: CommitmentKind,
  projectId: string,
): ProcoreSourceDeletion {
  const what = commitmentLabel(row, kind);
  const deletedAt = row.deleted_at ?? fail(`${what} has no deleted_at`);
  return {
    kind: 'deletion',
    entity: 'procore-commitment',
    sourceId: id(row.id, what),
    projectId,
    deletedAt,
    sourceVersion: row.updated_at ?? deletedAt,
  };
}

// ---- commitment change orders ----------------------------------------------------------------

export function changeOrderLabel(row: WireChangeOrder): string {
  return `Commitment change order ${named(row?.number) ?? named(row?.id) ?? '(no id)'}${named(row?.title) ? ` (${named(row.title)})` : ''}`;
}

export function changeOrderFromWire(
  row: WireChangeOrder,
  projectId: string,
  index: CodingIndex = EMPTY_INDEX,
): ProcoreCommitmentChangeOrder {
  const what = changeOrderLabel(row);
  const grandTotal = money(row.grand_total, `the grand total of ${what}`);
  let lines: ProcoreChangeOrderLine[] | null = null;
  if (Array.isArray(row.line_items)) {
    const names = codedLineNames(row.line_items, index);
    lines = row.line_items.map((line, i) => {
      const lineWhat = `${names[i]!} of ${what}`;
      return {
        sourceLineId: id(line.id, lineWhat),
        description: text(line.description),
        amount: money(line.amount, `the amount of ${lineWhat}`),
        ...codingOf(line, index, lineWhat),
      };
    });
    checkTotal(grandTotal, lines, what, 'grand total');
  }
  return {
    kind: 'procore-commitment-change-order',
    sourceId: id(row.id, what),
    projectId,
    commitmentId: optionalId(row.contract_id, `the commitment of ${what}`) ?? fail(`${what} names no commitment`),
    number: text(row.number),
    title: text(row.title),
    description: text(row.description),
    status: row.status ?? fail(`${what} has no status`),
    executed: row.executed === true,
    grandTotal,
    dueDate: textOrNull(row.due_date),
    reviewedAt: textOrNull(row.reviewed_at),
    lines,
    originId: textOrNull(row.origin_id),
    originCode: textOrNull(row.origin_code),
    sourceVersion: versionOf(row.updated_at, what),
  };
}

// ---- subcontractor invoices (requisitions) ----------------------------------------------------

/** What the invoice's commitment says about it (read once per project). */
export interface CommitmentFacts {
  kind: CommitmentKind | null;
  number: string | null;
  vendor: ProcoreVendorRef | null;
}

/** `PurchaseOrderContract` / `WorkOrderContract` (requisition.commitment_type, §2.5) or the mixed list's type. */
export function commitmentKindOf(type: string | null | undefined): CommitmentKind | null {
  if (!type) return null;
  if (/work.?order/i.test(type)) return 'work-order';
  if (/purchase.?order/i.test(type)) return 'purchase-order';
  return null;
}

export function commitmentFacts(row: WireCommitmentRecord, fallbackKind: CommitmentKind | null): CommitmentFacts {
  return {
    kind: commitmentKindOf(row.type) ?? fallbackKind,
    number: textOrNull(row.number),
    vendor: row.vendor && row.vendor.id !== null && row.vendor.id !== undefined
      ? { id: String(row.vendor.id), name: row.vendor.name ?? '' }
      : null,
  };
}

export function requisitionLabel(row: WireRequisition): string {
  const parts = [`Subcontractor invoice #${named(row?.number) ?? named(row?.id) ?? '?'}`];
  if (named(row?.invoice_number)) parts.push(`(${named(row.invoice_number)})`);
  if (named(row?.contract_name)) parts.push(`on ${named(row.contract_name)}`);
  return parts.join(' ');
}

function requisitionLine(
  item: WireRequisitionItem,
  itemType: 'contract' | 'change-order',
  place: number,
  index: CodingIndex,
  what: string,
): ProcoreRequisitionLine {
  // Named by its place among the invoice's contract (or change order) items, as Procore lists them.
  const name = lineName(itemType === 'contract' ? 'contract item' : 'change order item', place, item.description_of_work, costCodeWords(null, item.cost_code_id, index));
  const lineWhat = `${name} of ${what}`;
  const sourceLineId = id(item.id, lineWhat);
  const coding = codingOf({ cost_code_id: item.cost_code_id ?? null }, index, lineWhat);
  const workCompleted = money(item.work_completed_this_period, `the work completed this period on ${lineWhat}`);
  const stored = moneyOrZero(item.materials_presently_stored, `the materials stored on ${lineWhat}`);
  return {
    sourceLineId,
    itemType,
    lineItemId: optionalId(item.line_item_id, `the line of ${lineWhat}`),
    changeOrderId: itemType === 'change-order' ? optionalId(item.change_order_package_id, `the change order of ${lineWhat}`) : null,
    costCodeId: coding.costCodeId,
    costCode: coding.costCode,
    costCodeName: coding.costCodeName,
    description: text(item.description_of_work),
    scheduledValue: moneyOrZero(item.scheduled_value, `the scheduled value of ${lineWhat}`),
    workCompletedFromPreviousApplication: moneyOrZero(
      item.work_completed_from_previous_application,
      `the previous work completed on ${lineWhat}`,
    ),
    workCompletedThisPeriod: workCompleted,
    materialsPresentlyStored: stored,
    billedThisPeriod: sum([workCompleted, stored]).toMoneyString(),
    totalCompletedAndStoredToDate: moneyOrZero(item.total_completed_and_stored_to_date, `the total to date of ${lineWhat}`),
    retainageRetainedThisPeriod: moneyOrZero(
      item.work_completed_retainage_retained_this_period,
      `the retainage held on ${lineWhat}`,
    ),
    retainageReleasedThisPeriod: moneyOrZero(
      item.work_completed_retainage_released_this_period,
      `the retainage released on ${lineWhat}`,
    ),
    materialsRetainageRetained: moneyOrZero(
      item.materials_stored_retainage_currently_retained,
      `the retainage on materials of ${lineWhat}`,
    ),
  };
}

/** The summary's money figures as sent (strings only; anything else is left out). */
function summaryOf(summary: WireRequisition['summary'], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(summary ?? {})) {
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) continue;
    out[key] = money(value, `${key} in the summary of ${what}`);
  }
  return out;
}

export function requisitionFromWire(
  row: WireRequisition,
  projectId: string,
  items: { contract: readonly WireRequisitionItem[]; changeOrder: readonly WireRequisitionItem[] },
  commitment: CommitmentFacts | null,
  index: CodingIndex,
): ProcoreRequisition {
  const what = requisitionLabel(row);
  const lines = [
    ...items.contract.map((item, i) => requisitionLine(item, 'contract', i + 1, index, what)),
    ...items.changeOrder.map((item, i) => requisitionLine(item, 'change-order', i + 1, index, what)),
  ];
  const billed = sum(lines.map((line) => line.billedThisPeriod));
  const totalClaimed =
    row.total_claimed_amount === null || row.total_claimed_amount === undefined
      ? billed.toMoneyString()
      : money(row.total_claimed_amount, `the total claimed on ${what}`);
  if (!billed.equals(Decimal.parse(totalClaimed)))
    fail(
      `Procore's total claimed on ${what} is ${totalClaimed} but its contract and change order items add up to ` +
        `${billed.toMoneyString()}; open the invoice in Procore and check its items`,
    );
  const retainage = sum(lines.flatMap((line) => [line.retainageRetainedThisPeriod, line.materialsRetainageRetained]));
  const released = sum(lines.map((line) => line.retainageReleasedThisPeriod));
  const number = Number(row.number);
  if (!Number.isSafeInteger(number) || number <= 0) fail(`${what} has no invoice number within its commitment`);
  return {
    kind: 'procore-requisition',
    sourceId: id(row.id, what),
    projectId,
    commitmentId: optionalId(row.commitment_id, `the commitment of ${what}`) ?? fail(`${what} names no commitment`),
    commitmentType: commitmentKindOf(row.commitment_type) ?? commitment?.kind ?? null,
    commitmentNumber: commitment?.number ?? null,
    number,
    invoiceNumber: textOrNull(row.invoice_number),
    status: row.status ?? fail(`${what} has no status`),
    erpStatus: textOrNull(row.erp_status),
    vendor: commitment?.vendor ?? null,
    vendorName: textOrNull(row.vendor_name) ?? commitment?.vendor?.name ?? null,
    periodStart: dateOrNull(row.requisition_start, `the period start of ${what}`),
    periodEnd: dateOrNull(row.requisition_end, `the period end of ${what}`),
    billingDate: dateOrNull(row.billing_date, `the billing date of ${what}`),
    paymentDate: dateOrNull(row.payment_date, `the payment date of ${what}`),
    final: row.final === true,
    totalClaimed,
    retainageThisPeriod: retainage.toMoneyString(),
    retainageReleasedThisPeriod: released.toMoneyString(),
    netPayable: Decimal.parse(totalClaimed).minus(retainage).plus(released).toMoneyString(),
    summary: summaryOf(row.summary, what),
    lines,
    originId: textOrNull(row.origin_id),
    originData: textOrNull(row.origin_data),
    sourceVersion: versionOf(row.updated_at, what),
  };
}

// ---- direct costs ---------------------------------------------------------------------------

export function directCostLabel(row: WireDirectCostRecord): string {
  const noun = row.direct_cost_type === 'expense' ? 'Expense' : row.direct_cost_type === 'payroll' ? 'Payroll cost' : 'Direct cost invoice';
  return `${noun} ${named(row?.invoice_number) ?? named(row?.id) ?? '(no id)'}`;
}

export function directCostFromWire(
  row: WireDirectCostRecord,
  projectId: string,
  lines: readonly WireCodedLine[],
  index: CodingIndex = EMPTY_INDEX,
): ProcoreDirectCost {
  const what = directCostLabel(row);
  const names = codedLineNames(lines, index);
  const mapped: ProcoreDirectCostLine[] = lines.map((line, i) => {
    const lineWhat = `${names[i]!} of ${what}`;
    return {
      sourceLineId: id(line.id, lineWhat),
      description: text(line.description),
      amount: money(line.amount, `the amount of ${lineWhat}`),
      quantity: decimalOrNull(line.quantity, `the quantity of ${lineWhat}`),
      unitCost: decimalOrNull(line.unit_cost, `the unit cost of ${lineWhat}`),
      uom: textOrNull(line.uom),
      originId: textOrNull(line.origin_id),
      ...codingOf(line, index, lineWhat),
    };
  });
  const grandTotal = money(row.grand_total ?? row.amount, `the total of ${what}`);
  checkTotal(grandTotal, mapped, what, 'total');
  const vendor =
    vendorRef(row.vendor, what) ??
    (row.vendor_id === null || row.vendor_id === undefined
      ? null
      : { id: id(row.vendor_id, `the vendor of ${what}`), name: row.vendor_name ?? '' });
  return {
    kind: 'procore-direct-cost',
    sourceId: id(row.id, what),
    projectId,
    directCostType: row.direct_cost_type ?? fail(`${what} has no direct_cost_type`),
    status: row.status ?? fail(`${what} has no status`),
    vendor,
    invoiceNumber: textOrNull(row.invoice_number),
    description: text(row.description),
    date: textOrNull(row.direct_cost_date),
    receivedDate: textOrNull(row.received_date),
    paymentDate: textOrNull(row.payment_date),
    grandTotal,
    lines: mapped,
    originId: textOrNull(row.origin_id),
    originData: textOrNull(row.origin_data),
    sourceVersion: versionOf(row.updated_at, what),
  };
}

// ---- vendors ----------------------------------------------------------------------------------

export function vendorLabel(row: WireVendorRecord): string {
  return `Vendor ${named(row?.name) ?? named(row?.id) ?? '(no id)'}`;
}

export function vendorRecordFromWire(row: WireVendorRecord): ProcoreVendorRecord {
  const what = vendorLabel(row);
  const name = row.name?.trim();
  if (!name) fail(`${what} has no name`);
  return {
    kind: 'procore-vendor',
    sourceId: id(row.id, what),
    name,
    legalName: textOrNull(row.legal_name),
    abbreviatedName: textOrNull(row.abbreviated_name),
    active: row.is_active !== false,
    address: textOrNull(row.address),
    city: textOrNull(row.city),
    stateCode: textOrNull(row.state_code),
    countryCode: textOrNull(row.country_code),
    zip: textOrNull(row.zip),
    businessPhone: textOrNull(row.business_phone),
    emailAddress: textOrNull(row.email_address),
    website: textOrNull(row.website),
    originId: textOrNull(row.origin_id),
    originCode: textOrNull(row.origin_code),
    originData: textOrNull(row.origin_data),
    sourceVersion: versionOf(row.updated_at, what),
  };
}
