import { formatMoneyTotals, recordTitle, sumByCurrency } from '../../src-shared/domain/labels';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import type { ConnectionBudget } from '../engine/scheduler/budget-spacing';
import type { FlowSchedule, RunOutcome } from '../engine/scheduler/scheduler';
import type { RunSummary } from '../engine/sync/flow-run';
import type { Store } from '../store';
import type { OpenFlow } from './flow-host';
import type { OpenedConnection } from './systems';

/**
 * How a flow is scheduled, shared by the app's engine and the headless `run` command so both
 * behave the same. Connections belong to systems: every flow on a connection spends its budget,
 * and the scheduler spaces them all inside it.
 */

type ScheduledFlow = Pick<OpenFlow, 'plugin' | 'connections'>;

/**
 * A flow's schedule: its cadence, hours, and what an idle poll costs on each of its connections.
 * `peers` are the open flows in registry order (read at each planning): a shared feed a flow before this one on the same
 * connection reads is not counted again for this one (those flows read it once between them), so
 * the costs of the flows on a connection add up to one call per feed.
 */
export function flowSchedule(flow: ScheduledFlow, store: Store, everyMinutes: number, activeHours?: ActiveHours, peers: () => Iterable<ScheduledFlow> = () => []): FlowSchedule {
  return {
    flow: flow.plugin.id,
    everyMinutes,
    ...(activeHours ? { activeHours } : {}),
    // Read per planning: a flow's cost can follow settings that change while the app runs (mapped projects).
    pollCost: () => {
      const calls = idleCalls(flow, store);
      return Object.fromEntries(
        flow.connections.map((c) => {
          const cost = calls[c.system];
          if (typeof cost !== 'object') return [c.connection.id, cost ?? 0];
          const readBefore = new Set<string>();
          for (const peer of peers()) {
            if (peer.plugin.id === flow.plugin.id) break;
            const theirs = peer.connections.some((pc) => pc.connection.id === c.connection.id) ? idleCalls(peer, store)[c.system] : undefined;
            if (typeof theirs === 'object') for (const feed of theirs) readBefore.add(feed);
          }
          return [c.connection.id, cost.filter((feed) => !readBefore.has(feed)).length];
        }),
      );
    },
  };
}

function idleCalls(flow: ScheduledFlow, store: Store): Record<string, number | readonly string[] | undefined> {
  return flow.plugin.idlePollCalls(store) as Record<string, number | readonly string[] | undefined>;
}

/** The budgets the scheduler spaces polls by: each connection of the open flows once (Exact's day, Procore's hour). */
export function connectionBudgets(flows: Iterable<Pick<OpenFlow, 'connections'>>): ConnectionBudget[] {
  const seen = new Map<string, OpenedConnection>();
  for (const flow of flows) for (const c of flow.connections) seen.set(c.connection.id, c);
  return [...seen.values()].map((c) => c.budget());
}

/** What the scheduler needs to know about a finished run (retry time, notifications). */
export function runOutcome(summary: RunSummary, flow: Pick<OpenFlow, 'connections'>, store: Store): RunOutcome {
  // A run stopped by a spent budget leaves it blocked: the next attempt waits for it.
  const nextAllowedAt = Math.max(0, ...flow.connections.map((c) => c.nextAllowedAt()));
  const stored = flow.connections.map((c) => store.connections.require(c.connection.id));
  const needsReauth = stored.filter((c) => c.status === 'needs-reauth').map((c) => c.label);
  const clientSecretRefused = stored.filter((c) => c.status === 'secret-refused').map((c) => c.label);
  return {
    status: summary.status,
    error: summary.error,
    resumeAt: summary.status === 'failed' && nextAllowedAt > Date.now() ? nextAllowedAt : null,
    parked: summary.counts.parked,
    ...(summary.counts.parked > 0 ? parkedInRun(store, summary.runId) : {}),
    needsReauth,
    clientSecretRefused,
  };
}

/** Records a run parked, as a notification names them: the first few, and their value in all. */
const NAMED_IN_NOTICE = 3;
function parkedInRun(store: Store, runId: string): Pick<RunOutcome, 'parkedNames' | 'parkedValue'> {
  const labels = store.audit
    .query({ runId, step: 'parked' }, { limit: 1000 })
    .entries.map((e) => e.label)
    .filter((l) => l !== null)
    .reverse();
  const value = formatMoneyTotals(sumByCurrency(labels));
  return { parkedNames: labels.slice(0, NAMED_IN_NOTICE).map((l) => recordTitle(l)), ...(value ? { parkedValue: value } : {}) };
}
