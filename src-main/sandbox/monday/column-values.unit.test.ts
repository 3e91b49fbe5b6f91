import { describe, expect, it } from 'vitest';
import { columnText, defaultSettings, dropdownOptions, normaliseColumnValue, type ColumnType, type StoredColumn } from './column-values';
import { MondayError } from './errors';

const NOW = '2026-10-30T16:00:00Z';
const column = (type: ColumnType, defaults?: unknown): StoredColumn => ({ id: type, title: type, type, settings_str: defaultSettings(type, defaults), description: null });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof MondayError ? String(err.extensions.code) : 'not a MondayError';
  }
}

describe('monday column values (§4.4)', () => {
  it('numbers keep the decimal text as sent and refuse anything that is not a plain number', () => {
    expect(normaliseColumnValue(column('numbers'), '1234.50', false, NOW).value).toBe('1234.50');
    expect(normaliseColumnValue(column('numbers'), 42, false, NOW).value).toBe('42');
    for (const bad of ['1,5', '1e3', 'abc', true]) expect(code(() => normaliseColumnValue(column('numbers'), bad, false, NOW))).toBe('ColumnValueException');
  });

  it('status accepts a known label or index; a new label only with create_labels_if_missing, at the next free index', () => {
    const status = column('status', { labels: { '0': 'Open', '1': 'Done' } });
    expect(normaliseColumnValue(status, { label: 'Done' }, false, NOW).value).toMatchObject({ index: 1 });
    expect(code(() => normaliseColumnValue(status, { label: 'Held' }, false, NOW))).toBe('ColumnValueException');
    const created = normaliseColumnValue(status, { label: 'Held' }, true, NOW);
    expect(created.value).toMatchObject({ index: 2 });
    expect(JSON.parse(created.settingsStr ?? '{}')).toEqual({ done_colors: [1], labels: { '0': 'Open', '1': 'Done', '2': 'Held' } });
    expect(columnText({ ...status, settings_str: created.settingsStr ?? '' }, created.value)).toBe('Held');
  });

  it('date needs a real calendar date and an optional UTC time, as {"date"} or as the plain "YYYY-MM-DD[ HH:MM:SS]" string', () => {
    expect(columnText(column('date'), normaliseColumnValue(column('date'), { date: '2024-02-29' }, false, NOW).value)).toBe('2024-02-29');
    expect(normaliseColumnValue(column('date'), '2024-02-29', false, NOW).value).toEqual(normaliseColumnValue(column('date'), { date: '2024-02-29' }, false, NOW).value);
    expect(columnText(column('date'), normaliseColumnValue(column('date'), '2024-02-29 13:25:00', false, NOW).value)).toBe('2024-02-29 13:25:00');
    expect(columnText(column('date'), normaliseColumnValue(column('date'), '0001-01-01', false, NOW).value)).toBe('0001-01-01');
    for (const bad of [{ date: '2023-02-29' }, '2023-02-29', '0099-02-29', '29-02-2024', '2024-02-29 25:00:00', '2024-02-29 13:25:00 extra'])
      expect(code(() => normaliseColumnValue(column('date'), bad, false, NOW))).toBe('ColumnValueException');
  });

  it('null clears any writable column; an empty column reads "" (not null) for every type', () => {
    for (const type of ['text', 'numbers', 'date', 'status', 'dropdown', 'link'] as const) expect(normaliseColumnValue(column(type), null, false, NOW).value).toBeNull();
    for (const type of ['text', 'numbers', 'date', 'status', 'dropdown', 'link', 'long_text', 'checkbox', 'timeline', 'formula', 'file'] as const)
      expect(columnText(column(type), undefined)).toBe('');
  });

  it('computed columns (formula, mirror, auto number…) refuse writes and clears with ColumnValueException; file and subtasks with InvalidColumnTypeException', () => {
    for (const type of ['formula', 'mirror', 'auto_number', 'creation_log'] as const) {
      expect(code(() => normaliseColumnValue(column(type), '1', false, NOW))).toBe('ColumnValueException');
      expect(code(() => normaliseColumnValue(column(type), null, false, NOW))).toBe('ColumnValueException');
    }
    for (const type of ['file', 'subtasks', 'vote'] as const) expect(code(() => normaliseColumnValue(column(type), '1', false, NOW))).toBe('InvalidColumnTypeException');
  });

  it('dropdown options read back as {id, label} objects (DropdownValue.values)', () => {
    const dropdown = column('dropdown', { labels: [{ id: 1, name: 'Steel' }, { id: 2, name: 'Concrete' }] });
    const value = normaliseColumnValue(dropdown, { ids: ['2', 1] }, false, NOW).value;
    expect(dropdownOptions(dropdown, value)).toEqual([
      { id: '2', label: 'Concrete' },
      { id: '1', label: 'Steel' },
    ]);
    expect(columnText(dropdown, value)).toBe('Concrete, Steel');
  });
});
