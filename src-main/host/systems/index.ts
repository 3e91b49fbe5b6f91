import type { SystemId } from '../../../src-shared/domain/systems';
import { requestCounters, type Logger } from '../../connectors/_kit';
import type { CredentialStore } from '../../credentials';
import type { AnyFlowPlugin, ConnectableSystem } from '../../engine/flows/types';
import { SharedSourceReads } from '../../engine/sync/shared-reads';
import { startSandbox, startSimulator, type RunningSimulator, type Sandbox, type SystemName } from '../../sandbox';
import { generateWorld } from '../../sandbox/seed/world';
import type { Store } from '../../store/db';
import type { Connection } from '../../store/repos/connections';
import type { CustodiedConnection } from '../token-keep-alive';
import { acumaticaOpener } from './acumatica';
import { coupaOpener } from './coupa';
import { exactOnlineOpener } from './exact-online';
import { mondayOpener } from './monday';
import { procoreOpener } from './procore';
import { sageIntacctOpener } from './sage-intacct';
import type { OpenedConnection, SandboxRunOptions, SystemOpener } from './types';

/**
 * Connections belong to systems, not flows (decision 0017): one Exact Online connection (one
 * sign-in, one token custodian, one daily budget per division) serves every flow that reads
 * Exact, one Procore connection every flow that touches Procore. The hub opens each system's
 * connector once per process, on a flow's first use, and hands the same connector to every flow.
 *
 * A flow runs on live connections when all its systems have one (the user's own accounts win),
 * otherwise on sandbox connections (the embedded simulators, on this data folder) when it was
 * asked for (`--sandbox`) or they exist from an earlier sandbox run.
 */

export type { OpenedConnection, SandboxRunOptions, SystemOpener } from './types';

export class FlowNotConfiguredError extends Error {
  override readonly name = 'FlowNotConfiguredError';
}

/** Every system the app can connect: one line per system (its opener in ./<system>.ts). */
const OPENERS: { [S in ConnectableSystem]: SystemOpener<S> } = {
  'exact-online': exactOnlineOpener,
  procore: procoreOpener,
  acumatica: acumaticaOpener,
  'sage-intacct': sageIntacctOpener,
  coupa: coupaOpener,
  monday: mondayOpener,
};

/** Simulator switches the app's sandbox uses, per simulator (headless Exact sign-in, relaxed Procore limits…). */
export const APP_SANDBOX_CONFIG: Partial<Record<SystemName, Record<string, unknown>>> = Object.fromEntries(
  Object.values(OPENERS).flatMap((o) => (o.sandboxConfig ? [[o.simulator, o.sandboxConfig]] : [])),
);

/** The opener of a system the app can connect, or undefined. */
export function openerOf(system: string): SystemOpener<ConnectableSystem> | undefined {
  return (OPENERS as Partial<Record<string, SystemOpener<ConnectableSystem>>>)[system];
}

/** The systems the app has connectors for. */
export const CONNECTABLE_SYSTEMS = Object.keys(OPENERS) as ConnectableSystem[];

/**
 * Starts the simulators the given flows need, on this data folder, with the app's sandbox
 * switches (`sync --sandbox` starts its own on demand; tests and `serve` start them up front).
 */
export function startSandboxFor(flows: readonly AnyFlowPlugin[], dataDir: string, opts: SandboxRunOptions): Promise<Sandbox> {
  const systems = [...new Set(flows.flatMap((f) => f.systems.map((s) => OPENERS[s].simulator)))];
  return startSandbox({
    dataDir,
    systems,
    seed: opts.seed,
    scale: opts.scale,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    config: APP_SANDBOX_CONFIG,
  });
}

export function systemLabel(system: SystemId): string {
  return (OPENERS as Partial<Record<SystemId, { label: string }>>)[system]?.label ?? system;
}

/** A connection's connector with the budget views of its system (the scheduler reads them). */
export function openedConnection<S extends ConnectableSystem>(system: S, parts: Omit<OpenedConnection<S>, 'system' | 'budget' | 'nextAllowedAt'>): OpenedConnection<S> {
  const opener = OPENERS[system] as unknown as SystemOpener<S>;
  return {
    system,
    ...parts,
    budget: () => opener.budget(parts.connector, parts.connection.id),
    nextAllowedAt: () => opener.nextAllowedAt(parts.connector),
  };
}

