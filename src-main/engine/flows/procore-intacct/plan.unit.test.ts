import { describe, expect, it } from 'vitest';
import type { ProcoreRequisition, ProcoreRequisitionLine } from '../../../../src-shared/domain/records';
import type { RequisitionRecord } from './model';
import { addDays, planCommitment, planPayApplication, zeroDocument } from './plan';
import { policyFromSettings } from './policy';
import { changeOrder, commitment, context, mappings, ok, record } from './test-fixtures';

describe('a commitment → one Intacct document', () => {
  it('purchasing (the default): one line per SOV line, coded to project, task, cost type, department, location, class and the item; approved change orders amend the line of their coding', () => {
    const doc = ok(planCommitment(record(commitment([['a', '01-100', '1000.00'], ['b', '03-300', '250.50']]), [changeOrder('1', 'approved', [['c1', '01-100', '-100.25']]), changeOrder('2', 'pending', [['c2', '01-100', '999.00']])]), undefined, context()));
    expect(doc).toMatchObject({ entity: 'intacct-purchasing', originId: 'procore-commitment-900', transactionType: 'Subcontract', total: '1150.25', header: { vendorId: 'V-1', number: 'SC-001', projectId: 'P1', date: '2026-02-13' } });
    expect(doc.postingLines.map((l) => [l.lineNo, l.amount, l.taskId, l.costTypeId, l.departmentId, l.locationId, l.classId, l.itemId, l.accountNo])).toEqual([
      [1, '899.75', '01-100', 'S', 'CON', '100', 'COM', 'COMMIT', undefined],
      [2, '250.50', '03-300', 'S', 'CON', '100', 'COM', 'COMMIT', undefined],
    ]);
    expect(doc.lines).toEqual([
      { originId: 'L1', amount: '899.75' },
      { originId: 'L2', amount: '250.50' },
    ]);
  });

  it('an amendment keeps every LINE_NO; a new coding is appended; a line gone from Procore stays at 0.00; the posted document type wins over the setting', () => {
    const before = ok(planCommitment(record(commitment([['a', '01-100', '1000.00'], ['b', '03-300', '250.50']])), undefined, context()));
    const after = ok(planCommitment(record(commitment([['b', '03-300', '300.00']]), [changeOrder('3', 'approved', [['c3', '01-100', '40.00']])]), before, context({ commitmentDocument: 'draft-bill' })));
    expect(after.entity).toBe('intacct-purchasing');
    expect(after.postingLines.map((l) => [l.ref, l.lineNo, l.amount])).toEqual([
      ['sov:a', 1, '0.00'],
      ['sov:b', 2, '300.00'],
      ['co:01-100|S', 3, '40.00'],
    ]);
    expect(after.total).toBe('340.00');
  });

  it('as a draft AP bill: GL accounts from the mapping on every line', () => {
    const doc = ok(planCommitment(record(commitment([['a', '01-100', '10.00']])), undefined, context({ commitmentDocument: 'draft-bill' })));
    expect(doc).toMatchObject({ entity: 'intacct-bill', draft: true, total: '10.00' });
    expect(doc.postingLines[0]).toMatchObject({ accountNo: '50100' });
    expect(doc.postingLines[0]).not.toHaveProperty('itemId');
  });

  it('as a journal entry: job cost lines debited (credited when negative), the net against the offset account', () => {
    const doc = ok(planCommitment(record(commitment([['a', '01-100', '100.00'], ['b', '03-300', '-30.00']])), undefined, context({ commitmentDocument: 'journal' })));
    expect(doc).toMatchObject({ entity: 'intacct-journal', journal: { symbol: 'JCJ', offsetAccountNo: '9990' }, total: '100.00' });
    expect(doc.lines).toEqual([
      { originId: 'E1', amount: '100.00' },
      { originId: 'E2', amount: '-30.00' },
      { originId: 'E3', amount: '-70.00' },
    ]);
  });

  it('parks in finance words, with the mapping keys that fix it', () => {
    const issues = (r: ReturnType<typeof planCommitment>) => (r.ok ? [] : r.issues.map((i) => [i.code, i.message, i.mappingKeys]));
    expect(issues(planCommitment(record(commitment([['a', '01-100', '1.00']])), undefined, context({ commitmentDocument: 'draft-bill' }, { costs: [{ costCode: '01-100', costType: null, accountNo: '59990', departmentId: 'INT' }] })))).toEqual([
      ['unmapped-cost', 'Cost code 01-100 / cost type S maps to GL 59990, which is inactive in Intacct', ['cost:01-100|']],
      ['unmapped-cost', 'Cost code 01-100 / cost type S maps to department INT, which is inactive in Intacct', ['cost:01-100|']],
    ]);
    expect(issues(planCommitment(record(commitment([['a', '09-999', '1.00']])), undefined, context()))).toEqual([['unmapped-cost', 'Cost code 09-999 / cost type S has no GL account mapping', ['cost:09-999|S', 'cost:09-999|']]]);
    expect(issues(planCommitment(record(commitment([['a', '01-100', '1.00']], { projectId: '78' })), undefined, context()))).toEqual([['unmapped-project', 'Procore project (id 78) is not linked to an Intacct project', ['project:78']]]);
    expect(issues(planCommitment(record(commitment([['a', '01-100', '1.00']], { vendor: { id: '503', name: 'Nobody B.V.' } })), undefined, context()))).toEqual([['unmapped-vendor', 'Procore vendor Nobody B.V. is not linked to an Intacct vendor', ['vendor:503']]]);
    expect(issues(planCommitment(record(commitment([['a', '01-100', '1.00']], { vendor: { id: '502', name: 'Gone B.V.' } })), undefined, context()))).toEqual([['vendor-not-in-target', 'Procore vendor Gone B.V. is linked to Intacct vendor V-2, which is inactive in Intacct', ['vendor:502']]]);
    const noTask = planCommitment(record(commitment([['a', '05-100', '1.00']])), undefined, context({}, { costs: [...mappings.costs, { costCode: '05-100', costType: null, accountNo: '50100', departmentId: 'CON' }] }));
    expect(issues(noTask)[0]).toEqual(['cost-code-not-in-project', 'Cost code 05-100 is not a task of the Intacct project of Procore project Depot North', ['project:77']]);
  });

  it('deleted in Procore with policy "zero": every line kept at 0.00', () => {
    const doc = zeroDocument(ok(planCommitment(record(commitment([['a', '01-100', '1000.00']])), undefined, context())));
    expect(doc).toMatchObject({ total: '0.00', lines: [{ originId: 'L1', amount: '0.00' }] });
    expect(doc.header.description).toMatch(/^Deleted in Procore/);
  });
});

