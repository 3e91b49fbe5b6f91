import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimulatorStartOptions } from '../../src-main/sandbox/_common/simulator';
import { parseFaultSpec } from '../../src-main/sandbox/_common/faults';
import { startMondaySimulator } from '../../src-main/sandbox/monday/index';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { useTempDirs, withSimulator } from './support';

/**
 * monday.com simulator conformance, one describe per group of facts in
 * shared/api/acumatica-intacct-coupa-monday.md §4. Titles name the fact they check.
 */

interface GqlResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
    [key: string]: unknown;
  };
}

async function gql(
  sim: RunningSimulator,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResult> {
  const res = await fetch(`${sim.baseUrl}/v2`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: String(sim.credentials.apiToken),
      'API-Version': '2026-10',
      ...headers,
    },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResult['body'] };
}

/** data of a successful call (fails the test with the errors otherwise). */
async function ok<T = Record<string, unknown>>(sim: RunningSimulator, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gql(sim, query, variables);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.body.data as T;
}

async function advanceClock(sim: RunningSimulator, ms: number): Promise<void> {
  const res = await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: ms }) });
  expect(res.status).toBe(200);
}

interface BoardInfo {
  id: string;
  name: string;
  columns: { id: string; title: string; type: string; settings: Record<string, unknown> }[];
  groups: { id: string; title: string }[];
}

async function poBoard(sim: RunningSimulator): Promise<BoardInfo> {
  const data = await ok<{ boards: BoardInfo[] }>(sim, '{ boards { id name columns { id title type settings } groups { id title } } }');
  const board = data.boards.find((b) => b.name === 'Purchase orders');
  if (!board) throw new Error('no Purchase orders board');
  return board;
}

const CREATE_ITEM = `mutation ($board: ID!, $name: String!, $values: JSON, $labels: Boolean) {
  create_item(board_id: $board, item_name: $name, column_values: $values, create_labels_if_missing: $labels) {
    id name group { id } column_values { id type text value }
  }
}`;

interface ItemOut {
  id: string;
  name: string;
  group: { id: string };
  column_values: { id: string; type: string; text: string | null; value: string | null }[];
}

const start = (config: Record<string, unknown> = {}, extra: Partial<SimulatorStartOptions> = {}): Promise<RunningSimulator> =>
  startMondaySimulator({ dataDir: null, seed: 7, config, ...extra });

const tempDir = useTempDirs('monday-sim-');

describe('monday §4.1 endpoint, auth and versions', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  it('4.1 missing Authorization header → 401 Unauthorized with an errors array', async () => {
    const r = await gql(sim, '{ boards { id } }', undefined, { authorization: '' });
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('Unauthorized');
  });

  it('4.1 invalid token → 401 Unauthorized', async () => {
    const r = await gql(sim, '{ boards { id } }', undefined, { authorization: 'not-the-token' });
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.message).toMatch(/not valid/);
    // A caller of no account gets no account's rate-limit figures.
    expect(r.headers.get('ratelimit')).toBeNull();
  });

  it('4.1 a personal token does not expire, but regenerating it (fault expire=1) revokes the old one at once', async () => {
    const own = await start();
    try {
      const before = await gql(own, '{ boards { id } }');
      expect(before.status).toBe(200);
      own.faults.apply(parseFaultSpec('expire=1'));
      const after = await gql(own, '{ boards { id } }');
      expect(after.status).toBe(401);
      expect(after.body.errors?.[0]?.extensions?.code).toBe('Unauthorized');
    } finally {
      await own.close();
    }
  });

  it('4.1 the raw token (official client) and "Bearer <token>" are both accepted', async () => {
    const raw = await gql(sim, '{ boards { id } }');
    const bearer = await gql(sim, '{ boards { id } }', undefined, { authorization: `Bearer ${String(sim.credentials.apiToken)}` });
    expect(raw.status).toBe(200);
    expect(bearer.status).toBe(200);
    expect(bearer.body.data).toEqual(raw.body.data);
  });

  it('4.1 API-Version omitted → the current version (2026-10) serves the request', async () => {
    const r = await gql(sim, '{ version { kind value display_name } }', undefined, { 'API-Version': '' });
    expect(r.body.data).toEqual({ version: { kind: 'current', value: '2026-10', display_name: 'Current' } });
  });

  it('4.1 an explicit live version is served as itself; versions lists RC, current and maintenance', async () => {
    const r = await gql(sim, '{ version { kind value } versions { kind value } }', undefined, { 'API-Version': '2026-07' });
    const data = r.body.data as { version: unknown; versions: { kind: string; value: string }[] };
    expect(data.version).toEqual({ kind: 'maintenance', value: '2026-07' });
    expect(data.versions).toEqual(
      expect.arrayContaining([
        { kind: 'release_candidate', value: '2027-01' },
        { kind: 'current', value: '2026-10' },
        { kind: 'maintenance', value: '2026-07' },
      ]),
    );
  });

  it('4.1 malformed API-Version → InvalidVersionException inside HTTP 200', async () => {
    const r = await gql(sim, '{ boards { id } }', undefined, { 'API-Version': 'latest' });
    expect(r.status).toBe(200);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('InvalidVersionException');
    expect(r.body.data).toBeUndefined();
  });

  it('4.1 (third-party) deprecated version served as maintenance, unknown well-formed version as current', async () => {
    const deprecated = await gql(sim, '{ version { value } }', undefined, { 'API-Version': '2025-07' });
    const unknown = await gql(sim, '{ version { value } }', undefined, { 'API-Version': '2031-04' });
    expect(deprecated.body.data).toEqual({ version: { value: '2026-07' } });
    expect(unknown.body.data).toEqual({ version: { value: '2026-10' } });
  });

  it('4.1 config.unknownVersion="error" makes an unknown version an InvalidVersionException', () =>
    withSimulator(start({ unknownVersion: 'error' }), async (strict) => {
      const r = await gql(strict, '{ version { value } }', undefined, { 'API-Version': '2031-04' });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('InvalidVersionException');
    }));

  it('4.7 a body that is not JSON → 400 JsonParseException; a GraphQL syntax error → 200 "Parse error on …" (graphql-ruby wording)', async () => {
    const res = await fetch(`${sim.baseUrl}/v2`, {
      method: 'POST',
      headers: { authorization: String(sim.credentials.apiToken), 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as GqlResult['body']).errors?.[0]?.extensions?.code).toBe('JsonParseException');
    const r = await gql(sim, '{ boards { id } } }');
    expect(r.status).toBe(200);
    expect(r.body.errors).toEqual([{ message: 'Parse error on "}" (RCURLY) at [1, 19]', locations: [{ line: 1, column: 19 }] }]);
    const cut = await gql(sim, '{ boards { id ');
    expect(cut.body.errors?.[0]?.message).toBe('Unexpected end of document');
  });

  it('4.2/issue a field outside the schema: HTTP 200, no data, "Field \'x\' doesn\'t exist on type \'Y\'" with path and code undefinedField', async () => {
    const r = await gql(sim, 'query Boards { boards { id no_such_field } }');
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toEqual([
      {
        message: "Field 'no_such_field' doesn't exist on type 'Board'",
        locations: [{ line: 1, column: 28 }],
        path: ['query Boards', 'boards', 'no_such_field'],
        extensions: { code: 'undefinedField', typeName: 'Board', fieldName: 'no_such_field' },
      },
    ]);
  });

  it('issue: other validation errors in monday\'s words (missingRequiredArguments, argumentLiteralsIncompatible) and variables that do not coerce', async () => {
    const missing = await gql(sim, 'mutation { create_item(item_name: "x") { id } }');
    expect(missing.body.errors?.[0]).toMatchObject({
      message: "Field 'create_item' is missing required arguments: board_id",
      path: ['mutation', 'create_item'],
      extensions: { code: 'missingRequiredArguments', arguments: 'board_id' },
    });
    const literal = await gql(sim, '{ boards(limit: "ten") { id } }');
    expect(literal.body.errors?.[0]?.extensions?.code).toBe('argumentLiteralsIncompatible');
    const variable = await gql(sim, 'query ($b: ID!) { boards(ids: [$b]) { id } }', {});
    expect(variable.status).toBe(200);
    expect(variable.body.errors?.[0]).toMatchObject({ message: 'Variable $b of type ID! was provided invalid value', extensions: { value: null } });
  });

  it('4.7/2025-01 account_id is no longer in every response from 2025-01; versions before it still carry it', async () => {
    const current = await gql(sim, '{ boards(limit: 1) { id } }');
    expect(current.body).not.toHaveProperty('account_id');
    const failing = await gql(sim, '{ boards { nope } }');
    expect(failing.body).not.toHaveProperty('account_id');
    await withSimulator(start({ apiVersions: [{ value: '2026-10', kind: 'current' }, { value: '2024-10', kind: 'maintenance' }] }), async (old) => {
      const legacy = await gql(old, '{ boards(limit: 1) { id } }', undefined, { 'API-Version': '2024-10' });
      expect(legacy.body.account_id).toEqual(expect.any(Number));
    });
  });
});

