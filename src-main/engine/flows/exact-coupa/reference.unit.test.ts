import { describe, expect, it } from 'vitest';
import type { CoupaAccount, CoupaChartOfAccounts, CoupaConnector, CoupaSupplier } from '../../../connectors/coupa';
import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { F5_REFERENCE_LISTS } from './mappings';
import { f5ReferenceData } from './reference';

const coupaSupplier = (id: string, number: string | null, name: string, status = 'active'): CoupaSupplier => ({
  id,
  number,
  name,
  displayName: null,
  status,
  poEmail: null,
  taxId: null,
  paymentTermCode: null,
  primaryContact: null,
  remitTos: [{ id: `r${id}`, code: `RT-${number ?? id}`, name: null, active: status !== 'inactive' }],
  updatedAt: null,
});

function lists(suppliers: CoupaSupplier[]) {
  let exactReads = 0;
  const coupa = { listSuppliers: async () => suppliers } as unknown as CoupaConnector;
  const exact = {
    readSuppliers: async () => {
      exactReads += 1;
      return [
        { code: '40001', name: 'Van den Berg Betonmortel B.V.' },
        { code: '40077', name: 'Bouwbedrijf De Vries' },
      ];
    },
  } as unknown as ExactOnlineConnector;
  return { reference: f5ReferenceData(exact, coupa, () => ({ accountType: { id: '1' } })), exactReads: () => exactReads };
}

describe('F5 picker lists', () => {
  it('Coupa suppliers by number; an inactive one is offered (marked), not left out', async () => {
    const { reference, exactReads } = lists([coupaSupplier('1', '40001', 'Van den Berg Betonmortel B.V.'), coupaSupplier('2', '40002', 'Oud B.V.', 'inactive')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaSuppliers)).toEqual([
      { value: '40001', label: 'Van den Berg Betonmortel B.V.', code: '40001', detail: 'Coupa id 1' },
      { value: '40002', label: 'Oud B.V.', code: '40002', detail: 'Coupa id 2, inactive in Coupa' },
    ]);
    // Every Coupa supplier has a number: Exact is not read.
    expect(exactReads()).toBe(0);
  });

  it('a Coupa supplier without a number is offered under the Exact code of the same name (what "Suggest links" proposes)', async () => {
    const { reference } = lists([coupaSupplier('7', null, 'Bouwbedrijf de Vries B.V.')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaSuppliers)).toEqual([
      { value: '40077', label: 'Bouwbedrijf de Vries B.V.', code: '40077', detail: 'Coupa id 7, no number yet: the link gives it number 40077' },
    ]);
  });

  it('remit-to codes name their supplier', async () => {
    const { reference } = lists([coupaSupplier('1', '40001', 'Van den Berg Betonmortel B.V.')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaRemitTos)).toEqual([
      { value: 'RT-40001', label: 'RT-40001', code: 'RT-40001', detail: 'of Van den Berg Betonmortel B.V. (40001)' },
    ]);
  });
});

const account = (id: string, gl: string, cc: string | null, active = true): CoupaAccount => ({
  id,
  code: cc ? `${gl}-${cc}` : gl,
  name: null,
  active,
  accountTypeId: '1',
  accountTypeName: 'Maasland',
  segments: [gl, cc, ...Array<null>(18).fill(null)],
});

/** A list's options, whether or not it names its scope. */
const optionsOf = (list: ReferenceOption[] | { options: ReferenceOption[] }): ReferenceOption[] => (Array.isArray(list) ? list : list.options);

function chartLists(accounts: CoupaAccount[], chart: CoupaChartOfAccounts = { accountType: { name: 'Maasland' } }) {
  const asked: unknown[] = [];
  const coupa = {
    listAccounts: async (type: unknown) => {
      asked.push(type);
      return accounts;
    },
  } as unknown as CoupaConnector;
  const reference = f5ReferenceData({} as ExactOnlineConnector, coupa, () => chart);
  return { reference: { referenceData: async (list: string) => optionsOf(await reference.referenceData(list)), raw: reference }, asked };
}

