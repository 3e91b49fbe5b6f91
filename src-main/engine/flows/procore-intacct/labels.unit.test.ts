import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, recordTitle, targetName, targetReference } from '../../../../src-shared/domain/labels';
import type { ProcoreRequisition } from '../../../../src-shared/domain/records';
import { commitmentRecordLabel, compareF3Record, describeF3Record, f3TargetLabel, payApplicationRecordLabel, vendorRecordLabel } from './labels';
import type { RequisitionRecord } from './model';
import { planCommitment, planPayApplication } from './plan';
import { DEFAULT_POLICY } from './policy';
import { changeOrder, commitment, context, ok, record } from './test-fixtures';

/** F3's records named as finance names them, and the Procore record beside its Intacct document. */

function requisition(extra: Partial<ProcoreRequisition> = {}): RequisitionRecord {
  const line = (id: string, code: string, billed: string, retained: string) => ({
    sourceLineId: id,
    itemType: 'contract' as const,
    lineItemId: 'a',
    changeOrderId: null,
    costCodeId: `cc-${code}`,
    costCode: code,
    costCodeName: code,
    description: `g703 ${id}`,
    scheduledValue: '1000.00',
    workCompletedFromPreviousApplication: '0.00',
    workCompletedThisPeriod: billed,
    materialsPresentlyStored: '0.00',
    billedThisPeriod: billed,
    totalCompletedAndStoredToDate: billed,
    retainageRetainedThisPeriod: retained,
    retainageReleasedThisPeriod: '0.00',
    materialsRetainageRetained: '0.00',
  });
  const requisition: ProcoreRequisition = {
    kind: 'procore-requisition',
    sourceId: '4100',
    projectId: '77',
    commitmentId: '900',
    commitmentType: 'work-order',
    commitmentNumber: 'SC-001',
    number: 3,
    invoiceNumber: 'MP-2026-031',
    status: 'approved',
    erpStatus: null,
    vendor: { id: '501', name: 'Meijer Piling' },
    vendorName: 'Meijer Piling',
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    billingDate: '2026-04-02',
    paymentDate: null,
    final: false,
    totalClaimed: '500.00',
    retainageThisPeriod: '50.00',
    retainageReleasedThisPeriod: '0.00',
    netPayable: '450.00',
    summary: {},
    lines: [line('g1', '01-100', '500.00', '50.00'), line('g2', '03-300', '0.00', '0.00')],
    originId: null,
    originData: null,
    sourceVersion: '2026-04-02T10:00:00Z',
    ...extra,
  };
  return { sourceId: requisition.sourceId, requisition, costTypes: { g1: 'S', g2: 'S' } };
}

const json = (v: unknown): JsonValue => v as JsonValue;
const names = (id: string) => (id === '77' ? 'Depot North' : null);

describe('F3 records as finance names them', () => {
  it('a subcontract: "Subcontract SC-001 · vendor · revised contract", with its project', () => {
    const c = record(commitment([['a', '01-100', '1000.00']], { revisedContract: '1150.25' }));
    const label = commitmentRecordLabel(c, DEFAULT_POLICY, names);
    expect(label).toEqual({ documentType: 'Subcontract', shortType: 'Subcontract', number: 'SC-001', counterparty: 'Meijer Piling', counterpartyCode: '501', project: 'Depot North', date: '2026-02-13', amount: '1150.25', currency: 'EUR' });
    expect(recordTitle(label, 'en-US')).toBe('Subcontract SC-001 · Meijer Piling · €1,150.25');
    expect(recordName(commitmentRecordLabel(record(commitment([], { commitmentType: 'purchase-order', number: 'PO-7' }))))).toBe('PO PO-7 · Meijer Piling');
  });

  it('a pay application: "Pay application 3 on SC-001 · vendor", payable or claimed per the retainage setting', () => {
    const r = requisition();
    expect(recordName(payApplicationRecordLabel(r))).toBe('Pay application 3 on SC-001 · Meijer Piling');
    expect(payApplicationRecordLabel(r, { ...DEFAULT_POLICY, retainage: 'net' }).amount).toBe('450.00');
    expect(payApplicationRecordLabel(r, { ...DEFAULT_POLICY, retainage: 'gross' }).amount).toBe('500.00');
    expect(payApplicationRecordLabel(r)).toMatchObject({ date: '2026-04-02', counterpartyCode: '501' });
  });

  it('what is posted: "Sage Intacct purchasing transaction SC-001 (id …)", AP bills and journal entries', () => {
    const doc = ok(planCommitment(record(commitment([['a', '01-100', '1000.00']])), undefined, context()));
    const target = f3TargetLabel(doc, 'PO-SC-001-1');
    expect(targetName(target)).toBe('Sage Intacct purchasing transaction SC-001 (id PO-SC-001-1)');
    expect(target).toMatchObject({ counterparty: expect.any(String), amount: '1000.00', currency: 'EUR', project: 'P1' });
    expect(targetReference(f3TargetLabel({ ...doc, entity: 'intacct-bill' }, '88'))).toBe('ap bill 88');
    expect(targetName(f3TargetLabel({ ...doc, entity: 'intacct-journal' }, null))).toBe('Sage Intacct journal entry SC-001');
  });

  it('describes stored snapshots of its records, and nothing else', () => {
    expect(describeF3Record({ stream: 'commitments' }, json(record(commitment([])))))?.toMatchObject({ number: 'SC-001', documentType: 'Subcontract' });
    expect(describeF3Record({ entity: 'pay-application' }, json(requisition()))?.number).toBe('3 on SC-001');
    const pair = { sourceId: 'V-1', intacct: { recordNo: '1', vendorId: 'V-1', name: 'Meijer Piling BV', active: true }, procore: null, linkedBy: null, agreed: {} };
    expect(describeF3Record({ stream: 'vendors' }, json(pair))).toEqual(vendorRecordLabel(pair as never));
    expect(describeF3Record({}, { foo: 1 })).toBeNull();
  });
});

