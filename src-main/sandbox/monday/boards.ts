import { Decimal } from '../../../src-shared/domain/money';
import type { SimCollection, SimStore } from '../_common/sim-store';
import {
  assertWritable,
  columnText,
  CREATABLE_COLUMN_TYPES,
  defaultSettings,
  normaliseColumnValue,
  unsupportedColumnTypeError,
  type ColumnType,
  type StoredColumn,
  type StoredValue,
} from './column-values';
import { MondayError } from './errors';

export interface StoredGroup {
  id: string;
  title: string;
  color: string;
  position: string;
}

export interface StoredBoard {
  id: string;
  name: string;
  state: 'active';
  board_kind: 'public' | 'private' | 'share';
  description: string | null;
  workspace_id: string | null;
  columns: StoredColumn[];
  groups: StoredGroup[];
  updated_at: string;
}

/** SDL `enum State`: an item is active, archived (archive_item) or deleted (delete_item). */
export type ItemState = 'active' | 'archived' | 'deleted';

export interface StoredItem {
  id: string;
  board_id: string;
  group_id: string;
  name: string;
  state: ItemState;
  created_at: string;
  updated_at: string;
  /** column id -> normalised value (absent = empty). The name lives in `name`. */
  values: Record<string, StoredValue>;
}

export interface ItemsRule {
  column_id: string;
  compare_value: unknown;
  operator: string;
}

/** SDL `input ItemsQueryGroup`: rules and nested groups combined with `operator`. */
export interface ItemsRuleGroup {
  rules?: ItemsRule[] | null;
  groups?: ItemsRuleGroup[] | null;
  operator?: 'and' | 'or' | null;
}

/** SDL `input ItemsQueryOrderBy`. */
export interface ItemsOrder {
  column_id: string;
  direction?: 'asc' | 'desc' | null;
}

/** Column types items_page cannot filter on (monday formula column docs: "invalid rule error"; mirror likewise). */
const UNFILTERABLE_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>(['formula', 'mirror']);

const FIRST_BOARD_ID = 1_800_000_001;
const FIRST_ITEM_ID = 9_100_000_001;
const MAX_ITEM_NAME = 255;

/**
 * Boards and items of the monday.com sandbox, with the indexes the API needs to stay fast at
 * bench scale: item ids per board in creation (= id) order for cursor paging, and an exact
 * text index per (board, column) for items_page_by_column_values (§4.5 key lookups).
 */
export class BoardData {
  readonly boards: SimCollection<StoredBoard>;
  readonly items: SimCollection<StoredItem>;
  private readonly itemIdsByBoard = new Map<string, string[]>();
  private readonly textIndex = new Map<string, Set<string>>();

  constructor(
    private readonly store: SimStore,
    private readonly nowIso: () => string,
  ) {
    this.boards = store.collection<StoredBoard>('boards');
    this.items = store.collection<StoredItem>('items');
    const all = this.items.all().sort((a, b) => Number(a.id) - Number(b.id));
    for (const item of all) this.addItem(item);
  }

  // ---- ids --------------------------------------------------------------------------------

  private nextId(key: string, first: number): string {
    const id = this.store.getMeta<number>(key) ?? first;
    this.store.setMeta(key, id + 1);
    return String(id);
  }

  // ---- indexes ------------------------------------------------------------------------------

  private static indexKey(boardId: string, columnId: string, text: string): string {
    return `${boardId}\u0000${columnId}\u0000${text}`;
  }

  private textKeys(item: StoredItem): string[] {
    const board = this.boards.get(item.board_id);
    if (!board) return [];
    return board.columns.map((c) => BoardData.indexKey(item.board_id, c.id, this.textOf(board, item, c) ?? ''));
  }

  /** Adds a new item (ids grow, so pushing keeps the board list sorted) and indexes its texts. */
  private addItem(item: StoredItem): void {
    let ids = this.itemIdsByBoard.get(item.board_id);
    if (!ids) this.itemIdsByBoard.set(item.board_id, (ids = []));
    ids.push(item.id);
    this.indexTexts(item);
  }

