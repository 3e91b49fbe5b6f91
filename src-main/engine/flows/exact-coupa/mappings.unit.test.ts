import { describe, expect, it } from 'vitest';
import { f5CodingKeys } from './mappings';

describe('F5 coding keys (what a mapping import would recode)', () => {
  it('a supplier record: its link; a PO: the link and each line\'s account; a credit note also its remit-to and corrected invoice', () => {
    expect(f5CodingKeys('suppliers', { code: '40010', name: 'X' })).toEqual([['supplier:40010']]);
    const lines = [
      { glAccountCode: '4100', costCenterCode: 'KST-14' },
      { glAccountCode: '4300', costCenterCode: null },
    ];
    expect(f5CodingKeys('purchase-orders', { supplier: { code: '40001' }, lines })).toEqual([['supplier:40001'], ['account:4100|KST-14'], ['account:4300|']]);
    expect(f5CodingKeys('purchase-invoices', { supplier: { code: '40001' }, documentType: 'credit-note', invoiceNumber: 'CN-1', lines: lines.slice(0, 1) })).toEqual([
      ['supplier:40001'],
      ['remit-to:40001'],
      ['credit-note:40001|CN-1'],
      ['account:4100|KST-14'],
    ]);
    expect(f5CodingKeys('purchase-orders', null)).toEqual([]);
  });
});
