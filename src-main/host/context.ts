import type { Logger } from '../connectors/_kit/log';
import type { CredentialStore } from '../credentials';
import type { Store } from '../store/db';
import type { EventBus } from './event-bus';

/**
 * Everything a handler may use. Built by createAppContext (app-context.ts) for Electron main,
 * the CLI, the browser host and tests, and passed to `dispatch`.
 */
export interface AppContext {
  store: Store;
  credentials: CredentialStore;
  events: EventBus;
  dataDir: string;
  appVersion: string;
  log: Logger;
  /** Injected so tests control timestamps. */
  now: () => Date;
}
