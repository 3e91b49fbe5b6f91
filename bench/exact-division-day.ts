/**
 * Issue 13's target for flows sharing a source: F1 (→ Procore), F4 (→ monday.com) and F5
 * (→ Coupa) on ONE Exact Online division through a business day. During business hours a changed
 * purchase order must appear in all three targets within 2 minutes of its change (p95), while the
 * day's Exact calls stay under 50 % of the division's 5,000.
 *
 *   npm run bench -- exact-division-day [--every-seconds S (110)] [--changes N (150)] [--seed N]
 *     [--exact-call-ms M] [--target-call-ms M]
 *
 * What is real: the three flows as the app opens them (flow host, connections hub, shared reads,
 * the simulators of all four systems on loopback, one data folder), the app's Scheduler with the
 * flows' schedules (cadence, business hours, budget spacing, the idle cost each flow states) and
 * every API call the runs make. What is simulated: the day's clock. The scheduler's timers and the
 * Exact connector's rate-limit windows run on a virtual clock; each run moves it on by the run's
 * own wall time plus a modelled network time per call (default 400 ms per Exact call, 300 ms per
 * target call, made one after another, so an upper bound), so a 10-hour day takes minutes.
 *
 * The day: business hours 08:00–18:00 (Mon–Fri), no scheduled polls outside them; N changes to
 * purchase orders that all three flows hold (a line's quantity, as another Exact user changes
 * it), at random moments of the business day. A change's latency: from the change to the end of
 * the last of the three runs that wrote it. Prints ONE JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { silentLogger, type KitClock } from '../src-main/connectors/_kit';
import { createExactOnlineConnector, type ExactOnlineConnector } from '../src-main/connectors/exact-online';
import { FLOWS } from '../src-main/engine/flows/registry';
import type { FlowRuntime, SystemConnectors } from '../src-main/engine/flows/types';
import { fixedOffsetLocalTime } from '../src-main/engine/scheduler/active-hours';
import { Scheduler } from '../src-main/engine/scheduler/scheduler';
import type { SchedulerTimers, TimerHandle } from '../src-main/engine/scheduler/timers';
import { openFlowHost } from '../src-main/host/flow-host';
import { flowSchedule } from '../src-main/host/flow-schedule';
import { APP_SANDBOX_CONFIG } from '../src-main/host/systems';
import { startSandbox } from '../src-main/sandbox';
import { openStore } from '../src-main/store';

type Json = Record<string, unknown>;

const { values } = parseArgs({
  options: {
    'every-seconds': { type: 'string', default: '110' },
    changes: { type: 'string', default: '150' },
    seed: { type: 'string', default: '3' },
    'exact-call-ms': { type: 'string', default: '400' },
    'target-call-ms': { type: 'string', default: '300' },
  },
});
const everySeconds = Number(values['every-seconds']);
const changeCount = Number(values.changes);
const seed = Number(values.seed);
const exactCallMs = Number(values['exact-call-ms']);
const targetCallMs = Number(values['target-call-ms']);
for (const [name, v] of Object.entries({ everySeconds, changeCount, seed, exactCallMs, targetCallMs }))
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`exact-division-day bench: --${name} must be a number >= 0\n`);
    process.exit(2);
  }

const SHARED_DIVISION_FLOWS = ['exact-procore', 'exact-monday', 'exact-coupa'];
const EXACT_DAILY_LIMIT = 5_000;
// A Wednesday, in UTC (the business hours are read in UTC too).
const DAY = Date.UTC(2026, 0, 14);
const OPEN = DAY + 8 * 3_600_000;
const CLOSE = DAY + 18 * 3_600_000;

/** Deterministic pseudo-random numbers (mulberry32), so a seed gives the same day. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The day's clock: the scheduler's timers and the Exact connector's rate-limit windows. */
class VirtualDay implements SchedulerTimers {
  at = OPEN - 3_600_000; // the initial sync runs before the day starts
  #next = 0;
  readonly #timers = new Map<number, { due: number; fire: () => void }>();
  now = (): number => this.at;
  setTimer = (fire: () => void, delayMs: number): TimerHandle => {
    const id = ++this.#next;
    this.#timers.set(id, { due: this.at + Math.max(0, delayMs), fire });
    return { id };
  };
  clearTimer = (handle: TimerHandle): void => {
    this.#timers.delete((handle as { id: number }).id);
  };
  /** The earliest pending timer's moment, or null. */
  nextDue(): number | null {
    let due: number | null = null;
    for (const t of this.#timers.values()) if (due === null || t.due < due) due = t.due;
    return due;
  }
  /** Fires every timer due at `at` (time moves there first). */
  fireDue(at: number): void {
    this.at = Math.max(this.at, at);
    for (const [id, t] of [...this.#timers]) {
      if (t.due > this.at) continue;
      this.#timers.delete(id);
      t.fire();
    }
  }
  readonly kitClock: KitClock = {
    now: () => this.at,
    // A wait for Exact's minute or day window passes on the day's clock, not the machine's.
    sleep: async (ms) => {
      this.at += Math.max(0, ms);
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-division-'));
  const day = new VirtualDay();
  const store = openStore(dir);
  const plugins = FLOWS.filter((f) => SHARED_DIVISION_FLOWS.includes(f.id));
  // The simulators count windows on the machine's clock: their limits are lifted so that only the
  // connector's own (on the day's clock) decide, as Exact's would over a real day.
  const sandbox = await startSandbox({
    dataDir: dir,
    systems: ['exact', 'procore', 'monday', 'coupa'],
    seed,
    scale: 1,
    config: { ...APP_SANDBOX_CONFIG, exact: { ...APP_SANDBOX_CONFIG.exact, minutelyLimit: 1_000_000, dailyLimit: 1_000_000 } },
  });
  const host = await openFlowHost({ store, dataDir: dir, log: silentLogger, sandbox: { seed, scale: 1 }, runningSandbox: sandbox, only: SHARED_DIVISION_FLOWS });
  try {
    const exactSim = sandbox.systems.exact!;
    const first = host.flows.get(SHARED_DIVISION_FLOWS[0]!)!;
    const exactConnection = first.connections.find((c) => c.system === 'exact-online')!;
    // One Exact connector for the three flows, as the hub opens it, with its windows on the day's clock.
    const exact: ExactOnlineConnector = createExactOnlineConnector(
      { baseUrl: exactSim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, tokens: exactConnection.custodian, now: day.kitClock.now },
      { region: 'nl', baseUrl: exactSim.baseUrl, division: Number(exactSim.credentials['division']), clientId: String(exactSim.credentials['clientId']) },
      { clock: day.kitClock },
    );
    const runtimes = new Map<string, FlowRuntime>();
    for (const plugin of plugins) {
      const open = host.flows.get(plugin.id);
      if (!open) throw new Error(`${plugin.id} did not open: ${host.unavailable.get(plugin.id)?.reason ?? 'unknown'}`);
      const connectors = Object.fromEntries(open.connections.map((c) => [c.system, c.system === 'exact-online' ? exact : c.connector])) as unknown as SystemConnectors;
      const connectionIds = Object.fromEntries(open.connections.map((c) => [c.system, c.connection.id])) as Record<string, string>;
      runtimes.set(plugin.id, plugin.open({ store, connectors, connectionIds, sharedReads: host.hub.sharedReads } as never));
    }
    const exactUsed = () => exact.budget.snapshot().windows.find((w) => w.name === 'daily')?.used ?? 0;
    const targetCalls = () => {
      const calls = host.hub.apiCalls();
      return (calls['procore'] ?? 0) + (calls['monday'] ?? 0) + (calls['coupa'] ?? 0);
    };

    // The initial sync, before the day (not counted): every flow holds what Exact has.
    for (const [id, runtime] of runtimes) {
      const summary = await runtime.run({ trigger: 'manual' });
      if (summary.status !== 'succeeded' && summary.status !== 'partial') throw new Error(`initial ${id} sync ${summary.status}: ${summary.error ?? ''}`);
    }

    // Purchase orders all three flows wrote: the documents whose changes are measured.
    const state = (await (await fetch(`${exactSim.baseUrl}/_sandbox/state`)).json()) as Record<string, Json[]>;
    const lines = state['PurchaseOrderLines'] ?? [];
    const everywhere = (state['PurchaseOrders'] ?? [])
      .map((po) => String(po['PurchaseOrderID']))
      .filter((id) => SHARED_DIVISION_FLOWS.every((flow) => store.targetRecords.bySource(flow, id).length > 0 && !store.parked.getOpen(flow, 'purchase-orders', id)));
    if (everywhere.length === 0) throw new Error('no purchase order is held by all three flows');
    const next = random(seed);
    const changes = Array.from({ length: changeCount }, (_, i) => {
      const po = everywhere[Math.floor(next() * everywhere.length)]!;
      const line = lines.find((l) => String(l['PurchaseOrderID']) === po)!;
      return { i, at: OPEN + Math.floor(next() * (CLOSE - OPEN)), po, line: String(line['ID']), appliedAt: 0, doneBy: new Map<string, number>() };
    }).sort((a, b) => a.at - b.at);
    const token = async () => exactConnection.custodian.getAccessToken();
    const applyChange = async (c: (typeof changes)[number]) => {
      const res = await fetch(`${exactSim.baseUrl}/api/v1/${String(exactSim.credentials['division'])}/purchaseorder/PurchaseOrderLines(guid'${c.line}')`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ QuantityInPurchaseUnits: 10 + c.i }),
      });
      if (res.status !== 204) throw new Error(`changing purchase order line ${c.line}: HTTP ${res.status}`);
      c.appliedAt = day.at;
    };

    // The day, on the app's scheduler.
    const exactAtOpen = exactUsed();
    const running = new Set<Promise<unknown>>();
    let runs = 0;
    const open = plugins.map((p) => host.flows.get(p.id)!);
    const scheduler = new Scheduler({
      schedules: open.map((flow) =>
        flowSchedule(flow, store, everySeconds / 60, { from: '08:00', to: '18:00', days: [1, 2, 3, 4, 5] }, () => open),
      ),
      timers: day,
      localTimeOf: fixedOffsetLocalTime(0),
      // The division's day as Exact counts it: 5,000 calls from midnight (the simulator's own
      // headers speak of the machine's clock, so the budget is given on the day's).
      budgets: () => {
        const used = exactUsed() - exactAtOpen;
        return [{ connectionId: exactConnection.connection.id, window: 'daily', limit: EXACT_DAILY_LIMIT, used, remaining: EXACT_DAILY_LIMIT - used, resetAt: DAY + 86_400_000, nextAllowedAt: 0 }];
      },
      run: (flowId) => {
        const done = (async () => {
          const started = day.at;
          const wall = performance.now();
          const [exactBefore, targetBefore] = [exactUsed(), targetCalls()];
          const summary = await runtimes.get(flowId)!.run({ trigger: 'schedule' });
          runs += 1;
          // Calls made while it ran (the other flows' too, when they ran beside it: an upper bound).
          const networkMs = (exactUsed() - exactBefore) * exactCallMs + (targetCalls() - targetBefore) * targetCallMs;
          const ended = Math.max(day.at, started + (performance.now() - wall) + networkMs);
          day.at = ended;
          const touched = new Set(
            store.audit
              .query({ flow: flowId, runId: summary.runId }, { limit: 1000 })
              .entries.filter((e) => e.step === 'updated' || e.step === 'written')
              .map((e) => e.sourceId),
          );
          for (const c of changes) if (c.appliedAt && c.appliedAt <= started && !c.doneBy.has(flowId) && touched.has(c.po)) c.doneBy.set(flowId, ended);
          return { status: summary.status === 'succeeded' || summary.status === 'partial' ? summary.status : 'failed', error: summary.error ?? null } as const;
        })();
        running.add(done);
        void done.finally(() => running.delete(done));
        return done;
      },
    });
    day.at = OPEN - 60_000;
    scheduler.start();
    let pending = 0;
    const realStart = performance.now();
    for (;;) {
      const due = day.nextDue();
      if (due === null || due >= CLOSE) break;
      // Changes made before that moment reach Exact first (another user, between polls).
      while (pending < changes.length && changes[pending]!.at <= due) {
        day.at = Math.max(day.at, changes[pending]!.at);
        await applyChange(changes[pending]!);
        pending += 1;
      }
      day.fireDue(due);
      while (running.size > 0) await Promise.all([...running]);
    }
    await scheduler.stop();
    const exactCalls = exactUsed() - exactAtOpen;
    const latencies = changes
      .filter((c) => c.appliedAt > 0 && c.doneBy.size === SHARED_DIVISION_FLOWS.length)
      .map((c) => Math.max(...c.doneBy.values()) - c.appliedAt)
      .sort((a, b) => a - b);
    const pct = (p: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! / 1000) : null);
    const result = {
      bench: 'exact-division-day',
      flows: SHARED_DIVISION_FLOWS,
      businessHours: '08:00-18:00',
      everySeconds,
      modelledNetwork: { exactCallMs, targetCallMs },
      changes: changes.length,
      changesInAllThree: latencies.length,
      latencySeconds: { p50: pct(50), p95: pct(95), max: pct(100) },
      targetP95Seconds: 120,
      scheduledRuns: runs,
      exactCalls,
      exactBudgetUsedPct: Math.round((exactCalls / EXACT_DAILY_LIMIT) * 1000) / 10,
      targetExactBudgetPct: 50,
      idleRoundExactCalls: open.reduce((sum, flow) => sum + ((flowSchedule(flow, store, 1, undefined, () => open).pollCost as () => Record<string, number>)()[exactConnection.connection.id] ?? 0), 0),
      sharedReads: host.hub.sharedReads.shared,
      wallSeconds: Math.round((performance.now() - realStart) / 100) / 10,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await host.close();
    await sandbox.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
