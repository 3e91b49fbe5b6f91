import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import type { RunSummary } from '../../src-main/engine/sync/flow-run';
import { openFlowHost } from '../../src-main/host/flow-host';
import { startSandboxFor } from '../../src-main/host/systems';
import type { RunningSimulator } from '../../src-main/sandbox';
import { openStore, type Store } from '../../src-main/store';
import { compareBooks, type BookRow } from '../support/crash-harness';
import { CRASH_SPECS } from '../support/flow-crash-specs';

export const FUZZ_SANDBOX = { seed: 1, scale: 1 };

export interface SandboxFlow {
  store: Store;
  dataDir: string;
  run(): Promise<RunSummary>;
  /** Replaces every simulator's faults with `spec` (null: none). */
  setFaults(spec: string | null): Promise<void>;
  /** One of the flow's simulators, in this process (its store, clock and credentials). */
  simulator(system: string): RunningSimulator;
  /** Counters and recent requests of one simulator (GET /_sandbox/requests). */
  requests(system: string): Promise<{ total: number; byMethod: Record<string, number>; recent: { method: string; fault: string; path: string }[] }>;
  /** The target's records the flow owns, one row per record (test/support/flow-crash-specs.ts). */
  books(): Promise<BookRow[]>;
  close(): Promise<void>;
}

/** The flow of the registry on a fresh sandbox data folder, in this process (the app's own host). */
export async function openOnSandbox(plugin: AnyFlowPlugin): Promise<SandboxFlow> {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-fuzz-'));
  const store = openStore(dir);
  const sandbox = await startSandboxFor([plugin], dir, FUZZ_SANDBOX);
  const host = await openFlowHost({ store, dataDir: dir, log: silentLogger, credentials: new InMemoryCredentialStore(), only: [plugin.id], sandbox: FUZZ_SANDBOX, runningSandbox: sandbox });
  const flow = host.flows.get(plugin.id);
  if (!flow) throw new Error(host.unavailable.get(plugin.id)?.reason ?? `${plugin.id} did not open`);
  const sims = Object.values(sandbox.systems);
  const sim = (system: string) => {
    const found = Object.entries(sandbox.systems).find(([name]) => name === system)?.[1];
    if (!found) throw new Error(`${plugin.id} runs no ${system} simulator`);
    return found;
  };
  return {
    store,
    dataDir: dir,
    run: (): Promise<RunSummary> => flow.runtime.run({ trigger: 'manual' }),
    simulator: sim,
    async setFaults(spec: string | null): Promise<void> {
      for (const s of sims) await fetch(`${s!.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { clear: true, spec }) });
    },
    async requests(system: string) {
      return (await (await fetch(`${sim(system).baseUrl}/_sandbox/requests`)).json()) as Awaited<ReturnType<SandboxFlow['requests']>>;
    },
    async books(): Promise<BookRow[]> {
      const spec = CRASH_SPECS[plugin.id as keyof typeof CRASH_SPECS];
      return spec.books((await (await fetch(`${sim(spec.target).baseUrl}/_sandbox/state`)).json()) as Record<string, unknown>);
    },
    async close(): Promise<void> {
      await host.close();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The target's books after one run of the flow on a fresh sandbox (the run must succeed), the sandbox closed. */
export async function cleanRunBooks(plugin: AnyFlowPlugin): Promise<BookRow[]> {
  const f = await openOnSandbox(plugin);
  try {
    expect((await f.run()).status).toBe('succeeded');
    return await f.books();
  } finally {
    await f.close();
  }
}

/** Runs the flow until a run succeeds, `maxRuns` at the most; the last must have succeeded. Returns every run's summary. */
export async function runUntilSucceeded(f: SandboxFlow, maxRuns: number): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  do runs.push(await f.run());
  while (runs.at(-1)!.status !== 'succeeded' && runs.length < maxRuns);
  expect(runs.at(-1)!.status, runs.map((r) => r.error).join('\n')).toBe('succeeded');
  return runs;
}

/** `actual` holds `expected`'s records, record by record: none twice, none missing, no amount changed. */
export function expectSameBooks(expected: readonly BookRow[], actual: readonly BookRow[]): void {
  const diff = compareBooks(expected, actual);
  expect(diff, diff.examples.join('\n')).toEqual({ duplicates: 0, missing: 0, amount_diffs: 0, examples: [] });
}
