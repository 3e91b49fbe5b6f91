import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourcePage } from '../../connectors/connector';
import { openStore, type Store } from '../../store';
import { recoverUnconfirmed } from './recover';
import { runStream, WRITE_BATCH_RECORDS, type StreamRunContext } from './run-stream';
import { emptyCounts, RunInterruptedError, type PlannedTargetWrite, type StreamSpec, type TargetWriter, type WriteOutcome } from './types';

/**
 * How the runner batches and confirms: records of several source pages are written together,
 * one container (target project) at a time, each confirmed before the next is sent.
 */
const FLOW = 'test-flow';
interface SourceRecord {
  sourceId: string;
  project: string;
  amount: string;
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-run-stream-'));
  store = openStore(dir);
  store.runs.start('run-1', FLOW, 'manual');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function spec(pages: SourceRecord[][]): StreamSpec<SourceRecord, PlannedTargetWrite> {
  return {
    name: 'records',
    entity: 'record',
    async *read(): AsyncGenerator<SourcePage<SourceRecord>> {
      for (const [i, records] of pages.entries()) yield { records, deletions: [], cursorAfter: `page-${i + 1}` };
    },
    plan: (r) => ({
      ok: true,
      writes: [{ entity: 'commitment', originId: `o-${r.sourceId}`, sourceId: r.sourceId, containerId: r.project, total: r.amount, currency: 'EUR' }],
    }),
    label: (r) => `Record ${r.sourceId}`,
  };
}

function context(writer: TargetWriter<PlannedTargetWrite>, progress: number[] = []): StreamRunContext<PlannedTargetWrite> {
  const counts = emptyCounts();
  return { store, flow: FLOW, runId: 'run-1', cursorOwner: 'source', writer, mappingVersion: null, mappingVersions: null, counts, onProgress: (c) => progress.push(c.created) };
}

const records = (n: number, projects: string[], from = 0): SourceRecord[] =>
  Array.from({ length: n }, (_, i) => ({ sourceId: `r${from + i}`, project: projects[(from + i) % projects.length]!, amount: '1.00' }));

const ok = (plans: readonly PlannedTargetWrite[]): WriteOutcome[] => plans.map((p) => ({ originId: p.originId, ok: true, targetId: `t-${p.originId}` }));

describe('runStream', () => {
  it('gathers records of many source pages and writes each container once per batch, reporting progress per container', async () => {
    const calls: { container: string; size: number }[] = [];
    const writer: TargetWriter<PlannedTargetWrite> = {
      system: 'target',
      write: async (plans) => {
        expect(new Set(plans.map((p) => p.containerId)).size).toBe(1);
        calls.push({ container: plans[0]!.containerId, size: plans.length });
        return ok(plans);
      },
      lookup: () => Promise.reject(new Error('no lookups in a clean run')),
    };
    const progress: number[] = [];
    // Ten source pages of 60 records (Exact's page size) in two projects: one batch.
    const pages = Array.from({ length: 10 }, (_, i) => records(60, ['p1', 'p2'], i * 60));
    await runStream(spec(pages), context(writer, progress));
    expect(calls).toEqual([
      { container: 'p1', size: 300 },
      { container: 'p2', size: 300 },
    ]);
    expect(progress).toEqual([300, 600, 600]);
    expect(store.cursors.get(FLOW, 'records', 'source')?.value).toBe('page-10');
  });

  it('flushes a batch once it holds WRITE_BATCH_RECORDS records, moving the cursor to that page', async () => {
    const sizes: number[] = [];
    const cursorsAtWrite: (string | undefined)[] = [];
    const writer: TargetWriter<PlannedTargetWrite> = {
      system: 'target',
      write: async (plans) => {
        sizes.push(plans.length);
        cursorsAtWrite.push(store.cursors.get(FLOW, 'records', 'source')?.value);
        return ok(plans);
      },
      lookup: () => Promise.reject(new Error('no lookups in a clean run')),
    };
    const half = WRITE_BATCH_RECORDS / 2;
    await runStream(spec([records(half, ['p1']), records(half, ['p1'], half), records(10, ['p1'], 2 * half)]), context(writer));
    expect(sizes).toEqual([WRITE_BATCH_RECORDS, 10]);
    expect(cursorsAtWrite).toEqual([undefined, 'page-2']);
  });

  it('after a container whose write fails, earlier containers stay confirmed and later ones are retired unsent by recovery', async () => {
    const writer: TargetWriter<PlannedTargetWrite> = {
      system: 'target',
      write: async (plans) => {
        if (plans[0]!.containerId === 'p2') throw new Error('connection reset');
        return ok(plans);
      },
      lookup: () => Promise.reject(new Error('unused')),
    };
    const ctx = context(writer);
    await expect(runStream(spec([records(6, ['p1', 'p2', 'p3'])]), ctx)).rejects.toThrow(RunInterruptedError);
    expect(store.cursors.get(FLOW, 'records', 'source')).toBeUndefined();
    const byContainer = (status: string) =>
      store.outbox
        .listUnconfirmed(FLOW)
        .filter((i) => i.status === status)
        .map((i) => (i.payload as unknown as PlannedTargetWrite).containerId);
    expect(store.targetRecords.get(FLOW, 'commitment', 'o-r0')?.targetId).toBe('t-o-r0');
    expect(store.targetRecords.get(FLOW, 'commitment', 'o-r3')?.targetId).toBe('t-o-r3');
    expect(byContainer('unknown')).toEqual(['p2', 'p2']);
    expect(byContainer('pending')).toEqual(['p3', 'p3']);

    // Recovery looks up only what was sent (p2); p3 was never sent, so it costs no lookup.
    const lookups: string[] = [];
    const recovering = context({ system: 'target', write: () => Promise.reject(new Error('recovery must not write')), lookup: async (_entity, container) => (lookups.push(container), new Map()) });
    expect(await recoverUnconfirmed(recovering)).toBe(0);
    expect(lookups).toEqual(['p2']);
    expect(store.outbox.listUnconfirmed(FLOW)).toEqual([]);
    expect(store.audit.verifyAuditChain().ok).toBe(true);
  });
});