  private indexTexts(item: StoredItem): void {
    for (const key of this.textKeys(item)) {
      let set = this.textIndex.get(key);
      if (!set) this.textIndex.set(key, (set = new Set()));
      set.add(item.id);
    }
  }

  private unindexTexts(item: StoredItem): void {
    for (const key of this.textKeys(item)) this.textIndex.get(key)?.delete(item.id);
  }

  // ---- reads --------------------------------------------------------------------------------

  board(id: string): StoredBoard {
    const board = this.boards.get(id);
    if (!board) throw new MondayError('InvalidBoardIdException', `Board ${id} does not exist or you have no access to it`, { error_data: { board_id: id } });
    return board;
  }

  column(board: StoredBoard, columnId: string): StoredColumn {
    const column = board.columns.find((c) => c.id === columnId);
    if (!column)
      throw new MondayError('InvalidColumnIdException', `Column "${columnId}" does not exist on board ${board.id}`, {
        error_data: { column_id: columnId, board_id: board.id },
      });
    return column;
  }

  textOf(board: StoredBoard, item: StoredItem, column: StoredColumn): string {
    if (column.type === 'name') return item.name;
    return columnText(column, item.values[column.id]);
  }

  /** Active items of a board (Board.items_count; items_page leaves archived and deleted items out). */
  activeItemCount(boardId: string): number {
    return this.boardItemIds(boardId).filter((id) => this.items.get(id)?.state === 'active').length;
  }

  /** Item ids of a board, ascending (monday's order is unspecified; ours is stable). */
  boardItemIds(boardId: string): readonly string[] {
    return this.itemIdsByBoard.get(boardId) ?? [];
  }

  /** Ids of items whose text in every given column is one of its values (§4.5: OR within, AND across). */
  lookupByColumnValues(board: StoredBoard, columns: { column_id: string; column_values: (string | null)[] }[]): Set<string> {
    const perColumn = columns.map(({ column_id, column_values }) => {
      this.column(board, column_id);
      const matches = new Set<string>();
      for (const value of column_values) {
        for (const id of this.textIndex.get(BoardData.indexKey(board.id, column_id, value ?? '')) ?? []) matches.add(id);
      }
      return matches;
    });
    const [first, ...rest] = perColumn;
    if (!first) return new Set(this.boardItemIds(board.id));
    return new Set([...first].filter((id) => rest.every((m) => m.has(id))));
  }

  /** Checks every rule of a filter names a column that can be filtered, before any item is read. */
  checkRules(board: StoredBoard, group: ItemsRuleGroup): void {
    for (const rule of group.rules ?? []) {
      const column = this.column(board, rule.column_id);
      if (UNFILTERABLE_TYPES.has(column.type)) throw unsupportedColumnTypeError(column);
    }
    for (const nested of group.groups ?? []) this.checkRules(board, nested);
  }

  /**
   * items_page query_params (§4.5): `rules` and nested `groups` combined with `operator`,
   * evaluated on display text; `ids` narrows first.
   */
  matchesRules(board: StoredBoard, item: StoredItem, group: ItemsRuleGroup, ids: ReadonlySet<string> | null): boolean {
    if (ids && !ids.has(item.id)) return false;
    return this.matchesGroup(board, item, group);
  }

  private matchesGroup(board: StoredBoard, item: StoredItem, group: ItemsRuleGroup): boolean {
    const tests = [...(group.rules ?? []).map((rule) => () => this.matchesRule(board, item, rule)), ...(group.groups ?? []).map((g) => () => this.matchesGroup(board, item, g))];
    if (tests.length === 0) return true;
    return group.operator === 'or' ? tests.some((t) => t()) : tests.every((t) => t());
  }

