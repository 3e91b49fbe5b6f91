import { describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  ProcoreResponseShapeError,
  commitmentToWire,
  costCodeIndex,
  directCostLineToWire,
  directCostToWire,
  flattenFieldErrors,
  idFromWire,
  idToWire,
  lineFromWire,
  lineItemTypeIndex,
  lineToWire,
  moneyFromWire,
  moneyToWire,
  normaliseFieldErrors,
  parseProcoreJson,
  projectFromWire,
  sumOfLines,
  vendorFromWire,
} from './mappers';
import type { CommitmentUpsert, LineUpsert } from './types';

const line = (overrides: Partial<LineUpsert> = {}): LineUpsert => ({
  originId: 'line-1',
  description: 'Concrete',
  amount: '1000.5',
  quantity: null,
  unitCost: null,
  uom: null,
  costCodeId: '562949953421312',
  lineItemTypeId: '17',
  ...overrides,
});

describe('ids', () => {
  it('keeps ids above 2^53 exact when parsing a response, and leaves strings alone', () => {
    const text =
      '{"id": 9007199254740993, "vendor_id":12345678901234567891, "lines":[{"id":4294967297}],' +
      ' "name":"say \\"id\\": 5", "position": 9007199254740993, "amount":"1.10"}';
    const parsed = parseProcoreJson(text) as Record<string, unknown>;
    expect(parsed['id']).toBe('9007199254740993');
    expect(parsed['vendor_id']).toBe('12345678901234567891');
    expect((parsed['lines'] as Array<Record<string, unknown>>)[0]?.['id']).toBe('4294967297');
    expect(parsed['name']).toBe('say "id": 5');
    // Only id keys are protected; other numbers are ordinary JSON numbers.
    expect(typeof parsed['position']).toBe('number');
    expect(parsed['amount']).toBe('1.10');
  });

  it('reads ids as exact digit strings and names the record when one is missing', () => {
    expect(idFromWire(562949953421312, 'a project')).toBe('562949953421312');
    expect(idFromWire('98765432109876543210', 'a project')).toBe('98765432109876543210');
    expect(() => idFromWire(undefined, 'cost code 01-100')).toThrow(/cost code 01-100 without a valid id/);
    expect(() => idFromWire(1.5, 'a vendor')).toThrow(ProcoreResponseShapeError);
  });

  it('writes safe ids as numbers and larger ones as lossless digit strings', () => {
    expect(idToWire('562949953421312', 'vendor')).toBe(562949953421312);
    expect(idToWire('9007199254740993', 'vendor')).toBe('9007199254740993');
    expect(() => idToWire('12a', 'vendor of commitment PO-1')).toThrow(InvalidInputError);
    expect(() => idToWire('', 'vendor')).toThrow(/vendor "" is not a Procore id/);
  });
});

describe('money', () => {
  it('sends amounts as two-decimal strings and refuses fractions of a cent or floats in disguise', () => {
    expect(moneyToWire('100', 'amount')).toBe('100.00');
    expect(moneyToWire(' 12.5', 'amount')).toBe('12.50');
    expect(moneyToWire('-0.01', 'amount')).toBe('-0.01');
    expect(() => moneyToWire('1.005', 'amount of line L1')).toThrow(
      /amount of line L1 1.005 has fractions of a cent/,
    );
    expect(() => moneyToWire('1e3', 'amount')).toThrow(InvalidInputError);
    expect(() => moneyToWire('1,000.00', 'amount')).toThrow(InvalidInputError);
  });

  it('reads Procore money strings exactly and rejects numbers', () => {
    expect(moneyFromWire('1234567890123.45', 'grand_total').toMoneyString()).toBe('1234567890123.45');
    expect(() => moneyFromWire(1.1, 'the grand_total of commitment X')).toThrow(
      /the grand_total of commitment X as 1.1/,
    );
    expect(() => moneyFromWire(null, 'grand_total')).toThrow(ProcoreResponseShapeError);
  });

  it('sums line amounts exactly (0.10 + 0.20 is 0.30, not 0.30000000000000004)', () => {
    const total = sumOfLines([
      line({ amount: '0.10' }),
      line({ amount: '0.20' }),
      line({ amount: '999999999.99' }),
    ]);
    expect(total.toMoneyString()).toBe('1000000000.29');
  });
});

