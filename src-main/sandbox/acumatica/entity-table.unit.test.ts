import { afterEach, describe, expect, it } from 'vitest';
import { SimStore } from '../_common/sim-store';
import { buildContract } from './contract';
import { EntityTable } from './entity-table';
import type { EntitySchema, StoredRecord } from './schema';

function schemaOf(entity: string): EntitySchema {
  const schema = buildContract()[entity];
  if (!schema) throw new Error(`no ${entity} in the contract`);
  return schema;
}

describe('EntityTable', () => {
  let store: SimStore | undefined;
  afterEach(() => store?.close());

  it('upgrades records of the first simulator version: details/applications move into collections, bill lines lose LineNbr', () => {
    store = new SimStore(':memory:');
    const legacy = {
      id: 'b1',
      values: { Type: 'Bill', ReferenceNbr: '000001', PostPeriod: '102026' },
      details: [{ id: 'l1', values: { LineNbr: 1, Account: '50100', Amount: '10.00' } }],
      applications: [
        { id: 'a1', values: { DocType: 'Payment', ReferenceNbr: '000001', AmountPaid: '10.00' } },
      ],
    };
    store.collection('Bill').put('b1', legacy);
    const table = new EntityTable(store, schemaOf('Bill'));
    const upgraded = table.get('b1') as StoredRecord;
    expect(upgraded).not.toHaveProperty('details');
    expect(upgraded.collections?.Details).toEqual([
      { id: 'l1', values: { Account: '50100', Amount: '10.00' } },
    ]);
    expect(upgraded.collections?.Applications?.map((a) => a.id)).toEqual(['a1']);
    expect(table.byKeys(['Bill', '000001'])?.id).toBe('b1');
    // The upgrade is stored: a second table over the same store reads the new shape directly.
    expect(
      (store.collection('Bill').get('b1') as StoredRecord).collections?.Details?.[0]?.values,
    ).not.toHaveProperty('LineNbr');
  });

  it('keeps purchase order line numbers (PurchaseOrderDetail has LineNbr) while upgrading', () => {
    store = new SimStore(':memory:');
    store.collection('PurchaseOrder').put('p1', {
      id: 'p1',
      values: { Type: 'Normal', OrderNbr: 'PO000001' },
      details: [{ id: 'l1', values: { LineNbr: 3 } }],
    });
    const table = new EntityTable(store, schemaOf('PurchaseOrder'));
    expect(table.get('p1')?.collections?.Details?.[0]?.values.LineNbr).toBe(3);
  });
});
