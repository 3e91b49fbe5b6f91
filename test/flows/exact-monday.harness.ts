import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type KitClock } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import type { ExactOnlineConnector } from '../../src-main/connectors/exact-online';
import { createMondayConnector, type MondayConnector, type MondaySettings } from '../../src-main/connectors/monday';
import { exactMondayDeps } from '../../src-main/engine/flows/exact-monday';
import { runExactMonday, type ExactMondayDeps } from '../../src-main/engine/flows/exact-monday/flow';
import { F4_FLOW } from '../../src-main/engine/flows/exact-monday/model';
import { openFlowHost, type FlowHost } from '../../src-main/host/flow-host';
import { APP_SANDBOX_CONFIG, FlowNotConfiguredError } from '../../src-main/host/systems';
import { startSandbox, type RunningSimulator } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';

type Json = Record<string, unknown>;

export interface F4HarnessOptions {
  seed?: number;
  scale?: number;
  latencyMs?: number;
  faults?: string;
  /** Config of the monday simulator (e.g. a smaller complexity budget). */
  monday?: Record<string, unknown>;
  /**
   * A monday connector of the test's own whose waits move the simulator's clock instead of
   * sleeping (complexity windows, Retry-After), and optionally its own token provider. Default:
   * the connector the app's sandbox opener makes (real time).
   */
  virtualMonday?: { tokens?: (sim: RunningSimulator) => AccessTokenProvider; settings?: Partial<MondaySettings> };
  /** Also open these flows on the same hub (shared reads). */
  alsoFlows?: readonly string[];
}

/**
 * F4 on the sandbox as the app opens it (the flow host over the Exact Online and monday.com
 * simulators, on one data folder), with the pieces the tests poke at: the flow's dependencies,
 * the simulators' state, edits in Exact as another Exact user makes them, faults, API calls.
 */
