import { randomUUID } from 'node:crypto';
import type { FlowOverview } from '../../src-shared/ipc';
import { FLOWS, requireFlow, UnknownFlowError } from '../engine/flows/registry';
import type { ActiveHours } from '../engine/scheduler/active-hours';
import { Scheduler, type ScheduledTrigger } from '../engine/scheduler/scheduler';
import { systemTimers, type SchedulerTimers } from '../engine/scheduler/timers';
import { ReadFailedError } from '../engine/sync/explain-read-failure';
import type { RunSummary } from '../engine/sync/flow-run';
import { FlowBusyError } from '../engine/sync/run-lock';
import { emptyCounts, type RunCounts } from '../engine/sync/types';
import type { ReconciliationReport } from '../engine/reconcile/reconcile';
import type { AppContext, EngineApi } from './context';
import { IpcFailure } from './errors';
import type { FlowHost, OpenFlow } from './flow-host';
import { connectionBudgets, flowSchedule, runOutcome } from './flow-schedule';
import { connectionBudgetView, readScheduleSettings, scheduleView, toSchedulerActiveHours } from './schedule-settings';
import { ConnectionsHub } from './systems';
import { signInView } from './token-keep-alive';
import { exportPath } from './exports';
import { readTableReference, ReferenceCache } from './reference-data';
import { CounterpartyNotCreatedError } from '../engine/flows/shared/counterparty-errors';
import type { FlowRuntime } from '../engine/flows/types';
import { reconciliationCsv } from './reconciliation-views';
import { writeFileSync } from 'node:fs';

/**
 * The engine as the UI sees it (IPC methods flows.overview, sync.start, replay.audit,
 * parked.retry, mappings.suggestVendors, and re-queueing after a mapping change), for every flow
 * of the registry. One run per flow at a time: a "Sync now" during a run joins it; replays and
 * retries of a flow queue behind its run. Other processes on the same data folder are kept out
 * by each flow's lease (engine/sync/run-lock.ts).
 */
const RECENT_RUNS = 20;

/** How flows are scheduled in the background (default: the schedules saved on the Settings screen). */
export interface EngineSchedule {
  everyMinutes?: number;
  activeHours?: ActiveHours;
  timers?: SchedulerTimers;
}

const schedulers = new WeakMap<EngineApi, Scheduler>();
const scheduleStarts = new WeakMap<EngineApi, () => void>();
const unavailableReasons = new WeakMap<EngineApi, (flow: string) => string | null>();
const lastReconciliations = new WeakMap<EngineApi, Map<string, ReconciliationReport>>();
const engineStops = new WeakMap<EngineApi, (reason: string) => Promise<void>>();
const engineAttach = new WeakMap<EngineApi, (flows: readonly OpenFlow[]) => void>();

/**
 * The scheduler behind an engine (null when there is no engine). Hosts that keep syncing in the
 * background (Electron tray, `serve`, headless) start it; tests only use "Sync now".
 */
export function engineScheduler(engine: EngineApi | undefined): Scheduler | null {
  return (engine && schedulers.get(engine)) ?? null;
}

/**
 * Starts the engine's background schedule (every host that syncs in the background: the
 * desktop app's tray, `serve`). Each flow's first scheduled run is one interval (its saved
 * cadence) after its latest run recorded in the data folder, by any process; at once, as a
 * catch-up, when that moment has passed; one interval after now when it never ran. So a host
 * that restarts does not poll again early, and "Next run" is a time from the first moment.
 * Returns the scheduler (null when there is no engine).
 */
export function startEngineSchedule(engine: EngineApi | undefined): Scheduler | null {
  if (!engine) return null;
  scheduleStarts.get(engine)?.();
  return engineScheduler(engine);
}

/** The flow's last reconciliation made by this engine (for its CSV export), or null. */
export function lastReconciliation(engine: EngineApi | undefined, flow: string): ReconciliationReport | null {
  return (engine && lastReconciliations.get(engine)?.get(flow)) ?? null;
}

/** Why a flow cannot run in this process (what to connect), or null when it can (or there is no engine). */
export function flowUnavailableReason(engine: EngineApi | undefined, flow: string): string | null {
  return (engine && unavailableReasons.get(engine)?.(flow)) ?? null;
}

