/**
 * Pure conversions between Procore wire shapes (wire.ts) and the connector's public types
 * (types.ts): ids as exact digit strings, money as decimal strings checked with Decimal (never a
 * float), and Procore's per-field errors turned into one sentence a finance user can act on.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  CommitmentUpsert,
  DirectCostUpsert,
  FoundLine,
  LineUpsert,
  ProcoreProject,
  ProcoreVendor,
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
  WireProject,
  WireVendor,
} from './wire';

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
export function parseProcoreJson(text: string): unknown {
  return JSON.parse(text.replace(ID_NUMBER_IN_JSON, '$1"$2"'));
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
  return Decimal.sum(lines.map((line) => parseDecimal(line.amount, `amount of line ${line.originId}`)));
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

export function lineToWire(line: LineUpsert): WireLineUpdate {
  const what = `line ${line.originId}`;
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

export function directCostLineToWire(line: LineUpsert, directCostId: string): WireDirectCostLineUpdate {
  return { ...lineToWire(line), direct_cost_id: idToWire(directCostId, 'direct cost') };
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
