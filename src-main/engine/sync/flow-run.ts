import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/db';
import type { RunTrigger } from '../../store/repos/runs';
import { startLockedRun, type RunLockOptions } from './run-lock';
import { emptyCounts, RunCancelledError, RunInterruptedError, type RunCounts, type RunGuard } from './types';

export type { RunTrigger } from '../../store/repos/runs';

/** How one run of a flow ended. A run refused because another process holds the flow throws FlowBusyError instead. */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'partial' | 'failed' | 'cancelled';
  counts: RunCounts;
  durationMs: number;
  error: string | null;
}

export interface FlowRunOptions {
  store: Store;
  flow: string;
  trigger: RunTrigger;
  /** Run id to use (callers that must answer with it before the run ends); default: a new uuid. */
  runId?: string;
  /** Aborting stops the run at its next safe point; the abort reason (a string) is shown to the user. */
  signal?: AbortSignal;
  lock?: RunLockOptions;
}

export interface FlowRunWork {
  runId: string;
  counts: RunCounts;
  guard: RunGuard;
}

/**
 * Every run of every flow goes through here: take the flow's lease and record the run (one
 * transaction; FlowBusyError when another process holds it), do the work, record how it ended
 * ('cancelled' at a safe point when asked to stop), give the lease up.
 */
export async function runFlowExclusively(opts: FlowRunOptions, work: (run: FlowRunWork) => Promise<void>): Promise<RunSummary> {
  const runId = opts.runId ?? randomUUID();
  const lock = startLockedRun(opts.store, opts.flow, runId, opts.trigger, opts.lock);
  const started = performance.now();
  const counts = emptyCounts();
  const guard: RunGuard = {
    ...(opts.signal ? { signal: opts.signal } : {}),
    checkpoint() {
      if (opts.signal?.aborted) throw new RunCancelledError(cancelledMessage(opts.signal, counts));
      lock.assertHeld();
    },
  };
  let status: RunSummary['status'];
  let error: string | null = null;
  try {
    await work({ runId, counts, guard });
    status = counts.failed > 0 ? 'partial' : 'succeeded';
  } catch (err) {
    status = err instanceof RunCancelledError ? 'cancelled' : 'failed';
    error = err instanceof RunCancelledError || err instanceof RunInterruptedError ? err.message : `The run stopped: ${(err as Error).message}`;
  }
  try {
    opts.store.runs.finish(runId, status, { ...counts }, error);
  } finally {
    lock.release();
  }
  return { runId, status, counts, durationMs: Math.round(performance.now() - started), error };
}

function cancelledMessage(signal: AbortSignal, counts: RunCounts): string {
  // Hosts abort with a phrase that completes "Stopped …": "by Ctrl-C", "because the app is quitting".
  const reason = typeof signal.reason === 'string' ? signal.reason : 'on request';
  const written = counts.created + counts.updated + counts.deleted;
  return `Stopped ${reason} at a safe point, after ${written} record${written === 1 ? '' : 's'} were written and confirmed. The next run first checks the target for anything left unconfirmed, then completes the rest.`;
}