describe('F5 Coupa account segment pickers', () => {
  it('offers each GL and cost-center segment value of the chart once; both lists share one read of the chart', async () => {
    const { reference, asked } = chartLists([account('1', '4000', 'KST-10'), account('2', '4000', 'KST-11'), account('3', '4010', 'KST-10')]);
    const [gl, cc] = await Promise.all([
      reference.referenceData(F5_REFERENCE_LISTS.coupaGlSegments),
      reference.referenceData(F5_REFERENCE_LISTS.coupaCostCenterSegments),
    ]);
    expect(gl.map((o) => [o.value, o.detail])).toEqual([
      ['4000', 'in 2 active accounts of chart Maasland, e.g. 4000-KST-10'],
      ['4010', 'in 1 active account of chart Maasland, e.g. 4010-KST-10'],
    ]);
    expect(cc.map((o) => o.value)).toEqual(['KST-10', 'KST-11']);
    expect(asked).toEqual([{ name: 'Maasland' }]);
  });

  it('a value only inactive accounts carry is offered but refused (inactive); "none" where an account has no cost center', async () => {
    const { reference } = chartLists([account('1', '4000', 'KST-10'), account('2', '4000', 'KST-09', false), account('3', '4990', null)]);
    const cc = await reference.referenceData(F5_REFERENCE_LISTS.coupaCostCenterSegments);
    expect(cc.find((o) => o.value === 'KST-09')).toMatchObject({ inactive: true, detail: 'only on inactive accounts of chart Maasland: 4000-KST-09' });
    expect(cc.find((o) => o.value === 'KST-10')?.inactive).toBeUndefined();
    expect(cc.find((o) => o.value === 'none')).toMatchObject({ label: 'No cost center' });
  });

  it('follows the configured segments: GL in segment 2, no cost-center segment', async () => {
    const { reference } = chartLists([account('1', 'NL', '4000')], { accountType: { id: '1' }, glAccountSegment: 2, costCenterSegment: null });
    expect((await reference.referenceData(F5_REFERENCE_LISTS.coupaGlSegments)).map((o) => o.value)).toEqual(['4000']);
    expect((await reference.referenceData(F5_REFERENCE_LISTS.coupaCostCenterSegments)).map((o) => o.value)).toEqual(['none']);
  });

  it('the accounts table checks GL + cost center as one account: each pair of the chart once, inactive when only inactive accounts carry it, named by chart; one read shared with both segment lists', async () => {
    const { reference, asked } = chartLists([account('1', '4000', 'KST-10'), account('2', '4000', 'KST-09', false), account('3', '4990', null), account('4', '4010', 'KST-10')]);
    const [pairs] = await Promise.all([
      reference.raw.referenceData(F5_REFERENCE_LISTS.coupaAccounts),
      reference.referenceData(F5_REFERENCE_LISTS.coupaGlSegments),
      reference.referenceData(F5_REFERENCE_LISTS.coupaCostCenterSegments),
    ]);
    expect(asked).toHaveLength(1);
    expect(pairs).toMatchObject({ scope: 'chart Maasland' });
    expect(optionsOf(pairs).map((o) => [o.value, o.code, o.inactive ?? false])).toEqual([
      ['4000|KST-09', '4000-KST-09', true],
      ['4000|KST-10', '4000-KST-10', false],
      ['4010|KST-10', '4010-KST-10', false],
      ['4990|none', '4990', false],
    ]);
    // A pair no account carries is not offered, though both its segments are.
    expect(optionsOf(pairs).some((o) => o.value === '4010|KST-09')).toBe(false);
  });

  it('a chart Coupa lists no accounts for (dynamic accounts) leaves the segments typed, saying why', async () => {
    const { reference } = chartLists([]);
    await expect(reference.referenceData(F5_REFERENCE_LISTS.coupaGlSegments)).rejects.toThrow(
      'Coupa lists no accounts in chart Maasland (a dynamic chart creates them when used), so the segments are typed as the chart names them.',
    );
  });
});