/**
 * Stops an engine for good (the host is quitting): runs in progress stop at their next safe
 * point and are recorded 'cancelled' (`reason` completes "Stopped …", e.g. "because the app is
 * quitting"), no new run starts, and this resolves once nothing is left running.
 */
export async function stopEngine(engine: EngineApi | undefined, reason: string): Promise<void> {
  await engineStops.get(engine as EngineApi)?.(reason);
}

/** Flows opened after the engine started (a connection completed them) join its schedule. */
export function attachFlows(engine: EngineApi | undefined, flows: readonly OpenFlow[]): void {
  if (flows.length) engineAttach.get(engine as EngineApi)?.(flows);
}

interface FlowState {
  running: { runId: string; counts: RunCounts } | null;
  /** Id of the latest run: the scheduler may still hold a run that just cleared `running`. */
  latestRunId: string;
  /** Serialises the flow's engine work in this process (runs, replays, retries). */
  queue: Promise<unknown>;
}

export function createEngineApi(ctx: AppContext, host: FlowHost, schedule: EngineSchedule = {}): EngineApi {
  const states = new Map<string, FlowState>();
  /** Each flow's last reconciliation, for "Export CSV" on the Reconciliation screen. */
  const reconciliations = new Map<string, ReconciliationReport>();
  const stateOf = (flow: string): FlowState => {
    let state = states.get(flow);
    if (!state) {
      state = { running: null, latestRunId: '', queue: Promise.resolve() };
      states.set(flow, state);
    }
    return state;
  };
  /** Aborted by stopEngine: runs in progress stop at their next safe point, later ones at once. */
  const stopping = new AbortController();
  /**
   * Engine work that calls the APIs: how many started and how many are going. The API call
   * counters are per process, so a count is one piece of work's own only when nothing else ran.
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

  /** The open flow, or why it cannot run, in words that say what to connect. */
  function openFlow(flowId: string): OpenFlow {
    let plugin;
    try {
      plugin = requireFlow(flowId);
    } catch (error) {
      if (error instanceof UnknownFlowError) throw new IpcFailure('not-found', error.message);
      throw error;
    }
    const open = host.flows.get(plugin.id);
    if (!open) throw new IpcFailure('unavailable', host.unavailable.get(plugin.id)?.reason ?? `${plugin.title} is not set up in this process.`);
    return open;
  }

  /** Serialises a flow's engine work in this process; a busy flow (another process) is a plain-language failure. */
  function exclusive<T>(flow: string, work: () => Promise<T>): Promise<T> {
    const state = stateOf(flow);
    const counted = () => countedAsApiWork(work);
    const next = state.queue.then(counted, counted);
    state.queue = next.catch(() => {});
    return next.catch((error: unknown) => {
      if (error instanceof FlowBusyError) throw new IpcFailure('conflict', error.message);
      throw error;
    });
  }

  function emit(flow: string, runId: string, phase: 'starting' | 'reading' | 'done' | 'failed', counts: RunCounts, message?: string): void {
    ctx.events.emit('run.progress', {
      runId,
      flow,
      phase,
      processed: counts.read,
      total: null,
      counts: { created: counts.created, updated: counts.updated, unchanged: counts.unchanged, parked: counts.parked, flagged: counts.flagged, failed: counts.failed },
      ...(message ? { message } : {}),
    });
  }

  /** One run of a flow with progress events; the scheduler calls it, one at a time per flow. */
  function runFlow(flow: OpenFlow, trigger: ScheduledTrigger): Promise<RunSummary> {
    const id = flow.plugin.id;
    const state = stateOf(id);
    const runId = randomUUID();
    state.latestRunId = runId;
    const running = { runId, counts: emptyCounts() };
    emit(id, runId, 'starting', running.counts);
    const done = exclusive(id, () =>
      flow.runtime.run({
        trigger,
        runId,
        signal: stopping.signal,
        onProgress: (counts) => {
          running.counts = { ...counts };
          emit(id, runId, 'reading', counts);
        },
      }),
    )
      .then(
        (summary) => {
          emit(id, runId, summary.status === 'failed' ? 'failed' : 'done', summary.counts, summary.error ?? undefined);
          return summary;
        },
        (err: unknown) => {
          emit(id, runId, 'failed', running.counts, (err as Error).message);
          throw err;
        },
      )
      .finally(() => {
        if (state.running === running) state.running = null;
      });
    done.catch(() => {});
    state.running = running;
    return done;
  }

  const scheduleOf = (flow: OpenFlow) => {
    // A caller's explicit cadence wins; otherwise the saved settings (defaults: 15 min, all day).
    const saved = readScheduleSettings(ctx.store, flow.plugin.id);
    const explicit = schedule.everyMinutes !== undefined;
    return {
      // Its peers are read at planning time: flows connected later share their feeds too.
      schedule: flowSchedule(flow, ctx.store, schedule.everyMinutes ?? saved.everyMinutes, explicit ? schedule.activeHours : toSchedulerActiveHours(saved.activeHours), () => host.flows.values()),
      paused: !explicit && saved.paused,
    };
  };

  const scheduler = new Scheduler({
    schedules: [],
    timers: schedule.timers ?? systemTimers,
    budgets: () => connectionBudgets(host.flows.values()),
    run: async (flowId, trigger) => {
      const flow = openFlow(flowId);
      try {
        return runOutcome(await runFlow(flow, trigger), flow, ctx.store);
      } catch (error) {
        // A CLI sync (or another app window) holds the flow: not a failure, try again soon.
        if (error instanceof IpcFailure && error.code === 'conflict') return { status: 'busy', error: error.message };
        throw error;
      }
    },
  });
  const attach = (flows: Iterable<OpenFlow>): void => {
    for (const flow of flows) {
      if (scheduler.has(flow.plugin.id)) continue;
      const { schedule: s, paused } = scheduleOf(flow);
      scheduler.addFlow(s, { paused });
    }
  };
  attach(host.flows.values());

  async function overview(flowId: string): Promise<FlowOverview> {
    const plugin = requireFlow(flowId);
    const { store } = ctx;
    const open = host.flows.get(flowId);
    const runs = store.runs.listRecent(RECENT_RUNS, flowId);
    const synced = store.targetRecords.countForFlow(flowId);
    const status = scheduler.status().find((s) => s.flow === flowId);
    const failed = store.outbox.listFailed(flowId).filter((i) => !(i.lastError ?? '').startsWith('superseded')).length;
    const running = states.get(flowId)?.running ?? null;
    return {
      flow: flowId,
      title: plugin.title,
      unavailable: open ? null : (host.unavailable.get(flowId)?.reason ?? `${plugin.title} is not set up in this process.`),
      connections: open
        ? await Promise.all(
            open.connections.map(async (c) => {
              const connection = store.connections.require(c.connection.id);
              return {
                id: connection.id,
                system: connection.system,
                label: connection.label,
                status: connection.status,
                mode: connection.mode,
                ...(await signInView(connection, c.custodian)),
                ...connectionBudgetView(scheduler, connection.id),
              };
            }),
          )
        : [],
      lastRun: runs[0] ?? null,
      nextRunAt: status?.nextRunAt == null ? null : new Date(status.nextRunAt).toISOString(),
      // The same view (and so the same words) as the Settings screen's schedule of this flow.
      schedule: scheduleView(store, flowId, scheduler, open ? null : (host.unavailable.get(flowId)?.reason ?? null)),
      counts: (() => {
        const needsReview = store.parked.countFlagged(flowId);
        return { synced, parked: store.parked.countOpen(flowId) - needsReview, needsReview, failed };
      })(),
      running: running ? { runId: running.runId, processed: running.counts.read, total: null } : null,
      recentRuns: runs.map((r) => ({
        runId: r.id,
        startedAt: r.startedAt,
        records: Number(r.counts['created'] ?? 0) + Number(r.counts['updated'] ?? 0) + Number(r.counts['unchanged'] ?? 0) + Number(r.counts['parked'] ?? 0),
        errors: Number(r.counts['failed'] ?? 0) + (r.status === 'failed' ? 1 : 0),
      })),
    };
  }

  /** Picker lists, kept briefly (reference-data.ts). */
  const referenceCache = new ReferenceCache();

  /**
   * A read the user asked for (not queued behind a run), with the API calls it made per system
   * when nothing else ran meanwhile (null otherwise: the counters are per process), and plain
   * words for a failed read.
   */
  async function measuredRead<T>(flow: OpenFlow, work: () => Promise<T>): Promise<{ value: T; apiCalls: Record<string, number> | null }> {
    const before = { ...apiWork };
    const start = host.hub.apiCalls();
    let value: T;
    try {
      value = await countedAsApiWork(work);
    } catch (error) {
      if (error instanceof ReadFailedError) throw new IpcFailure('unavailable', error.message);
      if (error instanceof CounterpartyNotCreatedError) throw new IpcFailure('conflict', error.message);
      throw error;
    }
    const end = host.hub.apiCalls();
    const alone = before.going === 0 && apiWork.going === 0 && apiWork.started === before.started + 1;
    const apiCalls = Object.fromEntries(flow.plugin.systems.map((s) => [s, (end[ConnectionsHub.apiOf(s)] ?? 0) - (start[ConnectionsHub.apiOf(s)] ?? 0)]));
    return { value, apiCalls: alone ? apiCalls : null };
  }

  function tableOf(flow: OpenFlow, set: string) {
    const definition = flow.plugin.mappingSets.find((d) => d.set === set);
    if (!definition) throw new IpcFailure('not-found', `${flow.plugin.title} has no mapping table "${set}".`);
    return definition;
  }

  function counterpartyMaker<K extends 'previewCounterparty' | 'createCounterparty'>(flow: OpenFlow, set: string, capability: K): NonNullable<FlowRuntime[K]> {
    const definition = tableOf(flow, set);
    const make = flow.runtime[capability];
    if (!definition.createsCounterparty || !make)
      throw new IpcFailure('not-found', `${flow.plugin.title} cannot create the entries of ${definition.title} in the target system.`);
    return make.bind(flow.runtime) as NonNullable<FlowRuntime[K]>;
  }

  const api: EngineApi = {
    flows: () => Promise.all(FLOWS.map((f) => overview(f.id))),

    async tableReference(flowId, set, refresh = false) {
      const flow = openFlow(flowId);
      const definition = tableOf(flow, set);
      const { value, apiCalls } = await measuredRead(flow, () => readTableReference(flow.runtime, definition, referenceCache, refresh));
      return { ...value, readAt: ctx.now().toISOString(), apiCalls };
    },

    async previewCounterparty(flowId, set, sourceKey) {
      const flow = openFlow(flowId);
      const preview = counterpartyMaker(flow, set, 'previewCounterparty');
      return (await measuredRead(flow, () => preview(set, sourceKey))).value;
    },

    async createCounterparty(flowId, set, sourceKey) {
      const flow = openFlow(flowId);
      const create = counterpartyMaker(flow, set, 'createCounterparty');
      try {
        return (await measuredRead(flow, () => create(set, sourceKey))).value;
      } finally {
        // The target's lists changed (or may have: an answer lost after the target saved it).
        referenceCache.invalidate(flowId);
      }
    },

    async startSync(flowId) {
      const flow = openFlow(flowId);
      // Through the scheduler: a "Sync now" during any run (scheduled or manual) joins it.
      void scheduler.runNow(flow.plugin.id);
      return { runId: stateOf(flow.plugin.id).latestRunId };
    },

    async replayAudit(seq) {
      const entry = ctx.store.audit.query({}, { beforeSeq: seq + 1, limit: 1 }).entries[0];
      if (!entry || entry.seq !== seq) throw new IpcFailure('not-found', `Audit entry ${seq} does not exist.`);
      const flow = openFlow(entry.flow);
      const result = await exclusive(flow.plugin.id, () => flow.runtime.replay(seq, { trigger: 'manual', signal: stopping.signal }));
      const c = result.counts;
      const outcome = result.status === 'failed' ? 'failed' : c.created + c.updated > 0 ? 'written' : c.parked > 0 ? 'parked' : 'unchanged';
      return { outcome, message: result.message, auditSeq: ctx.store.audit.head()?.seq ?? seq };
    },

    async retryParked(req) {
      const flow = openFlow(req.flow);
      const id = flow.plugin.id;
      const retried = ctx.store.parked
        .listOpen(id)
        .filter((p) => (!req.ids || req.ids.includes(p.id)) && (!req.reasonCode || p.reasonCode === req.reasonCode)).length;
      const selection = { ...(req.ids ? { ids: req.ids } : {}), ...(req.reasonCode ? { reasonCode: req.reasonCode } : {}) };
      const result = await exclusive(id, () => flow.runtime.retryParked(selection, { trigger: 'manual', signal: stopping.signal }));
      return {
        retried,
        written: result.counts.created + result.counts.updated,
        stillParked: ctx.store.parked.countOpen(id),
        failed: result.counts.failed,
      };
    },

    async mappingsChanged(flowId) {
      const flow = openFlow(flowId);
      const open = ctx.store.parked.countOpen(flow.plugin.id);
      if (open === 0) return { requeued: 0 };
      await exclusive(flow.plugin.id, () => flow.runtime.retryParked({}, { trigger: 'manual', signal: stopping.signal }));
      return { requeued: open, stillWaiting: ctx.store.parked.countOpen(flow.plugin.id) };
    },

    async reconcile(flowId) {
      const flow = openFlow(flowId);
      if (!flow.runtime.reconcile) throw new IpcFailure('not-found', `${flow.plugin.title} has no reconciliation yet.`);
      let report;
      try {
        // Only reads: not queued behind a run (a run in progress shows as "not yet synced").
        report = await countedAsApiWork(() => flow.runtime.reconcile!({ apiCalls: () => host.hub.apiCalls() }));
      } catch (error) {
        if (error instanceof ReadFailedError) throw new IpcFailure('unavailable', error.message);
        throw error;
      }
      reconciliations.set(flow.plugin.id, report);
      const csvPath = exportPath(ctx, `reconciliation-${flowId}`);
      writeFileSync(csvPath, reconciliationCsv(report), 'utf8');
      return { ...report, csvPath };
    },

    async suggestVendorLinks(flowId) {
      const flow = openFlow(flowId);
      const suggest = flow.runtime.suggestCounterpartyLinks;
      if (!suggest) throw new IpcFailure('not-found', `${flow.plugin.title} does not suggest links.`);
      // Only reads: not queued behind a run, so the answer does not wait for a long sync.
      const before = { ...apiWork };
      const calls = () => host.hub.apiCalls();
      const start = calls();
      let suggestions;
      try {
        suggestions = await countedAsApiWork(() => suggest.call(flow.runtime));
      } catch (error) {
        if (error instanceof ReadFailedError) throw new IpcFailure('unavailable', error.message);
        throw error;
      }
      const end = calls();
      const alone = before.going === 0 && apiWork.going === 0 && apiWork.started === before.started + 1;
      const apiCalls = Object.fromEntries(flow.plugin.systems.map((s) => [s, (end[ConnectionsHub.apiOf(s)] ?? 0) - (start[ConnectionsHub.apiOf(s)] ?? 0)]));
      return { suggestions, apiCalls: alone ? apiCalls : null };
    },
  };
  schedulers.set(api, scheduler);
  lastReconciliations.set(api, reconciliations);
  scheduleStarts.set(api, () =>
    scheduler.start({
      lastRunAt: (flow) => {
        const latest = ctx.store.runs.listRecent(1, flow)[0];
        return latest ? Date.parse(latest.startedAt) : null;
      },
    }),
  );
  unavailableReasons.set(api, (flowId) => {
    const plugin = FLOWS.find((f) => f.id === flowId);
    if (!plugin || host.flows.has(flowId)) return null;
    return host.unavailable.get(flowId)?.reason ?? `${plugin.title} is not set up in this process.`;
  });
  engineAttach.set(api, attach);
  engineStops.set(api, async (reason) => {
    stopping.abort(reason);
    await scheduler.stop();
    await Promise.all([...states.values()].map((s) => s.queue));
  });
  return api;
}
