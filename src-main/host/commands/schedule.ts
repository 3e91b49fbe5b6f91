import { formatMoneyTotals } from '../../../src-shared/domain/labels';
import { createLogger } from '../../connectors/_kit/log';
import { KeytarCredentialStore, type CredentialStore } from '../../credentials';
import { describeBudgetStatus } from '../../engine/scheduler/budget-spacing';
import { closeDeadRuns, FlowBusyError } from '../../engine/sync/run-lock';
import { Scheduler, type SchedulerEvent } from '../../engine/scheduler/scheduler';
import { systemTimers } from '../../engine/scheduler/timers';
import type { Sandbox } from '../../sandbox';
import { openStore, type Store } from '../../store';
import type { CliCommand } from '../cli-types';
import { openFlowHost } from '../flow-host';
import { flowArgument } from './flows';
import { connectionBudgets, flowSchedule, runOutcome } from '../flow-schedule';
import type { SandboxRunOptions } from '../systems';
import { storedExpiryAnnouncements, TokenKeepAlive } from '../token-keep-alive';

/**
 * Headless scheduling (issue 6): `run` keeps the scheduler in the foreground (servers, tests);
 * `runs` lists recent runs. The Electron app runs the same Scheduler behind its tray.
 */

export interface HeadlessOptions {
  store: Store;
  dataDir: string;
  /** Seconds between scheduled runs. */
  everySeconds: number;
  /** Stop after this long (tests); otherwise run until `signal` aborts. */
  forMs?: number;
  signal: AbortSignal;
  /** One human-readable line per event (stderr). */
  log: (line: string) => void;
  sandbox?: SandboxRunOptions;
  /** Simulators already running in this process (tests inspect their request counters). */
  runningSandbox?: Sandbox;
  /** The OS keychain, for live connections. */
  credentials?: CredentialStore;
  /** Only these flows (default: every flow whose connections exist). */
  only?: readonly string[];
}

/** Runs every flow that can run on a schedule until aborted (or `forMs` elapses); resolves when the last run has ended. */
export async function runHeadless(opts: HeadlessOptions): Promise<{ runs: number }> {
  const log = createLogger({ sink: opts.log, level: 'warn' });
  const host = await openFlowHost({
    store: opts.store,
    dataDir: opts.dataDir,
    log,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.runningSandbox ? { runningSandbox: opts.runningSandbox } : {}),
    ...(opts.only ? { only: opts.only } : {}),
  });
  for (const { reason } of host.unavailable.values()) opts.log(`not scheduled: ${reason}`);
  let runs = 0;
  const scheduler: Scheduler = new Scheduler({
    schedules: [...host.flows.values()].map((flow) => flowSchedule(flow, opts.store, opts.everySeconds / 60, undefined, () => host.flows.values())),
    timers: systemTimers,
    budgets: () => connectionBudgets(host.flows.values()),
    run: async (flowId, trigger) => {
      const flow = host.flows.get(flowId)!;
      runs += 1;
      let summary;
      try {
        // The stop signal also stops a run in progress at its next safe point ('cancelled').
        summary = await flow.runtime.run({ trigger, signal: opts.signal });
      } catch (error) {
        // A CLI sync or the app holds the flow in this data folder: try again soon.
        if (error instanceof FlowBusyError) return { status: 'busy', error: error.message };
        throw error;
      }
      const c = summary.counts;
      opts.log(`${flowId} ${trigger} run ${summary.status}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.parked} parked, ${c.failed} failed (${summary.durationMs} ms)`);
      return runOutcome(summary, flow, opts.store);
    },
    onEvent: (event) => {
      logEvent(event, opts.log);
      if (event.type === 'run-finished')
        for (const b of scheduler.budgetStatus()) opts.log(describeBudgetStatus(b));
    },
  });

  // Sign-ins stay alive while `run` runs, even when no run is due for days.
  const keepAlive = new TokenKeepAlive({
    connections: () => host.hub.custodied(),
    timers: systemTimers,
    log,
    announcements: storedExpiryAnnouncements(opts.store.settings),
    onNotice: (n) => opts.log(`${n.title}: ${n.body}`),
  });

  try {
    scheduler.start();
    keepAlive.start();
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) return resolve();
      const timer = opts.forMs === undefined ? null : setTimeout(resolve, opts.forMs);
      opts.signal.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    opts.log('stopping: a run in progress stops at its next safe point…');
    await scheduler.stop();
  } finally {
    await keepAlive.stop();
    await host.close();
  }
  return { runs };
}

