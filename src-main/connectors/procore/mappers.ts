/**
 * Pure conversions between Procore wire shapes (wire.ts) and the connector's public types
 * (types.ts): ids as exact digit strings, money as decimal strings checked with Decimal (never a
 * float), and Procore's per-field errors turned into one sentence a finance user can act on.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  CommitmentUpsert,
  CostCodeUpsert,
  DirectCostUpsert,
  FoundContractPayment,
  FoundLine,
  FoundRequisition,
  LineUpsert,
  ProcoreCostCode,
  ProcoreLineItemType,
  ProcoreProject,
  ProcoreVendor,
  VendorUpsert,
} from './types';
import type {
  WireCommitmentUpdate,
  WireCostCode,
  WireDirectCostLineUpdate,
  WireDirectCostUpdate,
  WireIdOut,
  WireLineItem,
  WireLineItemType,
  WireLineUpdate,
  WireContractPayment,
  WireContractPaymentCreate,
  WireCostCodeRecord,
  WireCostCodeUpdate,
  WireLineItemTypeRecord,
  WireProject,
  WireRequisition,
  WireVendor,
  WireVendorUpdate,
} from './wire';
import type { RequisitionPaymentWriteBack } from './types';
import { lineName } from './line-names';

/** A response did not have the shape the connector needs; names the record and field. */
export class ProcoreResponseShapeError extends Error {
  override readonly name = 'ProcoreResponseShapeError';
}

const DIGITS = /^\d+$/;

/**
 * Integer id values of `id` / `*_id` keys, as written in the JSON text. Inside a JSON string
 * every quote is escaped, so a `"…id": 123` match can only be a real key and its value.
 */
const ID_NUMBER_IN_JSON = /("(?:[A-Za-z0-9_]*_)?id"\s*:\s*)(\d+)(?=\s*[,}\]])/g;

/**
 * JSON.parse that keeps ids exact: integer ids are quoted before parsing, because a JS number
 * silently rounds integers above 2^53 (Procore ids may exceed 32 bits, §2.1).
 */
