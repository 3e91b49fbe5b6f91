import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordTitle, targetName, targetReference } from '../../../../src-shared/domain/labels';
import { compareF2Record } from './compare';
import { checkRecordLabel, describeF2Record, directCostRecordLabel, f2TargetLabel, invoiceRecordLabel } from './labels';
import type { CheckRecord, PlannedBill, PlannedPayment } from './model';
import { DEFAULT_POLICY } from './policy';
import { directCost, requisition } from './test-fixtures';

const bill = (total: string, vendorRef = 'F2026-00121'): PlannedBill => ({
  entity: 'bill',
  originId: `V000001/${vendorRef}`,
  sourceId: 'requisition:7001',
  containerId: 'bills',
  total,
  currency: 'EUR',
  bill: { vendorId: 'V000001', vendorRef, originId: 'procore:requisition:7001', date: '2026-03-31', lines: [] },
  release: false,
  source: {
    kind: 'requisition',
    procoreId: '7001',
    projectId: '562949953421313',
    commitmentId: '8001',
    commitmentNumber: 'SC-003',
    requisitionNumber: 2,
    invoiceNumber: vendorRef,
    vendorName: 'Van den Berg B.V.',
    label: 'Subcontractor invoice SC-003 #2 (F2026-00121) of Van den Berg B.V.',
  },
});

const check = (over: Partial<CheckRecord> = {}): CheckRecord => ({
  sourceId: 'payment:Payment 000045 → Bill 000123',
  type: 'Payment',
  referenceNbr: '000045',
  vendorId: 'V000001',
  status: 'Closed',
  released: true,
  voided: false,
  isVoidingDocument: false,
  effective: true,
  applicationDate: '2026-04-15',
  paymentRef: 'CHK-77',
  lastModified: '2026-04-15T09:00:00Z',
  applications: [{ docType: 'Bill', referenceNbr: '000123', vendorRef: 'F2026-00121', amountPaid: '9500.00', released: true, posted: { billKey: 'Bill 000123', source: bill('9500.00').source } }],
  ...over,
});

const project = (id: string): string | null => (id === '562949953421313' ? 'P26001 Kantoorpand Zuidas' : null);

