/**
 * F5 (Exact Online → Coupa) on the sandbox: API calls against the minimal plan for the data, and
 * how much of Coupa's 25 requests/s a paced run uses. Issue 14's targets: calls ≤ 1.05 × the
 * minimal plan; a run paced at 25 requests/s uses ≥ 90 % of it with 0 avoidable 429s.
 *
 *   npm run bench -- exact-coupa [--scale S] [--seed N] [--paced-scale P]
 *
 * Two initial syncs on fresh data folders, in this process (simulators included, as
 * `sync exact-coupa --sandbox` runs them):
 *  1. at --scale (default 20) with the app sandbox's relaxed Coupa limit: calls vs the minimal
 *     plan, records/s, wall, peak RSS;
 *  2. at --paced-scale (default 2) with Coupa's own limit (25/s, 20 queued, then 429): Coupa's
 *     request log gives the requests served per second while the flow writes, and the 429s.
 * The second uses the next seed: Exact's 60 calls/minute budget is per client and division and
 * process-wide (as in the app), and another seed is another sandbox client.
 *
 * Minimal plan (by the documented page and batch sizes):
 *   Exact:  ⌈account sync rows / 1000⌉ (≥ 1, the supplier feed) + ⌈PO sync rows / 1000⌉ (≥ 1)
 *           + ⌈distinct items on PO lines / 20⌉ + 1 sync/Deleted page + ⌈purchase entries / 60⌉ (≥ 1)
 *           + ⌈distinct suppliers of entries / 20⌉ + ⌈distinct projects of entry lines / 20⌉
 *   Coupa:  1 token; suppliers: ⌈Exact suppliers / 50⌉ by number + ⌈those Coupa lacks / 50⌉ by
 *           name + 1 POST per supplier created; POs: ⌈POs written / 50⌉ lookups + 1 address list
 *           page per 50 addresses + 1 POST each; invoices: ⌈invoices written / 50⌉ lookups + 2
 *           each (POST the draft, PUT submit). Each natural-key lookup is counted once: it is
 *           what makes a write safe to repeat. Parked records need no write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runExactCoupa } from '../src-main/engine/flows/exact-coupa/flow';
import { F5_FLOW } from '../src-main/engine/flows/exact-coupa/model';
import { generateWorld } from '../src-main/sandbox/seed/world';
import { openStore } from '../src-main/store';
import { openF5Runtime, startF5Sandbox } from '../test/support/f5-harness';

type Row = Record<string, unknown>;

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    'paced-scale': { type: 'string', default: '2' },
  },
});
const scale = Number(values.scale);
const pacedScale = Number(values['paced-scale']);
const seed = Number(values.seed);
if (![scale, pacedScale].every((n) => Number.isSafeInteger(n) && n >= 1) || !Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write(`exact-coupa bench: --scale and --paced-scale must be whole numbers >= 1 and --seed >= 0, got ${values.scale} / ${values['paced-scale']} / ${values.seed}\n`);
  process.exit(2);
}

const pages = (n: number, size: number): number => Math.ceil(n / size);
const distinct = (list: unknown[]): number => new Set(list.filter((v) => v !== null && v !== undefined && v !== '')).size;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const state = async (baseUrl: string): Promise<Row> => (await fetch(`${baseUrl}/_sandbox/state`)).json() as Promise<Row>;

async function measureSync(worldSeed: number, syncScale: number, coupaPerSecond?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-f5-'));
  const store = openStore(dir);
  const sandbox = await startF5Sandbox(dir, { seed: worldSeed, scale: syncScale, ...(coupaPerSecond ? { coupaPerSecond } : {}) });
  try {
    const coupaBefore = await state(sandbox.systems.coupa!.baseUrl);
    const rt = await openF5Runtime({ store, dataDir: dir, sandbox: { seed: worldSeed, scale: syncScale }, runningSandbox: sandbox });
    try {
      sandbox.systems.coupa!.requests.reset();
      const started = performance.now();
      const summary = await runExactCoupa(rt.deps, 'cli');
      const wallMs = performance.now() - started;
      if (summary.status !== 'succeeded') throw new Error(`the sync did not succeed: ${summary.error ?? summary.status}`);
      return {
        summary,
        apiCalls: rt.apiCalls(),
        wallMs,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        parked: store.parked.listOpen(F5_FLOW).length,
        exactState: await state(sandbox.systems.exact!.baseUrl),
        coupaBefore,
        coupaAfter: await state(sandbox.systems.coupa!.baseUrl),
        requests: sandbox.systems.coupa!.requests.recent(5_000),
        requestSummary: sandbox.systems.coupa!.requests.summary(),
      };
    } finally {
      await rt.close();
    }
  } finally {
    await sandbox.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fewest calls that read this source and write what was written (formula in the header). */
