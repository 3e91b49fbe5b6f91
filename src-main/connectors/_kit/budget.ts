/**
 * Per-API request budgets, shared by every caller using the same key (for Exact:
 * `exact:<clientId>:<division>`, across all flows), so two flows cannot together overrun a
 * vendor limit that each respects alone.
 *
 * - Windows: sliding (e.g. 60 per 60 s) or fixed with a reset boundary (e.g. 5,000 per day
 *   resetting at midnight). `acquire()` waits for a slot, or throws `BudgetExhaustedError`
 *   with `resumeAt` when the wait would exceed `maxWaitMs` (a spent daily budget).
 * - `observe()` applies the server's rate-limit headers: until the server's reset time, the
 *   server's remaining count (minus calls we made since) is the truth, whatever we counted.
 * - Several calls in flight at once (a pool of writes) keep it correct: checking and counting
 *   a slot happen in one synchronous step, so N callers asking at once take N distinct slots;
 *   `acquireLease()` marks the call in flight until released, so `observe()` counts the
 *   OTHER calls still in flight as made since the answer (the server may not have seen them
 *   yet). The latest answer always wins, even one that arrives out of order: keeping the
 *   lowest figure instead would let one stale answer (a 429 storm's "0 left until the hour
 *   resets") block every call long after the server says otherwise; an out-of-order answer
 *   overstates what is left by fewer than the calls in flight, and a 429 then pauses all.
 * - `pauseFor(ms)`: the server asked for a wait (429/503 Retry-After); no call of this budget
 *   starts before it ends, so the other calls in flight do not run into the same refusal.
 * - Error budget per endpoint: the kit refuses the call that could bring the error count to
 *   `errorBudget.limit` within the window (Exact blocks the key for an hour beyond 10/hour).
 */
import type { KitClock } from './clock';
import { systemClock } from './clock';
import { BudgetExhaustedError, ErrorBudgetExceededError, SERVER_WAIT } from './errors';
import type { ParsedRateLimits } from './rate-limits';

export type BudgetWindowConfig =
  | { kind: 'sliding'; name: string; limit: number; windowMs: number }
  | {
      kind: 'fixed';
      name: string;
      limit: number;
      /** The first reset boundary strictly after `now` (e.g. next midnight UTC). */
      nextResetAt: (now: number) => number;
    };

export interface ErrorBudgetConfig {
  /** The error count per endpoint per window that must never be reached. */
  limit: number;
  windowMs: number;
  /** Which HTTP statuses the vendor counts as errors; default: every status >= 400. */
  countsAsError?: (status: number) => boolean;
}

export interface BudgetConfig {
  /** Window names should match the rate-limit parser's names so `observe()` lines them up. */
  windows: BudgetWindowConfig[];
  errorBudget?: ErrorBudgetConfig;
  /** Longest `acquire()` sleeps for a slot; a longer wait throws BudgetExhaustedError. */
  maxWaitMs?: number;
  clock?: KitClock;
}

export interface BudgetWindowSnapshot {
  name: string;
  limit: number | null;
  used: number | null;
  remaining: number;
  /** Epoch ms when the window (or its oldest call) frees capacity; null when nothing is used. */
  resetAt: number | null;
  source: 'local' | 'server';
}

/** One acquired call. Release it when the call has ended (answered or failed). */
export interface BudgetLease {
  release(): void;
}

export interface BudgetSnapshot {
  key: string;
  windows: BudgetWindowSnapshot[];
  /** Earliest epoch ms a call is allowed (now when a call is allowed now). */
  nextAllowedAt: number;
  errors: Array<{ endpoint: string; errors: number; limit: number; resumeAt: number | null }>;
}

interface ServerView {
  remaining: number;
  limit: number | null;
  resetAt: number;
  callsSince: number;
}

interface WindowState {
  name: string;
  config: BudgetWindowConfig | null;
  /** Sliding windows: start times of calls still inside the window, oldest first. */
  callTimes: number[];
  /** Fixed windows. */
  used: number;
  resetAt: number;
  server: ServerView | null;
}

export const nextUtcMidnight = (now: number): number => {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
};

export class RequestBudget {
  readonly #windows = new Map<string, WindowState>();
  readonly #errorTimes = new Map<string, number[]>();
  readonly #clock: KitClock;
  readonly #maxWaitMs: number;
  /** Calls acquired and not yet released. */
  readonly #inFlight = new Set<BudgetLease>();
  /** Epoch ms before which no call starts (the server's Retry-After); 0 = no pause. */
  #pausedUntil = 0;

