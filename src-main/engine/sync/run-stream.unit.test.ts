import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourcePage } from '../../connectors/connector';
import { openStore, type Store } from '../../store';
import { recoverUnconfirmed } from './recover';
import { runStream, WRITE_BATCH_RECORDS, type StreamRunContext } from './run-stream';
import { FLAGGED_REASON_PREFIX, isFlaggedReason, type ValidationIssue } from '../../../src-shared/domain/validation';
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

describe('flags: written anyway, listed as "created, needs review"', () => {
  const unmappedGl: ValidationIssue = { code: 'unmapped-gl-account', message: 'GL account 4990 is not among the reference values', mappingKeys: ['gl:4990'] };
  /** One record per page; the plan carries `flags` while `mapped` says the GL account is not mapped. */
  function flaggingSpec(pages: SourceRecord[][], mapped: () => boolean): StreamSpec<SourceRecord, PlannedTargetWrite> {
    const base = spec(pages);
    return {
      ...base,
      plan: (r) => ({
        ok: true,
        // The GL column holds the raw code until it is mapped, so the write changes once mapped.
        writes: [{ entity: 'item', originId: `o-${r.sourceId}`, sourceId: r.sourceId, containerId: r.project, total: r.amount, currency: 'EUR', gl: mapped() ? '4990 Sundry' : '4990' } as PlannedTargetWrite],
        ...(mapped() ? {} : { flags: [unmappedGl] }),
      }),
    };
  }
  const writer = (sent: PlannedTargetWrite[]): TargetWriter<PlannedTargetWrite> => ({
    system: 'target',
    write: async (plans) => (sent.push(...plans), ok(plans)),
    lookup: () => Promise.reject(new Error('no lookups')),
  });

  it('a flagged record is created, counted created and flagged, and waits with the flag reason and its mapping keys', async () => {
    const sent: PlannedTargetWrite[] = [];
    const ctx = context(writer(sent));
    await runStream(flaggingSpec([[{ sourceId: 'r1', project: 'p1', amount: '10.00' }, { sourceId: 'r2', project: 'p1', amount: '5.00' }]], () => false), ctx);
    expect(sent).toHaveLength(2);
    expect(ctx.counts).toMatchObject({ created: 2, flagged: 2, parked: 0 });
    const open = store.parked.listOpen(FLOW);
    expect(open.map((p) => p.reasonCode)).toEqual([`${FLAGGED_REASON_PREFIX}unmapped-gl-account`, `${FLAGGED_REASON_PREFIX}unmapped-gl-account`]);
    expect(open.every((p) => isFlaggedReason(p.reasonCode) && p.reasonText === unmappedGl.message)).toBe(true);
    expect(open[0]!.details).toMatchObject({ mappingKeys: ['gl:4990'], flagged: true });
    expect(open[0]!.snapshotId).not.toBeNull();
    const written = store.audit.query({ flow: FLOW, step: 'written' }, { limit: 10 }).entries;
    expect(written).toHaveLength(2);
    expect(written[0]!.message).toContain('; needs review: GL account 4990 is not among the reference values');
    expect(written[0]!.result).toMatchObject({ flags: [unmappedGl] });
  });

  it('read again unchanged, a flagged record writes nothing and stays listed; once the mapping is fixed its update resolves it', async () => {
    let mapped = false;
    const page = [[{ sourceId: 'r1', project: 'p1', amount: '10.00' }]];
    const sent: PlannedTargetWrite[] = [];
    await runStream(flaggingSpec(page, () => mapped), context(writer(sent)));
    store.cursors.set(FLOW, 'records', 'source', '');

    const again = context(writer(sent));
    await runStream(flaggingSpec(page, () => mapped), again);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 1, flagged: 0 });
    expect(sent).toHaveLength(1);
    expect(store.parked.listOpen(FLOW)).toHaveLength(1);

    mapped = true;
    const fixed = context(writer(sent));
    await runStream(flaggingSpec(page, () => mapped), fixed);
    expect(fixed.counts).toMatchObject({ updated: 1, flagged: 0 });
    expect(sent.at(-1)).toMatchObject({ gl: '4990 Sundry' });
    expect(store.parked.listOpen(FLOW)).toEqual([]);
    expect(store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('a record that is parked later (the plan fails) replaces its flag with the parking reason', async () => {
    let fail = false;
    const page = [[{ sourceId: 'r1', project: 'p1', amount: '10.00' }]];
    const flagging = flaggingSpec(page, () => false);
    const failing: StreamSpec<SourceRecord, PlannedTargetWrite> = { ...flagging, plan: (r, prev) => (fail ? { ok: false, issues: [{ code: 'no-lines', message: 'Record r1 has no lines', mappingKeys: [] }] } : flagging.plan(r, prev)) };
    await runStream(failing, context(writer([])));
    fail = true;
    store.cursors.set(FLOW, 'records', 'source', '');
    await runStream(failing, context(writer([])));
    expect(store.parked.listOpen(FLOW).map((p) => p.reasonCode)).toEqual(['no-lines']);
  });
});
