import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import { createRng } from '../../src-main/sandbox/_common/rng';
import { openStore } from '../../src-main/store';
import { booksView } from '../support/f1-harness';

/**
 * Issue 4's kill proof: the real CLI (`sync exact-procore --sandbox`) in a child process,
 * SIGKILLed at seeded random moments at least MIN_KILLS times on the same data folder, then run to
 * the end. Procore's books must equal a clean run's (same records, amounts to the cent, no origin
 * id twice) and the audit chain must be intact. Kill delays span CLI start-up, reads and writes,
 * scaled from a clean run measured first on this machine.
 */
const CLI = join(process.cwd(), 'bin', 'ml-connector.mjs');
const LATENCY_MS = 20;
const MIN_KILLS = 20;
const MAX_SPAWNS = 40;
const SYNC_ARGS = ['sync', 'exact-procore', '--sandbox', '--latency-ms', String(LATENCY_MS), '--json'];
const execFileAsync = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  /** Exit code, or null when the child was killed. */
  code: number | null;
  killed: boolean;
  elapsedMs: number;
  stdout: string;
  stderr: string;
}

/** Runs the sync CLI on `dataDir`; SIGKILLs it after `killAfterMs` if it is still running. */
function runSync(dataDir: string, killAfterMs: number | null): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...SYNC_ARGS, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let killed = false;
    const timer = killAfterMs === null ? null : setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed: killed && code === null, elapsedMs: performance.now() - started, stdout, stderr });
    });
  });
}

async function cli(args: string[], dataDir: string): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

const procoreBooks = async (dataDir: string) => booksView(JSON.parse(await cli(['sandbox', 'dump', 'procore'], dataDir)) as Record<string, unknown>);

/** The last JSON line the sync printed on stdout. */
function summaryOf(result: ChildResult): { status: string; created: number; durationMs: number } {
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as { status: string; created: number; durationMs: number };
}

type Phase = 'start-up (no run yet)' | 'reading/planning' | 'writing (intents unconfirmed)';

/**
 * Where a kill landed, from what the child left in the data folder: no new run row = it died
 * during CLI start-up; outbox intents neither confirmed nor retired = it died around a write;
 * otherwise it died reading or planning (between writes).
 */
function phaseOfKill(dataDir: string, previousRunId: string | null): { phase: Phase; runId: string | null } {
  const store = openStore(dataDir);
  try {
    const runId = store.runs.listRecent(1, F1_FLOW)[0]?.id ?? null;
    if (runId === null || runId === previousRunId) return { phase: 'start-up (no run yet)', runId };
    return { phase: store.outbox.listUnconfirmed(F1_FLOW).length > 0 ? 'writing (intents unconfirmed)' : 'reading/planning', runId };
  } finally {
    store.close();
  }
}

/** The child's last progress line on stderr ("… n records read, m written, k parked"). */
function lastProgress(stderr: string): string {
  return stderr.split('\n').filter((l) => l.startsWith('…')).at(-1) ?? '(no progress line yet)';
}

