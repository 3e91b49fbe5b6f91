/**
 * F3 (Procore → Sage Intacct) on the sandbox: API calls and Intacct functions against the
 * minimal plan for the data, records per second and peak RSS. Issue 16's target: calls and
 * functions ≤ 1.05 × the minimal plan (batching functions per request).
 *
 *   npm run bench -- procore-intacct [--scale S] [--seed N] [--latency-scale S]
 *
 * An initial sync on a fresh data folder at --scale with zero latency (calls, functions,
 * records/s), then an idle poll on the same folder, then an initial sync at --latency-scale with
 * 50 ms per API call (records/s when the network dominates). In this process, simulators
 * included, as `sync procore-intacct --sandbox` runs them. Prints ONE JSON object.
 *
 * Minimal plan (documented page and batch sizes; F = 50 functions per request, Q = 2,000 rows
 * per `query` page, K = 100 keys per look-up, Procore pages of 1,000):
 *   Intacct requests: 1 sign-in + ⌈changed vendors / Q⌉ + 1 reference request (nine objects, one
 *     `query` each) + 1 more when an object has more than Q rows + ⌈documents of a type / F⌉ per
 *     document type written + ⌈keyed bills / Q⌉ for payment status.
 *   Intacct functions: 1 getAPISession + the vendor pages + one `query` per reference page +
 *     one function per document written + the bill-status pages.
 *   Procore: 1 token; vendors ⌈active⌉ + ⌈inactive⌉; the run's reference (vendors ⌈active⌉ +
 *     projects ⌈P⌉); commitments ⌈P⌉ + per project ⌈POs⌉ + ⌈WOs⌉ + 1 SOV list per live
 *     commitment; change orders ⌈P⌉ + per project ⌈CCOs⌉ + its cost codes + 1 line item types
 *     (CCO lines carry ids only); pay applications ⌈P⌉ + per project ⌈invoices⌉ + 2 per
 *     approved invoice (contract and change-order items) + 2 per project with one (cost codes,
 *     commitments) + 1 line item types; tasks: per mapped project its cost codes; writes:
 *     ⌈new vendors / 1000⌉ + one cost code sync per project that lacks a task. Each Procore
 *     stream walks the projects itself (the shared read side, decision 0017), so ⌈P⌉ is counted
 *     per stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src-main/connectors/_kit';
import type { IntacctConnector } from '../src-main/connectors/sage-intacct';
import { procoreIntacctFlow } from '../src-main/engine/flows/procore-intacct';
import type { AnyFlowPlugin } from '../src-main/engine/flows/types';
import { openFlowHost } from '../src-main/host/flow-host';
import { startSandboxFor } from '../src-main/host/systems';
import { openStore } from '../src-main/store';

type Row = Record<string, unknown>;

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    'latency-scale': { type: 'string', default: '1' },
  },
});
const scale = Number(values.scale);
const seed = Number(values.seed);
const latencyScale = Number(values['latency-scale']);
if (![scale, latencyScale].every((n) => Number.isSafeInteger(n) && n >= 1) || !Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write('procore-intacct bench: --scale and --latency-scale must be whole numbers >= 1, --seed >= 0\n');
  process.exit(2);
}

const FLOW = procoreIntacctFlow as AnyFlowPlugin;
const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

async function measure(worldScale: number, latencyMs: number, withIdle: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-f3-'));
  const store = openStore(dir);
  const sandbox = await startSandboxFor([FLOW], dir, { seed, scale: worldScale, latencyMs });
  const host = await openFlowHost({ store, dataDir: dir, log: silentLogger, sandbox: { seed, scale: worldScale }, runningSandbox: sandbox, only: [FLOW.id] });
  try {
    const flow = host.flows.get(FLOW.id)!;
    const intacct = flow.connections.find((c) => c.system === 'sage-intacct')!.connector as IntacctConnector;
    const start = host.hub.apiCalls();
    const t0 = performance.now();
    const summary = await flow.runtime.run({ trigger: 'cli' });
    const wallMs = performance.now() - t0;
    const end = host.hub.apiCalls();
    const functions = intacct.counts();
    const calls = { procore: (end['procore'] ?? 0) - (start['procore'] ?? 0), intacct: (end['intacct'] ?? 0) - (start['intacct'] ?? 0) };
    let idle: { procore: number; intacct: number } | null = null;
    if (withIdle) {
      const before = host.hub.apiCalls();
      await flow.runtime.run({ trigger: 'cli' });
      const after = host.hub.apiCalls();
      idle = { procore: (after['procore'] ?? 0) - (before['procore'] ?? 0), intacct: (after['intacct'] ?? 0) - (before['intacct'] ?? 0) };
    }
    const procoreState = (await (await fetch(`${sandbox.systems.procore!.baseUrl}/_sandbox/state`)).json()) as Record<string, Row[]>;
    const intacctState = (await (await fetch(`${sandbox.systems.intacct!.baseUrl}/_sandbox/state`)).json()) as Record<string, Row[]>;
    return { summary, wallMs, calls, functions, idle, procoreState, intacctState };
  } finally {
    await host.close();
    await sandbox.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The minimal plan for what the sync found and wrote (see the header). */
