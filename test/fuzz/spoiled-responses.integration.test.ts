import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { findFlow } from '../../src-main/engine/flows/registry';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import type { RunSummary } from '../../src-main/engine/sync/flow-run';
import { openFlowHost } from '../../src-main/host/flow-host';
import { startSandboxFor } from '../../src-main/host/systems';
import { openStore } from '../../src-main/store';
import { compareBooks, type BookRow } from '../support/crash-harness';
import { CRASH_SPECS } from '../support/flow-crash-specs';
import { rawLeaks } from './arbitraries/hostile';
import { E2E_FUZZ_SPECS } from './flow-fuzz-specs';

/**
 * Issue 18, level (b): the real flow against the real simulators on loopback while the source
 * spoils its answers — truncated JSON/XML, HTML error pages with 200, the wrong content type,
 * empty bodies, every record twice in a page, a "next page" that repeats the page, a 200
 * carrying the system's error envelope, answers over the kit's 32 MiB limit (sandbox faults,
 * src-main/sandbox/_common/faults.ts). Each run must end — succeeded, or failed with a plain
 * message — with no unhandled rejection; once the faults clear, a rerun must bring the target's
 * books to exactly a clean run's books (so no cursor moved past a record that was not handled).
 */

const SANDBOX = { seed: 1, scale: 1 };
const SPOILED = ['truncate', 'html', 'ctype', 'empty', 'dupes', 'repeat', 'envelope', 'oversize'] as const;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** The flow of the registry on a fresh sandbox data folder, in this process. */
async function openOnSandbox(plugin: AnyFlowPlugin) {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-fuzz-'));
  const store = openStore(dir);
  const sandbox = await startSandboxFor([plugin], dir, SANDBOX);
  const host = await openFlowHost({ store, dataDir: dir, log: silentLogger, credentials: new InMemoryCredentialStore(), only: [plugin.id], sandbox: SANDBOX, runningSandbox: sandbox });
  const flow = host.flows.get(plugin.id);
  if (!flow) throw new Error(host.unavailable.get(plugin.id)?.reason ?? `${plugin.id} did not open`);
  const sims = Object.values(sandbox.systems);
  return {
    store,
    run: (): Promise<RunSummary> => flow.runtime.run({ trigger: 'manual' }),
    async setFaults(spec: string | null): Promise<void> {
      for (const sim of sims) await fetch(`${sim!.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(spec === null ? { clear: true } : { clear: true, spec }) });
    },
    async books(): Promise<BookRow[]> {
      const spec = CRASH_SPECS[plugin.id as keyof typeof CRASH_SPECS];
      const sim = Object.entries(sandbox.systems).find(([name]) => name === spec.target)![1]!;
      return spec.books((await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Record<string, unknown>);
    },
    async close(): Promise<void> {
      await host.close();
      await sandbox.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(E2E_FUZZ_SPECS.map((s) => [s.flow, s] as const))('%s against spoiled answers', (flowId, spec) => {
  const plugin = findFlow(flowId)! as AnyFlowPlugin;
  let clean: BookRow[];

  beforeAll(async () => {
    const f = await openOnSandbox(plugin);
    try {
      expect((await f.run()).status).toBe('succeeded');
      clean = await f.books();
    } finally {
      await f.close();
    }
  });

  it.each(Object.entries(spec.faulted))('%s spoils its answers: every run ends in plain words, and the books end as a clean run leaves them', async (system, rate) => {
    const f = await openOnSandbox(plugin);
    try {
      const statuses: string[] = [];
      // Every kind at once, at rates that let some calls through: several runs, each ending.
      await f.setFaults(SPOILED.map((k) => `${system}:${k}=${rate}`).join(','));
      for (let i = 0; i < 3; i += 1) {
        const summary = await f.run();
        statuses.push(summary.status);
        expect(['succeeded', 'partial', 'failed']).toContain(summary.status);
        if (summary.error) expect(rawLeaks(summary.error), summary.error).toEqual([]);
      }
      await f.setFaults(null);
      let last = await f.run();
      if (last.status !== 'succeeded') last = await f.run();
      expect(last.status, last.error ?? '').toBe('succeeded');
      const diff = compareBooks(clean, await f.books());
      expect(diff, diff.examples.join('\n')).toEqual({ duplicates: 0, missing: 0, amount_diffs: 0, examples: [] });
      expect(unhandled).toEqual([]);
    } finally {
      await f.close();
    }
    // A spoiled answer is retried with the kit's backoff (1 s, 2 s, 4 s…): a run that meets several
    // in a row takes tens of seconds, rarely, and is still a run that ends.
  }, 120_000);
});
