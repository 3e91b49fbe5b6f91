import { afterEach, describe, expect, it } from 'vitest';
import type { KitClock } from '../../src-main/connectors/_kit';
import { silentLogger } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import type {
  CellWrite,
  ItemCreate,
  MappedField,
  MondayConnector,
  MondaySettings,
} from '../../src-main/connectors/monday/index';
import {
  MondayRequestError,
  REVOKED_TOKEN_MESSAGE,
  changedCells,
  createMondayConnector,
  personalTokenProvider,
} from '../../src-main/connectors/monday/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startMondaySimulator } from '../../src-main/sandbox/monday/index';
import { NeedsReauthError } from '../../src-shared/domain/auth';

// The monday.com connector against the real monday simulator (fact sheet §4, vendor SDL).
// Time is the simulator's: every wait the connector chooses (complexity window, Retry-After)
// moves the simulator clock instead of sleeping, and is recorded in `clock.sleeps`.

type Json = Record<string, unknown>;

/** Each harness names its own account, so its budgets (`monday:<account>`) are its own. */
let nextAccount = 0;

interface Harness {
  sim: RunningSimulator;
  connector: MondayConnector;
  clock: KitClock & { sleeps: number[]; onSleep: (() => void) | null };
  /** The boards of the seeded world by name. */
  boards: Map<string, string>;
  /** Raw GraphQL as a monday user would send it (test setup only), with the given token. */
  graphql(query: string, variables?: Json, token?: string): Promise<{ status: number; body: Json }>;
  items(): Promise<Json[]>;
  faults(spec: string): Promise<void>;
  /** Statuses the simulator answered since the last call (faults included). */
  statuses(): number[];
}

const open: Harness[] = [];
afterEach(async () => {
  for (const harness of open.splice(0)) {
    await harness.connector.close();
    await harness.sim.close();
  }
});