export interface ConnectionsHubOptions {
  store: Store;
  dataDir: string;
  log: Logger;
  /** The OS keychain, for live connections (their secrets and tokens live there only). */
  credentials?: CredentialStore;
  /** Sandbox connections with these values (created if missing); flows run on the simulators. */
  sandbox?: SandboxRunOptions;
  /** Simulators already running in this process (e.g. `serve --sandbox`); reused, not restarted. */
  runningSandbox?: Sandbox;
}

type Plan = { mode: 'live' | 'sandbox'; connections: Connection[] };

export class ConnectionsHub {
  readonly sharedReads = new SharedSourceReads();
  readonly #opts: ConnectionsHubOptions;
  readonly #opened = new Map<string, Promise<OpenedConnection>>();
  /** The connections whose opening has finished, by connection id. */
  readonly #ready = new Map<string, OpenedConnection>();
  readonly #ownSimulators = new Map<SystemName, Promise<RunningSimulator>>();
  readonly #countsAtStart = new Map<string, number>();

  constructor(opts: ConnectionsHubOptions) {
    this.#opts = opts;
    for (const opener of Object.values(OPENERS)) this.#countsAtStart.set(opener.api, requestCounters.get(opener.api).total);
  }

  get store(): Store {
    return this.#opts.store;
  }

