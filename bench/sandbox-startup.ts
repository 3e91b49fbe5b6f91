/**
 * How long the embedded sandbox takes to start: all six simulators at scale 1 on a fresh data
 * folder (cold: world generated and projected into six SQLite files) and again on the folder
 * it left behind (warm: records loaded from SQLite, nothing seeded). Target: cold < 2000 ms.
 *
 *   npm run bench -- sandbox-startup [--scale S] [--seed N]
 *
 * Each phase runs in a fresh Node process (this file with --phase), so the warm start pays for
 * everything a restarted app pays for and nothing is left over from the cold one. Prints one
 * JSON object: {cold_ms, warm_ms, peak_rss_mb, systems, scale, seed, …}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SYSTEM_NAMES, startSandbox } from '../src-main/sandbox';

interface PhaseResult {
  start_ms: number;
  close_ms: number;
  peak_rss_mb: number;
  systems: string[];
}

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    phase: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const scale = Number(values.scale);
const seed = Number(values.seed);
if (!(scale > 0) || !Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write(
    `sandbox-startup: --scale must be > 0 and --seed a whole number, got ${values.scale} / ${values.seed}\n`,
  );
  process.exit(2);
}

/** One start + close of all six simulators, in this process. */
async function runPhase(dataDir: string): Promise<PhaseResult> {
  const started = performance.now();
  const sandbox = await startSandbox({ dataDir, scale, seed });
  const startMs = performance.now() - started;
  const closing = performance.now();
  await sandbox.close();
  return {
    start_ms: round(startMs),
    close_ms: round(performance.now() - closing),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    systems: Object.keys(sandbox.systems),
  };
}

/** Runs one phase in a child process and returns what it printed. */
function runChild(phase: 'cold' | 'warm', dataDir: string): Promise<PhaseResult> {
  const runner = fileURLToPath(new URL('./run.mjs', import.meta.url));
  const args = [
    runner,
    'sandbox-startup',
    '--phase',
    phase,
    '--data-dir',
    dataDir,
    '--scale',
    String(scale),
    '--seed',
    String(seed),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`sandbox-startup ${phase} phase exited with ${code}`));
      else resolve(JSON.parse(stdout) as PhaseResult);
    });
  });
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

if (values.phase) {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--phase needs --data-dir');
  process.stdout.write(`${JSON.stringify(await runPhase(dataDir))}\n`);
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-bench-sandbox-'));
  try {
    const cold = await runChild('cold', dataDir);
    const warm = await runChild('warm', dataDir);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'sandbox-startup',
        cold_ms: cold.start_ms,
        warm_ms: warm.start_ms,
        peak_rss_mb: Math.max(cold.peak_rss_mb, warm.peak_rss_mb),
        systems: cold.systems,
        scale,
        seed,
        target_cold_ms: 2000,
        cold_under_target: cold.start_ms < 2000,
        close_ms: { cold: cold.close_ms, warm: warm.close_ms },
        all_systems: cold.systems.length === SYSTEM_NAMES.length,
        node: process.version,
      })}\n`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