describe('monday §4.3–4.4 boards, mutations and column values', () => {
  let sim: RunningSimulator;
  let board: BoardInfo;
  beforeAll(async () => {
    sim = await start();
    board = await poBoard(sim);
  });
  afterAll(() => sim.close());

  it('4.5 world: boards "Purchase orders", "Sales invoices", "Sales orders" with typed columns and no items', async () => {
    const data = await ok<{ boards: (BoardInfo & { items_count: number })[] }>(
      sim,
      '{ boards { id name items_count columns { id type } groups { id } } }',
    );
    expect(data.boards.map((b) => b.name)).toEqual(['Purchase orders', 'Sales invoices', 'Sales orders']);
    for (const b of data.boards) {
      expect(b.items_count).toBe(0);
      expect(b.columns).toEqual(
        expect.arrayContaining([
          { id: 'name', type: 'name' },
          { id: 'exact_key', type: 'text' },
          { id: 'amount', type: 'numbers' },
          { id: 'doc_date', type: 'date' },
          { id: 'status', type: 'status' },
          { id: 'gl_account', type: 'text' },
          { id: 'cost_center', type: 'text' },
          // Columns the connector meets but cannot write (issue).
          { id: 'amount_vat', type: 'formula' },
          { id: 'related', type: 'board_relation' },
          { id: 'related_party', type: 'mirror' },
          { id: 'files', type: 'file' },
          { id: 'subitems', type: 'subtasks' },
        ]),
      );
    }
    // The boards are the world's (the F4 flow seeds its board mapping from the same description).
    const world = generateWorld(3, 1).mondayBoards;
    expect(data.boards.map((b) => [b.id, b.name, b.groups.map((g) => g.id)])).toEqual(world.map((b) => [b.mondayBoardId, b.name, [b.groupId]]));
    for (const [i, b] of data.boards.entries())
      expect(b.columns).toEqual(expect.arrayContaining(world[i]!.columns.map((c) => ({ id: c.id, type: c.type }))));
    // Column.settings is the JSON object (2025-10); settings_str the same as a deprecated string.
    const status = board.columns.find((c) => c.id === 'status');
    expect(status?.settings).toEqual({ done_colors: [2], labels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' } });
    const both = await ok<{ boards: { columns: { settings: unknown; settings_str: string }[] }[] }>(sim, `{ boards(ids: [${board.id}]) { columns(ids: ["status", "amount_vat"]) { settings settings_str } } }`);
    for (const c of both.boards[0]?.columns ?? []) expect(JSON.parse(c.settings_str)).toEqual(c.settings);
    expect(both.boards[0]?.columns[1]?.settings).toEqual({ formula: 'ROUND({amount} * 1.21, 2)' });
  });

  it('4.3/4.4 create_item with a JSON-encoded column_values string: text, numbers, date, status read back as text + value', async () => {
    const values = {
      exact_key: 'PO-10001',
      party: 'Bouwbedrijf Ærø & Söhne',
      amount: '12345.67',
      doc_date: { date: '2026-10-15' },
      status: { label: 'Open' },
      gl_account: '4400',
    };
    const data = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'PO 10001', values: JSON.stringify(values) });
    const item = data.create_item;
    expect(item.name).toBe('PO 10001');
    expect(item.group.id).toBe('topics');
    const byId = Object.fromEntries(item.column_values.map((c) => [c.id, c]));
    expect(byId.exact_key).toMatchObject({ type: 'text', text: 'PO-10001', value: '"PO-10001"' });
    expect(byId.party?.text).toBe('Bouwbedrijf Ærø & Söhne');
    expect(byId.amount).toMatchObject({ type: 'numbers', text: '12345.67', value: '"12345.67"' });
    expect(byId.doc_date?.text).toBe('2026-10-15');
    expect(JSON.parse(byId.doc_date?.value ?? '{}')).toMatchObject({ date: '2026-10-15' });
    expect(byId.status?.text).toBe('Open');
    expect(JSON.parse(byId.status?.value ?? '{}')).toMatchObject({ index: 0 });
    expect(byId.cost_center).toMatchObject({ text: '', value: null });
  });

  it('4.4 status by index, numbers as a JSON number, clear with null; typed fragments (NumbersValue, DateValue, StatusValue)', async () => {
    const values = { exact_key: 'PO-10002', amount: 42, status: { index: 2 }, doc_date: { date: '2026-01-31', time: '10:00:00' }, party: null };
    const created = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'PO 10002', values: JSON.stringify(values) });
    const data = await ok<{ items: { column_values: Record<string, unknown>[] }[] }>(
      sim,
      `query ($ids: [ID!]) { items(ids: $ids) { column_values(ids: ["amount", "doc_date", "status", "party"]) {
        id text ... on NumbersValue { number } ... on DateValue { date time } ... on StatusValue { index label } } } }`,
      { ids: [created.create_item.id] },
    );
    expect(data.items[0]?.column_values).toEqual([
      { id: 'party', text: '' },
      { id: 'amount', text: '42', number: 42 },
      { id: 'doc_date', text: '2026-01-31 10:00:00', date: '2026-01-31', time: '10:00:00' },
      { id: 'status', text: 'Complete', index: 2, label: 'Complete' },
    ]);
  });

  const invalidCases: [string, Record<string, unknown>][] = [
    ['text column given an object', { exact_key: { text: 'x' } }],
    ['numbers column given words', { amount: 'twelve' }],
    ['numbers column given a decimal comma', { amount: '12,50' }],
    ['date column given a string that is not YYYY-MM-DD', { doc_date: '15-10-2026' }],
    ['date column given an impossible date', { doc_date: { date: '2026-02-30' } }],
    ['date column given a bad time', { doc_date: { date: '2026-02-03', time: '25:00:00' } }],
    ['status column given an unknown index', { status: { index: 17 } }],
    ['status column given a number', { status: 3 }],
  ];
  for (const [what, values] of invalidCases) {
    it(`4.4/4.8 invalid value (${what}) → ColumnValueException in HTTP 200, nothing created`, async () => {
      const before = (await ok<{ boards: { items_count: number }[] }>(sim, `{ boards(ids: [${board.id}]) { items_count } }`)).boards[0]?.items_count;
      const r = await gql(sim, CREATE_ITEM, { board: board.id, name: `bad ${what}`, values: JSON.stringify(values) });
      expect(r.status).toBe(200);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('ColumnValueException');
      expect(r.body.data).toEqual({ create_item: null });
      const after = (await ok<{ boards: { items_count: number }[] }>(sim, `{ boards(ids: [${board.id}]) { items_count } }`)).boards[0]?.items_count;
      expect(after).toBe(before);
    });
  }

  it('4.4 other column types: dropdown, link, long_text validated and rendered (on a board the app set up)', async () => {
    const created = await ok<{ create_board: { id: string } }>(sim, 'mutation { create_board(board_name: "Setup test", board_kind: public) { id } }');
    const boardId = created.create_board.id;
    for (const [type, id] of [
      ['dropdown', 'tags'],
      ['link', 'doc_link'],
      ['long_text', 'notes'],
    ] as const) {
      const col = await ok<{ create_column: { id: string; type: string } }>(
        sim,
        'mutation ($b: ID!, $t: ColumnType!, $title: String!, $id: String) { create_column(board_id: $b, title: $title, column_type: $t, id: $id) { id type } }',
        { b: boardId, t: type, id, title: `${type} column` },
      );
      expect(col.create_column).toEqual({ id, type });
    }
    const group = await ok<{ create_group: { id: string; title: string } }>(sim, 'mutation ($b: ID!) { create_group(board_id: $b, group_name: "2026") { id title } }', { b: boardId });
    expect(group.create_group.title).toBe('2026');

    const bad = await gql(sim, CREATE_ITEM, { board: boardId, name: 'x', values: JSON.stringify({ tags: { labels: ['Steel'] } }) });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('ColumnValueException');
    const badLink = await gql(sim, CREATE_ITEM, { board: boardId, name: 'x', values: JSON.stringify({ doc_link: 'https://x' }) });
    expect(badLink.body.errors?.[0]?.extensions?.code).toBe('ColumnValueException');

    const good = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, {
      board: boardId,
      name: 'with labels',
      labels: true,
      values: JSON.stringify({ tags: { labels: ['Steel', 'Concrete'] }, doc_link: { url: 'https://example.com/po', text: 'PO' }, notes: { text: 'line 1\nline 2' } }),
    });
    const byId = Object.fromEntries(good.create_item.column_values.map((c) => [c.id, c.text]));
    expect(byId).toEqual({ tags: 'Steel, Concrete', doc_link: 'PO - https://example.com/po', notes: 'line 1\nline 2' });
  });

  it('4.3 unknown status label → ColumnValueException; create_labels_if_missing: true creates it', async () => {
    const values = JSON.stringify({ exact_key: 'PO-10003', status: { label: 'On hold' } });
    const refused = await gql(sim, CREATE_ITEM, { board: board.id, name: 'PO 10003', values });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('ColumnValueException');
    expect(refused.body.errors?.[0]?.message).toMatch(/On hold/);
    const created = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'PO 10003', values, labels: true });
    expect(created.create_item.column_values.find((c) => c.id === 'status')?.text).toBe('On hold');
    const settings = (await poBoard(sim)).columns.find((c) => c.id === 'status')?.settings as { labels: Record<string, string> };
    expect(settings.labels['4']).toBe('On hold');
  });

  it('4.7 unknown column id → InvalidColumnIdException; unknown board → InvalidBoardIdException', async () => {
    const col = await gql(sim, CREATE_ITEM, { board: board.id, name: 'x', values: JSON.stringify({ nope: 'x' }) });
    expect(col.body.errors?.[0]?.extensions?.code).toBe('InvalidColumnIdException');
    const b = await gql(sim, CREATE_ITEM, { board: '123', name: 'x' });
    expect(b.body.errors?.[0]?.extensions?.code).toBe('InvalidBoardIdException');
  });

  it('4.3 column_values must be a JSON-encoded string: an object variable or broken JSON is rejected', async () => {
    const obj = await gql(sim, CREATE_ITEM, { board: board.id, name: 'x', values: { exact_key: 'x' } });
    expect(obj.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
    expect(obj.body.errors?.[0]?.message).toMatch(/JSON-encoded string/);
    const broken = await gql(sim, CREATE_ITEM, { board: board.id, name: 'x', values: '{"exact_key": ' });
    expect(broken.body.errors?.[0]?.message).toMatch(/not valid JSON/);
  });

  it('4.3 item name longer than 255 characters → ItemNameTooLongException', async () => {
    const r = await gql(sim, CREATE_ITEM, { board: board.id, name: 'x'.repeat(256) });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('ItemNameTooLongException');
    const fits = await gql(sim, CREATE_ITEM, { board: board.id, name: 'y'.repeat(255) });
    expect(fits.body.errors).toBeUndefined();
  });

  it('4.3 change_multiple_column_values updates several columns at once; an invalid one changes nothing', async () => {
    const created = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'PO 10004', values: JSON.stringify({ exact_key: 'PO-10004', amount: '100.00' }) });
    const id = created.create_item.id;
    const CHANGE = `mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id name column_values(ids: ["amount", "status"]) { id text } } }`;
    const changed = await ok<{ change_multiple_column_values: ItemOut }>(sim, CHANGE, { b: board.id, i: id, v: JSON.stringify({ amount: '250.10', status: { label: 'Partial' }, name: 'PO 10004 (edited)' }) });
    expect(changed.change_multiple_column_values.name).toBe('PO 10004 (edited)');
    expect(changed.change_multiple_column_values.column_values).toEqual([
      { id: 'amount', text: '250.10' },
      { id: 'status', text: 'Partial' },
    ]);
    const refused = await gql(sim, CHANGE, { b: board.id, i: id, v: JSON.stringify({ amount: '999', doc_date: { date: 'tomorrow' } }) });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('ColumnValueException');
    const after = await ok<{ items: ItemOut[] }>(sim, 'query ($i: [ID!]) { items(ids: $i) { column_values(ids: ["amount"]) { text } } }', { i: [id] });
    expect(after.items[0]?.column_values[0]?.text).toBe('250.10');
  });

  it('4.3 aliased mutations in one document: each alias answers on its own, partial success returns data + errors', async () => {
    const r = await gql(
      sim,
      `mutation ($b: ID!, $v1: JSON, $v2: JSON, $v3: JSON) {
        a1: create_item(board_id: $b, item_name: "alias 1", column_values: $v1) { id name }
        a2: create_item(board_id: $b, item_name: "alias 2", column_values: $v2) { id name }
        a3: create_item(board_id: $b, item_name: "alias 3", column_values: $v3) { id name }
        complexity { query }
      }`,
      { b: board.id, v1: JSON.stringify({ exact_key: 'A-1' }), v2: JSON.stringify({ amount: 'NaN!' }), v3: JSON.stringify({ exact_key: 'A-3' }) },
    );
    expect(r.status).toBe(200);
    const data = r.body.data as { a1: { name: string } | null; a2: unknown; a3: { name: string } | null; complexity: { query: number } };
    expect(data.a1?.name).toBe('alias 1');
    expect(data.a2).toBeNull();
    expect(data.a3?.name).toBe('alias 3');
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]?.path).toEqual(['a2']);
    // Each aliased mutation is charged (default mutation cost 10,000 each).
    expect(data.complexity.query).toBeGreaterThanOrEqual(30_000);
  });
});

