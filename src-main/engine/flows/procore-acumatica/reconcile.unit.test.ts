import { describe, expect, it } from 'vitest';
import type { ProcoreCommitment, ProcoreCommitmentChangeOrder } from '../../../../src-shared/domain/records';
import type { AcumaticaChangeOrder, AcumaticaCommitment } from '../../../connectors/acumatica';
import { reconcileCommitments, reconciliationText, type ReconcileInput } from './reconcile';

const commitment = (over: Partial<ProcoreCommitment> = {}): ProcoreCommitment => ({
  kind: 'procore-commitment',
  sourceId: 'c1',
  projectId: 'p1',
  commitmentType: 'work-order',
  number: 'SC-001',
  title: 'Piling',
  description: '',
  vendor: { id: 'v1', name: 'Meijer B.V.' },
  status: 'Approved',
  executed: true,
  contractDate: '2026-02-13',
  retainagePercent: null,
  grandTotal: '300.00',
  revisedContract: '350.00',
  approvedChangeOrders: '50.00',
  pendingChangeOrders: '0.00',
  totalPayments: '0.00',
  originId: null,
  originCode: null,
  originData: null,
  lines: [
    { sourceLineId: 'l1', position: 1, description: 'Piles', amount: '100.00', quantity: null, unitCost: null, uom: null, originId: null, costCodeId: 'x', costCode: '31-200', costCodeName: '', lineItemTypeId: null, lineItemTypeCode: null },
    { sourceLineId: 'l2', position: 2, description: 'Caps', amount: '200.00', quantity: null, unitCost: null, uom: null, originId: null, costCodeId: 'x', costCode: '31-200', costCodeName: '', lineItemTypeId: null, lineItemTypeCode: null },
  ],
  sourceVersion: '2026-02-13T00:00:00Z',
  ...over,
});
const cco = (number: string, amount: string, status = 'approved'): ProcoreCommitmentChangeOrder => ({
  kind: 'procore-commitment-change-order',
  sourceId: `co${number}`,
  projectId: 'p1',
  commitmentId: 'c1',
  number,
  title: `Change ${number}`,
  description: '',
  status,
  executed: true,
  grandTotal: amount,
  dueDate: null,
  reviewedAt: null,
  lines: null,
  originId: null,
  originCode: null,
  sourceVersion: '2026-03-01T00:00:00Z',
});
const line = (nbr: number, amount: string) => ({ lineNbr: nbr, description: null, account: null, subaccount: null, project: 'P1', task: '31', costCode: '31-200', quantity: '1', unitCost: amount, amount, retainageAmount: null, completed: false });
const subcontract = (amounts: string[]): AcumaticaCommitment => ({
  kind: 'subcontract',
  id: 'g',
  orderType: 'Subcontract',
  number: 'SC000001',
  status: 'Open',
  vendorId: 'V1',
  vendorRef: 'SC-001',
  date: null,
  description: null,
  project: 'P1',
  projects: ['P1'],
  currency: 'EUR',
  total: amounts.reduce((s, a) => s + Math.round(Number(a) * 100), 0).toString().replace(/(\d\d)$/, '.$1'),
  retainageTotal: null,
  lastModified: null,
  lines: amounts.map((a, i) => line(i + 1, a)),
});
const acuCo = (ref: string, amount: string): AcumaticaChangeOrder => ({
  id: ref,
  refNbr: `CO-${ref}`,
  projectId: 'P1',
  externalRef: `SC-001/${ref}`,
  description: null,
  status: 'Closed',
  released: true,
  date: null,
  commitmentsTotal: amount,
  lastModified: null,
  lines: [{ commitmentType: 'Subcontract', commitmentNumber: 'SC000001', commitmentLineNbr: null, vendorId: 'V1', account: null, costCode: '31-200', task: '31', amount, description: null }],
});
const input = (over: Partial<ReconcileInput> = {}): ReconcileInput => ({
  commitments: [commitment()],
  changeOrders: [cco('001', '50.00'), cco('002', '70.00', 'pending')],
  invoices: [{ commitmentId: 'c1', label: 'Subcontractor invoice SC-001 #1', amount: '95.00', origin: 'procore:requisition:r1', waiting: null }],
  acumaticaCommitments: [subcontract(['100.00', '200.00', '50.00'])],
  acumaticaChangeOrders: [acuCo('001', '50.00')],
  bills: [{ origin: 'procore:requisition:r1', type: 'Bill', referenceNbr: '000001', amount: '95.00' }],
  projects: new Map([['p1', 'P1']]),
  vendorOf: () => 'V1',
  generatedAt: '2026-11-01T00:00:00.000Z',
  ...over,
});

