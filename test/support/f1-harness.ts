import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src-main/connectors/_kit';
import { runExactProcore } from '../../src-main/engine/flows/exact-procore/flow';
import { openF1Runtime, startF1Sandbox, type SandboxRunOptions } from './f1-runtime';
import type { Sandbox } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';

type Json = Record<string, unknown>;

/** A data folder with F1 on the sandbox: store, simulators, runtime, and ways to poke them. */
export async function openF1Harness(opts: Partial<SandboxRunOptions> & { dir?: string } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'mlc-f1-'));
  const sandboxOptions = { seed: opts.seed ?? 1, scale: opts.scale ?? 1, ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}), ...(opts.faults ? { faults: opts.faults } : {}) };
  let store: Store = openStore(dir);
  let sandbox: Sandbox = await startF1Sandbox(dir, sandboxOptions);
  let rt = await openF1Runtime({ store, dataDir: dir, log: silentLogger, sandbox: { seed: sandboxOptions.seed, scale: sandboxOptions.scale }, runningSandbox: sandbox });
  const exactSim = () => sandbox.systems.exact!;
  const procoreSim = () => sandbox.systems.procore!;

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

  return {
    dir,
    get store() {
      return store;
    },
    get sandbox() {
      return sandbox;
    },
    get rt() {
      return rt;
    },
    run: (trigger: 'manual' | 'cli' = 'manual') => runExactProcore(rt.deps, trigger),
    procoreState: async (): Promise<Json> => (await fetch(`${procoreSim().baseUrl}/_sandbox/state`)).json() as Promise<Json>,
    exactState: async (): Promise<Json> => (await fetch(`${exactSim().baseUrl}/_sandbox/state`)).json() as Promise<Json>,
    /** A call to the Exact simulator's REST API as another Exact user would make it (edits, deletes). */
    async exactApi(method: string, path: string, body?: unknown): Promise<Response> {
      const division = exactSim().credentials['division'];
      return fetch(`${exactSim().baseUrl}/api/v1/${division}/${path}`, {
        method,
        headers: { authorization: `Bearer ${await exactToken()}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    },
    async setFaults(system: 'exact' | 'procore', spec: string | null): Promise<void> {
      const sim = system === 'exact' ? exactSim() : procoreSim();
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { spec }) });
    },
    /** Closes and reopens everything on the same folder (a restart of the app). */
    async restart(): Promise<void> {
      await rt.close();
      await sandbox.close();
      store.close();
      store = openStore(dir);
      sandbox = await startF1Sandbox(dir, { seed: sandboxOptions.seed, scale: sandboxOptions.scale });
      rt = await openF1Runtime({ store, dataDir: dir, log: silentLogger, sandbox: { seed: sandboxOptions.seed, scale: sandboxOptions.scale }, runningSandbox: sandbox });
    },
    async close(keepDir = false): Promise<void> {
      await rt.close();
      await sandbox.close();
      store.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type F1Harness = Awaited<ReturnType<typeof openF1Harness>>;

interface ProcoreLine { origin_id: string | null; amount: string; cost_code_id: number | string; line_item_type_id: number | string; contract_id?: number; direct_cost_id?: number; description: string }

/**
 * Procore's state as the books see it, without the ids Procore assigned (they differ between
 * runs): commitments and direct costs keyed by origin id, with status, vendor, totals and lines.
 */
export function booksView(state: Json) {
  const lines = (state['line_items'] ?? []) as (ProcoreLine & { contract_id?: number; holder_id?: number })[];
  const dcLines = (state['direct_cost_line_items'] ?? []) as ProcoreLine[];
  const commitments = ((state['purchase_order_contracts'] ?? []) as Json[]).filter((c) => c['origin_id']);
  const directCosts = ((state['direct_costs'] ?? []) as Json[]).filter((d) => d['origin_id']);
  const linesOf = (all: ProcoreLine[], key: 'contract_id' | 'direct_cost_id', id: unknown) =>
    all
      .filter((l) => String((l as unknown as Json)[key] ?? (l as unknown as Json)['commitment_id'] ?? (l as unknown as Json)['purchase_order_contract_id']) === String(id))
      .map((l) => ({ origin_id: l.origin_id, amount: l.amount, cost_code_id: String(l.cost_code_id), line_item_type_id: String(l.line_item_type_id), description: l.description }))
      .sort((a, b) => String(a.origin_id).localeCompare(String(b.origin_id)));
  return {
    commitments: Object.fromEntries(
      commitments
        .map((c) => [String(c['origin_id']), { status: c['status'], vendor: String((c['vendor'] as Json | undefined)?.['id'] ?? c['vendor_id']), grand_total: c['grand_total'], title: c['title'], lines: linesOf(lines, 'contract_id', c['id']) }] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    directCosts: Object.fromEntries(
      directCosts
        .map((d) => [String(d['origin_id']), { vendor: String(d['vendor_id'] ?? (d['vendor'] as Json | undefined)?.['id']), invoice_number: d['invoice_number'], grand_total: d['grand_total'] ?? d['amount'], lines: linesOf(dcLines, 'direct_cost_id', d['id']) }] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    duplicateCommitmentOrigins: commitments.length - new Set(commitments.map((c) => c['origin_id'])).size,
    duplicateDirectCostOrigins: directCosts.length - new Set(directCosts.map((d) => d['origin_id'])).size,
  };
}
