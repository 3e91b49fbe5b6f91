/**
 * Budget-aware spacing of polls. Each connection has a request budget window that resets
 * (Exact: 5,000/day per division; Procore: an hourly limit per company), shared by every flow
 * on it, and each flow's idle poll costs some calls there. The scheduler never plans more polls
 * than the remaining budget pays for before it resets: with R calls left, T ms to the reset and
 * C calls per round of polls (every flow on the connection polling once), there are
 * N = floor(R / C) rounds left. A burst of B rounds may run at the flows' own cadence (a short
 * `run --every 2`, the first polls after start); beyond it, polls spend at most B × C calls in
 * any window of B × gap, gap = T / (N − B + 1), so the polls until the reset stay within N
 * rounds. With N <= B the burst is one round: rounds are T / N apart. A flow polling several
 * connections may start at the latest time any of their budgets allows.
 */
import { BUDGET_WINDOW_WORDS, type BudgetWindow } from '../../../src-shared/domain/budget';
import type { BudgetWindowSnapshot } from '../../connectors/_kit/budget';

export interface ConnectionBudget {
  connectionId: string;
  /** The window that limit, used, remaining and resetAt describe. */
  window: BudgetWindow;
  /** Null when unknown. */
  limit: number | null;
  used: number | null;
  remaining: number;
  /** Epoch ms when the window resets (or, sliding, frees its oldest call); null when unknown. */
  resetAt: number | null;
  /** Epoch ms of the earliest allowed call (e.g. after a spent per-minute or spike window). */
  nextAllowedAt: number;
}

export interface ConnectionBudgetStatus {
  connectionId: string;
  window: BudgetWindow;
  limit: number | null;
  used: number | null;
  left: number;
  resetAt: number | null;
  /** Shortest gap between polls that keeps the window's budget lasting until resetAt. */
  minGapMs: number;
  /** Earliest time the next poll of any flow on this connection may start. */
  nextSafeRunAt: number;
}

export interface BudgetPlan {
  connections: ConnectionBudgetStatus[];
  /** Earliest start per flow allowed by the budgets of the connections it polls. */
  flowSafeAt: Record<string, number>;
}

/**
 * A connection's view of one window of the kit's shared RequestBudget (null or undefined: the
 * window is unknown, so it limits nothing); nextAllowedAt comes from the whole budget.
 */
export function connectionBudget(
  connectionId: string,
  window: BudgetWindow,
  snapshot: BudgetWindowSnapshot | null | undefined,
  nextAllowedAt: number,
): ConnectionBudget {
  return {
    connectionId,
    window,
    limit: snapshot?.limit ?? null,
    used: snapshot?.used ?? null,
    remaining: snapshot?.remaining ?? Number.POSITIVE_INFINITY,
    resetAt: snapshot?.resetAt ?? null,
    nextAllowedAt,
  };
}

/** One status line, e.g. "procore-1: 3598 calls used this hour, 2 left, next safe run at 2026-…Z". */
export function describeBudgetStatus(status: ConnectionBudgetStatus, name = status.connectionId): string {
  const left = Number.isFinite(status.left) ? String(status.left) : 'unknown';
  return `${name}: ${status.used ?? '?'} calls used ${BUDGET_WINDOW_WORDS[status.window]}, ${left} left, next safe run at ${new Date(status.nextSafeRunAt).toISOString()}`;
}

export interface PollRecord {
  at: number;
  /** Calls the poll was expected to spend on the connection. */
  calls: number;
}

export function planBudgetSpacing(
  budgets: readonly ConnectionBudget[],
  flows: ReadonlyArray<{ flow: string; pollCost: Record<string, number> }>,
  /** Recent polls per connection (any flow), oldest first. */
  recentPolls: Record<string, readonly PollRecord[]>,
  now: number,
  burstRounds: number,
): BudgetPlan {
  const flowSafeAt: Record<string, number> = {};
  const connections = budgets.map((b): ConnectionBudgetStatus => {
    const users = flows.filter((f) => (f.pollCost[b.connectionId] ?? 0) > 0);
    const roundCost = users.reduce((sum, f) => sum + f.pollCost[b.connectionId]!, 0);
    const rounds = roundCost > 0 ? Math.floor(b.remaining / roundCost) : Number.POSITIVE_INFINITY;
    const untilReset = b.resetAt === null ? 0 : Math.max(0, b.resetAt - now);
    const burst = rounds > burstRounds ? burstRounds : 1;
    const minGapMs = rounds === Number.POSITIVE_INFINITY || rounds === 0 ? 0 : Math.ceil(untilReset / (rounds - burst + 1));
    const windowMs = burst * minGapMs;
    const windowCalls = burst * roundCost;
    const polls = (recentPolls[b.connectionId] ?? []).filter((p) => p.at > now - windowMs);
    const earliest = Math.max(now, b.nextAllowedAt);
    const safeAts = users.map((f) => {
      const calls = f.pollCost[b.connectionId]!;
      // Not even one poll of this flow fits in what is left: wait for the reset.
      if (b.remaining < calls) return (flowSafeAt[f.flow] = Math.max(flowSafeAt[f.flow] ?? 0, earliest, b.resetAt ?? earliest));
      // Let the oldest polls of the window age out until this poll fits in the window's calls.
      let inWindow = polls.reduce((sum, p) => sum + p.calls, 0);
      let safeAt = earliest;
      for (const p of polls) {
        if (inWindow + calls <= windowCalls) break;
        inWindow -= p.calls;
        safeAt = Math.max(safeAt, p.at + windowMs);
      }
      flowSafeAt[f.flow] = Math.max(flowSafeAt[f.flow] ?? 0, safeAt);
      return safeAt;
    });
    const nextSafeRunAt = safeAts.length > 0 ? Math.min(...safeAts) : earliest;
    return {
      connectionId: b.connectionId,
      window: b.window,
      limit: b.limit,
      used: b.used,
      left: b.remaining,
      resetAt: b.resetAt,
      minGapMs,
      nextSafeRunAt,
    };
  });
  return { connections, flowSafeAt };
}
