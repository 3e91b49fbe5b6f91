import { join } from 'node:path';
import type { JsonValue } from '../../src-shared/domain/audit';
import { NeedsReauthError, type TokenSet } from '../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, EXACT_CUSTODY_POLICY, TokenCustodian, type TokenVault } from '../auth/custody';
import { fileLock } from '../auth/file-lock';
import { createPkcePair, createState } from '../auth/pkce';
import { requestCounters, type Logger } from '../connectors/_kit';
import { createExactOnlineConnector, type ExactOnlineConnector } from '../connectors/exact-online';
import { createProcoreConnector, type ProcoreConnector } from '../connectors/procore';
import { procoreTarget } from '../engine/flows/exact-procore/adapters';
import type { ExactProcoreDeps } from '../engine/flows/exact-procore/flow';
import { F1_FLOW, F1_MAPPING_SETS } from '../engine/flows/exact-procore/mappings';
import { startSandbox, type RunningSimulator, type Sandbox } from '../sandbox';
import { generateWorld } from '../sandbox/seed/world';
import type { Store } from '../store/db';
import type { Connection } from '../store/repos/connections';
import type { CredentialStore } from '../credentials';
import { LIVE_EXACT_ID, LIVE_PROCORE_ID, openLiveExact, openLiveProcore } from './live-connections';
import { settingsCounter } from './token-call-counter';
import type { CustodiedConnection } from './token-keep-alive';

/**
 * Turns F1's stored connections into running connectors: a sandbox pair (simulators started
 * in-process on this data folder) or a live pair (credentials from the OS keychain). Token
 * custody sits between each connector and its token endpoint.
 */
export interface SandboxRunOptions {
  seed: number;
  scale: number;
  latencyMs?: number;
  faults?: string;
}

export interface F1RuntimeOptions {
  store: Store;
  dataDir: string;
  log: Logger;
  /** Create (or reuse) sandbox connections with these values. */
  sandbox?: SandboxRunOptions;
  /** Simulators already running in this process (e.g. `serve --sandbox`); reused, not restarted. */
  runningSandbox?: Sandbox;
  /** The OS keychain, for live connections (their secrets and tokens live there only). */
  credentials?: CredentialStore;
}

export interface F1Runtime {
  deps: ExactProcoreDeps;
  exact: ExactOnlineConnector;
  procore: ProcoreConnector;
  exactConnection: Connection;
  procoreConnection: Connection;
  /** Token custody of both connections (keep-alive ticker, sign-in expiry on the dashboard). */
  custody: CustodiedConnection[];
  /** API calls made by this process since the runtime opened, per API. */
  apiCalls(): { exact: number; procore: number };
  close(): Promise<void>;
}

export class F1NotConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'F1NotConfiguredError';
  }
}

/** Limits of the sandbox Procore company used by the app (the simulator's own defaults stay strict). */
const SANDBOX_PROCORE_LIMITS = { spikeLimit: 2_000, hourlyLimit: 100_000 };

/** Simulator switches the app's sandbox uses (headless Exact sign-in on any loopback port). */
export const APP_SANDBOX_CONFIG = { exact: { allowAnyLoopbackPort: true }, procore: SANDBOX_PROCORE_LIMITS };

