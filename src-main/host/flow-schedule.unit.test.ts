import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExactRateLimits, parseProcoreRateLimits, silentLogger, type KitClock } from '../connectors/_kit';
import type { AccessTokenProvider } from '../connectors/connector';
import { createExactOnlineConnector } from '../connectors/exact-online';
import { createProcoreConnector } from '../connectors/procore';
import type { RunSummary } from '../engine/sync/flow-run';
import { exactProcoreFlow } from '../engine/flows/exact-procore';
import { F1_FLOW, F1_MAPPING_SETS } from '../engine/flows/exact-procore/mappings';
import type { AnyFlowPlugin } from '../engine/flows/types';
import type { TokenCustodian } from '../auth/custody';
import { describeBudgetStatus } from '../engine/scheduler/budget-spacing';
import { Scheduler } from '../engine/scheduler/scheduler';
import { createFakeTimers, type FakeTimers } from '../engine/scheduler/timers';
import { openStore, type Store } from '../store';
import { connectionBudgets, flowSchedule, runOutcome } from './flow-schedule';
import { openedConnection } from './systems';

// A flow's schedule (F1's here) over the real connectors' budgets (no network: the budgets are fed the vendors'
// rate-limit headers as every response feeds them) and a real store, on a fake clock.

const MIN = 60_000;
/** Wednesday 14 Jan 2026, 09:00 UTC: 15 h to Exact's daily reset at midnight UTC. */
const START = Date.UTC(2026, 0, 14, 9, 0, 0);
const EXACT_RESET = Date.UTC(2026, 0, 15);

const noTokens: AccessTokenProvider = {
  getAccessToken: () => Promise.reject(new Error('no network in this test')),
  handleUnauthorized: () => Promise.reject(new Error('no network in this test')),
};

/** Every F1 source gets its own Exact client id and Procore company: budgets are shared per key. */
let nextAccount = 880_000_000 + (process.pid % 1000) * 100;

