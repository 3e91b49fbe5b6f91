import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../../src-shared/domain/audit';
import type { RecordLabel, TargetLabel } from '../../../src-shared/domain/labels';
import { openTempStore } from '../../../test/store/temp-store';
import { canonicalJson, sha256Hex } from '../canonical-json';
import type { Store } from '../db';
import { SecretInStoreError } from '../secret-guard';
import { GENESIS_HASH, InvalidAuditEntryError, computeAuditHash } from './audit';

let temp: ReturnType<typeof openTempStore>;
let store: Store;
beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
});
afterEach(() => temp.cleanup());

function entry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    flow: 'F1',
    runId: 'run-1',
    entity: 'purchase-order',
    sourceId: 'PO-1',
    step: 'written',
    status: 'ok',
    mappingVersion: 2,
    targetSystem: 'procore',
    targetId: '5501',
    amount: '-12.50',
    currency: 'EUR',
    sourceSnapshot: { id: 'PO-1', amount: -12.5 },
    targetPayload: { origin_id: 'PO-1' },
    result: { id: 5501 },
    message: 'Commitment created',
    ...overrides,
  };
}

const LABEL: RecordLabel = {
  documentType: 'Purchase order',
  shortType: 'PO',
  number: '20011',
  counterparty: 'Bouwmaterialen Groothandel Koster B.V.',
  counterpartyCode: '40030',
  project: 'P26-001 Kantoorpand Zuidas',
  date: '2026-06-12',
  amount: '39854.50',
  currency: 'EUR',
};
const TARGET_LABEL: TargetLabel = {
  system: 'Procore',
  documentType: 'Commitment',
  number: '20011',
  id: '562949953421312',
  counterparty: 'Bouwmaterialen Groothandel Koster B.V.',
  project: 'Kantoorpand Zuidas',
  amount: '39854.50',
  currency: 'EUR',
};

/** Rewrites rows behind the repo's back, as someone with a SQLite editor could. */
function tamper(sql: string, ...params: unknown[]) {
  store.db.exec('DROP TRIGGER IF EXISTS audit_log_append_only_update; DROP TRIGGER IF EXISTS audit_log_append_only_delete;');
  store.db.prepare(sql).run(...params);
}

