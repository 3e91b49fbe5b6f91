/**
 * Background scheduling of flows (issue 6), pure Node with injected time:
 * - one run per flow at a time: "Sync now" during a run joins it; a tick never overlaps a run
 *   (the next tick is planned only when the run has ended);
 * - a wake after the machine slept through one or more ticks gives exactly ONE 'catch-up' run;
 * - failures back off exponentially (the next attempt time is in status());
 * - a run stopped by a spent request budget (outcome.resumeAt) waits until resumeAt, not before;
 * - polls are spaced so each connection's remaining budget (Exact's day, Procore's hour) lasts
 *   until its window resets; a flow polling several connections waits for the latest of them;
 * - activeHours keeps scheduled runs inside business hours (manual runs are always allowed).
 */
import type { RunTrigger } from '../../store/repos/runs';
import { activeTimeAtOrAfter, type ActiveHours, type LocalTimeOf, localTimeOfSystem, parseActiveHours } from './active-hours';
import { planBudgetSpacing, type BudgetPlan, type ConnectionBudget, type ConnectionBudgetStatus, type PollRecord } from './budget-spacing';
import type { SchedulerTimers, TimerHandle } from './timers';

/** How soon a flow another process was running is tried again (or its own cadence, if sooner). */
const BUSY_RETRY_MS = 60_000;

/** Polls remembered per connection for spacing (far more than any burst window holds). */
const MAX_POLL_HISTORY = 1_000;

export type ScheduledTrigger = Exclude<RunTrigger, 'cli'>;

export interface RunOutcome {
  /**
   * 'cancelled': stopped on request (the app quitting); 'busy': another process runs the flow in
   * this data folder (nothing was done; `error` names it). Neither is a failure: no backoff.
   */
  status: 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'busy';
  error?: string | null;
  /** Epoch ms before which a new run cannot get API calls (a spent or rate-limited budget). */
  resumeAt?: number | null;
  /** Records this run left waiting in Pending validation (for a notification). */
  parked?: number;
  /** The first few of them as finance names them ("PO 20011 · Koster B.V. · € 39.854,50"). */
  parkedNames?: readonly string[];
  /** Their value in all ("€ 355.149,71"), when known. */
  parkedValue?: string;
  /** Connections that need the user to sign in again (for a notification). */
  needsReauth?: readonly string[];
  /** Connections whose client secret the provider refused (for a notification). */
  clientSecretRefused?: readonly string[];
}

export interface FlowSchedule {
  flow: string;
  /** Cadence of scheduled runs (fractions allowed, e.g. 2 s = 1/30). */
  everyMinutes: number;
  /** Scheduled runs only inside these hours; e.g. {from:'07:00', to:'19:00', days:[1,2,3,4,5]}. */
  activeHours?: ActiveHours;
  /**
   * API calls one idle poll of this flow costs, per connection id (e.g. one call per stream). A
   * function when the cost follows settings that change while the scheduler runs (mapped projects).
   */
  pollCost?: PollCost;
}

export type PollCost = Record<string, number> | (() => Record<string, number>);

export interface SchedulerOptions {
  schedules: FlowSchedule[];
  run(flow: string, trigger: ScheduledTrigger): Promise<RunOutcome>;
  timers: SchedulerTimers;
  /** Current budget of each connection (read when planning the next run). */
  budgets?: () => ConnectionBudget[];
  /** First retry delay after a failure; doubles per consecutive failure. Default 1 min. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 1 h. */
  backoffMaxMs?: number;
  /** Rounds of polls per connection allowed at the flows' own cadence before spacing applies. Default 5. */
  burstPolls?: number;
  /** Local day/time of an instant (for activeHours); default: this machine's time zone. */
  localTimeOf?: LocalTimeOf;
  onEvent?: (event: SchedulerEvent) => void;
}

export type SchedulerEvent =
  | { type: 'run-started'; flow: string; trigger: ScheduledTrigger; at: number }
  | { type: 'run-finished'; flow: string; trigger: ScheduledTrigger; startedAt: number; endedAt: number; outcome: RunOutcome; nextRunAt: number | null; consecutiveFailures: number }
  | { type: 'state-changed'; flow: string; status: FlowStatus };

