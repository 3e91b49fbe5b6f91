import { describe, expect, it } from 'vitest';
import { costCodeToWire, vendorToWire } from './mappers';
import {
  ProcoreMappingError,
  changeOrderFromWire,
  codingIndex,
  commitmentFromWire,
  commitmentKindOf,
  directCostFromWire,
  requisitionFromWire,
  vendorRecordFromWire,
} from './source-mappers';
import type { WireRequisition, WireRequisitionItem } from './wire';

const index = codingIndex(
  [
    { id: '11', code: '300', full_code: '03-300', name: 'Concrete' },
    { id: '12', code: '100', full_code: '05-100', name: 'Steel' },
  ],
  [{ id: '21', code: 'S', name: 'Subcontract' }],
);

const item = (over: Partial<WireRequisitionItem> = {}): WireRequisitionItem => ({
  id: '501',
  line_item_id: '401',
  cost_code_id: '11',
  description_of_work: 'Concrete',
  scheduled_value: '10000.00',
  work_completed_from_previous_application: '1000.00',
  work_completed_this_period: '2000.10',
  materials_presently_stored: '0.00',
  total_completed_and_stored_to_date: '3000.10',
  work_completed_retainage_retained_this_period: '100.01',
  ...over,
});

const invoice = (over: Partial<WireRequisition> = {}): WireRequisition => ({
  id: '900000000000000001',
  commitment_id: '301',
  commitment_type: 'WorkOrderContract',
  contract_name: 'Onderaanneming Beton',
  number: 3,
  invoice_number: 'F2026-1',
  status: 'approved',
  vendor_name: 'Beton B.V.',
  total_claimed_amount: '2500.10',
  summary: { current_payment_due: '2375.09', formatted_period: '2026-03-01 - 2026-03-31' },
  updated_at: '2026-04-01T10:00:00Z',
  ...over,
});

describe('requisitionFromWire', () => {
  it('keeps ids exact, adds contract and change-order lines, and computes retainage and net payable to the cent', () => {
    const record = requisitionFromWire(
      invoice(),
      '1',
      {
        contract: [item()],
        changeOrder: [item({ id: '502', line_item_id: '601', change_order_package_id: '701', cost_code_id: '12', work_completed_this_period: '500.00', work_completed_retainage_retained_this_period: '25.00' })],
      },
      { kind: 'work-order', number: 'SC-001', vendor: { id: '801', name: 'Beton B.V.' } },
      index,
    );
    expect(record).toMatchObject({
      sourceId: '900000000000000001',
      commitmentType: 'work-order',
      commitmentNumber: 'SC-001',
      number: 3,
      vendor: { id: '801', name: 'Beton B.V.' },
      totalClaimed: '2500.10',
      retainageThisPeriod: '125.01',
      netPayable: '2375.09',
      summary: { current_payment_due: '2375.09' },
    });
    expect(record.lines.map((l) => [l.itemType, l.costCode, l.billedThisPeriod, l.changeOrderId])).toEqual([
      ['contract', '03-300', '2000.10', null],
      ['change-order', '05-100', '500.00', '701'],
    ]);
  });

  it('refuses an invoice whose items do not add up to its total, or whose cost code is gone', () => {
    expect(() => requisitionFromWire(invoice(), '1', { contract: [item()], changeOrder: [] }, null, index)).toThrow(
      /total claimed .* is 2500.10 but its contract and change order items add up to 2000.10/,
    );
    expect(() =>
      requisitionFromWire(invoice({ total_claimed_amount: '2000.10' }), '1', { contract: [item({ cost_code_id: '99' })], changeOrder: [] }, null, index),
    ).toThrow(ProcoreMappingError);
    expect(() =>
      requisitionFromWire(invoice({ total_claimed_amount: '2000.10', updated_at: null }), '1', { contract: [item()], changeOrder: [] }, null, index),
    ).toThrow(/has no updated_at/);
  });
});

