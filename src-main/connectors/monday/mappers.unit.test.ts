import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import {
  CellEncodingError,
  amountOfCell,
  amountToWire,
  boardFromWire,
  cellFromWire,
  cellHolds,
  changedCells,
  checkColumnMapping,
  columnTypeFromWire,
  encodeCell,
  encodeColumnValues,
  explainMondayCode,
  isRefusalCode,
  itemFromWire,
  itemsByKey,
  labelsOf,
} from './mappers';
import type { CellWrite, FoundItem, MappedField, MondayBoard } from './types';

describe('column value encoding (fact sheet §4.4)', () => {
  it('writes amounts as their exact digits, never through a float', () => {
    expect(encodeCell('numbers', { kind: 'number', amount: '1234.50' }, 'amount')).toBe('1234.50');
    expect(encodeCell('numbers', { kind: 'number', amount: ' 0.10 ' }, 'amount')).toBe('0.10');
    expect(encodeCell('numbers', { kind: 'number', amount: '12345678901234.99' }, 'amount')).toBe(
      '12345678901234.99',
    );
    expect(encodeCell('numbers', { kind: 'number', amount: '+7' }, 'amount')).toBe('7');
    expect(
      encodeCell(
        'numbers',
        { kind: 'number', amount: Decimal.parse('0.1').plus(Decimal.parse('0.2')) },
        'amount',
      ),
    ).toBe('0.3');
    expect(() => amountToWire('1e3')).toThrow(CellEncodingError);
    expect(() => amountToWire('1.234,50')).toThrow(/is not an amount/);
  });

  it("encodes each writable type in monday's form", () => {
    expect(encodeCell('date', { kind: 'date', date: '2026-02-28' }, 'd')).toEqual({ date: '2026-02-28' });
    expect(encodeCell('status', { kind: 'text', text: 'Canceled' }, 's')).toEqual({ label: 'Canceled' });
    expect(encodeCell('dropdown', { kind: 'text', text: '4000' }, 'g')).toEqual({ labels: ['4000'] });
    expect(encodeCell('text', { kind: 'text', text: 'Acme' }, 't')).toBe('Acme');
    expect(encodeCell('text', { kind: 'number', amount: '10.50' }, 't')).toBe('10.50');
    expect(encodeCell('text', { kind: 'date', date: '2026-01-01' }, 't')).toBe('2026-01-01');
    expect(encodeCell('long_text', { kind: 'text', text: 'Materials' }, 'l')).toEqual({ text: 'Materials' });
    expect(encodeCell('link', { kind: 'link', url: 'https://start.exactonline.nl/x' }, 'u')).toEqual({
      url: 'https://start.exactonline.nl/x',
      text: 'https://start.exactonline.nl/x',
    });
    expect(encodeCell('link', { kind: 'link', url: 'https://e/x', text: 'PO 1' }, 'u')).toEqual({
      url: 'https://e/x',
      text: 'PO 1',
    });
    expect(encodeCell('numbers', { kind: 'empty' }, 'amount')).toBeNull();
    expect(encodeCell('status', { kind: 'text', text: ' ' }, 's')).toBeNull();
  });

  it('refuses values a column cannot hold, and columns monday will not write, naming the column', () => {
    expect(encodeCell('date', { kind: 'date', date: '0001-01-01' }, 'd')).toEqual({ date: '0001-01-01' });
    expect(() => encodeCell('date', { kind: 'date', date: '2026-02-30' }, 'd')).toThrow(
      '"2026-02-30" is not a calendar date in the form YYYY-MM-DD',
    );
    expect(() => encodeCell('numbers', { kind: 'text', text: '12' }, 'amount')).toThrow(
      'column "amount" (numbers) cannot take the text "12": a numbers column takes amounts only',
    );
    expect(() => encodeCell('formula', { kind: 'number', amount: '1' }, 'vat')).toThrow(
      /column "vat" \(formula\) cannot take the amount 1: monday calculates/,
    );
    expect(() => encodeCell('mirror', { kind: 'empty' }, 'm')).toThrow(/mirror/);
    expect(() => encodeCell('file', { kind: 'text', text: 'a' }, 'f')).toThrow(/uploaded files/);
    expect(() => encodeCell('subtasks', { kind: 'text', text: 'a' }, 's')).toThrow(/subitems/);
    expect(() => encodeCell('people', { kind: 'text', text: 'a' }, 'p')).toThrow(
      /writes only text, long text, numbers/,
    );
    expect(() => encodeCell('link', { kind: 'link', url: 'javascript:alert(1)' }, 'u')).toThrow(/http/);
  });

  it("builds one item's column_values and refuses a column named twice", () => {
    const cells: CellWrite[] = [
      { columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount: '5.00' } },
      { columnId: 'doc_date', columnType: 'date', value: { kind: 'empty' } },
    ];
    expect(encodeColumnValues(cells)).toEqual({ amount: '5.00', doc_date: null });
    expect(() => encodeColumnValues([...cells, cells[0] as CellWrite])).toThrow(
      'column "amount" is given two values',
    );
  });
});

