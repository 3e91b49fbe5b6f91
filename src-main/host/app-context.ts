import { readFileSync } from 'node:fs';
import { createLogger, type Logger } from '../connectors/_kit/log';
import type { CredentialStore } from '../credentials';
import { openStore } from '../store/db';
import type { AppContext, EngineApi } from './context';
import { createEventBus } from './event-bus';
import type { ExportDelivery } from './exports';

export interface AppContextOptions {
  dataDir: string;
  credentials: CredentialStore;
  /** Electron passes app.getVersion(); Node hosts read package.json. */
  appVersion?: string;
  log?: Logger;
  now?: () => Date;
  /** The sync engine, when it can be built before the context (otherwise assign ctx.engine later). */
  engine?: EngineApi;
  /** Where exports land (Electron: a save dialog); default a file under `<dataDir>/exports`. */
  exports?: ExportDelivery;
  /** 'read': the database is opened for reading only and never created (read-only commands; see openStore). */
  access?: 'read' | 'write';
}

/**
 * The one place that assembles an AppContext (Electron main, CLI, browser host, tests), so the
 * wiring is the same everywhere. `close` releases the database.
 */
export function createAppContext(options: AppContextOptions): AppContext & { close(): void } {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? createLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
  const store = openStore(options.dataDir, { now, ...(options.access ? { access: options.access } : {}) });
  return {
    store,
    credentials: options.credentials,
    events: createEventBus((error) => log.warn('an event listener failed', { error })),
    dataDir: options.dataDir,
    appVersion: options.appVersion ?? packageVersion(),
    log,
    now,
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.exports ? { exports: options.exports } : {}),
    close: () => store.close(),
  };
}

/** Version from the project's package.json (the CLI and browser host run from the checkout). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
