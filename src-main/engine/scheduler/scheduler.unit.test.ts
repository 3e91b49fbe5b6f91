import { describe, expect, it } from 'vitest';
import { fixedOffsetLocalTime } from './active-hours';
import { connectionBudget, describeBudgetStatus, type ConnectionBudget } from './budget-spacing';
import { Scheduler, type RunOutcome, type ScheduledTrigger, type SchedulerOptions } from './scheduler';
import { createFakeTimers, flushPromises, type FakeTimers } from './timers';

const MIN = 60_000;
/** Wednesday 14 Jan 2026, 09:00 UTC. */
const START = Date.UTC(2026, 0, 14, 9, 0, 0);

interface Harness {
  timers: FakeTimers;
  scheduler: Scheduler;
  runs: Array<{ trigger: ScheduledTrigger; startedAt: number; endedAt: number | null }>;
  /** Outcome of the next runs, in order; default: succeeded. */
  outcomes: Array<RunOutcome | Error>;
  /** Each run takes this long (fake time). */
  runMs: number;
}

/** A scheduler over a fake clock whose runs take `runMs` of fake time and record themselves. */
function harness(overrides: Partial<SchedulerOptions> = {}, runMs = 0): Harness {
  const timers = createFakeTimers(START);
  const h: Harness = { timers, scheduler: null as unknown as Scheduler, runs: [], outcomes: [], runMs };
  h.scheduler = new Scheduler({
    schedules: [{ flow: 'f', everyMinutes: 15 }],
    timers,
    backoffBaseMs: MIN,
    backoffMaxMs: 8 * MIN,
    localTimeOf: fixedOffsetLocalTime(0),
    run: (_flow, trigger) => {
      const record = { trigger, startedAt: timers.now(), endedAt: null as number | null };
      h.runs.push(record);
      const outcome = h.outcomes.shift() ?? { status: 'succeeded' };
      return new Promise<RunOutcome>((resolve, reject) => {
        timers.setTimer(() => {
          record.endedAt = timers.now();
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        }, h.runMs);
      });
    },
    ...overrides,
  });
  return h;
}

function assertNoOverlap(runs: Harness['runs']): void {
  for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt).toBeGreaterThanOrEqual(runs[i - 1]!.endedAt!);
}

