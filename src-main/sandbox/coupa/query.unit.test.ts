import { describe, expect, it } from 'vitest';
import { CoupaError } from './errors';
import { matches, parseFilters, parseInstant, parseOrder, parsePaging, shape, sortRecords } from './query';

const roots = new Set(['id', 'po-number', 'updated-at', 'supplier', 'order-lines', 'exported']);
const filters = (qs: string) => parseFilters(new URLSearchParams(qs), roots);

describe('coupa query string (§3.3)', () => {
  const po = {
    id: 7,
    'po-number': 'EX-0007',
    exported: false,
    'updated-at': '2026-10-30T16:00:05+00:00',
    supplier: { id: 101, name: 'Acme B.V.' },
    'order-lines': [{ id: 1, account: { code: '4400' } }, { id: 2, account: { code: '4500' } }],
  };

  it('parses attribute[operator]=value with underscores mapped to hyphenated keys and association paths', () => {
    expect(filters('po_number[starts_with]=EX')).toEqual([{ path: ['po-number'], operator: 'starts_with', value: 'EX', param: 'po_number[starts_with]' }]);
    expect(filters('order_lines[account][code]=4500')[0]?.path).toEqual(['order-lines', 'account', 'code']);
    expect(filters('limit=5&offset=10&return_object=limited&fields=["id"]')).toEqual([]);
  });

  it('matches through arrays (any line), compares instants, and applies not_eq to every value', () => {
    expect(filters('order_lines[account][code]=4500').every((f) => matches(po, f))).toBe(true);
    expect(filters('order_lines[account][code][not_eq]=4500').every((f) => matches(po, f))).toBe(false);
    expect(filters('updated_at[gt]=2026-10-30T17:00:04%2B01:00').every((f) => matches(po, f))).toBe(true);
    expect(filters('updated_at[gt]=2026-10-30T16:00:05Z').every((f) => matches(po, f))).toBe(false);
    expect(filters('supplier[name][contains]=acme').every((f) => matches(po, f))).toBe(true);
    expect(filters('exported=false').every((f) => matches(po, f))).toBe(true);
    expect(filters('id[in]=1,7').every((f) => matches(po, f))).toBe(true);
  });

  it('takes hyphenated names as the underscored ones (Coupa examples use updated-at[gt]); paging, order and filter names are not filters', () => {
    expect(filters('po-number=X')).toEqual(filters('po_number=X').map((f) => ({ ...f, param: 'po-number' })));
    expect(filters('order-lines[account][code][not_eq]=4500')[0]).toMatchObject({ path: ['order-lines', 'account', 'code'], operator: 'not_eq' });
    expect(filters('order_by=id&dir=desc&filter=mine')).toEqual([]);
  });

  it('refuses unknown attributes, text operators on dates and an unencoded "+"', () => {
    for (const qs of ['colour=red', 'updated_at[ends_with]=Z', 'updated-at[contains]=2026', 'updated_at[starts_with]=2026', 'updated_at[gt]=2026-10-30T16:00:00+00:00'])
      expect(() => filters(qs)).toThrow(CoupaError);
    expect(parseInstant('2026-10-30', 'x')).toBe(Date.UTC(2026, 9, 30));
  });

  it('order_by/dir: ascending id by default, any known attribute (either spelling), ties by id, instants as instants', () => {
    expect(parseOrder(new URLSearchParams(''), roots)).toEqual({ key: 'id', descending: false });
    expect(parseOrder(new URLSearchParams('order_by=updated-at&dir=desc'), roots)).toEqual({ key: 'updated-at', descending: true });
    expect(() => parseOrder(new URLSearchParams('order_by=colour'), roots)).toThrow(/unknown attribute/);
    expect(() => parseOrder(new URLSearchParams('dir=up'), roots)).toThrow(/asc or desc/);
    const rows = [
      { id: 1, 'updated-at': '2026-10-30T17:00:00+01:00', 'po-number': 'B' },
      { id: 2, 'updated-at': '2026-10-30T15:30:00+00:00', 'po-number': 'A' },
      { id: 3, 'updated-at': '2026-10-30T16:00:00+00:00', 'po-number': 'A' },
    ];
    expect(sortRecords([...rows], { key: 'updated-at', descending: false }).map((r) => r.id)).toEqual([2, 1, 3]);
    expect(sortRecords([...rows], { key: 'po-number', descending: false }).map((r) => r.id)).toEqual([2, 3, 1]);
    expect(sortRecords([...rows], { key: 'po-number', descending: true }).map((r) => r.id)).toEqual([1, 3, 2]);
  });

  it('limit is at most 50 (clamped or refused), offset a whole number', () => {
    expect(parsePaging(new URLSearchParams('limit=80'), 50, 'clamp')).toEqual({ limit: 50, offset: 0 });
    expect(() => parsePaging(new URLSearchParams('limit=80'), 50, 'error')).toThrow(/above the maximum/);
    expect(() => parsePaging(new URLSearchParams('offset=-1'), 50, 'clamp')).toThrow(CoupaError);
  });

  it('shape: limited keeps the id, shallow reduces associations, fields selects nested names', () => {
    expect(shape(po, 'limited', null)).toEqual({ id: 7 });
    expect(shape(po, 'shallow', null)?.['order-lines']).toEqual([{ id: 1 }, { id: 2 }]);
    expect(shape(po, 'full', ['po_number', { order_lines: ['id'] }])).toEqual({ 'po-number': 'EX-0007', 'order-lines': [{ id: 1 }, { id: 2 }] });
  });
});
