import { VALUE_TYPE_BY_COLUMN } from './schema';
import { parseJsonArgument, valueJson, type BoardData, type ItemsRule, type StoredBoard, type StoredGroup, type StoredItem } from './boards';
import { columnText, type ColumnType, type StoredColumn } from './column-values';
import type { ComplexityReport } from './complexity';
import { MondayError } from './errors';
import { displayName, type ApiVersion } from './versions';

/** Per-request state the resolvers read. */
export interface RequestContext {
  complexity: ComplexityReport;
  version: ApiVersion;
  versions: readonly ApiVersion[];
}

export interface PagingRules {
  maxPageSize: number;
  cursorTtlMs: number;
  now: () => number;
}

/** What a cursor carries: monday cursors are opaque; ours encode where to continue and the filter. */
interface CursorState {
  board: string;
  after: string;
  issuedAt: number;
  filter: { kind: 'page'; rules: ItemsRule[]; operator: 'and' | 'or'; ids: string[] | null } | { kind: 'values'; columns: { column_id: string; column_values: (string | null)[] }[] };
}

const MAX_ITEMS_BY_IDS = 100;

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (typeof state.board === 'string' && typeof state.after === 'string' && typeof state.issuedAt === 'number') return state;
  } catch {
    // fall through to the error below
  }
  throw new MondayError('InvalidArgumentException', 'The cursor is not one this API issued');
}

/**
 * Root value for graphql-js: the default field resolver calls these functions with
 * (args, context), and the objects they return expose nested fields the same way (functions
 * for fields with arguments), so no separate resolver map is needed.
 */