describe('F2 record labels', () => {
  it('names a subcontractor invoice by its commitment, number and invoice number, with the vendor and what its AP bill holds', () => {
    const net = invoiceRecordLabel(requisition(), DEFAULT_POLICY, project);
    expect(recordTitle(net, 'en-US')).toBe('Subcontractor invoice SC-003 #2 (F2026-00121) · Van den Berg B.V. · €9,500.00');
    expect(net).toMatchObject({ project: 'P26001 Kantoorpand Zuidas', date: '2026-03-31', amount: '9500.00', currency: 'EUR' });
    // Retainage off the bill, or held by Acumatica on it: the bill holds what was billed.
    expect(invoiceRecordLabel(requisition(), { ...DEFAULT_POLICY, retainage: 'gross' }).amount).toBe('10000.00');
    expect(invoiceRecordLabel(requisition(), { ...DEFAULT_POLICY, retainage: 'acumatica' }).amount).toBe('10000.00');
    // Without a subcontractor's own number, or without the commitment read.
    expect(invoiceRecordLabel(requisition({ invoiceNumber: null, commitmentNumber: null }), DEFAULT_POLICY).number).toBe('8001 #2');
  });

  it('names a direct cost by its invoice number, vendor and amount; an AP payment by its number, vendor and what it pays on the bill', () => {
    expect(recordTitle(directCostRecordLabel(directCost(), DEFAULT_POLICY, project), 'en-US')).toBe('Direct cost INV-9 · Van den Berg B.V. · €1,234.56');
    expect(recordTitle(directCostRecordLabel(directCost({ grandTotal: '-250.00' }), DEFAULT_POLICY), 'en-US')).toBe('Direct cost INV-9 · Van den Berg B.V. · -€250.00');
    expect(recordTitle(checkRecordLabel(check(), DEFAULT_POLICY), 'en-US')).toBe('Payment 000045 · Van den Berg B.V. · €9,500.00');
    // A payment of a bill F2 did not post: the vendor by Acumatica's name, else its id.
    const foreign = check({ applications: [{ ...check().applications[0]!, posted: null }] });
    expect(checkRecordLabel(foreign, DEFAULT_POLICY, () => 'Holcrete Ltd').counterparty).toBe('Holcrete Ltd');
    expect(checkRecordLabel(foreign, DEFAULT_POLICY).counterparty).toBe('V000001');
  });

  it('names the AP bill as Acumatica does: the vendor’s invoice number, and its reference number once posted', () => {
    const names = { acumaticaVendor: (id: string) => (id === 'V000001' ? 'Van den Berg Bouw B.V.' : null), project };
    const written = f2TargetLabel(bill('9500.00'), 'Bill 000123', names);
    expect(targetName(written)).toBe('Acumatica bill F2026-00121 (id 000123)');
    expect(targetReference(written)).toBe('bill 000123');
    expect(written).toMatchObject({ counterparty: 'Van den Berg Bouw B.V.', project: 'P26001 Kantoorpand Zuidas', amount: '9500.00', currency: 'EUR' });
    expect(targetName(f2TargetLabel(bill('9500.00'), null))).toBe('Acumatica bill F2026-00121');
    expect(targetName(f2TargetLabel(bill('-250.00', 'CN-4'), 'Debit Adj. 000046'))).toBe('Acumatica debit adjustment CN-4 (id 000046)');
    expect(targetName(f2TargetLabel(bill('-250.00', 'CN-4'), null))).toBe('Acumatica debit adjustment CN-4');
  });

  it('names a payment written back to Procore by its check number', () => {
    const payment: PlannedPayment = {
      entity: 'payment',
      originId: 'Payment 000045 → Bill 000123',
      sourceId: check().sourceId,
      containerId: '562949953421313/8001',
      total: '9500.00',
      currency: 'EUR',
      billKey: 'Bill 000123',
      label: 'AP payment 000045',
      payment: {
        target: 'requisition',
        paymentOriginId: 'Payment 000045 → Bill 000123',
        projectId: '562949953421313',
        requisitionId: '7001',
        requisitionNumber: 2,
        commitmentId: '8001',
        amount: '9500.00',
        date: '2026-04-15',
        checkNumber: 'CHK-77',
        invoiceNumber: 'F2026-00121',
        notes: '',
        originData: '',
        voided: false,
      },
    };
    expect(targetName(f2TargetLabel(payment, '3301'))).toBe('Procore contract payment CHK-77 (id 3301)');
  });

  it('reads a label from a stored snapshot of any F2 stream, and none from what is not one', () => {
    const asJson = (v: unknown): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;
    expect(describeF2Record({ stream: 'subcontractor-invoices' }, asJson({ sourceId: 'requisition:7001', requisition: requisition() }))).toMatchObject({
      number: 'SC-003 #2 (F2026-00121)',
      counterparty: 'Van den Berg B.V.',
      amount: '10000.00',
    });
    expect(describeF2Record({ stream: 'direct-costs' }, asJson({ sourceId: 'direct-cost:6001', directCost: directCost() }))).toMatchObject({ documentType: 'Direct cost', number: 'INV-9' });
    expect(describeF2Record({ stream: 'payments' }, asJson(check()))).toMatchObject({ shortType: 'Payment', number: '000045', amount: '9500.00' });
    expect(describeF2Record({ stream: 'x' }, asJson({ kind: 'purchase-order', number: '20010' }))).toBeNull();
    expect(describeF2Record({ stream: 'x' }, 'text')).toBeNull();
  });
});

