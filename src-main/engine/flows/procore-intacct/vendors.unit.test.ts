import { describe, expect, it } from 'vitest';
import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { BillPayment, BillPaymentStatus, IntacctVendor } from '../../../connectors/sage-intacct';
import type { VendorPairRecord } from './model';
import { planBillPayments } from './payments';
import { DEFAULT_POLICY } from './policy';
import { planTask } from './reference';
import { agreedAfter, intacctValues, planVendorPair, procoreValues, suggestVendorLinks } from './vendors';

const intacct = (extra: Partial<IntacctVendor> = {}): IntacctVendor => ({ recordNo: '1', vendorId: 'V-1', name: 'Meijer B.V.', active: true, taxId: null, termName: null, email: 'ap@meijer.nl', phone: null, key: 'V-1', modifiedAt: '2026-10-01T10:00:00', ...extra });
const procore = (extra: Partial<ProcoreVendorRecord> = {}): ProcoreVendorRecord => ({
  kind: 'procore-vendor',
  sourceId: '501',
  name: 'Meijer B.V.',
  legalName: null,
  abbreviatedName: null,
  active: true,
  address: null,
  city: null,
  stateCode: null,
  countryCode: null,
  zip: null,
  businessPhone: null,
  emailAddress: 'ap@meijer.nl',
  website: null,
  originId: null,
  originCode: null,
  originData: null,
  sourceVersion: '2026-10-01T10:00:00Z',
  ...extra,
});
const pair = (i: IntacctVendor, p: ProcoreVendorRecord | null, agreed = agreedAfter({}, intacctValues(intacct()), procoreValues(procore())), linkedBy: VendorPairRecord['linkedBy'] = 'mapping'): VendorPairRecord => ({ sourceId: i.vendorId, intacct: i, procore: p, linkedBy, agreed });
const plan = (p: VendorPairRecord) => planVendorPair(p, DEFAULT_POLICY);

describe('vendors both ways', () => {
  it('a vendor new in Intacct is created in Procore, linked by its VENDORID; an inactive one is not', () => {
    const result = plan(pair(intacct({ vendorId: 'V-9' }), null, {}, null));
    expect(result).toMatchObject({ ok: true, writes: [{ entity: 'procore-vendor', originId: 'V-9', vendor: { originId: 'V-9', originCode: 'V-9', name: 'Meijer B.V.', emailAddress: 'ap@meijer.nl', active: true } }] });
    expect(plan(pair(intacct({ active: false }), null, {}, null))).toEqual({ ok: true, writes: [] });
  });

  it('names and status follow Intacct; an e-mail changed on one side follows to the other', () => {
    expect(plan(pair(intacct({ name: 'Meijer Holding B.V.' }), procore()))).toMatchObject({ ok: true, writes: [{ entity: 'procore-vendor', vendor: { procoreId: '501', name: 'Meijer Holding B.V.' }, seenVersion: '2026-10-01T10:00:00Z' }] });
    // Procore renamed it: Intacct owns names, so Procore gets Intacct's back.
    expect(plan(pair(intacct(), procore({ name: 'Meijer Bouw' })))).toMatchObject({ ok: true, writes: [{ entity: 'procore-vendor', vendor: { name: 'Meijer B.V.' } }] });
    expect(plan(pair(intacct(), procore({ emailAddress: 'facturen@meijer.nl' })))).toMatchObject({ ok: true, writes: [{ entity: 'intacct-vendor', vendor: { vendorId: 'V-1', email: 'facturen@meijer.nl' }, seenVersion: '2026-10-01T10:00:00' }] });
    expect(plan(pair(intacct({ email: 'new@meijer.nl' }), procore()))).toMatchObject({ ok: true, writes: [{ entity: 'procore-vendor', vendor: { emailAddress: 'new@meijer.nl' } }] });
    expect(plan(pair(intacct({ email: 'AP@Meijer.nl' }), procore()))).toEqual({ ok: true, writes: [] });
  });

  it('the same field changed on both sides (or never agreed) waits for a person', () => {
    const both = plan(pair(intacct({ phone: '010-1' }), procore({ businessPhone: '010-2' })));
    expect(both.ok ? [] : both.issues.map((i) => i.message)).toEqual([
      'Vendor Meijer B.V. (V-1): the phone number is "010-1" in Intacct and "010-2" in Procore, both changed since they agreed on (empty). Correct it in one system; the other follows at the next sync',
    ]);
    const unknown = plan(pair(intacct(), procore({ emailAddress: 'x@y.nl' }), {}));
    expect(unknown.ok).toBe(false);
  });

  it('a Procore vendor another integration owns is left alone; a name-only match waits for a person to link it', () => {
    expect(plan(pair(intacct({ name: 'Other' }), procore({ originId: 'V000012' })))).toEqual({ ok: true, writes: [] });
    const byName = plan(pair(intacct(), procore(), {}, 'name'));
    expect(byName.ok ? [] : byName.issues.map((i) => [i.code, i.mappingKeys])).toEqual([['unmapped-vendor', ['vendor:501']]]);
  });

  it('a name-only match a person linked in the Vendors table goes through (also from its snapshot); a link to another vendor does not', () => {
    expect(planVendorPair(pair(intacct(), procore(), {}, 'name'), DEFAULT_POLICY, new Map([['501', 'V-1']])).ok).toBe(true);
    expect(planVendorPair(pair(intacct(), procore(), {}, 'name'), DEFAULT_POLICY, new Map([['501', 'V-2']])).ok).toBe(false);
  });

  it('suggested links: External ID first, else the one unlinked vendor of the same name; never a linked one or a shared name', () => {
    const p = (id: string, name: string, extra: { originId?: string; originCode?: string; active?: boolean } = {}) => ({ id, name, active: extra.active ?? true, originId: extra.originId ?? null, originCode: extra.originCode ?? null });
    const v = (vendorId: string, name: string, active = true) => intacct({ vendorId, name, active, key: vendorId });
    const suggestions = suggestVendorLinks(
      [p('1', 'Meijer  b.v.'), p('2', 'Twins B.V.'), p('3', 'Twins B.V.'), p('4', 'Coded', { originCode: 'V-7' }), p('5', 'Linked B.V.', { originId: 'V-5' }), p('6', 'Mapped B.V.'), p('7', 'Gone B.V.', { active: false })],
      [v('V-1', 'Meijer B.V.'), v('V-2', 'Twins B.V.'), v('V-7', 'Other name'), v('V-5', 'Linked B.V.'), v('V-6', 'Mapped B.V.'), v('V-8', 'Gone B.V.')],
      new Map([['6', 'V-6']]),
    );
    expect(suggestions).toEqual([
      { supplierCode: '1', supplierName: 'Meijer  b.v.', vendorId: 'V-1', vendorName: 'Meijer B.V.', matchedBy: 'name' },
      { supplierCode: '4', supplierName: 'Coded', vendorId: 'V-7', vendorName: 'Other name', matchedBy: 'origin_code' },
    ]);
  });
});