function logEvent(event: SchedulerEvent, log: (line: string) => void): void {
  if (event.type === 'run-started') log(`${new Date(event.at).toISOString()} ${event.flow}: ${event.trigger} run started`);
  if (event.type === 'run-finished')
    log(
      `${new Date(event.endedAt).toISOString()} ${event.flow}: ${event.trigger} run ${event.outcome.status}` +
        (event.outcome.error ? ` (${event.outcome.error})` : '') +
        (event.nextRunAt === null ? '' : `; next run at ${new Date(event.nextRunAt).toISOString()}`),
    );
}

function positiveNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`--${name} must be a number of seconds > 0, got "${String(value)}"`);
  return n;
}

export const runCommand: CliCommand = {
  path: ['run'],
  summary: 'Keep syncing every flow that is set up, on a schedule in the foreground, until Ctrl+C.',
  stopsGracefully: true,
  usage: '[--flow FLOW] [--sandbox] [--every SECONDS] [--for SECONDS]',
  options: {
    sandbox: { type: 'boolean', description: 'use the embedded simulators (seed 1, scale 1; no credentials needed)' },
    every: { type: 'string', description: 'seconds between scheduled runs (default 900)' },
    for: { type: 'string', description: 'stop after this many seconds (default: until SIGINT/SIGTERM)' },
    flow: { type: 'string', description: 'schedule only this flow (default: every flow that is set up)' },
  },
  async run({ values }, io) {
    const only = typeof values['flow'] === 'string' ? flowArgument(io, 'run', values['flow']) : undefined;
    if (only === null) return 2;
    let everySeconds: number;
    let forSeconds: number | undefined;
    try {
      everySeconds = positiveNumber(values['every'], 'every') ?? 900;
      forSeconds = positiveNumber(values['for'], 'for');
    } catch (err) {
      io.err(`run: ${(err as Error).message}`);
      return 2;
    }
    const store = openStore(io.dataDir);
    try {
      const { runs } = await runHeadless({
        store,
        dataDir: io.dataDir,
        everySeconds,
        ...(forSeconds !== undefined ? { forMs: forSeconds * 1000 } : {}),
        signal: io.signal,
        log: (line) => io.err(line),
        credentials: new KeytarCredentialStore(),
        ...(values['sandbox'] ? { sandbox: { seed: 1, scale: 1 } } : {}),
        ...(only ? { only: [only] } : {}),
      });
      io.out(io.json ? JSON.stringify({ runs }) : `Stopped after ${runs} run(s).`);
      return 0;
    } finally {
      store.close();
    }
  },
};

export const runsCommand: CliCommand = {
  path: ['runs'],
  summary: 'List recent runs: start, end, trigger (schedule | manual | catch-up | cli) and outcome.',
  usage: '[--limit N] [--json]',
  options: { limit: { type: 'string', description: 'how many runs, newest first (default 20)' } },
  dataFolder: 'read',
  async run({ values }, io) {
    const limit = values['limit'] === undefined ? 20 : Number(values['limit']);
    if (!Number.isSafeInteger(limit) || limit < 1) {
      io.err(`runs: --limit must be a whole number >= 1, got "${String(values['limit'])}"`);
      return 2;
    }
    const store = openStore(io.dataDir, { access: 'read' });
    try {
      closeDeadRuns(store); // a killed process's run shows as 'interrupted', not 'running'
      const runs = store.runs.listRecent(limit).map((r) => ({
        id: r.id,
        flow: r.flow,
        trigger: r.trigger,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        outcome: r.status,
        counts: r.counts,
        error: r.error,
        // The value of the documents it wrote (created or updated), per currency, to the cent.
        written: store.audit.moneyWrittenInRun(r.id),
      }));
      if (io.json) io.out(JSON.stringify({ runs }));
      else if (runs.length === 0) io.out('No runs yet.');
      else
        for (const r of runs) {
          const value = formatMoneyTotals(r.written);
          io.out(`${r.startedAt}  ${r.endedAt ?? '(running)'}  ${r.flow}  ${r.trigger}  ${r.outcome}${value ? `  wrote ${value}` : ''}${r.error ? `  ${r.error}` : ''}`);
        }
      return 0;
    } finally {
      store.close();
    }
  },
};

export const scheduleCommands: CliCommand[] = [runCommand, runsCommand];
