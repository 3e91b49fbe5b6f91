import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../../store/db';
import type { FlowLease, LockHolder } from '../../store/repos/flow-locks';
import type { RunTrigger } from '../../store/repos/runs';
import { RunInterruptedError } from './types';

/**
 * One writer per flow per data folder, across processes (decision 0016). The CLI, `run`,
 * `serve` and the desktop app may all open the same data folder; only the process holding a
 * flow's lease plans, writes or audits that flow's records.
 *
 * - The lease is a row in the data folder's own database, taken in the IMMEDIATE transaction
 *   that also starts the run, so two processes can never both see it free.
 * - A lease whose holder is dead is taken over at once: on this computer by asking the OS
 *   whether the pid still runs; from another computer (a data folder on a network drive) only
 *   when its heartbeat has been silent for LEASE_STALE_MS. A silent heartbeat also retires a
 *   lease whose pid was reused by an unrelated process after a reboot.
 * - The dead holder's run becomes 'interrupted' with the counts it had recorded; what it left
 *   unconfirmed in the outbox is resolved by the new run's recovery before anything is written.
 * - Fencing: the holder re-checks its token before every write batch (`assertHeld`), so a
 *   process that hung long enough to lose its lease stops instead of writing beside the new one.
 */

export const LEASE_HEARTBEAT_MS = 5_000;
export const LEASE_STALE_MS = 60_000;

export interface RunLockOptions {
  /** Who this process is (default: pid, host name and command line of this process). */
  holder?: LockHolder;
  /** Whether a process of this computer is alive (default: the OS, by signal 0). */
  processAlive?: (pid: number) => boolean;
  /** Heartbeat silence after which a lease is taken over (default LEASE_STALE_MS). */
  staleAfterMs?: number;
  /** How often the holder refreshes its heartbeat (default LEASE_HEARTBEAT_MS). */
  heartbeatMs?: number;
}

/** This process as a lease holder names it: `ml-connector sync exact-procore --sandbox`. */
export function thisProcess(command?: string): LockHolder {
  return { pid: process.pid, host: hostname(), command: command ?? describeCommandLine(process.argv) };
}

/** The command line without the node binary and the script's folder (what a user typed). */
export function describeCommandLine(argv: readonly string[]): string {
  const [, script, ...args] = argv;
  const name = script ? script.replace(/^.*[\\/]/, '').replace(/\.(mjs|cjs|js|ts)$/, '') : 'node';
  return [name, ...args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))].join(' ').slice(0, 300);
}

/** Signal 0 asks the OS whether the process exists (EPERM: it does, under another user). */
export function osProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another process runs this flow in this data folder: the caller waits or tells the user. */
export class FlowBusyError extends Error {
  override readonly name = 'FlowBusyError';
  constructor(
    readonly flow: string,
    readonly holder: FlowLease,
  ) {
    super(
      `Another run of ${flow} is already working in this data folder: ${describeHolder(holder)}. ` +
        'This one stopped before reading or writing anything. Wait for that run to finish (or stop it: Ctrl-C in its window), then try again.',
    );
  }
}

/** "process 4242 on this computer (ml-connector sync exact-procore), started 2026-12-03 15:04:05 UTC, run 1b2c…" */
export function describeHolder(lease: FlowLease, localHost = hostname()): string {
  const where = lease.host === localHost ? 'on this computer' : `on computer ${lease.host}`;
  const started = lease.acquiredAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return `process ${lease.pid} ${where} (${lease.command}), started ${started}`;
}

type Verdict = { live: true } | { live: false; why: string };

function verdictOf(lease: FlowLease, opts: Required<Pick<RunLockOptions, 'processAlive' | 'staleAfterMs'>>, now: number): Verdict {
  const silentMs = now - Date.parse(lease.heartbeatAt);
  if (lease.host === hostname()) {
    if (!opts.processAlive(lease.pid)) return { live: false, why: `process ${lease.pid} (${lease.command}) is no longer running` };
    // The pid runs, yet its heartbeat stopped: a reused pid (after a restart) or a hung holder.
    if (silentMs > opts.staleAfterMs) return { live: false, why: `process ${lease.pid} (${lease.command}) stopped answering ${Math.round(silentMs / 1000)} s ago` };
    return { live: true };
  }
  // Another computer's pid cannot be asked about: only its heartbeat tells.
  if (silentMs > opts.staleAfterMs)
    return { live: false, why: `process ${lease.pid} on computer ${lease.host} (${lease.command}) has been silent for ${Math.round(silentMs / 1000)} s` };
  return { live: true };
}