  /**
   * Which connections a flow would run on: all live (the user's accounts), or all sandbox; or why
   * it cannot run yet, in words that say what to connect.
   */
  plan(flow: AnyFlowPlugin): Plan {
    const { store } = this.#opts;
    const unsupported = flow.systems.filter((s) => !(s in OPENERS));
    if (unsupported.length) throw new FlowNotConfiguredError(`${flow.title} needs a connector for ${unsupported.join(', ')}, which this version does not have yet.`);
    if (this.#opts.sandbox) return { mode: 'sandbox', connections: flow.systems.map((s) => this.#ensureSandboxConnection(s)) };
    const live = flow.systems.map((s) => store.connections.get(OPENERS[s].liveConnectionId));
    if (live.every(Boolean)) return { mode: 'live', connections: live as Connection[] };
    const sandbox = flow.systems.map((s) => store.connections.list().find((c) => c.system === s && c.mode === 'sandbox'));
    if (sandbox.every(Boolean) && !live.some(Boolean)) return { mode: 'sandbox', connections: sandbox as Connection[] };
    const labels = (systems: readonly ConnectableSystem[]) => systems.map((s) => OPENERS[s].label).join(' and ');
    const connected = flow.systems.filter((_, i) => live[i]);
    const missing = flow.systems.filter((_, i) => !live[i]);
    const how = missing.map((s) => `\`npx ml-connector connect ${s} …\``).join(' and ');
    throw new FlowNotConfiguredError(
      connected.length
        ? `${labels(connected)} ${connected.length === 1 ? 'is' : 'are'} connected; ${flow.title} also needs ${labels(missing)}: connect it under Connections (or ${how}).`
        : `${flow.title} needs ${labels(flow.systems)} connections: ${how}, or try it on the sandbox with \`npx ml-connector sync ${flow.id} --sandbox\`.`,
    );
  }

  /** Opens (once per process) each connection the flow runs on; the connectors are shared with every other flow. */
  async openFor(flow: AnyFlowPlugin): Promise<OpenedConnection[]> {
    const plan = this.plan(flow);
    if (plan.mode === 'sandbox') this.#seedSandboxMappings(flow, plan.connections[0]!);
    return Promise.all(plan.connections.map((connection) => this.#open(connection)));
  }

  /** Every connection opened so far (the keep-alive and the sign-in warnings read their custodians). */
  opened(): OpenedConnection[] {
    return [...this.#ready.values()];
  }

  custodied(): CustodiedConnection[] {
    return this.opened().map((o) => ({ id: o.connection.id, label: o.connection.label, custodian: o.custodian }));
  }

  /** API calls this process made per API since the hub opened (as the bench and the CLI summary report them). */
  apiCalls(): Record<string, number> {
    return Object.fromEntries([...this.#countsAtStart].map(([api, start]) => [api, requestCounters.get(api).total - start]));
  }

  /** The request-counter name of a system's API. */
  static apiOf(system: ConnectableSystem): string {
    return OPENERS[system].api;
  }

  /**
   * Closes every connection, then the simulators this hub started. A connection that cannot close
   * cleanly (Acumatica's sign-out while its server is unreachable) is logged and passed over: one
   * unreachable system must not keep the others' sockets, or the simulators, open.
   */
  async close(): Promise<void> {
    await Promise.allSettled(this.#opened.values());
    const opened = this.opened();
    const closed = await Promise.allSettled(opened.map((o) => o.close()));
    closed.forEach((result, i) => {
      if (result.status === 'rejected')
        this.#opts.log.warn(`Could not close the ${opened[i]!.connection.label} connection cleanly; it is closed anyway`, {
          connection: opened[i]!.connection.id,
          error: result.reason instanceof Error ? result.reason.message : String(result.reason),
        });
    });
    this.#opened.clear();
    this.#ready.clear();
    const simulators = await Promise.allSettled(this.#ownSimulators.values());
    await Promise.all(simulators.flatMap((s) => (s.status === 'fulfilled' ? [s.value.close()] : [])));
    this.#ownSimulators.clear();
  }

  #open(connection: Connection): Promise<OpenedConnection> {
    let opening = this.#opened.get(connection.id);
    if (!opening) {
      opening = this.#openNow(connection);
      this.#opened.set(connection.id, opening);
      opening.then(
        (opened) => this.#ready.set(connection.id, opened),
        () => this.#opened.delete(connection.id),
      );
    }
    return opening;
  }

  async #openNow(connection: Connection): Promise<OpenedConnection> {
    const system = connection.system as ConnectableSystem;
    const opener = OPENERS[system] as unknown as SystemOpener<ConnectableSystem>;
    const { store, dataDir, log } = this.#opts;
    let parts: Omit<OpenedConnection<ConnectableSystem>, 'system' | 'budget' | 'nextAllowedAt'>;
    if (connection.mode === 'live') {
      if (!this.#opts.credentials) throw new FlowNotConfiguredError('The live connections need the OS keychain, which this process was not given.');
      parts = opener.openLive({ store, credentials: this.#opts.credentials, log, dataDir });
    } else {
      const sim = await this.#simulator(opener.simulator, connection);
      parts = opener.openSandbox({ store, dataDir, log, connection, sim });
    }
    return openedConnection(system, parts);
  }

  async #simulator(system: SystemName, connection: Connection): Promise<RunningSimulator> {
    const running = this.#opts.runningSandbox?.systems[system];
    if (running) return running;
    let starting = this.#ownSimulators.get(system);
    if (!starting) {
      const s = connection.settings as { seed?: number; scale?: number };
      const options = this.#opts.sandbox ?? { seed: s.seed ?? 1, scale: s.scale ?? 1 };
      starting = startSimulator(system, {
        dataDir: this.#opts.dataDir,
        seed: options.seed,
        scale: options.scale,
        ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
        ...(options.faults ? { faults: options.faults } : {}),
        ...(APP_SANDBOX_CONFIG[system] ? { config: APP_SANDBOX_CONFIG[system] } : {}),
      });
      this.#ownSimulators.set(system, starting);
    }
    return starting;
  }

  /** The data folder's sandbox connection of a system, created with the requested seed and scale. */
  #ensureSandboxConnection(system: ConnectableSystem): Connection {
    const { store } = this.#opts;
    const wanted = this.#opts.sandbox!;
    const existing = store.connections.list().find((c) => c.system === system && c.mode === 'sandbox');
    if (existing) {
      const s = existing.settings as { seed?: number; scale?: number };
      if (s.seed !== wanted.seed || s.scale !== wanted.scale)
        throw new FlowNotConfiguredError(
          `This data folder holds a sandbox with seed ${s.seed} / scale ${s.scale}, not ${wanted.seed} / ${wanted.scale}. Use the same values or another --data-dir.`,
        );
      return existing;
    }
    return store.connections.create({ id: `sandbox-${system}`, system, label: `${OPENERS[system].label} (sandbox)`, mode: 'sandbox', settings: { seed: wanted.seed, scale: wanted.scale } });
  }

  /** First use of a flow on the sandbox: the mapping tables a finance team would have set up. */
  #seedSandboxMappings(flow: AnyFlowPlugin, connection: Connection): void {
    const s = connection.settings as { seed?: number; scale?: number };
    flow.seedSandboxMappings(this.#opts.store, () => generateWorld(s.seed ?? 1, s.scale ?? 1));
  }
}