function g703(id: string, code: string, billed: string, retained: string, released = '0.00'): ProcoreRequisitionLine {
  return {
    sourceLineId: id,
    itemType: 'contract',
    lineItemId: `sov-${id}`,
    changeOrderId: null,
    costCodeId: `cc-${code}`,
    costCode: code,
    costCodeName: code,
    description: `work ${id}`,
    scheduledValue: '10000.00',
    workCompletedFromPreviousApplication: '0.00',
    workCompletedThisPeriod: billed,
    materialsPresentlyStored: '0.00',
    billedThisPeriod: billed,
    totalCompletedAndStoredToDate: billed,
    retainageRetainedThisPeriod: retained,
    retainageReleasedThisPeriod: released,
    materialsRetainageRetained: '0.00',
  };
}

function payApp(lines: ProcoreRequisitionLine[], totals: { claimed: string; net: string }): RequisitionRecord {
  const requisition: ProcoreRequisition = {
    kind: 'procore-requisition',
    sourceId: '4000',
    projectId: '77',
    commitmentId: '900',
    commitmentType: 'work-order',
    commitmentNumber: 'SC-001',
    number: 2,
    invoiceNumber: 'F-2026-17',
    status: 'approved',
    erpStatus: null,
    vendor: { id: '501', name: 'Meijer Piling' },
    vendorName: 'Meijer Piling',
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    billingDate: '2026-03-31',
    paymentDate: null,
    final: false,
    totalClaimed: totals.claimed,
    retainageThisPeriod: '0.00',
    retainageReleasedThisPeriod: '0.00',
    netPayable: totals.net,
    summary: {},
    lines,
    originId: null,
    originData: null,
    sourceVersion: '2026-04-02T08:00:00Z',
  };
  return { sourceId: '4000', requisition, costTypes: Object.fromEntries(lines.map((l) => [l.sourceLineId, 'S'])) };
}

