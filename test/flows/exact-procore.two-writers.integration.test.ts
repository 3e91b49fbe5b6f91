import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { runExactProcore } from '../../src-main/engine/flows/exact-procore/flow';
import { openF1Runtime, startF1Sandbox } from '../support/f1-runtime';
import { openStore } from '../../src-main/store';
import { cleanReference, compareBooks } from '../support/crash-harness';
import { CRASH_SPECS } from '../support/flow-crash-specs';

/**
 * The lease keeps one writer per data folder; two data folders (two workstations) syncing the
 * same Exact division into the same Procore company do not see each other's lease. Procore
 * still ends with one record per document: every write is a sync action matched by origin_id
 * on Procore's side (fact sheet §2.5), so the second writer updates what the first created —
 * a lookup before create that costs no extra call (bench/exact-procore stays at 1.00×).
 */
const dirs: string[] = [];
const dir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('two data folders sync the same tenants at the same time', () => {
  it('Procore ends with the books of one clean run: no document twice, amounts to the cent', async () => {
    const spec = CRASH_SPECS['exact-procore'];
    const clean = await cleanReference(spec);
    const sandbox = await startF1Sandbox(dir('mlc-shared-tenants-'), { seed: 1, scale: 1, latencyMs: 10 });
    const workstations = await Promise.all(
      ['mlc-workstation-a-', 'mlc-workstation-b-'].map(async (prefix) => {
        const dataDir = dir(prefix);
        const store = openStore(dataDir);
        const rt = await openF1Runtime({ store, dataDir, log: silentLogger, sandbox: { seed: 1, scale: 1 }, runningSandbox: sandbox });
        return { store, rt };
      }),
    );
    try {
      const summaries = await Promise.all(workstations.map(({ rt }) => runExactProcore(rt.deps, 'cli')));
      expect(summaries.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
      const state = (await (await fetch(`${sandbox.systems.procore!.baseUrl}/_sandbox/state`)).json()) as Record<string, unknown>;
      const diff = compareBooks(clean.books, spec.books(state));
      expect(diff, diff.examples.join('\n')).toMatchObject({ duplicates: 0, missing: 0, amount_diffs: 0 });
    } finally {
      for (const { store, rt } of workstations) {
        await rt.close();
        store.close();
      }
      await sandbox.close();
    }
  }, 120_000);
});
