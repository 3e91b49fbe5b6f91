import type { Logger } from '../../src-main/connectors/_kit';
import type { ExactOnlineConnector } from '../../src-main/connectors/exact-online';
import type { ProcoreConnector } from '../../src-main/connectors/procore';
import type { CredentialStore } from '../../src-main/credentials';
import { exactProcoreDeps, exactProcoreFlow } from '../../src-main/engine/flows/exact-procore';
import type { ExactProcoreDeps } from '../../src-main/engine/flows/exact-procore/flow';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { openFlowHost } from '../../src-main/host/flow-host';
import { FlowNotConfiguredError, startSandboxFor, type SandboxRunOptions } from '../../src-main/host/systems';
import type { Sandbox } from '../../src-main/sandbox';
import type { Store } from '../../src-main/store';

/**
 * F1 opened the way the app opens it (the flow host over its connections), with the pieces the
 * F1 tests poke at: the flow's dependencies (to call runExactProcore, retryParked, replay), its
 * connectors and connections, and the API calls made since.
 */
export type { SandboxRunOptions };

export async function openF1Runtime(opts: { store: Store; dataDir: string; log: Logger; sandbox?: SandboxRunOptions; runningSandbox?: Sandbox; credentials?: CredentialStore }) {
  const host = await openFlowHost({ ...opts, only: [F1_FLOW] });
  const flow = host.flows.get(F1_FLOW);
  if (!flow) {
    await host.close();
    const problem = host.unavailable.get(F1_FLOW)!;
    throw problem.error instanceof FlowNotConfiguredError ? problem.error : new Error(problem.reason);
  }
  const [exact, procore] = flow.connections as [(typeof flow.connections)[number] & { system: 'exact-online' }, (typeof flow.connections)[number] & { system: 'procore' }];
  const deps: ExactProcoreDeps = exactProcoreDeps({
    store: opts.store,
    connectors: { 'exact-online': exact.connector as never, procore: procore.connector as never },
    connectionIds: { 'exact-online': exact.connection.id, procore: procore.connection.id },
    sharedReads: host.hub.sharedReads,
  });
  const start = host.hub.apiCalls();
  return {
    deps,
    flow,
    exact: exact.connector as ExactOnlineConnector,
    procore: procore.connector as ProcoreConnector,
    exactConnection: exact.connection,
    procoreConnection: procore.connection,
    custody: flow.connections.map((c) => ({ id: c.connection.id, label: c.connection.label, custodian: c.custodian })),
    apiCalls() {
      const now = host.hub.apiCalls();
      return { exact: (now['exact'] ?? 0) - (start['exact'] ?? 0), procore: (now['procore'] ?? 0) - (start['procore'] ?? 0) };
    },
    close: () => host.close(),
  };
}

export type F1Runtime = Awaited<ReturnType<typeof openF1Runtime>>;

/** The Exact Online and Procore simulators as F1 uses them (same data folder, same limits). */
export function startF1Sandbox(dataDir: string, opts: SandboxRunOptions): Promise<Sandbox> {
  return startSandboxFor([exactProcoreFlow as AnyFlowPlugin], dataDir, opts);
}
