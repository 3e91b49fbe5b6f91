import { STREAMS, type RunSummary } from '../engine/flows/exact-procore/flow';
import { F1_FLOW, F1_MAPPING_SETS } from '../engine/flows/exact-procore/mappings';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import { connectionBudget, type ConnectionBudget } from '../engine/scheduler/budget-spacing';
import type { FlowSchedule, RunOutcome } from '../engine/scheduler/scheduler';
import type { Store } from '../store';
import type { F1Runtime } from './f1-runtime';

/**
 * How F1 (Exact Online → Procore) is scheduled, shared by the app's engine and the headless
 * `run` command so both behave the same.
 */

/** An idle poll of F1 reads each stream once from Exact Online. */
export const F1_IDLE_POLL_CALLS = Object.keys(STREAMS).length;

/**
 * Procore calls an F1 poll is charged for. A poll that finds nothing costs none in Procore; one
 * that finds records first loads Procore's reference data (ProcoreConnector loadReference:
 * projects, line item types, vendors, and the cost codes of each mapped project), one page
 * each, and the spacing assumes that much so Procore's hour lasts while records keep coming.
 * The mapped projects change while the app runs, so this is read per planning; rows are counted
 * by distinct target without validation (a bad row fails the run, not the plan).
 */
export function f1ProcoreIdlePollCalls(store: Store): number {
  const set = store.mappings.getSet(F1_FLOW, F1_MAPPING_SETS.projects);
  const version = set ? store.mappings.currentVersion(set.id) : undefined;
  const mappedProjects = new Set(version ? store.mappings.rows(version.id).map((row) => JSON.stringify(row.target)) : []);
  return 3 + mappedProjects.size;
}

/** What F1's schedule reads from its runtime (an F1Runtime is one; tests build one from real parts). */
export type F1ScheduleSources = Pick<F1Runtime, 'exactConnection' | 'procoreConnection' | 'exact' | 'procore'> & {
  deps: Pick<F1Runtime['deps'], 'store'>;
};

export function f1FlowSchedule(f1: F1ScheduleSources, everyMinutes: number, activeHours?: ActiveHours): FlowSchedule {
  const { exactConnection, procoreConnection, deps } = f1;
  return {
    flow: F1_FLOW,
    everyMinutes,
    ...(activeHours ? { activeHours } : {}),
    pollCost: () => ({ [exactConnection.id]: F1_IDLE_POLL_CALLS, [procoreConnection.id]: f1ProcoreIdlePollCalls(deps.store) }),
  };
}

/**
 * The budgets the scheduler spaces F1's polls by: the Exact division's day (its minutely window
 * only delays the next call) and the Procore company's hour (its spike window likewise).
 */
export function f1Budgets(f1: F1ScheduleSources): ConnectionBudget[] {
  const exact = f1.exact.budget.snapshot();
  return [
    connectionBudget(f1.exactConnection.id, 'daily', exact.windows.find((w) => w.name === 'daily'), exact.nextAllowedAt),
    connectionBudget(f1.procoreConnection.id, 'hourly', f1.procore.hourlyBudget(), f1.procore.budget.snapshot().nextAllowedAt),
  ];
}

/** What the scheduler needs to know about a finished run (retry time, notifications). */
export function f1RunOutcome(summary: RunSummary, f1: F1ScheduleSources, store: Store): RunOutcome {
  // A run stopped by a spent budget (Exact's or Procore's) leaves it blocked: the next attempt waits for it.
  const nextAllowedAt = Math.max(f1.exact.budget.snapshot().nextAllowedAt, f1.procore.budget.snapshot().nextAllowedAt);
  const needsReauth = [f1.exactConnection, f1.procoreConnection].map((c) => store.connections.require(c.id)).filter((c) => c.status === 'needs-reauth').map((c) => c.label);
  return {
    status: summary.status,
    error: summary.error,
    resumeAt: summary.status === 'failed' && nextAllowedAt > Date.now() ? nextAllowedAt : null,
    parked: summary.counts.parked,
    needsReauth,
  };
}
