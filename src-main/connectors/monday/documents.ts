/**
 * Every GraphQL document this connector sends, built by the functions below and nowhere else
 * (client.ts sends only a `MondayDocument`). test/connectors/monday-sdl.integration.test.ts
 * validates each one, with its variables, against monday's published SDL (API 2026-10,
 * shared/vendor-specs/monday/schema.graphql); `documentSamples()` gives it one of each.
 *
 * - Every document asks for `complexity { before after query reset_in_x_seconds }` (§4.6): the
 *   answer keeps the per-minute budget ledger true (complexity.ts).
 * - `column_values` always travels as a JSON-encoded string in a variable (§4.3, §4.8: inlined
 *   JSON needs double escaping and has broken public clients).
 * - Several mutations share one request under aliases `item0…itemN` (§4.3); each alias
 *   succeeds or fails on its own, and monday writes an item all or nothing.
 */

export type OperationName =
  | 'TestConnection'
  | 'ListBoards'
  | 'GetBoard'
  | 'FindItemsByKey'
  | 'ListItems'
  | 'NextItemsPage'
  | 'ReadItems'
  | 'CreateItems'
  | 'UpdateItems'
  | 'ArchiveItems';

export const OPERATION_NAMES: readonly OperationName[] = [
  'TestConnection',
  'ListBoards',
  'GetBoard',
  'FindItemsByKey',
  'ListItems',
  'NextItemsPage',
  'ReadItems',
  'CreateItems',
  'UpdateItems',
  'ArchiveItems',
];

export interface MondayDocument {
  operationName: OperationName;
  query: string;
  variables: Record<string, unknown>;
  /** Root mutations in the document (each costs monday's mutation price, §4.6). */
  mutations: number;
  /**
   * Estimated points besides the mutation price: what the selection costs under monday's
   * published weights (scalar 1, object 10, lists times their limit). Only used to decide
   * whether to wait for the budget; the server's `complexity.query` is the truth.
   */
  selectionCost: number;
  /** A repeat cannot duplicate anything (reads; setting the same values; archiving again). */
  retrySafe: boolean;
}

/** Alias of the i-th mutation; results and errors (`path[0]`) are matched back by it. */
export const aliasOf = (index: number): string => `item${index}`;

const COMPLEXITY = 'complexity { before after query reset_in_x_seconds }';
const GROUPS = 'groups { id title }';
const BOARD_FIELDS = `id name board_kind workspace_id url ${GROUPS}`;
/** Formula and mirror results live in display_value; their `text` is "" (simulator report, monday formula docs). */
const ITEM_FIELDS =
  'id name state group { id } board { id } column_values(ids: $columnIds) { id type text value ... on FormulaValue { display_value } ... on MirrorValue { display_value } }';
/** An unbounded list (groups, columns) is weighed as 10 entries when estimating. */
const UNBOUNDED_LIST = 10;

const itemCost = (columnIds: readonly string[] | null): number =>
  40 + 20 * (columnIds?.length ?? UNBOUNDED_LIST);

function read(
  operationName: OperationName,
  query: string,
  variables: Record<string, unknown>,
  selectionCost: number,
): MondayDocument {
  return { operationName, query, variables, mutations: 0, selectionCost, retrySafe: true };
}

/** The served API version and one page of boards (id + url: the url's host names the account). */
export function testConnectionDocument(page: number, limit: number): MondayDocument {
  return read(
    'TestConnection',
    `query TestConnection($limit: Int!, $page: Int!) { version { value kind } boards(limit: $limit, page: $page, state: active) { id url } ${COMPLEXITY} }`,
    { limit, page },
    20 + limit * 12,
  );
}

export function listBoardsDocument(page: number, limit: number): MondayDocument {
  return read(
    'ListBoards',
    `query ListBoards($limit: Int!, $page: Int!) { boards(limit: $limit, page: $page, state: active) { ${BOARD_FIELDS} } ${COMPLEXITY} }`,
    { limit, page },
    limit * (16 + 12 * UNBOUNDED_LIST),
  );
}