describe('F2 record view', () => {
  const asJson = (v: unknown): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;
  const item = (sourceLineId: string, costCode: string, billed: string, retained: string) => ({
    sourceLineId,
    itemType: 'contract' as const,
    lineItemId: null,
    changeOrderId: null,
    costCodeId: 'cc',
    costCode,
    costCodeName: costCode,
    description: `Works ${costCode}`,
    scheduledValue: '100000.00',
    workCompletedFromPreviousApplication: '0.00',
    workCompletedThisPeriod: billed,
    materialsPresentlyStored: '0.00',
    billedThisPeriod: billed,
    totalCompletedAndStoredToDate: billed,
    retainageRetainedThisPeriod: retained,
    retainageReleasedThisPeriod: '0.00',
    materialsRetainageRetained: '0.00',
  });
  const r = requisition({ lines: [item('L1', '03-300', '6000.00', '300.00'), item('L2', '05-100', '0.00', '0.00'), item('L3', '05-100', '4000.00', '200.00')] });
  const posted = (): PlannedBill => {
    const b = bill('9500.00');
    const line = (amount: string, description: string, account: string) => ({ amount, description, account, subaccount: 'CON', branch: 'HEADOFFICE' });
    b.bill.lines = [line('6000.00', 'SC-003 #2 contract item: Works 03-300', '51000'), line('4000.00', 'SC-003 #2 contract item: Works 05-100', '51300'), line('-500.00', 'Retainage held on SC-003 #2', '20500')];
    return b;
  };

  it('lays the subcontractor invoice beside its AP bill: lines billed this period, then retainage, payable against the bill', () => {
    const view = compareF2Record({ stream: 'subcontractor-invoices' }, asJson({ sourceId: 'requisition:7001', requisition: r }), [
      { entity: 'bill', targetId: 'Bill 000123', payload: asJson(posted()), label: f2TargetLabel(posted(), 'Bill 000123') },
    ])!;
    expect(view.sourceTitle).toBe('Procore');
    expect(view.targetTitle).toBe('Acumatica');
    expect(view.fields.find((f) => f.label === 'Document')).toMatchObject({ source: 'Subcontractor invoice SC-003 #2 (F2026-00121)', target: 'Bill 000123' });
    expect(view.fields.find((f) => f.label === 'Payable (after retainage)')).toMatchObject({ source: '9500.00', target: '9500.00', differs: false });
    expect(view.lines.map((l) => [l.key, l.source?.['amount'] ?? null, l.target?.['amount'] ?? null, l.differs])).toEqual([
      ['line 1', '6000.00', '6000.00', []],
      ['line 2', '4000.00', '4000.00', []],
      ['retainage held', '-500.00', '-500.00', []],
    ]);
    expect(view.lines[0]!.target!['coding']).toBe('GL 51000 / CON · branch HEADOFFICE');
  });

  it('marks what Acumatica holds differently, and shows an invoice not yet posted without differences', () => {
    const changed = posted();
    changed.bill.lines[1]!.amount = '4100.00';
    changed.total = '9600.00';
    const view = compareF2Record({ stream: 'subcontractor-invoices' }, asJson({ sourceId: 'requisition:7001', requisition: r }), [{ entity: 'bill', targetId: null, payload: asJson(changed), label: null }])!;
    expect(view.lines[1]!.differs).toEqual(['amount']);
    expect(view.fields.find((f) => f.label === 'Payable (after retainage)')!.differs).toBe(true);
    const waiting = compareF2Record({ stream: 'subcontractor-invoices' }, asJson({ sourceId: 'requisition:7001', requisition: r }), [])!;
    expect(waiting.fields.find((f) => f.label === 'Amount')).toMatchObject({ source: '10000.00', target: null });
    expect(waiting.lines.every((l) => l.differs.length === 0)).toBe(true);
    expect(compareF2Record({ stream: 'x' }, asJson({ kind: 'purchase-order' }), [])).toBeNull();
  });
});
