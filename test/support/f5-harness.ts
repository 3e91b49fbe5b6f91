import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src-shared/domain/money';
import { silentLogger } from '../../src-main/connectors/_kit';
import { exactCoupaDeps, exactCoupaFlow } from '../../src-main/engine/flows/exact-coupa';
import { runExactCoupa, type ExactCoupaDeps } from '../../src-main/engine/flows/exact-coupa/flow';
import { F5_MAPPING_SETS } from '../../src-main/engine/flows/exact-coupa/mappings';
import { F5_FLOW } from '../../src-main/engine/flows/exact-coupa/model';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { openFlowHost, type FlowHost } from '../../src-main/host/flow-host';
import { APP_SANDBOX_CONFIG, startSandboxFor, type SandboxRunOptions } from '../../src-main/host/systems';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';

type Json = Record<string, unknown>;

/**
 * The Exact Online and Coupa simulators as F5 uses them (same data folder, the app's sandbox
 * switches); `coupaPerSecond` gives Coupa's instance limit instead of the app sandbox's relaxed
 * one (25 = Coupa's documented limit, with its queue of 20).
 */
export function startF5Sandbox(dataDir: string, opts: SandboxRunOptions & { coupaPerSecond?: number }): Promise<Sandbox> {
  if (opts.coupaPerSecond === undefined) return startSandboxFor([exactCoupaFlow as AnyFlowPlugin], dataDir, opts);
  return startSandbox({
    dataDir,
    systems: ['exact', 'coupa'],
    seed: opts.seed,
    scale: opts.scale,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    config: {
      ...APP_SANDBOX_CONFIG,
      // Tests edit Exact between syncs through its API: at Exact's 60 calls a minute a fast machine
      // runs several syncs within one minute and the test's own edit met a 429 (the connector waits
      // those out; a test's direct call does not). The rate-limit path has tests of its own.
      exact: { ...APP_SANDBOX_CONFIG.exact, minutelyLimit: 100_000, errorsPerHour: 100_000 },
      coupa: { rateLimitPerSecond: opts.coupaPerSecond, rateLimitQueue: 20 },
    },
  });
}

/** F5 opened the way the app opens it (the flow host over its connections), with its dependencies and the API calls made since. */
export async function openF5Runtime(opts: { store: Store; dataDir: string; sandbox: SandboxRunOptions; runningSandbox: Sandbox }) {
  const host: FlowHost = await openFlowHost({ store: opts.store, dataDir: opts.dataDir, log: silentLogger, sandbox: opts.sandbox, runningSandbox: opts.runningSandbox, only: [F5_FLOW] });
  const flow = host.flows.get(F5_FLOW);
  if (!flow) {
    await host.close();
    throw new Error(host.unavailable.get(F5_FLOW)?.reason ?? 'F5 did not open');
  }
  const [exact, coupa] = flow.connections;
  const deps: ExactCoupaDeps = exactCoupaDeps({
    store: opts.store,
    connectors: { 'exact-online': exact!.connector as never, coupa: coupa!.connector as never },
    connectionIds: { 'exact-online': exact!.connection.id, coupa: coupa!.connection.id },
    sharedReads: host.hub.sharedReads,
  });
  const start = host.hub.apiCalls();
  return {
    deps,
    flow,
    apiCalls() {
      const now = host.hub.apiCalls();
      return { exact: (now['exact'] ?? 0) - (start['exact'] ?? 0), coupa: (now['coupa'] ?? 0) - (start['coupa'] ?? 0) };
    },
    close: () => host.close(),
  };
}

export type F5Runtime = Awaited<ReturnType<typeof openF5Runtime>>;