describe('F3 record view: Procore beside Intacct', () => {
  it('a commitment with an approved change order agrees line by line with its document', () => {
    const c = record(commitment([['a', '01-100', '1000.00'], ['b', '03-300', '250.50']], { revisedContract: '1150.25' }), [changeOrder('1', 'approved', [['c1', '01-100', '-100.25']]), changeOrder('2', 'pending', [['c2', '01-100', '999.00']])]);
    const doc = ok(planCommitment(c, undefined, context()));
    const view = compareF3Record({ entity: 'commitment' }, json(c), [{ entity: doc.entity, targetId: '7', payload: json(doc), label: f3TargetLabel(doc, '7') }])!;
    expect(view).toMatchObject({ sourceTitle: 'Procore', targetTitle: 'Sage Intacct', currency: 'EUR' });
    expect(view.fields.filter((f) => f.differs)).toEqual([]);
    expect(view.lines.map((l) => [l.key, l.source?.['amount'], l.target?.['amount'], l.differs])).toEqual([
      ['sov:a', '899.75', '899.75', []],
      ['sov:b', '250.50', '250.50', []],
    ]);
    // Changed in Procore since: the new amount is marked.
    const edited = record(commitment([['a', '01-100', '1100.00'], ['b', '03-300', '250.50']], { revisedContract: '1250.25' }), c.changeOrders);
    const changed = compareF3Record({ entity: 'commitment' }, json(edited), [{ entity: doc.entity, targetId: '7', payload: json(doc), label: null }])!;
    expect(changed.fields.filter((f) => f.differs).map((f) => f.label)).toEqual(['Total']);
    expect(changed.lines.filter((l) => l.differs.length).map((l) => [l.key, l.differs])).toEqual([['sov:a', ['amount']]]);
  });

  it('a pay application beside its AP bill: totals compared, retainage shown; parked shows nothing marked', () => {
    const r = requisition();
    const planned = planPayApplication(r, undefined, context({ retainage: 'net' }));
    if (!planned.ok) throw new Error(planned.issues.map((i) => i.message).join('; '));
    const bill = planned.writes[0]!;
    const label = payApplicationRecordLabel(r, { ...DEFAULT_POLICY, retainage: 'net' });
    const view = compareF3Record({ entity: 'pay-application' }, json(r), [{ entity: bill.entity, targetId: '88', payload: json(bill), label: null }], label)!;
    expect(view.fields.find((f) => f.label === 'Total')).toMatchObject({ source: '450.00', target: bill.total, differs: false });
    expect(view.lines.map((l) => [l.key, l.differs])).toEqual([['g703:g1', []]]);
    const parked = compareF3Record({ stream: 'pay-applications' }, json(r), [])!;
    expect(parked.fields.every((f) => !f.differs)).toBe(true);
    expect(compareF3Record({}, json({ taskId: 'x', intacctProjectId: 'P1' }), [])).toBeNull();
  });
});
