import type { TokenSet } from '../../../src-shared/domain/auth';
import type { TokenCustodian, TokenVault } from '../../auth/custody';
import type { Logger } from '../../connectors/_kit';
import type { ConnectableSystem, SystemConnectors } from '../../engine/flows/types';
import type { ConnectionBudget } from '../../engine/scheduler/budget-spacing';
import type { RunningSimulator, SystemName } from '../../sandbox';
import type { Store } from '../../store/db';
import type { Connection } from '../../store/repos/connections';
import type { LiveDeps } from '../live-connections';

/**
 * What the hub (./index.ts) needs from each system: how to open its connector on the user's own
 * account (live) and on its simulator (sandbox), and how to read its request budget. One file per
 * system in this folder, one line in OPENERS (./index.ts).
 */

export interface SandboxRunOptions {
  seed: number;
  scale: number;
  latencyMs?: number;
  faults?: string;
}

export interface OpenedConnection<S extends ConnectableSystem = ConnectableSystem> {
  system: S;
  connection: Connection;
  connector: SystemConnectors[S];
  custodian: TokenCustodian;
  /** The budget window polls are spaced by (Exact: the day, Procore: the hour). */
  budget(): ConnectionBudget;
  /** Epoch ms before which the connector makes no call (a spent or paused budget). */
  nextAllowedAt(): number;
  close(): Promise<void>;
}

export type OpenedParts<S extends ConnectableSystem> = Omit<OpenedConnection<S>, 'system' | 'budget' | 'nextAllowedAt'>;

export interface SandboxOpenDeps {
  store: Store;
  dataDir: string;
  log: Logger;
  connection: Connection;
  sim: RunningSimulator;
}

export interface SystemOpener<S extends ConnectableSystem> {
  system: S;
  /** Name in the request counters (`requestCounters.get(api)`) and in the CLI's `apiCalls`. */
  api: string;
  /** The simulator standing in for it in the sandbox. */
  simulator: SystemName;
  /** Switches the app's sandbox passes to that simulator (e.g. relaxed rate limits). */
  sandboxConfig?: Record<string, unknown>;
  label: string;
  /** The id of the user's own connection (one per system). */
  liveConnectionId: string;
  /** Opens the stored live connection; secrets come from the keychain (lazily, when a token is needed). */
  openLive(deps: LiveDeps): OpenedParts<S>;
  openSandbox(deps: SandboxOpenDeps): OpenedParts<S>;
  budget(connector: SystemConnectors[S], connectionId: string): ConnectionBudget;
  nextAllowedAt(connector: SystemConnectors[S]): number;
  /**
   * Connected with the generic form (`connections.connect`, fields in src-shared/domain/connect-forms.ts):
   * the hub stores the settings and the keychain the secrets, then proves them with `openLive` and
   * `testConnection`, and restores what was there before when the system refuses. Absent for
   * systems with a connect flow of their own (Exact's browser sign-in, Procore's).
   */
  genericConnect?: boolean;
  /** Settings a generic connect always writes besides the form's (monday: `auth: 'token'`, leaving an OAuth sign-in). */
  genericConnectSettings?: Readonly<Record<string, string>>;
}

/** Tokens kept in memory only: sandbox connections sign in again in each process (headless). */
export function memoryVault(): TokenVault {
  let tokens: TokenSet | null = null;
  return {
    load: async () => tokens,
    save: async (t) => {
      tokens = t;
    },
    clear: async () => {
      tokens = null;
    },
  };
}