export function createRootValue(data: BoardData, paging: PagingRules): Record<string, unknown> {
  const checkLimit = (limit: number, max: number): void => {
    if (!Number.isInteger(limit) || limit < 1 || limit > max)
      throw new MondayError('InvalidArgumentException', `limit must be between 1 and ${max}, got ${limit}`);
  };

  const columnView = (c: StoredColumn): Record<string, unknown> => ({ ...c, archived: false });
  const groupView = (g: StoredGroup): Record<string, unknown> => ({ ...g, archived: false, deleted: false });

  const itemView = (item: StoredItem): Record<string, unknown> => ({
    id: item.id,
    name: item.name,
    state: item.state,
    created_at: item.created_at,
    updated_at: item.updated_at,
    board: () => boardView(data.board(item.board_id)),
    group: () => {
      const group = data.board(item.board_id).groups.find((g) => g.id === item.group_id);
      return group ? groupView(group) : null;
    },
    column_values: (args: { ids?: string[] | null; types?: ColumnType[] | null }) => {
      const board = data.board(item.board_id);
      return board.columns
        .filter((c) => c.type !== 'name' && (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type)))
        .map((c) => columnValueView(item, c));
    },
  });

  const columnValueView = (item: StoredItem, column: StoredColumn): Record<string, unknown> => {
    const value = item.values[column.id];
    const text = column.type === 'name' ? item.name : columnText(column, value);
    const obj: Record<string, unknown> = typeof value === 'object' ? value : {};
    return {
      __typename: VALUE_TYPE_BY_COLUMN[column.type],
      id: column.id,
      type: column.type,
      text,
      value: valueJson(value),
      column: columnView(column),
      // typed fragment fields (§4.4)
      number: column.type === 'numbers' && typeof value === 'string' ? Number(value) : null,
      date: obj.date ?? null,
      time: obj.time ?? null,
      index: obj.index ?? null,
      label: column.type === 'status' && value !== undefined ? text : null,
      values: column.type === 'dropdown' && text ? text.split(', ') : [],
      url: obj.url ?? null,
      url_text: obj.text ?? null,
      email: obj.email ?? null,
      phone: obj.phone ?? null,
      country_short_name: obj.countryShortName ?? null,
      checked: column.type === 'checkbox' ? value !== undefined : null,
      from: obj.from ?? null,
      to: obj.to ?? null,
      linked_item_ids: Array.isArray(obj.linkedPulseIds) ? (obj.linkedPulseIds as { linkedPulseId: number }[]).map((l) => String(l.linkedPulseId)) : [],
    };
  };

  /** One page of item ids matching `matches`, after `after`, and the cursor for the rest. */
  const page = (board: StoredBoard, state: Omit<CursorState, 'after'>, after: string | null, limit: number, matches: (item: StoredItem) => boolean): Record<string, unknown> => {
    const ids = data.boardItemIds(board.id);
    let start = 0;
    if (after !== null) {
      // ids are ascending numbers: binary search for the first id after the cursor.
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (Number(ids[mid]) <= Number(after)) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const items: StoredItem[] = [];
    let hasMore = false;
    for (let i = start; i < ids.length; i += 1) {
      const item = data.items.get(ids[i] ?? '');
      if (!item || !matches(item)) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(item);
    }
    const last = items[items.length - 1];
    return {
      cursor: hasMore && last ? encodeCursor({ ...state, after: last.id }) : null,
      items: items.map(itemView),
    };
  };

  const pageFilter = (board: StoredBoard, filter: CursorState['filter']): ((item: StoredItem) => boolean) => {
    if (filter.kind === 'values') {
      const hits = data.lookupByColumnValues(board, filter.columns);
      return (item) => hits.has(item.id);
    }
    const ids = filter.ids ? new Set(filter.ids) : null;
    for (const rule of filter.rules) data.column(board, rule.column_id);
    return (item) => data.matchesRules(board, item, filter.rules, filter.operator, ids);
  };

  const boardView = (board: StoredBoard): Record<string, unknown> => ({
    ...board,
    items_count: data.boardItemIds(board.id).length,
    columns: (args: { ids?: string[] | null; types?: ColumnType[] | null }) =>
      board.columns.filter((c) => (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type))).map(columnView),
    groups: (args: { ids?: string[] | null }) => board.groups.filter((g) => !args.ids || args.ids.includes(g.id)).map(groupView),
    items_page: (args: { limit: number; cursor?: string | null; query_params?: { rules?: ItemsRule[] | null; operator?: 'and' | 'or'; ids?: string[] | null } | null }) => {
      checkLimit(args.limit, paging.maxPageSize);
      if (args.cursor) return continuePage(args.cursor, args.limit);
      const q = args.query_params;
      if (q?.ids && q.ids.length > MAX_ITEMS_BY_IDS) throw new MondayError('InvalidArgumentException', `query_params.ids takes at most ${MAX_ITEMS_BY_IDS} ids`);
      const filter: CursorState['filter'] = { kind: 'page', rules: q?.rules ?? [], operator: q?.operator ?? 'and', ids: q?.ids ?? null };
      return page(board, { board: board.id, issuedAt: paging.now(), filter }, null, args.limit, pageFilter(board, filter));
    },
  });

  const continuePage = (cursor: string, limit: number): Record<string, unknown> => {
    const state = decodeCursor(cursor);
    // §4.5: a cursor lives 60 minutes from the first page request, whatever happened since.
    if (paging.now() - state.issuedAt > paging.cursorTtlMs)
      throw new MondayError('CursorExpiredError', 'CursorExpiredError: The cursor provided for pagination has expired. Please refresh your query and obtain a new cursor.', {
        status_code: 200,
      });
    const board = data.board(state.board);
    return page(board, state, state.after, limit, pageFilter(board, state.filter));
  };

  const numericIds = (ids: readonly string[]): void => {
    for (const id of ids) if (!/^\d+$/.test(id)) throw new MondayError('InvalidArgumentException', `"${id}" is not a valid id`);
  };

  return {
    boards: (args: { ids?: string[] | null; limit: number; page: number }) => {
      if (args.ids) numericIds(args.ids);
      const wanted = args.ids ? new Set(args.ids) : null;
      const boards = data.boards
        .filter((b) => !wanted || wanted.has(b.id))
        .sort((a, b) => Number(a.id) - Number(b.id));
      const start = (Math.max(1, args.page) - 1) * args.limit;
      return boards.slice(start, start + args.limit).map(boardView);
    },
    items: (args: { ids?: string[] | null; limit: number; page: number }) => {
      if (!args.ids) throw new MondayError('InvalidArgumentException', 'items needs ids; read a board with items_page instead');
      numericIds(args.ids);
      checkLimit(args.limit, MAX_ITEMS_BY_IDS);
      if (args.ids.length > MAX_ITEMS_BY_IDS) throw new MondayError('InvalidArgumentException', `items takes at most ${MAX_ITEMS_BY_IDS} ids`);
      return args.ids
        .map((id) => data.items.get(id))
        .filter((i): i is StoredItem => i !== undefined)
        .slice(0, args.limit)
        .map(itemView);
    },
    next_items_page: (args: { cursor: string; limit: number }) => {
      checkLimit(args.limit, paging.maxPageSize);
      return continuePage(args.cursor, args.limit);
    },
    items_page_by_column_values: (args: { board_id: string; columns?: { column_id: string; column_values: (string | null)[] }[] | null; cursor?: string | null; limit: number }) => {
      checkLimit(args.limit, paging.maxPageSize);
      if (args.cursor) return continuePage(args.cursor, args.limit);
      const board = data.board(args.board_id);
      if (!args.columns || args.columns.length === 0) throw new MondayError('InvalidArgumentException', 'columns needs at least one {column_id, column_values}');
      const filter: CursorState['filter'] = { kind: 'values', columns: args.columns };
      return page(board, { board: board.id, issuedAt: paging.now(), filter }, null, args.limit, pageFilter(board, filter));
    },
    complexity: (_args: unknown, ctx: RequestContext) => ctx.complexity,
    version: (_args: unknown, ctx: RequestContext) => ({ ...ctx.version, display_name: displayName(ctx.version) }),
    versions: (_args: unknown, ctx: RequestContext) => ctx.versions.map((v) => ({ ...v, display_name: displayName(v) })),

    create_board: (args: { board_name: string; board_kind: StoredBoard['board_kind']; description?: string | null; workspace_id?: string | null }) =>
      boardView(data.createBoard(args.board_name, args.board_kind, args.description ?? null, args.workspace_id ?? null)),
    create_column: (args: { board_id: string; title: string; column_type: ColumnType; description?: string | null; defaults?: unknown; id?: string | null }) =>
      columnView(data.createColumn(args.board_id, args.title, args.column_type, args.description ?? null, args.defaults, args.id ?? null)),
    create_group: (args: { board_id: string; group_name: string; group_color?: string | null }) =>
      groupView(data.createGroup(args.board_id, args.group_name, args.group_color ?? null)),
    create_item: (args: { board_id: string; item_name: string; group_id?: string | null; column_values?: unknown; create_labels_if_missing?: boolean | null }) =>
      itemView(data.createItem(args.board_id, args.item_name, args.group_id ?? null, args.column_values, args.create_labels_if_missing === true)),
    change_multiple_column_values: (args: { board_id: string; item_id?: string | null; column_values: unknown; create_labels_if_missing?: boolean | null }) => {
      const values = parseJsonArgument(args.column_values, 'column_values', false);
      if (typeof values !== 'object' || values === null || Array.isArray(values))
        throw new MondayError('InvalidArgumentException', 'column_values must encode a JSON object of column id -> value');
      return itemView(data.changeValues(args.board_id, args.item_id ?? null, values as Record<string, unknown>, args.create_labels_if_missing === true));
    },
    change_column_value: (args: { board_id: string; item_id?: string | null; column_id: string; value: unknown; create_labels_if_missing?: boolean | null }) => {
      const value = parseJsonArgument(args.value, 'value', false);
      return itemView(data.changeValues(args.board_id, args.item_id ?? null, { [args.column_id]: value }, args.create_labels_if_missing === true));
    },
    change_simple_column_value: (args: { board_id: string; item_id?: string | null; column_id: string; value?: string | null; create_labels_if_missing?: boolean | null }) => {
      const column = data.column(data.board(args.board_id), args.column_id);
      return itemView(data.changeValues(args.board_id, args.item_id ?? null, { [args.column_id]: simpleToRaw(column, args.value ?? null) }, args.create_labels_if_missing === true));
    },
  };
}

/** change_simple_column_value's plain-string forms (§4.3) turned into the JSON forms of §4.4. */
function simpleToRaw(column: StoredColumn, value: string | null): unknown {
  if (value === null || value === '') return null;
  switch (column.type) {
    case 'date': {
      const [date, time] = value.split(' ');
      return { date, ...(time ? { time } : {}) };
    }
    case 'status':
      return { label: value };
    case 'dropdown':
      return { labels: value.split(',').map((s) => s.trim()) };
    case 'long_text':
      return { text: value };
    case 'link': {
      const [url, ...text] = value.split(' ');
      return { url, text: text.join(' ') || url };
    }
    default:
      return value;
  }
}