describe('monday §4.5 reading items and cursors', () => {
  let sim: RunningSimulator;
  let board: BoardInfo;
  const created: string[] = [];
  beforeAll(async () => {
    sim = await start();
    board = await poBoard(sim);
    // 7 items in two aliased batches, keys K-1..K-7; even ones have status Complete.
    for (const batch of [[1, 2, 3, 4], [5, 6, 7]]) {
      const fields = batch
        .map((n) => `m${n}: create_item(board_id: ${board.id}, item_name: "Item ${n}", column_values: ${JSON.stringify(JSON.stringify({ exact_key: `K-${n}`, party: n <= 3 ? 'Acme' : 'Bolt', amount: `${n}00.00`, status: { label: n % 2 === 0 ? 'Complete' : 'Open' } }))}) { id }`)
        .join('\n');
      const data = await ok<Record<string, { id: string }>>(sim, `mutation { ${fields} }`);
      created.push(...batch.map((n) => data[`m${n}`]?.id ?? ''));
    }
  });
  afterAll(() => sim.close());

  const FIRST_PAGE = `query ($b: [ID!], $limit: Int!) { boards(ids: $b) { items_page(limit: $limit) { cursor items { id name } } } }`;
  const NEXT_PAGE = `query ($c: String!, $limit: Int!) { next_items_page(cursor: $c, limit: $limit) { cursor items { id name } } }`;

  it('4.5 items_page then next_items_page until cursor is null returns every item exactly once', async () => {
    const first = await ok<{ boards: { items_page: { cursor: string | null; items: { id: string }[] } }[] }>(sim, FIRST_PAGE, { b: [board.id], limit: 3 });
    const seen = first.boards[0]?.items_page.items.map((i) => i.id) ?? [];
    let cursor = first.boards[0]?.items_page.cursor ?? null;
    let pages = 1;
    while (cursor) {
      const next = await ok<{ next_items_page: { cursor: string | null; items: { id: string }[] } }>(sim, NEXT_PAGE, { c: cursor, limit: 3 });
      seen.push(...next.next_items_page.items.map((i) => i.id));
      cursor = next.next_items_page.cursor;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  it('4.5 limit above 500 is refused', async () => {
    const r = await gql(sim, FIRST_PAGE, { b: [board.id], limit: 501 });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
    expect(r.body.errors?.[0]?.message).toMatch(/500/);
  });

  it('4.5/4.8 a cursor expires 60 minutes after the first page request → 200 with CursorExpiredError and no data', async () => {
    const first = await ok<{ boards: { items_page: { cursor: string } }[] }>(sim, FIRST_PAGE, { b: [board.id], limit: 2 });
    const cursor = first.boards[0]?.items_page.cursor ?? '';
    await advanceClock(sim, 59 * 60_000);
    const stillValid = await ok<{ next_items_page: { cursor: string } }>(sim, NEXT_PAGE, { c: cursor, limit: 2 });
    await advanceClock(sim, 2 * 60_000);
    // Continuing with a cursor handed out later does not extend the 60 minutes of the first page.
    const r = await gql(sim, NEXT_PAGE, { c: stillValid.next_items_page.cursor, limit: 2 });
    expect(r.status).toBe(200);
    expect(r.body.data).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('CursorExpiredError');
  });

  it('4.5 items_page_by_column_values finds the item by its key column (the lookup before create)', async () => {
    const q = `query ($b: ID!, $cols: [ItemsPageByColumnValuesQuery!]) { items_page_by_column_values(board_id: $b, columns: $cols, limit: 50) { cursor items { id name } } }`;
    const hit = await ok<{ items_page_by_column_values: { cursor: string | null; items: { name: string }[] } }>(sim, q, { b: board.id, cols: [{ column_id: 'exact_key', column_values: ['K-5'] }] });
    expect(hit.items_page_by_column_values).toEqual({ cursor: null, items: [{ id: created[4], name: 'Item 5' }] });
    const miss = await ok<{ items_page_by_column_values: { items: unknown[] } }>(sim, q, { b: board.id, cols: [{ column_id: 'exact_key', column_values: ['K-55'] }] });
    expect(miss.items_page_by_column_values.items).toEqual([]);
    // OR within a column, AND across columns.
    const both = await ok<{ items_page_by_column_values: { items: { name: string }[] } }>(sim, q, {
      b: board.id,
      cols: [
        { column_id: 'exact_key', column_values: ['K-1', 'K-4', 'K-6'] },
        { column_id: 'party', column_values: ['Bolt'] },
      ],
    });
    expect(both.items_page_by_column_values.items.map((i) => i.name)).toEqual(['Item 4', 'Item 6']);
    const badColumn = await gql(sim, q, { b: board.id, cols: [{ column_id: 'nope', column_values: ['x'] }] });
    expect(badColumn.body.errors?.[0]?.extensions?.code).toBe('InvalidColumnIdException');
  });

  it('4.5 the lookup sees values written by change_multiple_column_values (no stale index)', async () => {
    await ok(sim, `mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }`, {
      b: board.id,
      i: created[6],
      v: JSON.stringify({ exact_key: 'K-7b' }),
    });
    const q = `query ($b: ID!, $v: [String]!) { items_page_by_column_values(board_id: $b, columns: [{column_id: "exact_key", column_values: $v}]) { items { id } } }`;
    expect((await ok<{ items_page_by_column_values: { items: unknown[] } }>(sim, q, { b: board.id, v: ['K-7'] })).items_page_by_column_values.items).toEqual([]);
    expect((await ok<{ items_page_by_column_values: { items: unknown[] } }>(sim, q, { b: board.id, v: ['K-7b'] })).items_page_by_column_values.items).toEqual([{ id: created[6] }]);
  });

  it('4.5 items_page query_params rules (any_of on status, greater_than on numbers) filter across pages', async () => {
    const q = `query ($b: [ID!], $qp: ItemsQuery) { boards(ids: $b) { items_page(limit: 2, query_params: $qp) { cursor items { name } } } }`;
    const done = await ok<{ boards: { items_page: { cursor: string | null; items: { name: string }[] } }[] }>(sim, q, {
      b: [board.id],
      qp: { rules: [{ column_id: 'status', compare_value: ['Complete'], operator: 'any_of' }] },
    });
    expect(done.boards[0]?.items_page.items.map((i) => i.name)).toEqual(['Item 2', 'Item 4']);
    const rest = await ok<{ next_items_page: { cursor: string | null; items: { name: string }[] } }>(sim, NEXT_PAGE, { c: done.boards[0]?.items_page.cursor, limit: 2 });
    expect(rest.next_items_page).toEqual({ cursor: null, items: [{ id: created[5], name: 'Item 6' }] });
    const big = await ok<{ boards: { items_page: { items: { name: string }[] } }[] }>(sim, q.replace('limit: 2', 'limit: 10'), {
      b: [board.id],
      qp: { rules: [{ column_id: 'amount', compare_value: ['500'], operator: 'greater_than' }] },
    });
    expect(big.boards[0]?.items_page.items.map((i) => i.name)).toEqual(['Item 6', 'Item 7']);
  });

  it('4.5 items(ids) returns known items; more than 100 ids is refused', async () => {
    const data = await ok<{ items: { id: string; board: { id: string } }[] }>(sim, 'query ($i: [ID!]) { items(ids: $i) { id board { id } } }', { i: [created[0], created[1]] });
    expect(data.items).toEqual([
      { id: created[0], board: { id: board.id } },
      { id: created[1], board: { id: board.id } },
    ]);
    const tooMany = await gql(sim, 'query ($i: [ID!]) { items(ids: $i, limit: 100) { id } }', { i: Array.from({ length: 101 }, (_, n) => String(n + 1)) });
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
  });
});

describe('monday §4.6–4.7 complexity and rate limits', () => {
  it('4.6 complexity { before after query reset_in_x_seconds }: full 10M budget, after = before − query, carried to the next call', () =>
    withSimulator(start(), async (sim) => {
      const q = '{ complexity { before after query reset_in_x_seconds } boards { id name } }';
      const first = (await ok<{ complexity: { before: number; after: number; query: number; reset_in_x_seconds: number } }>(sim, q)).complexity;
      expect(first.before).toBe(10_000_000);
      expect(first.query).toBeGreaterThan(0);
      expect(first.after).toBe(first.before - first.query);
      expect(first.reset_in_x_seconds).toBeGreaterThan(0);
      expect(first.reset_in_x_seconds).toBeLessThanOrEqual(60);
      const second = (await ok<{ complexity: { before: number; query: number } }>(sim, q)).complexity;
      expect(second.before).toBe(first.after);
      // A bigger page costs more: cost follows the potential size of the answer.
      const small = (await ok<{ complexity: { query: number } }>(sim, '{ complexity { query } boards(limit: 1) { items_page(limit: 10) { items { id } } } }')).complexity.query;
      const large = (await ok<{ complexity: { query: number } }>(sim, '{ complexity { query } boards(limit: 1) { items_page(limit: 500) { items { id } } } }')).complexity.query;
      expect(large).toBeGreaterThan(small * 10);
    }));

  it('4.6 a single query above 5,000,000 points → maxComplexityExceeded in HTTP 200, nothing charged', () =>
    withSimulator(start(), async (sim) => {
      const r = await gql(sim, '{ boards(limit: 500) { items_page(limit: 500) { items { id name column_values { id text value } } } } }');
      expect(r.status).toBe(200);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('maxComplexityExceeded');
      expect(r.body.errors?.[0]?.message).toMatch(/exceeds max complexity of 5000000/);
      const probe = (await ok<{ complexity: { before: number } }>(sim, '{ complexity { before } }')).complexity;
      expect(probe.before).toBe(10_000_000);
    }));

  it('4.6/4.7 per-minute budget exhausted → HTTP 429 COMPLEXITY_BUDGET_EXHAUSTED with retry_in_seconds + Retry-After; recovers after the window', async () => {
    // Reading the board and two create_items (30,001 points each) fit; the third does not.
    await withSimulator(start({ complexityBudgetPerMinute: 80_000 }), async (sim) => {
      const board = await poBoard(sim);
      const create = `mutation ($b: ID!) { create_item(board_id: $b, item_name: "budget") { id } }`;
      await ok(sim, create, { b: board.id });
      await ok(sim, create, { b: board.id });
      const r = await gql(sim, create, { b: board.id });
      expect(r.status).toBe(429);
      expect(r.body.data).toBeUndefined();
      expect(r.body).not.toHaveProperty('account_id');
      const ext = r.body.errors?.[0]?.extensions ?? {};
      // API >= 2025-07: only code and retry_in_seconds.
      expect(Object.keys(ext).sort()).toEqual(['code', 'retry_in_seconds']);
      expect(ext.code).toBe('COMPLEXITY_BUDGET_EXHAUSTED');
      expect(ext.retry_in_seconds).toEqual(expect.any(Number));
      expect(ext.retry_in_seconds as number).toBeGreaterThan(0);
      expect(ext.retry_in_seconds as number).toBeLessThanOrEqual(60);
      expect(r.headers.get('retry-after')).toBe(String(ext.retry_in_seconds));
      const items = await ok<{ boards: { items_count: number }[] }>(sim, `{ boards(ids: [${board.id}]) { items_count } }`);
      expect(items.boards[0]?.items_count).toBe(2);
      await advanceClock(sim, (ext.retry_in_seconds as number) * 1000);
      const again = await ok<{ create_item: { id: string }; complexity: { before: number } }>(sim, `mutation ($b: ID!) { complexity { before } create_item(board_id: $b, item_name: "budget") { id } }`, { b: board.id });
      expect(again.complexity.before).toBe(80_000);
    });
  });

  it('4.7 budget error shapes by version: 2025-01..04 adds complexity fields; older versions get the legacy top-level ComplexityException', async () => {
    const sim = await start({
      complexityBudgetPerMinute: 10,
      apiVersions: [
        { value: '2026-10', kind: 'current' },
        { value: '2025-04', kind: 'maintenance' },
        { value: '2024-10', kind: 'previous_maintenance' },
      ],
    });
    try {
      const q = '{ boards { id name } }';
      const mid = await gql(sim, q, undefined, { 'API-Version': '2025-04' });
      expect(mid.status).toBe(429);
      expect(mid.body.errors?.[0]?.extensions).toMatchObject({ code: 'COMPLEXITY_BUDGET_EXHAUSTED', complexity_budget_limit: 10, status_code: 429 });
      // The legacy shape came inside HTTP 200 (fact sheet §4.8), with account_id (before 2025-01).
      const legacy = await gql(sim, q, undefined, { 'API-Version': '2024-10' });
      expect(legacy.status).toBe(200);
      expect(legacy.body.account_id).toEqual(expect.any(Number));
      expect(legacy.body).toMatchObject({ error_code: 'ComplexityException', status_code: 429, error_data: {} });
      expect(String(legacy.body.error_message)).toMatch(/budget remaining \d+ out of 10 reset in \d+ seconds/);
    } finally {
      await sim.close();
    }
  });


  it('4.6 minute request limit → 429 "Minute limit rate exceeded" with Retry-After and retry_in_seconds; RateLimit headers on every answer', () =>
    withSimulator(start({ requestsPerMinute: 3 }), async (sim) => {
      for (let n = 0; n < 3; n += 1) {
        const r = await gql(sim, '{ boards { id } }');
        expect(r.status).toBe(200);
        // Rate-limits doc "Rate limit headers": t on minuteRate only once it is exhausted.
        const complexity = /"complexityMinute";r=(\d+);t=(\d+)$/.exec(r.headers.get('ratelimit') ?? '');
        expect(complexity).not.toBeNull();
        expect(r.headers.get('ratelimit')).toBe(
          `"minuteRate";r=${2 - n}${n === 2 ? ';t=60' : ''}, "concurrency";r=249, "complexityMinute";r=${complexity?.[1] ?? ''};t=${complexity?.[2] ?? ''}`,
        );
        expect(r.headers.get('ratelimit-policy')).toBe('"minuteRate";q=3;w=60, "concurrency";q=250;qu="concurrent-requests", "complexityMinute";q=10000000;w=60;qu="content-bytes"');
      }
      const limited = await gql(sim, '{ boards { id } }');
      expect(limited.status).toBe(429);
      expect(limited.body.errors?.[0]?.message).toBe('Minute limit rate exceeded');
      expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retry_in_seconds: expect.any(Number) });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      await advanceClock(sim, 60_000);
      expect((await gql(sim, '{ boards { id } }')).status).toBe(200);
    }));
});

describe('monday faults and persistence', () => {
  it('fault 5xx answers with monday\'s error envelope; fault 429 with the rate-limit error', () =>
    withSimulator(start({}, { faults: 'monday:5xx=1' }), async (sim) => {
      const r = await gql(sim, '{ boards { id } }');
      expect([500, 502, 503]).toContain(r.status);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      sim.faults.clear();
      sim.faults.set({ rateLimitRate: 1 });
      const limited = await gql(sim, '{ boards { id } }');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.body.errors?.[0]?.extensions?.retry_in_seconds).toBe(1);
    }));

  it('fault drop-after-commit: the client gets no answer but the item exists (the lookup finds it)', () =>
    withSimulator(start(), async (sim) => {
      const board = await poBoard(sim);
      sim.faults.set({ dropAfterCommitRate: 1 });
      await expect(gql(sim, CREATE_ITEM, { board: board.id, name: 'dropped', values: JSON.stringify({ exact_key: 'DROP-1' }) })).rejects.toThrow();
      sim.faults.clear();
      const found = await ok<{ items_page_by_column_values: { items: { name: string }[] } }>(
        sim,
        `query ($b: ID!) { items_page_by_column_values(board_id: $b, columns: [{column_id: "exact_key", column_values: ["DROP-1"]}]) { items { name } } }`,
        { b: board.id },
      );
      expect(found.items_page_by_column_values.items).toEqual([{ name: 'dropped' }]);
    }));

  it('4.7 Idempotency-Key: a retry after a dropped answer replays the first response (Idempotency-Replayed: true), no second item; the key lapses after 30 min', () =>
    withSimulator(start(), async (sim) => {
      const board = await poBoard(sim);
      const headers = { 'Idempotency-Key': 'f5b2a0e4-3c1d-4e55-9a53-0c4c1e7d2b11' };
      const vars = { board: board.id, name: 'idempotent', values: JSON.stringify({ exact_key: 'IDEM-1' }) };
      sim.faults.set({ dropAfterCommitRate: 1 });
      await expect(gql(sim, CREATE_ITEM, vars, headers)).rejects.toThrow();
      sim.faults.clear();
      const replay = await gql(sim, CREATE_ITEM, vars, headers);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      const count = async (): Promise<number | undefined> =>
        (await ok<{ boards: { items_count: number }[] }>(sim, `{ boards(ids: [${board.id}]) { items_count } }`)).boards[0]?.items_count;
      expect(await count()).toBe(1);
      await advanceClock(sim, 31 * 60_000);
      const fresh = await gql(sim, CREATE_ITEM, vars, headers);
      expect(fresh.headers.get('idempotency-replayed')).toBeNull();
      expect((fresh.body.data as { create_item: ItemOut }).create_item.id).not.toBe((replay.body.data as { create_item: ItemOut }).create_item.id);
      expect(await count()).toBe(2);
    }));

  it('persistence: a restart on the same data dir keeps boards, items, ids and the token, and does not re-seed', async () => {
    const dir = tempDir();
    const first = await startMondaySimulator({ dataDir: dir, seed: 3 });
    const board = await poBoard(first);
    const created = await ok<{ create_item: ItemOut }>(first, CREATE_ITEM, { board: board.id, name: 'kept', values: JSON.stringify({ exact_key: 'KEEP-1', amount: '10.01' }) });
    await ok(first, 'mutation { create_board(board_name: "Extra", board_kind: private) { id } }');
    const token = first.credentials.apiToken;
    await first.close();

    await withSimulator(startMondaySimulator({ dataDir: dir, seed: 3 }), async (second) => {
      expect(second.credentials.apiToken).toBe(token);
      const boards = await ok<{ boards: { name: string }[] }>(second, '{ boards { name } }');
      expect(boards.boards.map((b) => b.name)).toEqual(['Purchase orders', 'Sales invoices', 'Sales orders', 'Extra']);
      const found = await ok<{ items_page_by_column_values: { items: ItemOut[] } }>(
        second,
        `query ($b: ID!) { items_page_by_column_values(board_id: $b, columns: [{column_id: "exact_key", column_values: ["KEEP-1"]}]) { items { id name column_values(ids: ["amount"]) { id type text value } } } }`,
        { b: board.id },
      );
      expect(found.items_page_by_column_values.items).toEqual([
        { id: created.create_item.id, name: 'kept', column_values: [{ id: 'amount', type: 'numbers', text: '10.01', value: '"10.01"' }] },
      ]);
      const next = await ok<{ create_item: { id: string } }>(second, CREATE_ITEM, { board: board.id, name: 'after restart' });
      expect(Number(next.create_item.id)).toBeGreaterThan(Number(created.create_item.id));
    });
  });
});