  /** Sorts items by `order_by` (column text; numbers and dates in their own order), ties by id. */
  sortItems(board: StoredBoard, items: StoredItem[], orderBy: readonly ItemsOrder[]): StoredItem[] {
    const keys = orderBy.map((o) => ({ column: this.column(board, o.column_id), sign: o.direction === 'desc' ? -1 : 1 }));
    return [...items].sort((a, b) => {
      for (const { column, sign } of keys) {
        const left = this.textOf(board, a, column);
        const right = this.textOf(board, b, column);
        // Empty values sort last whatever the direction.
        if (left === '' || right === '') {
          if (left !== right) return left === '' ? 1 : -1;
          continue;
        }
        const c = compareTexts(column.type, left, right);
        if (c !== 0) return c * sign;
      }
      return Number(a.id) - Number(b.id);
    });
  }

  private matchesRule(board: StoredBoard, item: StoredItem, rule: ItemsRule): boolean {
    const column = this.column(board, rule.column_id);
    const text = this.textOf(board, item, column);
    const compare = (Array.isArray(rule.compare_value) ? rule.compare_value : [rule.compare_value]).map((v) => String(v));
    const statusIndex = column.type === 'status' ? (item.values[column.id] as { index?: number } | undefined)?.index : undefined;
    const equalsAny = (): boolean => compare.some((v) => v === text || (statusIndex !== undefined && v === String(statusIndex)));
    const ordered = (pred: (c: number) => boolean): boolean => {
      const first = compare[0];
      if (first === undefined || text === '') return false;
      return pred(compareTexts(column.type, text, first));
    };
    switch (rule.operator) {
      case 'any_of':
        return equalsAny();
      case 'not_any_of':
        return !equalsAny();
      case 'is_empty':
        return text === '';
      case 'is_not_empty':
        return text !== '';
      case 'contains_text':
      case 'contains_terms':
        return compare.some((v) => text.toLowerCase().includes(v.toLowerCase()));
      case 'not_contains_text':
        return !compare.some((v) => text.toLowerCase().includes(v.toLowerCase()));
      case 'starts_with':
        return compare.some((v) => text.startsWith(v));
      case 'ends_with':
        return compare.some((v) => text.endsWith(v));
      case 'greater_than':
        return ordered((c) => c > 0);
      case 'greater_than_or_equals':
        return ordered((c) => c >= 0);
      case 'lower_than':
        return ordered((c) => c < 0);
      case 'lower_than_or_equal':
        return ordered((c) => c <= 0);
      case 'between': {
        const [low, high] = compare;
        if (low === undefined || high === undefined || text === '') return false;
        return compareTexts(column.type, text, low) >= 0 && compareTexts(column.type, text, high) <= 0;
      }
      default:
        throw new MondayError('InvalidArgumentException', `The rule operator "${rule.operator}" is not supported by the sandbox`);
    }
  }

  // ---- writes -------------------------------------------------------------------------------

  createBoard(name: string, kind: StoredBoard['board_kind'], description: string | null, workspaceId: string | null, columns: StoredColumn[] = [], groups: StoredGroup[] = []): StoredBoard {
    return this.store.transaction(() => {
      const board: StoredBoard = {
        id: this.nextId('nextBoardId', FIRST_BOARD_ID),
        name,
        state: 'active',
        board_kind: kind,
        description,
        workspace_id: workspaceId,
        columns: [{ id: 'name', title: 'Name', type: 'name', settings_str: '{}', description: null }, ...columns],
        groups: groups.length ? groups : [{ id: 'topics', title: 'Group Title', color: '#579bfc', position: '65536' }],
        updated_at: this.nowIso(),
      };
      return this.boards.put(board.id, board);
    });
  }

