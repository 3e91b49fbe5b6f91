import { STREAMS, type RunSummary } from '../engine/flows/exact-procore/flow';
import { F1_FLOW } from '../engine/flows/exact-procore/mappings';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import { connectionBudgetFromSnapshot, type ConnectionBudget } from '../engine/scheduler/budget-spacing';
import type { FlowSchedule, RunOutcome } from '../engine/scheduler/scheduler';
import type { Store } from '../store';
import type { F1Runtime } from './f1-runtime';

/**
 * How F1 (Exact Online → Procore) is scheduled, shared by the app's engine and the headless
 * `run` command so both behave the same.
 */

/** An idle poll of F1 reads each stream once from Exact Online. */
export const F1_IDLE_POLL_CALLS = Object.keys(STREAMS).length;

export function f1FlowSchedule(f1: F1Runtime, everyMinutes: number, activeHours?: ActiveHours): FlowSchedule {
  return { flow: F1_FLOW, everyMinutes, ...(activeHours ? { activeHours } : {}), pollCost: { [f1.exactConnection.id]: F1_IDLE_POLL_CALLS } };
}

/** The Exact division's shared request budget, as the scheduler spaces polls by it. */
export function f1Budgets(f1: F1Runtime): ConnectionBudget[] {
  return [connectionBudgetFromSnapshot(f1.exactConnection.id, f1.exact.budget.snapshot())];
}

/** What the scheduler needs to know about a finished run (retry time, notifications). */
export function f1RunOutcome(summary: RunSummary, f1: F1Runtime, store: Store): RunOutcome {
  // A run stopped by the Exact budget leaves it blocked: the next attempt waits for it.
  const nextAllowedAt = f1.exact.budget.snapshot().nextAllowedAt;
  const needsReauth = [f1.exactConnection, f1.procoreConnection].map((c) => store.connections.require(c.id)).filter((c) => c.status === 'needs-reauth').map((c) => c.label);
  return {
    status: summary.status,
    error: summary.error,
    resumeAt: summary.status === 'failed' && nextAllowedAt > Date.now() ? nextAllowedAt : null,
    parked: summary.counts.parked,
    needsReauth,
  };
}