describe('monday issue: values, columns the connector cannot write, paging and item lifecycle', () => {
  let sim: RunningSimulator;
  let board: BoardInfo;
  beforeAll(async () => {
    sim = await start();
    board = await poBoard(sim);
  });
  afterAll(() => sim.close());

  const VALUES = `query ($i: [ID!]) { items(ids: $i) { column_values { id type text value
    ... on DropdownValue { values { id label } }
    ... on StatusValue { index label is_done }
    ... on DateValue { date time }
    ... on FormulaValue { display_value }
    ... on MirrorValue { display_value }
    ... on BoardRelationValue { display_value linked_item_ids }
    ... on SubtasksValue { display_value subitems_ids }
  } } }`;
  type Value = { id: string; type: string; text: string | null; value: string | null; [key: string]: unknown };
  const valuesOf = async (itemId: string): Promise<Record<string, Value>> => {
    const data = await ok<{ items: { column_values: Value[] }[] }>(sim, VALUES, { i: [itemId] });
    return Object.fromEntries((data.items[0]?.column_values ?? []).map((v) => [v.id, v]));
  };

  it('an empty column reads text "" (not null) and value null for every type; the name column is no column value', async () => {
    const created = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'empty' });
    const values = await valuesOf(created.create_item.id);
    expect(values.name).toBeUndefined();
    for (const id of ['exact_key', 'amount', 'doc_date', 'status', 'amount_vat', 'related', 'related_party', 'files', 'subitems'])
      expect([id, values[id]?.text, values[id]?.value]).toEqual([id, '', null]);
    expect(values.status).toMatchObject({ index: null, label: null });
    expect(values.amount_vat?.display_value).toBe('');
  });

  it('a date column takes the plain "YYYY-MM-DD" string (and with a time) as well as {"date"}', async () => {
    const created = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'dated', values: JSON.stringify({ doc_date: '2026-10-15' }) });
    expect((await valuesOf(created.create_item.id)).doc_date).toMatchObject({ text: '2026-10-15', date: '2026-10-15', time: null });
    await ok(sim, 'mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }', {
      b: board.id,
      i: created.create_item.id,
      v: JSON.stringify({ doc_date: '2026-11-01 09:30:00' }),
    });
    expect((await valuesOf(created.create_item.id)).doc_date).toMatchObject({ text: '2026-11-01 09:30:00', date: '2026-11-01', time: '09:30:00' });
  });

  it('DropdownValue.values are {id, label} objects; StatusValue.is_done follows the done label', async () => {
    const made = await ok<{ create_board: { id: string } }>(sim, 'mutation { create_board(board_name: "Dropdowns", board_kind: private) { id } }');
    await ok(sim, 'mutation ($b: ID!) { create_column(board_id: $b, title: "Tags", column_type: dropdown, id: "tags") { id } }', { b: made.create_board.id });
    const item = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: made.create_board.id, name: 'tagged', labels: true, values: JSON.stringify({ tags: { labels: ['Steel', 'Glass'] } }) });
    expect((await valuesOf(item.create_item.id)).tags).toMatchObject({ text: 'Steel, Glass', values: [{ id: '1', label: 'Steel' }, { id: '2', label: 'Glass' }] });
    const done = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'done', values: JSON.stringify({ status: { label: 'Complete' } }) });
    expect((await valuesOf(done.create_item.id)).status).toMatchObject({ label: 'Complete', is_done: true });
  });

  it('formula reads its result in display_value (text "" and value null); mirror shows the linked item\'s party; neither can be written', async () => {
    const supplier = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'linked', values: JSON.stringify({ party: 'Bouwmaat BV' }) });
    const item = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, {
      board: board.id,
      name: 'with formula',
      values: JSON.stringify({ amount: '1000.00', related: { item_ids: [Number(supplier.create_item.id)] } }),
    });
    const values = await valuesOf(item.create_item.id);
    expect(values.amount_vat).toMatchObject({ type: 'formula', text: '', value: null, display_value: '1210' });
    expect(values.related).toMatchObject({ display_value: 'linked', linked_item_ids: [supplier.create_item.id] });
    expect(values.related_party).toMatchObject({ type: 'mirror', text: '', value: null, display_value: 'Bouwmaat BV' });

    for (const [column, expected] of [
      ['amount_vat', { code: 'ColumnValueException', message: 'This column type can not be updated or created (client side auto calculated column)' }],
      ['related_party', { code: 'ColumnValueException', message: 'This column type can not be updated or created (client side auto calculated column)' }],
      ['files', { code: 'InvalidColumnTypeException', message: 'This column type is not supported yet in the API' }],
      ['subitems', { code: 'InvalidColumnTypeException', message: 'This column type is not supported yet in the API' }],
    ] as const) {
      const r = await gql(sim, CREATE_ITEM, { board: board.id, name: `write ${column}`, values: JSON.stringify({ [column]: '1' }) });
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ create_item: null });
      expect(r.body.errors?.[0]).toMatchObject({ message: expected.message, path: ['create_item'], extensions: { code: expected.code, status_code: 200 } });
    }
    const simple = await gql(sim, 'mutation ($b: ID!, $i: ID) { change_simple_column_value(board_id: $b, item_id: $i, column_id: "amount_vat", value: "5") { id } }', {
      b: board.id,
      i: item.create_item.id,
    });
    expect(simple.body.errors?.[0]?.message).toBe('column type FormulaColumn is not supporting changing the column value with simple column value');
    // Filtering on a formula column is refused too.
    const filtered = await gql(sim, `query ($b: [ID!]) { boards(ids: $b) { items_page(query_params: {rules: [{column_id: "amount_vat", compare_value: ["1210"]}]}) { items { id } } } }`, { b: [board.id] });
    expect(filtered.body.errors?.[0]?.extensions?.code).toBe('InvalidColumnTypeException');
  });

  it('create_column refuses types the API cannot create here (mirror, subtasks) with InvalidColumnTypeException', async () => {
    const r = await gql(sim, 'mutation ($b: ID!) { create_column(board_id: $b, title: "Mirror", column_type: mirror) { id } }', { b: board.id });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'InvalidColumnTypeException', error_data: { actual_type: 'mirror' } });
  });

  it('Board.updated_at is an ISO 8601 date-time, Board.url and top_group are served; Group.items_page pages one group', async () => {
    const made = await ok<{ create_board: { id: string } }>(sim, 'mutation { create_board(board_name: "Groups", board_kind: public) { id } }');
    const group = await ok<{ create_group: { id: string } }>(sim, 'mutation ($b: ID!) { create_group(board_id: $b, group_name: "Second") { id } }', { b: made.create_board.id });
    const inGroup = `mutation ($b: ID!, $g: String) { create_item(board_id: $b, item_name: "in group", group_id: $g) { id } }`;
    await ok(sim, inGroup, { b: made.create_board.id, g: 'topics' });
    const second = await ok<{ create_item: { id: string } }>(sim, inGroup, { b: made.create_board.id, g: group.create_group.id });
    const data = await ok<{ boards: { updated_at: string; url: string; top_group: { id: string }; groups: { id: string; items_page: { items: { id: string }[] } }[] }[] }>(
      sim,
      'query ($b: [ID!], $g: [String]) { boards(ids: $b) { updated_at url top_group { id } groups(ids: $g) { id items_page(limit: 10) { items { id } } } } }',
      { b: [made.create_board.id], g: [group.create_group.id] },
    );
    const b = data.boards[0];
    expect(b?.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(b?.url).toMatch(new RegExp(`^https://[a-z0-9-]+\\.monday\\.com/boards/${made.create_board.id}$`));
    expect(b?.top_group.id).toBe('topics');
    expect(b?.groups).toEqual([{ id: group.create_group.id, items_page: { items: [{ id: second.create_item.id }] } }]);
  });

  it('items_page query_params.order_by sorts (numbers numerically, desc) across pages; nested rule groups combine with or', async () => {
    const made = await ok<{ create_board: { id: string } }>(sim, 'mutation { create_board(board_name: "Sorted", board_kind: public) { id } }');
    const boardId = made.create_board.id;
    await ok(sim, 'mutation ($b: ID!) { create_column(board_id: $b, title: "Amount", column_type: numbers, id: "amount") { id } }', { b: boardId });
    for (const [name, amount] of [['a', '9.5'], ['b', '100'], ['c', '20'], ['d', '']] as const)
      await ok(sim, CREATE_ITEM, { board: boardId, name, values: JSON.stringify({ amount: amount === '' ? null : amount }) });
    const q = `query ($b: [ID!], $qp: ItemsQuery) { boards(ids: $b) { items_page(limit: 2, query_params: $qp) { cursor items { name } } } }`;
    const first = await ok<{ boards: { items_page: { cursor: string; items: { name: string }[] } }[] }>(sim, q, {
      b: [boardId],
      qp: { order_by: [{ column_id: 'amount', direction: 'desc' }] },
    });
    expect(first.boards[0]?.items_page.items.map((i) => i.name)).toEqual(['b', 'c']);
    const rest = await ok<{ next_items_page: { cursor: string | null; items: { name: string }[] } }>(sim, 'query ($c: String!) { next_items_page(cursor: $c, limit: 5) { cursor items { name } } }', {
      c: first.boards[0]?.items_page.cursor,
    });
    // Empty values last.
    expect(rest.next_items_page).toEqual({ cursor: null, items: [{ name: 'a' }, { name: 'd' }] });
    const grouped = await ok<{ boards: { items_page: { items: { name: string }[] } }[] }>(sim, q.replace('limit: 2', 'limit: 10'), {
      b: [boardId],
      qp: {
        groups: [
          { operator: 'or', rules: [{ column_id: 'name', compare_value: ['a'] }, { column_id: 'amount', compare_value: ['50'], operator: 'greater_than' }] },
        ],
      },
    });
    expect(grouped.boards[0]?.items_page.items.map((i) => i.name)).toEqual(['a', 'b']);
  });

  it('archive_item and delete_item: the item leaves items_page and the key lookup; items(ids) still reads it with its state unless exclude_nonactive', async () => {
    const made = await ok<{ create_item: ItemOut }>(sim, CREATE_ITEM, { board: board.id, name: 'to archive', values: JSON.stringify({ exact_key: 'ARCH-1' }) });
    const id = made.create_item.id;
    const lookup = `query ($b: ID!) { items_page_by_column_values(board_id: $b, columns: [{column_id: "exact_key", column_values: ["ARCH-1"]}]) { items { id } } }`;
    expect((await ok<{ items_page_by_column_values: { items: unknown[] } }>(sim, lookup, { b: board.id })).items_page_by_column_values.items).toEqual([{ id }]);
    const archived = await ok<{ archive_item: { id: string; state: string } }>(sim, 'mutation ($i: ID) { archive_item(item_id: $i) { id state } }', { i: id });
    expect(archived.archive_item).toEqual({ id, state: 'archived' });
    expect((await ok<{ items_page_by_column_values: { items: unknown[] } }>(sim, lookup, { b: board.id })).items_page_by_column_values.items).toEqual([]);
    const byId = 'query ($i: [ID!], $x: Boolean) { items(ids: $i, exclude_nonactive: $x) { id state } }';
    expect((await ok<{ items: unknown[] }>(sim, byId, { i: [id] })).items).toEqual([{ id, state: 'archived' }]);
    expect((await ok<{ items: unknown[] }>(sim, byId, { i: [id], x: true })).items).toEqual([]);
    const deleted = await ok<{ delete_item: { state: string } }>(sim, 'mutation ($i: ID) { delete_item(item_id: $i) { state } }', { i: id });
    expect(deleted.delete_item.state).toBe('deleted');
    const again = await gql(sim, 'mutation ($i: ID) { archive_item(item_id: $i) { id } }', { i: id });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
  });
});

