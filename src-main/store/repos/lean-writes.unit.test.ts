import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { openTempStore } from '../../../test/store/temp-store';
import type { Store } from '../db';
import type { AuditAppendInput } from './audit';
import { CanonicalJson } from './json';
import { OutboxTransitionError } from './outbox';

/**
 * The sync engine's write path: values made CanonicalJson once, and methods that return ids
 * instead of reading back what they wrote. They must leave exactly the rows the full methods
 * leave, and the full methods must still return exactly what a later read returns.
 */
let temp: ReturnType<typeof openTempStore>;
let store: Store;
beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
  store.runs.start('run-1', 'F1', 'manual');
});
afterEach(() => temp.cleanup());

const record: JsonValue = {
  sourceId: 'PO-1',
  lines: [{ amount: '10.00', description: 'Kabel 5×6 mm²' }],
  currency: 'EUR',
};
const plan: JsonValue = { originId: 'PO-1', entity: 'commitment', total: '10.00' };

function auditEntry(overrides: Partial<AuditAppendInput> = {}): AuditAppendInput {
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
    amount: '10.00',
    currency: 'EUR',
    sourceSnapshot: record,
    targetPayload: plan,
    result: { mappingVersions: { costs: 2 } },
    message: 'PO-1 written',
    ...overrides,
  };
}

const allRows = (s: Store, table: string) => s.db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();

describe('the lean write path leaves the same rows as the full methods', () => {
  it('snapshot, outbox intent, target record and audit entries, with values or CanonicalJson', () => {
    const other = openTempStore();
    try {
      other.store.runs.start('run-1', 'F1', 'manual');
      const full = store;
      const lean = other.store;

      const fullSnapshot = full.snapshots.record('F1', 'purchase-orders', 'PO-1', record);
      full.audit.append(auditEntry({ step: 'fetched', targetPayload: null }));
      const fullIntent = full.outbox.insertIntent({
        runId: 'run-1',
        flow: 'F1',
        sourceId: 'PO-1',
        idempotencyKey: 'k1',
        targetSystem: 'procore',
        operation: 'create-commitment',
        payload: plan,
      });
      full.outbox.recordAttempt(fullIntent.intent.id);
      full.outbox.markConfirmed(fullIntent.intent.id, '5501');
      full.targetRecords.upsert({
        flow: 'F1',
        entity: 'commitment',
        originId: 'PO-1',
        sourceId: 'PO-1',
        targetSystem: 'procore',
        targetId: '5501',
        containerId: '77',
        payloadHash: 'h',
        payload: plan,
        mappingVersion: 2,
      });
      full.audit.append(auditEntry());

      const recordJson = CanonicalJson.of(record, 'source record PO-1');
      const planJson = CanonicalJson.of(plan, 'planned commitment PO-1');
      lean.transaction(() => {
        const snapshot = lean.snapshots.recordReturningId('F1', 'purchase-orders', 'PO-1', recordJson);
        expect(snapshot).toEqual({ id: fullSnapshot.snapshot.id, isNew: true });
        lean.audit.appendReturningHead(
          auditEntry({ step: 'fetched', targetPayload: null, sourceSnapshot: recordJson }),
        );
        const intent = lean.outbox.insertIntentReturningStatus({
          runId: 'run-1',
          flow: 'F1',
          sourceId: 'PO-1',
          idempotencyKey: 'k1',
          targetSystem: 'procore',
          operation: 'create-commitment',
          payload: planJson,
        });
        expect(intent).toEqual({ id: fullIntent.intent.id, status: 'pending', created: true });
        lean.outbox.recordAttempt(intent.id);
        lean.outbox.markConfirmedWithoutReadBack(intent.id, '5501');
        lean.targetRecords.upsertWithoutReadBack({
          flow: 'F1',
          entity: 'commitment',
          originId: 'PO-1',
          sourceId: 'PO-1',
          targetSystem: 'procore',
          targetId: '5501',
          containerId: '77',
          payloadHash: 'h',
          payload: planJson,
          mappingVersion: 2,
        });
        const head = lean.audit.appendReturningHead(
          auditEntry({ sourceSnapshot: recordJson, targetPayload: planJson }),
        );
        expect(head).toEqual(lean.audit.head());
      });

      for (const table of ['source_snapshots', 'outbox', 'target_records', 'audit_log']) {
        expect(allRows(lean, table)).toEqual(allRows(full, table));
      }
      expect(lean.audit.verifyAuditChain()).toEqual({ ok: true, checked: 2 });
      expect(lean.targetRecords.payloadHash('F1', 'commitment', 'PO-1')).toBe('h');
      expect(lean.targetRecords.payloadHash('F1', 'commitment', 'PO-2')).toBeUndefined();
    } finally {
      other.cleanup();
    }
  });

  it('the full methods return exactly what a later read returns', () => {
    const recorded = store.snapshots.record('F1', 'purchase-orders', 'PO-1', record);
    expect(recorded.snapshot).toEqual(store.snapshots.get(recorded.snapshot.id));
    temp.clock.advance(1000);
    const seenAgain = store.snapshots.record('F1', 'purchase-orders', 'PO-1', record);
    expect(seenAgain).toEqual({ snapshot: store.snapshots.get(recorded.snapshot.id), isNew: false });

    const { intent } = store.outbox.insertIntent({
      runId: 'run-1',
      flow: 'F1',
      sourceId: 'PO-1',
      idempotencyKey: 'k1',
      targetSystem: 'procore',
      operation: 'create-commitment',
      payload: plan,
    });
    expect(intent).toEqual(store.outbox.get(intent.id));
    temp.clock.advance(1000);
    expect(store.outbox.markUnknown(intent.id, 'timeout')).toEqual(store.outbox.get(intent.id));
    expect(store.outbox.markConfirmed(intent.id, '5501')).toEqual(store.outbox.get(intent.id));

    const appended = store.audit.append(auditEntry({ sourceSnapshot: CanonicalJson.of(record, 'x') }));
    expect(store.audit.query({}, { limit: 1 }).entries).toEqual([appended]);
  });

  it('an existing intent reports its own status, not pending', () => {
    const key = {
      runId: 'run-1',
      flow: 'F1',
      sourceId: 'PO-1',
      idempotencyKey: 'k1',
      targetSystem: 'procore',
      operation: 'create-commitment',
      payload: plan,
    };
    const first = store.outbox.insertIntentReturningStatus(key);
    store.outbox.markFailed(first.id, 'rejected');
    expect(store.outbox.insertIntentReturningStatus(key)).toEqual({
      id: first.id,
      status: 'failed',
      created: false,
    });
  });

  it('recording an attempt for an unknown intent is refused', () => {
    expect(() => store.outbox.recordAttempt(404)).toThrow(OutboxTransitionError);
    expect(() => store.outbox.recordAttempt(404)).toThrow('There is no outbox intent with id 404.');
  });

  it('confirming without read-back refuses an unknown intent and a second target id, like markConfirmed', () => {
    expect(() => store.outbox.markConfirmedWithoutReadBack(404, '1')).toThrow(
      'There is no outbox intent with id 404.',
    );
    const { id } = store.outbox.insertIntentReturningStatus({
      runId: 'run-1',
      flow: 'F1',
      sourceId: 'PO-1',
      idempotencyKey: 'k1',
      targetSystem: 'procore',
      operation: 'create-commitment',
      payload: plan,
    });
    store.outbox.markConfirmedWithoutReadBack(id, '5501');
    store.outbox.markConfirmedWithoutReadBack(id, '5501'); // the same answer twice is fine
    expect(() => store.outbox.markConfirmedWithoutReadBack(id, '5502')).toThrow(
      /would mean a duplicate in procore/,
    );
    expect(store.outbox.get(id)).toMatchObject({ status: 'confirmed', targetId: '5501', lastError: null });
  });
});

