import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canonicalJson } from '../../src-main/store/canonical-json';
import { DATABASE_FILE_NAME } from '../../src-main/store/db';
import type { SystemName } from '../../src-main/sandbox';

/**
 * The crash-safety harness every flow uses (issue "Nothing posted twice, for real"): the real
 * CLI in child processes on fresh data folders, killed, interrupted, run side by side, and the
 * target compared with a clean run's RECORD BY RECORD. A flow plugs in with a FlowCrashSpec
 * (its id, its target system in the sandbox, and how that system's dump reads as books); the
 * rest — spawning, kill timing, phases, the comparison, the audit check — is shared.
 */

type Json = Record<string, unknown>;

/** One record of the target as the books see it: `key` = its origin (what a duplicate repeats). */
export interface BookRow {
  key: string;
  value: unknown;
}

export interface FlowCrashSpec {
  flow: string;
  /** The sandbox system the flow writes to (`sandbox dump <system>`). */
  target: SystemName;
  /** Every record the flow owns in the target, one row each, ids the target assigned left out. */
  books(dump: Json): BookRow[];
  /**
   * Latency per sandbox call in the suite's runs (default 20 ms). A flow whose sync makes few
   * calls needs more, so that its run outlasts the start-up of a second process (the
   * concurrency and signal tests need a run that is still going).
   */
  latencyMs?: number;
}

export const CLI = join(process.cwd(), 'bin', 'ml-connector.mjs');
const execFileAsync = promisify(execFile);

export function freshDataDir(prefix = 'mlc-crash-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A CLI command run to its end; throws with stderr when it exits non-zero. */
export async function cli(args: readonly string[], dataDir: string): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [CLI, ...args, '--data-dir', dataDir], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

export interface ChildRun {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<ChildResult>;
  stdout(): string;
  stderr(): string;
}

export interface ChildResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  elapsedMs: number;
  stdout: string;
  stderr: string;
}

/** Starts the CLI as a child: the node process itself (never an npx wrapper, whose child would survive a kill). */
export function startCli(args: readonly string[], dataDir: string): ChildRun {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, elapsedMs: performance.now() - started, stdout, stderr }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The sync command of a flow on the sandbox, printing its JSON summary. */
export function syncArgs(flow: string, opts: { latencyMs?: number; seed?: number; extra?: readonly string[] } = {}): string[] {
  return [
    'sync',
    flow,
    '--sandbox',
    ...(opts.seed !== undefined ? ['--seed', String(opts.seed)] : []),
    ...(opts.latencyMs !== undefined ? ['--latency-ms', String(opts.latencyMs)] : []),
    '--json',
    ...(opts.extra ?? []),
  ];
}

/** The last JSON line a command printed on stdout. */
export function lastJson<T = Json>(stdout: string): T {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/** Polls until `ready` holds (a run row appeared, a progress line was printed…). */
export async function waitFor(what: string, ready: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Read-only look at the data folder's database beside a running process (null before it exists). */
export function peekStore<T>(dataDir: string, read: (db: Database.Database) => T): T | null {
  const file = join(dataDir, DATABASE_FILE_NAME);
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const ready = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'flow_locks'").get();
    return ready ? read(db) : null;
  } finally {
    db.close();
  }
}

/** Runs of the flow recorded so far, oldest first. */
export function runsOf(dataDir: string, flow: string): { id: string; status: string; error: string | null }[] {
  return peekStore(dataDir, (db) => db.prepare('SELECT id, status, error FROM runs WHERE flow = ? ORDER BY started_at, rowid').all(flow) as { id: string; status: string; error: string | null }[]) ?? [];
}

/**
 * Where a kill landed, read from what the process left: no run row yet (start-up); intents sent
 * but unconfirmed (writing); otherwise reading/planning — or, for a resumed run killed after it
 * started, 'recovering' (a resume begins by resolving the first run's leftovers).
 */
export type KillPhase = 'start-up' | 'reading/planning' | 'writing' | 'recovering';

export function phaseOfKill(dataDir: string, flow: string, runsBefore: number, resume = false): KillPhase {
  const state = peekStore(dataDir, (db) => ({
    runs: (db.prepare('SELECT count(*) AS n FROM runs WHERE flow = ?').get(flow) as { n: number }).n,
    unconfirmed: (db.prepare(`SELECT count(*) AS n FROM outbox WHERE flow = ? AND status IN ('pending', 'unknown') AND attempts > 0`).get(flow) as { n: number }).n,
  }));
  if (!state || state.runs <= runsBefore) return 'start-up';
  if (resume) return 'recovering';
  return state.unconfirmed > 0 ? 'writing' : 'reading/planning';
}

/** The flow's records in the target, as books (from `sandbox dump`, read after every process ended). */
export async function targetBooks(spec: FlowCrashSpec, dataDir: string): Promise<BookRow[]> {
  const dump = JSON.parse(await cli(['sandbox', 'dump', spec.target], dataDir)) as Json;
  return spec.books(dump).sort((a, b) => a.key.localeCompare(b.key) || canonicalJson(a.value as never).localeCompare(canonicalJson(b.value as never)));
}

export interface BooksDiff {
  /** Target records beyond the first for an origin (a record posted twice). */
  duplicates: number;
  /** Records of the clean run the target does not hold. */
  missing: number;
  /** Records held with other amounts, lines, status or counterparty, and records the clean run never made. */
  amount_diffs: number;
  /** The first few differences, in words, for a failing assertion. */
  examples: string[];
}

/** Compares books row by row: counted, never keyed by origin alone (that would hide a duplicate). */
export function compareBooks(clean: readonly BookRow[], actual: readonly BookRow[]): BooksDiff {
  const group = (rows: readonly BookRow[]) => {
    const byKey = new Map<string, string[]>();
    for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), canonicalJson(row.value as never)]);
    return byKey;
  };
  const want = group(clean);
  const have = group(actual);
  const diff: BooksDiff = { duplicates: 0, missing: 0, amount_diffs: 0, examples: [] };
  const example = (text: string) => diff.examples.length < 5 && diff.examples.push(text);
  for (const [key, rows] of have) {
    if (rows.length > 1) {
      diff.duplicates += rows.length - 1;
      example(`${key} is held ${rows.length} times`);
    }
    const expected = want.get(key);
    if (!expected) {
      diff.amount_diffs += 1;
      example(`${key} is held but a clean run never made it: ${rows[0]}`);
    } else if (rows[0] !== expected[0]) {
      diff.amount_diffs += 1;
      example(`${key} differs: ${rows[0]} instead of ${expected[0]}`);
    }
  }
  for (const key of want.keys())
    if (!have.has(key)) {
      diff.missing += 1;
      example(`${key} is missing`);
    }
  return diff;
}