describe('reading values back', () => {
  it('parses value JSON, takes formula and mirror results from display_value, and keeps "" for empty', () => {
    expect(cellFromWire({ id: 'amount', type: 'numbers', text: '250.10', value: '"250.10"' })).toEqual({
      type: 'numbers',
      text: '250.10',
      value: '250.10',
    });
    expect(
      cellFromWire({ id: 'vat', type: 'formula', text: '', value: null, display_value: '302.62' }),
    ).toEqual({ type: 'formula', text: '302.62', value: null });
    expect(cellFromWire({ id: 'x', type: 'text', text: null, value: null })).toEqual({
      type: 'text',
      text: '',
      value: null,
    });
    expect(columnTypeFromWire('some_future_type')).toBe('unsupported');
  });

  it('reads an amount from value or text, exactly', () => {
    expect(amountOfCell({ type: 'numbers', text: '250.10', value: '250.10' })?.toMoneyString()).toBe(
      '250.10',
    );
    expect(amountOfCell({ type: 'numbers', text: '3', value: 3 })?.toString()).toBe('3');
    expect(amountOfCell({ type: 'numbers', text: '', value: null })).toBeNull();
  });

  it('tells which cells differ from what the item holds', () => {
    const item: FoundItem = itemFromWire({
      id: '9100000001',
      name: 'PO 1',
      state: 'active',
      group: { id: 'topics' },
      board: { id: '1800000001' },
      column_values: [
        { id: 'amount', type: 'numbers', text: '250.1', value: '"250.1"' },
        { id: 'doc_date', type: 'date', text: '2026-01-15', value: '{"date":"2026-01-15","icon":null}' },
        { id: 'status', type: 'status', text: 'Open', value: '{"index":0}' },
        { id: 'gl', type: 'dropdown', text: '4000', value: '{"ids":[1]}' },
        { id: 'link', type: 'link', text: 'PO - https://e/1', value: '{"url":"https://e/1","text":"PO"}' },
        { id: 'notes', type: 'long_text', text: 'x', value: '{"text":"x"}' },
        { id: 'party', type: 'text', text: '', value: null },
      ],
    });
    const same: CellWrite[] = [
      { columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount: '250.10' } },
      { columnId: 'doc_date', columnType: 'date', value: { kind: 'date', date: '2026-01-15' } },
      { columnId: 'status', columnType: 'status', value: { kind: 'text', text: 'Open' } },
      { columnId: 'gl', columnType: 'dropdown', value: { kind: 'text', text: '4000' } },
      { columnId: 'link', columnType: 'link', value: { kind: 'link', url: 'https://e/1', text: 'PO' } },
      { columnId: 'notes', columnType: 'long_text', value: { kind: 'text', text: 'x' } },
      { columnId: 'party', columnType: 'text', value: { kind: 'empty' } },
    ];
    expect(changedCells(item, same)).toEqual([]);
    const different: CellWrite[] = [
      { columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount: '250.11' } },
      { columnId: 'status', columnType: 'status', value: { kind: 'text', text: 'Canceled' } },
      { columnId: 'party', columnType: 'text', value: { kind: 'text', text: 'Acme' } },
      { columnId: 'missing', columnType: 'text', value: { kind: 'text', text: 'y' } },
    ];
    expect(changedCells(item, different).map((c) => c.columnId)).toEqual([
      'amount',
      'status',
      'party',
      'missing',
    ]);
    expect(cellHolds({ columnId: 'missing', columnType: 'text', value: { kind: 'empty' } }, undefined)).toBe(
      true,
    );
  });

  it('groups lookup results by exact key, the oldest item first, and reports the others', () => {
    const item = (id: string, key: string): FoundItem => ({
      itemId: id,
      name: id,
      state: 'active',
      groupId: null,
      boardId: null,
      columnValues: new Map([['k', { type: 'text', text: key, value: key }]]),
      duplicateItemIds: [],
    });
    const byKey = itemsByKey(
      [item('9100000010', 'A'), item('910000009', 'A'), item('9100000011', 'AB'), item('9100000012', 'B')],
      'k',
      new Set(['A', 'B']),
    );
    expect(byKey.get('A')).toMatchObject({ itemId: '910000009', duplicateItemIds: ['9100000010'] });
    expect(byKey.get('B')?.itemId).toBe('9100000012');
    expect(byKey.size).toBe(2);
  });
});

