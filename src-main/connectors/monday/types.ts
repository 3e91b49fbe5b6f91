/**
 * Public types of the monday.com connector (re-exported by index.ts). Ids are strings (monday
 * ids are `ID`, item ids exceed 2^32); amounts are decimal strings or `Decimal`, never floats;
 * dates are ISO `YYYY-MM-DD`. Nothing here names a flow: the F4 flow maps its fields onto these.
 */
import type { Decimal } from '../../../src-shared/domain/money';
import type { KitClock, RetryPolicy } from '../_kit';
import type { MondayColumnType } from './mappers';

/** Fact sheet §4.1: versions are pinned; 2026-10 is "current" since 2026-10-26. */
export const DEFAULT_API_VERSION = '2026-10';
export const MONDAY_API_URL = 'https://api.monday.com/v2';

export interface MondaySettings {
  /** `https://api.monday.com/v2`, or the sandbox's `http://127.0.0.1:PORT/v2`. */
  apiUrl: string;
  /** The `API-Version` header (YYYY-MM, or `dev`); default 2026-10. */
  apiVersion?: string;
  /**
   * Personal API tokens of one account share one per-minute complexity budget (10M by default);
   * an app token has separate read and write budgets (5M each). Default `personal`.
   */
  tokenKind?: 'personal' | 'app';
  /**
   * The monday account this token belongs to (id or slug): the budgets are the account's, shared
   * by every connector of the process that names the same account. Without it the budget is
   * keyed by a fingerprint of the token (two tokens of one account then count apart, and the
   * server's `complexity` answers correct both).
   */
  account?: string;
  /** Per-minute complexity budget: default 10,000,000 (personal) or 5,000,000 per direction (app). */
  complexityBudgetPerMinute?: number;
  /** Fact sheet §4.6: one query may cost at most 5,000,000 points. */
  complexityMaxPerQuery?: number;
  /** Points a root mutation costs besides what it selects; monday: 30,000 (a create costs 30,001). */
  mutationCost?: number;
  /** Extra cap on aliased mutations per request (the complexity ceiling applies anyway). */
  maxMutationsPerRequest?: number;
  /** §4.6 minute request limit: 5,000 Enterprise, 2,500 Pro, 1,000 other plans (the default). */
  requestsPerMinute?: number;
  /** Keys per `items_page_by_column_values` request (values OR'ed within the key column); default 100. */
  keysPerLookup?: number;
  /** Items per page when reading (max 500); default 500. */
  pageSize?: number;
  /** §4.3: create missing status/dropdown labels on write (needs board-structure permission). Default false. */
  createLabelsIfMissing?: boolean;
  /** Budget pacing and retry waits; tests inject a clock that moves simulator time. */
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

export interface MondayGroup {
  id: string;
  title: string;
}

export interface MondayBoardSummary {
  id: string;
  name: string;
  /** null = the account's main workspace. */
  workspaceId: string | null;
  kind: 'public' | 'private' | 'share';
  url: string;
  groups: MondayGroup[];
}

export interface MondayColumn {
  id: string;
  title: string;
  type: MondayColumnType;
  /** `Column.settings` parsed (never the deprecated settings_str); {} when monday sends none. */
  settings: Record<string, unknown>;
}

export interface MondayBoard extends MondayBoardSummary {
  columns: MondayColumn[];
}

/**
 * A value for one column, said by what it is; the connector encodes it for the column's type
 * (§4.4): a `text` into a status column is a label, into a dropdown a one-label list.
 */
export type CellValue =
  | { kind: 'text'; text: string }
  /** An amount or other number: a decimal string ("1234.50") or Decimal; sent as its exact digits. */
  | { kind: 'number'; amount: string | Decimal }
  /** YYYY-MM-DD. */
  | { kind: 'date'; date: string }
  | { kind: 'link'; url: string; text?: string }
  /** Clears the column. */
  | { kind: 'empty' };

/** One column to write: its id and type (from getBoard, as the mapping recorded them) and the value. */
export interface CellWrite {
  columnId: string;
  columnType: MondayColumnType;
  value: CellValue;
}

/** Where new items go and which text column holds their key (the source document's id). */
export interface ItemTarget {
  boardId: string;
  /** null = the board's top group. */
  groupId: string | null;
  keyColumnId: string;
}

export interface ItemCreate {
  /** The idempotency key (e.g. the Exact document id), written to the target's key column. */
  key: string;
  /** The item name (1–255 characters), e.g. the document number. */
  name: string;
  cells: readonly CellWrite[];
}

export interface ItemUpdate {
  itemId: string;
  /** A new item name, when it changed. */
  name?: string;
  cells: readonly CellWrite[];
}

export type WriteResult =
  | {
      /** The item's key (creates) or item id (updates, archives): what the input named it by. */
      ref: string;
      ok: true;
      itemId: string;
    }
  | {
      ref: string;
      ok: false;
      /**
       * true: not written for a passing reason, or the answer was lost (a create may exist:
       * look it up by key with findItemsByKey before retrying); false: monday or this connector
       * refused the item, and the same write will be refused again until something is fixed.
       */
      retryable: boolean;
      /** One sentence for the finance user. */
      message: string;
      /** monday's error code (`extensions.code`), or a local code such as `LocalValidation`. */
      code: string | null;
    };

export type WriteFailure = Extract<WriteResult, { ok: false }>;

/** One column of an item as read: display text ("" when empty, never null) and the parsed value. */
export interface FoundCell {
  type: MondayColumnType;
  /** monday's display text; for formula and mirror columns their `display_value`. */
  text: string;
  /** The column's `value` JSON, parsed (null when empty or computed). */
  value: unknown;
}

export interface FoundItem {
  itemId: string;
  name: string;
  state: 'active' | 'archived' | 'deleted' | 'all' | null;
  groupId: string | null;
  boardId: string | null;
  columnValues: Map<string, FoundCell>;
  /** Other live items carrying the same key (should be none; the flow may flag them). */
  duplicateItemIds: string[];
}

/** A field the flow maps onto a board column, and what kind of value it carries. */
export interface MappedField {
  /** The flow's name for it, e.g. "amount"; echoed in the result. */
  field: string;
  /** What the user sees, e.g. "Amount" or "GL account code". */
  label: string;
  /**
   * key: the idempotency key (text only: looked up by exact value); amount: numbers; date: date;
   * code: text, long text, status or dropdown; text: text or long text; url: link.
   */
  valueKind: 'key' | 'amount' | 'date' | 'code' | 'text' | 'url';
  columnId: string;
  /** The column type when the mapping was made; a different type now is reported as a change. */
  mappedType?: MondayColumnType;
  /** Status/dropdown labels the flow will write (e.g. "Canceled"); missing ones are reported. */
  labels?: readonly string[];
}

export interface MappingCheck {
  field: string;
  columnId: string;
  ok: boolean;
  /** One sentence naming the board and the column, when not ok. */
  problem: string | null;
}