/** Columns with `settings` (JSON), never the deprecated `settings_str` (simulator report). */
export function getBoardDocument(boardId: string): MondayDocument {
  return read(
    'GetBoard',
    `query GetBoard($ids: [ID!]) { boards(ids: $ids) { ${BOARD_FIELDS} columns { id title type settings } } ${COMPLEXITY} }`,
    { ids: [boardId] },
    16 + 24 * UNBOUNDED_LIST,
  );
}

/** §4.5: values within one column are OR'ed, so one request looks up many keys. */
export function findItemsByKeyDocument(
  boardId: string,
  keyColumnId: string,
  keys: readonly string[],
  limit: number,
  columnIds: readonly string[] | null,
): MondayDocument {
  return read(
    'FindItemsByKey',
    `query FindItemsByKey($board: ID!, $columns: [ItemsPageByColumnValuesQuery!], $limit: Int!, $columnIds: [String!]) { items_page_by_column_values(board_id: $board, columns: $columns, limit: $limit) { cursor items { ${ITEM_FIELDS} } } ${COMPLEXITY} }`,
    { board: boardId, columns: [{ column_id: keyColumnId, column_values: [...keys] }], limit, columnIds },
    11 + limit * itemCost(columnIds),
  );
}

/**
 * The first page of a board's live items, every one (`Board.items_page`, no filter; §4.5):
 * archived and deleted items are left out by monday. Further pages: nextItemsPageDocument.
 */
export function listItemsDocument(
  boardId: string,
  limit: number,
  columnIds: readonly string[] | null,
): MondayDocument {
  return read(
    'ListItems',
    `query ListItems($board: [ID!], $limit: Int!, $columnIds: [String!]) { boards(ids: $board) { id items_page(limit: $limit) { cursor items { ${ITEM_FIELDS} } } } ${COMPLEXITY} }`,
    { board: [boardId], limit, columnIds },
    21 + limit * itemCost(columnIds),
  );
}

/** The pages after the first of any items_page read (§4.5: until the cursor is null). */
export function nextItemsPageDocument(
  cursor: string,
  limit: number,
  columnIds: readonly string[] | null,
): MondayDocument {
  return read(
    'NextItemsPage',
    `query NextItemsPage($cursor: String!, $limit: Int!, $columnIds: [String!]) { next_items_page(cursor: $cursor, limit: $limit) { cursor items { ${ITEM_FIELDS} } } ${COMPLEXITY} }`,
    { cursor, limit, columnIds },
    11 + limit * itemCost(columnIds),
  );
}

/**
 * Items by id, archived and deleted ones included (items_page skips them; simulator report):
 * `ids` sizes the list whatever `limit` says, and at most 100 ids per call (§4.5).
 */
export function readItemsDocument(
  itemIds: readonly string[],
  columnIds: readonly string[] | null,
): MondayDocument {
  return read(
    'ReadItems',
    `query ReadItems($ids: [ID!], $limit: Int!, $columnIds: [String!]) { items(ids: $ids, limit: $limit) { ${ITEM_FIELDS} } ${COMPLEXITY} }`,
    { ids: [...itemIds], limit: itemIds.length, columnIds },
    itemIds.length * itemCost(columnIds),
  );
}

export interface CreateItemInput {
  name: string;
  columnValues: Record<string, unknown>;
}

/** `create_item` per item under aliases; not retry-safe (an uncertain create is looked up by key). */
export function createItemsDocument(
  boardId: string,
  groupId: string | null,
  items: readonly CreateItemInput[],
  createLabelsIfMissing: boolean,
): MondayDocument {
  const declarations = ['$board: ID!', '$group: String', '$labels: Boolean'];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {
    board: boardId,
    group: groupId,
    labels: createLabelsIfMissing,
  };
  items.forEach((item, index) => {
    declarations.push(`$name${index}: String!`, `$values${index}: JSON`);
    fields.push(
      `${aliasOf(index)}: create_item(board_id: $board, group_id: $group, item_name: $name${index}, column_values: $values${index}, create_labels_if_missing: $labels) { id }`,
    );
    variables[`name${index}`] = item.name;
    variables[`values${index}`] = JSON.stringify(item.columnValues);
  });
  return {
    operationName: 'CreateItems',
    query: `mutation CreateItems(${declarations.join(', ')}) { ${fields.join(' ')} ${COMPLEXITY} }`,
    variables,
    mutations: items.length,
    selectionCost: items.length,
    retrySafe: false,
  };
}

