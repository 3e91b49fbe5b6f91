import type { SystemId } from '../../src-shared/domain/systems';
import type { Logger } from './_kit';

/**
 * What every connector shares, and what the engine and hosts may rely on. A connector's
 * folder exports a factory from its index.ts; the factory takes a ConnectorContext (URLs,
 * allowed hosts, logger, token access) and returns an object implementing `Connector` plus
 * the system-specific reads and writes its flows use.
 *
 * Connectors never see the store, the keychain or the engine: tokens reach them through
 * `AccessTokenProvider` (backed by src-main/auth token custody), state through arguments.
 */
export interface AccessTokenProvider {
  /** A valid access token (refreshed by custody when needed). */
  getAccessToken(): Promise<string>;
  /** The API rejected this token with 401: get a renewed one (or throw NeedsReauthError). */
  handleUnauthorized(rejectedAccessToken: string): Promise<string>;
}

export interface ConnectorContext {
  /** Root URL of the API, e.g. https://start.exactonline.nl or the sandbox's http://127.0.0.1:PORT. */
  baseUrl: string;
  /** Hosts this connection may talk to; anything else is refused before any network I/O. */
  allowedHosts: readonly string[];
  logger: Logger;
  /** Epoch ms; injected so tests can move time. */
  now?: () => number;
}

export type ConnectionTestResult =
  | { ok: true; detail: string }
  | { ok: false; problem: string };

export interface Connector {
  readonly system: SystemId;
  /** One cheap authenticated call; `problem` says exactly what is wrong, in plain words. */
  testConnection(): Promise<ConnectionTestResult>;
  close(): Promise<void>;
}

/**
 * Options of a write that may take many calls. Once `signal` aborts, the connector starts no
 * further call; items not written come back as retryable (to be looked up before any retry).
 */
export interface WriteCallOptions {
  signal?: AbortSignal;
}

/** One page of a source stream: records, deletions, and the cursor to store once it is done. */
export interface SourcePage<R, D = never> {
  records: R[];
  deletions: D[];
  /**
   * Source rows the connector could not turn into records (a required field missing, a code
   * that resolves to nothing). The engine parks each with its raw row and the reason, and the
   * rest of the page goes on: bad input stops neither the run nor loses the row.
   */
  unreadable?: UnreadableSourceRow[];
  /** Cursor value to persist after every record of this page is written or parked. */
  cursorAfter: string;
}

export interface UnreadableSourceRow {
  /** The source's key of the row, so a corrected version later replaces the parked one. */
  sourceId: string;
  /** E.g. "Purchase entry 20240117", for the Pending validation list. */
  label: string;
  /** What is wrong, in words a finance user can act on in the source system. */
  problem: string;
  /** The row as the API sent it (for the audit log; never holds secrets). */
  raw: unknown;
}
