/**
 * Pure conversions between this connector's public types and monday.com's wire forms: column
 * value encoding (fact sheet §4.4), reading values back, the column-mapping check, boards and
 * items from the wire, and monday's error codes in words a finance user can act on (§4.7).
 * No I/O here; everything is unit-tested in mappers.unit.test.ts.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  CellValue,
  CellWrite,
  FoundCell,
  FoundItem,
  MappedField,
  MappingCheck,
  MondayBoard,
  MondayColumn,
  MondayGroup,
} from './types';
import type { WireBoard, WireColumnValue, WireItem } from './wire';

/** SDL `enum ColumnType` (API 2026-10), all 43 values in the vendor's order. */
export const MONDAY_COLUMN_TYPES = [
  'auto_number',
  'board_relation',
  'button',
  'checkbox',
  'color_picker',
  'country',
  'creation_log',
  'date',
  'dependency',
  'doc',
  'dropdown',
  'email',
  'file',
  'formula',
  'group',
  'hour',
  'integration',
  'item_assignees',
  'item_id',
  'last_updated',
  'link',
  'location',
  'long_text',
  'mirror',
  'numbers',
  'people',
  'phone',
  'progress',
  'rating',
  'status',
  'tags',
  'team',
  'text',
  'timeline',
  'time_tracking',
  'vote',
  'week',
  'world_clock',
  'unsupported',
  'name',
  'person',
  'direct_doc',
  'subtasks',
] as const;
export type MondayColumnType = (typeof MONDAY_COLUMN_TYPES)[number];

const KNOWN_TYPES: ReadonlySet<string> = new Set(MONDAY_COLUMN_TYPES);

/** A type monday adds later reads as `unsupported` (the mapping check then refuses it). */
export function columnTypeFromWire(type: string): MondayColumnType {
  return KNOWN_TYPES.has(type) ? (type as MondayColumnType) : 'unsupported';
}

/** The column types this connector writes, and nothing else (what F4 needs). */
const WRITABLE_TYPES: ReadonlySet<MondayColumnType> = new Set<MondayColumnType>([
  'text',
  'long_text',
  'numbers',
  'date',
  'status',
  'dropdown',
  'link',
]);

/**
 * Columns that refuse a write outright (and a refused column fails the whole item, §4.3):
 * why, in words. The demo boards carry formula, mirror, files and subitems on purpose.
 */
const UNWRITABLE_REASONS: Partial<Record<MondayColumnType, string>> = {
  formula: 'monday calculates its value itself and refuses writes to it',
  mirror: 'it only shows values of linked items and refuses writes to it',
  file: 'it holds uploaded files, which cannot be written as a value',
  subtasks: 'it holds subitems, not a value',
  auto_number: 'monday numbers items in it itself',
  item_id: 'monday fills it with the item id',
  creation_log: 'monday fills it when the item is created',
  last_updated: 'monday fills it on every change',
  progress: 'monday calculates it from other columns',
  button: 'it is a button, not a value',
  dependency: 'it links items for scheduling, not a value',
  doc: 'it holds a monday doc',
  direct_doc: 'it holds a monday doc',
  name: 'it holds the item name, which the connector sets itself',
  unsupported: 'monday does not offer it through the API',
};

const TYPE_NAMES: Partial<Record<MondayColumnType, string>> = {
  long_text: 'long text',
  file: 'files',
  subtasks: 'subitems',
  board_relation: 'connect boards',
  auto_number: 'auto number',
  item_id: 'item ID',
  creation_log: 'creation log',
  last_updated: 'last updated',
  color_picker: 'color picker',
  time_tracking: 'time tracking',
  world_clock: 'world clock',
  item_assignees: 'assignees',
  direct_doc: 'doc',
};

export function columnTypeName(type: MondayColumnType): string {
  return TYPE_NAMES[type] ?? type;
}