export function parseProcoreJson(text: string, url?: string): unknown {
  try {
    return JSON.parse(text.replace(ID_NUMBER_IN_JSON, '$1"$2"'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // A cut-off answer, an HTML page from a proxy, an empty body: say so, not "Unexpected end of JSON input".
    const path = url ? ` to ${pathOf(url)}` : '';
    const start = text.trim() === '' ? 'it was empty' : `it starts ${JSON.stringify(text.slice(0, 60))}`;
    throw new ProcoreResponseShapeError(`Procore's answer${path} is not complete JSON (${start})`, { cause: error });
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.slice(0, 100);
  }
}

/** An id read from a response as its exact digit string. */
export function idFromWire(value: unknown, what: string): string {
  if (typeof value === 'string' && DIGITS.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new ProcoreResponseShapeError(
    `Procore sent ${what} without a valid id (got ${JSON.stringify(value)})`,
  );
}

/** An id for a request body: a JSON number when exact, else the digit string (lossless). */
export function idToWire(id: string, what: string): WireIdOut {
  if (!DIGITS.test(id)) throw new InvalidInputError(`${what} "${id}" is not a Procore id (digits only)`);
  const asNumber = Number(id);
  return Number.isSafeInteger(asNumber) ? asNumber : id;
}

/** Input the connector refuses before calling Procore (bad amount, bad id, wrong project). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** An amount to send: exact, at most two decimals, normalised to "1234.50". */
export function moneyToWire(amount: string, what: string): string {
  const value = parseDecimal(amount, what);
  if (!value.roundToCents().equals(value))
    throw new InvalidInputError(`${what} ${amount} has fractions of a cent; round it before sending`);
  return value.toMoneyString();
}

/** A money string from a response as a Decimal; a missing or malformed value is an error. */
export function moneyFromWire(value: unknown, what: string): Decimal {
  if (typeof value !== 'string')
    throw new ProcoreResponseShapeError(
      `Procore sent ${what} as ${JSON.stringify(value)}, expected a decimal string`,
    );
  try {
    return Decimal.parse(value);
  } catch (error) {
    throw new ProcoreResponseShapeError(`Procore sent ${what}: ${(error as Error).message}`);
  }
}

function parseDecimal(text: string, what: string): Decimal {
  try {
    return Decimal.parse(text);
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
}

/** Sum of the line amounts of an upsert, to the cent. */
export function sumOfLines(lines: readonly LineUpsert[]): Decimal {
  return Decimal.sum(lines.map((line, i) => parseDecimal(line.amount, `amount of ${upsertLineName(line, i + 1)}`)));
}

/**
 * A line of an upsert as a message names it: its place in the document (1-based, the order the
 * lines are written and Procore lists them) and its description; never its origin id (the ERP's
 * line GUID), which finance cannot find on either screen.
 */
export function upsertLineName(line: LineUpsert, place: number): string {
  return lineName('line', place, line.description, null);
}

export function projectFromWire(project: WireProject): ProcoreProject {
  const id = idFromWire(project.id, 'a project');
  return {
    id,
    name: project.name ?? project.display_name ?? '',
    projectNumber: project.project_number ?? null,
    active: project.active !== false,
    originId: project.origin_id ?? null,
  };
}

export function vendorFromWire(vendor: WireVendor): ProcoreVendor {
  return {
    id: idFromWire(vendor.id, 'a vendor'),
    name: vendor.name ?? '',
    active: vendor.is_active !== false,
    originId: vendor.origin_id ?? null,
    originCode: vendor.origin_code ?? null,
  };
}

/** full_code → id for the live cost codes of a project (full_code includes parent prefixes). */
export function costCodeIndex(costCodes: readonly WireCostCode[], projectId: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const costCode of costCodes) {
    if (costCode.deleted_at) continue;
    const fullCode = costCode.full_code ?? costCode.code;
    if (!fullCode)
      throw new ProcoreResponseShapeError(
        `Procore sent a cost code of project ${projectId} without full_code (id ${String(costCode.id)})`,
      );
    index.set(fullCode, idFromWire(costCode.id, `cost code ${fullCode} of project ${projectId}`));
  }
  return index;
}

/** code → id for line item types ("cost types"); types without a code cannot be mapped to. */
export function lineItemTypeIndex(types: readonly WireLineItemType[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const type of types) {
    if (!type.code) continue;
    index.set(type.code, idFromWire(type.id, `line item type ${type.code}`));
  }
  return index;
}

export function commitmentToWire(commitment: CommitmentUpsert): WireCommitmentUpdate {
  return {
    origin_id: commitment.originId,
    origin_code: commitment.originCode,
    title: commitment.title,
    number: commitment.number,
    description: commitment.description,
    status: commitment.status,
    vendor_id: idToWire(commitment.vendorId, `vendor of commitment ${commitment.originId}`),
    contract_date: commitment.contractDate,
    accounting_method: 'amount',
  };
}

/** `place`: the line's 1-based place in its document, for messages only. */
export function lineToWire(line: LineUpsert, place: number): WireLineUpdate {
  const what = upsertLineName(line, place);
  const wire: WireLineUpdate = {
    origin_id: line.originId,
    description: line.description,
    amount: moneyToWire(line.amount, `amount of ${what}`),
    cost_code_id: idToWire(line.costCodeId, `cost code of ${what}`),
    line_item_type_id: idToWire(line.lineItemTypeId, `line item type of ${what}`),
  };
  if (line.quantity !== null) wire.quantity = parseDecimal(line.quantity, `quantity of ${what}`).toString();
  if (line.unitCost !== null) wire.unit_cost = parseDecimal(line.unitCost, `unit cost of ${what}`).toString();
  if (line.uom !== null) wire.uom = line.uom;
  return wire;
}

export function directCostToWire(cost: DirectCostUpsert): WireDirectCostUpdate {
  return {
    origin_id: cost.originId,
    direct_cost_type: 'invoice',
    invoice_number: cost.invoiceNumber,
    vendor_id: idToWire(cost.vendorId, `vendor of direct cost ${cost.originId}`),
    direct_cost_date: cost.date,
    status: cost.status,
    description: cost.description,
  };
}

export function directCostLineToWire(line: LineUpsert, place: number, directCostId: string): WireDirectCostLineUpdate {
  return { ...lineToWire(line, place), direct_cost_id: idToWire(directCostId, 'direct cost') };
}

export function lineFromWire(line: WireLineItem, parent: string): FoundLine {
  return {
    id: idFromWire(line.id, `a line of ${parent}`),
    originId: line.origin_id ?? null,
    amount: moneyFromWire(line.amount, `the amount of a line of ${parent}`).toMoneyString(),
  };
}

/**
 * Procore's `errors` (a string, or `{field: [msg]}` / `{field: msg}`) as field → messages;
 * plain text lands under `base` (the record as a whole).
 */
export function normaliseFieldErrors(raw: unknown): Record<string, string[]> {
  if (typeof raw === 'string') return { base: [raw] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(raw)) {
    const list = (Array.isArray(messages) ? messages : [messages]).map((message) =>
      typeof message === 'string' ? message : JSON.stringify(message),
    );
    if (list.length > 0) out[field] = list;
  }
  return out;
}

/**
 * One readable sentence from per-field errors, e.g.
 * `Vendor id: vendor 7 does not exist in this company; amount: must have at most 2 decimal places.`
 * Record-level (`base`) messages come first and carry no field label.
 */
export function flattenFieldErrors(errors: Record<string, string[]>): string {
  const parts: string[] = [];
  const entries = Object.entries(errors).sort(([a], [b]) => (a === 'base' ? -1 : b === 'base' ? 1 : 0));
  for (const [field, messages] of entries) {
    for (const message of messages) {
      const text = message.trim().replace(/[.;]+$/, '');
      if (text === '') continue;
      parts.push(field === 'base' ? capitalise(text) : `${humaniseField(field)}: ${text}`);
    }
  }
  return parts.length === 0 ? 'Procore refused the item without saying why.' : `${parts.join('; ')}.`;
}

function humaniseField(field: string): string {
  return capitalise(
    field
      .replace(/\[\d+\]/g, '')
      .replace(/[_.]+/g, ' ')
      .trim(),
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- flows F2 / F3: ERP write-backs and lookups -----------------------------------------------

const blankToNull = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value.trim();

/** A vendor sync item (§2.5 Vendors): checked locally so Procore is not asked in vain. */
export function vendorToWire(vendor: VendorUpsert): WireVendorUpdate {
  const what = `vendor ${vendor.originId}`;
  if (vendor.originId.trim() === '') throw new InvalidInputError('a vendor without an ERP id cannot be synced idempotently');
  if (vendor.name.trim() === '') throw new InvalidInputError(`${what} has no name`);
  const country = blankToNull(vendor.countryCode)?.toUpperCase() ?? null;
  if (country !== null && !/^[A-Z]{2}$/.test(country))
    throw new InvalidInputError(`${what}: country "${vendor.countryCode ?? ''}" is not a two-letter ISO code such as NL`);
  const wire: WireVendorUpdate = { origin_id: vendor.originId, name: vendor.name.trim() };
  if (vendor.procoreId) wire.id = idToWire(vendor.procoreId, `Procore vendor of ${what}`);
  const optional: Array<[keyof WireVendorUpdate, string | null | undefined]> = [
    ['origin_code', vendor.originCode],
    ['origin_data', vendor.originData],
    ['legal_name', vendor.legalName],
    ['abbreviated_name', vendor.abbreviatedName],
    ['address', vendor.address],
    ['city', vendor.city],
    ['state_code', vendor.stateCode],
    ['zip', vendor.zip],
    ['business_phone', vendor.businessPhone],
    ['email_address', vendor.emailAddress],
    ['website', vendor.website],
  ];
  // Absent = leave Procore's value; null or blank = clear it.
  for (const [field, value] of optional) if (value !== undefined) (wire as unknown as Record<string, unknown>)[field] = blankToNull(value);
  if (vendor.countryCode !== undefined) wire.country_code = country;
  if (vendor.active !== undefined) wire.is_active = vendor.active;
  return wire;
}

export function costCodeToWire(costCode: CostCodeUpsert): WireCostCodeUpdate {
  const what = `cost code ${costCode.originId}`;
  if (costCode.originId.trim() === '') throw new InvalidInputError('a cost code without an ERP id cannot be synced idempotently');
  if (costCode.code.trim() === '') throw new InvalidInputError(`${what} has no code`);
  if (costCode.name.trim() === '') throw new InvalidInputError(`${what} has no name`);
  const wire: WireCostCodeUpdate = { origin_id: costCode.originId, code: costCode.code.trim(), name: costCode.name.trim() };
  if (costCode.parentId !== undefined)
    wire.parent_id = costCode.parentId === null ? null : idToWire(costCode.parentId, `parent of ${what}`);
  if (costCode.originData !== undefined) wire.origin_data = costCode.originData;
  return wire;
}

export function contractPaymentToWire(payment: RequisitionPaymentWriteBack): WireContractPaymentCreate {
  const wire: WireContractPaymentCreate = {
    amount: moneyToWire(payment.amount, `the amount of payment ${payment.paymentOriginId}`),
    date: payment.date,
    draw_request_number: payment.requisitionNumber,
    origin_id: payment.paymentOriginId,
  };
  if (blankToNull(payment.checkNumber)) wire.check_number = (payment.checkNumber as string).trim();
  if (blankToNull(payment.invoiceNumber)) wire.invoice_number = (payment.invoiceNumber as string).trim();
  if (blankToNull(payment.notes)) wire.notes = payment.notes as string;
  if (payment.originData) wire.origin_data = payment.originData;
  return wire;
}

export function costCodeFromWire(code: WireCostCodeRecord, projectId: string): ProcoreCostCode {
  const id = idFromWire(code.id, `a cost code of project ${projectId}`);
  const parent = code.parent?.id ?? code.parent_id;
  return {
    id,
    code: code.code ?? '',
    fullCode: code.full_code ?? code.code ?? '',
    name: code.name ?? '',
    parentId: parent === null || parent === undefined ? null : idFromWire(parent, `the parent of cost code ${id}`),
    originId: code.origin_id ?? null,
    originData: code.origin_data ?? null,
  };
}

export function lineItemTypeFromWire(type: WireLineItemTypeRecord): ProcoreLineItemType {
  return {
    id: idFromWire(type.id, `line item type ${type.code ?? ''}`),
    code: type.code ?? '',
    name: type.name ?? '',
    baseType: type.base_type ?? null,
    originId: type.origin_id ?? null,
  };
}

export function foundRequisitionFromWire(row: WireRequisition): FoundRequisition {
  return {
    id: idFromWire(row.id, 'a subcontractor invoice'),
    status: row.status ?? null,
    originId: row.origin_id ?? '',
    originData: row.origin_data ?? null,
    paymentDate: row.payment_date ?? null,
    erpStatus: row.erp_status ?? null,
  };
}

export function foundContractPaymentFromWire(row: WireContractPayment): FoundContractPayment {
  const draw = row.draw_request_number === null || row.draw_request_number === undefined ? null : Number(row.draw_request_number);
  return {
    id: idFromWire(row.id, 'a contract payment'),
    originId: row.origin_id ?? '',
    amount: moneyFromWire(row.amount, 'the amount of a contract payment').toMoneyString(),
    date: row.date ?? null,
    requisitionId: row.requisition_id === null || row.requisition_id === undefined ? null : idFromWire(row.requisition_id, 'the invoice of a contract payment'),
    drawRequestNumber: draw !== null && Number.isSafeInteger(draw) ? draw : null,
  };
}
