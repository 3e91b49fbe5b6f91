import { VALUE_TYPE_BY_COLUMN } from './schema';
import {
  parseJsonArgument,
  valueJson,
  type BoardData,
  type ItemsOrder,
  type ItemsRule,
  type ItemsRuleGroup,
  type StoredBoard,
  type StoredGroup,
  type StoredItem,
} from './boards';
import { assertSimpleWritable, columnSettings, columnText, dropdownOptions, statusLabel, type ColumnType, type StoredColumn } from './column-values';
import type { ComplexityReport } from './complexity';
import { MondayError } from './errors';
import { evaluateFormula } from './formula';
import { displayName, type ApiVersion } from './versions';

/** Per-request state the resolvers read. */
export interface RequestContext {
  complexity: ComplexityReport;
  version: ApiVersion;
  versions: readonly ApiVersion[];
  /**
   * A sandbox page fault of this request (faults.ts `dupes`, `repeat`): 'duplicates' sends every
   * item of a page twice in `items`; 'repeat-cursor' answers a continued page with the cursor it
   * was asked with, so the same page comes again. `applied` tells the server it was used.
   */
  pageFault?: { kind: 'duplicates' | 'repeat-cursor'; applied: boolean };
}

export interface ResolverOptions {
  maxPageSize: number;
  cursorTtlMs: number;
  now: () => number;
  /** The account's web address, for Board.url and Item.url ("https://<slug>.monday.com"). */
  accountUrl: string;
}

/** SDL `input ItemsQuery`. */
interface ItemsQueryArgs {
  rules?: ItemsRule[] | null;
  groups?: ItemsRuleGroup[] | null;
  operator?: 'and' | 'or' | null;
  ids?: string[] | null;
  order_by?: ItemsOrder[] | null;
}

type CursorFilter =
  | { kind: 'page'; query: ItemsQueryArgs; groupId: string | null }
  | { kind: 'values'; columns: { column_id: string; column_values: (string | null)[] }[] };

/**
 * What a cursor carries: monday cursors are opaque; ours encode where to continue (after an
 * item id, or at an offset of an ordered page) and the filter.
 */
interface CursorState {
  board: string;
  after: string | null;
  offset: number;
  issuedAt: number;
  filter: CursorFilter;
}

const MAX_ITEMS_BY_IDS = 100;

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (typeof state.board === 'string' && typeof state.issuedAt === 'number' && typeof state.offset === 'number') return state;
  } catch {
    // fall through to the error below
  }
  throw new MondayError('InvalidArgumentException', 'The cursor is not one this API issued');
}

type ItemsPageArgs = { limit: number; cursor?: string | null; query_params?: ItemsQueryArgs | null };

/**
 * Root value for graphql-js: the default field resolver calls these functions with
 * (args, context), and the objects they return expose nested fields the same way (functions
 * for fields with arguments), so no separate resolver map is needed.
 */