describe('Commitments vs Acumatica', () => {
  it('two systems that agree: side by side, no difference (pending change orders are not compared)', () => {
    const report = reconcileCommitments(input());
    expect(report.differences).toBe(0);
    expect(report.commitments[0]).toMatchObject({
      acumatica: { type: 'Subcontract', number: 'SC000001' },
      committed: { procore: '300.00', acumatica: '300.00' },
      approvedChangeOrders: { procore: '50.00', acumatica: '50.00' },
      revised: { procore: '350.00', acumatica: '350.00' },
      invoicedToDate: { procore: '95.00', acumatica: '95.00' },
    });
  });

  it('a line keyed differently, a change order never entered, an invoice not posted: each with its cause', () => {
    const report = reconcileCommitments(
      input({
        acumaticaCommitments: [subcontract(['1100.00', '200.00'])],
        acumaticaChangeOrders: [],
        bills: [],
        invoices: [{ commitmentId: 'c1', label: 'Subcontractor invoice SC-001 #1', amount: '95.00', origin: 'o', waiting: 'Cost code 05-100 maps to GL 51200, which is inactive in Acumatica' }],
      }),
    );
    expect(report.commitments[0]!.differences).toEqual([
      { what: 'Change order 001', procore: '50.00', acumatica: null, difference: null, cause: 'Change order 001 "Change 001" (50.00) is approved in Procore but not in Acumatica' },
      { what: 'Line 1 (31-200)', procore: '100.00', acumatica: '1100.00', difference: '-1000.00', cause: 'Line 1 "Piles" is 100.00 in Procore and 1,100.00 on SC000001 line 1 in Acumatica' },
      { what: 'Subcontractor invoice SC-001 #1', procore: '95.00', acumatica: null, difference: null, cause: 'Not in Acumatica: it waits in Pending validation: Cost code 05-100 maps to GL 51200, which is inactive in Acumatica' },
    ]);
    expect(reconciliationText(report).join('\n')).toContain('- Line 1 (31-200) (-1,000.00): Line 1 "Piles" is 100.00');
  });

  it('a commitment missing in Acumatica names its vendor link; an Acumatica commitment no Procore one matches is listed', () => {
    const report = reconcileCommitments(input({ acumaticaCommitments: [{ ...subcontract(['5.00']), vendorRef: 'SC-009' }], vendorOf: () => null }));
    expect(report.commitments[0]!.differences[0]!.cause).toBe('No subcontract or purchase order with vendor ref SC-001 in Acumatica project P1; its vendor Meijer B.V. is not linked to an Acumatica vendor');
    expect(report.onlyInAcumatica).toEqual([{ type: 'Subcontract', number: 'SC000001', project: 'P1', vendorRef: 'SC-009', total: '5.00' }]);
  });

  it('a bill for another amount, and an Acumatica change order without an approved Procore one', () => {
    const report = reconcileCommitments(input({ bills: [{ origin: 'procore:requisition:r1', type: 'Bill', referenceNbr: '000001', amount: '90.00' }], acumaticaChangeOrders: [acuCo('001', '50.00'), acuCo('003', '20.00')], acumaticaCommitments: [subcontract(['100.00', '200.00', '50.00', '20.00'])] }));
    expect(report.commitments[0]!.differences.map((d) => d.cause)).toEqual([
      'Acumatica change order CO-003 (20.00) has no approved Procore change order',
      'AP Bill 000001 holds 90.00',
    ]);
  });
});