describe('auditRepo.append', () => {
  it('chains entries: seq 1, 2, …, prevHash = previous hash, hash = sha256(prevHash + canonical JSON)', () => {
    const first = store.audit.append(entry());
    temp.clock.advance(1000);
    const second = store.audit.append(entry({ sourceId: 'PO-2', sourceSnapshot: null }));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, at: '2026-03-01T08:00:00.000Z' });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, at: '2026-03-01T08:00:01.000Z' });

    // Without labels an entry hashes exactly as before migration 0007: no label members at all.
    const { hash, prevHash, label, targetLabel, ...fields } = first;
    expect([label, targetLabel]).toEqual([null, null]);
    expect(hash).toBe(sha256Hex(prevHash + canonicalJson(fields)));
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: 2 });
    expect(store.audit.head()).toEqual({ seq: 2, hash: second.hash });
  });

  it('puts the record labels inside the hash when given (decision 0022)', () => {
    const labelled = store.audit.append(entry({ label: LABEL, targetLabel: TARGET_LABEL }));
    expect(labelled.label).toEqual(LABEL);
    expect(labelled.targetLabel).toEqual(TARGET_LABEL);
    const { hash, prevHash, ...fields } = labelled;
    expect(hash).toBe(sha256Hex(prevHash + canonicalJson(fields)));
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: 1 });
  });

  it('refuses a label whose amount is not a decimal or whose currency is not an ISO code', () => {
    expect(() => store.audit.append(entry({ label: { ...LABEL, amount: '39.854,50' } }))).toThrow(/decimal/);
    expect(() => store.audit.append(entry({ targetLabel: { ...TARGET_LABEL, currency: '€' } }))).toThrow(/target label currency "€"/);
    expect(store.audit.count({})).toBe(0);
  });

  it('never lets time go backwards along the chain', () => {
    store.audit.append(entry());
    temp.clock.advance(-60_000);
    expect(store.audit.append(entry()).at).toBe('2026-03-01T08:00:00.000Z');
  });

  it('rejects invalid entries with a clear message and stores nothing', () => {
    expect(() => store.audit.append(entry({ step: 'teleported' as never }))).toThrow(InvalidAuditEntryError);
    expect(() => store.audit.append(entry({ amount: '1e3' }))).toThrow(/exponent notation/);
    expect(() => store.audit.append(entry({ currency: null }))).toThrow(/amount and currency go together/);
    expect(() => store.audit.append(entry({ result: { access_token: 'abc' } }))).toThrow(SecretInStoreError);
    expect(() => store.audit.appendMany([entry(), entry({ status: 'weird' as never })])).toThrow(
      /unknown status "weird"/,
    );
    expect(store.audit.count({})).toBe(0);
  });

  it('is append-only at the database level', () => {
    store.audit.append(entry());
    expect(() => store.db.prepare("UPDATE audit_log SET message = 'x'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});

describe('auditRepo.verifyAuditChain detects tampering', () => {
  beforeEach(() => {
    for (let i = 1; i <= 10; i += 1) {
      store.audit.append(entry({ sourceId: `PO-${i}`, amount: `${i}.00` }));
      temp.clock.advance(1000);
    }
  });

  it('an edited amount', () => {
    tamper("UPDATE audit_log SET amount = '4000.00' WHERE seq = 4");
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      checked: 3,
      firstBadSeq: 4,
      problem: 'edited',
    });
  });

  it('a label added to an entry written without one, or an edited, removed or reformatted label', () => {
    store.audit.append(entry({ sourceId: 'PO-11', label: LABEL, targetLabel: TARGET_LABEL }));
    const head = () => store.audit.verifyAuditChain();
    tamper('UPDATE audit_log SET label = ? WHERE seq = 3', JSON.stringify(LABEL));
    expect(head()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'edited' });
    tamper('UPDATE audit_log SET label = NULL WHERE seq = 3');
    expect(head()).toMatchObject({ ok: true });
    tamper(`UPDATE audit_log SET label = json_set(label, '$.amount', '3985.45') WHERE seq = 11`);
    expect(head()).toMatchObject({ ok: false, firstBadSeq: 11, problem: 'edited' });
    tamper(`UPDATE audit_log SET label = json_set(label, '$.amount', '39854.50') WHERE seq = 11`);
    expect(head()).toMatchObject({ ok: true, checked: 11 });
    tamper('UPDATE audit_log SET target_label = NULL WHERE seq = 11');
    expect(head()).toMatchObject({ ok: false, firstBadSeq: 11, problem: 'edited' });
  });

  it('an edited JSON payload, even one only reformatted', () => {
    tamper('UPDATE audit_log SET result = json_pretty(result) WHERE seq = 7');
    expect(store.audit.verifyAuditChain()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'edited' });
  });

  it('a deleted entry in the middle', () => {
    tamper('DELETE FROM audit_log WHERE seq = 5');
    const verdict = store.audit.verifyAuditChain();
    expect(verdict).toMatchObject({ ok: false, checked: 4, firstBadSeq: 5, problem: 'missing-rows' });
    expect(verdict.ok === false && verdict.reason).toBe('Entry 5 is missing from the log (deleted).');
  });

  it('deleted first entries', () => {
    tamper('DELETE FROM audit_log WHERE seq <= 2');
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      checked: 0,
      firstBadSeq: 1,
      problem: 'missing-rows',
    });
  });

  it('a deleted tail, also after new entries were appended', () => {
    tamper('DELETE FROM audit_log WHERE seq >= 9');
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      checked: 8,
      firstBadSeq: 9,
      problem: 'missing-rows',
    });
    store.audit.append(entry());
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      firstBadSeq: 9,
      problem: 'missing-rows',
    });
  });

  it('two entries swapped', () => {
    tamper(`UPDATE audit_log SET seq = -1 WHERE seq = 3`);
    store.db.prepare('UPDATE audit_log SET seq = 3 WHERE seq = 6').run();
    store.db.prepare('UPDATE audit_log SET seq = 6 WHERE seq = -1').run();
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      checked: 2,
      firstBadSeq: 3,
      problem: 'broken-link',
    });
  });

  it('an edited entry whose own hash was recomputed is caught at the next link', () => {
    tamper("UPDATE audit_log SET amount = '4000.00' WHERE seq = 4");
    const row = store.db.prepare('SELECT * FROM audit_log WHERE seq = 4').get() as Parameters<
      typeof computeAuditHash
    >[0];
    store.db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 4').run(computeAuditHash(row));
    expect(store.audit.verifyAuditChain()).toMatchObject({
      ok: false,
      checked: 4,
      firstBadSeq: 5,
      problem: 'broken-link',
    });
  });
});