function minimalPlan(exact: Row, before: Row, after: Row, worldSeed: number, worldScale: number) {
  const poLines = exact['PurchaseOrderLines'] as Row[];
  const entries = exact['PurchaseEntries'] as Row[];
  const entryLines = exact['PurchaseEntryLines'] as Row[];
  const accounts = exact['Accounts'] as Row[];
  const exactPlan = {
    supplierFeedPages: Math.max(1, pages(accounts.length, 1000)),
    purchaseOrderSyncPages: Math.max(1, pages(poLines.length, 1000)),
    itemLookups: pages(distinct(poLines.map((l) => l['Item'])), 20),
    deletedPages: 1,
    purchaseEntryPages: Math.max(1, pages(entries.length, 60)),
    supplierLookups: pages(distinct(entries.map((e) => e['Supplier'])), 20),
    projectLookups: pages(distinct(entryLines.map((l) => l['Project'])), 20),
  };
  const count = (s: Row, kind: string) => ((s[kind] ?? []) as Row[]).length;
  const exactSuppliers = accounts.filter((a) => a['IsSupplier'] === true).length;
  const suppliersCreated = count(after, 'suppliers') - count(before, 'suppliers');
  const posWritten = count(after, 'purchase_orders') - count(before, 'purchase_orders');
  const invoicesWritten = count(after, 'invoices') - count(before, 'invoices');
  const world = generateWorld(worldSeed, worldScale);
  const coupaPlan = {
    token: 1,
    supplierLookups: pages(exactSuppliers, 50) + pages(suppliersCreated, 50),
    supplierWrites: suppliersCreated,
    addressPages: Math.max(1, pages(world.projects.length + 1, 50)),
    purchaseOrderLookups: pages(posWritten, 50),
    purchaseOrderWrites: posWritten,
    invoiceLookups: pages(invoicesWritten, 50),
    invoiceWrites: 2 * invoicesWritten,
  };
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  return {
    exact: sum(exactPlan),
    coupa: sum(coupaPlan),
    exactParts: exactPlan,
    coupaParts: coupaPlan,
    written: { suppliersCreated, purchaseOrders: posWritten, invoices: invoicesWritten },
    sourceLines: poLines.length + entryLines.length,
    sourceRecords: exactSuppliers + (exact['PurchaseOrders'] as Row[]).length + entries.length,
  };
}

/** Requests Coupa served per second while the flow wrote one kind of record (its first to its last write). */
function servedRate(requests: { at: string; method: string; path: string; status: number }[], writes: (r: { method: string; path: string }) => boolean) {
  const api = requests.filter((r) => r.path.startsWith('/api/'));
  const own = api.filter(writes);
  if (own.length < 2) return null;
  const from = Date.parse(own[0]!.at);
  const to = Date.parse(own.at(-1)!.at);
  const calls = api.filter((r) => Date.parse(r.at) >= from && Date.parse(r.at) <= to).length;
  const seconds = (to - from) / 1000;
  return { calls, seconds: round(seconds), perSecond: round((calls - 1) / seconds), utilisation: round((calls - 1) / seconds / 25, 3) };
}

const benchStarted = performance.now();
const fast = await measureSync(seed, scale);
const plan = minimalPlan(fast.exactState, fast.coupaBefore, fast.coupaAfter, seed, scale);
const paced = await measureSync(seed + 1, pacedScale, 25);
const isInvoice = (r: { path: string }) => r.path.startsWith('/api/invoices');
const pacedApi = paced.requests.filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/oauth2/'));
const firstAt = Date.parse(pacedApi[0]!.at);
const lastAt = Date.parse(pacedApi.at(-1)!.at);

process.stdout.write(
  `${JSON.stringify({
    bench: 'exact-coupa',
    seed,
    scale,
    records: { source: plan.sourceRecords, sourceLines: plan.sourceLines, ...plan.written, parked: fast.parked },
    calls: {
      exact: { made: fast.apiCalls.exact, minimal: plan.exact, ratio: round(fast.apiCalls.exact / plan.exact, 3), parts: plan.exactParts },
      coupa: { made: fast.apiCalls.coupa, minimal: plan.coupa, ratio: round(fast.apiCalls.coupa / plan.coupa, 3), parts: plan.coupaParts, byMethod: fast.requestSummary.byMethod },
      target: 1.05,
    },
    relaxedLimit: {
      wallS: round(fast.wallMs / 1000),
      recordsPerS: round((fast.summary.counts.read * 1000) / fast.wallMs),
      peakRssMb: round(fast.peakRssMb, 0),
    },
    pacedAt25PerS: {
      scale: pacedScale,
      coupaCalls: paced.apiCalls.coupa,
      wallS: round(paced.wallMs / 1000),
      whileWritingInvoices: servedRate(paced.requests, (r) => isInvoice(r) && r.method !== 'GET'),
      whileWritingPurchaseOrders: servedRate(paced.requests, (r) => r.path.startsWith('/api/purchase_orders') && r.method === 'POST'),
      firstToLastCoupaCall: { seconds: round((lastAt - firstAt) / 1000), perSecond: round((pacedApi.length - 1) / ((lastAt - firstAt) / 1000)) },
      status429: paced.requestSummary.byStatus['429'] ?? 0,
      target: { utilisation: 0.9, status429: 0 },
    },
    benchWallS: round((performance.now() - benchStarted) / 1000),
  })}\n`,
);
