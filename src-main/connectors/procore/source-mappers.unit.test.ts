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

describe('a bad line is named as finance finds it in Procore: its place, description and cost code, never its id', () => {
  const PROCORE_ID = /\d{6,}/;
  const messageOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the row to be refused');
  };
  const coded = (id: string, description: string, amount: string, over: object = {}) => ({
    id,
    description,
    amount,
    cost_code: { id: '562949953421311', full_code: '03-300', name: 'Cast-in-place concrete' },
    line_item_type: { id: '21', code: 'S' },
    ...over,
  });
  const cost = { id: '562949953422000', direct_cost_type: 'invoice', invoice_number: 'PLDC-9902', status: 'approved', grand_total: '300.00', updated_at: '2026-04-01T10:00:00Z' };

  it('a direct cost line: its place in the document as listed, description and cost code', () => {
    const lines = [coded('562949953422154', 'Formwork', '100.00'), coded('562949953422155', 'Concrete pour', 'a hundred'), coded('562949953422156', 'Rebar', '100.00')];
    const message = messageOf(() => directCostFromWire(cost, '1', lines));
    expect(message).toBe('the amount of line 2 (Concrete pour, 03-300 Cast-in-place concrete) of Direct cost invoice PLDC-9902 is not an amount: "a hundred"');
    expect(message).not.toMatch(PROCORE_ID);
    // The record keeps Procore's ids for its keys.
    const ok = directCostFromWire(cost, '1', [lines[0]!, { ...lines[1]!, amount: '100.00' }, lines[2]!]);
    expect(ok.lines.map((l) => l.sourceLineId)).toEqual(['562949953422154', '562949953422155', '562949953422156']);
  });

  it('a quantity, a unit cost, a fraction of a cent, a missing id: each names the line the same way', () => {
    const one = (over: object) => [coded('562949953422155', 'Concrete pour', '300.00', over)];
    const messages = [
      messageOf(() => directCostFromWire(cost, '1', one({ quantity: '1.2.3' }))),
      messageOf(() => directCostFromWire(cost, '1', one({ unit_cost: 'ten' }))),
      messageOf(() => directCostFromWire(cost, '1', one({ amount: '299.995' }))),
      messageOf(() => directCostFromWire(cost, '1', one({ id: undefined }))),
    ];
    expect(messages[0]).toBe('the quantity of line 1 (Concrete pour, 03-300 Cast-in-place concrete) of Direct cost invoice PLDC-9902 is not a number: "1.2.3"');
    expect(messages[1]).toMatch(/^the unit cost of line 1 \(Concrete pour, 03-300 Cast-in-place concrete\) of /);
    expect(messages[2]).toMatch(/^the amount of line 1 \(Concrete pour, 03-300 Cast-in-place concrete\) of Direct cost invoice PLDC-9902 299.995 has fractions of a cent$/);
    expect(messages[3]).toBe('line 1 (Concrete pour, 03-300 Cast-in-place concrete) of Direct cost invoice PLDC-9902 has no valid id (got empty)');
    for (const message of messages) expect(message).not.toMatch(PROCORE_ID);
  });

  it('a cost code the project no longer has: the line by place and description, not the code’s id', () => {
    const line = { id: '562949953422155', description: 'Concrete pour', amount: '300.00', cost_code_id: '562949953429999' };
    const message = messageOf(() => directCostFromWire(cost, '1', [line], index));
    expect(message).toBe('line 1 (Concrete pour) of Direct cost invoice PLDC-9902 is coded to a cost code the project no longer has');
  });

  it('a commitment line: its place by Procore’s position; the index supplies the cost code; long texts are cut', () => {
    const row = { id: '562949953421000', number: 'SC-001', title: 'Beton', status: 'Approved', grand_total: '300.00', updated_at: '2026-04-01T10:00:00Z' };
    const lines = [
      { id: '562949953422201', position: 3, description: 'Finishing', amount: '100.00', cost_code_id: '11' },
      { id: '562949953422202', position: 1, description: `Concrete ${'pour '.repeat(100)}`, amount: '1,00', cost_code_id: '11' },
      { id: '562949953422203', position: 2, description: '', amount: '100.00', cost_code_id: '12' },
    ];
    const message = messageOf(() => commitmentFromWire(row, 'work-order', '1', lines, index));
    expect(message).toBe('the amount of line 1 (Concrete pour pour pour pour pour pour…, 03-300 Concrete) of Subcontract SC-001 is not an amount: "1,00"');
    expect(messageOf(() => commitmentFromWire(row, 'work-order', '1', [lines[0]!, { ...lines[1]!, amount: '100.00' }, { ...lines[2]!, quantity: 'x' }], index))).toMatch(
      /^the quantity of line 2 \(05-100 Steel\) of Subcontract SC-001 is not a number/,
    );
  });

  it('a change order line and a pay application item: by their place among their kind', () => {
    const co = { id: '562949953423000', contract_id: '301', number: '002', status: 'approved', grand_total: '100.00', updated_at: '2026-04-01T10:00:00Z' };
    expect(messageOf(() => changeOrderFromWire({ ...co, line_items: [{ id: '562949953423001', amount: 'x', cost_code_id: '12' }] }, '1', index))).toBe(
      'the amount of line 1 (05-100 Steel) of Commitment change order 002 is not an amount: "x"',
    );
    const message = messageOf(() =>
      requisitionFromWire(
        invoice({ total_claimed_amount: '2500.10' }),
        '1',
        { contract: [item({ id: '562949953424001' })], changeOrder: [item({ id: '562949953424002', cost_code_id: '12', description_of_work: 'Extra steel', work_completed_this_period: 'lots' })] },
        null,
        index,
      ),
    );
    expect(message).toBe('the work completed this period on change order item 1 (Extra steel, 05-100 Steel) of Subcontractor invoice #3 (F2026-1) on Onderaanneming Beton is not an amount: "lots"');
    expect(message).not.toMatch(PROCORE_ID);
  });
});