export type FlowState = 'idle' | 'running' | 'paused' | 'backoff' | 'waiting-for-budget';

export interface LastRun {
  trigger: ScheduledTrigger;
  startedAt: number;
  endedAt: number;
  status: RunOutcome['status'];
  error: string | null;
}

export interface FlowStatus {
  flow: string;
  state: FlowState;
  /** Epoch ms of the next planned run; null while running or paused. */
  nextRunAt: number | null;
  lastRun: LastRun | null;
  consecutiveFailures: number;
  /** Why the next run waits beyond its cadence, e.g. 'backoff after 2 failures'. */
  waitReason: string | null;
}

interface FlowRuntime {
  schedule: FlowSchedule;
  intervalMs: number;
  paused: boolean;
  running: { trigger: ScheduledTrigger; startedAt: number; done: Promise<RunOutcome> } | null;
  lastRun: LastRun | null;
  consecutiveFailures: number;
  /** The regular cadence: when the next scheduled run is due. */
  dueAt: number;
  /** A retry, budget or other-process wait that pushes the next run past dueAt. */
  blocked: { until: number; kind: 'backoff' | 'budget' | 'busy'; reason?: string } | null;
  /** When the armed timer should fire; null when none is armed. */
  plannedAt: number | null;
  timer: TimerHandle | null;
  /**
   * What the cadence counts from before this process ran the flow (a run recorded earlier, or
   * the moment the schedule started): set by `start({ lastRunAt })`, null for "due at once".
   */
  countFrom: number | null;
}