describe('public types -> wire', () => {
  const commitment: CommitmentUpsert = {
    originId: 'exact-po-guid-1',
    projectId: '562949953421312',
    vendorId: '562949953421400',
    title: 'PO 20001 Concrete supplier',
    number: '20001',
    description: 'From Exact',
    status: 'Draft',
    contractDate: '2026-03-01',
    originCode: '20001',
    lines: [],
  };

  it('maps a commitment header with accounting method amount', () => {
    expect(commitmentToWire(commitment)).toEqual({
      origin_id: 'exact-po-guid-1',
      origin_code: '20001',
      title: 'PO 20001 Concrete supplier',
      number: '20001',
      description: 'From Exact',
      status: 'Draft',
      vendor_id: 562949953421400,
      contract_date: '2026-03-01',
      accounting_method: 'amount',
    });
  });

  it('maps a line, with quantity / unit cost / uom only when given', () => {
    expect(lineToWire(line(), 1)).toEqual({
      origin_id: 'line-1',
      description: 'Concrete',
      amount: '1000.50',
      cost_code_id: 562949953421312,
      line_item_type_id: 17,
    });
    expect(lineToWire(line({ quantity: '3', unitCost: '333.50', uom: 'm3' }), 1)).toMatchObject({
      quantity: '3',
      unit_cost: '333.5',
      uom: 'm3',
    });
    expect(() => lineToWire(line({ quantity: 'three' }), 2)).toThrow(/^quantity of line 2 \(Concrete\): /);
  });

  it('names a bad line by its place and description, never by its origin id (the ERP line GUID)', () => {
    const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const messageOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    const bad = line({ originId: guid, description: `Formwork ${'x'.repeat(200)}`, amount: '12.345' });
    const messages = [
      messageOf(() => lineToWire(bad, 3)),
      messageOf(() => sumOfLines([line(), line(), line({ originId: guid, amount: 'abc' })])),
      messageOf(() => directCostLineToWire(line({ originId: guid, costCodeId: 'cc' }), 1, '9')),
    ];
    expect(messages[0]).toMatch(/^amount of line 3 \(Formwork x+…\) 12.345 has fractions of a cent/);
    expect(messages[0]!.length).toBeLessThan(120);
    expect(messages[1]).toMatch(/^amount of line 3 \(Concrete\): /);
    expect(messages[2]).toMatch(/^cost code of line 1 \(Concrete\) "cc" is not a Procore id/);
    for (const message of messages) expect(message).not.toContain(guid);
  });

  it('maps a direct cost as an invoice and its lines with their parent id', () => {
    expect(
      directCostToWire({
        originId: 'inv-1',
        projectId: '1',
        vendorId: '2',
        invoiceNumber: 'F-77',
        date: '2026-03-02',
        description: 'Invoice F-77',
        status: 'pending',
        lines: [],
      }),
    ).toEqual({
      origin_id: 'inv-1',
      direct_cost_type: 'invoice',
      invoice_number: 'F-77',
      vendor_id: 2,
      direct_cost_date: '2026-03-02',
      status: 'pending',
      description: 'Invoice F-77',
    });
    expect(directCostLineToWire(line(), 1, '9007199254740993')).toMatchObject({
      direct_cost_id: '9007199254740993',
      origin_id: 'line-1',
      amount: '1000.50',
    });
  });
});

describe('wire -> public types', () => {
  it('maps projects and vendors, defaulting absent flags to active', () => {
    expect(
      projectFromWire({ id: '562949953421312', name: 'Tower', project_number: 'P-1', active: false }),
    ).toEqual({
      id: '562949953421312',
      name: 'Tower',
      projectNumber: 'P-1',
      active: false,
      originId: null,
    });
    expect(vendorFromWire({ id: 5, name: 'Beton BV', origin_id: 'S-1', origin_code: '1000' })).toEqual({
      id: '5',
      name: 'Beton BV',
      active: true,
      originId: 'S-1',
      originCode: '1000',
    });
  });

  it('indexes cost codes by full_code (live ones only) and line item types by code', () => {
    const index = costCodeIndex(
      [
        { id: '11', code: '100', full_code: '01-100' },
        { id: '12', code: '200', full_code: '01-200', deleted_at: '2026-01-01T00:00:00Z' },
      ],
      'P',
    );
    expect([...index]).toEqual([['01-100', '11']]);
    expect(() => costCodeIndex([{ id: '13' }], '42')).toThrow(/cost code of project 42 without full_code/);
    expect([
      ...lineItemTypeIndex([
        { id: '1', code: 'M' },
        { id: '2', code: null },
      ]),
    ]).toEqual([['M', '1']]);
  });

  it('maps a found line with its amount to the cent', () => {
    expect(lineFromWire({ id: '4294967297', origin_id: 'L', amount: '10.5' }, 'commitment X')).toEqual({
      id: '4294967297',
      originId: 'L',
      amount: '10.50',
    });
  });
});

describe('per-field errors', () => {
  it('flattens Procore field errors into one readable sentence, record-level first', () => {
    const errors = normaliseFieldErrors({
      vendor_id: ['vendor 7 does not exist in this company'],
      amount: 'must have at most 2 decimal places.',
      base: ['The schedule of values is locked'],
    });
    expect(errors).toEqual({
      vendor_id: ['vendor 7 does not exist in this company'],
      amount: ['must have at most 2 decimal places.'],
      base: ['The schedule of values is locked'],
    });
    expect(flattenFieldErrors(errors)).toBe(
      'The schedule of values is locked; Vendor id: vendor 7 does not exist in this company; Amount: must have at most 2 decimal places.',
    );
  });

  it('treats a plain text error as record-level and never returns an empty message', () => {
    expect(flattenFieldErrors(normaliseFieldErrors('Entity with this ID not found'))).toBe(
      'Entity with this ID not found.',
    );
    expect(flattenFieldErrors(normaliseFieldErrors(null))).toBe(
      'Procore refused the item without saying why.',
    );
    expect(flattenFieldErrors({ cost_code_id: ['', '  '] })).toBe(
      'Procore refused the item without saying why.',
    );
  });
});
