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

/** One page of a source stream: records, deletions, and the cursor to store once it is done. */
export interface SourcePage<R, D = never> {
  records: R[];
  deletions: D[];
  /** Cursor value to persist after every record of this page is written or parked. */
  cursorAfter: string;
}
