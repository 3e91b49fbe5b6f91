import type { Database, Statement } from 'better-sqlite3';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn } from './json';

export type RunTrigger = 'schedule' | 'manual' | 'catch-up' | 'cli';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'interrupted';
export type FinishedRunStatus = Exclude<RunStatus, 'running' | 'interrupted'>;
/** E.g. {"fetched":120,"written":100,"parked":3,"unchanged":17}. */
export type RunCounts = { [name: string]: number };

export interface Run {
  id: string;
  flow: string;
  trigger: RunTrigger;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  counts: RunCounts;
  /** Plain-language reason a run failed (never a secret). */
  error: string | null;
}

interface RunRecord {
  id: string;
  flow: string;
  trigger: RunTrigger;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  counts: string;
  error: string | null;
}

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`There is no run with id "${runId}".`);
  }
}

export class RunsRepo {
  private readonly insert: Statement<[string, string, string, string]>;
  private readonly finishStatement: Statement<[string, string, string, string | null, string]>;
  private readonly countsStatement: Statement<[string, string]>;
  private readonly byId: Statement<[string], RunRecord>;
  private readonly recent: Statement<[number], RunRecord>;
  private readonly recentOfFlow: Statement<[string, number], RunRecord>;
  private readonly interruptStatement: Statement<[string, string, string]>;
  private readonly runningOfFlow: Statement<[string], RunRecord>;
  private readonly runningFlows: Statement<[], { flow: string }>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO runs (id, flow, "trigger", started_at, status, counts) VALUES (?, ?, ?, ?, 'running', '{}')`,
    );
    this.finishStatement = db.prepare(
      `UPDATE runs SET status = ?, ended_at = ?, counts = ?, error = ? WHERE id = ? AND status = 'running'`,
    );
    this.countsStatement = db.prepare(`UPDATE runs SET counts = ? WHERE id = ?`);
    this.byId = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.recent = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?');
    this.recentOfFlow = db.prepare(
      'SELECT * FROM runs WHERE flow = ? ORDER BY started_at DESC, id DESC LIMIT ?',
    );
    this.interruptStatement = db.prepare(
      `UPDATE runs SET status = 'interrupted', ended_at = ?, error = ? WHERE id = ? AND status = 'running'`,
    );
    this.runningOfFlow = db.prepare(`SELECT * FROM runs WHERE status = 'running' AND flow = ? ORDER BY started_at`);
    this.runningFlows = db.prepare(`SELECT DISTINCT flow FROM runs WHERE status = 'running' ORDER BY flow`);
  }

  start(id: string, flow: string, trigger: RunTrigger): Run {
    this.insert.run(id, flow, trigger, isoNow(this.now));
    return this.require(id);
  }

  /** Progress counters while the run goes on. */
  updateCounts(id: string, counts: RunCounts): void {
    if (this.countsStatement.run(jsonColumn(counts, `counts of run ${id}`), id).changes === 0)
      throw new RunNotFoundError(id);
  }

  finish(id: string, status: FinishedRunStatus, counts: RunCounts, error: string | null = null): Run {
    const changed = this.finishStatement.run(
      status,
      isoNow(this.now),
      jsonColumn(counts, `counts of run ${id}`),
      error,
      id,
    ).changes;
    if (changed === 0) {
      const run = this.require(id);
      throw new Error(`Run ${id} already ended with status "${run.status}"; it cannot be finished again.`);
    }
    return this.require(id);
  }

  /**
   * A run whose process died (killed, crashed, power cut) is closed as 'interrupted', keeping the
   * counts it had recorded; false when it had already ended. Only the engine's run lock decides
   * that a process is dead (engine/sync/run-lock.ts).
   */
  interrupt(id: string, reason: string): boolean {
    return this.interruptStatement.run(isoNow(this.now), reason, id).changes === 1;
  }

  /** Flows with a run still marked 'running'. */
  flowsWithRunningRuns(): string[] {
    return this.runningFlows.all().map((r) => r.flow);
  }

  /** Runs of a flow still marked 'running', oldest first. */
  listRunning(flow: string): Run[] {
    return this.runningOfFlow.all(flow).map(toRun);
  }

  get(id: string): Run | undefined {
    const record = this.byId.get(id);
    return record && toRun(record);
  }

  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  /** Newest first. */
  listRecent(limit: number, flow?: string): Run[] {
    return (flow === undefined ? this.recent.all(limit) : this.recentOfFlow.all(flow, limit)).map(toRun);
  }
}

function toRun(record: RunRecord): Run {
  return {
    id: record.id,
    flow: record.flow,
    trigger: record.trigger,
    startedAt: record.started_at,
    endedAt: record.ended_at,
    status: record.status,
    counts: parseJsonColumn<RunCounts>(record.counts),
    error: record.error,
  };
}
