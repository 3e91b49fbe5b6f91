/**
 * Reads: boards for the mapping screen, items by key (the lookup before every create and
 * after a crash, §6), by id, or a board's every live item (reconciliation). Failures are thrown as MondayRequestError with a sentence, or
 * unchanged when the session cannot go on (NeedsReauthError, settings, hosts).
 */
import { GraphQLRequestError, paginateByCursor, paginateByPageNumber } from '../_kit';
import type { MondayClient } from './client';
import { MondayRequestError, toReadError } from './client';
import {
  findItemsByKeyDocument,
  getBoardDocument,
  listBoardsDocument,
  listItemsDocument,
  nextItemsPageDocument,
  readItemsDocument,
  testConnectionDocument,
} from './documents';
import { boardFromWire, itemFromWire, itemsByKey } from './mappers';
import type { FoundItem, MondayBoard, MondayBoardSummary } from './types';
import type { WireBoard, WireItem, WireItemsResponse, WireVersion } from './wire';

/** Boards per page (`boards(limit, page)`); a short page is the last. */
const BOARDS_PER_PAGE = 100;
/** §4.5 / simulator report: `items(ids)` takes at most 100 ids. */
const IDS_PER_READ = 100;

export async function listBoards(client: MondayClient): Promise<MondayBoardSummary[]> {
  const boards: MondayBoardSummary[] = [];
  try {
    const pages = paginateByPageNumber<WireBoard>(BOARDS_PER_PAGE, async (page, perPage) => {
      const data = await client.request<{ boards: Array<WireBoard | null> | null }>(
        listBoardsDocument(page, perPage),
      );
      return { items: (data.boards ?? []).flatMap((board) => (board ? [board] : [])) };
    });
    for await (const page of pages)
      for (const wire of page) {
        const { columns: _columns, ...summary } = boardFromWire(wire);
        boards.push(summary);
      }
  } catch (error) {
    throw toReadError(error, 'listing the boards');
  }
  return boards;
}

/** Board ids are numbers: anything else is refused before a call is spent on it. */
function checkBoardId(boardId: string): void {
  if (!/^\d+$/.test(boardId))
    throw new MondayRequestError(`"${boardId}" is not a monday board id (board ids are numbers).`, false, 'LocalValidation');
}

/** monday answers a board it cannot show with no board at all. */
function boardNotFound(boardId: string): MondayRequestError {
  return new MondayRequestError(
    `Board ${boardId} does not exist, is archived, or the monday user of this connection cannot see it; pick the board again.`,
    false,
    'InvalidBoardIdException',
  );
}

export async function getBoard(client: MondayClient, boardId: string): Promise<MondayBoard> {
  checkBoardId(boardId);
  let wire: WireBoard | null | undefined;
  try {
    const data = await client.request<{ boards: Array<WireBoard | null> | null }>(getBoardDocument(boardId));
    wire = data.boards?.find((board) => board !== null && String(board.id) === boardId);
  } catch (error) {
    throw toReadError(error, `reading board ${boardId}`, boardId);
  }
  if (!wire)
    throw boardNotFound(boardId);
  return boardFromWire(wire);
}

export interface ConnectionFacts {
  /** The API version monday served (it may serve another one than asked, §4.1). */
  version: WireVersion;
  boardCount: number;
  /** The account's web address (from a board url), when a board is visible. */
  accountHost: string | null;
}

