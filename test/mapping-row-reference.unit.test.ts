import { describe, expect, it } from 'vitest';
import { F5_MAPPING_SET_DEFINITIONS } from '../src-main/engine/flows/exact-coupa/mappings';
import { FLOWS } from '../src-main/engine/flows/registry';
import { checkAgainstSystems, type TableReference } from '../src-main/host/mapping-tables';
import type { MappingRowView, ReferenceFieldView, ReferenceOption } from '../src-shared/ipc';

/**
 * A table's rowReference: the target fields checked together against one list (F5's GL +
 * cost-center pair as one Coupa account), beside each field's own list.
 */
const accounts = F5_MAPPING_SET_DEFINITIONS.find((d) => d.set === 'accounts')!;
const option = (value: string, extra: Partial<ReferenceOption> = {}): ReferenceOption => ({ value, label: value, code: value, detail: null, ...extra });
const field = (options: ReferenceOption[]): ReferenceFieldView => ({ system: 'coupa', options, error: null });
const reference = (row: ReferenceFieldView | undefined): TableReference => ({
  fields: {
    coupaGlAccount: field([option('4000'), option('4010')]),
    coupaCostCenter: field([option('KST-10'), option('KST-11'), option('KST-09', { inactive: true }), option('none')]),
  },
  row,
});
const pairs = field([option('4000|KST-10', { code: '4000-KST-10' }), option('4000|KST-11', { code: '4000-KST-11', inactive: true }), option('4010|KST-10', { code: '4010-KST-10' }), option('4010|none', { code: '4010' })]);
const row = (gl: string, cc: string | null, coupaGl: string, coupaCc: string): MappingRowView => ({ sourceKey: { glAccountCode: gl, costCenterCode: cc }, target: { coupaGlAccount: coupaGl, coupaCostCenter: coupaCc } });
const name = (i: number) => `Row ${i + 1}`;

describe('mapping row check (rowReference)', () => {
  it("refuses a pair of segments the chart has no active account for, naming the row in the source's words and the chart", () => {
    const rows = [row('4000', 'KST-10', '4000', 'KST-10'), row('4010', 'KST-11', '4010', 'KST-11'), row('4010', null, '4010', 'none'), row('4000', 'KST-11', '4000', 'KST-11')];
    const checked = checkAgainstSystems(accounts, rows, reference({ ...pairs, scope: 'chart Maasland' }), name);
    expect(checked.problems.map((p) => p.message)).toEqual([
      'Row 2 (Exact Online GL account 4010 / Cost center KST-11): Coupa chart Maasland has no active account 4010-KST-11; create it in Coupa or pick another pair',
      'Row 4 (Exact Online GL account 4000 / Cost center KST-11): Coupa chart Maasland has no active account 4000-KST-11 (it is inactive); activate it in Coupa or pick another pair',
    ]);
    expect(checked.problems[0]!.carried).toBe(
      'Row 2 (Exact Online GL account 4010 / Cost center KST-11): Coupa chart Maasland has no active account 4010-KST-11; records using it stay in Pending until it is created there or the row is changed',
    );
    expect(checked.unchecked).toBeNull();
  });

  it('a row whose own segment is refused is named once; "none" is left out of the account name', () => {
    const checked = checkAgainstSystems(accounts, [row('4000', 'KST-09', '4000', 'KST-09'), row('4000', null, '4000', 'none')], reference(pairs), name);
    expect(checked.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^Row 1: Coupa cost-center segment .*KST-09 is inactive in Coupa; choose an active one$/),
      'Row 2 (Exact Online GL account 4000 / Cost center (none)): Coupa has no active account 4000; create it in Coupa or pick another pair',
    ]);
  });

  it('a pair list that could not be read checks no pair and says so; a table without a rowReference is unaffected', () => {
    const unread = checkAgainstSystems(accounts, [row('4010', 'KST-11', '4010', 'KST-11')], reference({ system: 'coupa', options: [], error: 'Coupa did not answer.' }), name);
    expect(unread.problems).toEqual([]);
    expect(unread.unchecked).toBe('Not checked: Coupa GL segment + Coupa cost-center segment ("none" = none) together: Coupa did not answer.');
    expect(checkAgainstSystems(accounts, [row('4010', 'KST-11', '4010', 'KST-11')], reference(undefined), name).problems).toEqual([]);
  });

  it("every rowReference names its table's target fields and a list of one of its flow's systems", () => {
    const declared = FLOWS.flatMap((f) => f.mappingSets.filter((d) => d.rowReference).map((d) => ({ flow: f, d })));
    expect(declared.map(({ d }) => `${d.flow}/${d.set}`)).toContain('exact-coupa/accounts');
    for (const { flow, d } of declared) {
      for (const f of d.rowReference!.fields) expect(d.targetFields.map((t) => t.name)).toContain(f);
      expect((flow.systems as readonly string[]).includes(d.rowReference!.system)).toBe(true);
    }
  });
});
