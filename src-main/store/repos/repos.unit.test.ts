import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStore } from '../../../test/store/temp-store';
import type { Store } from '../db';
import { SecretInStoreError } from '../secret-guard';
import { ConnectionNotFoundError } from './connections';
import { DuplicateMappingKeyError } from './mappings';
import { OutboxTransitionError } from './outbox';

let temp: ReturnType<typeof openTempStore>;
let store: Store;
beforeEach(() => {
  temp = openTempStore();
  store = temp.store;
});
afterEach(() => temp.cleanup());

describe('connectionsRepo', () => {
  it('creates, reads, updates and deletes non-secret settings', () => {
    const created = store.connections.create({
      id: 'exact-1',
      system: 'exact-online',
      label: 'Exact NL',
      mode: 'live',
      settings: { division: 123456, baseUrl: 'https://start.exactonline.nl' },
    });
    expect(created).toMatchObject({
      status: 'not-connected',
      createdAt: '2026-03-01T08:00:00.000Z',
      settings: { division: 123456 },
    });

    temp.clock.advance(1000);
    const updated = store.connections.update('exact-1', { label: 'Exact Holding' });
    expect(updated.label).toBe('Exact Holding');
    expect(updated.settings).toEqual(created.settings);
    expect(updated.updatedAt).toBe('2026-03-01T08:00:01.000Z');

    store.connections.setStatus('exact-1', 'needs-reauth');
    expect(store.connections.get('exact-1')?.status).toBe('needs-reauth');
    expect(store.connections.list()).toHaveLength(1);
    expect(store.connections.delete('exact-1')).toBe(true);
    expect(store.connections.get('exact-1')).toBeUndefined();
    expect(() => store.connections.setStatus('exact-1', 'connected')).toThrow(ConnectionNotFoundError);
  });

  it('refuses settings that carry a secret, naming the member but not the value', () => {
    const attempt = () =>
      store.connections.create({
        id: 'p',
        system: 'procore',
        label: 'P',
        mode: 'live',
        settings: { oauth: { client_secret: 'hunter2' } },
      });
    expect(attempt).toThrow(SecretInStoreError);
    expect(attempt).toThrow('$.oauth.client_secret');
    expect(attempt).not.toThrow(/hunter2/);
    expect(store.connections.get('p')).toBeUndefined();
  });
});

describe('mappingsRepo', () => {
  it('versions every change and keeps earlier versions readable', () => {
    const set = store.mappings.ensureSet('F1', 'cost-codes', 'GL account + cost center -> Procore cost code');
    expect(store.mappings.ensureSet('F1', 'cost-codes').id).toBe(set.id);

    const v1 = store.mappings.createVersion(
      set.id,
      [{ sourceKey: { gl: '4000', cc: '100' }, target: { costCode: '01-100' } }],
      'first',
    );
    temp.clock.advance(60_000);
    const v2 = store.mappings.createVersion(set.id, [
      { sourceKey: { cc: '100', gl: '4000' }, target: { costCode: '01-110' } },
      { sourceKey: { gl: '4100', cc: '200' }, target: { costCode: '02-200' } },
    ]);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.rowCount).toBe(2);
    expect(store.mappings.currentVersion(set.id)?.id).toBe(v2.id);
    expect(store.mappings.getVersion(set.id, 1)?.note).toBe('first');
    expect(store.mappings.getVersionById(v1.id)?.version).toBe(1);
    expect(store.mappings.listVersions(set.id).map((v) => v.version)).toEqual([2, 1]);
    // Lookup is by canonical key: member order does not matter.
    expect(store.mappings.lookup(v1.id, { cc: '100', gl: '4000' })).toEqual({ costCode: '01-100' });
    expect(store.mappings.lookup(v2.id, { gl: '4000', cc: '100' })).toEqual({ costCode: '01-110' });
    expect(store.mappings.lookup(v2.id, { gl: '9999', cc: '100' })).toBeUndefined();
    expect(store.mappings.rows(v1.id)).toEqual([
      { sourceKey: { cc: '100', gl: '4000' }, target: { costCode: '01-100' } },
    ]);
    expect(store.mappings.listSets('F1').map((s) => s.name)).toEqual(['cost-codes']);
  });

  it('refuses duplicate source keys and never changes a saved version', () => {
    const set = store.mappings.ensureSet('F4', 'columns');
    expect(() =>
      store.mappings.createVersion(set.id, [
        { sourceKey: 'Amount', target: 'numbers_1' },
        { sourceKey: 'Amount', target: 'numbers_2' },
      ]),
    ).toThrow(DuplicateMappingKeyError);
    expect(store.mappings.currentVersion(set.id)).toBeUndefined();
    const v1 = store.mappings.createVersion(set.id, [{ sourceKey: 'Amount', target: 'numbers_1' }]);
    expect(() =>
      store.db.prepare('UPDATE mapping_rows SET target = \'"x"\' WHERE version_id = ?').run(v1.id),
    ).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM mapping_versions WHERE id = ?').run(v1.id)).toThrow(
      /immutable/,
    );
  });
});