describe('Scheduler', () => {
  it('runs at start and then every interval, counting from each run start', async () => {
    const h = harness({}, 2 * MIN);
    h.scheduler.start();
    await h.timers.advance(46 * MIN);
    expect(h.runs.map((r) => (r.startedAt - START) / MIN)).toEqual([0, 15, 30, 45]);
    expect(h.runs.every((r) => r.trigger === 'schedule')).toBe(true);
  });

  it('joins a "Sync now" during a run instead of starting a second one, and never overlaps', async () => {
    const h = harness({}, 5 * MIN);
    h.scheduler.start();
    await h.timers.advance(MIN);
    expect(h.scheduler.status()[0]!.state).toBe('running');
    const joined = h.scheduler.runNow('f');
    const joinedAgain = h.scheduler.runNow('f');
    await h.timers.advance(5 * MIN);
    await expect(joined).resolves.toEqual({ status: 'succeeded' });
    await expect(joinedAgain).resolves.toEqual({ status: 'succeeded' });
    expect(h.runs).toHaveLength(1);

    // A manual run between ticks starts at once; the next tick waits for it to end.
    void h.scheduler.runNow('f');
    expect(h.runs.map((r) => r.trigger)).toEqual(['schedule', 'manual']);
    await h.timers.advance(60 * MIN);
    assertNoOverlap(h.runs);
    expect(h.runs.length).toBeGreaterThanOrEqual(5);
  });

  it('a tick that falls during a long run is not a second run: the next run follows once it ends', async () => {
    const h = harness({}, 40 * MIN);
    h.scheduler.start();
    await h.timers.advance(41 * MIN);
    expect(h.runs.map((r) => ({ trigger: r.trigger, at: (r.startedAt - START) / MIN }))).toEqual([
      { trigger: 'schedule', at: 0 },
      { trigger: 'schedule', at: 40 },
    ]);
  });

  it('after sleeping through several ticks, produces exactly one catch-up run on wake', async () => {
    const h = harness();
    h.scheduler.start();
    await h.timers.advance(MIN); // first run at 09:00 done; next due 09:15
    await h.timers.sleepFor(2 * 60 * MIN); // asleep 09:01 → 11:01: eight ticks missed
    h.scheduler.wake(); // powerMonitor 'resume' arrives too: must not add a second run
    await flushPromises();
    expect(h.runs.map((r) => r.trigger)).toEqual(['schedule', 'catch-up']);
    expect(h.runs[1]!.startedAt).toBe(START + 121 * MIN);
    await h.timers.advance(15 * MIN);
    expect(h.runs.map((r) => r.trigger)).toEqual(['schedule', 'catch-up', 'schedule']);
  });

  it('wake() alone triggers the catch-up when the OS never fires the late timer', async () => {
    const timers = createFakeTimers(START);
    const triggers: ScheduledTrigger[] = [];
    const frozen = { ...timers, setTimer: (_fire: () => void, ms: number) => timers.setTimer(() => {}, ms) };
    const s = new Scheduler({ schedules: [{ flow: 'f', everyMinutes: 15 }], timers: frozen, run: async (_f, trigger) => (triggers.push(trigger), { status: 'succeeded' }) });
    s.start(); // due now, but this timer never fires
    await timers.sleepFor(60 * MIN);
    expect(triggers).toEqual([]);
    s.wake();
    s.wake();
    await flushPromises();
    expect(triggers).toEqual(['catch-up']);
  });

  it('backs off exponentially after failures, shows the next attempt, and resets on success', async () => {
    const h = harness({ schedules: [{ flow: 'f', everyMinutes: 0.5 }] });
    h.outcomes.push({ status: 'failed', error: 'boom' }, new Error('network down'), { status: 'failed', error: 'boom' }, { status: 'failed' }, { status: 'failed' });
    h.scheduler.start();
    await h.timers.advance(0);
    let s = h.scheduler.status()[0]!;
    expect(s).toMatchObject({ state: 'backoff', consecutiveFailures: 1, nextRunAt: START + MIN, lastRun: { status: 'failed', error: 'boom' } });
    await h.timers.advance(MIN);
    s = h.scheduler.status()[0]!;
    expect(s).toMatchObject({ state: 'backoff', consecutiveFailures: 2, nextRunAt: START + 3 * MIN, lastRun: { error: 'network down' } });
    await h.timers.advance(2 * MIN + 4 * MIN + 8 * MIN + 8 * MIN);
    // Delays 1, 2, 4, 8, then capped at 8 minutes.
    expect(h.runs.map((r) => (r.startedAt - START) / MIN)).toEqual([0, 1, 3, 7, 15, 23]);
    s = h.scheduler.status()[0]!;
    expect(s).toMatchObject({ state: 'idle', consecutiveFailures: 0, nextRunAt: START + 23.5 * MIN });
  });

  it('a run stopped by a spent budget waits until resumeAt, not before, and is not counted as a failure', async () => {
    const h = harness({ schedules: [{ flow: 'f', everyMinutes: 1 }] });
    const resumeAt = START + 3 * 60 * MIN;
    h.outcomes.push({ status: 'failed', error: 'budget spent', resumeAt });
    h.scheduler.start();
    await h.timers.advance(0);
    expect(h.scheduler.status()[0]).toMatchObject({ state: 'waiting-for-budget', nextRunAt: resumeAt, consecutiveFailures: 0 });
    await h.timers.advance(3 * 60 * MIN - 1);
    expect(h.runs).toHaveLength(1);
    await h.timers.advance(1);
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]!.startedAt).toBe(resumeAt);
    expect(h.runs[1]!.trigger).toBe('schedule');
  });

  it('reads resumeAt from a thrown BudgetExhaustedError-like error', async () => {
    const resumeAt = START + 10 * MIN;
    const h = harness({ schedules: [{ flow: 'f', everyMinutes: 1 }] });
    h.outcomes.push(Object.assign(new Error('no daily calls left'), { resumeAt }));
    h.scheduler.start();
    await h.timers.advance(0);
    expect(h.scheduler.status()[0]).toMatchObject({ state: 'waiting-for-budget', nextRunAt: resumeAt, lastRun: { error: 'no daily calls left' } });
  });

  it('pause stops scheduled runs (a run in progress finishes); resume runs what fell due, not as catch-up', async () => {
    const h = harness({}, 2 * MIN);
    h.scheduler.start();
    await h.timers.advance(MIN);
    h.scheduler.pause();
    expect(h.scheduler.isPaused()).toBe(true);
    await h.timers.advance(2 * 60 * MIN);
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!.endedAt).toBe(START + 2 * MIN);
    expect(h.scheduler.status()[0]).toMatchObject({ state: 'paused', nextRunAt: null });
    h.scheduler.resume();
    await h.timers.advance(0);
    expect(h.runs.map((r) => r.trigger)).toEqual(['schedule', 'schedule']);
    expect(h.runs[1]!.startedAt).toBe(START + 121 * MIN);
    // "Sync now" still works while paused.
    await h.timers.advance(2 * MIN);
    h.scheduler.pause('f');
    void h.scheduler.runNow('f');
    expect(h.runs.at(-1)!.trigger).toBe('manual');
  });

  it('reschedule applies a new interval and active hours live, keeping a paused flow paused', async () => {
    const h = harness({}, MIN);
    h.scheduler.start();
    await h.timers.advance(2 * MIN); // the first run (09:00) is done; next due 09:15
    h.scheduler.reschedule('f', { everyMinutes: 5 });
    expect(h.scheduler.status()[0]!.nextRunAt).toBe(START + 5 * MIN);
    await h.timers.advance(9 * MIN); // to 09:11
    expect(h.runs.map((r) => (r.startedAt - START) / MIN)).toEqual([0, 5, 10]);

    // Active hours from 10:00 (UTC): the next run waits for the window, not the cadence.
    h.scheduler.reschedule('f', { everyMinutes: 5, activeHours: { from: '10:00', to: '18:00' } });
    expect(h.scheduler.status()[0]!.nextRunAt).toBe(START + 60 * MIN);

    h.scheduler.pause('f');
    h.scheduler.reschedule('f', { everyMinutes: 30 });
    expect(h.scheduler.status()[0]).toMatchObject({ state: 'paused', nextRunAt: null });
    await h.timers.advance(60 * MIN);
    expect(h.runs).toHaveLength(3);
    h.scheduler.resume('f'); // 10:11, last run started 09:10: due 09:40, so at once
    await h.timers.advance(0);
    expect((h.runs[3]!.startedAt - START) / MIN).toBe(71);

    expect(() => h.scheduler.reschedule('f', { everyMinutes: 0 })).toThrow(/everyMinutes must be > 0/);
    expect(() => h.scheduler.reschedule('nope', { everyMinutes: 5 })).toThrow(/has no schedule/);
  });

  it('started from the recorded runs: a flow that never ran waits one interval, and a cadence saved meanwhile counts from the start', async () => {
    const h = harness({}, MIN);
    expect(h.scheduler.isStarted()).toBe(false);
    h.scheduler.start({ lastRunAt: () => null });
    expect(h.scheduler.isStarted()).toBe(true);
    expect(h.scheduler.status()[0]).toMatchObject({ state: 'idle', nextRunAt: START + 15 * MIN });
    await h.timers.advance(3 * MIN);
    expect(h.runs).toHaveLength(0);
    // Settings: every 5 minutes, saved at 09:03 before any run: due at 09:05, not at 09:15 or 09:08.
    h.scheduler.reschedule('f', { everyMinutes: 5 });
    expect(h.scheduler.status()[0]!.nextRunAt).toBe(START + 5 * MIN);
    await h.timers.advance(8 * MIN);
    expect(h.runs.map((r) => ({ at: (r.startedAt - START) / MIN, trigger: r.trigger }))).toEqual([
      { at: 5, trigger: 'schedule' },
      { at: 10, trigger: 'schedule' },
    ]);
    await h.scheduler.stop();
    expect(h.scheduler.isStarted()).toBe(false);
  });

  it('started from the recorded runs: the next run follows the latest one, and a long gap is one catch-up', async () => {
    const recent = harness({}, MIN);
    recent.scheduler.start({ lastRunAt: () => START - 5 * MIN }); // the app ran it 5 minutes ago
    expect(recent.scheduler.status()[0]!.nextRunAt).toBe(START + 10 * MIN);
    await recent.timers.advance(11 * MIN);
    expect(recent.runs.map((r) => ({ at: (r.startedAt - START) / MIN, trigger: r.trigger }))).toEqual([{ at: 10, trigger: 'schedule' }]);

    const overnight = harness({}, MIN);
    overnight.scheduler.start({ lastRunAt: (flow) => (flow === 'f' ? START - 14 * 60 * MIN : null) });
    await overnight.timers.advance(MIN);
    expect(overnight.runs.map((r) => ({ at: (r.startedAt - START) / MIN, trigger: r.trigger }))).toEqual([{ at: 0, trigger: 'catch-up' }]);
    await overnight.timers.advance(15 * MIN);
    expect(overnight.runs.map((r) => (r.startedAt - START) / MIN)).toEqual([0, 15]);
  });

  it('a flow joining a scheduler started from the recorded runs is planned the same way', async () => {
    const h = harness({ schedules: [] }, MIN);
    h.scheduler.start({ lastRunAt: () => null });
    h.scheduler.addFlow({ flow: 'f', everyMinutes: 15 });
    expect(h.scheduler.status()[0]!.nextRunAt).toBe(START + 15 * MIN);
    await h.timers.advance(14 * MIN);
    expect(h.runs).toHaveLength(0);
    await h.timers.advance(MIN);
    expect(h.runs).toHaveLength(1);
  });

  it('keeps scheduled runs inside active hours, and a night outside them is not a catch-up', async () => {
    // Wednesday 18:50 UTC; active 07:00–19:00 Monday–Friday.
    const timers = createFakeTimers(Date.UTC(2026, 0, 14, 18, 50));
    const starts: Array<{ at: string; trigger: ScheduledTrigger }> = [];
    const s = new Scheduler({
      schedules: [{ flow: 'f', everyMinutes: 15, activeHours: { from: '07:00', to: '19:00', days: [1, 2, 3, 4, 5] } }],
      timers,
      localTimeOf: fixedOffsetLocalTime(0),
      run: async (_f, trigger) => (starts.push({ at: new Date(timers.now()).toISOString(), trigger }), { status: 'succeeded' }),
    });
    s.start();
    await timers.advance(3 * 24 * 60 * MIN); // through Friday evening and the weekend
    expect(starts.slice(0, 3)).toEqual([
      { at: '2026-01-14T18:50:00.000Z', trigger: 'schedule' },
      { at: '2026-01-15T07:00:00.000Z', trigger: 'schedule' },
      { at: '2026-01-15T07:15:00.000Z', trigger: 'schedule' },
    ]);
    expect(starts.some((r) => r.at.startsWith('2026-01-17'))).toBe(false); // Saturday
    expect(starts.every((r) => r.trigger === 'schedule')).toBe(true);
    expect(() => new Scheduler({ schedules: [{ flow: 'g', everyMinutes: 5, activeHours: { from: '7am', to: '19:00' } }], timers, run: async () => ({ status: 'succeeded' }) })).toThrow(/"07:00"/);
  });

  it('spaces polls so the remaining daily budget lasts until it resets, and reports used/left/next safe run', async () => {
    const timers = createFakeTimers(START); // 09:00 UTC: 15 h to the daily reset
    const budget: ConnectionBudget = { connectionId: 'exact', window: 'daily', limit: 5000, used: 4970, remaining: 30, resetAt: Date.UTC(2026, 0, 15), nextAllowedAt: START };
    const starts: number[] = [];
    const s = new Scheduler({
      schedules: [
        { flow: 'a', everyMinutes: 1, pollCost: { exact: 3 } },
        { flow: 'b', everyMinutes: 1, pollCost: { exact: 2 } },
      ],
      timers,
      burstPolls: 1,
      budgets: () => [{ ...budget }],
      run: async () => {
        starts.push(timers.now());
        return { status: 'succeeded' };
      },
    });
    s.start();
    await timers.advance(0);
    expect(starts).toHaveLength(2); // both flows poll at once on start
    // 30 calls left, 5 per round → 6 rounds in the 15 h to reset: one round every 2.5 h.
    const [status] = s.budgetStatus();
    expect(status).toEqual({ connectionId: 'exact', window: 'daily', limit: 5000, used: 4970, left: 30, resetAt: Date.UTC(2026, 0, 15), minGapMs: 150 * MIN, nextSafeRunAt: START + 150 * MIN });
    expect(s.status().map((x) => x.nextRunAt)).toEqual([START + 150 * MIN, START + 150 * MIN]);
    await timers.advance(150 * MIN - 1);
    expect(starts).toHaveLength(2);

    // Down to 2 calls: flow b (2 calls) may poll, flow a (3 calls) waits for the reset.
    budget.remaining = 2;
    budget.used = 4998;
    await timers.advance(1);
    expect(s.status().find((x) => x.flow === 'a')!.nextRunAt).toBe(Date.UTC(2026, 0, 15));
  });

  it('allows a burst of polls at the cadence, then spaces them so the day still fits', async () => {
    const timers = createFakeTimers(START); // 15 h to the reset
    const reset = Date.UTC(2026, 0, 15);
    // 3 calls per poll, 63 left: 21 polls until the reset.
    const budget: ConnectionBudget = { connectionId: 'exact', window: 'daily', limit: 5000, used: 4937, remaining: 63, resetAt: reset, nextAllowedAt: START };
    const starts: number[] = [];
    const s = new Scheduler({
      schedules: [{ flow: 'a', everyMinutes: 1, pollCost: { exact: 3 } }],
      timers,
      budgets: () => [{ ...budget }],
      run: async () => {
        starts.push(timers.now());
        budget.remaining -= 3;
        budget.used! += 3;
        return { status: 'succeeded' };
      },
    });
    s.start();
    await timers.advance(10 * MIN);
    expect(starts.map((t) => (t - START) / MIN)).toEqual([0, 1, 2, 3, 4]);
    // 48 calls left → 16 polls; a burst of 5 → gap = time to reset / 12.
    const gap = Math.ceil((reset - timers.now()) / 12);
    expect(s.budgetStatus()[0]).toEqual({ connectionId: 'exact', window: 'daily', limit: 5000, used: 4952, left: 48, resetAt: reset, minGapMs: gap, nextSafeRunAt: START + 5 * gap });
    await timers.advance(15 * 60 * MIN);
    expect(budget.remaining).toBeGreaterThanOrEqual(0);
    expect(starts.filter((t) => t < reset).length).toBeLessThanOrEqual(21);
    expect(starts.filter((t) => t < reset).length).toBeGreaterThanOrEqual(15); // spaced, not starved
  });
});