  createColumn(
    boardId: string,
    title: string,
    type: ColumnType,
    description: string | null,
    defaults: unknown,
    requestedId: string | null,
    afterColumnId: string | null = null,
  ): StoredColumn {
    const board = this.board(boardId);
    if (!CREATABLE_COLUMN_TYPES.has(type)) throw unsupportedColumnTypeError({ id: requestedId ?? '', title, type, settings_str: '{}', description });
    let id = requestedId;
    if (id !== null) {
      if (!/^[a-z0-9_]{1,20}$/.test(id))
        throw new MondayError('InvalidArgumentException', `Column id "${id}" must be 1-20 lowercase letters, digits or underscores`);
      if (board.columns.some((c) => c.id === id)) throw new MondayError('InvalidArgumentException', `Column id "${id}" already exists on board ${boardId}`);
    }
    return this.store.transaction(() => {
      id ??= `${type}_mk${this.nextId('nextColumnSeq', 1)}`;
      const column: StoredColumn = { id, title, type, settings_str: defaultSettings(type, parseJsonArgument(defaults, 'defaults', true)), description };
      const at = afterColumnId === null ? board.columns.length : board.columns.indexOf(this.column(board, afterColumnId)) + 1;
      this.boards.put(board.id, { ...board, columns: [...board.columns.slice(0, at), column, ...board.columns.slice(at)], updated_at: this.nowIso() });
      return column;
    });
  }

  createGroup(boardId: string, title: string, color: string | null): StoredGroup {
    const board = this.board(boardId);
    return this.store.transaction(() => {
      const group: StoredGroup = {
        id: `group_mk${this.nextId('nextGroupSeq', 1)}`,
        title,
        color: color ?? '#579bfc',
        position: String(65536 * (board.groups.length + 1)),
      };
      this.boards.put(board.id, { ...board, groups: [...board.groups, group], updated_at: this.nowIso() });
      return group;
    });
  }

  /** Replaces a column's settings (the seed wires mirror and connect-boards columns to board ids this way). */
  setColumnSettings(boardId: string, columnId: string, settings: Record<string, unknown>): void {
    const board = this.board(boardId);
    this.column(board, columnId);
    this.boards.put(board.id, { ...board, columns: board.columns.map((c) => (c.id === columnId ? { ...c, settings_str: JSON.stringify(settings) } : c)) });
  }

  /** archive_item / delete_item: the item stays readable by id with its new state (SDL `enum State`). */
  setItemState(itemId: string | null, state: ItemState): StoredItem {
    const existing = itemId === null ? undefined : this.items.get(itemId);
    if (!existing || existing.state === 'deleted')
      throw new MondayError('InvalidArgumentException', `Item ${itemId ?? '(none)'} does not exist`, { error_data: { item_id: itemId } });
    const item = { ...existing, state, updated_at: this.nowIso() };
    this.items.put(item.id, item);
    return item;
  }

