import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../store';
import { F4_MAPPING_SETS, InvalidMappingError, f4MappingKey, loadF4Mappings } from './mappings';
import { F4_FLOW } from './model';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f4-mappings-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('F4 mapping tables', () => {
  it('refuses a row it cannot use, naming the table, the row and the field', () => {
    const set = store.mappings.ensureSet(F4_FLOW, F4_MAPPING_SETS.columns);
    store.mappings.createVersion(set.id, [{ sourceKey: { documentType: 'purchase-order', field: 'amount' }, target: { columnId: 'amount', columnType: 'money' } }]);
    expect(() => loadF4Mappings(store)).toThrow(InvalidMappingError);
    expect(() => loadF4Mappings(store)).toThrow(/Mapping "columns" row 1 is not valid: target.columnType: must be a monday column type/);
    const boards = store.mappings.ensureSet(F4_FLOW, F4_MAPPING_SETS.boards);
    store.mappings.createVersion(boards.id, [{ sourceKey: { documentType: 'invoice' }, target: { boardId: 'x1', groupId: 'topics', whenCancelled: 'delete', whenDeleted: 'archive' } }]);
    expect(() => loadF4Mappings(store)).toThrow(/Mapping "boards" row 1 is not valid: sourceKey.documentType: must be one of purchase-order, sales-invoice, sales-order; target.boardId: must be a monday board id \(digits\); target.whenCancelled: must be archive or label/);
  });

  it('names its rows with mapping keys Pending validation links to the table', () => {
    expect(f4MappingKey.glAccount('4990')).toBe('gl:4990');
    expect(f4MappingKey.costCenter('KST-19')).toBe('costcenter:KST-19');
    expect(f4MappingKey.column('sales-order', 'amount')).toBe('column:sales-order|amount');
  });
});
