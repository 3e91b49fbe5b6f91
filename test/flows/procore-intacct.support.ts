import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../src-main/auth/custody';
import { requestCounters, silentLogger } from '../../src-main/connectors/_kit';
import { createProcoreConnector, type ProcoreConnector } from '../../src-main/connectors/procore';
import { createIntacctConnector, type IntacctConnector } from '../../src-main/connectors/sage-intacct';
import { procoreIntacctDeps, procoreIntacctFlow, reconcileNow } from '../../src-main/engine/flows/procore-intacct';
import { replayAuditEntry, retryParked, runProcoreIntacct, type ProcoreIntacctDeps } from '../../src-main/engine/flows/procore-intacct/flow';
import { F3_FLOW } from '../../src-main/engine/flows/procore-intacct/mappings';
import type { F3Policy } from '../../src-main/engine/flows/procore-intacct/policy';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { openFlowHost, type FlowHost } from '../../src-main/host/flow-host';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { memoryVault } from '../../src-main/host/systems/types';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';
import { IntacctRequestLog } from '../sandbox/intacct-xsd';
import { connectorSettings } from '../../src-main/host/systems/sage-intacct';

/** Every request document the flow sent to Intacct, across harnesses (validated against api.xsd). */
export const sent = new IntacctRequestLog();

/**
 * F3 on the sandbox for the flow's tests: the Procore and Intacct simulators on loopback, the
 * flow opened the way the app opens it (hub, openers, seeded mappings), and ways to act as
 * someone working in Procore or Intacct directly (approve a change order, pay a bill…).
 *
 * The flow runs with a Procore connector whose cursors do not wait the 5 s settle time (the
 * simulator and the reads share one clock here), so an edit is read by the next run at once.
 */
type Json = Record<string, unknown>;

export interface F3HarnessOptions {
  seed?: number;
  scale?: number;
  latencyMs?: number;
  faults?: string;
  /** Intacct simulator switches (e.g. cdnTimeoutRate, authorizedSenderIds). */
  intacctConfig?: Record<string, unknown>;
  /** The passwords the flow's Intacct connector signs in with (default: the sandbox's). */
  intacctSecrets?: { senderPassword?: string; userPassword?: string };
  policy?: Partial<F3Policy>;
}