describe('monday §4.6 complexity the way monday documents it, per account and per app', () => {
  it('create_item { id } costs 30,001 (the changelog\'s budget error); ids count before limit', () =>
    withSimulator(start(), async (sim) => {
      const board = await poBoard(sim);
      const created = await ok<{ complexity: { query: number } }>(sim, 'mutation ($b: ID!) { complexity { query } create_item(board_id: $b, item_name: "x") { id } }', { b: board.id });
      expect(created.complexity.query).toBe(30_001);
      const read = await ok<{ complexity: { query: number } }>(sim, `{ complexity { query } boards(ids: [${board.id}, 1, 2, 3], limit: 3) { id } }`);
      expect(read.complexity.query).toBe(4 * 11);
    }));

  it('personal tokens of two users share the account\'s 10M combined budget; the app token has its own read and write budgets', () =>
    withSimulator(start({ complexityBudgetPerMinute: 100_000, appComplexityBudgetPerMinute: 50_000 }), async (sim) => {
      const board = await poBoard(sim);
      const as = (token: unknown) => ({ authorization: String(token) });
      const probe = '{ complexity { before } }';
      const create = `mutation { complexity { before after } create_item(board_id: ${board.id}, item_name: "x") { id } }`;
      const first = await gql(sim, create, undefined, as(sim.credentials.apiToken));
      const after = (first.body.data as { complexity: { after: number } }).complexity.after;
      // The second user's token sees what the first spent: one budget per account.
      const second = await gql(sim, probe, undefined, as(sim.credentials.secondUserApiToken));
      expect((second.body.data as { complexity: { before: number } }).complexity.before).toBe(after);
      // The app's read budget and write budget are separate from the account's and from each other.
      const appRead = await gql(sim, probe, undefined, as(sim.credentials.appApiToken));
      expect((appRead.body.data as { complexity: { before: number } }).complexity.before).toBe(50_000);
      const appWrite = await gql(sim, create, undefined, as(sim.credentials.appApiToken));
      expect((appWrite.body.data as { complexity: { before: number } }).complexity.before).toBe(50_000);
      const appWrite2 = await gql(sim, create, undefined, as(sim.credentials.appApiToken));
      expect(appWrite2.status).toBe(429);
      expect(appWrite2.body.errors?.[0]?.extensions?.code).toBe('COMPLEXITY_BUDGET_EXHAUSTED');
      const appReadAgain = await gql(sim, probe, undefined, as(sim.credentials.appApiToken));
      expect(appReadAgain.status).toBe(200);
      expect(appReadAgain.headers.get('ratelimit-policy')).toMatch(/"complexityMinute";q=50000;/);
    }));

  it('fault 429 with rateLimitFault "complexity" answers HTTP 429 COMPLEXITY_BUDGET_EXHAUSTED with retry_in_seconds', () =>
    withSimulator(start({ rateLimitFault: 'complexity' }, { faults: 'monday:429=1' }), async (sim) => {
      const r = await gql(sim, '{ boards { id } }');
      expect(r.status).toBe(429);
      expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 1 });
      expect(r.headers.get('retry-after')).toBe('1');
    }));
});
