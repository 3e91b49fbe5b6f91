import { describe, expect, it } from 'vitest';
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import { DEFAULT_POLICY, type ExactProcoreMappings, type ProcoreReference } from './model';
import { planPurchaseInvoice, planPurchaseOrder } from './plan';

const mappings: ExactProcoreMappings = {
  version: 3,
  projects: new Map([
    ['P26-001', '562949953421313'],
    ['P26-002', '562949953421314'],
  ]),
  costs: [
    { glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, costCode: '03-300', lineItemTypeCode: 'M' },
    { glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: 'CU-7', costCode: '05-120', lineItemTypeCode: 'S' },
    { glAccountCode: '4100', costCenterCode: 'KST-11', costUnitCode: null, costCode: '26-000', lineItemTypeCode: 'X' },
  ],
  vendors: new Map([
    ['SUP-001', '562949953500001'],
    ['SUP-002', '562949953500099'],
  ]),
};

const ref: ProcoreReference = {
  projects: new Map([
    ['562949953421313', { name: 'Kantoorpand Zuidas', costCodes: new Map([['03-300', '9001'], ['05-120', '9002']]) }],
    ['562949953421314', { name: 'Bridge Street Depot', costCodes: new Map([['03-300', '9101']]) }],
  ]),
  lineItemTypes: new Map([['M', '71'], ['S', '72']]),
  vendors: new Map([['562949953500001', 'Beton Noord BV']]),
};

function po(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId: 'a1b2c3d4-0000-0000-0000-000000000001',
    number: '10042',
    supplier: { sourceId: 's-1', code: 'SUP-001', name: 'Beton Noord BV' },
    orderDate: '2026-10-01',
    description: 'Ready-mix C30/37',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '77',
    lines: [
      { sourceLineId: 'l-1', lineNumber: 1, itemCode: 'BET-C30', glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, projectCode: 'P26-001', description: 'Concrete', quantity: '3', unitPrice: '33.33', unit: 'm3', amount: '99.99' },
      { sourceLineId: 'l-2', lineNumber: 2, itemCode: 'PUMP', glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: 'CU-7', projectCode: 'P26-001', description: 'Pump hire', quantity: '1', unitPrice: '0.01', unit: 'pc', amount: '0.01' },
    ],
    ...overrides,
  };
}

