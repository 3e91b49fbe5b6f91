import type { Database, Statement } from 'better-sqlite3';
import { isoNow, type Clock } from './clock';

/** Who holds (or held) a flow: enough for another process to name it to the user. */
export interface LockHolder {
  pid: number;
  /** os.hostname() of the holder's machine (a data folder on a network drive is seen by several). */
  host: string;
  /** What the holder runs, e.g. `ml-connector sync exact-procore --sandbox` or `ml-connector (desktop app)`. */
  command: string;
}

export interface FlowLease extends LockHolder {
  flow: string;
  /** Random per acquisition; the holder proves with it that the lease is still its own. */
  token: string;
  runId: string;
  acquiredAt: string;
  heartbeatAt: string;
}

interface LeaseRecord {
  flow: string;
  token: string;
  run_id: string;
  pid: number;
  host: string;
  command: string;
  acquired_at: string;
  heartbeat_at: string;
}

/**
 * The flow_locks table (migration 0006). Only SQL: whether a lease may be taken over (its holder
 * dead or silent) is the engine's decision (engine/sync/run-lock.ts), made inside the same
 * IMMEDIATE transaction that replaces the row.
 */
export class FlowLocksRepo {
  private readonly getStatement: Statement<[string], LeaseRecord>;
  private readonly listStatement: Statement<[], LeaseRecord>;
  private readonly putStatement: Statement<[string, string, string, number, string, string, string, string]>;
  private readonly heartbeatStatement: Statement<[string, string, string]>;
  private readonly releaseStatement: Statement<[string, string]>;
  private readonly deleteStatement: Statement<[string]>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.getStatement = db.prepare('SELECT * FROM flow_locks WHERE flow = ?');
    this.listStatement = db.prepare('SELECT * FROM flow_locks ORDER BY flow');
    this.putStatement = db.prepare(
      `INSERT INTO flow_locks (flow, token, run_id, pid, host, command, acquired_at, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (flow) DO UPDATE SET token = excluded.token, run_id = excluded.run_id, pid = excluded.pid,
         host = excluded.host, command = excluded.command, acquired_at = excluded.acquired_at,
         heartbeat_at = excluded.heartbeat_at`,
    );
    this.heartbeatStatement = db.prepare('UPDATE flow_locks SET heartbeat_at = ? WHERE flow = ? AND token = ?');
    this.releaseStatement = db.prepare('DELETE FROM flow_locks WHERE flow = ? AND token = ?');
    this.deleteStatement = db.prepare('DELETE FROM flow_locks WHERE flow = ?');
  }

  get(flow: string): FlowLease | undefined {
    const record = this.getStatement.get(flow);
    return record && toLease(record);
  }

  list(): FlowLease[] {
    return this.listStatement.all().map(toLease);
  }

  /** Writes the lease (replacing any other): call inside the transaction that decided it may. */
  put(lease: Omit<FlowLease, 'acquiredAt' | 'heartbeatAt'>): FlowLease {
    const at = isoNow(this.now);
    this.putStatement.run(lease.flow, lease.token, lease.runId, lease.pid, lease.host, lease.command, at, at);
    return { ...lease, acquiredAt: at, heartbeatAt: at };
  }

  /** Refreshes the holder's heartbeat; false when the lease is no longer its own. */
  heartbeat(flow: string, token: string): boolean {
    return this.heartbeatStatement.run(isoNow(this.now), flow, token).changes === 1;
  }

  /** True while the lease still carries `token`. */
  holds(flow: string, token: string): boolean {
    return this.getStatement.get(flow)?.token === token;
  }

  /** Gives the lease up (only the holder's own; a lease taken over meanwhile stays). */
  release(flow: string, token: string): boolean {
    return this.releaseStatement.run(flow, token).changes === 1;
  }

  /** Removes a dead holder's lease (after its run was marked interrupted). */
  remove(flow: string): void {
    this.deleteStatement.run(flow);
  }
}

function toLease(record: LeaseRecord): FlowLease {
  return {
    flow: record.flow,
    token: record.token,
    runId: record.run_id,
    pid: record.pid,
    host: record.host,
    command: record.command,
    acquiredAt: record.acquired_at,
    heartbeatAt: record.heartbeat_at,
  };
}