export interface RunLock {
  readonly flow: string;
  readonly runId: string;
  readonly lease: FlowLease;
  /** Throws RunInterruptedError when the lease is no longer this run's (taken over after a hang). */
  assertHeld(): void;
  /** Gives the lease up; the run must have been finished first. */
  release(): void;
}

/**
 * Takes the flow's lease and records the run as started, in one transaction; throws
 * FlowBusyError (nothing written) when a live process holds it. A dead holder's run, and any
 * run of the flow left 'running' without a lease, are closed as 'interrupted' on the way.
 */
export function startLockedRun(store: Store, flow: string, runId: string, trigger: RunTrigger, opts: RunLockOptions = {}): RunLock {
  const holder = opts.holder ?? thisProcess();
  const settings = { processAlive: opts.processAlive ?? osProcessAlive, staleAfterMs: opts.staleAfterMs ?? LEASE_STALE_MS };
  const token = randomUUID();
  const lease = store.transaction(() => {
    const current = store.flowLocks.get(flow);
    if (current) {
      const verdict = verdictOf(current, settings, store.now().getTime());
      if (verdict.live) throw new FlowBusyError(flow, current);
      store.runs.interrupt(current.runId, interruptedReason(verdict.why, runId));
    }
    closeOrphanRuns(store, flow, runId);
    const taken = store.flowLocks.put({ flow, token, runId, ...holder });
    store.runs.start(runId, flow, trigger);
    return taken;
  });

  let lost = false;
  let released = false;
  const beat = setInterval(() => {
    try {
      if (!store.flowLocks.heartbeat(flow, token)) lost = true;
    } catch {
      // Busy or closing database: the next beat tries again; the stale limit is 12 beats long.
    }
  }, opts.heartbeatMs ?? LEASE_HEARTBEAT_MS);
  beat.unref();

  return {
    flow,
    runId,
    lease,
    assertHeld() {
      if (released) throw new Error(`The lease of run ${runId} was already released.`);
      if (!lost && store.flowLocks.holds(flow, token)) return;
      lost = true;
      const now = store.flowLocks.get(flow);
      throw new RunInterruptedError(
        `This run lost its hold on ${flow}${now ? ` to ${describeHolder(now)}` : ''} (this process did not answer for over ${Math.round(settings.staleAfterMs / 1000)} s); it stopped without writing more. What it wrote is confirmed; the other run resolves the rest.`,
      );
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      store.flowLocks.release(flow, token);
    },
  };
}

/**
 * For views (status, run history): closes the runs whose process died without a later run to
 * notice it. Cheap (one row per flow); does nothing on a read-only data folder.
 */
export function closeDeadRuns(store: Store, opts: Pick<RunLockOptions, 'processAlive' | 'staleAfterMs'> = {}): number {
  const settings = { processAlive: opts.processAlive ?? osProcessAlive, staleAfterMs: opts.staleAfterMs ?? LEASE_STALE_MS };
  let closed = 0;
  try {
    store.transaction(() => {
      const leases = new Map(store.flowLocks.list().map((l) => [l.flow, l]));
      for (const lease of leases.values()) {
        const verdict = verdictOf(lease, settings, store.now().getTime());
        if (verdict.live) continue;
        if (store.runs.interrupt(lease.runId, interruptedReason(verdict.why, null))) closed += 1;
        store.flowLocks.remove(lease.flow);
        leases.delete(lease.flow);
      }
      for (const flow of store.runs.flowsWithRunningRuns()) if (!leases.has(flow)) closed += closeOrphanRuns(store, flow, null);
    });
  } catch (error) {
    if (!/readonly|read-only/i.test((error as Error).message)) throw error;
  }
  return closed;
}

/** Runs still 'running' while no live process holds the flow: left by a crash (or an older version). */
function closeOrphanRuns(store: Store, flow: string, except: string | null): number {
  let closed = 0;
  for (const run of store.runs.listRunning(flow)) {
    if (run.id === except) continue;
    if (store.runs.interrupt(run.id, interruptedReason('no process was running it any more', except))) closed += 1;
  }
  return closed;
}

function interruptedReason(why: string, nextRunId: string | null): string {
  return (
    `Interrupted: ${why} before this run ended. What it had confirmed is kept; ` +
    (nextRunId ? `run ${nextRunId} resolves what it left unconfirmed before writing anything.` : 'the next run resolves what it left unconfirmed before writing anything.')
  );
}