describe('F1 planning: Exact purchase order → Procore commitment', () => {
  it('plans one commitment with coded lines and a total to the cent', () => {
    const r = planPurchaseOrder(po(), mappings, ref, DEFAULT_POLICY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.writes).toHaveLength(1);
    const c = r.writes[0]!;
    expect(c).toMatchObject({ originId: po().sourceId, projectId: '562949953421313', vendorId: '562949953500001', number: '10042', status: 'Draft', total: '100.00' });
    // The cost-unit specific row wins over the wildcard row.
    expect(c.lines.map((l) => [l.originId, l.costCodeId, l.lineItemTypeId, l.amount])).toEqual([
      ['l-1', '9001', '71', '99.99'],
      ['l-2', '9002', '72', '0.01'],
    ]);
  });

  it('parks an unmapped GL / cost center pair with a reason in finance words and the mapping key that fixes it', () => {
    const order = po();
    order.lines[0] = { ...order.lines[0]!, glAccountCode: '4400', costCenterCode: 'KST-12' };
    const r = planPurchaseOrder(order, mappings, ref, DEFAULT_POLICY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { code: 'unmapped-cost', message: 'GL 4400 / cost center KST-12 has no cost code mapping', sourceLineId: 'l-1', mappingKeys: ['cost:4400|KST-12|'] },
    ]);
  });

  it('explains every other reason a line cannot be coded', () => {
    const order = po({ supplier: { sourceId: 's-2', code: 'SUP-002', name: 'Staal & Co' } });
    order.lines = [
      { ...order.lines[0]!, sourceLineId: 'x-1', projectCode: 'P99-999' },
      { ...order.lines[0]!, sourceLineId: 'x-2', projectCode: 'P26-002', costUnitCode: 'CU-7' }, // 05-120 not in that project
      { ...order.lines[0]!, sourceLineId: 'x-3', glAccountCode: '4100', costCenterCode: 'KST-11' }, // type X unknown
      { ...order.lines[0]!, sourceLineId: 'x-4', glAccountCode: null },
    ];
    const r = planPurchaseOrder(order, mappings, ref, DEFAULT_POLICY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // First issue of each code (line x-3 also misses its cost code in the project).
    const byCode = Object.fromEntries([...r.issues].reverse().map((i) => [i.code, i]));
    expect(byCode['vendor-not-in-target']!.message).toBe(
      'Supplier SUP-002 (Staal & Co) is linked to Procore vendor 562949953500099, which is missing or inactive in Procore',
    );
    expect(byCode['unmapped-project']!.message).toBe('Exact project P99-999 is not linked to a Procore project');
    expect(byCode['cost-code-not-in-project']!.message).toBe(
      'Cost code 05-120 (mapped from GL 4000 / cost center KST-10 / cost unit CU-7) does not exist in Procore project "Bridge Street Depot"',
    );
    expect(byCode['unknown-line-item-type']!.message).toContain('Cost type X');
    expect(byCode['missing-gl-account']!.message).toContain("item's purchase account");
  });

  it('parks a supplier without a vendor link', () => {
    const r = planPurchaseOrder(po({ supplier: { sourceId: 's-9', code: 'SUP-404', name: 'Bouwbedrijf Ærø & Söhne' } }), mappings, ref, DEFAULT_POLICY);
    expect(r.ok ? [] : r.issues.map((i) => [i.code, i.message, i.mappingKeys])).toEqual([
      ['unmapped-vendor', 'Supplier SUP-404 (Bouwbedrijf Ærø & Söhne) is not linked to a Procore vendor', ['vendor:SUP-404']],
    ]);
  });

  it('splits a PO whose lines span projects into one commitment per project with distinct origin ids', () => {
    const order = po();
    order.lines[1] = { ...order.lines[1]!, projectCode: 'P26-002', costUnitCode: null };
    const r = planPurchaseOrder(order, mappings, ref, DEFAULT_POLICY);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.writes.map((w) => [w.originId, w.projectId, w.number, w.total])).toEqual([
      [`${order.sourceId}/P26-001`, '562949953421313', '10042-P26-001', '99.99'],
      [`${order.sourceId}/P26-002`, '562949953421314', '10042-P26-002', '0.01'],
    ]);
  });

  it('closes and zeroes a cancelled PO (the configured policy) instead of deleting it', () => {
    const r = planPurchaseOrder(po({ status: 'cancelled' }), mappings, ref, DEFAULT_POLICY);
    if (!r.ok) throw new Error('expected a plan');
    expect(r.writes[0]).toMatchObject({ status: 'Closed', total: '0.00' });
    expect(r.writes[0]!.description).toMatch(/^Cancelled in Exact Online/);
    const leave = planPurchaseOrder(po({ status: 'cancelled' }), mappings, ref, { ...DEFAULT_POLICY, cancelled: 'leave' });
    if (!leave.ok) throw new Error('expected a plan');
    expect(leave.writes[0]!.total).toBe('100.00');
  });

  it('keeps a line removed in Exact as a zeroed, marked line', () => {
    const first = planPurchaseOrder(po(), mappings, ref, DEFAULT_POLICY);
    if (!first.ok) throw new Error('expected a plan');
    const edited = po();
    edited.lines = [edited.lines[0]!];
    const r = planPurchaseOrder(edited, mappings, ref, DEFAULT_POLICY, new Map([[edited.sourceId, first.writes[0]!.lines]]));
    if (!r.ok) throw new Error('expected a plan');
    expect(r.writes[0]!.lines.map((l) => [l.originId, l.amount, l.description])).toEqual([
      ['l-1', '99.99', 'Concrete'],
      ['l-2', '0.00', '[removed in Exact] Pump hire'],
    ]);
    expect(r.writes[0]!.total).toBe('99.99');
  });

  it('parks a record in another currency and a record without lines', () => {
    const r = planPurchaseOrder(po({ currency: 'GBP', lines: [] }), mappings, ref, DEFAULT_POLICY);
    expect(r.ok ? [] : r.issues.map((i) => i.code).sort()).toEqual(['currency-mismatch', 'no-lines']);
  });
});

describe('F1 planning: Exact purchase invoice → Procore direct cost', () => {
  const invoice: PurchaseInvoice = {
    kind: 'purchase-invoice',
    sourceId: 'e-1',
    entryNumber: '26700012',
    invoiceNumber: 'INV-2026-0042',
    supplier: { sourceId: 's-1', code: 'SUP-001', name: 'Beton Noord BV' },
    invoiceDate: '2026-10-15',
    dueDate: '2026-11-14',
    description: 'October deliveries',
    currency: 'EUR',
    sourceVersion: '1700000000000',
    lines: [
      { sourceLineId: 'el-1', lineNumber: 1, glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, projectCode: 'P26-001', description: 'Concrete', amount: '1234.56', vatAmount: '259.26' },
      { sourceLineId: 'el-2', lineNumber: 2, glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, projectCode: 'P26-001', description: 'Surcharge', amount: '0.44', vatAmount: '0.09' },
    ],
  };

  it('plans a direct cost of type invoice, amounts excl. VAT, to the cent', () => {
    const r = planPurchaseInvoice(invoice, mappings, ref, DEFAULT_POLICY);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.writes).toHaveLength(1);
    expect(r.writes[0]).toMatchObject({ originId: 'e-1', invoiceNumber: 'INV-2026-0042', vendorId: '562949953500001', status: 'pending', total: '1235.00' });
  });
});