function minimalPlan(procore: Record<string, Row[]>, intacct: Record<string, Row[]>) {
  const projects = procore['projects'] ?? [];
  const P = projects.length;
  const byProject = (rows: Row[], key: (r: Row) => unknown) => projects.map((p) => rows.filter((r) => String(key(r)) === String(p['id'])).length);
  const projectOf = (r: Row) => (r['project'] as Row | undefined)?.['id'] ?? r['project_id'];
  const pos = procore['purchase_order_contracts'] ?? [];
  const wos = procore['work_order_contracts'] ?? [];
  const vendors = procore['vendors'] ?? [];
  const approved = (procore['requisitions'] ?? []).filter((r) => ['approved', 'approved_as_noted'].includes(String(r['status'])));
  const flowVendors = vendors.filter((v) => String(v['origin_data'] ?? '').startsWith('Sage Intacct vendor'));
  const createdCodes = (procore['cost_codes'] ?? []).filter((c) => String(c['origin_data'] ?? '').startsWith('Sage Intacct task'));
  const procoreCalls =
    1 +
    pages(vendors.filter((v) => v['is_active'] !== false).length - flowVendors.length, 1000) +
    pages(vendors.filter((v) => v['is_active'] === false).length, 1000) +
    pages(vendors.length, 1000) +
    pages(P, 1000) +
    (pages(P, 1000) + byProject(pos, projectOf).reduce((n, k) => n + pages(k, 1000), 0) + byProject(wos, projectOf).reduce((n, k) => n + pages(k, 1000), 0) + [...pos, ...wos].filter((c) => !c['deleted_at']).length) +
    (pages(P, 1000) + byProject(procore['commitment_change_orders'] ?? [], (r) => r['project_id']).reduce((n, k) => n + pages(k, 1000), 0) + P + 1) +
    (pages(P, 1000) + byProject(procore['requisitions'] ?? [], (r) => r['project_id']).reduce((n, k) => n + pages(k, 1000), 0) + 2 * approved.length + 2 * new Set(approved.map((r) => String(r['project_id']))).size + 1) +
    P +
    (flowVendors.length > 0 ? pages(flowVendors.length, 1000) : 0) +
    new Set(createdCodes.map((c) => String(c['project_id']))).size;

  const keyed = (rows: Row[] | undefined, field: string) => (rows ?? []).filter((r) => String(r[field] ?? '').startsWith('procore-')).length;
  const purchasing = keyed(intacct['PODOCUMENT'], 'PROCORE_ID');
  const bills = keyed(intacct['APBILL'], 'PROCORE_ID');
  const journals = keyed(intacct['GLBATCH'], 'REFERENCENO');
  const referenceObjects = ['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'TASK', 'COSTTYPE', 'CLASS', 'VENDOR', 'ITEM'];
  const referencePages = referenceObjects.reduce((n, o) => n + pages((intacct[o] ?? []).length, 2000), 0);
  const vendorPages = pages((intacct['VENDOR'] ?? []).length, 2000);
  const writes = (n: number) => (n > 0 ? Math.ceil(n / 50) : 0);
  const intacctRequests = 1 + vendorPages + 1 + (referencePages > referenceObjects.length ? 1 : 0) + writes(purchasing) + writes(bills) + writes(journals) + pages(bills, 2000);
  const intacctFunctions = 1 + vendorPages + referencePages + purchasing + bills + journals + pages(bills, 2000);
  return { procore: procoreCalls, intacct: intacctRequests, intacctFunctions, documents: { purchasing, bills, journals } };
}

const sum = (rows: Row[] | undefined, field: string): string => {
  let cents = 0n;
  for (const r of rows ?? []) if (String(r['PROCORE_ID'] ?? '').startsWith('procore-')) cents += BigInt(String(r[field] ?? '0').replace('.', ''));
  const s = cents.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
};

const main = await measure(scale, 0, true);
const plan = minimalPlan(main.procoreState, main.intacctState);
const latency = await measure(latencyScale, 50, false);
clearInterval(sampler);
const ratio = (actual: number, minimal: number): number => Math.round((actual / minimal) * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({
    bench: 'procore-intacct',
    seed,
    scale,
    run: { status: main.summary.status, ...main.summary.counts },
    posted: { ...plan.documents, purchasingTotal: sum(main.intacctState['PODOCUMENT'], 'TOTAL'), billsTotal: sum(main.intacctState['APBILL'], 'TOTALENTERED') },
    apiCalls: main.calls,
    intacctFunctions: main.functions.functions,
    intacctByFunction: main.functions.byFunction,
    minimalPlan: { procore: plan.procore, intacct: plan.intacct, intacctFunctions: plan.intacctFunctions },
    ratio: { procore: ratio(main.calls.procore, plan.procore), intacct: ratio(main.calls.intacct, plan.intacct), intacctFunctions: ratio(main.functions.functions, plan.intacctFunctions) },
    idlePoll: main.idle,
    wallS: Math.round(main.wallMs / 10) / 100,
    recordsPerS: Math.round(main.summary.counts.read / (main.wallMs / 1000)),
    at50msLatency: { scale: latencyScale, wallS: Math.round(latency.wallMs / 10) / 100, recordsPerS: Math.round(latency.summary.counts.read / (latency.wallMs / 1000)), apiCalls: latency.calls },
    peakRssMb: Math.round(peakRss / 1e6),
  })}\n`,
);
