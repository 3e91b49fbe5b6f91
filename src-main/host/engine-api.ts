import { randomUUID } from 'node:crypto';
import { replayAuditEntry, retryParked, runExactProcore, type RunSummary } from '../engine/flows/exact-procore/flow';
import { F1_FLOW } from '../engine/flows/exact-procore/mappings';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import { Scheduler, type ScheduledTrigger } from '../engine/scheduler/scheduler';
import { systemTimers, type SchedulerTimers } from '../engine/scheduler/timers';
import { FlowBusyError } from '../engine/sync/run-lock';
import type { RunCounts } from '../engine/sync/types';
import type { AppContext, EngineApi } from './context';
import type { F1Runtime } from './f1-runtime';
import { f1Budgets, f1FlowSchedule, f1RunOutcome } from './f1-schedule';
import { connectionBudgetView, FLOW_TITLES, readScheduleSettings, toSchedulerActiveHours } from './schedule-settings';
import { signInView } from './token-keep-alive';
import { suggestVendorLinksFromProcore } from './vendor-suggestions';

/**
 * The engine as the UI sees it (IPC methods flows.overview, sync.start, replay.audit,
 * parked.retry, mappings.suggestVendors, and re-queueing after a mapping change). One run per
 * flow at a time: a "Sync now" during a run joins it; replays and retries queue behind it.
 */
const RECENT_RUNS = 20;

/** How the flow is scheduled in the background (default: the schedule saved on the Settings screen). */
export interface EngineSchedule {
  everyMinutes?: number;
  activeHours?: ActiveHours;
  timers?: SchedulerTimers;
}

const schedulers = new WeakMap<EngineApi, Scheduler>();
const engineStops = new WeakMap<EngineApi, (reason: string) => Promise<void>>();

/**
 * Stops an engine for good (the host is quitting): the run in progress stops at its next safe
 * point and is recorded 'cancelled' (`reason` completes "Stopped …", e.g. "because the app is
 * quitting"), no new run starts, and this resolves once nothing is left running.
 */
export async function stopEngine(engine: EngineApi | undefined, reason: string): Promise<void> {
  await engineStops.get(engine as EngineApi)?.(reason);
}

/**
 * The scheduler behind an engine (null when there is no engine). Hosts that keep syncing in the
 * background (Electron tray, headless) start it; others (tests, `serve`) only use "Sync now".
 */
export function engineScheduler(engine: EngineApi | undefined): Scheduler | null {
  return (engine && schedulers.get(engine)) ?? null;
}