describe('F1 CLI killed with SIGKILL at random moments', () => {
  it(`ends with the books of a clean run and an intact audit chain after ${MIN_KILLS}+ kills`, async () => {
    // A clean run first: its books are the reference, its timing scales the kill delays.
    const cleanDir = mkdtempSync(join(tmpdir(), 'mlc-f1-clean-'));
    dirs.push(cleanDir);
    const clean = await runSync(cleanDir, null);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanSummary = summaryOf(clean);
    expect(cleanSummary.status).toBe('succeeded');
    const cleanBooks = await procoreBooks(cleanDir);
    expect(Object.keys(cleanBooks.commitments).length).toBeGreaterThan(50);
    const startupMs = clean.elapsedMs - cleanSummary.durationMs;
    const flowMs = cleanSummary.durationMs;

    const dir = mkdtempSync(join(tmpdir(), 'mlc-f1-kill-'));
    dirs.push(dir);
    const rng = createRng(4242);
    const landed = new Map<Phase, number>();
    const progressAtKill: string[] = [];
    let kills = 0;
    let completedBeforeKill = 0;
    let previousRunId: string | null = null;
    // How long a whole run of the CLI takes now: each kill leaves less to write, so this only
    // shrinks; a run that finishes before its kill tells us the new length.
    let wholeRunMs = Math.min(clean.elapsedMs, startupMs + flowMs * 0.6);
    let earliestMs = startupMs * 0.8;
    const missed = (phase: Phase): boolean => (landed.get(phase) ?? 0) === 0;
    for (
      let spawned = 0;
      (kills < MIN_KILLS || missed('reading/planning') || missed('writing (intents unconfirmed)')) && spawned < MAX_SPAWNS;
      spawned++
    ) {
      // From late start-up to the end of a run: the early kills hit start-up, the reads and the
      // writes; once everything is written, a run is start-up, recovery and reads only.
      let from = earliestMs;
      let to = wholeRunMs;
      // Once half the kills are spent, aim at a phase no kill has hit yet: a batch's reads and
      // planning come right after start-up, its writes after them (the windows are uneven, so
      // uniform delays alone can miss one).
      if (kills >= MIN_KILLS / 2 && missed('reading/planning')) to = earliestMs + (wholeRunMs - earliestMs) * 0.3;
      else if (kills >= MIN_KILLS / 2 && missed('writing (intents unconfirmed)')) from = earliestMs + (wholeRunMs - earliestMs) * 0.3;
      const delay = Math.round(from + rng.next() * (to - from));
      const result = await runSync(dir, delay);
      if (!result.killed) {
        // The run finished before the kill: fine, but it does not count as a kill.
        expect(result.code === 0 || result.code === 1, result.stderr).toBe(true);
        completedBeforeKill += 1;
        wholeRunMs = Math.min(wholeRunMs, result.elapsedMs * 0.95);
        earliestMs = Math.min(earliestMs, wholeRunMs * 0.6);
        previousRunId = phaseOfKill(dir, previousRunId).runId;
        continue;
      }
      kills += 1;
      const { phase, runId } = phaseOfKill(dir, previousRunId);
      previousRunId = runId;
      landed.set(phase, (landed.get(phase) ?? 0) + 1);
      // Start-up takes at least this long on this machine now (load varies): aim later.
      if (phase === 'start-up (no run yet)') earliestMs = Math.min(Math.max(earliestMs, delay), wholeRunMs * 0.9);
      progressAtKill.push(`${delay} ms: ${phase}; ${lastProgress(result.stderr)}`);
    }

    const final = await runSync(dir, null);
    expect(final.code, final.stderr).toBe(0);
    expect(summaryOf(final).status).toBe('succeeded');

    console.info(
      `kill test: clean run ${Math.round(clean.elapsedMs)} ms (start-up ${Math.round(startupMs)} ms, sync ${flowMs} ms); ` +
        `${kills} kills, ${completedBeforeKill} runs finished before their kill; landed: ${JSON.stringify(Object.fromEntries(landed))}\n  ${progressAtKill.join('\n  ')}`,
    );
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    // The delays must have hit both the reads and the writes, or the test proves less than it says.
    expect(landed.get('writing (intents unconfirmed)') ?? 0).toBeGreaterThan(0);
    expect(landed.get('reading/planning') ?? 0).toBeGreaterThan(0);

    const books = await procoreBooks(dir);
    expect(books.duplicateCommitmentOrigins).toBe(0);
    expect(books.duplicateDirectCostOrigins).toBe(0);
    expect(books).toEqual(cleanBooks);
    const verdict = JSON.parse(await cli(['audit', 'verify', '--json'], dir)) as { ok: boolean; checked: number };
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThan(0);
  }, 240_000);
});
