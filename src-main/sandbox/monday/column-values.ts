import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { MondayError } from './errors';

/**
 * Column types and value formats of monday.com (fact sheet §4.4). A stored value is the
 * normalised JSON object (or string) that `column_values { value }` returns JSON-encoded;
 * `text` is derived from it and the column settings on every read.
 */

/** SDL `enum ColumnType` (API 2026-10): all 43 values, in the vendor's order. */
export const COLUMN_TYPES = [
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
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Types whose values the sandbox stores and validates through column_values (§4.4). */
export const WRITABLE_COLUMN_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>([
  'text',
  'numbers',
  'date',
  'status',
  'dropdown',
  'link',
  'long_text',
  'email',
  'phone',
  'checkbox',
  'people',
  'timeline',
  'board_relation',
]);

/**
 * Computed by monday itself; a column_values write (also a clear) is refused. monday docs,
 * column pages for formula, auto number and creation log (2026-09): "This column type can not be
 * updated or created (client side auto calculated column)".
 */
const AUTO_CALCULATED_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>([
  'auto_number',
  'item_id',
  'creation_log',
  'last_updated',
  'formula',
  'progress',
  'mirror',
]);

/**
 * What create_column accepts in the sandbox: the writable types plus formula and file. The
 * other enum values are valid GraphQL but not modelled here; create_column refuses them with
 * monday's InvalidColumnTypeException so nothing half-simulated lands on a board.
 */
export const CREATABLE_COLUMN_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>([...WRITABLE_COLUMN_TYPES, 'formula', 'file']);

export interface StoredColumn {
  id: string;
  title: string;
  type: ColumnType;
  /** JSON text, as monday's deprecated `settings_str` returns it; `settings` is its parsed form. */
  settings_str: string;
  description: string | null;
}

export type StoredValue = string | Record<string, unknown>;

interface StatusSettings {
  labels: Record<string, string>;
  done_colors?: number[];
}
interface DropdownSettings {
  labels: { id: number; name: string }[];
}

/** The result of validating one column value: the value to store and, maybe, new settings (labels created). */
export interface NormalisedValue {
  value: StoredValue | null;
  settingsStr?: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

function columnValueError(column: StoredColumn, raw: unknown, reason: string): MondayError {
  return new MondayError('ColumnValueException', `${reason} (column "${column.id}" of type ${column.type})`, {
    // Since the 2025 bug fix column_type is the plain type ("status"), not "StatusColumn".
    error_data: { column_value: JSON.stringify(raw) ?? 'undefined', column_type: column.type, column_id: column.id },
  });
}

/** The refusal for a column the API cannot write (file, subtasks, …): monday's InvalidColumnTypeException. */
export function unsupportedColumnTypeError(column: StoredColumn): MondayError {
  return new MondayError('InvalidColumnTypeException', 'This column type is not supported yet in the API', {
    error_data: { column_id: column.id, actual_type: column.type },
  });
}

/** Refuses a write to a column type the API cannot write; silent for writable types. */
export function assertWritable(column: StoredColumn): void {
  if (WRITABLE_COLUMN_TYPES.has(column.type)) return;
  if (AUTO_CALCULATED_TYPES.has(column.type))
    throw new MondayError('ColumnValueException', 'This column type can not be updated or created (client side auto calculated column)', {
      error_data: { column_id: column.id, column_type: column.type },
    });
  throw unsupportedColumnTypeError(column);
}

/** monday's internal class names in the change_simple_column_value refusal (formula, auto number, creation log docs). */
const INTERNAL_COLUMN_CLASS: Partial<Record<ColumnType, string>> = {
  formula: 'FormulaColumn',
  auto_number: 'AutonumberColumn',
  creation_log: 'PulseLogColumn',
  mirror: 'MirrorColumn',
  last_updated: 'LastUpdatedColumn',
  item_id: 'PulseIdColumn',
  progress: 'ProgressColumn',
};

/** change_simple_column_value on a column that takes no simple string: monday's refusal. */
export function assertSimpleWritable(column: StoredColumn): void {
  const internal = INTERNAL_COLUMN_CLASS[column.type];
  if (internal)
    throw new MondayError('ColumnValueException', `column type ${internal} is not supporting changing the column value with simple column value`, {
      error_data: { column_id: column.id, column_type: column.type },
    });
  assertWritable(column);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRealDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999, so "0001-01-01" failed.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The column's settings as the `settings` JSON field returns them ({} when unreadable). */
export function columnSettings(column: StoredColumn): Record<string, unknown> {
  try {
    const parsed = JSON.parse(column.settings_str || '{}') as unknown;
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function parseSettings<T>(column: StoredColumn, fallback: T): T {
  return { ...fallback, ...columnSettings(column) } as T;
}

/**
 * A date column takes {"date":"YYYY-MM-DD","time":"HH:MM:SS"} or the plain string
 * "YYYY-MM-DD" (optionally "YYYY-MM-DD HH:MM:SS"), monday's simple-value form (issue; monday
 * date column docs). Both end up as the same stored object.
 */
function dateParts(raw: unknown): { date: unknown; time: unknown } | null {
  if (typeof raw === 'string') {
    const [date, time, ...rest] = raw.trim().split(' ');
    return rest.length === 0 ? { date, time } : null;
  }
  return isPlainObject(raw) ? { date: raw.date, time: raw.time } : null;
}

/**
 * Validates one raw value from a column_values JSON against the column's type (§4.4).
 * `null` clears the column. Unknown status/dropdown labels are created only with
 * create_labels_if_missing (§4.3), otherwise ColumnValueException.
 */
export function normaliseColumnValue(
  column: StoredColumn,
  raw: unknown,
  createLabelsIfMissing: boolean,
  nowIso: string,
): NormalisedValue {
  assertWritable(column);
  if (raw === null) return { value: null };
  switch (column.type) {
    case 'text': {
      if (typeof raw !== 'string') throw columnValueError(column, raw, 'a text column takes a plain string');
      return { value: raw };
    }
    case 'numbers': {
      // A number or a numeric string (§4.4). Kept as the decimal text, never as a float.
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string') throw columnValueError(column, raw, 'a numbers column takes a number or a numeric string');
      if (text.trim() === '') return { value: null };
      try {
        Decimal.parse(text);
        // Stored as sent ("250.10" stays "250.10"): the text is what finance users compare.
        return { value: text.trim() };
      } catch (err) {
        if (err instanceof InvalidDecimalError) throw columnValueError(column, raw, `"${text}" is not a number`);
        throw err;
      }
    }
    case 'date': {
      const parts = dateParts(raw);
      if (!parts || typeof parts.date !== 'string' || !isRealDate(parts.date))
        throw columnValueError(column, raw, 'a date column takes "YYYY-MM-DD" or {"date":"YYYY-MM-DD"} with a real calendar date');
      if (parts.time !== undefined && parts.time !== null && (typeof parts.time !== 'string' || !ISO_TIME.test(parts.time)))
        throw columnValueError(column, raw, 'the optional time must be "HH:MM:SS" (UTC)');
      const time = typeof parts.time === 'string' ? parts.time : null;
      return { value: { date: parts.date, ...(time ? { time } : {}), icon: null, changed_at: nowIso } };
    }
    case 'status':
      return normaliseStatus(column, raw, createLabelsIfMissing, nowIso);
    case 'dropdown':
      return normaliseDropdown(column, raw, createLabelsIfMissing);
    case 'link': {
      if (!isPlainObject(raw) || typeof raw.url !== 'string' || raw.url === '')
        throw columnValueError(column, raw, 'a link column takes {"url":"https://…","text":"shown text"}');
      if (raw.text !== undefined && typeof raw.text !== 'string') throw columnValueError(column, raw, 'link "text" must be a string');
      return { value: { url: raw.url, text: typeof raw.text === 'string' ? raw.text : raw.url, changed_at: nowIso } };
    }
    case 'long_text': {
      if (!isPlainObject(raw) || typeof raw.text !== 'string') throw columnValueError(column, raw, 'a long_text column takes {"text":"…"}');
      return { value: { text: raw.text, changed_at: nowIso } };
    }
    case 'email': {
      if (!isPlainObject(raw) || typeof raw.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(raw.email))
        throw columnValueError(column, raw, 'an email column takes {"email":"name@example.com","text":"…"}');
      return { value: { email: raw.email, text: typeof raw.text === 'string' ? raw.text : raw.email, changed_at: nowIso } };
    }
    case 'phone': {
      if (!isPlainObject(raw) || typeof raw.phone !== 'string' || typeof raw.countryShortName !== 'string')
        throw columnValueError(column, raw, 'a phone column takes {"phone":"…","countryShortName":"NL"}');
      return { value: { phone: raw.phone, countryShortName: raw.countryShortName, changed_at: nowIso } };
    }
    case 'checkbox': {
      if (!isPlainObject(raw) || (raw.checked !== 'true' && raw.checked !== true && raw.checked !== 'false' && raw.checked !== false))
        throw columnValueError(column, raw, 'a checkbox column takes {"checked":"true"}');
      return raw.checked === 'true' || raw.checked === true ? { value: { checked: 'true', changed_at: nowIso } } : { value: null };
    }
    case 'people': {
      const list = isPlainObject(raw) ? raw.personsAndTeams : undefined;
      if (!Array.isArray(list) || !list.every((p) => isPlainObject(p) && (p.kind === 'person' || p.kind === 'team') && Number.isInteger(Number(p.id))))
        throw columnValueError(column, raw, 'a people column takes {"personsAndTeams":[{"id":1,"kind":"person"}]}');
      return { value: { personsAndTeams: list.map((p) => ({ id: Number(p.id), kind: p.kind })), changed_at: nowIso } };
    }
    case 'timeline': {
      if (!isPlainObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string' || !isRealDate(raw.from) || !isRealDate(raw.to) || raw.from > raw.to)
        throw columnValueError(column, raw, 'a timeline column takes {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"} with from <= to');
      return { value: { from: raw.from, to: raw.to, changed_at: nowIso } };
    }
    case 'board_relation': {
      const ids = isPlainObject(raw) ? raw.item_ids : undefined;
      if (!Array.isArray(ids) || !ids.every((id) => /^\d+$/.test(String(id))))
        throw columnValueError(column, raw, 'a connect-boards column takes {"item_ids":[…]}');
      return { value: { linkedPulseIds: ids.map((id) => ({ linkedPulseId: Number(id) })) } };
    }
    default:
      // assertWritable let only the types above through.
      throw unsupportedColumnTypeError(column);
  }
}

function normaliseStatus(column: StoredColumn, raw: unknown, createLabelsIfMissing: boolean, nowIso: string): NormalisedValue {
  const settings = parseSettings<StatusSettings>(column, { labels: {} });
  const stored = (index: number): StoredValue => ({ index, post_id: null, changed_at: nowIso });
  if (isPlainObject(raw) && raw.index !== undefined) {
    const index = Number(raw.index);
    if (!Number.isInteger(index) || settings.labels[String(index)] === undefined)
      throw columnValueError(column, raw, `status index ${String(raw.index)} does not exist on this column`);
    return { value: stored(index) };
  }
  // A bare string is accepted as a label, like monday's simple-value form.
  const label = isPlainObject(raw) ? raw.label : raw;
  if (typeof label !== 'string') throw columnValueError(column, raw, 'a status column takes {"label":"Done"} or {"index":1}');
  const existing = Object.entries(settings.labels).find(([, name]) => name === label);
  if (existing) return { value: stored(Number(existing[0])) };
  if (!createLabelsIfMissing)
    throw columnValueError(column, raw, `invalid value - label "${label}" does not exist in column; pass create_labels_if_missing: true to create it`);
  let index = 0;
  while (settings.labels[String(index)] !== undefined) index += 1;
  const labels = { ...settings.labels, [String(index)]: label };
  return { value: stored(index), settingsStr: JSON.stringify({ ...settings, labels }) };
}

function normaliseDropdown(column: StoredColumn, raw: unknown, createLabelsIfMissing: boolean): NormalisedValue {
  const settings = parseSettings<DropdownSettings>(column, { labels: [] });
  const labels = [...settings.labels];
  let changed = false;
  const ids: number[] = [];
  if (isPlainObject(raw) && Array.isArray(raw.ids)) {
    // ids may be numbers or numeric strings (changelog "column values argument now accepts string values").
    for (const id of raw.ids) {
      const n = Number(id);
      if (!labels.some((l) => l.id === n)) throw columnValueError(column, raw, `dropdown id ${String(id)} does not exist on this column`);
      ids.push(n);
    }
  } else if (isPlainObject(raw) && Array.isArray(raw.labels)) {
    for (const name of raw.labels) {
      if (typeof name !== 'string') throw columnValueError(column, raw, 'dropdown labels must be strings');
      let label = labels.find((l) => l.name === name);
      if (!label) {
        if (!createLabelsIfMissing)
          throw columnValueError(column, raw, `dropdown label "${name}" does not exist; pass create_labels_if_missing: true to create it`);
        label = { id: labels.reduce((max, l) => Math.max(max, l.id), 0) + 1, name };
        labels.push(label);
        changed = true;
      }
      ids.push(label.id);
    }
  } else throw columnValueError(column, raw, 'a dropdown column takes {"labels":["A"]} or {"ids":[1]}');
  return {
    value: { ids },
    ...(changed ? { settingsStr: JSON.stringify({ ...settings, labels }) } : {}),
  };
}

/** The selected options of a dropdown value, as DropdownValue.values returns them ({id, label}). */
export function dropdownOptions(column: StoredColumn, value: StoredValue | null | undefined): { id: string; label: string }[] {
  if (column.type !== 'dropdown' || value === null || value === undefined || typeof value === 'string') return [];
  const labels = parseSettings<DropdownSettings>(column, { labels: [] }).labels;
  return (value.ids as number[]).map((id) => ({ id: String(id), label: labels.find((l) => l.id === id)?.name ?? '' }));
}

/** Status label of a stored index and whether it counts as done (settings `done_colors`, default [1]). */
export function statusLabel(column: StoredColumn, value: StoredValue | null | undefined): { label: string; isDone: boolean } | null {
  if (column.type !== 'status' || value === null || value === undefined || typeof value === 'string') return null;
  const settings = parseSettings<StatusSettings>(column, { labels: {} });
  const index = Number(value.index);
  return { label: settings.labels[String(index)] ?? '', isDone: (settings.done_colors ?? [1]).includes(index) };
}

/**
 * The display text monday shows for a stored value (`column_values { text }`). An empty
 * column reads "" for every type, never null (issue; monday formula docs: "Returns an empty
 * string"). Computed types (formula, mirror) carry their result in display_value, not here.
 */
export function columnText(column: StoredColumn, value: StoredValue | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  switch (column.type) {
    case 'date':
      return typeof value.time === 'string' ? `${String(value.date)} ${value.time}` : String(value.date);
    case 'status':
      return statusLabel(column, value)?.label ?? '';
    case 'dropdown':
      return dropdownOptions(column, value)
        .map((o) => o.label)
        .join(', ');
    case 'link':
      return `${String(value.text)} - ${String(value.url)}`;
    case 'long_text':
      return String(value.text);
    case 'email':
      return String(value.email);
    case 'phone':
      return String(value.phone);
    case 'checkbox':
      return 'v';
    case 'timeline':
      return `${String(value.from)} - ${String(value.to)}`;
    default:
      return '';
  }
}

/** Default settings of a new column (create_column / seeded boards); `defaults` as create_column takes it. */
export function defaultSettings(type: ColumnType, defaults: unknown): string {
  const given = isPlainObject(defaults) && isPlainObject(defaults.settings) ? defaults.settings : isPlainObject(defaults) ? defaults : {};
  if (type === 'status') {
    const labels = isPlainObject(given.labels) ? given.labels : { '0': 'Working on it', '1': 'Done', '2': 'Stuck' };
    const doneColors = Array.isArray(given.done_colors) ? given.done_colors : [1];
    return JSON.stringify({ done_colors: doneColors, labels });
  }
  if (type === 'dropdown') return JSON.stringify({ labels: Array.isArray(given.labels) ? given.labels : [] });
  if (type === 'formula') return JSON.stringify(typeof given.formula === 'string' ? { formula: given.formula } : {});
  return JSON.stringify(given);
}
