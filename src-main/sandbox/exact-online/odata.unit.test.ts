import { describe, expect, it } from 'vitest';
import { filterFields, lowerBound, matches, parseFilter, parseOrderBy, parseSelect } from './odata';

const row = {
  ID: '0b9f1c2e-1111-4a2b-9c3d-123456789abc',
  Code: '                25',
  Name: "O'Brien Bouw",
  IsSupplier: true,
  AmountDC: 1234.5,
  Timestamp: 20_000,
  Modified: `/Date(${Date.UTC(2026, 0, 15, 10, 0, 0)})/`,
  Notes: null,
};

const check = (filter: string): boolean => matches(parseFilter(filter), row);

describe('$filter (fact sheet §1.4)', () => {
  it('guid literals compare case-insensitively with guid fields', () => {
    expect(check("ID eq guid'0B9F1C2E-1111-4A2B-9C3D-123456789ABC'")).toBe(true);
    expect(check("ID ne guid'0b9f1c2e-1111-4a2b-9c3d-123456789abc'")).toBe(false);
  });

  it('datetime literals: date only is midnight UTC, date-time without zone is UTC', () => {
    expect(check("Modified ge datetime'2026-01-15'")).toBe(true);
    expect(check("Modified gt datetime'2026-01-15T10:00:00'")).toBe(false);
    expect(check("Modified ge datetime'2026-01-15T10:00:00'")).toBe(true);
    expect(check("Modified lt datetime'2026-01-15T11:00:00+02:00'")).toBe(false);
  });

  it('Int64 literals with L, decimals, booleans, null and escaped quotes', () => {
    expect(check('Timestamp gt 19999L')).toBe(true);
    expect(check('Timestamp gt 20000L')).toBe(false);
    expect(check('AmountDC eq 1234.50')).toBe(true);
    expect(check('IsSupplier eq true and Notes eq null')).toBe(true);
    expect(check("Name eq 'O''Brien Bouw'")).toBe(true);
  });

  it('and binds tighter than or; parentheses and not change that', () => {
    expect(check("IsSupplier eq false and Code eq 'x' or Timestamp eq 20000L")).toBe(true);
    expect(check("IsSupplier eq false and (Code eq 'x' or Timestamp eq 20000L)")).toBe(false);
    expect(check('not (IsSupplier eq false)')).toBe(true);
  });

  it('trim(), substringof(), startswith(), tolower()', () => {
    expect(check("Code eq '25'")).toBe(false);
    expect(check("trim(Code) eq '25'")).toBe(true);
    expect(check("substringof('brien', Name)")).toBe(true);
    expect(check("substringof('brien', Name) eq true")).toBe(true);
    expect(check("startswith(Name, 'O''B')")).toBe(true);
    expect(check("tolower(Name) eq 'o''brien bouw'")).toBe(true);
  });

  it('refuses impossible comparisons and malformed text with a 400 that says where', () => {
    expect(() => check("ID eq 'abc'")).toThrow(/incompatible/);
    expect(() => check("Modified ge '2026-01-01'")).toThrow(/incompatible/);
    expect(() => parseFilter("ID eq guid'xyz'")).toThrow(/not a GUID/);
    expect(() => parseFilter("Modified ge datetime'yesterday'")).toThrow(/not a date/);
    expect(() => parseFilter('(Code eq 1')).toThrow(/missing "\)"/);
    expect(() => parseFilter("Name eq 'open")).toThrow(/unterminated/);
    expect(() => parseFilter('Code eq 1 Code')).toThrow(/unexpected text at position 10/);
    expect(() => parseFilter('foo(Code)')).toThrow(/unknown function/);
    expect(() => parseFilter('Timestamp gt 1.5L')).toThrow(/Int64/);
  });

  it('reports the fields a filter uses and the Timestamp lower bound of an AND chain', () => {
    const node = parseFilter("Timestamp gt 5L and EntityType eq 22 and trim(Code) eq 'a'");
    expect([...filterFields(node)].sort()).toEqual(['Code', 'EntityType', 'Timestamp']);
    expect(lowerBound(node, 'Timestamp')).toEqual({ value: 5, inclusive: false });
    expect(lowerBound(parseFilter('Timestamp gt 5L or Timestamp gt 9L'), 'Timestamp')).toBeUndefined();
    expect(lowerBound(parseFilter('Timestamp ge 7L and Timestamp gt 3L'), 'Timestamp')).toEqual({ value: 7, inclusive: true });
  });
});

describe('$orderby and $select', () => {
  it('parses directions and rejects junk', () => {
    expect(parseOrderBy('Modified desc, Code')).toEqual([
      { field: 'Modified', descending: true },
      { field: 'Code', descending: false },
    ]);
    expect(() => parseOrderBy('Modified sideways')).toThrow(/orderby/);
  });

  it('splits navigation selections (Lines/Field)', () => {
    const s = parseSelect('ID, PurchaseOrderLines/ItemCode,PurchaseOrderLines/AmountDC');
    expect([...(s.fields ?? [])]).toEqual(['ID', 'PurchaseOrderLines']);
    expect([...(s.nested.get('PurchaseOrderLines') ?? [])]).toEqual(['ItemCode', 'AmountDC']);
    expect(parseSelect('*').fields).toBeNull();
  });
});