describe('boards from the wire', () => {
  it('keeps ids as strings, parses settings (object or JSON text), and reads both label layouts', () => {
    const board = boardFromWire({
      id: '1800000001',
      name: 'Purchase orders',
      board_kind: 'private',
      workspace_id: '77',
      url: 'https://acme.monday.com/boards/1800000001',
      groups: [{ id: 'topics', title: 'POs' }, null],
      columns: [
        {
          id: 'status',
          title: 'Status',
          type: 'status',
          settings: { labels: { '0': 'Open', '1': 'Done' }, done_colors: [1] },
        },
        {
          id: 'gl',
          title: 'GL',
          type: 'dropdown',
          settings: '{"labels":[{"id":1,"name":"4000"},{"id":2,"label":"7000"}]}',
        },
        null,
      ],
    });
    expect(board).toMatchObject({
      id: '1800000001',
      kind: 'private',
      workspaceId: '77',
      groups: [{ id: 'topics', title: 'POs' }],
    });
    expect(board.columns.map((c) => c.id)).toEqual(['status', 'gl']);
    expect(labelsOf(board.columns[0] as MondayBoard['columns'][number])).toEqual(['Open', 'Done']);
    expect(labelsOf(board.columns[1] as MondayBoard['columns'][number])).toEqual(['4000', '7000']);
  });
});

