import { describe, expect, it } from 'vitest';
import { compareBooks } from './crash-harness';

describe('compareBooks', () => {
  const clean = [
    { key: 'commitment PO-1', value: { total: '100.00' } },
    { key: 'commitment PO-2', value: { total: '50.00' } },
  ];

  it('counts a record held twice as a duplicate, even when both copies are right', () => {
    const diff = compareBooks(clean, [...clean, { key: 'commitment PO-1', value: { total: '100.00' } }]);
    expect(diff).toMatchObject({ duplicates: 1, missing: 0, amount_diffs: 0 });
    expect(diff.examples).toEqual(['commitment PO-1 is held 2 times']);
  });

  it('counts missing records, other amounts and records a clean run never made', () => {
    const diff = compareBooks(clean, [
      { key: 'commitment PO-1', value: { total: '100.01' } },
      { key: 'commitment PO-9', value: { total: '1.00' } },
    ]);
    expect(diff).toMatchObject({ duplicates: 0, missing: 1, amount_diffs: 2 });
  });

  it('finds nothing when the books are equal', () => {
    expect(compareBooks(clean, [...clean].reverse())).toMatchObject({ duplicates: 0, missing: 0, amount_diffs: 0, examples: [] });
  });
});