describe('appending inside the caller transaction (no savepoint)', () => {
  it('rolls back with the caller and keeps the chain intact', () => {
    store.audit.append(auditEntry({ sourceId: 'PO-0' }));
    expect(() =>
      store.transaction(() => {
        store.audit.appendReturningHead(auditEntry({ sourceId: 'PO-1' }));
        store.snapshots.recordReturningId('F1', 'purchase-orders', 'PO-1', record);
        throw new Error('the page failed');
      }),
    ).toThrow('the page failed');
    expect(store.audit.head()?.seq).toBe(1);
    expect(allRows(store, 'source_snapshots')).toEqual([]);
    store.audit.append(auditEntry({ sourceId: 'PO-2' }));
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: 2 });
  });

  it('a refused entry leaves nothing behind, and appendMany stays all or nothing inside a transaction', () => {
    store.transaction(() => {
      expect(() => store.audit.append(auditEntry({ result: { password: 'p' } }))).toThrow(/\$\.password/);
      expect(() =>
        store.audit.appendMany([
          auditEntry({ sourceId: 'PO-1' }),
          auditEntry({ sourceId: 'PO-2', currency: 'euro' }),
        ]),
      ).toThrow(/not an ISO code/);
      store.audit.append(auditEntry({ sourceId: 'PO-3' }));
    });
    expect(store.audit.query({}, { limit: 10 }).entries.map((e) => [e.seq, e.sourceId])).toEqual([
      [1, 'PO-3'],
    ]);
    expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: 1 });
  });

  it('entries appended in one millisecond share its time text; a later millisecond gets its own', () => {
    const first = store.audit.append(auditEntry());
    const second = store.audit.append(auditEntry());
    temp.clock.advance(1);
    const third = store.audit.append(auditEntry());
    expect([first.at, second.at, third.at]).toEqual([
      '2026-03-01T08:00:00.000Z',
      '2026-03-01T08:00:00.000Z',
      '2026-03-01T08:00:00.001Z',
    ]);
  });
});
