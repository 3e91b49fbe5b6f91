import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../../src-shared/domain/records';
import { DEFAULT_POLICY } from './model';
import { planPurchaseOrder } from './plan';

/** Found by the fuzz suite (issue 18): the planner rounded 10.005 to 10.01 without a word. */
const po = (amount: string, name = 'Koster'): PurchaseOrder => ({
  kind: 'purchase-order',
  sourceId: 'po-1',
  number: '20011',
  supplier: { sourceId: 's', code: '25', name },
  orderDate: '2024-01-01',
  description: '',
  currency: 'EUR',
  status: 'open',
  sourceVersion: '1',
  lines: [{ sourceLineId: 'l1', lineNumber: 1, itemCode: null, glAccountCode: '4000', costCenterCode: 'CC1', costUnitCode: null, projectCode: 'P100', description: '', quantity: '1', unitPrice: '1', unit: null, amount }],
});
const mappings = { version: 1, projects: new Map([['P100', '1']]), costs: [{ glAccountCode: '4000', costCenterCode: 'CC1', costUnitCode: null, costCode: 'c', lineItemTypeCode: 'M' }], vendors: new Map([['25', 'v']]) };
const reference = { projects: new Map([['1', { name: 'Kantoor', costCodes: new Map([['c', '11']]) }]]), lineItemTypes: new Map([['M', '101']]), vendors: new Map([['v', 'Koster']]) };

describe('F1 planning never rounds money silently', () => {
  it('parks a line with fractions of a cent (was: 10.005 written as 10.01)', () => {
    const result = planPurchaseOrder(po('10.005'), mappings, reference, DEFAULT_POLICY);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([expect.objectContaining({ code: 'amount-not-cents', sourceLineId: 'l1' })]);
    expect(result.issues[0]!.message).toBe('Line 1 of Purchase order 20011 has the amount 10.005, with fractions of a cent; Procore books whole cents and the amount is not rounded. Correct it in Exact Online');
  });

  it('writes whole cents exactly', () => {
    const result = planPurchaseOrder(po('-3186575.90'), mappings, reference, DEFAULT_POLICY);
    expect(result.ok && result.writes[0]!.lines[0]!.amount).toBe('-3186575.90');
  });

  it('quotes a long supplier name cut short in the reason (was: 11,000 characters in Pending validation)', () => {
    const result = planPurchaseOrder(po('1.00', 'W'.repeat(11_000)), { ...mappings, vendors: new Map() }, reference, DEFAULT_POLICY);
    expect(!result.ok && result.issues[0]!.message.length).toBeLessThan(200);
  });
});
