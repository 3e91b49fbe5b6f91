import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../db';

let dir: string;
let store: Store;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('target records', () => {
  it('keeps the last confirmed state per target record and finds every record of a source', () => {
    dir = mkdtempSync(join(tmpdir(), 'mlc-target-'));
    store = openStore(dir);
    const base = { flow: 'exact-procore', entity: 'commitment', sourceId: 'po-1', targetSystem: 'procore', containerId: '77', mappingVersion: 3 };
    store.targetRecords.upsert({ ...base, originId: 'po-1/P1', targetId: '900000000001', payloadHash: 'h1', payload: { total: '10.00' } });
    store.targetRecords.upsert({ ...base, originId: 'po-1/P2', targetId: '900000000002', payloadHash: 'h2', payload: { total: '5.00' } });
    const updated = store.targetRecords.upsert({ ...base, originId: 'po-1/P1', targetId: '900000000001', payloadHash: 'h3', payload: { total: '12.50' } });
    expect(updated.payloadHash).toBe('h3');
    expect(store.targetRecords.get('exact-procore', 'commitment', 'po-1/P1')?.payload).toEqual({ total: '12.50' });
    expect(store.targetRecords.bySource('exact-procore', 'po-1').map((r) => r.originId)).toEqual(['po-1/P1', 'po-1/P2']);
    expect(store.targetRecords.get('exact-procore', 'direct-cost', 'po-1/P1')).toBeUndefined();
  });

  it('lists a flow\'s records of one entity in the order each was first confirmed, with the payload fields asked for', () => {
    dir = mkdtempSync(join(tmpdir(), 'mlc-target-'));
    store = openStore(dir);
    const base = { flow: 'exact-monday', entity: 'monday-item', targetSystem: 'monday', containerId: '18', mappingVersion: 1 };
    const put = (originId: string, name: string, total: string) =>
      store.targetRecords.upsertWithoutReadBack({ ...base, originId, sourceId: originId, targetId: `item-${originId}`, payloadHash: `${originId}-${total}`, payload: { name, total, cells: [] } });
    put('z-first', '20011', '980.00');
    put('a-second', '20011', '1234.56');
    put('z-first', '20011', '990.00');
    store.targetRecords.upsertWithoutReadBack({ ...base, entity: 'other', originId: 'x', sourceId: 'x', targetId: 'x', payloadHash: 'x', payload: {} });
    const rows = store.targetRecords.listInConfirmOrder('exact-monday', 'monday-item', ['$.name', '$.total', '$.missing']);
    expect(rows).toEqual([
      { originId: 'z-first', sourceId: 'z-first', containerId: '18', label: null, fields: ['20011', '990.00', null] },
      { originId: 'a-second', sourceId: 'a-second', containerId: '18', label: null, fields: ['20011', '1234.56', null] },
    ]);
  });
});
