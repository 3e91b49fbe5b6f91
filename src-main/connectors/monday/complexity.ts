/**
 * monday's per-minute complexity budget (fact sheet §4.6), as points rather than calls: the
 * kit's RequestBudget counts calls, so the points live here and a spent budget pauses the
 * kit budget of the same account (`pauseFor`), which every caller of that account waits on.
 *
 * - The server is the truth: every document asks for `complexity { before after query
 *   reset_in_x_seconds }`, and the latest answer replaces what we knew.
 * - Until the first answer (or after the reset) the whole configured budget is assumed.
 * - The window resets `reset_in_x_seconds` after the answer (monday: 60 s after the first
 *   call of the window); a `COMPLEXITY_BUDGET_EXHAUSTED` refusal empties it until its
 *   `retry_in_seconds` have passed.
 * - One ledger per budget key (`monday:<account>` for personal tokens, which all share the
 *   account's budget; `…:app:read` / `…:app:write` for an app token), shared in the process.
 */
import type { WireComplexity } from './wire';

export class ComplexityLedger {
  /** Points left until `#resetAt`; null = nothing observed in the current window. */
  #remaining: number | null = null;
  #resetAt = 0;

  constructor(
    readonly key: string,
    /** Points per minute when nothing was observed (the plan's budget). */
    readonly limit: number,
  ) {
    if (!(Number.isInteger(limit) && limit > 0))
      throw new RangeError(`complexity budget ${key}: limit must be a positive integer, got ${limit}`);
  }

  /** Points we may spend now. */
  remaining(now: number): number {
    if (this.#remaining === null || now >= this.#resetAt) return this.limit;
    return this.#remaining;
  }

  /** Epoch ms when the current window resets (now when none is known). */
  resetAt(now: number): number {
    return this.#remaining === null || now >= this.#resetAt ? now : this.#resetAt;
  }

  /** How long to wait before a document costing `cost` fits; 0 = send now. */
  waitFor(cost: number, now: number): number {
    if (cost <= this.remaining(now)) return 0;
    // Not even a fresh window holds it: waiting cannot help; let the server refuse it.
    if (cost > this.limit) return 0;
    return this.resetAt(now) - now;
  }

  /** Counts a document sent (the answer will replace the figure). */
  spend(cost: number, now: number): void {
    if (this.#remaining === null || now >= this.#resetAt) {
      this.#remaining = this.limit;
      this.#resetAt = now + 60_000;
    }
    this.#remaining = Math.max(0, this.#remaining - cost);
  }

  /** The server's answer (`complexity` field): the latest answer wins. */
  observe(report: WireComplexity, now: number): void {
    if (!Number.isFinite(report.after) || !Number.isFinite(report.reset_in_x_seconds)) return;
    this.#remaining = Math.max(0, report.after);
    this.#resetAt = now + Math.max(0, report.reset_in_x_seconds) * 1000;
  }

  /** COMPLEXITY_BUDGET_EXHAUSTED: nothing is left until `retryAfterMs` have passed. */
  exhausted(retryAfterMs: number, now: number): void {
    this.#remaining = 0;
    this.#resetAt = now + Math.max(0, retryAfterMs);
  }
}

const ledgers = new Map<string, ComplexityLedger>();

/** The one ledger for `key` in this process; the first caller's limit wins (like the kit's getBudget). */
export function getComplexityLedger(key: string, limit: number): ComplexityLedger {
  let ledger = ledgers.get(key);
  if (!ledger) {
    ledger = new ComplexityLedger(key, limit);
    ledgers.set(key, ledger);
  }
  return ledger;
}

/** How many mutations costing `unitCost` each fit in one request now: the complexity ceiling. */
export function mutationsThatFit(options: {
  unitCost: number;
  maxPerQuery: number;
  remaining: number;
  limit: number;
  cap: number;
}): number {
  const { unitCost, maxPerQuery, remaining, limit, cap } = options;
  const perQuery = Math.max(1, Math.floor(Math.min(maxPerQuery, limit) / unitCost));
  // Fill what is left of this minute; when not even one fits, the request waits for a fresh
  // window (complexity.ts waitFor), so size it for a whole one.
  const affordable = remaining >= unitCost ? Math.floor(remaining / unitCost) : perQuery;
  return Math.max(1, Math.min(perQuery, affordable, cap));
}
