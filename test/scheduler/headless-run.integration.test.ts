import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/host/cli';
import { runHeadless } from '../../src-main/host/commands/schedule';
import { startF1Sandbox } from '../support/f1-runtime';
import type { Sandbox } from '../../src-main/sandbox';
import { openStore } from '../../src-main/store';

interface ListedRun {
  flow: string;
  trigger: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string;
  counts: Record<string, number>;
}

/** `npx ml-connector runs --json` in-process: the list a user or script sees. */
async function listRuns(dir: string): Promise<ListedRun[]> {
  const out: string[] = [];
  const code = await main(['runs', '--json', '--limit', '100', '--data-dir', dir], { out: (l) => out.push(l), err: () => {}, env: {}, onStopSignal: () => () => {} });
  expect(code).toBe(0);
  return (JSON.parse(out.join('')) as { runs: ListedRun[] }).runs;
}

describe('headless scheduler on the F1 sandbox (run --sandbox --every 2 --for 8)', () => {
  const seed = { seed: 1, scale: 1 };
  let dir: string;
  let sandbox: Sandbox;
  const log: string[] = [];
  let result: { runs: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlc-sched-'));
    sandbox = await startF1Sandbox(dir, seed);
    const store = openStore(dir);
    try {
      // F1 only: the registry's other flows have their own schedule tests.
      result = await runHeadless({ store, dataDir: dir, everySeconds: 2, forMs: 8_000, signal: new AbortController().signal, log: (l) => log.push(l), sandbox: seed, runningSandbox: sandbox, only: ['exact-procore'] });
    } finally {
      store.close();
    }
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs several times on schedule, never two at once', async () => {
    const runs = (await listRuns(dir)).reverse(); // oldest first
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs).toHaveLength(result.runs);
    for (const r of runs) {
      expect(r).toMatchObject({ flow: 'exact-procore', trigger: 'schedule' });
      expect(r.endedAt).not.toBeNull();
      expect(['succeeded', 'partial']).toContain(r.outcome);
    }
    for (let i = 1; i < runs.length; i++) expect(Date.parse(runs[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1]!.endedAt!));
    expect(log.filter((l) => l.includes('schedule run started'))).toHaveLength(runs.length);
  });

  it('writes everything once: later runs create and update nothing (idempotent)', async () => {
    const [first, ...later] = (await listRuns(dir)).reverse();
    expect(first!.counts['created']).toBeGreaterThan(0);
    for (const r of later) {
      expect(r.counts['created']).toBe(0);
      expect(r.counts['updated']).toBe(0);
    }
  });

  it('respects the Exact budget: no 429 from the simulator, within its 60 calls/minute', async () => {
    const requests = (await (await fetch(`${sandbox.systems.exact!.baseUrl}/_sandbox/requests`)).json()) as { total: number; byStatus: Record<string, number> };
    expect(requests.total).toBeGreaterThan(0);
    expect(requests.byStatus['429'] ?? 0).toBe(0);
    expect(requests.total).toBeLessThanOrEqual(60); // the whole test lasts well under a minute
    // And the run logs what each budget allows, in its own window: calls used / left / next safe run.
    expect(log.some((l) => /^sandbox-exact-online: \d+ calls used today, \d+ left, next safe run at \d{4}-/.test(l))).toBe(true);
    expect(log.some((l) => /^sandbox-procore: \d+ calls used this hour, \d+ left, next safe run at \d{4}-/.test(l))).toBe(true);
  });

  it('refuses a bad --every with a clear message (exit 2)', async () => {
    const err: string[] = [];
    const code = await main(['run', '--sandbox', '--every', 'soon', '--data-dir', dir], { out: () => {}, err: (l) => err.push(l), env: {}, onStopSignal: () => () => {} });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--every must be a number of seconds > 0, got "soon"');
  });
});