/** How `start` plans each flow's first run. */
export interface StartOptions {
  /**
   * The start of the flow's latest recorded run (epoch ms; any process, any trigger), or null when
   * it never ran. With this option a flow's first run is one interval after that run (at once,
   * as a catch-up, when that moment has passed), or one interval after the start when it never
   * ran: a host that restarts does not poll again before the cadence says so. Without it every
   * flow is due at once.
   */
  lastRunAt?: (flow: string) => number | null;
}

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #flows = new Map<string, FlowRuntime>();
  readonly #localTimeOf: LocalTimeOf;
  readonly #listeners = new Set<(event: SchedulerEvent) => void>();
  /** Start times of recent polls per connection (any flow, manual too: they spend the budget). */
  readonly #pollStarts = new Map<string, PollRecord[]>();
  #started = false;
  #startOptions: StartOptions = {};

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#localTimeOf = opts.localTimeOf ?? localTimeOfSystem;
    for (const schedule of opts.schedules) this.#add(schedule);
  }

  /**
   * Schedules a flow that became able to run while the scheduler runs (a connection was made):
   * due at once when started, like the others at start.
   */
  addFlow(schedule: FlowSchedule, options: { paused?: boolean } = {}): void {
    const f = this.#add(schedule);
    f.paused = options.paused ?? false;
    if (!this.#started) return;
    this.#planFirstRun(f, this.#opts.timers.now());
    this.#arm(f);
    this.#changed(f);
  }

  #add(schedule: FlowSchedule): FlowRuntime {
    assertValidSchedule(schedule);
    if (this.#flows.has(schedule.flow)) throw new Error(`Flow "${schedule.flow}" is scheduled twice.`);
    const f: FlowRuntime = {
      schedule,
      intervalMs: schedule.everyMinutes * 60_000,
      paused: false,
      running: null,
      lastRun: null,
      consecutiveFailures: 0,
      dueAt: 0,
      blocked: null,
      plannedAt: null,
      timer: null,
      countFrom: null,
    };
    this.#flows.set(schedule.flow, f);
    return f;
  }

  /** A flow's first run after start (or after it joined a started scheduler). */
  #planFirstRun(f: FlowRuntime, now: number): void {
    const lastRunAt = this.#startOptions.lastRunAt;
    if (!lastRunAt) {
      f.dueAt = now;
      return;
    }
    f.countFrom = lastRunAt(f.schedule.flow) ?? now;
    f.dueAt = f.countFrom + f.intervalMs;
  }

  /** Whether a flow has a schedule here. */
  has(flow: string): boolean {
    return this.#flows.has(flow);
  }

  /**
   * Plans every flow's first run (inside its active hours): due at once, or with
   * `options.lastRunAt` one interval after its latest recorded run (see StartOptions).
   */
  start(options: StartOptions = {}): void {
    if (this.#started) return;
    this.#started = true;
    this.#startOptions = options;
    const now = this.#opts.timers.now();
    for (const f of this.#flows.values()) {
      this.#planFirstRun(f, now);
      this.#arm(f);
    }
  }

  /** Whether start() planned runs (and stop() has not ended them): a scheduler that is not started runs only "Sync now". */
  isStarted(): boolean {
    return this.#started;
  }

  /** Stops planning runs and waits for runs in progress to end. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const f of this.#flows.values()) this.#disarm(f);
    await Promise.all([...this.#flows.values()].map((f) => f.running?.done.catch(() => undefined)));
  }

  /** "Sync now": starts a manual run, or joins the run in progress. Allowed while paused. */
  runNow(flow: string): Promise<RunOutcome> {
    const f = this.#require(flow);
    if (f.running) return f.running.done;
    return this.#startRun(f, 'manual');
  }

  pause(flow?: string): void {
    for (const f of this.#select(flow)) {
      f.paused = true;
      this.#disarm(f);
      this.#changed(f);
    }
  }

  /** Resumes scheduled runs; one that fell due while paused runs at once (not as a catch-up). */
  resume(flow?: string): void {
    const now = this.#opts.timers.now();
    for (const f of this.#select(flow)) {
      if (!f.paused) continue;
      f.paused = false;
      f.dueAt = Math.max(f.dueAt, now);
      this.#arm(f);
      this.#changed(f);
    }
  }

  /**
   * Changes a flow's cadence and active hours while running (Settings screen). The next run is
   * planned from the last run's start with the new interval (at once if that is already past);
   * a run in progress finishes first, and a paused flow stays paused.
   */
  reschedule(flow: string, change: { everyMinutes: number; activeHours?: ActiveHours | undefined }): void {
    const f = this.#require(flow);
    const { pollCost } = f.schedule;
    const schedule: FlowSchedule = {
      flow,
      everyMinutes: change.everyMinutes,
      ...(change.activeHours ? { activeHours: change.activeHours } : {}),
      ...(pollCost ? { pollCost } : {}),
    };
    assertValidSchedule(schedule);
    f.schedule = schedule;
    f.intervalMs = schedule.everyMinutes * 60_000;
    // From the last run in this process, else from what the first run was counted from.
    const from = f.lastRun?.startedAt ?? f.countFrom;
    if (from !== null) f.dueAt = from + f.intervalMs;
    if (f.running) return; // #finish plans the next run with the new schedule
    this.#arm(f);
    this.#changed(f);
  }

  isPaused(flow?: string): boolean {
    const flows = this.#select(flow);
    return flows.length > 0 && flows.every((f) => f.paused);
  }

  /**
   * The machine woke (Electron powerMonitor 'resume'): timers may fire late or not at all, so
   * check every flow now. A flow that missed one or more ticks gets exactly one catch-up run.
   */
  wake(): void {
    for (const f of this.#flows.values()) {
      if (f.plannedAt === null) continue;
      if (this.#opts.timers.now() >= f.plannedAt) this.#fire(f);
      else this.#arm(f);
    }
  }

  /** Listen to run and state changes (tray, notifications); returns an unsubscribe. */
  subscribe(listener: (event: SchedulerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): FlowStatus[] {
    return [...this.#flows.values()].map((f) => this.#status(f));
  }

  /** "Calls used / left / next safe run" per connection, in its window (today, this hour). */
  budgetStatus(): ConnectionBudgetStatus[] {
    return this.#plan().connections;
  }

  #status(f: FlowRuntime): FlowStatus {
    const now = this.#opts.timers.now();
    const blocked = f.blocked && f.blocked.until > now ? f.blocked : null;
    const state: FlowState = f.running
      ? 'running'
      : f.paused
        ? 'paused'
        : blocked?.kind === 'budget'
          ? 'waiting-for-budget'
          : blocked?.kind === 'backoff'
            ? 'backoff'
            : 'idle';
    const waitReason = blocked
      ? blocked.kind === 'budget'
        ? `API budget spent; calls allowed again at ${new Date(blocked.until).toISOString()}`
        : blocked.kind === 'busy'
          ? `${blocked.reason ?? 'another process runs this flow'}; trying again at ${new Date(blocked.until).toISOString()}`
          : `retrying after ${f.consecutiveFailures} failed run(s)`
      : null;
    return {
      flow: f.schedule.flow,
      state,
      nextRunAt: f.running || f.paused ? null : f.plannedAt,
      lastRun: f.lastRun,
      consecutiveFailures: f.consecutiveFailures,
      waitReason,
    };
  }

  #require(flow: string): FlowRuntime {
    const f = this.#flows.get(flow);
    if (!f) throw new Error(`Flow "${flow}" has no schedule. Scheduled flows: ${[...this.#flows.keys()].join(', ') || 'none'}.`);
    return f;
  }

  #select(flow: string | undefined): FlowRuntime[] {
    return flow === undefined ? [...this.#flows.values()] : [this.#require(flow)];
  }

  #budgets(): ConnectionBudget[] {
    return this.#opts.budgets?.() ?? [];
  }

  #costs(): Array<{ flow: string; pollCost: Record<string, number> }> {
    return [...this.#flows.values()].map((f) => ({ flow: f.schedule.flow, pollCost: pollCostOf(f.schedule) }));
  }

  #plan(): BudgetPlan {
    return planBudgetSpacing(this.#budgets(), this.#costs(), Object.fromEntries(this.#pollStarts), this.#opts.timers.now(), this.#burst);
  }

  get #burst(): number {
    return this.#opts.burstPolls ?? 5;
  }

  #recordPoll(f: FlowRuntime, at: number): PollRecord[] {
    const records: PollRecord[] = [];
    for (const [connection, calls] of Object.entries(pollCostOf(f.schedule))) {
      const record = { at, calls };
      records.push(record);
      const polls = [...(this.#pollStarts.get(connection) ?? []), record];
      this.#pollStarts.set(connection, polls.slice(-MAX_POLL_HISTORY));
    }
    return records;
  }

  /** A poll that spent nothing (refused as busy before reading) no longer counts against the budgets. */
  #forgetPoll(records: readonly PollRecord[]): void {
    for (const [connection, polls] of this.#pollStarts) this.#pollStarts.set(connection, polls.filter((p) => !records.includes(p)));
  }

  /** When the flow's next scheduled run may start: cadence, retry/budget waits, spacing, hours. */
  #nextRunAt(f: FlowRuntime): number {
    let at = Math.max(f.dueAt, f.blocked?.until ?? 0, this.#plan().flowSafeAt[f.schedule.flow] ?? 0);
    if (f.schedule.activeHours) at = activeTimeAtOrAfter(f.schedule.activeHours, at, this.#localTimeOf);
    return at;
  }

  #arm(f: FlowRuntime): void {
    this.#disarm(f);
    if (!this.#started || f.paused || f.running) return;
    // Catch-up detection compares the firing time with plannedAt, so a wait for business hours
    // or budget is never mistaken for a missed tick.
    const at = this.#nextRunAt(f);
    f.plannedAt = at;
    f.timer = this.#opts.timers.setTimer(() => this.#fire(f), at - this.#opts.timers.now());
  }

  #disarm(f: FlowRuntime): void {
    if (f.timer !== null) this.#opts.timers.clearTimer(f.timer);
    f.timer = null;
    f.plannedAt = null;
  }

  #fire(f: FlowRuntime): void {
    const planned = f.plannedAt;
    this.#disarm(f);
    if (!this.#started || f.paused || f.running || planned === null) return;
    const now = this.#opts.timers.now();
    if (now < planned) {
      this.#arm(f); // fired early (clock adjusted): plan again
      return;
    }
    // Late by a whole interval or more: the machine slept through ticks. One catch-up covers them all.
    const trigger: ScheduledTrigger = now - planned >= f.intervalMs ? 'catch-up' : 'schedule';
    void this.#startRun(f, trigger);
  }

  #startRun(f: FlowRuntime, trigger: ScheduledTrigger): Promise<RunOutcome> {
    this.#disarm(f);
    const startedAt = this.#opts.timers.now();
    const polls = this.#recordPoll(f, startedAt);
    const done = this.#invoke(f.schedule.flow, trigger).then((outcome) => {
      // Refused before it read or wrote anything: with several flows on one connection, counting
      // such polls spent the budget window of every flow while one of them was held elsewhere.
      if (outcome.status === 'busy') this.#forgetPoll(polls);
      this.#finish(f, trigger, startedAt, outcome);
      return outcome;
    });
    f.running = { trigger, startedAt, done };
    this.#emit({ type: 'run-started', flow: f.schedule.flow, trigger, at: startedAt });
    this.#changed(f);
    return done;
  }

  /** The injected run never breaks the scheduler: a thrown error is a failed outcome. */
  async #invoke(flow: string, trigger: ScheduledTrigger): Promise<RunOutcome> {
    try {
      return await this.#opts.run(flow, trigger);
    } catch (err) {
      const resumeAt = (err as { resumeAt?: unknown }).resumeAt;
      return { status: 'failed', error: err instanceof Error ? err.message : String(err), ...(typeof resumeAt === 'number' ? { resumeAt } : {}) };
    }
  }

  #finish(f: FlowRuntime, trigger: ScheduledTrigger, startedAt: number, outcome: RunOutcome): void {
    const endedAt = this.#opts.timers.now();
    f.running = null;
    f.lastRun = { trigger, startedAt, endedAt, status: outcome.status, error: outcome.error ?? null };
    // The cadence counts from the run's start; a run longer than the interval is followed at once.
    f.dueAt = Math.max(startedAt + f.intervalMs, endedAt);
    if (outcome.status === 'busy') {
      // Another process (a CLI sync, a second app) holds the flow: look again soon, not a failure.
      f.blocked = { until: endedAt + Math.min(f.intervalMs, BUSY_RETRY_MS), kind: 'busy', ...(outcome.error ? { reason: outcome.error } : {}) };
    } else if (outcome.resumeAt != null && outcome.resumeAt > endedAt) {
      // Out of API budget: not the run's fault; retry when calls are allowed again.
      f.blocked = { until: outcome.resumeAt, kind: 'budget' };
    } else if (outcome.status === 'failed') {
      f.consecutiveFailures += 1;
      const base = this.#opts.backoffBaseMs ?? 60_000;
      const delay = Math.min(base * 2 ** (f.consecutiveFailures - 1), this.#opts.backoffMaxMs ?? 3_600_000);
      f.blocked = { until: endedAt + delay, kind: 'backoff' };
    } else if (outcome.status === 'cancelled') {
      f.blocked = null; // stopped on request: says nothing about failures either way
    } else {
      f.consecutiveFailures = 0;
      f.blocked = null;
    }
    this.#arm(f);
    this.#emit({ type: 'run-finished', flow: f.schedule.flow, trigger, startedAt, endedAt, outcome, nextRunAt: f.plannedAt, consecutiveFailures: f.consecutiveFailures });
    this.#changed(f);
  }

  #changed(f: FlowRuntime): void {
    this.#emit({ type: 'state-changed', flow: f.schedule.flow, status: this.#status(f) });
  }

  #emit(event: SchedulerEvent): void {
    this.#opts.onEvent?.(event);
    for (const listener of this.#listeners) listener(event);
  }
}

function pollCostOf(schedule: FlowSchedule): Record<string, number> {
  const cost = schedule.pollCost ?? {};
  return typeof cost === 'function' ? cost() : cost;
}

/** Fails on bad input at once, not at the first tick. */
function assertValidSchedule(schedule: FlowSchedule): void {
  if (!(schedule.everyMinutes > 0)) throw new RangeError(`Schedule of "${schedule.flow}": everyMinutes must be > 0, got ${schedule.everyMinutes}.`);
  if (schedule.activeHours) parseActiveHours(schedule.activeHours);
}
