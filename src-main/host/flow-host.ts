import { FLOWS } from '../engine/flows/registry';
import type { AnyFlowPlugin, ConnectableSystem, FlowRuntime, SystemConnectors } from '../engine/flows/types';
import { ConnectionsHub, FlowNotConfiguredError, type ConnectionsHubOptions, type OpenedConnection } from './systems';

/**
 * The flows of the registry opened over one ConnectionsHub: each flow that can run gets its
 * runtime (sharing the hub's connectors, budgets and source reads with the others); each flow
 * that cannot says why, in words that say what to connect.
 */
export interface OpenFlow {
  plugin: AnyFlowPlugin;
  runtime: FlowRuntime;
  /** Its connections, in the order of `plugin.systems` (source first). */
  connections: OpenedConnection[];
}

export interface FlowHost {
  readonly hub: ConnectionsHub;
  /** Flows that can run, in registry order. */
  readonly flows: ReadonlyMap<string, OpenFlow>;
  /** Flows that cannot run yet, with the reason. */
  readonly unavailable: ReadonlyMap<string, { reason: string; error: unknown }>;
  /** Opens the flows that could not run before (a connection was saved meanwhile); returns the newly opened ones. */
  attachMore(): Promise<OpenFlow[]>;
  close(): Promise<void>;
}

export async function openFlowHost(opts: ConnectionsHubOptions & { only?: readonly string[] }): Promise<FlowHost> {
  const hub = new ConnectionsHub(opts);
  const flows = new Map<string, OpenFlow>();
  const unavailable = new Map<string, { reason: string; error: unknown }>();
  const candidates = FLOWS.filter((f) => !opts.only || opts.only.includes(f.id));

  async function tryOpen(plugin: AnyFlowPlugin): Promise<OpenFlow | null> {
    try {
      const connections = await hub.openFor(plugin);
      const connectors = Object.fromEntries(connections.map((c) => [c.system, c.connector])) as unknown as SystemConnectors;
      const connectionIds = Object.fromEntries(connections.map((c) => [c.system, c.connection.id])) as Record<ConnectableSystem, string>;
      const runtime = plugin.open({ store: opts.store, connectors, connectionIds, sharedReads: hub.sharedReads });
      const opened = { plugin, runtime, connections };
      flows.set(plugin.id, opened);
      unavailable.delete(plugin.id);
      return opened;
    } catch (error) {
      const reason = error instanceof FlowNotConfiguredError ? error.message : `${plugin.title} could not start: ${error instanceof Error ? error.message : String(error)}`;
      unavailable.set(plugin.id, { reason, error });
      return null;
    }
  }

  for (const plugin of candidates) await tryOpen(plugin);
  return {
    hub,
    flows,
    unavailable,
    async attachMore() {
      const opened: OpenFlow[] = [];
      for (const plugin of candidates) {
        if (flows.has(plugin.id)) continue;
        const flow = await tryOpen(plugin);
        if (flow) opened.push(flow);
      }
      return opened;
    },
    close: () => hub.close(),
  };
}

export { FlowNotConfiguredError };
