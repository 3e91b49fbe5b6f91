import type { Logger } from '../connectors/_kit/log';
import { systemTimers, type SchedulerTimers, type TimerHandle } from '../engine/scheduler/timers';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from './event-bus';

/**
 * Keeps the audit text-search index (decision 0014) close behind the log, off the sync's path:
 * it indexes batches while no sync runs, pausing between batches so IPC and the UI stay
 * responsive, and looks again after each run and every `recheckMs` (a CLI sync may have
 * appended). Entries not yet indexed are still found, by LIKE; the index only makes it fast.
 */
export interface AuditTextIndexerOptions {
  audit: Pick<AuditRepo, 'indexTextBatch'>;
  events: Pick<EventBus, 'subscribe'>;
  log: Logger;
  timers?: SchedulerTimers;
  /** Entries per batch (one write transaction, ~20 ms per 1,000 on a 2-core machine). */
  batchRows?: number;
  /** Pause between batches while catching up. */
  pauseMs?: number;
  /** Pause once caught up (or after a failed batch) before looking again. */
  recheckMs?: number;
}

export const AUDIT_INDEX_BATCH_ROWS = 2_000;

export class AuditTextIndexer {
  private readonly timers: SchedulerTimers;
  private readonly batchRows: number;
  private readonly pauseMs: number;
  private readonly recheckMs: number;
  private timer: TimerHandle | null = null;
  private readonly syncsRunning = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private stopped = true;

  constructor(private readonly opts: AuditTextIndexerOptions) {
    this.timers = opts.timers ?? systemTimers;
    this.batchRows = opts.batchRows ?? AUDIT_INDEX_BATCH_ROWS;
    this.pauseMs = opts.pauseMs ?? 25;
    this.recheckMs = opts.recheckMs ?? 30_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.opts.events.subscribe((message) => {
      if (message.event !== 'run.progress') return;
      const { runId, phase } = message.payload;
      if (phase === 'starting' || phase === 'reading') {
        this.syncsRunning.add(runId);
      } else if (this.syncsRunning.delete(runId) && this.syncsRunning.size === 0) {
        this.schedule(this.pauseMs); // the run's entries are waiting
      }
    });
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clear();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.clear();
    this.timer = this.timers.setTimer(() => this.tick(), delayMs);
  }

  private clear(): void {
    if (this.timer !== null) this.timers.clearTimer(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    // A sync owns the machine while it runs; its end schedules the next batch.
    if (this.syncsRunning.size > 0) return this.schedule(this.recheckMs);
    let indexed: number;
    try {
      indexed = this.opts.audit.indexTextBatch(this.batchRows);
    } catch (error) {
      // Search stays correct meanwhile (LIKE), only slower. Another process writing (a CLI sync)
      // is normal and only worth a debug line; anything else is a warning.
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      this.opts.log[busy ? 'debug' : 'warn'](
        busy ? 'audit search index: another process is writing; trying again later' : 'audit search index: a batch failed; trying again later',
        { reason: error instanceof Error ? error.message : String(error) },
      );
      return this.schedule(this.recheckMs);
    }
    this.schedule(indexed === this.batchRows ? this.pauseMs : this.recheckMs);
  }
}
