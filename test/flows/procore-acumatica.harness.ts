import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src-main/connectors/_kit';
import type { AcumaticaConnector } from '../../src-main/connectors/acumatica';
import { createProcoreConnector, type ProcoreConnector } from '../../src-main/connectors/procore';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../src-main/auth/custody';
import type { TokenSet } from '../../src-shared/domain/auth';
import { f2Deps } from '../../src-main/engine/flows/procore-acumatica';
import { runProcoreAcumatica, type F2Deps } from '../../src-main/engine/flows/procore-acumatica/flow';
import { F2_FLOW } from '../../src-main/engine/flows/procore-acumatica/mappings';
import { openFlowHost, type FlowHost } from '../../src-main/host/flow-host';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';

/**
 * F2 on the sandbox the way the app opens it (flow host over its connections, the app's
 * simulator switches), plus what the tests poke at: the simulators' state, Acumatica and Procore
 * as their own users see them (a payment released, a vendor edited), faults, and the calls made.
 */
type Json = Record<string, unknown>;

export interface F2HarnessOptions {
  seed?: number;
  scale?: number;
  faults?: string;
  latencyMs?: number;
  /** Acumatica simulator switches on top of the app's. */
  acumaticaConfig?: Record<string, unknown>;
  /** Settings of the sandbox Acumatica connection (policy switches, endpoint version…), set before it opens. */
  acumaticaSettings?: Record<string, unknown>;
  dir?: string;
  /**
   * Procore's cursor settle time for this harness (default: the app's 5 s). 0 lets a test read an
   * edit it just made in Procore without waiting (a Procore connector of its own, same company).
   */
  procoreSettleSeconds?: number;
}

export const val = (record: Json, field: string): unknown => (record[field] as { value?: unknown } | undefined)?.value;
export const w = (value: unknown): { value: unknown } => ({ value });