describe('snapshotsRepo', () => {
  it('stores each content once and tracks when it was last seen', () => {
    const first = store.snapshots.record('F1', 'purchase-orders', 'PO-1', { amount: '10.00', lines: [1, 2] });
    expect(first.isNew).toBe(true);
    expect(first.snapshot.contentHash).toMatch(/^[0-9a-f]{64}$/);

    temp.clock.advance(1000);
    const same = store.snapshots.record('F1', 'purchase-orders', 'PO-1', { lines: [1, 2], amount: '10.00' });
    expect(same.isNew).toBe(false);
    expect(same.snapshot.id).toBe(first.snapshot.id);
    expect(same.snapshot.lastSeenAt).toBe('2026-03-01T08:00:01.000Z');

    temp.clock.advance(1000);
    const changed = store.snapshots.record('F1', 'purchase-orders', 'PO-1', {
      amount: '12.00',
      lines: [1, 2],
    });
    expect(changed.isNew).toBe(true);
    expect(store.snapshots.latest('F1', 'purchase-orders', 'PO-1')?.id).toBe(changed.snapshot.id);

    temp.clock.advance(1000); // changed back: the first snapshot is the latest again
    store.snapshots.record('F1', 'purchase-orders', 'PO-1', { amount: '10.00', lines: [1, 2] });
    expect(store.snapshots.latest('F1', 'purchase-orders', 'PO-1')?.id).toBe(first.snapshot.id);
    expect(store.snapshots.get(changed.snapshot.id)?.payload).toEqual({ amount: '12.00', lines: [1, 2] });
  });
});

describe('cursorsRepo', () => {
  it('sets, overwrites, lists and resets positions per flow, stream and connection', () => {
    store.cursors.set('F1', 'purchase-orders', 'exact-1', '2026-01-01T00:00:00Z');
    temp.clock.advance(5000);
    store.cursors.set('F1', 'purchase-orders', 'exact-1', '2026-01-02T00:00:00Z');
    store.cursors.set('F1', 'purchase-invoices', 'exact-1', 'token-9');
    expect(store.cursors.get('F1', 'purchase-orders', 'exact-1')).toMatchObject({
      value: '2026-01-02T00:00:00Z',
      updatedAt: '2026-03-01T08:00:05.000Z',
    });
    expect(store.cursors.list('F1').map((c) => c.stream)).toEqual(['purchase-invoices', 'purchase-orders']);
    expect(store.cursors.reset('F1', 'purchase-orders', 'exact-1')).toBe(true);
    expect(store.cursors.get('F1', 'purchase-orders', 'exact-1')).toBeUndefined();
  });
});