describe('Scheduler over two budgets (F1: Exact Online daily + Procore hourly)', () => {
  const EXACT_RESET = Date.UTC(2026, 0, 15); // midnight UTC: 15 h after START
  /** F1's shape: 3 Exact calls and 5 Procore calls per idle poll. */
  const F1_COST = { exact: 3, procore: 5 };

  /** Both budgets as live state that the runs spend; Procore's hour resets to `hourlyLimit` at resetAt. */
  function twoBudgets(timers: FakeTimers, exact: { used: number }, procore: { used: number; resetAt: number }, hourlyLimit = 3600) {
    return (): ConnectionBudget[] => {
      if (timers.now() >= procore.resetAt) {
        procore.used = 0;
        procore.resetAt += 60 * MIN;
      }
      return [
        { connectionId: 'exact', window: 'daily', limit: 5000, used: exact.used, remaining: 5000 - exact.used, resetAt: EXACT_RESET, nextAllowedAt: timers.now() },
        { connectionId: 'procore', window: 'hourly', limit: hourlyLimit, used: procore.used, remaining: hourlyLimit - procore.used, resetAt: procore.resetAt, nextAllowedAt: timers.now() },
      ];
    };
  }

  function f1Scheduler(timers: FakeTimers, budgets: () => ConnectionBudget[], spend: () => void, starts: number[]): Scheduler {
    return new Scheduler({
      schedules: [{ flow: 'f1', everyMinutes: 15, pollCost: F1_COST }],
      timers,
      burstPolls: 1,
      budgets,
      run: async () => {
        starts.push(timers.now());
        spend();
        return { status: 'succeeded' };
      },
    });
  }

  it('a nearly spent Procore hour pushes the next run past its reset, though Exact has plenty', async () => {
    const timers = createFakeTimers(START);
    const exact = { used: 10 };
    const procore = { used: 3597, resetAt: START + 40 * MIN }; // 3 left < 5 per poll
    const starts: number[] = [];
    const s = f1Scheduler(timers, twoBudgets(timers, exact, procore), () => {
      exact.used += 3;
      procore.used += 5;
    }, starts);
    s.start();
    await timers.advance(0);
    // Exact alone would allow a poll now; Procore's hour does not.
    expect(s.budgetStatus().map((b) => [b.connectionId, b.nextSafeRunAt])).toEqual([['exact', START], ['procore', START + 40 * MIN]]);
    expect(s.status()[0]!.nextRunAt).toBe(START + 40 * MIN);
    await timers.advance(40 * MIN - 1);
    expect(starts).toEqual([]);
    await timers.advance(1);
    expect(starts).toEqual([START + 40 * MIN]);
    // After the reset the hour has plenty again: back to the 15-minute cadence.
    await timers.advance(15 * MIN);
    expect(starts).toEqual([START + 40 * MIN, START + 55 * MIN]);
  });

  it('spreads the hour\'s remaining Procore calls over the time to its reset', async () => {
    const timers = createFakeTimers(START);
    const exact = { used: 10 };
    // 30 calls left in the hour, 5 per poll: the first poll at once, then the 25 left last
    // 5 polls over the 60 min to the reset: one every 12 min, the last one due at the reset.
    const procore = { used: 3570, resetAt: START + 60 * MIN };
    const starts: number[] = [];
    const s = new Scheduler({
      schedules: [{ flow: 'f1', everyMinutes: 1, pollCost: F1_COST }],
      timers,
      burstPolls: 1,
      budgets: twoBudgets(timers, exact, procore),
      run: async () => {
        starts.push(timers.now());
        exact.used += 3;
        procore.used += 5;
        return { status: 'succeeded' };
      },
    });
    s.start();
    await timers.advance(60 * MIN - 1);
    expect(starts.map((t) => (t - START) / MIN)).toEqual([0, 12, 24, 36, 48]);
    expect(procore.used).toBe(3595); // never overrun: 5 calls kept for the poll due at the reset
    expect(s.status()[0]!.nextRunAt).toBe(START + 60 * MIN);
  });

  it('Exact\'s daily budget still governs when Procore has plenty', async () => {
    const timers = createFakeTimers(START);
    const exact = { used: 4970 }; // 30 left, 3 per poll
    const procore = { used: 0, resetAt: START + 60 * MIN };
    const starts: number[] = [];
    const s = f1Scheduler(timers, twoBudgets(timers, exact, procore), () => {
      exact.used += 3;
      procore.used += 5;
    }, starts);
    s.start();
    await timers.advance(4 * 60 * MIN);
    // 27 left after the first poll: 9 polls in the 15 h to midnight, one every 100 min.
    expect(starts.map((t) => (t - START) / MIN)).toEqual([0, 100, 200]);
    expect(s.budgetStatus().find((b) => b.connectionId === 'procore')!.minGapMs).toBeLessThan(MIN);

    // Down to 2 Exact calls: the next poll waits for midnight whatever Procore allows.
    exact.used = 4998;
    s.reschedule('f1', { everyMinutes: 15 });
    expect(s.status()[0]!.nextRunAt).toBe(EXACT_RESET);
  });

  it('reports each connection in its own window: used today for Exact, this hour for Procore', () => {
    const timers = createFakeTimers(START);
    const s = f1Scheduler(timers, twoBudgets(timers, { used: 10 }, { used: 3597, resetAt: START + 40 * MIN }), () => {}, []);
    const status = s.budgetStatus();
    expect(status).toEqual([
      { connectionId: 'exact', window: 'daily', limit: 5000, used: 10, left: 4990, resetAt: EXACT_RESET, minGapMs: expect.any(Number), nextSafeRunAt: START },
      { connectionId: 'procore', window: 'hourly', limit: 3600, used: 3597, left: 3, resetAt: START + 40 * MIN, minGapMs: 0, nextSafeRunAt: START + 40 * MIN },
    ]);
    expect(status.map((b) => describeBudgetStatus(b))).toEqual([
      'exact: 10 calls used today, 4990 left, next safe run at 2026-01-14T09:00:00.000Z',
      'procore: 3597 calls used this hour, 3 left, next safe run at 2026-01-14T09:40:00.000Z',
    ]);
    // A window nothing is known about limits nothing and says so.
    const unknown = new Scheduler({
      schedules: [{ flow: 'f1', everyMinutes: 15, pollCost: F1_COST }],
      timers,
      budgets: () => [connectionBudget('procore', 'hourly', null, START)],
      run: async () => ({ status: 'succeeded' }),
    });
    expect(describeBudgetStatus(unknown.budgetStatus()[0]!, 'Procore')).toBe('Procore: ? calls used this hour, unknown left, next safe run at 2026-01-14T09:00:00.000Z');
  });

  it('reads a poll cost given as a function at each planning (mapped projects change while running)', () => {
    const timers = createFakeTimers(START);
    let procoreCalls = 5;
    const s = new Scheduler({
      schedules: [{ flow: 'f1', everyMinutes: 1, pollCost: () => ({ exact: 3, procore: procoreCalls }) }],
      timers,
      burstPolls: 1,
      budgets: twoBudgets(timers, { used: 10 }, { used: 3570, resetAt: START + 60 * MIN }),
      run: async () => ({ status: 'succeeded' }),
    });
    const procoreGap = (): number => s.budgetStatus().find((b) => b.connectionId === 'procore')!.minGapMs;
    expect(procoreGap()).toBe(10 * MIN); // 30 left / 5 per poll: 6 polls in the hour
    procoreCalls = 10;
    expect(procoreGap()).toBe(20 * MIN); // 30 left / 10 per poll: 3 polls in the hour
  });
});