export function createEngineApi(ctx: AppContext, f1: F1Runtime, schedule: EngineSchedule = {}): EngineApi {
  let running: { runId: string; counts: RunCounts; done: Promise<RunSummary> } | null = null;
  /** Id of the latest run: the scheduler may still hold a run that just cleared `running`. */
  let latestRunId = '';
  let queue: Promise<unknown> = Promise.resolve();
  /** Aborted by shutdown(): the run in progress stops at its next safe point, later ones at once. */
  const stopping = new AbortController();
  /**
   * Engine work that calls the APIs (runs, replays, retries, suggestions): how many started and
   * how many are going. The API call counters are per process, so a count is only one piece of
   * work's own when nothing else started or was going meanwhile.
   */
  const apiWork = { started: 0, going: 0 };

  async function countedAsApiWork<T>(work: () => Promise<T>): Promise<T> {
    apiWork.started += 1;
    apiWork.going += 1;
    try {
      return await work();
    } finally {
      apiWork.going -= 1;
    }
  }

  const assertFlow = (flow: string): void => {
    if (flow !== F1_FLOW) throw new Error(`Unknown flow "${flow}". Available: ${F1_FLOW}.`);
  };

  /** Serialises every engine operation of the flow (one writer at a time on the same books). */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const counted = () => countedAsApiWork(work);
    const next = queue.then(counted, counted);
    queue = next.catch(() => {});
    return next;
  }

  function emit(runId: string, phase: 'starting' | 'reading' | 'done' | 'failed', counts: RunCounts, message?: string): void {
    ctx.events.emit('run.progress', {
      runId,
      flow: F1_FLOW,
      phase,
      processed: counts.read,
      total: null,
      counts: { created: counts.created, updated: counts.updated, unchanged: counts.unchanged, parked: counts.parked, failed: counts.failed },
      ...(message ? { message } : {}),
    });
  }

  /** One run of F1 with progress events; the scheduler calls it, one at a time. */
  function runFlow(trigger: ScheduledTrigger): Promise<RunSummary> {
    const runId = randomUUID();
    latestRunId = runId;
    const state = { runId, counts: { read: 0, created: 0, updated: 0, unchanged: 0, parked: 0, failed: 0, deleted: 0, recovered: 0 } as RunCounts, done: null as unknown as Promise<RunSummary> };
    emit(runId, 'starting', state.counts);
    state.done = exclusive(() =>
      runExactProcore(
        {
          ...f1.deps,
          runId,
          signal: stopping.signal,
          onProgress: (counts) => {
            state.counts = { ...counts };
            emit(runId, 'reading', counts);
          },
        },
        trigger,
      ),
    ).then(
      (summary) => {
        emit(runId, summary.status === 'failed' ? 'failed' : 'done', summary.counts, summary.error ?? undefined);
        return summary;
      },
      (err: unknown) => {
        emit(runId, 'failed', state.counts, (err as Error).message);
        throw err;
      },
    ).finally(() => {
      running = null;
    });
    state.done.catch(() => {});
    running = state;
    return state.done;
  }

  // A caller's explicit cadence wins; otherwise the saved settings (defaults: 15 min, all day).
  const saved = readScheduleSettings(ctx.store, F1_FLOW);
  const explicit = schedule.everyMinutes !== undefined;
  const scheduler = new Scheduler({
    schedules: [
      f1FlowSchedule(
        f1,
        schedule.everyMinutes ?? saved.everyMinutes,
        explicit ? schedule.activeHours : toSchedulerActiveHours(saved.activeHours),
      ),
    ],
    timers: schedule.timers ?? systemTimers,
    budgets: () => f1Budgets(f1),
    run: async (_flow, trigger) => {
      try {
        return f1RunOutcome(await runFlow(trigger), f1, ctx.store);
      } catch (error) {
        // A CLI sync (or another app window) holds the flow: not a failure, try again soon.
        if (error instanceof FlowBusyError) return { status: 'busy', error: error.message };
        throw error;
      }
    },
  });

  if (!explicit && saved.paused) scheduler.pause(F1_FLOW);

  const api: EngineApi = {
    async flows() {
      const store = ctx.store;
      const runs = store.runs.listRecent(RECENT_RUNS, F1_FLOW);
      const connections = [f1.exactConnection, f1.procoreConnection].map((c) => store.connections.require(c.id));
      const synced = (store.db.prepare('SELECT count(*) AS n FROM target_records WHERE flow = ?').get(F1_FLOW) as { n: number }).n;
      const nextRunAt = scheduler.status()[0]?.nextRunAt ?? null;
      const failed = store.outbox.listFailed(F1_FLOW).filter((i) => !(i.lastError ?? '').startsWith('superseded')).length;
      return [
        {
          flow: F1_FLOW,
          title: FLOW_TITLES[F1_FLOW]!,
          connections: await Promise.all(
            connections.map(async (c) => ({
              id: c.id,
              system: c.system,
              label: c.label,
              status: c.status,
              ...(await signInView(c, f1.custody.find((held) => held.id === c.id)?.custodian)),
              ...connectionBudgetView(scheduler, c.id),
            })),
          ),
          lastRun: runs[0] ?? null,
          nextRunAt: nextRunAt === null ? null : new Date(nextRunAt).toISOString(),
          counts: { synced, parked: store.parked.countOpen(F1_FLOW), failed },
          running: running ? { runId: running.runId, processed: running.counts.read, total: null } : null,
          recentRuns: runs.map((r) => ({
            runId: r.id,
            startedAt: r.startedAt,
            records: Number(r.counts['created'] ?? 0) + Number(r.counts['updated'] ?? 0) + Number(r.counts['unchanged'] ?? 0) + Number(r.counts['parked'] ?? 0),
            errors: Number(r.counts['failed'] ?? 0) + (r.status === 'failed' ? 1 : 0),
          })),
        },
      ];
    },

    async startSync(flow) {
      assertFlow(flow);
      // Through the scheduler: a "Sync now" during any run (scheduled or manual) joins it.
      void scheduler.runNow(flow);
      return { runId: latestRunId };
    },

    async replayAudit(seq) {
      const result = await exclusive(() => replayAuditEntry({ ...f1.deps, signal: stopping.signal }, seq));
      const c = result.counts;
      const outcome = result.status === 'failed' ? 'failed' : c.created + c.updated > 0 ? 'written' : c.parked > 0 ? 'parked' : 'unchanged';
      return { outcome, message: result.message, auditSeq: ctx.store.audit.head()?.seq ?? seq };
    },

    async retryParked(req) {
      assertFlow(req.flow);
      const retried = ctx.store.parked
        .listOpen(F1_FLOW)
        .filter((p) => (!req.ids || req.ids.includes(p.id)) && (!req.reasonCode || p.reasonCode === req.reasonCode)).length;
      const selection = { ...(req.ids ? { ids: req.ids } : {}), ...(req.reasonCode ? { reasonCode: req.reasonCode } : {}) };
      const result = await exclusive(() => retryParked({ ...f1.deps, signal: stopping.signal }, selection));
      return {
        retried,
        written: result.counts.created + result.counts.updated,
        stillParked: ctx.store.parked.countOpen(F1_FLOW),
        failed: result.counts.failed,
      };
    },

    async mappingsChanged(flow) {
      assertFlow(flow);
      const open = ctx.store.parked.countOpen(F1_FLOW);
      if (open === 0) return { requeued: 0 };
      await exclusive(() => retryParked({ ...f1.deps, signal: stopping.signal }, {}, 'manual'));
      return { requeued: open };
    },

    async suggestVendorLinks(flow) {
      assertFlow(flow);
      // Only reads: not queued behind a run, so the answer does not wait for a long sync.
      const before = { ...apiWork };
      const { suggestions, apiCalls } = await countedAsApiWork(() => suggestVendorLinksFromProcore(f1));
      const alone = before.going === 0 && apiWork.going === 0 && apiWork.started === before.started + 1;
      return { suggestions, apiCalls: alone ? apiCalls : null };
    },
  };
  schedulers.set(api, scheduler);
  engineStops.set(api, async (reason) => {
    stopping.abort(reason);
    await scheduler.stop();
    await queue;
  });
  return api;
}
