import type { Migration } from './migration';

/**
 * One writer per flow per data folder (decision 0016). A row is the lease of the process whose
 * run owns the flow: who it is (pid, host, command, so a second process can name it), which run,
 * and a heartbeat the holder refreshes while it works. `token` fences the holder: every write
 * batch checks the row still carries its token, so a process whose lease was taken over (it
 * hung past the stale limit) stops instead of writing beside the new holder.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'flow-locks',
  up(db) {
    db.exec(`
      CREATE TABLE flow_locks (
        flow TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        run_id TEXT NOT NULL,
        pid INTEGER NOT NULL CHECK (pid > 0),
        host TEXT NOT NULL,
        command TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