export function createRootValue(data: BoardData, options: ResolverOptions): Record<string, unknown> {
  const checkLimit = (limit: number, max: number): void => {
    if (!Number.isInteger(limit) || limit < 1 || limit > max)
      throw new MondayError('InvalidArgumentException', `limit must be between 1 and ${max}, got ${limit}`);
  };
  const boardUrl = (boardId: string): string => `/boards/${boardId}`;

  const columnView = (c: StoredColumn): Record<string, unknown> => ({
    ...c,
    archived: false,
    width: null,
    // Column.settings (JSON) is the parsed form of the deprecated settings_str (API 2025-10).
    settings: columnSettings(c),
  });
  const groupView = (board: StoredBoard, g: StoredGroup): Record<string, unknown> => ({
    ...g,
    archived: false,
    deleted: false,
    items_page: (args: ItemsPageArgs, ctx?: RequestContext) => withPageFault(itemsPage(board, args, g.id), args.cursor ?? null, ctx),
  });

  const itemView = (item: StoredItem): Record<string, unknown> => ({
    id: item.id,
    name: item.name,
    state: item.state,
    created_at: item.created_at,
    updated_at: item.updated_at,
    relative_link: `${boardUrl(item.board_id)}/pulses/${item.id}`,
    url: `${options.accountUrl}${boardUrl(item.board_id)}/pulses/${item.id}`,
    // The sandbox keeps no subitems: every item is a top-level item.
    parent_item: null,
    subitems: [],
    board: () => boardView(data.board(item.board_id)),
    group: () => {
      const board = data.board(item.board_id);
      const group = board.groups.find((g) => g.id === item.group_id);
      return group ? groupView(board, group) : null;
    },
    column_values: (args: { ids?: string[] | null; types?: ColumnType[] | null }) => {
      const board = data.board(item.board_id);
      // The name column is not a column value (its text is Item.name; the SDL has no NameValue).
      return board.columns
        .filter((c) => c.type !== 'name' && (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type)))
        .map((c) => columnValueView(board, item, c));
    },
  });

  const linkedItemIds = (value: unknown): string[] => {
    const links = (value as { linkedPulseIds?: { linkedPulseId: number }[] } | undefined)?.linkedPulseIds;
    return Array.isArray(links) ? links.map((l) => String(l.linkedPulseId)) : [];
  };
  const existingItems = (ids: readonly string[]): StoredItem[] =>
    ids.map((id) => data.items.get(id)).filter((i): i is StoredItem => i !== undefined && i.state !== 'deleted');

  /** Mirror display: the displayed columns' texts of the items linked through the relation column(s). */
  const mirrorDisplay = (board: StoredBoard, item: StoredItem, column: StoredColumn): string => {
    const settings = columnSettings(column) as { relation_column?: Record<string, boolean>; displayed_linked_columns?: Record<string, string[]> };
    const relationIds = Object.entries(settings.relation_column ?? {})
      .filter(([, on]) => on)
      .map(([id]) => id);
    const texts: string[] = [];
    for (const relationId of relationIds) {
      for (const linked of existingItems(linkedItemIds(item.values[relationId]))) {
        const linkedBoard = data.board(linked.board_id);
        for (const shownId of settings.displayed_linked_columns?.[linked.board_id] ?? []) {
          const shown = linkedBoard.columns.find((c) => c.id === shownId);
          const text = shown ? data.textOf(linkedBoard, linked, shown) : '';
          if (text !== '') texts.push(text);
        }
      }
    }
    return texts.join(', ');
  };

  /** Type-specific fields of each ColumnValue implementation (vendor SDL), next to the common ones. */
  const typedFields = (board: StoredBoard, item: StoredItem, column: StoredColumn): Record<string, unknown> => {
    const value = item.values[column.id];
    const obj: Record<string, unknown> = typeof value === 'object' ? value : {};
    const updatedAt = obj.changed_at ?? null;
    switch (column.type) {
      case 'numbers':
        return { number: typeof value === 'string' ? Number(value) : null, symbol: null, direction: null };
      case 'date':
        return { date: obj.date ?? null, time: obj.time ?? null, icon: null, updated_at: updatedAt };
      case 'status': {
        const status = statusLabel(column, value);
        return { index: obj.index ?? null, label: status?.label ?? null, is_done: status?.isDone ?? null, update_id: null, updated_at: updatedAt };
      }
      case 'dropdown':
        return { values: dropdownOptions(column, value) };
      case 'link':
        return { url: obj.url ?? null, url_text: obj.text ?? null, updated_at: updatedAt };
      case 'email':
        return { email: obj.email ?? null, label: obj.text ?? null, updated_at: updatedAt };
      case 'phone':
        return { phone: obj.phone ?? null, country_short_name: obj.countryShortName ?? null, updated_at: updatedAt };
      case 'checkbox':
        return { checked: value !== undefined, updated_at: updatedAt };
      case 'people':
        return {
          persons_and_teams: Array.isArray(obj.personsAndTeams) ? (obj.personsAndTeams as { id: number; kind: string }[]).map((p) => ({ id: String(p.id), kind: p.kind })) : null,
          updated_at: updatedAt,
        };
      case 'timeline':
        return { from: obj.from ?? null, to: obj.to ?? null, visualization_type: null, updated_at: updatedAt };
      case 'board_relation': {
        const linked = existingItems(linkedItemIds(value));
        return {
          linked_item_ids: linkedItemIds(value),
          linked_items: () => linked.map(itemView),
          display_value: linked.map((i) => i.name).join(', '),
          updated_at: null,
        };
      }
      case 'formula': {
        const formula = columnSettings(column).formula;
        const textOf = (columnId: string): string => {
          const ref = board.columns.find((c) => c.id === columnId);
          return ref && ref.type !== 'formula' ? data.textOf(board, item, ref) : '';
        };
        return { display_value: typeof formula === 'string' ? evaluateFormula(formula, textOf) : '' };
      }
      case 'mirror':
        return { display_value: mirrorDisplay(board, item, column) };
      case 'subtasks':
        return { display_value: '', subitems: [], subitems_ids: [] };
      default:
        return { updated_at: updatedAt };
    }
  };

  const columnValueView = (board: StoredBoard, item: StoredItem, column: StoredColumn): Record<string, unknown> => {
    const computed = column.type === 'formula' || column.type === 'mirror';
    return {
      __typename: VALUE_TYPE_BY_COLUMN[column.type] ?? 'UnsupportedValue',
      id: column.id,
      type: column.type,
      // Formula and mirror results live in display_value; their text is "" and value null (monday formula docs).
      text: computed ? '' : columnText(column, item.values[column.id]),
      value: computed ? null : valueJson(item.values[column.id]),
      column: columnView(column),
      is_leaf: true,
      ...typedFields(board, item, column),
    };
  };

  /** One page of active items matching the filter, after the cursor position, and the cursor for the rest. */
  const page = (board: StoredBoard, state: Omit<CursorState, 'after' | 'offset'>, after: string | null, offset: number, limit: number): Record<string, unknown> => {
    const matches = pageFilter(board, state.filter);
    const orderBy = state.filter.kind === 'page' ? (state.filter.query.order_by ?? []) : [];
    if (orderBy.length > 0) {
      // An ordered page is sorted as a whole and continued by position.
      const all = data.sortItems(board, existingActive(board).filter(matches), orderBy);
      const items = all.slice(offset, offset + limit);
      const more = offset + limit < all.length;
      return { cursor: more ? encodeCursor({ ...state, after: null, offset: offset + limit }) : null, items: items.map(itemView) };
    }
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
      if (!item || item.state !== 'active' || !matches(item)) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(item);
    }
    const last = items[items.length - 1];
    return {
      cursor: hasMore && last ? encodeCursor({ ...state, after: last.id, offset: 0 }) : null,
      items: items.map(itemView),
    };
  };

  const existingActive = (board: StoredBoard): StoredItem[] =>
    data
      .boardItemIds(board.id)
      .map((id) => data.items.get(id))
      .filter((i): i is StoredItem => i !== undefined && i.state === 'active');

  const pageFilter = (board: StoredBoard, filter: CursorFilter): ((item: StoredItem) => boolean) => {
    if (filter.kind === 'values') {
      const hits = data.lookupByColumnValues(board, filter.columns);
      return (item) => hits.has(item.id);
    }
    const query = filter.query;
    const ids = query.ids ? new Set(query.ids) : null;
    const group: ItemsRuleGroup = { rules: query.rules ?? [], groups: query.groups ?? [], operator: query.operator ?? 'and' };
    data.checkRules(board, group);
    for (const order of query.order_by ?? []) data.column(board, order.column_id);
    return (item) => (filter.groupId === null || item.group_id === filter.groupId) && data.matchesRules(board, item, group, ids);
  };

  const itemsPage = (board: StoredBoard, args: ItemsPageArgs, groupId: string | null): Record<string, unknown> => {
    checkLimit(args.limit, options.maxPageSize);
    if (args.cursor) return continuePage(args.cursor, args.limit);
    const query = args.query_params ?? {};
    if (query.ids && query.ids.length > MAX_ITEMS_BY_IDS) throw new MondayError('InvalidArgumentException', `query_params.ids takes at most ${MAX_ITEMS_BY_IDS} ids`);
    return page(board, { board: board.id, issuedAt: options.now(), filter: { kind: 'page', query, groupId } }, null, 0, args.limit);
  };

  const boardView = (board: StoredBoard): Record<string, unknown> => ({
    ...board,
    created_at: (board as StoredBoard & { created_at?: string }).created_at ?? board.updated_at,
    items_count: data.activeItemCount(board.id),
    url: `${options.accountUrl}${boardUrl(board.id)}`,
    top_group: () => (board.groups[0] ? groupView(board, board.groups[0]) : null),
    columns: (args: { ids?: string[] | null; types?: ColumnType[] | null }) =>
      board.columns.filter((c) => (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type))).map(columnView),
    groups: (args: { ids?: string[] | null }) => board.groups.filter((g) => !args.ids || args.ids.includes(g.id)).map((g) => groupView(board, g)),
    items_page: (args: ItemsPageArgs, ctx?: RequestContext) => withPageFault(itemsPage(board, args, null), args.cursor ?? null, ctx),
  });

  const continuePage = (cursor: string, limit: number): Record<string, unknown> => {
    const state = decodeCursor(cursor);
    // §4.5: a cursor lives 60 minutes from the first page request, whatever happened since.
    if (options.now() - state.issuedAt > options.cursorTtlMs)
      throw new MondayError('CursorExpiredError', 'CursorExpiredError: The cursor provided for pagination has expired. Please refresh your query and obtain a new cursor.');
    const board = data.board(state.board);
    return page(board, { board: state.board, issuedAt: state.issuedAt, filter: state.filter }, state.after, state.offset, limit);
  };

  /** A page as a faulty server would send it (RequestContext.pageFault); the cursor asked with, if any. */
  const withPageFault = (result: Record<string, unknown>, askedCursor: string | null, ctx: RequestContext | undefined): Record<string, unknown> => {
    const fault = ctx?.pageFault;
    if (!fault) return result;
    const items = result['items'] as unknown[];
    if (fault.kind === 'duplicates' && items.length > 0) {
      fault.applied = true;
      return { ...result, items: items.flatMap((i) => [i, i]) };
    }
    if (fault.kind === 'repeat-cursor' && askedCursor !== null && result['cursor'] !== null) {
      fault.applied = true;
      return { ...result, cursor: askedCursor };
    }
    return result;
  };

  const numericIds = (ids: readonly string[]): void => {
    for (const id of ids) if (!/^\d+$/.test(id)) throw new MondayError('InvalidArgumentException', `"${id}" is not a valid id`);
  };

  return {
    boards: (args: { ids?: string[] | null; limit: number; page: number; state: string; board_kind?: string | null; workspace_ids?: (string | null)[] | null }) => {
      if (args.ids) numericIds(args.ids);
      const wanted = args.ids ? new Set(args.ids) : null;
      // Every sandbox board is active: state "all" or "active" lists them, archived/deleted none.
      const boards = data.boards
        .filter(
          (b) =>
            (!wanted || wanted.has(b.id)) &&
            (args.state === 'all' || args.state === b.state) &&
            (!args.board_kind || args.board_kind === b.board_kind) &&
            (!args.workspace_ids || args.workspace_ids.includes(b.workspace_id)),
        )
        .sort((a, b) => Number(a.id) - Number(b.id));
      const start = (Math.max(1, args.page) - 1) * args.limit;
      return boards.slice(start, start + args.limit).map(boardView);
    },
    items: (args: { ids?: string[] | null; limit: number; page: number; exclude_nonactive?: boolean | null; newest_first?: boolean | null }) => {
      if (!args.ids) throw new MondayError('InvalidArgumentException', 'items needs ids; read a board with items_page instead');
      numericIds(args.ids);
      checkLimit(args.limit, MAX_ITEMS_BY_IDS);
      if (args.ids.length > MAX_ITEMS_BY_IDS) throw new MondayError('InvalidArgumentException', `items takes at most ${MAX_ITEMS_BY_IDS} ids`);
      const found = args.ids
        .map((id) => data.items.get(id))
        .filter((i): i is StoredItem => i !== undefined && (!args.exclude_nonactive || i.state === 'active'));
      if (args.newest_first) found.sort((a, b) => Number(b.id) - Number(a.id));
      const start = (Math.max(1, args.page) - 1) * args.limit;
      return found.slice(start, start + args.limit).map(itemView);
    },
    next_items_page: (args: { cursor: string; limit: number }, ctx?: RequestContext) => {
      checkLimit(args.limit, options.maxPageSize);
      return withPageFault(continuePage(args.cursor, args.limit), args.cursor, ctx);
    },
    items_page_by_column_values: (args: { board_id: string; columns?: { column_id: string; column_values: (string | null)[] }[] | null; cursor?: string | null; limit: number }, ctx?: RequestContext) => {
      checkLimit(args.limit, options.maxPageSize);
      if (args.cursor) return withPageFault(continuePage(args.cursor, args.limit), args.cursor, ctx);
      const board = data.board(args.board_id);
      if (!args.columns || args.columns.length === 0) throw new MondayError('InvalidArgumentException', 'columns needs at least one {column_id, column_values}');
      return withPageFault(page(board, { board: board.id, issuedAt: options.now(), filter: { kind: 'values', columns: args.columns } }, null, 0, args.limit), null, ctx);
    },
    complexity: (_args: unknown, ctx: RequestContext) => ctx.complexity,
    version: (_args: unknown, ctx: RequestContext) => ({ ...ctx.version, display_name: displayName(ctx.version) }),
    versions: (_args: unknown, ctx: RequestContext) => ctx.versions.map((v) => ({ ...v, display_name: displayName(v) })),

    create_board: (args: { board_name: string; board_kind: StoredBoard['board_kind']; description?: string | null; workspace_id?: string | null }) =>
      boardView(data.createBoard(args.board_name, args.board_kind, args.description ?? null, args.workspace_id ?? null)),
    create_column: (args: { board_id: string; title: string; column_type: ColumnType; description?: string | null; defaults?: unknown; id?: string | null; after_column_id?: string | null }) =>
      columnView(
        data.createColumn(args.board_id, args.title, args.column_type, args.description ?? null, args.defaults, args.id ?? null, args.after_column_id ?? null),
      ),
    create_group: (args: { board_id: string; group_name: string; group_color?: string | null }) => {
      const group = data.createGroup(args.board_id, args.group_name, args.group_color ?? null);
      return groupView(data.board(args.board_id), group);
    },
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
      assertSimpleWritable(column);
      return itemView(data.changeValues(args.board_id, args.item_id ?? null, { [args.column_id]: simpleToRaw(column, args.value ?? null) }, args.create_labels_if_missing === true));
    },
    // archive_item / delete_item (SDL Mutation): the item keeps its id and reads back with its new state.
    archive_item: (args: { item_id?: string | null }) => itemView(data.setItemState(args.item_id ?? null, 'archived')),
    delete_item: (args: { item_id?: string | null }) => itemView(data.setItemState(args.item_id ?? null, 'deleted')),
  };
}

/** change_simple_column_value's plain-string forms (§4.3) turned into the JSON forms of §4.4. */
function simpleToRaw(column: StoredColumn, value: string | null): unknown {
  if (value === null || value === '') return null;
  switch (column.type) {
    case 'date':
      // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS": the date column takes the plain string as is.
      return value;
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