async function harness(
  options: {
    sim?: Json;
    settings?: Partial<MondaySettings>;
    tokens?: (sim: RunningSimulator) => AccessTokenProvider;
  } = {},
): Promise<Harness> {
  const sim = await startMondaySimulator({ dataDir: null, seed: 3, config: options.sim ?? {} });
  const sleeps: number[] = [];
  const clock: Harness['clock'] = {
    sleeps,
    onSleep: null,
    now: () => sim.clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      sim.clock.advance(Math.max(0, ms));
      clock.onSleep?.();
    },
  };
  const tokens = options.tokens?.(sim) ?? personalTokenProvider(String(sim.credentials.apiToken));
  const connector = createMondayConnector(
    { baseUrl: sim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, now: clock.now, tokens },
    {
      apiUrl: `${sim.baseUrl}/v2`,
      account: `test-${process.pid}-${nextAccount++}`,
      clock,
      retry: { random: () => 0.5 },
      ...options.settings,
    },
  );
  let seen = 0;
  const graphql: Harness['graphql'] = async (
    query,
    variables = {},
    token = String(sim.credentials.apiToken),
  ) => {
    const res = await fetch(`${sim.baseUrl}/v2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token, 'API-Version': '2026-10' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const state = async (): Promise<Record<string, Json[]>> =>
    (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Record<string, Json[]>;
  const boards = new Map(((await state())['boards'] ?? []).map((b) => [String(b['name']), String(b['id'])]));
  const h: Harness = {
    sim,
    connector,
    clock,
    boards,
    graphql,
    items: async () => (await state())['items'] ?? [],
    faults: async (spec) => {
      const res = await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec === '' ? { clear: true } : { clear: true, spec }),
      });
      expect(res.status).toBe(200);
    },
    statuses: () => {
      const recent = sim.requests.recent().filter((entry) => entry.path === '/v2');
      const statuses = recent.slice(seen).map((entry) => entry.status);
      seen = recent.length;
      return statuses;
    },
  };
  open.push(h);
  return h;
}

function boardId(h: Harness, name = 'Purchase orders'): string {
  const id = h.boards.get(name);
  if (!id) throw new Error(`no board ${name}`);
  return id;
}

/** A harness whose pages hold two items, and five items P-1…P-5 created on its purchase-order board (keyed by exact_key). */
async function fiveItemsInPagesOfTwo(): Promise<{ h: Harness; board: string; keys: string[] }> {
  const h = await harness({ settings: { pageSize: 2 } });
  const board = boardId(h);
  const keys = ['P-1', 'P-2', 'P-3', 'P-4', 'P-5'];
  await h.connector.createItems(
    { boardId: board, groupId: null, keyColumnId: 'exact_key' },
    keys.map((key) => ({ key, name: key, cells: [] })),
  );
  return { h, board, keys };
}

/** Adds the link, dropdown and long text columns F4 maps (the seeded boards have none). */
async function addColumns(h: Harness, board: string): Promise<void> {
  const columns: Array<[string, string, string, string | null]> = [
    ['exact_link', 'Open in Exact', 'link', null],
    [
      'gl_code',
      'GL code',
      'dropdown',
      JSON.stringify({
        labels: [
          { id: 1, name: '4000' },
          { id: 2, name: '7000' },
        ],
      }),
    ],
    ['notes', 'GL account name', 'long_text', null],
  ];
  for (const [id, title, type, defaults] of columns) {
    const { body } = await h.graphql(
      'mutation ($board: ID!, $id: String, $title: String!, $type: ColumnType!, $defaults: JSON) { create_column(board_id: $board, id: $id, title: $title, column_type: $type, defaults: $defaults) { id } }',
      { board, id, title, type, defaults },
    );
    expect(body['errors'], JSON.stringify(body['errors'])).toBeUndefined();
  }
}

/** Every column type F4 writes, for one document. */
function cells(amount: string, overrides: Partial<Record<string, CellWrite['value']>> = {}): CellWrite[] {
  const all: CellWrite[] = [
    { columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount } },
    { columnId: 'doc_date', columnType: 'date', value: { kind: 'date', date: '2026-03-31' } },
    { columnId: 'status', columnType: 'status', value: { kind: 'text', text: 'Open' } },
    { columnId: 'party', columnType: 'text', value: { kind: 'text', text: 'Bouwbedrijf De Vries B.V.' } },
    { columnId: 'cost_center', columnType: 'text', value: { kind: 'text', text: '100' } },
    { columnId: 'gl_code', columnType: 'dropdown', value: { kind: 'text', text: '4000' } },
    { columnId: 'notes', columnType: 'long_text', value: { kind: 'text', text: 'Purchases of materials' } },
    {
      columnId: 'exact_link',
      columnType: 'link',
      value: { kind: 'link', url: 'https://start.exactonline.nl/docs/PO.aspx?id=1', text: 'Exact' },
    },
  ];
  return all.map((cell) =>
    overrides[cell.columnId] ? { ...cell, value: overrides[cell.columnId] as CellWrite['value'] } : cell,
  );
}

const po = (
  key: string,
  amount: string,
  overrides: Partial<Record<string, CellWrite['value']>> = {},
): ItemCreate => ({
  key,
  name: `PO ${key}`,
  cells: cells(amount, overrides),
});

function valueOf(item: Json, columnId: string): Json {
  const values = item['column_values'] as Json[];
  const found = values.find((v) => v['id'] === columnId);
  if (!found) throw new Error(`no column ${columnId}`);
  return found;
}

const withKey = (items: Json[], key: string): Json[] =>
  items.filter((item) =>
    (item['column_values'] as Json[]).some((v) => v['id'] === 'exact_key' && v['text'] === key),
  );

describe('monday connector: connection, boards and the column mapping', () => {
  it('tests the connection: names the account, the API version served and the boards visible', async () => {
    const h = await harness();
    const result = await h.connector.testConnection();
    expect(result).toEqual({
      ok: true,
      detail: expect.stringMatching(
        /^Connected to monday\.com account sandbox-\d+\.monday\.com \(API 2026-10, current\); 3 boards visible\.$/,
      ),
    });
  });

  it('says when monday serves another API version than the pinned one', async () => {
    const h = await harness({ settings: { apiVersion: '2024-10' } });
    const result = await h.connector.testConnection();
    expect(result.ok && result.detail).toMatch(/monday served 2026-10 instead of the pinned 2024-10/);
  });

  it("lists boards with their groups and reads a board's columns with parsed settings (never settings_str)", async () => {
    const h = await harness();
    const boards = await h.connector.listBoards();
    expect(boards.map((b) => b.name)).toEqual(['Purchase orders', 'Sales invoices', 'Sales orders']);
    expect(boards[0]).toMatchObject({
      kind: 'public',
      workspaceId: null,
      groups: [{ id: 'topics', title: 'Purchase orders' }],
    });
    expect(boards[0]).not.toHaveProperty('columns');

    const board = await h.connector.getBoard(boardId(h));
    const byId = new Map(board.columns.map((c) => [c.id, c]));
    expect([...byId.values()].map((c) => `${c.id}:${c.type}`)).toEqual(
      expect.arrayContaining([
        'name:name',
        'exact_key:text',
        'amount:numbers',
        'doc_date:date',
        'status:status',
        'amount_vat:formula',
        'related_party:mirror',
        'files:file',
        'subitems:subtasks',
      ]),
    );
    expect(byId.get('status')?.settings).toMatchObject({
      labels: { '0': 'Open', '3': 'Canceled' },
      done_colors: [2],
    });
    expect(byId.get('amount_vat')?.settings).toEqual({ formula: 'ROUND({amount} * 1.21, 2)' });
  });

  it('refuses an unknown board id with a sentence, and a malformed one before any call', async () => {
    const h = await harness();
    await expect(h.connector.getBoard('1234')).rejects.toThrow(/Board 1234 does not exist/);
    h.statuses();
    await expect(h.connector.getBoard('Purchase orders')).rejects.toThrow(MondayRequestError);
    expect(h.statuses()).toEqual([]);
  });

  it('checks the column mapping: a formula column and a retyped column are refused with a sentence naming board and column', async () => {
    const h = await harness();
    const board = await h.connector.getBoard(boardId(h));
    const mapping: MappedField[] = [
      { field: 'key', label: 'Exact document id', valueKind: 'key', columnId: 'exact_key' },
      { field: 'amount', label: 'Amount', valueKind: 'amount', columnId: 'amount', mappedType: 'numbers' },
      { field: 'vat', label: 'VAT amount', valueKind: 'amount', columnId: 'amount_vat' },
      { field: 'date', label: 'Order date', valueKind: 'date', columnId: 'doc_date' },
      {
        field: 'costCenter',
        label: 'Cost center',
        valueKind: 'amount',
        columnId: 'cost_center',
        mappedType: 'numbers',
      },
      {
        field: 'status',
        label: 'Status',
        valueKind: 'code',
        columnId: 'status',
        labels: ['Open', 'Cancelled'],
      },
      { field: 'party', label: 'Supplier', valueKind: 'text', columnId: 'related_party' },
      { field: 'link', label: 'Link to Exact', valueKind: 'url', columnId: 'exact_link' },
    ];
    const checks = h.connector.checkColumnMapping(board, mapping);
    const problems = Object.fromEntries(checks.map((c) => [c.field, c.problem]));
    expect(checks.filter((c) => c.ok).map((c) => c.field)).toEqual(['key', 'amount', 'date']);
    expect(problems['vat']).toBe(
      'Column "Amount incl. 21% VAT" on board "Purchase orders" is a formula column: monday calculates its value itself and refuses writes to it, so it cannot hold VAT amount. Map VAT amount to another column.',
    );
    expect(problems['costCenter']).toBe(
      'Column "Cost center" on board "Purchase orders" was a numbers column when Cost center was mapped to it and is now a text column; Cost center needs a numbers column. Map Cost center again.',
    );
    expect(problems['status']).toBe(
      'Column "Status" on board "Purchase orders" has no status label "Cancelled" for Status; add it in monday, or let the connection create missing labels.',
    );
    expect(problems['party']).toMatch(
      /^Column "Related party" on board "Purchase orders" is a mirror column/,
    );
    expect(problems['link']).toMatch(/^Board "Purchase orders" has no column with id "exact_link"/);
  });
});

describe('monday connector: writes and lookups', () => {
  it('creates items in aliased batches with every column type F4 writes, amounts to the cent', async () => {
    const h = await harness({ settings: { maxMutationsPerRequest: 2 } });
    const board = boardId(h);
    await addColumns(h, board);
    h.statuses();
    const amounts = ['1234.50', '0.10', '99999999.99', '-250.01', '7'];
    const results = await h.connector.createItems(
      { boardId: board, groupId: 'topics', keyColumnId: 'exact_key' },
      amounts.map((amount, i) => po(`PO-${i + 1}`, amount)),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    // Five creates, at most two per request: three calls.
    expect(h.statuses()).toEqual([200, 200, 200]);

    const items = await h.items();
    expect(items).toHaveLength(5);
    for (const [i, amount] of amounts.entries()) {
      const [item] = withKey(items, `PO-${i + 1}`);
      if (!item) throw new Error(`PO-${i + 1} not created`);
      expect(item['id']).toBe(results[i]?.ok && results[i].itemId);
      expect(item['name']).toBe(`PO PO-${i + 1}`);
      expect(valueOf(item, 'amount')['text']).toBe(amount);
      expect(valueOf(item, 'doc_date')['text']).toBe('2026-03-31');
      expect(valueOf(item, 'status')['text']).toBe('Open');
      expect(valueOf(item, 'gl_code')['text']).toBe('4000');
      expect(valueOf(item, 'notes')['text']).toBe('Purchases of materials');
      expect(valueOf(item, 'exact_link')['text']).toBe(
        'Exact - https://start.exactonline.nl/docs/PO.aspx?id=1',
      );
      expect(valueOf(item, 'party')['text']).toBe('Bouwbedrijf De Vries B.V.');
    }
  });

  it('looks items up by key (batched, exact text), reads their values, and reports a duplicate', async () => {
    const h = await harness({ settings: { keysPerLookup: 2 } });
    const board = boardId(h);
    await addColumns(h, board);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    const created = await h.connector.createItems(target, [
      po('SO-1', '10.00'),
      po('SO-2', '20.50'),
      po('SO-10', '30.00'),
    ]);
    // A user copied SO-2 by hand.
    const { body } = await h.graphql(
      'mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: "copy", column_values: $v) { id } }',
      {
        b: board,
        v: JSON.stringify({ exact_key: 'SO-2' }),
      },
    );
    const copyId = String(((body['data'] as Json)['create_item'] as Json)['id']);
    h.statuses();

    const found = await h.connector.findItemsByKey(board, 'exact_key', ['SO-1', 'SO-2', 'SO-3', 'SO-1'], {
      columnIds: ['amount', 'status', 'amount_vat'],
    });
    // Three distinct keys, two per request: two calls.
    expect(h.statuses()).toEqual([200, 200]);
    expect([...found.keys()].sort()).toEqual(['SO-1', 'SO-2']);
    const so2 = found.get('SO-2');
    expect(so2).toMatchObject({
      itemId: created[1]?.ok && created[1].itemId,
      name: 'PO SO-2',
      state: 'active',
      groupId: 'topics',
      boardId: board,
      duplicateItemIds: [copyId],
    });
    expect(so2?.columnValues.get('amount')).toEqual({ type: 'numbers', text: '20.50', value: '20.50' });
    expect(so2?.columnValues.get('status')).toMatchObject({
      type: 'status',
      text: 'Open',
      value: expect.objectContaining({ index: 0 }),
    });
    // Formula results come from display_value.
    expect(so2?.columnValues.get('amount_vat')).toEqual({ type: 'formula', text: '24.81', value: null });
    expect(so2?.columnValues.has('party')).toBe(false);
    // SO-10 contains "SO-1" but is not it.
    expect(found.get('SO-1')?.itemId).toBe(created[0]?.ok && created[0].itemId);
  });

  it('follows the cursor (next_items_page) when the matches exceed a page', async () => {
    const { h, board, keys } = await fiveItemsInPagesOfTwo();
    h.statuses();
    const found = await h.connector.findItemsByKey(board, 'exact_key', keys);
    expect([...found.keys()].sort()).toEqual(keys);
    // The first page and two more by cursor.
    expect(h.statuses()).toEqual([200, 200, 200]);
  });

  it('lists a board whole (items_page, then next_items_page): every live item once, in order, max(1, ⌈items/page⌉) calls', async () => {
    const h = await harness({ settings: { pageSize: 2 } });
    const board = boardId(h);
    const other = boardId(h, 'Sales invoices');
    expect(await h.connector.listItems(board)).toEqual([]);
    expect(h.statuses()).toEqual([200]);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    const created = await h.connector.createItems(
      target,
      ['L-1', 'L-2', 'L-3', 'L-4'].map((key, i) => ({
        key,
        name: `Item ${key}`,
        cells: [{ columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount: `${i + 1}0.25` } }],
      })),
    );
    const ids = created.map((r) => (r.ok ? r.itemId : ''));
    // A user types an item in by hand (no key), archives one, and adds one to another board.
    const typed = await h.graphql(
      'mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: "Typed by hand", column_values: $v) { id } }',
      { b: board, v: JSON.stringify({ amount: '99.99' }) },
    );
    const typedId = String(((typed.body['data'] as Json)['create_item'] as Json)['id']);
    await h.connector.archiveItems([ids[1] ?? '']);
    await h.connector.createItems({ ...target, boardId: other }, [{ key: 'X-1', name: 'Elsewhere', cells: [] }]);
    h.statuses();

    const listed = await h.connector.listItems(board, { columnIds: ['exact_key', 'amount'] });
    expect(listed.map((i) => [i.itemId, i.name, i.columnValues.get('exact_key')?.text, i.columnValues.get('amount')?.text])).toEqual([
      [ids[0], 'Item L-1', 'L-1', '10.25'],
      [ids[2], 'Item L-3', 'L-3', '30.25'],
      [ids[3], 'Item L-4', 'L-4', '40.25'],
      [typedId, 'Typed by hand', '', '99.99'],
    ]);
    expect(listed.every((i) => i.state === 'active' && i.boardId === board && [...i.columnValues.keys()].sort().join() === 'amount,exact_key')).toBe(true);
    // 4 live items, pages of 2: the first page and one more by cursor (no empty third page).
    expect(h.statuses()).toEqual([200, 200]);

    // One item more: a third page. Spoiled pages (an item sent twice, a cursor sent again) change nothing.
    await h.connector.createItems(target, [{ key: 'L-5', name: 'Item L-5', cells: [] }]);
    const five = await h.connector.listItems(board, { columnIds: ['exact_key'] });
    expect(five.map((i) => i.columnValues.get('exact_key')?.text)).toEqual(['L-1', 'L-3', 'L-4', '', 'L-5']);
    h.statuses();
    await h.faults('monday:dupes=1');
    expect(await h.connector.listItems(board, { columnIds: ['exact_key'] })).toEqual(five);
    await h.faults('monday:repeat=0.5');
    expect(await h.connector.listItems(board, { columnIds: ['exact_key'] })).toEqual(five);
    await h.faults('');

    // A board that is not there, or not a board id: a sentence (the second before any call).
    await expect(h.connector.listItems('1899999999')).rejects.toThrow(/Board 1899999999 does not exist/);
    h.statuses();
    await expect(h.connector.listItems('board-1')).rejects.toMatchObject({ code: 'LocalValidation' });
    expect(h.statuses()).toEqual([]);
  });

  it('lists a board of 501 items at the default page size (500): two calls, every item once', async () => {
    const h = await harness();
    const board = boardId(h);
    const keys = Array.from({ length: 501 }, (_, i) => `B-${i + 1}`);
    const created = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      keys.map((key) => ({ key, name: key, cells: [] })),
    );
    expect(created.every((r) => r.ok)).toBe(true);
    h.statuses();
    const listed = await h.connector.listItems(board, { columnIds: ['exact_key'] });
    expect(listed.map((i) => i.columnValues.get('exact_key')?.text)).toEqual(keys);
    expect(h.statuses()).toEqual([200, 200]);
  });

  it('pages spoiled (sandbox faults dupes, repeat): an item sent twice is found once, a cursor sent again is followed again; endless repeats stop in words', async () => {
    const { h, board, keys } = await fiveItemsInPagesOfTwo();
    const clean = await h.connector.findItemsByKey(board, 'exact_key', keys);
    await h.faults('monday:dupes=1');
    expect(await h.connector.findItemsByKey(board, 'exact_key', keys)).toEqual(clean);
    await h.faults('monday:repeat=0.5');
    expect(await h.connector.findItemsByKey(board, 'exact_key', keys)).toEqual(clean);
    const fired = new Set(h.sim.requests.recent().map((r) => r.fault));
    expect(fired).toContain('duplicates');
    expect(fired).toContain('repeat-cursor');
    await h.faults('monday:repeat=1');
    await expect(h.connector.findItemsByKey(board, 'exact_key', keys)).rejects.toThrow(/sent a cursor it had sent before 4 times in a row; the read stopped so that no record is skipped/);
  });

  it('updates changed amounts and status, and then finds nothing left to change', async () => {
    const h = await harness();
    const board = boardId(h);
    await addColumns(h, board);
    const [created] = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      [po('PO-7', '100.00')],
    );
    if (!created?.ok) throw new Error('not created');
    const wanted = cells('100.01', { status: { kind: 'text', text: 'Partial' }, notes: { kind: 'empty' } });

    const before = await h.connector.findItemsByKey(board, 'exact_key', ['PO-7']);
    const item = before.get('PO-7');
    if (!item) throw new Error('not found');
    const changes = changedCells(item, wanted);
    expect(changes.map((c) => c.columnId)).toEqual(['amount', 'status', 'notes']);

    const results = await h.connector.updateItems(board, [
      { itemId: created.itemId, name: 'PO 7 (changed)', cells: changes },
    ]);
    expect(results).toEqual([{ ref: created.itemId, ok: true, itemId: created.itemId }]);
    const after = (await h.connector.findItemsByKey(board, 'exact_key', ['PO-7'])).get('PO-7');
    if (!after) throw new Error('not found after update');
    expect(after.name).toBe('PO 7 (changed)');
    expect(after.columnValues.get('amount')?.text).toBe('100.01');
    expect(after.columnValues.get('status')?.text).toBe('Partial');
    expect(after.columnValues.get('notes')?.text).toBe('');
    expect(changedCells(after, wanted)).toEqual([]);

    // Nothing to change: no call at all.
    h.statuses();
    expect(await h.connector.updateItems(board, [{ itemId: created.itemId, cells: [] }])).toEqual([
      { ref: created.itemId, ok: true, itemId: created.itemId },
    ]);
    expect(h.statuses()).toEqual([]);
  });

  it('archives items (never deletes): the key lookup no longer finds them, reading by id shows them archived', async () => {
    const h = await harness();
    const board = boardId(h);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    const created = await h.connector.createItems(target, [
      { key: 'SI-1', name: 'Invoice 1', cells: [] },
      { key: 'SI-2', name: 'Invoice 2', cells: [] },
    ]);
    const ids = created.map((r) => (r.ok ? r.itemId : ''));
    const archived = await h.connector.archiveItems([ids[0] ?? '', '42x']);
    expect(archived[0]).toEqual({ ref: ids[0], ok: true, itemId: ids[0] });
    expect(archived[1]).toMatchObject({ ok: false, retryable: false, code: 'LocalValidation' });

    expect([...(await h.connector.findItemsByKey(board, 'exact_key', ['SI-1', 'SI-2'])).keys()]).toEqual([
      'SI-2',
    ]);
    const byId = await h.connector.readItems(ids);
    expect(byId.get(ids[0] ?? '')?.state).toBe('archived');
    expect(byId.get(ids[1] ?? '')?.state).toBe('active');
    expect((await h.items()).map((i) => i['state']).sort()).toEqual(['active', 'archived']);
  });

  it('sets a status label (the cancel policy), refuses an unknown label per item, and creates it when allowed', async () => {
    const h = await harness();
    const board = boardId(h);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    const [created] = await h.connector.createItems(target, [{ key: 'PO-9', name: 'PO 9', cells: [] }]);
    if (!created?.ok) throw new Error('not created');
    const status = (text: string): CellWrite[] => [
      { columnId: 'status', columnType: 'status', value: { kind: 'text', text } },
    ];

    expect(
      await h.connector.updateItems(board, [{ itemId: created.itemId, cells: status('Canceled') }]),
    ).toMatchObject([{ ok: true }]);
    expect(
      (await h.connector.readItems([created.itemId])).get(created.itemId)?.columnValues.get('status')?.text,
    ).toBe('Canceled');

    const [refused] = await h.connector.updateItems(board, [
      { itemId: created.itemId, cells: status('Voided') },
    ]);
    expect(refused).toMatchObject({ ok: false, retryable: false, code: 'ColumnValueException' });
    expect(refused?.ok === false && refused.message).toMatch(
      /^monday\.com did not update item \d+: monday refused the value for column "status" \(monday said: ".*label \\?"?Voided/,
    );

    const lenient = createMondayConnector(
      {
        baseUrl: h.sim.baseUrl,
        allowedHosts: ['127.0.0.1'],
        logger: silentLogger,
        tokens: personalTokenProvider(String(h.sim.credentials.apiToken)),
      },
      {
        apiUrl: `${h.sim.baseUrl}/v2`,
        account: `lenient-${process.pid}`,
        createLabelsIfMissing: true,
        clock: h.clock,
      },
    );
    try {
      expect(
        await lenient.updateItems(board, [{ itemId: created.itemId, cells: status('Voided') }]),
      ).toMatchObject([{ ok: true }]);
      const labels = (await lenient.getBoard(board)).columns.find((c) => c.id === 'status')?.settings[
        'labels'
      ];
      expect(Object.values(labels as Json)).toContain('Voided');
    } finally {
      await lenient.close();
    }
  });

  it('reads partial data with errors on HTTP 200: the refused items fail alone, the others are created', async () => {
    const h = await harness();
    const board = boardId(h);
    h.statuses();
    const results = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      [
        { key: 'A', name: 'A', cells: [] },
        {
          key: 'B',
          name: 'B',
          cells: [{ columnId: 'status', columnType: 'status', value: { kind: 'text', text: 'Lost' } }],
        },
        {
          key: 'C',
          name: 'C',
          cells: [{ columnId: 'gone', columnType: 'text', value: { kind: 'text', text: 'x' } }],
        },
        { key: 'D', name: 'D', cells: [] },
      ],
    );
    // One request for all four.
    expect(h.statuses()).toEqual([200]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]).toMatchObject({ ref: 'B', retryable: false, code: 'ColumnValueException' });
    expect(results[2]).toMatchObject({ ref: 'C', retryable: false, code: 'InvalidColumnIdException' });
    expect(results[2]?.ok === false && results[2].message).toMatch(
      /Column "gone" does not exist on board \d+ .*pick the column again in the mapping/,
    );
    expect((await h.items()).map((i) => i['name']).sort()).toEqual(['A', 'D']);
  });

  it('refuses bad input locally, one result per item, and sends only the good ones', async () => {
    const h = await harness();
    const board = boardId(h);
    h.statuses();
    const results = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      [
        { key: 'K1', name: 'ok', cells: [] },
        { key: 'K1', name: 'again', cells: [] },
        { key: 'K2', name: '', cells: [] },
        {
          key: 'K3',
          name: 'formula',
          cells: [
            { columnId: 'amount_vat', columnType: 'formula', value: { kind: 'number', amount: '1.00' } },
          ],
        },
        {
          key: 'K4',
          name: 'float',
          cells: [{ columnId: 'amount', columnType: 'numbers', value: { kind: 'number', amount: '1e3' } }],
        },
        {
          key: 'K5',
          name: 'key twice',
          cells: [{ columnId: 'exact_key', columnType: 'text', value: { kind: 'text', text: 'other' } }],
        },
      ],
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'LocalValidation',
      'LocalValidation',
      'LocalValidation',
      'LocalValidation',
      'LocalValidation',
    ]);
    expect(results[3]?.ok === false && results[3].message).toMatch(
      /column "amount_vat" \(formula\) cannot take the amount 1\.00: monday calculates its value itself/,
    );
    expect(h.statuses()).toEqual([200]);
  });

  it('once the signal is aborted, sends nothing more and returns the unsent items as retryable', async () => {
    const h = await harness();
    const controller = new AbortController();
    controller.abort();
    h.statuses();
    const results = await h.connector.createItems(
      { boardId: boardId(h), groupId: null, keyColumnId: 'exact_key' },
      [{ key: 'X', name: 'X', cells: [] }],
      {
        signal: controller.signal,
      },
    );
    expect(results).toEqual([
      {
        ref: 'X',
        ok: false,
        retryable: true,
        code: 'Stopped',
        message: expect.stringMatching(/stopped before the create of item "X"/),
      },
    ]);
    expect(h.statuses()).toEqual([]);
  });
});

describe('monday connector: budgets and faults', () => {
  it('batches up to the complexity ceiling and waits for the next window instead of running into the budget', async () => {
    // 200,000 points a minute hold six creates (30,001 each).
    const h = await harness({
      sim: { complexityBudgetPerMinute: 200_000 },
      settings: { complexityBudgetPerMinute: 200_000 },
    });
    const board = boardId(h);
    h.statuses();
    const items = Array.from({ length: 8 }, (_, i) => ({ key: `B-${i}`, name: `B ${i}`, cells: [] }));
    const results = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      items,
    );
    expect(results.every((r) => r.ok)).toBe(true);
    // Six in the first request, then a wait for the window the answer's complexity announced.
    expect(h.statuses()).toEqual([200, 200]);
    expect(h.clock.sleeps).toHaveLength(1);
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(59_000);
    expect((await h.items()).length).toBe(8);
    expect(h.connector.complexityBudget()).toMatchObject({ limit: 200_000, remaining: 200_000 - 2 * 30_001 });
  });

  it('a run stopped while waiting for the budget sends nothing more: the rest comes back retryable', async () => {
    const h = await harness({
      sim: { complexityBudgetPerMinute: 200_000 },
      settings: { complexityBudgetPerMinute: 200_000 },
    });
    const controller = new AbortController();
    h.clock.onSleep = () => controller.abort();
    h.statuses();
    const items = Array.from({ length: 8 }, (_, i) => ({ key: `W-${i}`, name: `W ${i}`, cells: [] }));
    const results = await h.connector.createItems(
      { boardId: boardId(h), groupId: null, keyColumnId: 'exact_key' },
      items,
      { signal: controller.signal },
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'Stopped',
      'Stopped',
    ]);
    expect(h.statuses()).toEqual([200]);
    expect((await h.items()).length).toBe(6);
  });

  it('COMPLEXITY_BUDGET_EXHAUSTED (HTTP 429): waits retry_in_seconds, sends the creates again, creates each once', async () => {
    const h = await harness({
      sim: { complexityBudgetPerMinute: 200_000 },
      settings: { complexityBudgetPerMinute: 200_000 },
    });
    const board = boardId(h);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    expect(
      (
        await h.connector.createItems(
          target,
          [1, 2, 3].map((i) => ({ key: `C-${i}`, name: `C ${i}`, cells: [] })),
        )
      ).every((r) => r.ok),
    ).toBe(true);
    // Another user of the same account spends most of what is left (personal tokens share one budget).
    h.sim.clock.advance(20_000);
    const spend = await h.graphql(
      'mutation ($b: ID!) { a: create_item(board_id: $b, item_name: "other 1") { id } b: create_item(board_id: $b, item_name: "other 2") { id } c: create_item(board_id: $b, item_name: "other 3") { id } }',
      { b: boardId(h, 'Sales orders') },
      String(h.sim.credentials.secondUserApiToken),
    );
    expect(spend.status).toBe(200);
    h.statuses();

    const results = await h.connector.createItems(
      target,
      [4, 5, 6].map((i) => ({ key: `C-${i}`, name: `C ${i}`, cells: [] })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.statuses()).toEqual([429, 200]);
    // The refusal said to wait until the account's window resets (40 s from now; the
    // simulator's clock also runs in real time, so a few ms less). On a loaded machine the
    // connector's own pacing may add a wait of a few ms for the real time that passed meanwhile.
    expect(h.clock.sleeps[0]).toBeGreaterThan(39_000);
    expect(h.clock.sleeps[0]).toBeLessThanOrEqual(40_000);
    expect(h.clock.sleeps.slice(1).filter((ms) => ms >= 1_000)).toEqual([]);
    for (const i of [1, 2, 3, 4, 5, 6]) expect(withKey(await h.items(), `C-${i}`)).toHaveLength(1);
  });

  it('a 429 storm: reads are retried by the kit, creates sent again after Retry-After, nothing written twice', async () => {
    const h = await harness();
    const board = boardId(h);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    await h.faults('storm=3000');
    h.statuses();
    const results = await h.connector.createItems(target, [
      { key: 'S-1', name: 'S 1', cells: [] },
      { key: 'S-2', name: 'S 2', cells: [] },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.statuses()).toEqual([429, 429, 429, 200]);
    // Retry-After: 1 each time (the simulator's clock also runs in real time, so a few ms less).
    expect(h.clock.sleeps).toHaveLength(3);
    for (const ms of h.clock.sleeps) expect(ms).toBeGreaterThan(900);
    for (const ms of h.clock.sleeps) expect(ms).toBeLessThanOrEqual(1000);
    expect((await h.items()).map((i) => i['name']).sort()).toEqual(['S 1', 'S 2']);

    await h.faults('storm=2000');
    const found = await h.connector.findItemsByKey(board, 'exact_key', ['S-1']);
    expect(found.get('S-1')?.itemId).toBe(results[0]?.ok && results[0].itemId);
    expect(h.statuses()).toEqual([429, 429, 200]);
  });

  it('a storm longer than the retry policy: creates come back retryable, nothing created', async () => {
    const h = await harness({ sim: { rateLimitFault: 'complexity' } });
    await h.faults('storm=600000');
    const [result] = await h.connector.createItems(
      { boardId: boardId(h), groupId: null, keyColumnId: 'exact_key' },
      [{ key: 'L-1', name: 'L 1', cells: [] }],
    );
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'COMPLEXITY_BUDGET_EXHAUSTED' });
    expect(result?.ok === false && result.message).toMatch(
      /rate limit .* kept refusing the request; nothing was written/,
    );
    // The default policy: five attempts.
    expect(h.statuses()).toEqual([429, 429, 429, 429, 429]);
    expect(await h.items()).toEqual([]);
  });

  it('5xx: reads are retried; creates are reported retryable ("may have been created") and not sent again', async () => {
    const h = await harness();
    const board = boardId(h);
    await h.faults('5xx=1');
    h.statuses();
    const results = await h.connector.createItems(
      { boardId: board, groupId: null, keyColumnId: 'exact_key' },
      [
        { key: 'E-1', name: 'E 1', cells: [] },
        { key: 'E-2', name: 'E 2', cells: [] },
      ],
    );
    expect(results.map((r) => !r.ok && r.retryable)).toEqual([true, true]);
    expect(results[0]?.ok === false && results[0].message).toMatch(
      /it may have been created, so look it up by its key before creating it again/,
    );
    expect(h.statuses()).toHaveLength(1);

    await expect(h.connector.findItemsByKey(board, 'exact_key', ['E-1'])).rejects.toMatchObject({
      name: 'MondayRequestError',
      retryable: true,
      message: expect.stringMatching(
        /^monday\.com: looking up items by column "exact_key" on board \d+ failed: monday\.com answered HTTP 50\d \(Internal server error\)\. Try again in a few minutes\.$/,
      ),
    });
    // 500, 502, 503 rotate: the kit repeats 502/503/504 for reads and stops at a 500.
    expect(h.statuses().every((status) => status >= 500)).toBe(true);
    await h.faults('');
    expect((await h.connector.findItemsByKey(board, 'exact_key', ['E-1', 'E-2'])).size).toBe(0);
  });

  it('a response dropped after monday committed: the create is reported retryable, found by key, never created twice', async () => {
    const h = await harness();
    const board = boardId(h);
    const target = { boardId: board, groupId: null, keyColumnId: 'exact_key' };
    await h.faults('drop=1');
    const [lost] = await h.connector.createItems(target, [{ key: 'D-1', name: 'D 1', cells: [] }]);
    expect(lost).toMatchObject({ ok: false, retryable: true });
    expect(lost?.ok === false && lost.message).toMatch(
      /No answer from monday\.com for the create of item "D 1" \(key D-1\).*look it up by its key/,
    );
    await h.faults('');
    // monday has it once: the connector did not send the create again on its own.
    expect(withKey(await h.items(), 'D-1')).toHaveLength(1);

    // The engine's recovery: look the unconfirmed key up, create only what is not there.
    const found = await h.connector.findItemsByKey(board, 'exact_key', ['D-1', 'D-2']);
    const missing = ['D-1', 'D-2'].filter((key) => !found.has(key));
    expect(missing).toEqual(['D-2']);
    expect(
      (
        await h.connector.createItems(
          target,
          missing.map((key) => ({ key, name: key, cells: [] })),
        )
      ).every((r) => r.ok),
    ).toBe(true);
    expect(withKey(await h.items(), 'D-1')).toHaveLength(1);
    expect(withKey(await h.items(), 'D-2')).toHaveLength(1);
  });

  it('a revoked token: NeedsReauthError after one renewal attempt, no retry loop', async () => {
    let renewals = 0;
    const h = await harness({
      tokens: () => ({
        getAccessToken: async () => 'revoked-token',
        handleUnauthorized: async () => {
          renewals += 1;
          return 'also-revoked';
        },
      }),
    });
    h.statuses();
    await expect(h.connector.getBoard(boardId(h))).rejects.toThrow(
      new NeedsReauthError(REVOKED_TOKEN_MESSAGE),
    );
    expect(renewals).toBe(1);
    expect(h.statuses()).toEqual([401, 401]);

    // Writes throw it too (the session is over), rather than failing item by item.
    await expect(
      h.connector.createItems({ boardId: boardId(h), groupId: null, keyColumnId: 'exact_key' }, [
        { key: 'R', name: 'R', cells: [] },
      ]),
    ).rejects.toThrow(NeedsReauthError);
    expect(await h.connector.testConnection()).toEqual({ ok: false, problem: REVOKED_TOKEN_MESSAGE });
  });

  it('a personal token that is refused: one call, then NeedsReauthError', async () => {
    const h = await harness({ tokens: () => personalTokenProvider('sandbox-monday-not-a-token') });
    h.statuses();
    await expect(h.connector.listBoards()).rejects.toThrow(NeedsReauthError);
    expect(h.statuses()).toEqual([401]);
  });
});