  createItem(boardId: string, name: string, groupId: string | null, columnValues: unknown, createLabels: boolean): StoredItem {
    const board = this.board(boardId);
    checkItemName(name);
    const group = groupId === null ? board.groups[0] : board.groups.find((g) => g.id === groupId);
    if (!group) throw new MondayError('InvalidArgumentException', `Group "${groupId ?? ''}" does not exist on board ${boardId}`);
    const parsed = parseJsonArgument(columnValues, 'column_values', true) ?? {};
    if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed === null)
      throw new MondayError('InvalidArgumentException', 'column_values must encode a JSON object of column id -> value');
    const now = this.nowIso();
    const draft: StoredItem = { id: '', board_id: board.id, group_id: group.id, name, state: 'active', created_at: now, updated_at: now, values: {} };
    const { item, columns } = this.applyValues(board, draft, parsed as Record<string, unknown>, createLabels);
    return this.store.transaction(() => {
      const saved = { ...item, id: this.nextId('nextItemId', FIRST_ITEM_ID) };
      if (columns) this.boards.put(board.id, { ...board, columns, updated_at: now });
      this.items.put(saved.id, saved);
      this.addItem(saved);
      return saved;
    });
  }

  /** change_multiple_column_values / change_column_value: all values validated before any is written. */
  changeValues(boardId: string, itemId: string | null, values: Record<string, unknown>, createLabels: boolean): StoredItem {
    const board = this.board(boardId);
    const existing = itemId === null ? undefined : this.items.get(itemId);
    if (!existing || existing.board_id !== board.id)
      throw new MondayError('InvalidArgumentException', `Item ${itemId ?? '(none)'} does not exist on board ${boardId}`, { error_data: { item_id: itemId } });
    const { item, columns } = this.applyValues(board, { ...existing, values: { ...existing.values }, updated_at: this.nowIso() }, values, createLabels);
    return this.store.transaction(() => {
      this.unindexTexts(existing);
      if (columns) this.boards.put(board.id, { ...board, columns, updated_at: item.updated_at });
      this.items.put(item.id, item);
      this.indexTexts(item);
      return item;
    });
  }

  private applyValues(board: StoredBoard, item: StoredItem, values: Record<string, unknown>, createLabels: boolean): { item: StoredItem; columns: StoredColumn[] | null } {
    let columns: StoredColumn[] | null = null;
    for (const [columnId, raw] of Object.entries(values)) {
      const column = (columns ?? board.columns).find((c) => c.id === columnId) ?? this.column(board, columnId);
      if (column.type === 'name') {
        if (typeof raw !== 'string') throw new MondayError('ColumnValueException', 'The name column takes a plain string', { error_data: { column_id: 'name' } });
        checkItemName(raw);
        item.name = raw;
        continue;
      }
      assertWritable(column);
      const result = normaliseColumnValue(column, raw, createLabels, item.updated_at);
      if (result.value === null) delete item.values[columnId];
      else item.values[columnId] = result.value;
      if (result.settingsStr !== undefined) {
        const settings = result.settingsStr;
        columns = (columns ?? board.columns).map((c) => (c.id === columnId ? { ...c, settings_str: settings } : c));
      }
    }
    return { item, columns };
  }

  // ---- inspection ---------------------------------------------------------------------------

  itemAsApi(item: StoredItem): Record<string, unknown> {
    const board = this.boards.get(item.board_id);
    return {
      id: item.id,
      name: item.name,
      state: item.state,
      board: { id: item.board_id },
      group: { id: item.group_id },
      created_at: item.created_at,
      updated_at: item.updated_at,
      column_values: (board?.columns ?? [])
        .filter((c) => c.type !== 'name')
        .map((c) => ({ id: c.id, type: c.type, text: columnText(c, item.values[c.id]), value: valueJson(item.values[c.id]) })),
    };
  }
}

export function valueJson(value: StoredValue | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function checkItemName(name: string): void {
  if (name.length === 0) throw new MondayError('InvalidArgumentException', 'item_name must not be empty');
  if (name.length > MAX_ITEM_NAME)
    throw new MondayError('ItemNameTooLongException', `Item name is ${name.length} characters; the limit is ${MAX_ITEM_NAME}`, { error_data: { length: name.length } });
}

/**
 * A `JSON` argument such as column_values arrives as a JSON-encoded string (§4.3). Anything
 * else is rejected so a client that sends an object gets a clear error, not a surprise.
 */
export function parseJsonArgument(value: unknown, argument: string, optional: boolean): unknown {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new MondayError('InvalidArgumentException', `${argument} is required`);
  }
  if (typeof value !== 'string')
    throw new MondayError('InvalidArgumentException', `${argument} must be a JSON-encoded string (pass JSON.stringify(...) as a variable)`);
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new MondayError('InvalidArgumentException', `${argument} is not valid JSON: ${(err as Error).message}`);
  }
}

function compareTexts(type: ColumnType, left: string, right: string): number {
  if (type === 'numbers') {
    try {
      return Decimal.parse(left).compare(Decimal.parse(right));
    } catch {
      return left.localeCompare(right);
    }
  }
  return left < right ? -1 : left > right ? 1 : 0;
}