describe('commitments, change orders, direct costs, vendors', () => {
  const line = { id: '401', description: 'Pour', amount: '1234.56', cost_code: { id: '11', full_code: '03-300', name: 'Concrete' }, line_item_type: { id: '21', code: 'S' } };

  it('maps a commitment with its SOV and refuses one whose grand total differs from its lines', () => {
    const row = { id: '301', number: 'SC-001', title: 'Beton', status: 'Approved', executed: true, vendor: { id: '801', name: 'Beton B.V.' }, grand_total: '1234.56', revised_contract: '1300.00', approved_change_orders: '65.44', updated_at: '2026-04-01T10:00:00Z' };
    const record = commitmentFromWire(row, 'work-order', '1', [line]);
    expect(record).toMatchObject({ commitmentType: 'work-order', grandTotal: '1234.56', revisedContract: '1300.00', vendor: { id: '801' } });
    expect(record.lines[0]).toMatchObject({ costCode: '03-300', lineItemTypeCode: 'S', amount: '1234.56' });
    expect(() => commitmentFromWire({ ...row, grand_total: '1234.57' }, 'work-order', '1', [line])).toThrow(/lines add up to 1234.56/);
  });

  it('maps a change order with or without line detail, negative amounts included', () => {
    const row = { id: '701', contract_id: '301', number: '002', title: 'Minderwerk', status: 'approved', grand_total: '-250.00', updated_at: '2026-04-01T10:00:00Z' };
    expect(changeOrderFromWire(row, '1').lines).toBeNull();
    const withLines = changeOrderFromWire({ ...row, line_items: [{ ...line, amount: '-250.00' }] }, '1');
    expect(withLines).toMatchObject({ commitmentId: '301', grandTotal: '-250.00', lines: [{ amount: '-250.00', costCode: '03-300' }] });
  });

  it('never rounds money: a fraction of a cent makes the row unreadable', () => {
    const row = { id: '5', direct_cost_type: 'invoice', status: 'approved', grand_total: '1.01', updated_at: '2026-04-01T10:00:00Z' };
    expect(() => directCostFromWire(row, '1', [{ ...line, amount: '1.005' }])).toThrow(/1.005 has fractions of a cent/);
    expect(directCostFromWire({ ...row, grand_total: '1234.56', vendor_id: '801', vendor_name: 'X' }, '1', [line]).vendor).toEqual({ id: '801', name: 'X' });
  });

  it('maps vendors and refuses one without a name', () => {
    expect(vendorRecordFromWire({ id: '801', name: ' Beton B.V. ', is_active: false, origin_id: 'V1', updated_at: '2026-04-01T10:00:00Z' })).toMatchObject({ name: 'Beton B.V.', active: false, originId: 'V1' });
    expect(() => vendorRecordFromWire({ id: '801', name: '', updated_at: '2026-04-01T10:00:00Z' })).toThrow(/has no name/);
  });

  it('reads the commitment kind from Procore’s type names', () => {
    expect(commitmentKindOf('WorkOrderContract')).toBe('work-order');
    expect(commitmentKindOf('PurchaseOrderContract')).toBe('purchase-order');
    expect(commitmentKindOf('Other')).toBeNull();
  });
});

describe('write-back mappers', () => {
  it('vendorToWire normalises the country, leaves absent fields out and clears blank ones', () => {
    expect(vendorToWire({ originId: 'V1', name: ' Beton ', countryCode: 'nl', city: '  ', procoreId: '900000000000000001' })).toEqual({
      id: '900000000000000001',
      origin_id: 'V1',
      name: 'Beton',
      country_code: 'NL',
      city: null,
    });
    expect(() => vendorToWire({ originId: 'V1', name: 'X', countryCode: 'NLD' })).toThrow(/two-letter ISO code/);
    expect(() => vendorToWire({ originId: ' ', name: 'X' })).toThrow(/without an ERP id/);
  });

  it('costCodeToWire needs an origin id, a code and a name', () => {
    expect(costCodeToWire({ originId: 'C1', code: ' 51-000 ', name: 'Sub', parentId: '12' })).toEqual({ origin_id: 'C1', code: '51-000', name: 'Sub', parent_id: 12 });
    expect(() => costCodeToWire({ originId: 'C1', code: '', name: 'Sub' })).toThrow(/has no code/);
  });
});

describe('hostile Procore rows the fuzz suite found (issue 18)', () => {
  const read = () => ({ contract: [item({ work_completed_this_period: '2500.10' })], changeOrder: [] });
  it('a billing date that is no calendar date parks the invoice (it crashed F3 planning its due date)', () => {
    expect(() => requisitionFromWire(invoice({ billing_date: 'yesterday' }), '1', read(), null, index)).toThrow(new ProcoreMappingError('the billing date of Subcontractor invoice #3 (F2026-1) on Onderaanneming Beton is not a calendar date (got "yesterday")'));
    expect(requisitionFromWire(invoice({ billing_date: '2026-03-31' }), '1', read(), null, index).billingDate).toBe('2026-03-31');
  });
  it('a value of the wrong type is described in words, not as raw JSON', () => {
    expect(() => requisitionFromWire(invoice({ total_claimed_amount: { results: 'x' } as never }), '1', read(), null, index)).toThrow(/is missing \(got a group of fields\)$/);
  });
  it('a huge invoice number is cut in the label', () => {
    let message = '';
    try {
      requisitionFromWire(invoice({ invoice_number: 'W'.repeat(60_000), billing_date: 'x' }), '1', read(), null, index);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.length).toBeGreaterThan(0);
    expect(message.length).toBeLessThan(300);
  });
});
