import lockfile from 'proper-lockfile';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CrossProcessLock } from './custody';

/**
 * A lock file shared by every process using the same data folder (the desktop app, the
 * browser host, the CLI), so only one of them refreshes a connection's tokens at a time.
 * proper-lockfile handles stale locks left by a killed process (mtime-based).
 */
export function fileLock(path: string, opts: { staleMs?: number; waitMs?: number } = {}): CrossProcessLock {
  return {
    async withLock<T>(fn: () => Promise<T>): Promise<T> {
      mkdirSync(dirname(path), { recursive: true });
      if (!existsSync(path)) writeFileSync(path, '');
      const stale = opts.staleMs ?? 30_000;
      const release = await lockfile.lock(path, {
        stale,
        realpath: false,
        retries: { retries: Math.ceil((opts.waitMs ?? 60_000) / 100), factor: 1, minTimeout: 100, maxTimeout: 100 },
      });
      try {
        return await fn();
      } finally {
        await release().catch(() => {});
      }
    },
  };
}