function memoryVault(): TokenVault {
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

function ensureSandboxConnections(store: Store, opts: SandboxRunOptions): { exact: Connection; procore: Connection } {
  const find = (system: 'exact-online' | 'procore'): Connection | undefined =>
    store.connections.list().find((c) => c.system === system && c.mode === 'sandbox');
  const ensure = (system: 'exact-online' | 'procore', label: string): Connection => {
    const existing = find(system);
    if (existing) {
      const s = existing.settings as { seed?: number; scale?: number };
      if (s.seed !== opts.seed || s.scale !== opts.scale)
        throw new F1NotConfiguredError(
          `This data folder holds a sandbox with seed ${s.seed} / scale ${s.scale}, not ${opts.seed} / ${opts.scale}. Use the same values or another --data-dir.`,
        );
      return existing;
    }
    return store.connections.create({ id: `sandbox-${system}`, system, label, mode: 'sandbox', settings: { seed: opts.seed, scale: opts.scale } });
  };
  return { exact: ensure('exact-online', 'Exact Online (sandbox)'), procore: ensure('procore', 'Procore (sandbox)') };
}

/**
 * First start of a sandbox: the mappings a finance team would have set up, from the sandbox
 * world — minus its deliberate gaps (an unmapped GL/cost-center pair, a supplier without a
 * Procore vendor), which the user fixes in Mappings.
 */
function seedSandboxMappings(store: Store, seed: number, scale: number): void {
  if (store.mappings.getSet(F1_FLOW, F1_MAPPING_SETS.costs)) return;
  const world = generateWorld(seed, scale);
  store.transaction(() => {
    const projects = store.mappings.ensureSet(F1_FLOW, F1_MAPPING_SETS.projects, 'Exact project → Procore project');
    store.mappings.createVersion(
      projects.id,
      world.projects.map((p) => ({ sourceKey: { projectCode: p.code }, target: { procoreProjectId: String(p.procoreId) } })),
      'sandbox defaults',
    );
    const costs = store.mappings.ensureSet(F1_FLOW, F1_MAPPING_SETS.costs, 'GL account + cost center → cost code + cost type');
    store.mappings.createVersion(
      costs.id,
      world.costMappings.map((m) => ({
        sourceKey: { glAccountCode: m.glAccountCode, costCenterCode: m.costCenterCode, costUnitCode: m.costUnitCode },
        target: { costCode: m.costCode, lineItemTypeCode: m.lineItemTypeCode },
      })),
      'sandbox defaults',
    );
    const vendors = store.mappings.ensureSet(F1_FLOW, F1_MAPPING_SETS.vendors, 'Exact supplier → Procore vendor');
    store.mappings.createVersion(
      vendors.id,
      world.suppliers
        .filter((s) => s.procoreVendorId !== null)
        .map((s) => ({ sourceKey: { supplierCode: s.code }, target: { procoreVendorId: String(s.procoreVendorId) } })),
      'sandbox defaults',
    );
  });
}

/** The Exact Online and Procore simulators as F1 uses them (same data folder, same limits). */
export function startF1Sandbox(dataDir: string, opts: SandboxRunOptions): Promise<Sandbox> {
  return startSandbox({
    dataDir,
    systems: ['exact', 'procore'],
    seed: opts.seed,
    scale: opts.scale,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    config: APP_SANDBOX_CONFIG,
  });
}

/** Sandbox sign-in without a browser: the simulator approves at once; we take the code from the redirect. */
async function sandboxSignIn(exact: ExactOnlineConnector, sim: RunningSimulator): Promise<TokenSet> {
  const creds = sim.credentials as { clientId: string; clientSecret: string; redirectUri: string };
  const pkce = createPkcePair();
  const state = createState();
  const url = new URL(exact.authorizeEndpoint());
  url.search = new URLSearchParams({
    client_id: creds.clientId,
    redirect_uri: creds.redirectUri,
    response_type: 'code',
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: pkce.method,
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  const callback = location ? new URL(location) : null;
  const code = callback?.searchParams.get('code');
  if (!code || callback?.searchParams.get('state') !== state)
    throw new NeedsReauthError(`The Exact Online sandbox did not approve the sign-in (HTTP ${res.status}).`);
  return exact.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: creds.redirectUri, clientSecret: creds.clientSecret });
}

function counting(): () => { exact: number; procore: number } {
  const start = { exact: requestCounters.get('exact').total, procore: requestCounters.get('procore').total };
  return () => ({
    exact: requestCounters.get('exact').total - start.exact,
    procore: requestCounters.get('procore').total - start.procore,
  });
}

/**
 * F1 over the stored live connections; tokens and client secrets come from the keychain. The
 * custodians are the process's shared ones (LiveCustody): the keep-alive and "Test connection"
 * hold the same, so one connection never has two refreshers here.
 */
function openLiveF1Runtime(opts: F1RuntimeOptions): F1Runtime {
  if (!opts.credentials)
    throw new F1NotConfiguredError('The live connections need the OS keychain, which this process was not given.');
  const deps = { store: opts.store, credentials: opts.credentials, log: opts.log, dataDir: opts.dataDir };
  const exact = openLiveExact(deps);
  const procore = openLiveProcore(deps);
  return {
    deps: { store: opts.store, exact: exact.connector, procore: procoreTarget(procore.connector), exactConnectionId: exact.connection.id },
    exact: exact.connector,
    procore: procore.connector,
    exactConnection: exact.connection,
    procoreConnection: procore.connection,
    custody: [exact, procore].map(({ connection, custodian }) => ({ id: connection.id, label: connection.label, custodian })),
    apiCalls: counting(),
    close: async () => {
      await exact.connector.close();
      await procore.connector.close();
    },
  };
}

export async function openF1Runtime(opts: F1RuntimeOptions): Promise<F1Runtime> {
  const { store } = opts;
  let exactConnection: Connection;
  let procoreConnection: Connection;
  if (opts.sandbox) {
    ({ exact: exactConnection, procore: procoreConnection } = ensureSandboxConnections(store, opts.sandbox));
  } else {
    // The user's own accounts win over the sandbox when both are configured.
    const liveExact = store.connections.get(LIVE_EXACT_ID);
    const liveProcore = store.connections.get(LIVE_PROCORE_ID);
    if (liveExact && liveProcore) return openLiveF1Runtime(opts);
    const pick = (system: string): Connection | undefined =>
      store.connections.list().find((c) => c.system === system && c.mode === 'sandbox');
    const e = pick('exact-online');
    const p = pick('procore');
    if (!e || !p)
      throw new F1NotConfiguredError(
        liveExact
          ? 'Exact Online is connected; Exact Online → Procore also needs Procore: connect it under Connections (or `npx ml-connector connect procore …`).'
          : liveProcore
            ? 'Procore is connected; Exact Online → Procore also needs Exact Online: connect it under Connections (or `npx ml-connector connect exact-online …`).'
            : 'Exact Online → Procore needs an Exact Online and a Procore connection: `npx ml-connector connect exact-online …` and `connect procore …`, or try it on the sandbox with `npx ml-connector sync exact-procore --sandbox`.',
      );
    exactConnection = e;
    procoreConnection = p;
  }

  const settings = exactConnection.settings as { seed: number; scale: number };
  seedSandboxMappings(store, settings.seed, settings.scale);
  const ownSandbox = opts.runningSandbox ? null : await startF1Sandbox(opts.dataDir, { ...settings, ...opts.sandbox });
  const sandbox = opts.runningSandbox ?? ownSandbox!;
  const exactSim = sandbox.systems.exact;
  const procoreSim = sandbox.systems.procore;
  if (!exactSim || !procoreSim) throw new F1NotConfiguredError('The sandbox is not running Exact Online and Procore.');

  const locks = join(opts.dataDir, 'locks');
  // Custody needs the connector (to call the token endpoint) and the connector needs custody.
  const late: { exact?: ExactOnlineConnector; procore?: ProcoreConnector } = {};
  const exactCustody = new TokenCustodian({
    connectionId: exactConnection.id,
    vault: memoryVault(), // sandbox tokens live in memory; a new process signs in again (headless)
    policy: EXACT_CUSTODY_POLICY,
    lock: fileLock(join(locks, `${exactConnection.id}.lock`)),
    tokenCalls: settingsCounter(store, exactConnection.id),
    refresh: (current) =>
      current?.refreshToken
        ? late.exact!.refreshTokens({
            refreshToken: current.refreshToken,
            clientSecret: String(exactSim.credentials['clientSecret']),
            accessTokenExpiresAt: current.accessTokenExpiresAt,
          })
        : sandboxSignIn(late.exact!, exactSim),
    onStateChange: (state, detail) => {
      store.connections.setStatus(exactConnection.id, state);
      opts.log.info('exact connection state', { state, detail });
    },
  });
  const exactHost = new URL(exactSim.baseUrl).hostname;
  const exact = createExactOnlineConnector(
    { baseUrl: exactSim.baseUrl, allowedHosts: [exactHost], logger: opts.log, tokens: exactCustody },
    { region: 'nl', baseUrl: exactSim.baseUrl, division: Number(exactSim.credentials['division']), clientId: String(exactSim.credentials['clientId']) },
  );

  const procoreCustody = new TokenCustodian({
    connectionId: procoreConnection.id,
    vault: memoryVault(),
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: () =>
      late.procore!.requestToken({ clientId: String(procoreSim.credentials['clientId']), clientSecret: String(procoreSim.credentials['clientSecret']) }),
    onStateChange: (state) => store.connections.setStatus(procoreConnection.id, state),
  });
  const procore = createProcoreConnector(
    { baseUrl: procoreSim.baseUrl, allowedHosts: [new URL(procoreSim.baseUrl).hostname], logger: opts.log, tokens: procoreCustody },
    {
      companyId: String(procoreSim.credentials['companyId']),
      apiBaseUrl: procoreSim.baseUrl,
      authBaseUrl: procoreSim.baseUrl,
      rateLimits: { hourly: SANDBOX_PROCORE_LIMITS.hourlyLimit, spikePer10s: SANDBOX_PROCORE_LIMITS.spikeLimit },
    },
  );
  late.exact = exact;
  late.procore = procore;
  store.connections.update(exactConnection.id, { settings: { ...store.connections.require(exactConnection.id).settings, baseUrl: exactSim.baseUrl } as Record<string, JsonValue> });

  return {
    deps: { store, exact, procore: procoreTarget(procore), exactConnectionId: exactConnection.id },
    exact,
    procore,
    exactConnection,
    procoreConnection,
    custody: [
      { id: exactConnection.id, label: exactConnection.label, custodian: exactCustody },
      { id: procoreConnection.id, label: procoreConnection.label, custodian: procoreCustody },
    ],
    apiCalls: counting(),
    close: async () => {
      await exact.close();
      await procore.close();
      await ownSandbox?.close();
    },
  };
}