describe('auditRepo queries', () => {
  beforeEach(() => {
    const rows: AuditEntryInput[] = [];
    for (let i = 1; i <= 30; i += 1) {
      rows.push(
        entry({
          flow: i % 3 === 0 ? 'F2' : 'F1',
          status: i % 5 === 0 ? 'failed' : 'ok',
          step: i % 5 === 0 ? 'failed' : 'written',
          sourceId: `PO-${i}`,
          message: i === 17 ? 'Kostenplaats 100_% niet gevonden — café' : `Written ${i}`,
        }),
      );
    }
    // One entry per hour from 08:00.
    for (const row of rows) {
      store.audit.append(row);
      temp.clock.advance(3_600_000);
    }
  });

  it('pages newest first with keyset bounds, in both directions', () => {
    const first = store.audit.query({}, { limit: 10 });
    expect(first.entries.map((e) => e.seq)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(first.hasMore).toBe(true);
    const older = store.audit.query({}, { beforeSeq: 21, limit: 10 });
    expect(older.entries[0]?.seq).toBe(20);
    const last = store.audit.query({}, { beforeSeq: 11, limit: 10 });
    expect(last.entries.map((e) => e.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(last.hasMore).toBe(false);
    const newer = store.audit.query({}, { afterSeq: 10, limit: 5 });
    expect(newer.entries.map((e) => e.seq)).toEqual([15, 14, 13, 12, 11]);
    expect(newer.hasMore).toBe(true);
    expect(() => store.audit.query({}, { limit: 0 })).toThrow(RangeError);
  });

  it('filters by flow, status, step, entity and run, and counts the same rows', () => {
    const filter = { flow: 'F1', status: 'failed' as const };
    const page = store.audit.query(filter, { limit: 50 });
    expect(page.entries.map((e) => e.seq)).toEqual([25, 20, 10, 5]);
    expect(store.audit.count(filter)).toBe(4);
    expect(store.audit.count({ step: 'failed' })).toBe(6);
    expect(store.audit.count({ entity: 'vendor' })).toBe(0);
    expect(store.audit.count({ runId: 'run-1', flow: 'F2' })).toBe(10);
  });

  it('filters by date range: from inclusive, to exclusive, date-only or with offset', () => {
    // seq n is at 08:00 + (n-1) h on 2026-03-01, so 2026-03-02T00:00Z is seq 17.
    expect(store.audit.count({ from: '2026-03-02' })).toBe(14);
    expect(
      store.audit
        .query({ from: '2026-03-01T10:00:00Z', to: '2026-03-01T13:00:00Z' }, { limit: 10 })
        .entries.map((e) => e.seq),
    ).toEqual([5, 4, 3]);
    expect(store.audit.count({ from: '2026-03-01T12:00:00+02:00', to: '2026-03-01T13:00:00+02:00' })).toBe(1);
    expect(store.audit.count({ from: '2027-01-01' })).toBe(0);
    expect(() => store.audit.count({ from: 'yesterday' })).toThrow(/ISO 8601/);
  });

  it('filters by text in source id, target id or message, case-insensitive, with LIKE wildcards taken literally', () => {
    expect(store.audit.query({ text: 'po-17' }, { limit: 10 }).entries.map((e) => e.seq)).toEqual([17]);
    expect(store.audit.count({ text: '100_%' })).toBe(1);
    expect(store.audit.count({ text: '_' })).toBe(1);
    expect(store.audit.count({ text: 'café' })).toBe(1);
    expect(store.audit.count({ text: '5501' })).toBe(30);
  });

  it('iterates every match oldest first in batches', () => {
    const seqs = [...store.audit.iterate({ flow: 'F1' }, 4)].map((e) => e.seq);
    expect(seqs).toHaveLength(20);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(1);
  });

  it('returns entries with parsed JSON and exact amounts', () => {
    const [latest] = store.audit.query({ text: 'PO-30' }, { limit: 1 }).entries;
    expect(latest).toMatchObject({
      amount: '-12.50',
      currency: 'EUR',
      sourceSnapshot: { id: 'PO-1', amount: -12.5 },
      result: { id: 5501 },
    });
  });
});