describe('a pay application → one AP bill', () => {
  const lines = [g703('1', '01-100', '1000.00', '50.00'), g703('2', '03-300', '200.00', '10.00')];

  it('separate-line retainage: full amounts on the job cost lines, one credit to retainage payable; the bill is what is payable now', () => {
    const result = planPayApplication(payApp(lines, { claimed: '1200.00', net: '1140.00' }), undefined, context(policyFromSettings({ retainage: 'separate-line', retainageAccountNo: '1610' })));
    const doc = ok(result);
    expect(doc).toMatchObject({ entity: 'intacct-bill', originId: 'procore-payapp-4000', total: '1140.00', retainageLineNo: 3, header: { number: 'F-2026-17', reference: 'SC-001 #2', date: '2026-03-31', dueDate: '2026-04-30' } });
    expect(doc.postingLines.map((l) => [l.lineNo, l.accountNo, l.amount, l.retainage, l.taskId, l.costTypeId])).toEqual([
      [1, '50100', '1000.00', '50.00', '01-100', 'S'],
      [2, '50200', '200.00', '10.00', '03-300', 'S'],
    ]);
    expect(doc.lines).toEqual([
      { originId: 'L1', amount: '1000.00' },
      { originId: 'L2', amount: '200.00' },
      { originId: 'L3', amount: '-60.00' },
    ]);
  });

  it('net retainage: lines less their retainage; gross: the full claim, no retainage', () => {
    const net = ok(planPayApplication(payApp(lines, { claimed: '1200.00', net: '1140.00' }), undefined, context({ retainage: 'net' })));
    expect(net.lines).toEqual([
      { originId: 'L1', amount: '950.00' },
      { originId: 'L2', amount: '190.00' },
    ]);
    const gross = ok(planPayApplication(payApp(lines, { claimed: '1200.00', net: '1140.00' }), undefined, context({ retainage: 'gross' })));
    expect(gross.total).toBe('1200.00');
    expect(gross.postingLines.every((l) => l.retainage === undefined)).toBe(true);
  });

  it('retainage released this period is paid out on a line of the retainage payable account', () => {
    const doc = ok(planPayApplication(payApp([g703('1', '01-100', '0.00', '0.00', '500.00')], { claimed: '0.00', net: '500.00' }), undefined, context({ retainage: 'separate-line', retainageAccountNo: '1610' })));
    expect(doc.postingLines.map((l) => [l.ref, l.accountNo, l.amount])).toEqual([['release', '1610', '500.00']]);
    expect(doc.total).toBe('500.00');
  });

  // Found by the planted records (issue 18): billed 9999-12-31, the bill went out with due date "+010000-01-30" and Intacct refused it.
  it('a billing date without a due date Intacct can hold is not posted', () => {
    const record = payApp(lines, { claimed: '1200.00', net: '1140.00' });
    const late = { ...record, requisition: { ...record.requisition, billingDate: '9999-12-31' } };
    const result = planPayApplication(late, undefined, context({ retainage: 'net' }));
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.message])).toEqual([['source-unreadable', 'Pay application #2 of SC-001 (Meijer Piling, invoice F-2026-17): its billing date 9999-12-31 leaves no due date 30 days later that Sage Intacct can hold. Correct the billing date in Procore']]);
  });

  it('lines that do not add up to Procore’s figures are not posted', () => {
    const result = planPayApplication(payApp(lines, { claimed: '1200.00', net: '1141.00' }), undefined, context({ retainage: 'net' }));
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.message])).toEqual([['source-unreadable', 'Pay application #2 of SC-001 (Meijer Piling, invoice F-2026-17): its G703 lines add up to 1140.00, but Procore shows 1141.00 payable']]);
  });
});

describe('policy', () => {
  it('comes from the connection settings; separate-line retainage needs an account; unknown values keep the default', () => {
    expect(policyFromSettings({ commitmentDocument: 'journal', retainage: 'separate-line' })).toMatchObject({ commitmentDocument: 'journal', retainage: 'gross' });
    expect(policyFromSettings({ commitmentDocument: 'nonsense', retainage: 'separate-line', retainageAccountNo: '1610' })).toMatchObject({ commitmentDocument: 'purchasing', retainage: 'separate-line', retainageAccountNo: '1610' });
    expect(addDays('2026-01-31', 30)).toBe('2026-03-02');
    expect(policyFromSettings({ vendorFields: 'email=procore; phone = intacct, name=nobody, fax=both' }).vendorFieldDirections).toEqual({ name: 'intacct', active: 'intacct', email: 'procore', phone: 'intacct' });
  });
});

describe('hostile Procore texts in reasons (found by the fuzz suite, issue 18)', () => {
  it('cuts a huge commitment number or vendor name in the label every reason starts with', () => {
    const c = commitment([['l1', '99-999', '10.00']], { number: 'W'.repeat(60_000), vendor: { id: '501', name: 'N'.repeat(60_000) } });
    const result = planCommitment({ sourceId: c.sourceId, commitment: c, changeOrders: [] }, undefined, context());
    expect(result.ok).toBe(false);
    if (!result.ok) for (const issue of result.issues) expect(issue.message.length).toBeLessThan(600);
  });

  it('a line without a cost code is named by its description, never by its ref (which holds Procore’s line id)', () => {
    const c = commitment([['562949953422155', '01-100', '10.00']]);
    const noCode = { ...c, lines: c.lines.map((l) => ({ ...l, description: `Concrete pour ${'x'.repeat(100)}`, costCode: null as unknown as string })) };
    const result = planCommitment(record(noCode), undefined, context());
    const messages = result.ok ? [] : result.issues.map((i) => i.message);
    expect(messages).toContainEqual(expect.stringMatching(/A line \(Concrete pour x+…\) has no cost code in Procore, so it cannot be coded; set its cost code there$/));
    for (const message of messages) expect(message).not.toMatch(/\d{6,}/);
  });
});
