import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Call once at the top of a test file: returns a maker of fresh dirs under the OS temp dir
 * (`<prefix>XXXXXX`), all removed after the file's tests, pass or fail. Vitest runs afterAll
 * hooks in reverse order, so call this before any afterAll that closes a simulator still
 * using one of these dirs: the dirs then go last.
 */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** The parsed JSON answer of a plain fetch (test-only reads such as `/_sandbox/state`). */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

/**
 * Runs `use` against a simulator started just for it and closes the simulator afterwards,
 * pass or fail: for tests that need their own config, faults or clock.
 */
export async function withSimulator<S extends { close(): Promise<void> }, T>(
  starting: Promise<S>,
  use: (sim: S) => Promise<T>,
): Promise<T> {
  const sim = await starting;
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}
