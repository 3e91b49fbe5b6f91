import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src-main/sandbox/_common/rng';
import { BROWSER_HOST_TOKEN_HEADER } from '../../src-shared/ipc';
import {
  auditWritesPerRecord,
  cleanReference,
  cli,
  compareBooks,
  crashSoak,
  freshDataDir,
  lastJson,
  removeDataDir,
  runsOf,
  startCli,
  syncArgs,
  targetBooks,
  waitFor,
  type CleanReference,
  type FlowCrashSpec,
} from './crash-harness';

/**
 * The crash-safety proof every flow runs (one line per flow: `describeCrashSafety(spec)`):
 * two syncs at once, a sync during `run`, "Sync now" in `serve` during a CLI sync, Ctrl-C and
 * SIGTERM mid-write, a second Ctrl-C, a SIGKILLed lock holder, and SIGKILLs at random moments.
 * Each ends with the target equal to a clean run's books record by record (counted, so a
 * duplicate shows) and the audit log saying once per record that it reached the target.
 */
export function describeCrashSafety(spec: FlowCrashSpec, opts: { soakKills?: number } = {}): void {
  const LATENCY_MS = spec.latencyMs ?? 20;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = freshDataDir(`mlc-${spec.flow}-crash-`);
    dirs.push(dir);
    return dir;
  };
  let clean: CleanReference;

  beforeAll(async () => {
    clean = await cleanReference(spec, { latencyMs: LATENCY_MS });
    expect(clean.books.length).toBeGreaterThan(20);
  }, 120_000);
  afterAll(() => dirs.forEach(removeDataDir));

  /** The target holds exactly the clean books, and the audit log one write per record. */
  async function expectBooksOfACleanRun(dir: string): Promise<void> {
    const diff = compareBooks(clean.books, await targetBooks(spec, dir));
    expect(diff, diff.examples.join('\n')).toMatchObject({ duplicates: 0, missing: 0, amount_diffs: 0 });
    const writes = auditWritesPerRecord(dir, spec.flow);
    expect([...writes].filter(([, n]) => n !== 1)).toEqual([]);
    expect(writes.size).toBe(clean.writes.size);
  }

  const sync = (dir: string, extra: string[] = [], latencyMs = LATENCY_MS) => startCli(syncArgs(spec.flow, { latencyMs, extra }), dir);
  const runStarted = (dir: string, n = 1) => waitFor('a run row', () => runsOf(dir, spec.flow).length >= n);
  const progressed = (run: ReturnType<typeof startCli>) => waitFor('a first confirmed write', () => run.stderr().includes('…'));
  /**
   * A per-call latency that keeps a run going while other processes start beside it: at least a
   * few of this machine's start-ups (measured by the clean run, so a loaded machine gets a longer
   * run), not a fixed guess a busy CI box outruns.
   */
  const overlapping = () => {
    const runMs = 3 * clean.startupMs + 4_000;
    return { latencyMs: Math.max(LATENCY_MS, Math.ceil(runMs / Math.max(1, clean.calls))), runMs };
  };

  describe(`${spec.flow}: crash safety`, () => {
    it('two syncs at once: the second refuses (exit 3, naming the first) or, with --wait, waits and then writes nothing new', async () => {
      const dir = dataDir();
      // Slow enough that both later commands start while it runs, even on a loaded machine.
      const first = sync(dir, [], overlapping().latencyMs);
      await runStarted(dir);
      // Both started while the first runs (not one after the other): a run need not outlast two start-ups.
      const second = sync(dir);
      const waiting = sync(dir, ['--wait']);
      const refused = await second.exited;
      expect(refused.code, refused.stderr).toBe(3);
      const busy = lastJson<{ status: string; heldBy: { pid: number; command: string }; error: string }>(refused.stdout);
      expect(busy.status).toBe('busy');
      expect(busy.heldBy.pid).toBe(first.child.pid);
      expect(busy.heldBy.command).toContain(`sync ${spec.flow}`);
      expect(busy.error).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC.*stopped before reading or writing anything/);
      const done = await first.exited;
      expect(done.code, done.stderr).toBe(0);
      const waited = await waiting.exited;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stderr).toContain(`Waiting for process ${first.child.pid}`);
      expect(lastJson<{ created: number; updated: number }>(waited.stdout)).toMatchObject({ created: 0, updated: 0 });
      expect(runsOf(dir, spec.flow).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    it('a sync while `run` keeps the schedule: the scheduled run waits its turn ("busy"), never beside it', async () => {
      const dir = dataDir();
      const slow = overlapping();
      const first = sync(dir, [], slow.latencyMs);
      await runStarted(dir);
      // Long enough for a scheduled run after the first sync, whose run takes about a clean run's time.
      const forSeconds = Math.ceil((slow.runMs + clean.runMs + clean.startupMs) / 1000) + 6;
      // This flow only: another flow on the same sandbox may claim the same source records (F2 and
      // F3 both post Procore pay applications; the first to link one owns it), which is not this test.
      const scheduler = startCli(['run', '--flow', spec.flow, '--sandbox', '--every', '1', '--for', String(forSeconds)], dir);
      expect((await first.exited).code).toBe(0);
      const ended = await scheduler.exited;
      expect(ended.code, ended.stderr).toBe(0);
      expect(ended.stderr).toMatch(/run busy \(Another run of .* is already working in this data folder/);
      expect(ended.stderr).toMatch(/run succeeded/);
      const statuses = runsOf(dir, spec.flow).map((r) => r.status);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      expect(new Set(statuses)).toEqual(new Set(['succeeded']));
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    it('"Sync now" in `serve` during a CLI sync is refused as busy; pressed again after it, it writes nothing new', async () => {
      const dir = dataDir();
      const serve = startCli(['serve', '--sandbox'], dir);
      await waitFor('the serve url', () => serve.stdout().includes('"url"'));
      const url = new URL(JSON.parse(serve.stdout().trim().split('\n')[0]!).url as string);
      const ipc = async (method: string, body: unknown) => {
        const res = await fetch(`${url.origin}/ipc/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [BROWSER_HOST_TOKEN_HEADER]: url.searchParams.get('token')! },
          body: JSON.stringify(body),
        });
        return (await res.json()) as { ok: boolean; value?: unknown };
      };
      try {
        const cliSync = sync(dir);
        await runStarted(dir);
        expect((await ipc('sync.start', { flow: spec.flow })).ok).toBe(true);
        expect((await cliSync.exited).code).toBe(0);
        // The refused press left no run behind; a press now runs and finds everything synced.
        expect(runsOf(dir, spec.flow).map((r) => r.status)).toEqual(['succeeded']);
        expect((await ipc('sync.start', { flow: spec.flow })).ok).toBe(true);
        await waitFor('the serve run', () => runsOf(dir, spec.flow).length === 2 && runsOf(dir, spec.flow)[1]!.status !== 'running');
        expect(runsOf(dir, spec.flow).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      } finally {
        serve.child.kill('SIGTERM');
        expect((await serve.exited).code).toBe(0);
      }
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    it.each([
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const)('%s mid-write stops at the next safe point (recorded cancelled, exit %i); the next run completes the books', async (signal, code) => {
      const dir = dataDir();
      const run = sync(dir, [], LATENCY_MS * 2);
      await progressed(run);
      const sent = performance.now();
      run.child.kill(signal);
      const stopped = await run.exited;
      const stopMs = Math.round(performance.now() - sent);
      expect(stopped.code, stopped.stderr).toBe(code);
      const summary = lastJson<{ status: string; error: string }>(stopped.stdout);
      expect(summary.status).toBe('cancelled');
      expect(summary.error).toMatch(new RegExp(`^Stopped by ${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} at a safe point`));
      expect(runsOf(dir, spec.flow).map((r) => r.status)).toEqual(['cancelled']);
      console.info(`${spec.flow}: ${signal} → exit ${stopped.code} after ${stopMs} ms`);
      const resumed = await sync(dir).exited;
      expect(resumed.code, resumed.stderr).toBe(0);
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    it('a second Ctrl-C quits at once; the run left behind shows as interrupted and the next run completes the books', async () => {
      const dir = dataDir();
      const run = sync(dir, [], LATENCY_MS * 2);
      await progressed(run);
      run.child.kill('SIGINT');
      await waitFor('the stop notice', () => run.stderr().includes('Stopping at the next safe point'));
      run.child.kill('SIGINT');
      const quit = await run.exited;
      expect(quit.code).toBe(130);
      expect(quit.stderr).toContain('Quitting at once');
      const resumed = await sync(dir).exited;
      expect(resumed.code, resumed.stderr).toBe(0);
      const statuses = runsOf(dir, spec.flow).map((r) => r.status);
      expect(statuses.at(-1)).toBe('succeeded');
      expect(['cancelled', 'interrupted']).toContain(statuses[0]);
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    it('a SIGKILLed lock holder: its run shows as interrupted with what it had done, and the next run takes over at once', async () => {
      const dir = dataDir();
      const run = sync(dir);
      await progressed(run);
      run.child.kill('SIGKILL');
      await run.exited;
      const listed = JSON.parse(await cli(['runs', '--json'], dir)) as { runs: { outcome: string; error: string | null; counts: Record<string, number> }[] };
      expect(listed.runs).toHaveLength(1);
      expect(listed.runs[0]!.outcome).toBe('interrupted');
      expect(listed.runs[0]!.error).toMatch(new RegExp(`process ${run.child.pid} .* is no longer running`));
      expect(listed.runs[0]!.counts['read'] ?? 0).toBeGreaterThan(0);
      const next = await sync(dir).exited;
      expect(next.code, next.stderr).toBe(0);
      await expectBooksOfACleanRun(dir);
    }, 120_000);

    const kills = opts.soakKills ?? 8;
    it(`SIGKILLed at ${kills} seeded random moments (each on a fresh data folder, some resumes killed too): no duplicate, nothing missing, amounts to the cent`, async () => {
      const result = await crashSoak(spec, clean, { kills, rng: createRng(4242), latencyMs: LATENCY_MS, parallel: 2, killResumeEvery: 4 });
      console.info(`${spec.flow} kill suite: ${JSON.stringify(result)}`);
      expect(result, result.examples.join('\n')).toMatchObject({ resumes_failed: 0, duplicates: 0, missing: 0, amount_diffs: 0, audit_double_writes: 0 });
      expect(result.kills).toBeGreaterThanOrEqual(kills * 0.75);
    }, 600_000);
  });
}