describe('checkColumnMapping', () => {
  const board: MondayBoard = {
    id: '1',
    name: 'Sales invoices',
    workspaceId: null,
    kind: 'public',
    url: '',
    groups: [],
    columns: [
      { id: 'name', title: 'Name', type: 'name', settings: {} },
      { id: 'key', title: 'Exact id', type: 'text', settings: {} },
      { id: 'amount', title: 'Amount', type: 'numbers', settings: {} },
      { id: 'date', title: 'Invoice date', type: 'date', settings: {} },
      {
        id: 'status',
        title: 'Status',
        type: 'status',
        settings: { labels: { '0': 'Open', '1': 'Processed' } },
      },
      { id: 'gl', title: 'GL', type: 'dropdown', settings: { labels: [{ id: 1, name: '8000' }] } },
      { id: 'link', title: 'Exact link', type: 'link', settings: {} },
      { id: 'vat', title: 'VAT', type: 'formula', settings: {} },
      { id: 'files', title: 'Files', type: 'file', settings: {} },
      { id: 'people', title: 'Owner', type: 'people', settings: {} },
    ],
  };
  const field = (
    overrides: Partial<MappedField> & Pick<MappedField, 'columnId' | 'valueKind'>,
  ): MappedField => ({ field: overrides.columnId, label: 'Amount', ...overrides });

  it('accepts fields whose columns exist and can hold them', () => {
    const checks = checkColumnMapping(board, [
      field({ field: 'key', label: 'Key', valueKind: 'key', columnId: 'key' }),
      field({ field: 'amount', valueKind: 'amount', columnId: 'amount', mappedType: 'numbers' }),
      field({ field: 'date', label: 'Date', valueKind: 'date', columnId: 'date' }),
      field({ field: 'status', label: 'Status', valueKind: 'code', columnId: 'status', labels: ['Open'] }),
      field({ field: 'gl', label: 'GL code', valueKind: 'code', columnId: 'gl', labels: ['8000'] }),
      field({ field: 'url', label: 'Link', valueKind: 'url', columnId: 'link' }),
    ]);
    expect(checks.every((c) => c.ok && c.problem === null)).toBe(true);
  });

  it('refuses each kind of problem with one sentence naming board and column', () => {
    const problems = checkColumnMapping(board, [
      field({ valueKind: 'amount', columnId: 'vat' }),
      field({ valueKind: 'amount', columnId: 'gone' }),
      field({ label: 'Document number', valueKind: 'text', columnId: 'name' }),
      field({ label: 'Attachment', valueKind: 'url', columnId: 'files' }),
      field({ label: 'Key', valueKind: 'key', columnId: 'status' }),
      field({ label: 'Owner', valueKind: 'text', columnId: 'people' }),
      field({ label: 'GL code', valueKind: 'code', columnId: 'gl', labels: ['8000', '9000', '9100'] }),
      field({ label: 'Amount again', valueKind: 'amount', columnId: 'amount' }),
      field({ label: 'Net', valueKind: 'amount', columnId: 'amount' }),
    ]).map((c) => c.problem);
    expect(problems).toEqual([
      'Column "VAT" on board "Sales invoices" is a formula column: monday calculates its value itself and refuses writes to it, so it cannot hold Amount. Map Amount to another column.',
      'Board "Sales invoices" has no column with id "gone" any more (it was deleted, or the mapping is from another board); pick the column for Amount again.',
      'Column "Name" on board "Sales invoices" is a name column: it holds the item name, which the connector sets itself, so it cannot hold Document number. Map Document number to another column.',
      'Column "Files" on board "Sales invoices" is a files column: it holds uploaded files, which cannot be written as a value, so it cannot hold Attachment. Map Attachment to another column.',
      'Column "Status" on board "Sales invoices" is a status column; Key needs a text column (monday finds the key by its exact text).',
      'Column "Owner" on board "Sales invoices" is a people column; Owner needs a text or long text column.',
      'Column "GL" on board "Sales invoices" has no dropdown label "9000", "9100" for GL code; add them in monday, or let the connection create missing labels.',
      null,
      'Amount again and Net are both mapped to column "Amount" on board "Sales invoices"; each needs its own column.',
    ]);
  });

  it('names a retyped column by its old and new type, and lets missing labels pass when they will be created', () => {
    const retyped = checkColumnMapping(board, [
      field({ valueKind: 'date', label: 'Due date', columnId: 'amount', mappedType: 'date' }),
    ]);
    expect(retyped[0]?.problem).toBe(
      'Column "Amount" on board "Sales invoices" was a date column when Due date was mapped to it and is now a numbers column; Due date needs a date column. Map Due date again.',
    );
    const lenient = checkColumnMapping(
      board,
      [field({ valueKind: 'code', columnId: 'status', labels: ['Canceled'] })],
      { createLabelsIfMissing: true },
    );
    expect(lenient[0]?.ok).toBe(true);
  });
});

describe('monday refusals in words', () => {
  it('says what is wrong and what to do, quoting monday', () => {
    expect(explainMondayCode('ColumnValueException', 'invalid value', { column_id: 'amount' }, '1')).toBe(
      'monday refused the value for column "amount" (monday said: "invalid value"); check that the column still has the type the mapping expects and, for a status or dropdown, that the label exists.',
    );
    expect(explainMondayCode('ItemsLimitationException', 'limit', {}, '12')).toMatch(
      /^Board 12 has reached monday's item limit/,
    );
    expect(explainMondayCode('UserUnauthorizedException', 'no', {}, '12')).toMatch(/may not change board 12/);
    expect(explainMondayCode(null, 'boom', undefined, null)).toBe(
      'monday could not do it (no code; monday said: "boom").',
    );
  });

  it('sorts codes into refusals (same write fails again) and passing failures', () => {
    expect(isRefusalCode('ColumnValueException')).toBe(true);
    expect(isRefusalCode('InvalidColumnIdException')).toBe(true);
    expect(isRefusalCode('INTERNAL_SERVER_ERROR')).toBe(false);
    expect(isRefusalCode('COMPLEXITY_BUDGET_EXHAUSTED')).toBe(false);
    expect(isRefusalCode(null)).toBe(false);
  });
});
