/**
 * F4 (Exact Online → monday.com) on the sandbox: API calls against the minimal plan, how much of
 * monday's per-minute complexity budget a paced run uses, and memory. Issue 13's targets: calls
 * ≤ 1.05 × the minimal plan; a run paced at the documented budget (10,000,000 points a minute
 * for personal tokens, fact sheet §4.6) uses ≥ 90 % of it with 0 avoidable errors.
 *
 *   npm run bench -- exact-monday [--scale S] [--seed N]
 *
 * One initial sync on a fresh data folder, simulators in this process (as `sync --sandbox` runs
 * them), then one idle sync. monday's waits for the next complexity window move the simulator's
 * clock instead of sleeping, so a run that needs several minutes of budget takes seconds; the
 * windows are the simulator's own accounting (`/_sandbox/state` complexity_windows). Prints ONE
 * JSON object.
 *
 * Minimal plan (by the documented page sizes and the complexity ceiling; connector READMEs):
 *   Exact:  purchase orders ⌊sync rows/1000⌋+1 pages + ⌈distinct items/20⌉ item lookups
 *           + sales invoices ⌊sync rows/1000⌋+1 pages + ⌈distinct G/L accounts/20⌉ lookups
 *           + sales orders ⌊header rows/1000⌋+1 + ⌊line rows/1000⌋+1 pages + ⌈orders/20⌉ whole-order reads
 *             + ⌈distinct revenue items not met on purchase orders/20⌉ lookups
 *           + ⌈distinct customers of invoices and orders/20⌉ lookups
 *           + 1 sync/Deleted page (one read for every kind: purchase orders, sales invoices, sales orders)
 *   monday: per board with documents: 1 board read + ⌈items/100⌉ key lookups (100 keys a
 *           request) + ⌈items/166⌉ creates (166 = ⌊5,000,000 points a query / 30,001 a create⌋).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openF4Harness } from '../test/flows/exact-monday.harness';

type Row = Record<string, unknown>;

const { values } = parseArgs({ options: { scale: { type: 'string', default: '5' }, seed: { type: 'string', default: '1' } } });
const scale = Number(values.scale);
const seed = Number(values.seed);
if (!Number.isSafeInteger(scale) || scale < 1 || !Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write(`exact-monday bench: --scale must be a whole number >= 1 and --seed >= 0, got ${values.scale} / ${values.seed}\n`);
  process.exit(2);
}

const pages = (rows: number, size: number): number => Math.floor(rows / size) + 1;
const lookups = (n: number, size = 20): number => Math.ceil(n / size);
const distinct = (values: unknown[]): Set<string> => new Set(values.filter((v) => v !== null && v !== undefined && v !== '').map(String));
const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const CREATES_PER_QUERY = Math.floor(5_000_000 / 30_001);

function exactPlan(exact: Record<string, Row[]>) {
  const poLines = exact['PurchaseOrderLines']!;
  const siLines = exact['SalesInvoiceLines']!;
  const soLines = exact['SalesOrderLines']!;
  const poItems = distinct(poLines.map((l) => l['Item']));
  const soItems = [...distinct(soLines.map((l) => l['Item']))].filter((i) => !poItems.has(i));
  const customers = distinct([...exact['SalesInvoices']!.map((i) => i['InvoiceTo']), ...exact['SalesOrders']!.map((o) => o['OrderedBy'])]);
  return {
    purchaseOrderPages: pages(exact['sync_PurchaseOrders']!.length, 1000),
    itemLookups: lookups(poItems.size),
    salesInvoicePages: pages(exact['sync_SalesInvoices']!.length, 1000),
    glAccountLookups: lookups(distinct(siLines.map((l) => l['GLAccount'])).size),
    salesOrderFeedPages: pages(exact['sync_SalesOrderHeaders']!.length, 1000) + pages(exact['sync_SalesOrderLines']!.length, 1000),
    salesOrderReads: lookups(exact['SalesOrders']!.length),
    revenueItemLookups: lookups(soItems.length),
    customerLookups: lookups(customers.size),
    deletedPages: 1,
  };
}

function mondayPlan(byBoard: Map<string, number>) {
  let boards = 0;
  let keyLookups = 0;
  let creates = 0;
  for (const n of byBoard.values()) {
    if (n === 0) continue;
    boards += 1;
    keyLookups += Math.ceil(n / 100);
    creates += Math.ceil(n / CREATES_PER_QUERY);
  }
  return { boardReads: boards, keyLookups, creates };
}

const h = await openF4Harness({ seed, scale, virtualMonday: {} });
try {
  const mondayStart = h.sandbox.systems.monday!.clock.now();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await h.run('cli');
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  if (summary.status !== 'succeeded') throw new Error(`the sync did not succeed: ${summary.error ?? summary.status}`);
  const calls = h.apiCalls();
  const virtualMs = h.sandbox.systems.monday!.clock.now() - mondayStart;
  const statuses = h.mondayStatuses();
  const exact = await h.exactState();
  const monday = (await h.mondayState()) as unknown as { items: Row[]; complexity_windows: { key: string; limit: number; startedAt: string; used: number }[] };
  const byBoard = new Map<string, number>();
  for (const item of monday.items) byBoard.set(String((item['board'] as Row)['id']), (byBoard.get(String((item['board'] as Row)['id'])) ?? 0) + 1);
  const exactParts = exactPlan(exact);
  const mondayParts = mondayPlan(byBoard);
  const plan = { exact: sum(exactParts), monday: sum(mondayParts) };

  // Every window the run filled and left: the last one was still open when the run ended.
  const windows = monday.complexity_windows;
  const full = windows.slice(0, -1);
  const used = full.reduce((a, w) => a + w.used, 0);
  const limit = full.reduce((a, w) => a + w.limit, 0);

  const idleBefore = h.apiCalls();
  const idle = await h.run('cli');
  const idleAfter = h.apiCalls();

  process.stdout.write(
    `${JSON.stringify({
      bench: 'exact-monday',
      seed,
      scale,
      documents: monday.items.length,
      source_lines: exact['PurchaseOrderLines']!.length + exact['SalesInvoiceLines']!.length + exact['SalesOrderLines']!.length,
      records: summary.counts,
      api_calls: calls,
      minimal_plan: plan,
      calls_vs_minimal: { exact: round(calls.exact / plan.exact, 3), monday: round(calls.monday / plan.monday, 3), total: round((calls.exact + calls.monday) / (plan.exact + plan.monday), 3) },
      minimal_plan_parts: { exact: exactParts, monday: mondayParts },
      complexity: {
        budget_per_minute: windows[0]?.limit ?? null,
        // How full each minute the run spent was, in the simulator's own accounting.
        windows: windows.map((w) => ({ startedAt: w.startedAt, used: w.used, used_pct: round((100 * w.used) / w.limit, 1) })),
        full_windows: full.length,
        full_windows_used_pct: limit > 0 ? round((100 * used) / limit, 1) : null,
        monday_answers: statuses.length,
        errors: statuses.filter((s) => s !== 200).length,
        rate_limit_refusals: statuses.filter((s) => s === 429).length,
        simulated_minutes: round(virtualMs / 60_000, 2),
      },
      wall_seconds: round(wallMs / 1000),
      cpu_seconds: round((cpu.user + cpu.system) / 1000 / 1000),
      documents_per_s_wall: Math.round(monday.items.length / (wallMs / 1000)),
      peak_rss_mb: round(peakRssMb),
      idle_sync: { status: idle.status, read: idle.counts.read, api_calls: { exact: idleAfter.exact - idleBefore.exact, monday: idleAfter.monday - idleBefore.monday } },
      targets: { calls_vs_minimal_max: 1.05, full_windows_used_pct_min: 90, errors: 0 },
    })}\n`,
  );
} finally {
  await h.close();
}
