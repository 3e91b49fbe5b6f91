/**
 * monday.com connector (platform API, GraphQL v2): boards and their columns for the mapping
 * screen, items looked up by a key column (before every create, and to resolve unconfirmed
 * writes after a crash), and batched creates, column updates and archives with one result per
 * item. System-level: no flow is named here. Quirks and sources: README.md; documents:
 * documents.ts; transport, auth and budgets: client.ts.
 */
import type { ConnectionTestResult, Connector, WriteCallOptions } from '../connector';
import type { MondayClientContext } from './client';
import { MondayClient, explainFailure } from './client';
import { checkColumnMapping } from './mappers';
import type { ConnectionFacts, ItemReadOptions } from './reads';
import { findItemsByKey, getBoard, listBoards, listItems, readConnectionFacts, readItems } from './reads';
import type {
  FoundItem,
  ItemCreate,
  ItemTarget,
  ItemUpdate,
  MappedField,
  MappingCheck,
  MondayBoard,
  MondayBoardSummary,
  MondaySettings,
  WriteResult,
} from './types';
import { archiveItems, createItems, updateItems } from './writes';

export type { MondayClientContext } from './client';
export {
  APP_BUDGET_PER_MINUTE,
  MAX_COMPLEXITY_PER_QUERY,
  MUTATION_COST,
  MondayConfigError,
  MondayRequestError,
  PERSONAL_BUDGET_PER_MINUTE,
  REVOKED_TOKEN_MESSAGE,
  personalTokenProvider,
} from './client';
export type { ItemReadOptions } from './reads';
export type { MondayColumnType } from './mappers';
export {
  MONDAY_COLUMN_TYPES,
  amountOfCell,
  cellHolds,
  changedCells,
  checkColumnMapping,
  columnTypeName,
  encodeCell,
  encodeColumnValues,
  labelsOf,
  CellEncodingError,
} from './mappers';
export { DEFAULT_API_VERSION, MONDAY_API_URL } from './types';
export { createMondayOAuthClient, jwtExpiresAt, MONDAY_AUTH_URL, MONDAY_OAUTH_SCOPES, type MondayOAuthClient } from './oauth';
export type {
  CellValue,
  CellWrite,
  FoundCell,
  FoundItem,
  ItemCreate,
  ItemTarget,
  ItemUpdate,
  MappedField,
  MappingCheck,
  MondayBoard,
  MondayBoardSummary,
  MondayColumn,
  MondayGroup,
  MondaySettings,
  WriteFailure,
  WriteResult,
} from './types';

export interface MondayConnector extends Connector {
  readonly system: 'monday';
  /** The pinned `API-Version` sent on every call. */
  readonly apiVersion: string;
  /** Active boards the token's user can see, with their groups. ⌈boards/100⌉ calls. */
  listBoards(): Promise<MondayBoardSummary[]>;
  /** One board with its columns (`settings` parsed) and groups. 1 call. */
  getBoard(boardId: string): Promise<MondayBoard>;
  /** `checkColumnMapping` with this connection's create-labels setting. No call. */
  checkColumnMapping(board: MondayBoard, mapping: readonly MappedField[]): MappingCheck[];
  /**
   * Live items whose key column holds one of `keys` (exact text), by key. ⌈keys/keysPerLookup⌉
   * calls (plus one per further page of 500 matches).
   */
  findItemsByKey(
    boardId: string,
    keyColumnId: string,
    keys: readonly string[],
    options?: ItemReadOptions,
  ): Promise<Map<string, FoundItem>>;
  /**
   * Every live item of a board, with the given columns (default every column), in monday's order.
   * One call per page of 500 (the connection's page size), at least one: max(1, ⌈items/500⌉).
   */
  listItems(boardId: string, options?: ItemReadOptions): Promise<FoundItem[]>;
  /** Items by id in any state (archived and deleted too), by id. ⌈ids/100⌉ calls. */
  readItems(itemIds: readonly string[], options?: ItemReadOptions): Promise<Map<string, FoundItem>>;
  /** One result per item, in input order; the key is written to `target.keyColumnId`. */
  createItems(
    target: ItemTarget,
    items: readonly ItemCreate[],
    call?: WriteCallOptions,
  ): Promise<WriteResult[]>;
  /** Column (and name) changes; an update with nothing in it is ok without a call. */
  updateItems(
    boardId: string,
    updates: readonly ItemUpdate[],
    call?: WriteCallOptions,
  ): Promise<WriteResult[]>;
  /** Archives (never deletes) the items; they stay readable by id. */
  archiveItems(itemIds: readonly string[], call?: WriteCallOptions): Promise<WriteResult[]>;
  /** The write complexity budget as last seen (null before the first call), for status screens. */
  complexityBudget(): { key: string; limit: number; remaining: number; resetAt: number } | null;
}

export function createMondayConnector(ctx: MondayClientContext, settings: MondaySettings): MondayConnector {
  const client = new MondayClient(ctx, settings);

  return {
    system: 'monday',
    apiVersion: client.settings.apiVersion,

    async testConnection(): Promise<ConnectionTestResult> {
      let facts: ConnectionFacts;
      try {
        facts = await readConnectionFacts(client);
      } catch (error) {
        return { ok: false, problem: explainFailure(error, 'checking the connection') };
      }
      return { ok: true, detail: connectionDetail(facts, client.settings.apiVersion) };
    },

    listBoards: () => listBoards(client),
    getBoard: (boardId) => getBoard(client, boardId),
    checkColumnMapping: (board, mapping) =>
      checkColumnMapping(board, mapping, { createLabelsIfMissing: client.settings.createLabelsIfMissing }),
    findItemsByKey: (boardId, keyColumnId, keys, options) =>
      findItemsByKey(client, boardId, keyColumnId, keys, options),
    listItems: (boardId, options) => listItems(client, boardId, options),
    readItems: (itemIds, options) => readItems(client, itemIds, options),
    createItems: (target, items, call) => createItems(client, target, items, call),
    updateItems: (boardId, updates, call) => updateItems(client, boardId, updates, call),
    archiveItems: (itemIds, call) => archiveItems(client, itemIds, call),
    complexityBudget: () => client.complexitySnapshot(),
    close: () => client.close(),
  };
}

/** "Connected to monday.com account acme.monday.com (API 2026-10, current); 3 boards visible." */
function connectionDetail(facts: ConnectionFacts, pinned: string): string {
  const account = facts.accountHost === null ? 'monday.com' : `monday.com account ${facts.accountHost}`;
  const served = `API ${facts.version.value}, ${facts.version.kind.replace(/_/g, ' ')}`;
  // §4.1: an unknown version is served as current, a deprecated one as maintenance.
  const mismatch =
    facts.version.value !== pinned
      ? ` monday served ${facts.version.value} instead of the pinned ${pinned}; choose a version monday still serves.`
      : '';
  const deprecated =
    facts.version.kind === 'deprecated' ? ' This API version is deprecated; move to a current one soon.' : '';
  const boards =
    facts.boardCount === 0
      ? 'the token sees no boards yet; share the boards to sync with the monday user of this token'
      : `${facts.boardCount} board${facts.boardCount === 1 ? '' : 's'} visible`;
  return `Connected to ${account} (${served}); ${boards}.${mismatch}${deprecated}`;
}
