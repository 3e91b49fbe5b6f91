import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditFilter } from '../../src-shared/domain/audit';
import { openStore, type Store } from '../../src-main/store/db';
import { makeTempDir } from './temp-store';

/**
 * 200,000 audit entries in a real SQLite file: the audit screen's filtered first page must be
 * served by an index (EXPLAIN QUERY PLAN), never by a full scan of audit_log.
 */
const ROWS = 200_000;
const FLOWS = ['F1', 'F2', 'F3', 'F4', 'F5'];
const ENTITIES = ['purchase-order', 'purchase-invoice', 'commitment', 'vendor'];
const START = Date.parse('2026-01-01T00:00:00.000Z');

let dataDir: string;
let store: Store;

function entryFor(i: number): AuditEntryInput {
  const failed = i % 97 === 0;
  return {
    flow: FLOWS[i % FLOWS.length]!,
    runId: `run-${Math.floor(i / 1000)}`,
    entity: ENTITIES[i % ENTITIES.length]!,
    sourceId: `SRC-${i}`,
    step: failed ? 'failed' : 'written',
    status: failed ? 'failed' : 'ok',
    mappingVersion: 1,
    targetSystem: 'procore',
    targetId: failed ? null : `T-${i}`,
    amount: `${i}.25`,
    currency: 'EUR',
    sourceSnapshot: null,
    targetPayload: null,
    result: null,
    message: failed ? `Cost code for GL ${i % 50} is not mapped` : 'Written',
  };
}

beforeAll(() => {
  dataDir = makeTempDir();
  let tick = START;
  // One entry per second: 200,000 entries span about 2.3 days.
  store = openStore(dataDir, { now: () => new Date((tick += 1000)) });
  const batch: AuditEntryInput[] = [];
  for (let i = 1; i <= ROWS; i += 1) {
    batch.push(entryFor(i));
    if (batch.length === 10_000) store.audit.appendMany(batch.splice(0));
  }
  store.audit.appendMany(batch.splice(0));
  store.db.pragma('optimize');
}, 120_000);

afterAll(() => {
  store?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function expectIndexedPlan(filter: AuditFilter, index: string) {
  const plan = store.audit.queryPlan(filter, { limit: 50 });
  expect(plan.join(' | ')).toContain(`USING INDEX ${index}`);
  expect(
    plan.some((step) => /^SCAN audit_log\b/.test(step)),
    plan.join(' | '),
  ).toBe(false);
  expect(
    plan.some((step) => step.includes('TEMP B-TREE')),
    plan.join(' | '),
  ).toBe(false);
}

describe(`audit log with ${ROWS.toLocaleString('en')} entries`, () => {
  it('serves "flow + status, newest first" from the flow/status index with the right rows', () => {
    const filter: AuditFilter = { flow: 'F3', status: 'failed' };
    expectIndexedPlan(filter, 'audit_log_by_flow_status');
    const page = store.audit.query(filter, { limit: 50 });
    const expected: number[] = [];
    for (let i = ROWS; i >= 1 && expected.length < 50; i -= 1)
      if (i % 5 === 2 && i % 97 === 0) expected.push(i);
    expect(page.entries.map((e) => e.seq)).toEqual(expected);
    expect(page.hasMore).toBe(true);
    // Next page continues exactly after the last seq.
    const next = store.audit.query(filter, { beforeSeq: expected.at(-1)!, limit: 1 });
    expect(next.entries[0]!.seq).toBeLessThan(expected.at(-1)!);
    expect(next.entries[0]!.seq % 97).toBe(0);
  });

  it('serves single-column filters from their own indexes', () => {
    expectIndexedPlan({ flow: 'F1' }, 'audit_log_by_flow');
    expectIndexedPlan({ entity: 'vendor' }, 'audit_log_by_entity');
    expectIndexedPlan({ status: 'failed' }, 'audit_log_by_status');
    expectIndexedPlan({ runId: 'run-7' }, 'audit_log_by_run');
    expect(store.audit.query({ entity: 'vendor' }, { limit: 3 }).entries.map((e) => e.seq)).toEqual([
      199_999, 199_995, 199_991,
    ]);
  });

  it('turns a date range into a seq range on the primary key, with correct counts', () => {
    // Entry i is at START + i seconds; one hour = 3,600 entries.
    const filter: AuditFilter = { from: '2026-01-02T00:00:00Z', to: '2026-01-02T01:00:00Z' };
    const plan = store.audit.queryPlan(filter, { limit: 50 });
    expect(plan.join(' | ')).toMatch(/SEARCH audit_log USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(store.audit.count(filter)).toBe(3600);
    const page = store.audit.query({ ...filter, flow: 'F2' }, { limit: 2 });
    expect(page.entries.map((e) => e.seq)).toEqual([89_996, 89_991]);
    expect(
      page.entries.every((e) => e.at >= '2026-01-02T00:00:00.000Z' && e.at < '2026-01-02T01:00:00.000Z'),
    ).toBe(true);
  });

  it('counts filtered rows exactly', () => {
    expect(store.audit.count({})).toBe(ROWS);
    expect(store.audit.count({ status: 'failed' })).toBe(Math.floor(ROWS / 97));
    expect(store.audit.count({ flow: 'F3', text: 'not mapped' })).toBe(
      Array.from({ length: ROWS }, (_, k) => k + 1).filter((i) => i % 5 === 2 && i % 97 === 0).length,
    );
  });

  it('verifies the whole chain', () => {
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: ROWS });
  });

  it('answers a rare text term from the trigram index once it has caught up, with the same rows as LIKE', () => {
    const rare: AuditFilter = { text: 'SRC-12345' }; // also SRC-123450..123459: 11 entries
    const withFlow: AuditFilter = { text: 'GL 7 is', flow: 'F3' };
    const before = [rare, withFlow].map((f) => [...store.audit.iterate(f)].map((e) => e.seq));
    expect(before[0]).toHaveLength(11);
    // Nothing indexed yet: LIKE over the whole log.
    expect(store.audit.queryPlan(rare, { limit: 50 })).toEqual(['SCAN audit_log']);

    while (store.audit.indexTextBatch(5_000) > 0);
    expect(store.audit.textIndexProgress()).toEqual({ indexedThrough: ROWS, behind: 0 });
    const after = [rare, withFlow].map((f) => [...store.audit.iterate(f)].map((e) => e.seq));
    expect(after).toEqual(before);
    const plan = store.audit.queryPlan(rare, { limit: 50 }).join(' | ');
    expect(plan).toMatch(/SCAN audit_search VIRTUAL TABLE/);
    // …then LIKE only over entries after the indexed range (none here).
    expect(plan).toMatch(/VIRTUAL TABLE[^|]*\| SEARCH audit_log USING INTEGER PRIMARY KEY \(rowid=\?\) \| SEARCH audit_log USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
    expect(store.audit.query(rare, { limit: 50 }).entries.map((e) => e.sourceId)).toEqual([
      ...Array.from({ length: 10 }, (_, k) => `SRC-${123459 - k}`),
      'SRC-12345',
    ]);
  });
});