export async function openF2Harness(opts: F2HarnessOptions = {}) {
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'mlc-f2-'));
  let store: Store = openStore(dir);
  if (opts.acumaticaSettings && !store.connections.get('sandbox-acumatica'))
    store.connections.create({ id: 'sandbox-acumatica', system: 'acumatica', label: 'Acumatica (sandbox)', mode: 'sandbox', settings: { seed, scale, ...opts.acumaticaSettings } as never });
  const startSims = () =>
    startSandbox({
      dataDir: dir,
      systems: ['procore', 'acumatica'],
      seed,
      scale,
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
      config: { ...APP_SANDBOX_CONFIG, acumatica: { ...APP_SANDBOX_CONFIG.acumatica, ...opts.acumaticaConfig } },
    });
  let sandbox: Sandbox = await startSims();
  let host: FlowHost;
  let deps: F2Deps;
  let start: Record<string, number>;
  let ownProcore: ProcoreConnector | null = null;
  const settledProcore = (): ProcoreConnector => {
    const p = sandbox.systems.procore!;
    let tokens: TokenSet | null = null;
    const late: { c?: ProcoreConnector } = {};
    const custodian = new TokenCustodian({
      connectionId: 'f2-test-procore',
      vault: { load: async () => tokens, save: async (t) => void (tokens = t), clear: async () => void (tokens = null) },
      policy: CLIENT_CREDENTIALS_POLICY,
      refresh: () => late.c!.requestToken({ clientId: String(p.credentials['clientId']), clientSecret: String(p.credentials['clientSecret']) }),
    });
    late.c = createProcoreConnector(
      { baseUrl: p.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, tokens: custodian },
      { companyId: String(p.credentials['companyId']), apiBaseUrl: p.baseUrl, authBaseUrl: p.baseUrl, rateLimits: { hourly: 100_000, spikePer10s: 2_000 }, cursorSettleSeconds: opts.procoreSettleSeconds! },
    );
    return late.c;
  };
  const open = async () => {
    host = await openFlowHost({ store, dataDir: dir, log: silentLogger, sandbox: { seed, scale }, runningSandbox: sandbox, only: [F2_FLOW] });
    const flow = host.flows.get(F2_FLOW);
    if (!flow) throw new Error(host.unavailable.get(F2_FLOW)?.reason ?? 'F2 did not open');
    const [procore, acumatica] = flow.connections;
    if (opts.procoreSettleSeconds !== undefined) ownProcore = settledProcore();
    deps = f2Deps({
      store,
      connectors: { procore: ownProcore ?? (procore!.connector as ProcoreConnector), acumatica: acumatica!.connector as AcumaticaConnector },
      connectionIds: { procore: procore!.connection.id, acumatica: acumatica!.connection.id },
      sharedReads: host.hub.sharedReads,
    });
    start = host.hub.apiCalls();
  };
  await open();
  const sim = (system: 'procore' | 'acumatica') => sandbox.systems[system]!;

  async function acumaticaUser() {
    const acu = sim('acumatica');
    const res = await fetch(`${acu.baseUrl}/entity/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: acu.credentials['username'], password: acu.credentials['password'], tenant: acu.credentials['tenant'] }),
    });
    if (res.status !== 204) throw new Error(`Acumatica sign-in: HTTP ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const base = `${acu.baseUrl}/entity/Default/${String(acu.credentials['endpointVersion'])}`;
    const json = { cookie, 'content-type': 'application/json' };
    return {
      async put(entity: string, body: Json): Promise<Json> {
        const r = await fetch(`${base}/${entity}`, { method: 'PUT', headers: json, body: JSON.stringify(body) });
        const parsed = (await r.json()) as Json;
        if (r.status !== 200) throw new Error(`PUT ${entity}: HTTP ${r.status} ${JSON.stringify(parsed).slice(0, 400)}`);
        return parsed;
      },
      async invoke(path: string, body: Json): Promise<number> {
        let r = await fetch(`${base}/${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
        while (r.status === 202) r = await fetch(new URL(String(r.headers.get('location')), acu.baseUrl), { headers: { cookie } });
        return r.status;
      },
      async logout(): Promise<void> {
        await fetch(`${acu.baseUrl}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
      },
    };
  }

  async function procoreRest(method: 'GET' | 'PATCH' | 'POST', path: string, body?: unknown): Promise<Json> {
    const p = sim('procore');
    const token = (await (
      await fetch(`${p.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(p.credentials['clientId']), client_secret: String(p.credentials['clientSecret']) }).toString(),
      })
    ).json()) as { access_token: string };
    const res = await fetch(`${p.baseUrl}/rest/v1.0/${path}`, {
      method,
      headers: { authorization: `Bearer ${token.access_token}`, 'procore-company-id': String(p.credentials['companyId']), 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify({ company_id: Number(p.credentials['companyId']), ...(body as Json) }) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  return {
    dir,
    get store() {
      return store;
    },
    get deps() {
      return deps;
    },
    get sandbox() {
      return sandbox;
    },
    run: (trigger: 'manual' | 'cli' = 'manual') => runProcoreAcumatica(deps, trigger),
    /** Runs until a run succeeds (faults may interrupt some), at most `max` times. */
    async runToEnd(max = 8) {
      const runs = [];
      for (let i = 0; i < max; i++) {
        const r = await runProcoreAcumatica(deps, 'manual');
        runs.push(r);
        if (r.status === 'succeeded') break;
      }
      return runs;
    },
    state: async (system: 'procore' | 'acumatica'): Promise<Record<string, Json[]>> => (await fetch(`${sim(system).baseUrl}/_sandbox/state`)).json() as Promise<Record<string, Json[]>>,
    acumaticaUser,
    procoreRest,
    async setFaults(system: 'procore' | 'acumatica', spec: string | null): Promise<void> {
      await fetch(`${sim(system).baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { spec }) });
    },
    /** The simulator's request log position, and the requests made after a position. */
    requestMark: (system: 'procore' | 'acumatica'): number => sim(system).requests.recent(1)[0]?.seq ?? 0,
    requestsSince: (system: 'procore' | 'acumatica', mark: number) => sim(system).requests.recent(5000).filter((r) => r.seq > mark),
    /** API calls since the harness opened (or since `reset`). */
    apiCalls(): { procore: number; acumatica: number } {
      const now = host.hub.apiCalls();
      return { procore: (now['procore'] ?? 0) - (start['procore'] ?? 0), acumatica: (now['acumatica'] ?? 0) - (start['acumatica'] ?? 0) };
    },
    /** Closes the connectors (logging out of Acumatica) and opens them again, as a new process would. */
    async reopen(): Promise<void> {
      await host.close();
      await ownProcore?.close();
      await open();
    },
    async restart(): Promise<void> {
      await host.close();
      await ownProcore?.close();
      await sandbox.close();
      store.close();
      store = openStore(dir);
      sandbox = await startSims();
      await open();
    },
    async close(keepDir = false): Promise<void> {
      await host.close();
      await ownProcore?.close();
      await sandbox.close();
      store.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type F2Harness = Awaited<ReturnType<typeof openF2Harness>>;

/** Acumatica's bills as the books see them, keyed by vendor + vendor ref, without ids Acumatica assigned. */
export function billBooks(state: Record<string, Json[]>) {
  return (state['Bill'] ?? [])
    .filter((b) => String(val(b, 'note') ?? '').includes('ml-connector origin:'))
    .map((b) => ({
      key: `${String(val(b, 'Vendor'))}/${String(val(b, 'VendorRef'))}`,
      origin: String(val(b, 'note')).replace('ml-connector origin: ', ''),
      type: val(b, 'Type'),
      status: val(b, 'Status'),
      amount: String(val(b, 'Amount')),
      lines: ((b['Details'] ?? []) as Json[]).map((l) => ({
        account: val(l, 'Account'),
        subaccount: val(l, 'Subaccount') ?? null,
        branch: val(l, 'Branch') ?? null,
        project: val(l, 'Project') ?? null,
        task: val(l, 'ProjectTask') ?? null,
        costCode: val(l, 'CostCode') ?? null,
        amount: String(val(l, 'ExtendedCost')),
        text: val(l, 'TransactionDescription') ?? null,
      })),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