let dataDir: string;
let store: Store;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-f1-schedule-'));
  store = openStore(dataDir);
});
afterEach(() => {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function mapProjects(procoreProjectIds: string[]): void {
  const set = store.mappings.ensureSet(F1_FLOW, F1_MAPPING_SETS.projects, 'Exact project → Procore project');
  store.mappings.createVersion(
    set.id,
    procoreProjectIds.map((id, i) => ({ sourceKey: { projectCode: `P${i}` }, target: { procoreProjectId: id } })),
  );
}

function f1Sources(clock: KitClock) {
  const account = nextAccount++;
  const exactConnection = store.connections.create({ id: 'exact-1', system: 'exact-online', label: 'Exact Online', mode: 'live' });
  const procoreConnection = store.connections.create({ id: 'procore-1', system: 'procore', label: 'Procore', mode: 'live' });
  const exact = createExactOnlineConnector(
    { baseUrl: 'https://start.exactonline.nl', allowedHosts: ['start.exactonline.nl'], logger: silentLogger, tokens: noTokens },
    { region: 'nl', division: 1, clientId: `client-${account}` },
    { clock },
  );
  const procore = createProcoreConnector(
    { baseUrl: 'https://api.procore.com', allowedHosts: ['api.procore.com'], logger: silentLogger, tokens: noTokens },
    { companyId: String(account), apiBaseUrl: 'https://api.procore.com', authBaseUrl: 'https://login.procore.com', clock },
  );
  const custodian = {} as TokenCustodian; // not used: nothing here calls the network
  const close = async () => {};
  return {
    exact,
    procore,
    plugin: exactProcoreFlow as AnyFlowPlugin,
    connections: [
      openedConnection('exact-online', { connection: exactConnection, connector: exact, custodian, close }),
      openedConnection('procore', { connection: procoreConnection, connector: procore, custodian, close }),
    ],
  };
}
type F1ScheduleSources = ReturnType<typeof f1Sources>;

function kitClock(timers: FakeTimers): KitClock {
  return { now: () => timers.now(), sleep: (ms) => timers.advance(ms) };
}

function f1Scheduler(timers: FakeTimers, f1: F1ScheduleSources, starts: number[]): Scheduler {
  return new Scheduler({
    schedules: [flowSchedule(f1, store, 15)],
    timers,
    budgets: () => connectionBudgets([f1]),
    run: async () => {
      starts.push(timers.now());
      return { status: 'succeeded' };
    },
  });
}

describe('F1 schedule over the Exact and Procore budgets', () => {
  it('counts an idle poll\'s Procore calls from the mapped projects, as they change', () => {
    expect(exactProcoreFlow.idlePollCalls(store).procore).toBe(3); // projects, line item types, vendors
    mapProjects(['101', '102', '101']); // two Exact projects into one Procore project
    expect(exactProcoreFlow.idlePollCalls(store).procore).toBe(5);
    const f1 = f1Sources(kitClock(createFakeTimers(START)));
    const pollCost = flowSchedule(f1, store, 15).pollCost as () => Record<string, number>;
    expect(pollCost()).toEqual({ 'exact-1': 3, 'procore-1': 5 });
    mapProjects(['101', '102', '103']);
    expect(pollCost()).toEqual({ 'exact-1': 3, 'procore-1': 6 });
  });

  it('a nearly spent Procore hour (from its headers) pushes the first run past its reset while Exact has plenty', async () => {
    const timers = createFakeTimers(START);
    const f1 = f1Sources(kitClock(timers));
    mapProjects(['101', '102']); // 5 Procore calls per idle poll
    for (let i = 0; i < 10; i++) await f1.exact.budget.acquire();
    for (let i = 0; i < 2; i++) await f1.procore.budget.acquire();
    const procoreReset = START + 40 * MIN;
    // The company's hour as Procore reports it: 4 calls left, reset in 40 min.
    f1.procore.budget.observe(parseProcoreRateLimits({ 'x-rate-limit-limit': '3600', 'x-rate-limit-remaining': '4', 'x-rate-limit-reset': String(procoreReset / 1000) }));
    const starts: number[] = [];
    const s = f1Scheduler(timers, f1, starts);

    // Both connections, each in its own window and words.
    expect(s.budgetStatus().map((b) => describeBudgetStatus(b))).toEqual([
      'exact-1: 10 calls used today, 4990 left, next safe run at 2026-01-14T09:00:00.000Z',
      'procore-1: 3596 calls used this hour, 4 left, next safe run at 2026-01-14T09:40:00.000Z',
    ]);
    expect(s.budgetStatus()[1]).toMatchObject({ window: 'hourly', limit: 3600, used: 3596, left: 4, resetAt: procoreReset });

    s.start();
    expect(s.status()[0]!.nextRunAt).toBe(procoreReset);
    await timers.advance(40 * MIN - 1);
    expect(starts).toEqual([]);
    await timers.advance(1);
    expect(starts).toEqual([procoreReset]);
    await s.stop();
  });

  it('Exact\'s daily budget (from its headers) still governs when Procore has plenty', async () => {
    const timers = createFakeTimers(START);
    const f1 = f1Sources(kitClock(timers));
    f1.exact.budget.observe(parseExactRateLimits({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': String(EXACT_RESET) }));
    const starts: number[] = [];
    const s = f1Scheduler(timers, f1, starts);
    expect(s.budgetStatus().map((b) => [b.connectionId, b.window, b.used, b.left, b.nextSafeRunAt])).toEqual([
      ['exact-1', 'daily', 4998, 2, EXACT_RESET],
      ['procore-1', 'hourly', 0, 3600, START],
    ]);
    s.start();
    expect(s.status()[0]!.nextRunAt).toBe(EXACT_RESET);
    await timers.advance(EXACT_RESET - START - 1);
    expect(starts).toEqual([]);
    await s.stop();
  });

  it('a failed run waits for whichever budget blocks calls, Procore\'s too', async () => {
    const timers = createFakeTimers(Date.now()); // runOutcome compares with the wall clock
    const f1 = f1Sources(kitClock(timers));
    const spikeReset = Math.ceil((timers.now() + 8_000) / 1000) * 1000;
    f1.procore.budget.observe(parseProcoreRateLimits({ 'x-rate-limit-limit': '25', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(spikeReset / 1000) }));
    const summary = (status: RunSummary['status']): RunSummary => ({
      runId: 'r1',
      status,
      durationMs: 1,
      error: status === 'failed' ? 'Procore request budget spent' : null,
      counts: { read: 0, created: 0, updated: 0, unchanged: 0, parked: 0, flagged: 0, failed: 0, deleted: 0, recovered: 0 },
    });
    expect(runOutcome(summary('failed'), f1, store).resumeAt).toBe(spikeReset);
    expect(runOutcome(summary('succeeded'), f1, store).resumeAt).toBeNull();
  });
});

describe('flows sharing a connection', () => {
  // Only what flowSchedule reads of an open flow: its plugin's idle cost and its connections.
  const flowOn = (id: string, exact: number | readonly string[], otherConnection?: string) =>
    ({
      plugin: { id, idlePollCalls: () => ({ 'exact-online': exact, ...(otherConnection ? { procore: 2 } : {}) }) } as unknown as AnyFlowPlugin,
      connections: [
        { system: 'exact-online', connection: { id: 'exact-1' } },
        ...(otherConnection ? [{ system: 'procore', connection: { id: otherConnection } }] : []),
      ],
    }) as unknown as Parameters<typeof flowSchedule>[0];

  it('count each shared feed once: the flows before one in the registry have read it', () => {
    const f1 = flowOn('f1', ['readPurchaseOrders', 'readPurchaseInvoices', 'readDeletions'], 'procore-1');
    const f4 = flowOn('f4', ['readPurchaseOrders', 'readDeletions', 'readSalesInvoices', 'readSalesOrders:headers', 'readSalesOrders:lines']);
    const f5 = flowOn('f5', ['readSuppliersChanged', 'readPurchaseOrders', 'readPurchaseInvoices', 'readDeletions']);
    const all = () => [f1, f4, f5];
    const cost = (f: typeof f1) => (flowSchedule(f, store, 2, undefined, all).pollCost as () => Record<string, number>)();
    expect(cost(f1)).toEqual({ 'exact-1': 3, 'procore-1': 2 });
    expect(cost(f4)).toEqual({ 'exact-1': 3 });
    expect(cost(f5)).toEqual({ 'exact-1': 1 });
    // Alone, each pays for all its feeds; a flow that states a plain number is counted as stated.
    expect((flowSchedule(f5, store, 2).pollCost as () => Record<string, number>)()).toEqual({ 'exact-1': 4 });
    expect((flowSchedule(flowOn('old', 6), store, 2, undefined, all).pollCost as () => Record<string, number>)()).toEqual({ 'exact-1': 6 });
  });
});
