import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src-main/store/db';

/** A clock tests can move: starts at `start`, advances only when told. */
export function manualClock(start = '2026-03-01T08:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(iso: string) {
      current = new Date(iso).getTime();
    },
  };
}

export function makeTempDir(prefix = 'ml-connector-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Opens a store on a real SQLite file in a fresh temp dir; cleanup() closes it and removes the dir. */
export function openTempStore(clock = manualClock()): {
  store: Store;
  dataDir: string;
  clock: ReturnType<typeof manualClock>;
  cleanup(): void;
} {
  const dataDir = makeTempDir();
  const store = openStore(dataDir, { now: clock.now });
  return {
    store,
    dataDir,
    clock,
    cleanup() {
      store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