describe('runsRepo', () => {
  it('starts, counts and finishes a run once', () => {
    store.runs.start('run-1', 'F1', 'manual');
    store.runs.updateCounts('run-1', { fetched: 3 });
    expect(store.runs.get('run-1')).toMatchObject({
      status: 'running',
      counts: { fetched: 3 },
      endedAt: null,
    });
    temp.clock.advance(2000);
    const done = store.runs.finish('run-1', 'partial', { fetched: 3, written: 2, parked: 1 });
    expect(done).toMatchObject({
      status: 'partial',
      endedAt: '2026-03-01T08:00:02.000Z',
      counts: { parked: 1 },
    });
    expect(() => store.runs.finish('run-1', 'succeeded', {})).toThrow(/already ended with status "partial"/);
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO runs (id, flow, \"trigger\", started_at, status) VALUES ('x', 'F1', 'cron', 't', 'running')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });

  it('closes a run left running by a dead process as interrupted, keeping its counts', () => {
    store.runs.start('run-a', 'F1', 'schedule');
    store.runs.updateCounts('run-a', { created: 7 });
    store.runs.start('run-b', 'F2', 'cli');
    store.runs.finish('run-b', 'succeeded', {});
    expect(store.runs.listRunning('F1').map((r) => r.id)).toEqual(['run-a']);
    expect(store.runs.interrupt('run-a', 'its process died')).toBe(true);
    expect(store.runs.interrupt('run-b', 'its process died')).toBe(false);
    expect(store.runs.get('run-a')).toMatchObject({ status: 'interrupted', error: 'its process died', counts: { created: 7 } });
    expect(store.runs.get('run-a')?.endedAt).not.toBeNull();
    expect(store.runs.listRunning('F1')).toEqual([]);
    expect(
      store.runs
        .listRecent(10)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['run-a', 'run-b']);
    expect(store.runs.listRecent(10, 'F2').map((r) => r.id)).toEqual(['run-b']);
  });
});

describe('outboxRepo', () => {
  const intent = {
    runId: 'run-1',
    flow: 'F1',
    sourceId: 'PO-1',
    idempotencyKey: 'F1:commitment:PO-1',
    targetSystem: 'procore',
    operation: 'create-commitment',
    payload: { origin_id: 'PO-1', amount: '100.00' },
  };
  beforeEach(() => {
    store.runs.start('run-1', 'F1', 'manual');
  });

  it('inserts an intent once per idempotency key', () => {
    const first = store.outbox.insertIntent(intent);
    const again = store.outbox.insertIntent({ ...intent, payload: { origin_id: 'PO-1', amount: '999.00' } });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.intent.id).toBe(first.intent.id);
    expect(again.intent.payload).toEqual(intent.payload);
    expect(store.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 1 });
  });

  it('moves through unknown -> confirmed and lists what is unconfirmed', () => {
    const { intent: saved } = store.outbox.insertIntent(intent);
    store.outbox.insertIntent({ ...intent, idempotencyKey: 'F1:commitment:PO-2', sourceId: 'PO-2' });
    store.outbox.recordAttempt(saved.id);
    store.outbox.markUnknown(saved.id, 'response lost after 30 s');
    expect(store.outbox.listUnconfirmed('F1').map((i) => [i.sourceId, i.status])).toEqual([
      ['PO-1', 'unknown'],
      ['PO-2', 'pending'],
    ]);
    const confirmed = store.outbox.markConfirmed(saved.id, '5501');
    expect(confirmed).toMatchObject({ status: 'confirmed', targetId: '5501', attempts: 1, lastError: null });
    expect(store.outbox.listUnconfirmed().map((i) => i.sourceId)).toEqual(['PO-2']);
    expect(store.outbox.markConfirmed(saved.id, '5501').status).toBe('confirmed'); // same answer twice is fine
    expect(() => store.outbox.markConfirmed(saved.id, '5502')).toThrow(/would mean a duplicate/);
    expect(() => store.outbox.markFailed(saved.id, 'x')).toThrow(OutboxTransitionError);
  });

  it('reopens only a failed intent, with the same key', () => {
    const { intent: saved } = store.outbox.insertIntent(intent);
    expect(() => store.outbox.reopen(saved.id, intent.payload, null)).toThrow(/only a failed intent/);
    store.outbox.markFailed(saved.id, 'Cost code 01-100 does not exist in project 17');
    expect(store.outbox.listFailed('F1')).toHaveLength(1);
    const reopened = store.outbox.reopen(
      saved.id,
      { origin_id: 'PO-1', amount: '100.00', cost_code: '01-110' },
      'run-1',
    );
    expect(reopened).toMatchObject({ status: 'pending', idempotencyKey: intent.idempotencyKey });
    expect(reopened.payload).toMatchObject({ cost_code: '01-110' });
  });

  it('refuses a payload carrying a token', () => {
    expect(() =>
      store.outbox.insertIntent({ ...intent, payload: { headers: { Authorization: 'Bearer abc' } } }),
    ).toThrow(SecretInStoreError);
  });
});

describe('parkedRepo', () => {
  const park = (sourceId: string, reasonCode: string, stream = 'purchase-orders') =>
    store.parked.park({
      flow: 'F1',
      stream,
      sourceId,
      reasonCode,
      reasonText: `Reason ${reasonCode} for ${sourceId}`,
      details: { gl: '4000' },
      mappingVersion: 3,
    });

  it('keeps one open row per record, updating it when parked again', () => {
    const first = park('PO-1', 'unmapped-cost-code');
    temp.clock.advance(1000);
    const again = park('PO-1', 'unknown-vendor');
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({
      reasonCode: 'unknown-vendor',
      parkedAt: first.parkedAt,
      updatedAt: '2026-03-01T08:00:01.000Z',
    });
    // The same id in another stream is another record.
    expect(park('PO-1', 'unknown-vendor', 'purchase-invoices').id).not.toBe(first.id);
    expect(store.parked.countOpen('F1')).toBe(2);
  });

  it('counts the open rows written with a flag apart from those held back', () => {
    park('PO-1', 'unmapped-cost-code');
    park('PO-2', 'needs-review:unmapped-gl-account');
    park('PO-3', 'needs-review:unmapped-cost-center');
    park('PO-4', 'review-later'); // a code that merely starts alike is no flag
    expect(store.parked.countOpen('F1')).toBe(4);
    expect(store.parked.countFlagged('F1')).toBe(2);
    store.parked.resolve('F1', 'purchase-orders', 'PO-2', 'written without the flag');
    expect(store.parked.countFlagged('F1')).toBe(1);
    expect(store.parked.countFlagged('F2')).toBe(0);
  });

  it('resolves, then allows parking the record anew', () => {
    const first = park('PO-1', 'unmapped-cost-code');
    expect(store.parked.resolve('F1', 'purchase-orders', 'PO-1', 'written after mapping v4')).toBe(true);
    expect(store.parked.resolve('F1', 'purchase-orders', 'PO-1', 'again')).toBe(false);
    expect(store.parked.getOpen('F1', 'purchase-orders', 'PO-1')).toBeUndefined();
    expect(park('PO-1', 'closed-period').id).not.toBe(first.id);
    const history = store.db
      .prepare("SELECT resolution FROM parked WHERE source_id = 'PO-1' ORDER BY id")
      .all();
    expect(history).toEqual([{ resolution: 'written after mapping v4' }, { resolution: null }]);
  });

  it('lists open records grouped by reason, largest group first', () => {
    park('PO-1', 'unmapped-cost-code');
    park('PO-2', 'unmapped-cost-code');
    park('PO-3', 'unknown-vendor');
    store.parked.resolve('F1', 'purchase-orders', 'PO-2', 'fixed');
    park('PO-4', 'unmapped-cost-code');
    const groups = store.parked.listOpenGroupedByReason('F1');
    expect(groups.map((g) => [g.reasonCode, g.count, g.records.map((r) => r.sourceId)])).toEqual([
      ['unmapped-cost-code', 2, ['PO-1', 'PO-4']],
      ['unknown-vendor', 1, ['PO-3']],
    ]);
    expect(store.parked.listOpenByReason('F1', 'unknown-vendor')[0]?.details).toEqual({ gl: '4000' });
  });
});