export interface UpdateItemInput {
  itemId: string;
  columnValues: Record<string, unknown>;
}

/** `change_multiple_column_values` per item (§4.3); sending the same values twice changes nothing. */
export function updateItemsDocument(
  boardId: string,
  updates: readonly UpdateItemInput[],
  createLabelsIfMissing: boolean,
): MondayDocument {
  const declarations = ['$board: ID!', '$labels: Boolean'];
  const fields: string[] = [];
  const variables: Record<string, unknown> = { board: boardId, labels: createLabelsIfMissing };
  updates.forEach((update, index) => {
    declarations.push(`$item${index}: ID`, `$values${index}: JSON!`);
    fields.push(
      `${aliasOf(index)}: change_multiple_column_values(board_id: $board, item_id: $item${index}, column_values: $values${index}, create_labels_if_missing: $labels) { id }`,
    );
    variables[`item${index}`] = update.itemId;
    variables[`values${index}`] = JSON.stringify(update.columnValues);
  });
  return {
    operationName: 'UpdateItems',
    query: `mutation UpdateItems(${declarations.join(', ')}) { ${fields.join(' ')} ${COMPLEXITY} }`,
    variables,
    mutations: updates.length,
    selectionCost: updates.length,
    retrySafe: true,
  };
}

/** `archive_item` per item: the item stays readable by id (state archived), never deleted. */
export function archiveItemsDocument(itemIds: readonly string[]): MondayDocument {
  const declarations: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  itemIds.forEach((itemId, index) => {
    declarations.push(`$item${index}: ID`);
    fields.push(`${aliasOf(index)}: archive_item(item_id: $item${index}) { id state }`);
    variables[`item${index}`] = itemId;
  });
  return {
    operationName: 'ArchiveItems',
    query: `mutation ArchiveItems(${declarations.join(', ')}) { ${fields.join(' ')} ${COMPLEXITY} }`,
    variables,
    mutations: itemIds.length,
    selectionCost: 2 * itemIds.length,
    retrySafe: true,
  };
}

/**
 * One document of every operation, built by the same functions the connector uses, with
 * representative inputs (batches of two, every column value form the connector writes): the
 * SDL test validates each against the vendor schema.
 */
export function documentSamples(): MondayDocument[] {
  const values = {
    exact_key: 'PO-1001',
    amount: '1234.50',
    doc_date: { date: '2026-01-15' },
    status: { label: 'Open' },
    category: { labels: ['4000'] },
    exact_link: { url: 'https://start.exactonline.nl/docs/PO-1001', text: 'PO 1001' },
    notes: { text: 'Cost center 100' },
    cleared: null,
  };
  return [
    testConnectionDocument(1, 100),
    listBoardsDocument(1, 100),
    getBoardDocument('1800000001'),
    findItemsByKeyDocument('1800000001', 'exact_key', ['PO-1001', 'PO-1002'], 500, ['exact_key', 'amount']),
    findItemsByKeyDocument('1800000001', 'exact_key', ['PO-1001'], 500, null),
    listItemsDocument('1800000001', 500, ['exact_key', 'amount']),
    listItemsDocument('1800000001', 500, null),
    nextItemsPageDocument('opaque-cursor', 500, ['exact_key']),
    readItemsDocument(['9100000001', '9100000002'], null),
    createItemsDocument(
      '1800000001',
      'topics',
      [
        { name: 'PO 1001', columnValues: values },
        { name: 'PO 1002', columnValues: { exact_key: 'PO-1002' } },
      ],
      false,
    ),
    createItemsDocument('1800000001', null, [{ name: 'PO 1003', columnValues: {} }], true),
    updateItemsDocument(
      '1800000001',
      [
        {
          itemId: '9100000001',
          columnValues: { amount: '99.99', status: { label: 'Canceled' }, name: 'PO 1001 (changed)' },
        },
        { itemId: '9100000002', columnValues: { doc_date: null } },
      ],
      false,
    ),
    archiveItemsDocument(['9100000001', '9100000002']),
  ];
}