/**
 * How often the audit log says each source record reached the target ("written", or
 * "confirmed" when recovery found a write a crash left unconfirmed): one per record, or a
 * record was posted (or claimed) twice.
 */
export function auditWritesPerRecord(dataDir: string, flow: string): Map<string, number> {
  const rows =
    peekStore(dataDir, (db) => db.prepare(`SELECT entity, source_id AS sourceId FROM audit_log WHERE flow = ? AND step IN ('written', 'confirmed') AND status = 'ok'`).all(flow) as { entity: string; sourceId: string }[]) ?? [];
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.entity} ${r.sourceId}`, (counts.get(`${r.entity} ${r.sourceId}`) ?? 0) + 1);
  return counts;
}

/** A clean run of the flow on a fresh data folder: the reference books and the run's timing. */
export async function cleanReference(spec: FlowCrashSpec, opts: { latencyMs?: number; seed?: number } = {}) {
  const dir = freshDataDir(`mlc-${spec.flow}-clean-`);
  try {
    const run = startCli(syncArgs(spec.flow, opts), dir);
    const result = await run.exited;
    if (result.code !== 0) throw new Error(`the clean ${spec.flow} run failed (${result.code}): ${result.stderr}`);
    const summary = lastJson<{ durationMs: number; status: string; apiCalls?: Record<string, number> }>(result.stdout);
    return {
      /** API calls of the run, all systems: what a per-call latency multiplies. */
      calls: Object.values(summary.apiCalls ?? {}).reduce((a, b) => a + b, 0),
      books: await targetBooks(spec, dir),
      writes: auditWritesPerRecord(dir, spec.flow),
      /** Wall time of the whole child, and of the run inside it (the rest is start-up). */
      elapsedMs: result.elapsedMs,
      runMs: summary.durationMs,
      startupMs: Math.max(0, result.elapsedMs - summary.durationMs),
    };
  } finally {
    removeDataDir(dir);
  }
}

export type CleanReference = Awaited<ReturnType<typeof cleanReference>>;

/** Where to kill a child: so long after its spawn, or after its run row appeared in the store. */
export type KillAt = { afterSpawnMs: number } | { afterRunStartMs: number };

/** Runs the flow's sync and SIGKILLs the node process at `killAt` (if it is still running). */
export async function syncKilledAt(spec: FlowCrashSpec, dataDir: string, killAt: KillAt, opts: { latencyMs?: number; seed?: number; resume?: boolean } = {}): Promise<{ killed: boolean; phase: KillPhase; result: ChildResult }> {
  const runsBefore = runsOf(dataDir, spec.flow).length;
  const run = startCli(syncArgs(spec.flow, opts), dataDir);
  let timer: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let killed = false;
  const kill = () => {
    killed = run.child.kill('SIGKILL');
  };
  if ('afterSpawnMs' in killAt) timer = setTimeout(kill, killAt.afterSpawnMs);
  else
    poll = setInterval(() => {
      if (runsOf(dataDir, spec.flow).length <= runsBefore) return;
      clearInterval(poll!);
      poll = null;
      timer = setTimeout(kill, killAt.afterRunStartMs);
    }, 5);
  const result = await run.exited;
  if (timer) clearTimeout(timer);
  if (poll) clearInterval(poll);
  killed &&= result.signal === 'SIGKILL';
  return { killed, phase: killed ? phaseOfKill(dataDir, spec.flow, runsBefore, opts.resume) : 'reading/planning', result };
}

export interface SoakOptions {
  kills: number;
  /** Seeded, so a failing kill can be reproduced. */
  rng: { next(): number };
  latencyMs?: number;
  seed?: number;
  /** Runs side by side (each on its own fresh data folder). */
  parallel?: number;
  /** Every n-th kill also kills its first resume, so recovery itself is interrupted. */
  killResumeEvery?: number;
  onKill?: (line: string) => void;
}

export interface SoakResult {
  kills: number;
  resumes_failed: number;
  duplicates: number;
  missing: number;
  amount_diffs: number;
  audit_double_writes: number;
  phases: Record<KillPhase, number>;
  runs_finished_before_kill: number;
  examples: string[];
}

/**
 * SIGKILLs the flow's sync at seeded random moments, each time on a fresh data folder, resumes
 * it to the end and compares the target with the clean run's books. Kills are aimed at the
 * start-up (timed from the spawn) or anywhere in the run (timed from the run's start, scaled by
 * the clean run's duration), and every `killResumeEvery`-th resume is killed too.
 */
export async function crashSoak(spec: FlowCrashSpec, clean: CleanReference, opts: SoakOptions): Promise<SoakResult> {
  const result: SoakResult = {
    kills: 0,
    resumes_failed: 0,
    duplicates: 0,
    missing: 0,
    amount_diffs: 0,
    audit_double_writes: 0,
    phases: { 'start-up': 0, 'reading/planning': 0, writing: 0, recovering: 0 },
    runs_finished_before_kill: 0,
    examples: [],
  };
  const run = { latencyMs: opts.latencyMs ?? 0, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  let next = 0;
  const plans = Array.from({ length: opts.kills }, (_, i) => ({
    index: i,
    killAt: (i % 4 === 3 ? { afterSpawnMs: Math.round(clean.startupMs * (0.3 + opts.rng.next() * 0.7)) } : { afterRunStartMs: Math.round(clean.runMs * opts.rng.next()) }) as KillAt,
    resumeKillAt: opts.killResumeEvery && i % opts.killResumeEvery === opts.killResumeEvery - 1 ? ({ afterRunStartMs: Math.round(clean.runMs * 0.5 * opts.rng.next()) } as KillAt) : null,
  }));
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const dir = freshDataDir(`mlc-${spec.flow}-soak-`);
      try {
        const first = await syncKilledAt(spec, dir, plan.killAt, run);
        if (!first.killed) result.runs_finished_before_kill += 1;
        else {
          result.kills += 1;
          result.phases[first.phase] += 1;
        }
        if (plan.resumeKillAt) {
          const again = await syncKilledAt(spec, dir, plan.resumeKillAt, { ...run, resume: true });
          if (again.killed) {
            result.kills += 1;
            result.phases[again.phase] += 1;
          }
        }
        const resumed = await startCli(syncArgs(spec.flow, run), dir).exited;
        const status = resumed.code === 0 ? lastJson<{ status: string }>(resumed.stdout).status : `exit ${resumed.code}`;
        if (status !== 'succeeded') {
          result.resumes_failed += 1;
          result.examples.push(`kill ${plan.index}: the resume ended ${status}: ${resumed.stderr.slice(-300)}`);
        }
        const diff = compareBooks(clean.books, await targetBooks(spec, dir));
        result.duplicates += diff.duplicates;
        result.missing += diff.missing;
        result.amount_diffs += diff.amount_diffs;
        for (const e of diff.examples) if (result.examples.length < 10) result.examples.push(`kill ${plan.index} (${JSON.stringify(plan.killAt)}, ${first.phase}): ${e}`);
        const writes = auditWritesPerRecord(dir, spec.flow);
        for (const [record, n] of writes)
          if (n > 1) {
            result.audit_double_writes += n - 1;
            if (result.examples.length < 10) result.examples.push(`kill ${plan.index}: the audit log says ${record} reached the target ${n} times`);
          }
        opts.onKill?.(`kill ${plan.index}: ${first.killed ? first.phase : 'finished first'} ${JSON.stringify(plan.killAt)} → ${status}, ${diff.duplicates} dup, ${diff.missing} missing, ${diff.amount_diffs} diff`);
      } finally {
        removeDataDir(dir);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 1) }, worker));
  return result;
}
