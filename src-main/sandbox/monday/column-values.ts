import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { MondayError } from './errors';

/**
 * Column types and value formats of monday.com (fact sheet §4.4). A stored value is the
 * normalised JSON object (or string) that `column_values { value }` returns JSON-encoded;
 * `text` is derived from it and the column settings on every read.
 */
export const COLUMN_TYPES = [
  'name',
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
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface StoredColumn {
  id: string;
  title: string;
  type: ColumnType;
  /** JSON text, as monday returns it: status {"labels":{"0":"Open"}}, dropdown {"labels":[{id,name}]}. */
  settings_str: string;
  description: string | null;
}

export type StoredValue = string | Record<string, unknown>;

interface StatusSettings {
  labels: Record<string, string>;
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
    error_data: { column_value: JSON.stringify(raw) ?? 'undefined', column_type: column.type, column_id: column.id },
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRealDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function parseSettings<T>(column: StoredColumn, fallback: T): T {
  try {
    return { ...fallback, ...(JSON.parse(column.settings_str || '{}') as object) } as T;
  } catch {
    return fallback;
  }
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
  if (raw === null) return { value: null };
  switch (column.type) {
    case 'name':
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
      if (!isPlainObject(raw) || typeof raw.date !== 'string' || !isRealDate(raw.date))
        throw columnValueError(column, raw, 'a date column takes {"date":"YYYY-MM-DD"} with a real calendar date');
      if (raw.time !== undefined && raw.time !== null && (typeof raw.time !== 'string' || !ISO_TIME.test(raw.time)))
        throw columnValueError(column, raw, 'the optional "time" must be "HH:MM:SS" (UTC)');
      const time = typeof raw.time === 'string' ? raw.time : null;
      return { value: { date: raw.date, ...(time ? { time } : {}), changed_at: nowIso } };
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
      if (!isPlainObject(raw) || typeof raw.text !== 'string')
        throw columnValueError(column, raw, 'a long_text column takes {"text":"…"}');
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
    throw columnValueError(column, raw, `status label "${label}" does not exist; pass create_labels_if_missing: true to create it`);
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

/** The display text monday shows for a stored value (`column_values { text }`). */
export function columnText(column: StoredColumn, value: StoredValue | null | undefined): string | null {
  if (value === null || value === undefined) return column.type === 'text' || column.type === 'numbers' ? '' : null;
  if (typeof value === 'string') return value;
  switch (column.type) {
    case 'date':
      return typeof value.time === 'string' ? `${String(value.date)} ${value.time}` : String(value.date);
    case 'status':
      return parseSettings<StatusSettings>(column, { labels: {} }).labels[String(value.index)] ?? '';
    case 'dropdown': {
      const labels = parseSettings<DropdownSettings>(column, { labels: [] }).labels;
      return (value.ids as number[]).map((id) => labels.find((l) => l.id === id)?.name ?? '').join(', ');
    }
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

/** Default settings of a new column (create_column / seeded boards). */
export function defaultSettings(type: ColumnType, defaults: unknown): string {
  if (type === 'status') {
    const labels = isPlainObject(defaults) && isPlainObject(defaults.labels) ? defaults.labels : { '0': 'Working on it', '1': 'Done', '2': 'Stuck' };
    return JSON.stringify({ labels });
  }
  if (type === 'dropdown') {
    const labels = isPlainObject(defaults) && Array.isArray(defaults.labels) ? defaults.labels : [];
    return JSON.stringify({ labels });
  }
  return '{}';
}