export async function openF3Harness(opts: F3HarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-f3-'));
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const store: Store = openStore(dir);
  const sandbox: Sandbox = await startSandbox({
    dataDir: dir,
    systems: ['procore', 'intacct'],
    seed,
    scale,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    config: { ...APP_SANDBOX_CONFIG, intacct: { ...APP_SANDBOX_CONFIG.intacct, ...opts.intacctConfig } },
  });
  const host: FlowHost = await openFlowHost({ store, dataDir: dir, log: silentLogger, sandbox: { seed, scale }, runningSandbox: sandbox, only: [F3_FLOW] });
  const opened = host.flows.get(F3_FLOW);
  if (!opened) throw new Error(host.unavailable.get(F3_FLOW)?.reason ?? 'F3 did not open');
  const procoreSim = sandbox.systems.procore!;
  const intacctSim = sandbox.systems.intacct!;
  const late: { procore?: ProcoreConnector } = {};
  const custodian = new TokenCustodian({
    connectionId: 'test-procore',
    vault: memoryVault(),
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: () => late.procore!.requestToken({ clientId: String(procoreSim.credentials['clientId']), clientSecret: String(procoreSim.credentials['clientSecret']) }),
  });
  const procore = createProcoreConnector(
    { baseUrl: procoreSim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, tokens: custodian },
    {
      companyId: String(procoreSim.credentials['companyId']),
      apiBaseUrl: procoreSim.baseUrl,
      authBaseUrl: procoreSim.baseUrl,
      rateLimits: { hourly: 100_000, spikePer10s: 2_000 },
      cursorSettleSeconds: 0,
    },
  );
  late.procore = procore;
  const [procoreConnection, intacctConnection] = opened.connections as [(typeof opened.connections)[number], (typeof opened.connections)[number]];
  // Intacct as the opener sets it up (its settings in the connection row), every request document recorded for the XSD check.
  const stored = store.connections.require(intacctConnection.connection.id).settings;
  const intacct = createIntacctConnector(
    {
      baseUrl: intacctSim.baseUrl,
      allowedHosts: ['127.0.0.1'],
      logger: silentLogger,
      secrets: { getSecrets: async () => ({ senderPassword: String(intacctSim.credentials['senderPassword']), userPassword: String(intacctSim.credentials['userPassword']), ...opts.intacctSecrets }) },
    },
    connectorSettings(stored as never, String(stored['endpointUrl'])),
    { observeRequest: (xml, label) => sent.record(xml, label) },
  );
  const base: ProcoreIntacctDeps = {
    ...procoreIntacctDeps({
      store,
      connectors: { procore, 'sage-intacct': intacct },
      connectionIds: { procore: procoreConnection.connection.id, 'sage-intacct': intacctConnection.connection.id },
      sharedReads: host.hub.sharedReads,
    }),
    ...(opts.policy ? { policy: opts.policy } : {}),
  };
  const calls = () => ({ procore: requestCounters.get('procore').total, intacct: requestCounters.get('intacct').total });

  let procoreToken: string | null = null;
  async function procoreApi(method: string, path: string, body?: unknown): Promise<Json | Json[]> {
    procoreToken ??= String(
      ((await (
        await fetch(`${procoreSim.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(procoreSim.credentials['clientId']), client_secret: String(procoreSim.credentials['clientSecret']) }).toString(),
        })
      ).json()) as Json)['access_token'],
    );
    const res = await fetch(`${procoreSim.baseUrl}/rest/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${procoreToken}`, 'procore-company-id': String(procoreSim.credentials['companyId']), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Procore ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  /** Someone working in Intacct: one function under a login, its raw answer. */
  async function intacctFunction(body: string): Promise<string> {
    const c = intacctSim.credentials;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${String(c['senderId'])}</senderid><password>${String(c['senderPassword'])}</password><controlid>admin</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><login><userid>${String(c['userId'])}</userid><companyid>${String(c['companyId'])}</companyid><password>${String(c['userPassword'])}</password></login></authentication><content><function controlid="f-${Date.now()}-${Math.random()}">${body}</function></content></operation></request>`;
    const res = await fetch(`${intacctSim.baseUrl}/ia/xml/xmlgw.phtml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    const text = await res.text();
    if (!text.includes('<status>success</status></result>') && !/<result><status>success<\/status>/.test(text)) throw new Error(`Intacct refused: ${text.slice(0, 800)}`);
    return text;
  }

  /** A second Intacct user's connector (vendors edited in Intacct, not by the flow). */
  const intacctUser = (): IntacctConnector =>
    createIntacctConnector(
      { baseUrl: intacctSim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, secrets: { getSecrets: async () => ({ senderPassword: String(intacctSim.credentials['senderPassword']), userPassword: String(intacctSim.credentials['userPassword']) }) } },
      { endpointUrl: `${intacctSim.baseUrl}/ia/xml/xmlgw.phtml`, senderId: String(intacctSim.credentials['senderId']), companyId: String(intacctSim.credentials['companyId']), userId: String(intacctSim.credentials['userId']), keyFields: { vendor: 'VENDORID' }, controlIdPrefix: 'user' },
    );

  return {
    dir,
    store,
    sandbox,
    host,
    runtime: opened.runtime,
    procore,
    intacct,
    deps: base,
    run: (policy?: Partial<F3Policy>, extra: Partial<ProcoreIntacctDeps> = {}) => runProcoreIntacct({ ...base, ...(policy ? { policy: { ...base.policy, ...policy } } : {}), ...extra }, 'manual'),
    retry: (selection: { ids?: number[]; reasonCode?: string } = {}) => retryParked(base, selection),
    replay: (seq: number) => replayAuditEntry(base, seq),
    reconcile: () => reconcileNow(base, () => ({ procore: requestCounters.get('procore').total, intacct: requestCounters.get('intacct').total })),
    calls,
    procoreApi,
    intacctFunction,
    intacctUser,
    intacctState: async (): Promise<Record<string, Json[]>> => (await fetch(`${intacctSim.baseUrl}/_sandbox/state`)).json() as Promise<Record<string, Json[]>>,
    procoreState: async (): Promise<Record<string, Json[]>> => (await fetch(`${procoreSim.baseUrl}/_sandbox/state`)).json() as Promise<Record<string, Json[]>>,
    /** Requests the Intacct simulator answered, by HTTP status (0 = the connection was dropped). */
    intacctRequests: async (): Promise<{ total: number; byStatus: Record<string, number> }> => (await fetch(`${intacctSim.baseUrl}/_sandbox/requests`)).json() as Promise<{ total: number; byStatus: Record<string, number> }>,
    async setFaults(system: 'procore' | 'intacct', spec: string | null): Promise<void> {
      const sim = system === 'procore' ? procoreSim : intacctSim;
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { spec }) });
    },
    async close(): Promise<void> {
      await procore.close();
      await intacct.close();
      await host.close();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type F3Harness = Awaited<ReturnType<typeof openF3Harness>>;

/** The flow as the registry lists it (for sandbox starts elsewhere). */
export const F3_PLUGIN = procoreIntacctFlow as AnyFlowPlugin;

/**
 * What Intacct holds for this flow, as the books see it: every document carrying a Procore key,
 * its type, vendor, total and lines (ids Intacct assigned left out).
 */
export function intacctBooks(state: Record<string, Json[]>) {
  const docs = new Map<string, { type: string; vendor: string; total: string; state: string; lines: { lineNo: string; amount: string; account: string | null; dims: string }[] }[]>();
  const add = (key: string, value: { type: string; vendor: string; total: string; state: string; lines: { lineNo: string; amount: string; account: string | null; dims: string }[] }) => docs.set(key, [...(docs.get(key) ?? []), value]);
  const dims = (l: Json) => ['LOCATIONID', 'DEPARTMENTID', 'PROJECTID', 'TASKID', 'COSTTYPEID', 'CLASSID'].map((f) => String(l[f] ?? '')).join('/');
  for (const b of state['APBILL'] ?? [])
    if (b['PROCORE_ID'])
      add(String(b['PROCORE_ID']), {
        type: 'bill',
        vendor: String(b['VENDORID']),
        total: String(b['TOTALENTERED']),
        state: String(b['STATE']),
        lines: ((b['APBILLITEMS'] ?? []) as Json[]).map((l) => ({ lineNo: String(l['LINE_NO']), amount: String(l['TRX_AMOUNT']), account: String(l['ACCOUNTNO']), dims: dims(l) })),
      });
  for (const p of state['PODOCUMENT'] ?? [])
    if (p['PROCORE_ID'])
      add(String(p['PROCORE_ID']), {
        type: String(p['DOCPARID']),
        vendor: String(p['CUSTVENDID']),
        total: String(p['TOTAL']),
        state: String(p['STATE']),
        lines: ((p['PODOCUMENTENTRIES'] ?? []) as Json[]).map((l) => ({ lineNo: String(l['LINE_NO']), amount: String(l['TOTAL']), account: null, dims: dims(l) })),
      });
  for (const g of state['GLBATCH'] ?? [])
    if (g['REFERENCENO'])
      add(String(g['REFERENCENO']), {
        type: 'journal',
        vendor: '',
        total: '',
        state: String(g['STATE']),
        lines: ((g['ENTRIES'] ?? []) as Json[]).map((l) => ({ lineNo: String(l['LINE_NO'] ?? ''), amount: `${String(l['TR_TYPE']) === '-1' ? '-' : ''}${String(l['TRX_AMOUNT'])}`, account: String(l['ACCOUNTNO']), dims: dims(l) })),
      });
  return docs;
}

/** Books as a sorted list (comparable with toEqual; a key held twice shows). */
export function booksList(books: ReturnType<typeof intacctBooks>): [string, unknown][] {
  return [...books].sort(([a], [b]) => a.localeCompare(b)).map(([key, docs]) => [key, docs.map(({ state: _state, ...rest }) => rest)]);
}