/** Which column types can hold each kind of mapped value, and how to say it. */
const KIND_RULES: Record<MappedField['valueKind'], { types: readonly MondayColumnType[]; needs: string }> = {
  key: { types: ['text'], needs: 'a text column (monday finds the key by its exact text)' },
  amount: { types: ['numbers'], needs: 'a numbers column' },
  date: { types: ['date'], needs: 'a date column' },
  code: {
    types: ['text', 'long_text', 'status', 'dropdown'],
    needs: 'a text, long text, status or dropdown column',
  },
  text: { types: ['text', 'long_text'], needs: 'a text or long text column' },
  url: { types: ['link'], needs: 'a link column' },
};

// ---- column value encoding (§4.4) ----------------------------------------------------------

/** A value that the column cannot take; nothing is sent for the item. */
export class CellEncodingError extends Error {
  override readonly name = 'CellEncodingError';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PLAIN_AMOUNT = /^-?\d+(\.\d+)?$/;

function isRealDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999, so "0001-01-01" was refused.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The exact digits of an amount for a numbers column (§4.4 takes a numeric string): "1234.50"
 * stays "1234.50"; a Decimal is written out in full. Never through a binary float.
 */
export function amountToWire(amount: string | Decimal): string {
  if (typeof amount !== 'string') return amount.toString();
  const trimmed = amount.trim();
  let parsed: Decimal;
  try {
    parsed = Decimal.parse(trimmed);
  } catch (error) {
    if (error instanceof InvalidDecimalError)
      throw new CellEncodingError(`"${amount}" is not an amount: ${error.message}`);
    throw error;
  }
  return PLAIN_AMOUNT.test(trimmed) ? trimmed : parsed.toString();
}

function describeValue(value: CellValue): string {
  switch (value.kind) {
    case 'text':
      return `the text "${value.text}"`;
    case 'number':
      return `the amount ${typeof value.amount === 'string' ? value.amount : value.amount.toString()}`;
    case 'date':
      return `the date ${value.date}`;
    case 'link':
      return `the link ${value.url}`;
    case 'empty':
      return 'an empty value';
  }
}

function dateToWire(date: string): { date: string } {
  if (!isRealDate(date))
    throw new CellEncodingError(`"${date}" is not a calendar date in the form YYYY-MM-DD`);
  return { date };
}

/**
 * The value monday's column_values JSON takes for this column type (§4.4): numbers as the
 * decimal string, date `{"date":"YYYY-MM-DD"}`, status `{"label"}`, dropdown `{"labels":[…]}`,
 * link `{"url","text"}`, long text `{"text"}`, text a plain string; `null` clears a column.
 */
export function encodeCell(columnType: MondayColumnType, value: CellValue, columnId: string): unknown {
  const refuse = (why: string): never => {
    throw new CellEncodingError(
      `column "${columnId}" (${columnTypeName(columnType)}) cannot take ${describeValue(value)}: ${why}`,
    );
  };
  const unwritable = UNWRITABLE_REASONS[columnType];
  if (unwritable !== undefined) return refuse(unwritable);
  if (!WRITABLE_TYPES.has(columnType))
    return refuse(
      'this connector writes only text, long text, numbers, date, status, dropdown and link columns',
    );
  if (value.kind === 'empty') return null;
  switch (columnType) {
    case 'text':
      return value.kind === 'text'
        ? value.text
        : value.kind === 'number'
          ? amountToWire(value.amount)
          : value.kind === 'date'
            ? dateToWire(value.date).date
            : value.url;
    case 'long_text':
      if (value.kind === 'link') return { text: value.url };
      return {
        text:
          value.kind === 'text'
            ? value.text
            : value.kind === 'number'
              ? amountToWire(value.amount)
              : dateToWire(value.date).date,
      };
    case 'numbers':
      return value.kind === 'number'
        ? amountToWire(value.amount)
        : refuse('a numbers column takes amounts only');
    case 'date':
      return value.kind === 'date' ? dateToWire(value.date) : refuse('a date column takes dates only');
    case 'status':
      if (value.kind !== 'text') return refuse('a status column takes a label');
      return value.text.trim() === '' ? null : { label: value.text };
    case 'dropdown':
      if (value.kind !== 'text') return refuse('a dropdown column takes a label');
      return value.text.trim() === '' ? null : { labels: [value.text] };
    case 'link':
      if (value.kind !== 'link') return refuse('a link column takes a link');
      if (!/^https?:\/\//i.test(value.url)) return refuse('a link must start with http:// or https://');
      return { url: value.url, text: value.text ?? value.url };
    default:
      return refuse('this connector does not write that column type');
  }
}

/**
 * The `column_values` object of one item (§4.3; JSON-encoded into a variable by documents.ts).
 * A column named twice is refused: the second value would silently win.
 */
export function encodeColumnValues(cells: readonly CellWrite[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const cell of cells) {
    if (Object.hasOwn(values, cell.columnId))
      throw new CellEncodingError(`column "${cell.columnId}" is given two values`);
    values[cell.columnId] = encodeCell(cell.columnType, cell.value, cell.columnId);
  }
  return values;
}

// ---- reading values back -------------------------------------------------------------------

/** `value` arrives JSON-encoded (§4.4); parse it, and keep anything unparseable as it came. */
export function parseValueJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** A column value as read: formula and mirror results come from display_value (their text is ""). */
export function cellFromWire(wire: WireColumnValue): FoundCell {
  const type = columnTypeFromWire(wire.type);
  const computed = type === 'formula' || type === 'mirror';
  return {
    type,
    text: (computed ? wire.display_value : wire.text) ?? '',
    value: computed ? null : parseValueJson(wire.value),
  };
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The amount a numbers column holds, as a Decimal (from `value`, else `text`); null when empty. */
export function amountOfCell(cell: FoundCell): Decimal | null {
  const raw = typeof cell.value === 'string' || typeof cell.value === 'number' ? cell.value : cell.text;
  if (raw === '' || raw === null) return null;
  try {
    return typeof raw === 'number' ? Decimal.fromJsonNumber(raw) : Decimal.parse(raw);
  } catch {
    return null;
  }
}

/** True when the column already holds what `write` would put there (no update needed). */
export function cellHolds(write: CellWrite, found: FoundCell | undefined): boolean {
  const text = found?.text ?? '';
  const value = recordOf(found?.value);
  const wanted = write.value;
  if (wanted.kind === 'empty') return text === '';
  if (found === undefined) return false;
  const encoded = encodeCell(write.columnType, wanted, write.columnId);
  switch (write.columnType) {
    case 'numbers': {
      const held = amountOfCell(found);
      return held !== null && held.equals(Decimal.parse(encoded as string));
    }
    case 'date':
      return value['date'] === (encoded as { date: string }).date;
    case 'status':
      return text === (encoded as { label: string }).label;
    case 'dropdown':
      return text === (encoded as { labels: string[] }).labels.join(', ');
    case 'link': {
      const link = encoded as { url: string; text: string };
      return value['url'] === link.url && value['text'] === link.text;
    }
    case 'long_text':
      return text === (encoded as { text: string }).text;
    default:
      return text === encoded;
  }
}

/** The cells whose value differs from what the item holds: an update sends only these. */
export function changedCells(item: FoundItem, cells: readonly CellWrite[]): CellWrite[] {
  return cells.filter((cell) => !cellHolds(cell, item.columnValues.get(cell.columnId)));
}

// ---- boards and items ----------------------------------------------------------------------

/** Column.settings (JSON scalar): an object on the wire; a JSON-encoded string is parsed. */
export function settingsFromWire(settings: unknown): Record<string, unknown> {
  return recordOf(parseValueJson(settings));
}

function groupsFromWire(groups: WireBoard['groups']): MondayGroup[] {
  return (groups ?? []).flatMap((group) => (group ? [{ id: group.id, title: group.title }] : []));
}

function boardKind(kind: string | undefined): MondayBoard['kind'] {
  return kind === 'private' || kind === 'share' ? kind : 'public';
}

export function boardFromWire(wire: WireBoard): MondayBoard {
  return {
    id: String(wire.id),
    name: wire.name,
    workspaceId:
      wire.workspace_id === null || wire.workspace_id === undefined ? null : String(wire.workspace_id),
    kind: boardKind(wire.board_kind),
    url: wire.url ?? '',
    groups: groupsFromWire(wire.groups),
    columns: (wire.columns ?? []).flatMap((column): MondayColumn[] =>
      column
        ? [
            {
              id: column.id,
              title: column.title,
              type: columnTypeFromWire(column.type),
              settings: settingsFromWire(column.settings),
            },
          ]
        : [],
    ),
  };
}

function itemState(state: string | null | undefined): FoundItem['state'] {
  return state === 'active' || state === 'archived' || state === 'deleted' || state === 'all' ? state : null;
}

export function itemFromWire(wire: WireItem): FoundItem {
  return {
    itemId: String(wire.id),
    name: wire.name,
    state: itemState(wire.state),
    groupId: wire.group?.id ?? null,
    boardId: wire.board?.id === undefined ? null : String(wire.board.id),
    columnValues: new Map((wire.column_values ?? []).map((value) => [value.id, cellFromWire(value)])),
    duplicateItemIds: [],
  };
}

/**
 * Items of a key lookup, by key. `items_page_by_column_values` is treated as exact matching
 * (§4.5), and checked here again: only items whose key column text equals a wanted key count.
 * Several items with one key: the oldest (lowest id) is the item, the others are reported.
 */
export function itemsByKey(
  items: readonly FoundItem[],
  keyColumnId: string,
  keys: ReadonlySet<string>,
): Map<string, FoundItem> {
  const byKey = new Map<string, FoundItem>();
  const sorted = [...items].sort((a, b) => compareIds(a.itemId, b.itemId));
  for (const item of sorted) {
    const key = item.columnValues.get(keyColumnId)?.text;
    if (key === undefined || !keys.has(key)) continue;
    const first = byKey.get(key);
    if (first) {
      if (first.itemId !== item.itemId && !first.duplicateItemIds.includes(item.itemId))
        first.duplicateItemIds.push(item.itemId);
    } else byKey.set(key, { ...item, duplicateItemIds: [] });
  }
  return byKey;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ---- the column-mapping check --------------------------------------------------------------

/** Labels of a status or dropdown column's settings: `{labels:{"0":"Open"}}` or `{labels:[{id,name|label}]}`. */
export function labelsOf(column: MondayColumn): string[] {
  const labels = column.settings['labels'];
  if (Array.isArray(labels))
    return labels.flatMap((entry) => {
      const record = recordOf(entry);
      const name = record['name'] ?? record['label'];
      return typeof name === 'string' ? [name] : [];
    });
  return Object.values(recordOf(labels)).filter((label): label is string => typeof label === 'string');
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/**
 * Says per mapped field whether its column exists on the board and can hold its value, in one
 * sentence naming the board and the column when not. Run before any write: a missing or
 * retyped column is refused here, not item by item by monday.
 */
export function checkColumnMapping(
  board: MondayBoard,
  mapping: readonly MappedField[],
  options: { createLabelsIfMissing?: boolean } = {},
): MappingCheck[] {
  const usedBy = new Map<string, MappedField>();
  return mapping.map((field): MappingCheck => {
    const result = (problem: string | null): MappingCheck => ({
      field: field.field,
      columnId: field.columnId,
      ok: problem === null,
      problem,
    });
    const column = board.columns.find((candidate) => candidate.id === field.columnId);
    if (!column)
      return result(
        `Board "${board.name}" has no column with id "${field.columnId}" any more (it was deleted, or the mapping is from another board); pick the column for ${field.label} again.`,
      );
    const named = `Column "${column.title}" on board "${board.name}"`;
    const other = usedBy.get(column.id);
    if (other)
      return result(
        `${other.label} and ${field.label} are both mapped to column "${column.title}" on board "${board.name}"; each needs its own column.`,
      );
    usedBy.set(column.id, field);
    const typeName = columnTypeName(column.type);
    const unwritable = UNWRITABLE_REASONS[column.type];
    if (unwritable !== undefined)
      return result(
        `${named} is a ${typeName} column: ${unwritable}, so it cannot hold ${field.label}. Map ${field.label} to another column.`,
      );
    const rule = KIND_RULES[field.valueKind];
    if (!rule.types.includes(column.type)) {
      if (field.mappedType !== undefined && field.mappedType !== column.type)
        return result(
          `${named} was a ${columnTypeName(field.mappedType)} column when ${field.label} was mapped to it and is now a ${typeName} column; ${field.label} needs ${rule.needs}. Map ${field.label} again.`,
        );
      return result(`${named} is a ${typeName} column; ${field.label} needs ${rule.needs}.`);
    }
    if (
      (column.type === 'status' || column.type === 'dropdown') &&
      field.labels &&
      !options.createLabelsIfMissing
    ) {
      const existing = new Set(labelsOf(column));
      const missing = field.labels.filter((label) => label.trim() !== '' && !existing.has(label));
      if (missing.length > 0)
        return result(
          `${named} has no ${typeName} label ${quoteList(missing)} for ${field.label}; add ${missing.length === 1 ? 'it' : 'them'} in monday, or let the connection create missing labels.`,
        );
    }
    return result(null);
  });
}

// ---- monday's refusals in words ------------------------------------------------------------

/** Codes that mean monday refused this item or request as given: the same write fails again. */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'ColumnValueException',
  'CorrectedValueException',
  'InvalidArgumentException',
  'InvalidBoardIdException',
  'InvalidColumnIdException',
  'InvalidColumnTypeException',
  'InvalidItemIdException',
  'InvalidGroupIdException',
  'InvalidUserIdException',
  'ItemNameTooLongException',
  'ItemsLimitationException',
  'RecordInvalidException',
  'ResourceNotFoundException',
  'missingRequiredPermissions',
  'UserUnauthorizedException',
  'USER_ACCESS_DENIED',
  'JsonParseException',
  'InvalidVersionException',
  'maxComplexityExceeded',
  'LocalValidation',
]);

export function isRefusalCode(code: string | null): boolean {
  return code !== null && REFUSAL_CODES.has(code);
}

/** What the failing column was, from `error_data` (monday puts column_id there). */
function columnOf(errorData: unknown): string | null {
  const id = recordOf(errorData)['column_id'];
  return typeof id === 'string' ? id : null;
}

/**
 * monday's error for one item or call as a sentence: what is wrong and what to do, with
 * monday's own words quoted. `boardId` names the board the write was for.
 */
export function explainMondayCode(
  code: string | null,
  vendorMessage: string,
  errorData: unknown,
  boardId: string | null,
): string {
  const said = `monday said: "${vendorMessage.replace(/\s+/g, ' ').trim().slice(0, 300)}"`;
  const column = columnOf(errorData);
  const board = boardId === null ? 'the board' : `board ${boardId}`;
  switch (code) {
    case 'ColumnValueException':
    case 'CorrectedValueException':
      return `monday refused the value for column ${column === null ? '' : `"${column}" `}(${said}); check that the column still has the type the mapping expects and, for a status or dropdown, that the label exists.`;
    case 'InvalidColumnIdException':
      return `Column ${column === null ? '' : `"${column}" `}does not exist on ${board} (${said}); pick the column again in the mapping.`;
    case 'InvalidColumnTypeException':
      return `Column ${column === null ? '' : `"${column}" `}on ${board} cannot be written through the API (${said}); map another column.`;
    case 'InvalidBoardIdException':
      return `${board.charAt(0).toUpperCase()}${board.slice(1)} does not exist or the monday user of this connection cannot see it (${said}); pick the board again.`;
    case 'InvalidGroupIdException':
      return `The group does not exist on ${board} (${said}); pick the group again.`;
    case 'InvalidItemIdException':
      return `The monday item does not exist any more (${said}); it was deleted in monday.`;
    case 'ItemNameTooLongException':
      return `The item name is longer than monday's 255 characters (${said}).`;
    case 'ItemsLimitationException':
      return `${board.charAt(0).toUpperCase()}${board.slice(1)} has reached monday's item limit (${said}); archive old items or use another board.`;
    case 'missingRequiredPermissions':
    case 'UserUnauthorizedException':
    case 'USER_ACCESS_DENIED':
      return `The monday user of this connection may not change ${board} (${said}); give that user edit rights on the board, or connect monday with another user.`;
    case 'InvalidArgumentException':
      return `monday refused the request (${said}).`;
    default:
      return `monday could not do it (${code ?? 'no code'}; ${said}).`;
  }
}
