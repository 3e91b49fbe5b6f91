import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './model';
import { coupaAccountCode, parsePolicy, settingRowsOf } from './policy';

describe('F5 policy from the "Coupa settings" table', () => {
  it('no rows: the sandbox instance values (chart id 1, ship-to inkoop, bill-to HQ, issuing off, Coupa → Exact off)', () => {
    expect(parsePolicy([])).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toMatchObject({
      chartOfAccounts: { accountType: { id: '1' } },
      shipToUserLogin: 'inkoop',
      billToLocationCode: 'HQ',
      issuePurchaseOrders: 'off',
      suppliersFromCoupa: false,
    });
  });

  it('the seeded rows say the defaults back (round trip)', () => {
    expect(parsePolicy(settingRowsOf(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
  });

  it('reads every setting', () => {
    const policy = parsePolicy([
      { name: 'poNumberPrefix', value: 'none' },
      { name: 'accountType', value: 'Maasland & Hartley Bouw B.V.' },
      { name: 'glAccountSegment', value: '2' },
      { name: 'costCenterSegment', value: '1' },
      { name: 'accountCodeSeparator', value: '.' },
      { name: 'shipToUser', value: 'buyer' },
      { name: 'shipToAddress', value: 'none' },
      { name: 'billToAddress', value: 'AP' },
      { name: 'issuePurchaseOrders', value: 'issue-without-send' },
      { name: 'markExported', value: 'yes' },
      { name: 'cancelledPurchaseOrders', value: 'leave' },
      { name: 'createSuppliersInCoupa', value: 'no' },
      { name: 'suppliersFromCoupa', value: 'on' },
      { name: 'supplierField.email', value: 'coupa-to-exact' },
    ]);
    expect(policy).toMatchObject({
      poNumberPrefix: '',
      chartOfAccounts: { accountType: { name: 'Maasland & Hartley Bouw B.V.' }, glAccountSegment: 2, costCenterSegment: 1, codeSeparator: '.' },
      shipToUserLogin: 'buyer',
      shipToAddress: 'none',
      billToLocationCode: 'AP',
      issuePurchaseOrders: 'issue-without-send',
      markExported: true,
      cancelledPurchaseOrders: 'leave',
      createSuppliersInCoupa: false,
      suppliersFromCoupa: true,
      supplierFields: { ...DEFAULT_POLICY.supplierFields, email: 'coupa-to-exact' },
    });
    expect(parsePolicy([{ name: 'costCenterSegment', value: 'none' }]).chartOfAccounts.costCenterSegment).toBeNull();
  });

  it('refuses what it cannot use, in words', () => {
    expect(() => parsePolicy([{ name: 'colour', value: 'red' }])).toThrow(/"colour" is not a Coupa setting \(the settings are: poNumberPrefix/);
    expect(() => parsePolicy([{ name: 'issuePurchaseOrders', value: 'sometimes' }])).toThrow(/must be off, issue, issue-without-send/);
    expect(() => parsePolicy([{ name: 'markExported', value: 'maybe' }])).toThrow(/must be yes or no/);
    expect(() => parsePolicy([{ name: 'glAccountSegment', value: '21' }])).toThrow(/from 1 to 20/);
    expect(() => parsePolicy([{ name: 'glAccountSegment', value: '2' }])).toThrow(/cannot be the same segment/);
    expect(() => parsePolicy([{ name: 'creditNoteReference', value: 'factuur \\S+' }])).toThrow(/needs a group/);
    expect(() => parsePolicy([{ name: 'creditNoteReference', value: '(' }])).toThrow(/not a valid pattern/);
    expect(() => parsePolicy([{ name: 'shipToUser', value: 'a' }, { name: 'shipToUser', value: 'b' }])).toThrow(/given twice/);
  });

  it('account codes as Coupa builds them: segments in segment order, joined', () => {
    expect(coupaAccountCode(DEFAULT_POLICY.chartOfAccounts, '4100', 'KST-14')).toBe('4100-KST-14');
    expect(coupaAccountCode(DEFAULT_POLICY.chartOfAccounts, '4100', null)).toBe('4100');
    expect(coupaAccountCode({ accountType: { id: '1' }, glAccountSegment: 3, costCenterSegment: 1, codeSeparator: '.' }, '4100', 'KST-14')).toBe('KST-14.4100');
    expect(coupaAccountCode({ accountType: { id: '1' }, costCenterSegment: null }, '4100', 'KST-14')).toBe('4100');
  });
});
