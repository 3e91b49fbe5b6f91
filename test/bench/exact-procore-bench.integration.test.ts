import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface RecordCounts { read: number; created: number; parked: number; failed: number }
interface BenchFigures {
  bench: string;
  source_lines: number;
  records: RecordCounts;
  api_calls: { exact: number; procore: number };
  calls_vs_minimal: { total: number };
  seconds_the_target_allows: number;
  engine_alone: { seed: number; records: RecordCounts; wall_seconds: number; main_thread_busy_seconds: number; lines_per_s: number; lines_per_s_if_the_simulators_took_no_time: number };
  http_round_trips_only: { calls: number; seconds: number };
}

/**
 * The README quotes `bench/exact-procore`'s figures and decision 0015 its lower bounds: the
 * bench must keep running (its child-process sandbox included) and its figures must agree
 * with each other. Scale 1 keeps this to a few seconds; the figures themselves are not judged.
 */
describe('bench/exact-procore', () => {
  it('runs at scale 1 and prints one JSON object whose figures agree', () => {
    const run = spawnSync(process.execPath, ['bench/run.mjs', 'exact-procore', '--scale', '1', '--latency-scale', '1', '--seed', '7'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0]!) as BenchFigures;

    expect(figures.bench).toBe('exact-procore');
    expect(figures.calls_vs_minimal.total).toBeLessThanOrEqual(1.05);
    expect(figures.records.failed).toBe(0);
    expect(figures.records.created + figures.records.parked).toBe(figures.records.read);
    expect(figures.seconds_the_target_allows).toBeCloseTo(figures.source_lines / 10_000, 2);

    // The engine-alone sync reached the simulators in the child process and wrote its world.
    const alone = figures.engine_alone;
    expect(alone.seed).toBe(9);
    expect(alone.records.failed).toBe(0);
    expect(alone.records.created).toBeGreaterThan(0);
    expect(alone.records.created + alone.records.parked).toBe(alone.records.read);
    expect(alone.main_thread_busy_seconds).toBeGreaterThan(0);
    expect(alone.main_thread_busy_seconds).toBeLessThanOrEqual(alone.wall_seconds + 0.01);
    expect(alone.lines_per_s_if_the_simulators_took_no_time).toBeGreaterThanOrEqual(alone.lines_per_s);

    // The bare round trips are as many as the zero-latency run's calls.
    expect(figures.http_round_trips_only.calls).toBe(figures.api_calls.exact + figures.api_calls.procore);
    expect(figures.http_round_trips_only.seconds).toBeGreaterThan(0);
  }, 180_000);
});