/** A data folder with F5 on the sandbox: store, simulators, runtime, and ways to act in either system as its users would. */
export async function openF5Harness(opts: Partial<SandboxRunOptions> & { dir?: string; coupaPerSecond?: number } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'mlc-f5-'));
  const options: SandboxRunOptions & { coupaPerSecond?: number } = {
    seed: opts.seed ?? 1,
    scale: opts.scale ?? 1,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.coupaPerSecond !== undefined ? { coupaPerSecond: opts.coupaPerSecond } : {}),
  };
  const store = openStore(dir);
  const sandbox = await startF5Sandbox(dir, options);
  const rt = await openF5Runtime({ store, dataDir: dir, sandbox: { seed: options.seed, scale: options.scale }, runningSandbox: sandbox });
  const exactSim = () => sandbox.systems.exact!;
  const coupaSim = () => sandbox.systems.coupa!;

  async function exactToken(): Promise<string> {
    const c = exactSim().credentials as { clientId: string; clientSecret: string; redirectUri: string };
    const auth = await fetch(`${exactSim().baseUrl}/api/oauth2/auth?${new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: 's' })}`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const res = await fetch(`${exactSim().baseUrl}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: c.redirectUri, client_id: c.clientId, client_secret: c.clientSecret }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  let coupaToken: string | null = null;
  async function coupaAccess(): Promise<string> {
    if (coupaToken) return coupaToken;
    const c = coupaSim().credentials as { clientId: string; clientSecret: string };
    const res = await fetch(`${coupaSim().baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'core.supplier.read core.supplier.write core.invoice.read core.invoice.write core.purchase_order.read core.purchase_order.write' }),
    });
    coupaToken = ((await res.json()) as { access_token: string }).access_token;
    return coupaToken;
  }

  const state = async (baseUrl: string): Promise<Json> => (await fetch(`${baseUrl}/_sandbox/state`)).json() as Promise<Json>;

  return {
    dir,
    store,
    sandbox,
    rt,
    run: (deps: ExactCoupaDeps = rt.deps) => runExactCoupa(deps, 'manual'),
    coupaState: () => state(coupaSim().baseUrl),
    exactState: () => state(exactSim().baseUrl),
    /** A call to Exact's API as another Exact user would make it (edits, deletes, new entries). */
    async exactApi(method: string, path: string, body?: unknown): Promise<Response> {
      const division = exactSim().credentials['division'];
      const call = async () =>
        fetch(`${exactSim().baseUrl}/api/v1/${division}/${path}`, {
          method,
          headers: { authorization: `Bearer ${await exactToken()}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      let res = await call();
      // Another Exact user's client waits out a 429 too (this harness's flows share the division).
      for (let attempt = 0; res.status === 429 && attempt < 3; attempt += 1) {
        const reset = Number(res.headers.get('x-ratelimit-minutely-reset') ?? res.headers.get('x-ratelimit-reset') ?? 0);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, Math.max(200, reset - Date.now()))));
        res = await call();
      }
      if (res.status === 429) throw new Error(`Exact answered 429 to ${method} ${path} three times: ${await res.text()}`);
      return res;
    },
    /** A call to Coupa's API as a Coupa user would make it (approve an invoice, edit a supplier). */
    async coupaApi(method: string, path: string, body?: unknown): Promise<Response> {
      return fetch(`${coupaSim().baseUrl}/api/${path}`, {
        method,
        headers: { authorization: `Bearer ${await coupaAccess()}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    },
    async setFaults(system: 'exact' | 'coupa', spec: string | null): Promise<void> {
      const sim = system === 'exact' ? exactSim() : coupaSim();
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { clear: true, spec }) });
    },
    /** Changes some Coupa settings (a new version of the settings table). */
    setSettings(values: Record<string, string>): void {
      const set = store.mappings.getSet(F5_FLOW, F5_MAPPING_SETS.settings)!;
      const rows = store.mappings.rows(store.mappings.currentVersion(set.id)!.id);
      const next = rows.map((r) => {
        const name = (r.sourceKey as { setting: string }).setting;
        return name in values ? { sourceKey: r.sourceKey, target: { value: values[name]! } } : r;
      });
      store.mappings.createVersion(set.id, next, 'test: settings');
    },
    addMappingRows(set: string, rows: { sourceKey: Record<string, string | null>; target: Record<string, string> }[]): void {
      const existing = store.mappings.ensureSet(F5_FLOW, set);
      const current = store.mappings.currentVersion(existing.id);
      store.mappings.createVersion(existing.id, [...(current ? store.mappings.rows(current.id) : []), ...rows], 'test: rows');
    },
    async close(keepDir = false): Promise<void> {
      await rt.close();
      await sandbox.close();
      store.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type F5Harness = Awaited<ReturnType<typeof openF5Harness>>;

type Row = Record<string, unknown>;

/**
 * Coupa's records as the books see them, keyed by their natural keys, without the ids Coupa
 * assigned: POs with status, supplier, lines and total; invoices with status, totals and lines;
 * suppliers with their synced fields. Counts per key show a duplicate.
 */
export function coupaBooks(state: Json) {
  const pos = (state['purchase_orders'] ?? []) as Row[];
  const invoices = (state['invoices'] ?? []) as Row[];
  const suppliers = (state['suppliers'] ?? []) as Row[];
  const count = (keys: string[]) => keys.length - new Set(keys).size;
  const ref = (v: unknown, k: string) => (v && typeof v === 'object' ? ((v as Row)[k] as string | undefined) ?? null : null);
  return {
    purchaseOrders: Object.fromEntries(
      pos.map((p) => {
        const lines = ((p['order-lines'] ?? []) as Row[]).map((l) => ({ lineNum: l['line-num'], description: l['description'], quantity: l['quantity'], price: l['price'], total: String(l['total']), account: ref(l['account'], 'code') }));
        // Coupa's PO header carries no total: the books add its lines, to the cent.
        const total = Decimal.sum(lines.map((l) => Decimal.parse(l.total))).toMoneyString();
        return [String(p['po-number']), { status: p['status'], version: p['version'], supplier: ref(p['supplier'], 'number'), total, lines }];
      }),
    ),
    invoices: Object.fromEntries(
      invoices.map((i) => [
        `${ref(i['supplier'], 'number')}/${String(i['invoice-number'])}`,
        {
          status: i['status'],
          creditNote: i['is-credit-note'],
          originalInvoiceNumber: i['original-invoice-number'],
          gross: i['gross-total'],
          lines: ((i['invoice-lines'] ?? []) as Row[]).map((l) => ({ lineNum: l['line-num'], price: l['price'], quantity: l['quantity'], total: l['total'], tax: l['tax-amount'], account: ref(l['account'], 'code'), orderLineId: l['order-line-id'] ?? null })),
        },
      ]),
    ),
    suppliers: Object.fromEntries(suppliers.map((s) => [String(s['number'] ?? `#${String(s['id'])}`), { name: s['name'], status: s['status'], taxId: s['tax-id'], email: ref(s['primary-contact'], 'email') }])),
    duplicates: count(pos.map((p) => String(p['po-number']))) + count(invoices.map((i) => `${ref(i['supplier'], 'number')}/${String(i['invoice-number'])}`)) + count(suppliers.filter((s) => s['number']).map((s) => String(s['number']))),
  };
}