describe('payments back into Procore', () => {
  const bill: BillPaymentStatus = { recordNo: '12', key: 'procore-payapp-4000', billNumber: 'F-17', vendorId: 'V-1', state: 'Partially Paid', paymentStatus: 'partially-paid', total: '1000.00', totalPaid: '600.00', totalDue: '400.00', paidOn: '2026-11-02', modifiedAt: null };
  const payment = (no: string, amount: string, date: string | null): BillPayment => ({ paymentRecordNo: no, billRecordNo: '12', amount, paymentDate: date, paymentMethod: 'EFT', documentNumber: `CHK-${no}`, state: 'Complete' });
  const requisition = { id: '4000', projectId: '77', commitmentId: '900', number: 2, invoiceNumber: 'F-17' };

  it('one contract payment per Intacct payment of the bill, the requisition marked partly paid', () => {
    const result = planBillPayments({ sourceId: '12', bill, requisition, payments: [payment('7', '100.00', '2026-10-20'), payment('7', '200.00', '2026-10-20'), payment('8', '300.00', '2026-11-02')] }, DEFAULT_POLICY);
    expect(result).toMatchObject({
      ok: true,
      writes: [
        { originId: 'intacct-payment-7-bill-12', containerId: '77/900', total: '300.00', payment: { requisitionId: '4000', requisitionNumber: 2, amount: '300.00', date: '2026-10-20', checkNumber: 'CHK-7', erpStatus: 'partially_paid' } },
        { originId: 'intacct-payment-8-bill-12', total: '300.00', payment: { date: '2026-11-02' } },
      ],
    });
  });

  it('a payment reversed in Intacct (or gone) that Procore shows is taken off; one it never showed is ignored', () => {
    const first = planBillPayments({ sourceId: '12', bill, requisition, payments: [payment('7', '300.00', '2026-10-20'), payment('8', '300.00', '2026-11-02')] }, DEFAULT_POLICY);
    if (!first.ok) throw new Error('planned');
    const shown = new Map(first.writes.map((w) => [w.originId, w]));
    const unpaid: BillPaymentStatus = { ...bill, state: 'Posted', paymentStatus: 'unpaid', totalPaid: '0.00', totalDue: '1000.00', paidOn: null };
    const reversed = planBillPayments({ sourceId: '12', bill: unpaid, requisition, payments: [{ ...payment('7', '300.00', '2026-10-20'), state: 'Reversed' }, { ...payment('9', '50.00', '2026-11-03'), state: 'voided' }] }, DEFAULT_POLICY, shown);
    expect(reversed).toMatchObject({
      ok: true,
      writes: [
        { originId: 'intacct-payment-7-bill-12', total: '0.00', payment: { voided: true, erpStatus: null, amount: '300.00' } },
        { originId: 'intacct-payment-8-bill-12', total: '0.00', payment: { voided: true, erpStatus: null } },
      ],
    });
    expect(reversed.ok && reversed.writes).toHaveLength(2);
  });

  it('a payment without a date (and a bill without one) is not shown', () => {
    const result = planBillPayments({ sourceId: '12', bill: { ...bill, paidOn: null }, requisition, payments: [payment('9', '10.00', null)] }, DEFAULT_POLICY);
    expect(result.ok).toBe(false);
  });
});

describe('Intacct tasks into Procore cost codes', () => {
  const task = { sourceId: '01-950@77', procoreProjectId: '77', intacctProjectId: 'P1', taskId: '01-950', name: 'Contingency' };
  it('creates a code Procore lacks, renames one it created, leaves Procore’s own', () => {
    expect(planTask({ ...task, procoreCostCode: null }, DEFAULT_POLICY)).toMatchObject({ ok: true, writes: [{ entity: 'procore-cost-code', originId: '01-950@77', containerId: '77', costCode: { code: '01-950', name: 'Contingency' } }] });
    expect(planTask({ ...task, procoreCostCode: { id: '5', name: 'Old name', originId: '01-950@77' } }, DEFAULT_POLICY)).toMatchObject({ ok: true, writes: [{ seen: 'Old name' }] });
    expect(planTask({ ...task, procoreCostCode: { id: '5', name: 'Contingency', originId: '01-950@77' } }, DEFAULT_POLICY)).toEqual({ ok: true, writes: [] });
    expect(planTask({ ...task, procoreCostCode: { id: '5', name: 'Other', originId: null } }, DEFAULT_POLICY)).toEqual({ ok: true, writes: [] });
  });
});