export async function openF4Harness(opts: F4HarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-f4-'));
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const store: Store = openStore(dir);
  const extra = opts.alsoFlows ?? [];
  const sandbox = await startSandbox({
    dataDir: dir,
    systems: ['exact', 'monday', ...(extra.length ? (['procore'] as const) : [])],
    seed,
    scale,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    // The test's own edits go through Exact's API between syncs: its 60 a minute are lifted (see f5-harness).
    config: { ...APP_SANDBOX_CONFIG, exact: { ...APP_SANDBOX_CONFIG.exact, minutelyLimit: 100_000 }, monday: { ...APP_SANDBOX_CONFIG.monday, ...opts.monday } },
  });
  let host: FlowHost;
  try {
    host = await openFlowHost({ store, dataDir: dir, log: silentLogger, sandbox: { seed, scale }, runningSandbox: sandbox, only: [F4_FLOW, ...extra] });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const flow = host.flows.get(F4_FLOW);
  if (!flow) {
    await host.close();
    await sandbox.close();
    const problem = host.unavailable.get(F4_FLOW)!;
    throw problem.error instanceof FlowNotConfiguredError ? problem.error : new Error(problem.reason);
  }
  const mondaySim = sandbox.systems.monday!;
  const exactSim = sandbox.systems.exact!;
  const exact = flow.connections[0]!.connector as ExactOnlineConnector;
  const sleeps: number[] = [];
  let monday = flow.connections[1]!.connector as MondayConnector;
  let ownMonday: MondayConnector | null = null;
  if (opts.virtualMonday) {
    const clock: KitClock = {
      now: () => mondaySim.clock.now(),
      sleep: async (ms) => {
        sleeps.push(ms);
        mondaySim.clock.advance(Math.max(0, ms));
      },
    };
    const tokens = opts.virtualMonday.tokens?.(mondaySim) ?? flow.connections[1]!.custodian;
    ownMonday = createMondayConnector(
      { baseUrl: mondaySim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, now: clock.now, tokens },
      { apiUrl: `${mondaySim.baseUrl}/v2`, account: `f4-test-${process.pid}-${dir}`, clock, retry: { random: () => 0.5 }, ...opts.virtualMonday.settings },
    );
    monday = ownMonday;
  }
  const deps: ExactMondayDeps = exactMondayDeps({
    store,
    connectors: { 'exact-online': exact, monday },
    connectionIds: { 'exact-online': flow.connections[0]!.connection.id, monday: flow.connections[1]!.connection.id },
    sharedReads: host.hub.sharedReads,
  });
  const start = host.hub.apiCalls();

  async function exactToken(): Promise<string> {
    const c = exactSim.credentials as { clientId: string; clientSecret: string; redirectUri: string };
    const auth = await fetch(`${exactSim.baseUrl}/api/oauth2/auth?${new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: 's' })}`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const res = await fetch(`${exactSim.baseUrl}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: c.redirectUri, client_id: c.clientId, client_secret: c.clientSecret }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  return {
    dir,
    store,
    sandbox,
    host,
    deps,
    exact,
    monday,
    /** Waits the test's own monday connector took (ms of simulator time). */
    sleeps,
    run: (trigger: 'manual' | 'cli' = 'manual', overrides: Partial<ExactMondayDeps> = {}) => runExactMonday({ ...deps, ...overrides }, trigger),
    mondayState: async (): Promise<{ boards: Json[]; items: Json[] }> => (await fetch(`${mondaySim.baseUrl}/_sandbox/state`)).json() as Promise<{ boards: Json[]; items: Json[] }>,
    exactState: async (): Promise<Record<string, Json[]>> => (await fetch(`${exactSim.baseUrl}/_sandbox/state`)).json() as Promise<Record<string, Json[]>>,
    /** A call to the Exact simulator's REST API as another Exact user would make it (edits, deletes). */
    async exactApi(method: string, path: string, body?: unknown): Promise<Response> {
      const division = exactSim.credentials['division'];
      return fetch(`${exactSim.baseUrl}/api/v1/${division}/${path}`, {
        method,
        headers: { authorization: `Bearer ${await exactToken()}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    },
    /** A GraphQL call to the monday simulator as a monday user would make it (board edits). */
    async mondayGraphql(query: string, variables: Json = {}): Promise<Json> {
      const res = await fetch(`${mondaySim.baseUrl}/v2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: String(mondaySim.credentials['apiToken']), 'API-Version': '2026-10' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as Json;
    },
    async setFaults(system: 'exact' | 'monday', spec: string | null): Promise<void> {
      const sim = system === 'exact' ? exactSim : mondaySim;
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { clear: true, spec }) });
    },
    /** monday requests the simulator answered, by status (faults included). */
    mondayStatuses: (): number[] => mondaySim.requests.recent().filter((r) => r.path === '/v2').map((r) => r.status),
    apiCalls() {
      const now = host.hub.apiCalls();
      return { exact: (now['exact'] ?? 0) - (start['exact'] ?? 0), monday: (now['monday'] ?? 0) - (start['monday'] ?? 0) };
    },
    async close(): Promise<void> {
      await ownMonday?.close();
      await host.close();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type F4Harness = Awaited<ReturnType<typeof openF4Harness>>;

/** Every F4 item on the boards, keyed by the Exact id its key column holds, with its column texts. */
export function itemsByKey(state: { items: Json[] }): Map<string, { id: string; name: string; state: string; board: string; group: string; cells: Record<string, string>; values: Record<string, unknown> }[]> {
  const out = new Map<string, { id: string; name: string; state: string; board: string; group: string; cells: Record<string, string>; values: Record<string, unknown> }[]>();
  for (const item of state.items) {
    const columns = item['column_values'] as { id: string; text: string; value: string | null }[];
    const key = columns.find((c) => c.id === 'exact_key')?.text ?? '';
    if (!key) continue;
    const entry = {
      id: String(item['id']),
      name: String(item['name']),
      state: String(item['state']),
      board: String((item['board'] as Json)['id']),
      group: String((item['group'] as Json)['id']),
      cells: Object.fromEntries(columns.map((c) => [c.id, c.text])),
      values: Object.fromEntries(columns.map((c) => [c.id, c.value === null ? null : (JSON.parse(c.value) as unknown)])),
    };
    out.set(key, [...(out.get(key) ?? []), entry]);
  }
  return out;
}