export async function readConnectionFacts(client: MondayClient): Promise<ConnectionFacts> {
  let version: WireVersion | null = null;
  let boardCount = 0;
  let accountHost: string | null = null;
  const pages = paginateByPageNumber<{ id: string; url?: string }>(BOARDS_PER_PAGE, async (page, perPage) => {
    const data = await client.request<{
      version: WireVersion;
      boards: Array<{ id: string; url?: string } | null> | null;
    }>(testConnectionDocument(page, perPage));
    version ??= data.version;
    return { items: (data.boards ?? []).flatMap((board) => (board ? [board] : [])) };
  });
  for await (const page of pages) {
    boardCount += page.length;
    for (const board of page) accountHost ??= hostOf(board.url);
  }
  return { version: version ?? { value: 'unknown', kind: 'unknown' }, boardCount, accountHost };
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export interface ItemReadOptions {
  /** Columns to read (the key column is always read); default every column. */
  columnIds?: readonly string[];
}

/**
 * Live items by key (`items_page_by_column_values`, §4.5): `keysPerLookup` keys per request,
 * pages of `pageSize` followed by cursor. Archived and deleted items are not found (monday
 * skips them; use readItems by id for those). A cursor that expired mid-read (60 minutes,
 * §4.8) restarts that batch of keys once.
 */
export async function findItemsByKey(
  client: MondayClient,
  boardId: string,
  keyColumnId: string,
  keys: readonly string[],
  options: ItemReadOptions = {},
): Promise<Map<string, FoundItem>> {
  const wanted = [...new Set(keys.filter((key) => key !== ''))];
  const columnIds = options.columnIds ? [...new Set([keyColumnId, ...options.columnIds])] : null;
  const { keysPerLookup, pageSize } = client.settings;
  const found: FoundItem[] = [];
  try {
    for (let start = 0; start < wanted.length; start += keysPerLookup) {
      const chunk = wanted.slice(start, start + keysPerLookup);
      found.push(
        ...(await readItemPages(client, pageSize, columnIds, async () => {
          const data = await client.request<{ items_page_by_column_values: WireItemsResponse }>(
            findItemsByKeyDocument(boardId, keyColumnId, chunk, pageSize, columnIds),
          );
          return data.items_page_by_column_values;
        })),
      );
    }
  } catch (error) {
    throw toReadError(error, `looking up items by column "${keyColumnId}" on board ${boardId}`, boardId);
  }
  return itemsByKey(found, keyColumnId, new Set(wanted));
}

/**
 * Every live item of a board (`Board.items_page` without a filter, then `next_items_page`,
 * §4.5), in the order monday sends them: one call per page of `pageSize` (500), at least one.
 * Archived and deleted items are left out (monday skips them). A cursor that expired mid-read
 * (60 minutes, §4.8) restarts the read once.
 */
export async function listItems(
  client: MondayClient,
  boardId: string,
  options: ItemReadOptions = {},
): Promise<FoundItem[]> {
  checkBoardId(boardId);
  const columnIds = options.columnIds ? [...new Set(options.columnIds)] : null;
  const { pageSize } = client.settings;
  try {
    return await readItemPages(client, pageSize, columnIds, async () => {
      const data = await client.request<{ boards: Array<{ id: string; items_page: WireItemsResponse } | null> | null }>(
        listItemsDocument(boardId, pageSize, columnIds),
      );
      const board = data.boards?.find((b) => b !== null && String(b.id) === boardId);
      if (!board)
        throw boardNotFound(boardId);
      return board.items_page;
    });
  } catch (error) {
    throw toReadError(error, `listing the items of board ${boardId}`, boardId);
  }
}

/**
 * The one paging loop of every items_page read: the first page as `firstPage` asks for it, then
 * `next_items_page` by cursor until monday sends none. Items are keyed by id: an item sent twice
 * is read once; a cursor sent again is followed again. An expired cursor (answered in HTTP 200
 * without data, §4.8) starts the whole read again, once.
 */
async function readItemPages(
  client: MondayClient,
  pageSize: number,
  columnIds: readonly string[] | null,
  firstPage: () => Promise<WireItemsResponse>,
): Promise<FoundItem[]> {
  for (let attempt = 1; ; attempt += 1) {
    const items: FoundItem[] = [];
    try {
      const pages = paginateByCursor<WireItem>(async (cursor) => {
        const response =
          cursor === null
            ? await firstPage()
            : (
                await client.request<{ next_items_page: WireItemsResponse }>(
                  nextItemsPageDocument(cursor, pageSize, columnIds),
                )
              ).next_items_page;
        return { items: response.items, cursor: response.cursor };
      }, { keyOf: (item) => (typeof item.id === 'string' && item.id !== '' ? item.id : null) });
      for await (const page of pages) items.push(...page.map(itemFromWire));
      return items;
    } catch (error) {
      if (
        attempt === 1 &&
        error instanceof GraphQLRequestError &&
        /CursorExpired/i.test(`${error.code ?? ''} ${error.message}`)
      )
        continue;
      throw error;
    }
  }
}

/** Items by id in any state (active, archived, deleted): ⌈ids/100⌉ calls. Unknown ids are absent. */
export async function readItems(
  client: MondayClient,
  itemIds: readonly string[],
  options: ItemReadOptions = {},
): Promise<Map<string, FoundItem>> {
  const ids = [...new Set(itemIds)];
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad !== undefined)
    throw new MondayRequestError(
      `"${bad}" is not a monday item id (item ids are numbers).`,
      false,
      'LocalValidation',
    );
  const columnIds = options.columnIds ? [...new Set(options.columnIds)] : null;
  const found = new Map<string, FoundItem>();
  try {
    for (let start = 0; start < ids.length; start += IDS_PER_READ) {
      const data = await client.request<{ items: Array<WireItem | null> | null }>(
        readItemsDocument(ids.slice(start, start + IDS_PER_READ), columnIds),
      );
      for (const wire of data.items ?? []) if (wire) found.set(String(wire.id), itemFromWire(wire));
    }
  } catch (error) {
    throw toReadError(error, 'reading items by id');
  }
  return found;
}