  constructor(
    readonly key: string,
    readonly config: BudgetConfig,
  ) {
    this.#clock = config.clock ?? systemClock;
    this.#maxWaitMs = config.maxWaitMs ?? 120_000;
    const now = this.#clock.now();
    for (const window of config.windows) {
      if (!(Number.isInteger(window.limit) && window.limit > 0)) {
        throw new RangeError(
          `budget ${key}: window ${window.name} limit must be a positive integer, got ${window.limit}`,
        );
      }
      this.#windows.set(window.name, {
        name: window.name,
        config: window,
        callTimes: [],
        used: 0,
        resetAt: window.kind === 'fixed' ? window.nextResetAt(now) : 0,
        server: null,
      });
    }
    if (config.errorBudget && !(config.errorBudget.limit >= 2)) {
      throw new RangeError(`budget ${key}: errorBudget.limit must be >= 2, got ${config.errorBudget.limit}`);
    }
  }

  /** Wait until a call is allowed and count it. `endpoint` enables the error-budget check. */
  async acquire(endpoint?: string): Promise<void> {
    await this.#take(endpoint, false);
  }

  /**
   * `acquire()` for a call that stays in flight until the lease is released (HttpClient does
   * this for every attempt), so `observe()` knows which other calls the server may not have
   * counted yet. Release it when the call has ended, answered or not.
   */
  acquireLease(endpoint?: string): Promise<BudgetLease> {
    return this.#take(endpoint, true);
  }

  async #take(endpoint: string | undefined, inFlight: boolean): Promise<BudgetLease> {
    for (;;) {
      const now = this.#clock.now();
      if (endpoint !== undefined) this.#assertErrorBudget(endpoint, now);
      const { waitMs, windowName } = this.#longestWait(now);
      if (waitMs <= 0) {
        // No await between the check, the count and the in-flight mark: concurrent callers
        // cannot share a slot, and no answer is observed between counting and marking.
        this.#recordCall(now);
        const lease: BudgetLease = { release: () => this.#inFlight.delete(lease) };
        if (inFlight) this.#inFlight.add(lease);
        return lease;
      }
      if (waitMs > this.#maxWaitMs) throw new BudgetExhaustedError(this.key, windowName, now + waitMs);
      await this.#clock.sleep(waitMs);
    }
  }

  /**
   * Apply the server's view from the answer to `answered` (a lease of this budget, if the call
   * went through it). Windows absent from `parsed` are unknown and left as they are.
   */
  observe(parsed: ParsedRateLimits, answered?: BudgetLease): void {
    const now = this.#clock.now();
    // The other calls in flight may reach the server after this answer was counted.
    const othersInFlight = this.#inFlight.size - (answered && this.#inFlight.has(answered) ? 1 : 0);
    for (const window of parsed.windows) {
      // Without a reset time we cannot tell how long the server's count holds; keep our own.
      if (window.resetAt === null || window.resetAt <= now) continue;
      let state = this.#windows.get(window.name);
      if (!state) {
        // A server-only window (e.g. Procore's "nearest"): honour it though we do not model it.
        state = { name: window.name, config: null, callTimes: [], used: 0, resetAt: 0, server: null };
        this.#windows.set(window.name, state);
      }
      state.server = {
        remaining: window.remaining,
        limit: window.limit,
        resetAt: window.resetAt,
        callsSince: othersInFlight,
      };
    }
  }

  /** The server asked for a wait (Retry-After on 429/503): no call starts for `ms`. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  /** Count a response against the endpoint's error budget if the vendor counts its status. */
  recordResponse(endpoint: string, status: number): void {
    const budget = this.config.errorBudget;
    if (budget && (budget.countsAsError ?? ((code: number) => code >= 400))(status))
      this.recordError(endpoint);
  }

  /** Count a failed call against the endpoint's error budget. */
  recordError(endpoint: string): void {
    const times = this.#errorTimes.get(endpoint) ?? [];
    times.push(this.#clock.now());
    this.#errorTimes.set(endpoint, times);
  }

  snapshot(): BudgetSnapshot {
    const now = this.#clock.now();
    const windows = [...this.#windows.values()].flatMap((state) => this.#snapshotWindow(state, now) ?? []);
    const errorLimit = this.config.errorBudget?.limit;
    const errors =
      errorLimit === undefined
        ? []
        : [...this.#errorTimes.keys()].map((endpoint) => {
            const times = this.#liveErrorTimes(endpoint, now);
            return {
              endpoint,
              errors: times.length,
              limit: errorLimit,
              resumeAt: this.#errorResumeAt(times),
            };
          });
    return { key: this.key, windows, nextAllowedAt: now + this.#longestWait(now).waitMs, errors };
  }

  #assertErrorBudget(endpoint: string, now: number): void {
    const times = this.#liveErrorTimes(endpoint, now);
    const resumeAt = this.#errorResumeAt(times);
    if (resumeAt !== null) throw new ErrorBudgetExceededError(this.key, endpoint, times.length, resumeAt);
  }

  /** When enough errors age out that one more cannot reach the limit; null if not blocked. */
  #errorResumeAt(times: number[]): number | null {
    const budget = this.config.errorBudget;
    if (!budget) return null;
    if (times.length < budget.limit - 1) return null;
    const excess = times.length - (budget.limit - 2);
    return (times[excess - 1] as number) + budget.windowMs;
  }

  #liveErrorTimes(endpoint: string, now: number): number[] {
    const windowMs = this.config.errorBudget?.windowMs ?? 0;
    const recorded = this.#errorTimes.get(endpoint);
    if (!recorded) return [];
    const times = recorded.filter((time) => time > now - windowMs);
    this.#errorTimes.set(endpoint, times);
    return times;
  }

  #longestWait(now: number): { waitMs: number; windowName: string } {
    let longest = { waitMs: 0, windowName: '' };
    for (const state of this.#windows.values()) {
      const waitMs = this.#waitFor(state, now);
      if (waitMs > longest.waitMs) longest = { waitMs, windowName: state.name };
    }
    const pausedMs = this.#pausedUntil - now;
    return pausedMs > longest.waitMs ? { waitMs: pausedMs, windowName: SERVER_WAIT } : longest;
  }

  #waitFor(state: WindowState, now: number): number {
    this.#expire(state, now);
    if (state.server) return leftIn(state.server) > 0 ? 0 : state.server.resetAt - now;
    const config = state.config;
    if (!config) return 0;
    if (config.kind === 'fixed') return state.used < config.limit ? 0 : state.resetAt - now;
    if (state.callTimes.length < config.limit) return 0;
    // The call that must age out before another fits.
    return (state.callTimes[state.callTimes.length - config.limit] as number) + config.windowMs - now;
  }

  #expire(state: WindowState, now: number): void {
    if (state.server && now >= state.server.resetAt) state.server = null;
    const config = state.config;
    if (config?.kind === 'fixed' && now >= state.resetAt) {
      state.used = 0;
      state.resetAt = config.nextResetAt(now);
    }
    if (config?.kind === 'sliding') {
      const firstLive = state.callTimes.findIndex((time) => time > now - config.windowMs);
      state.callTimes.splice(0, firstLive === -1 ? state.callTimes.length : firstLive);
    }
  }

  #recordCall(now: number): void {
    for (const state of this.#windows.values()) {
      if (state.server) state.server.callsSince += 1;
      if (state.config?.kind === 'fixed') state.used += 1;
      if (state.config?.kind === 'sliding') state.callTimes.push(now);
    }
  }

  /** Null for a server-only window whose observation has expired (nothing known about it). */
  #snapshotWindow(state: WindowState, now: number): BudgetWindowSnapshot | null {
    this.#expire(state, now);
    const config = state.config;
    if (state.server) {
      const remaining = Math.max(0, leftIn(state.server));
      const limit = state.server.limit ?? config?.limit ?? null;
      return {
        name: state.name,
        limit,
        used: limit === null ? null : Math.max(0, limit - remaining),
        remaining,
        resetAt: state.server.resetAt,
        source: 'server',
      };
    }
    if (!config) return null;
    const used = config.kind === 'fixed' ? state.used : state.callTimes.length;
    const oldestCall = state.callTimes[0];
    const resetAt =
      config.kind === 'fixed'
        ? state.resetAt
        : oldestCall === undefined
          ? null
          : oldestCall + config.windowMs;
    return {
      name: state.name,
      limit: config.limit,
      used,
      remaining: Math.max(0, config.limit - used),
      resetAt,
      source: 'local',
    };
  }
}

/** Calls the server view still allows: its remaining minus our calls it has not counted. */
function leftIn(view: ServerView): number {
  return view.remaining - view.callsSince;
}

const budgets = new Map<string, RequestBudget>();

/**
 * The one budget for `key`. The first caller's config wins; later callers with the same key
 * share that object (the limits belong to the vendor account, not to a flow).
 */
export function getBudget(key: string, config: BudgetConfig): RequestBudget {
  let budget = budgets.get(key);
  if (!budget) {
    budget = new RequestBudget(key, config);
    budgets.set(key, budget);
  }
  return budget;
}
