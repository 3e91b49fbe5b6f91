import { describe, expect, it } from 'vitest';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../../src-shared/domain/records';
import { DEFAULT_POLICY } from './policy';
import { reconcile, type IntacctDocumentSeen, type ReconcileInput } from './reconcile';

const commitment = (id: string, revised: string, extra: Partial<ProcoreCommitment> = {}): ProcoreCommitment =>
  ({ kind: 'procore-commitment', sourceId: id, projectId: '77', commitmentType: 'work-order', number: `SC-${id}`, title: '', description: '', vendor: { id: '501', name: 'Meijer' }, status: 'Approved', revisedContract: revised, originId: null, lines: [], ...extra }) as unknown as ProcoreCommitment;
const payApp = (id: string, net: string): ProcoreRequisition =>
  ({ kind: 'procore-requisition', sourceId: id, projectId: '78', commitmentId: '1', commitmentNumber: 'SC-1', number: 1, invoiceNumber: null, vendor: { id: '502', name: 'Brightline' }, vendorName: 'Brightline', totalClaimed: net, netPayable: net, originId: null, lines: [] }) as unknown as ProcoreRequisition;
const seen = (key: string, total: string, duplicates: string[] = []): [string, IntacctDocumentSeen] => [key, { key, type: 'Purchasing transaction', id: `DOC-${key}`, state: 'Pending', total, duplicates }];

function input(extra: Partial<ReconcileInput>): ReconcileInput {
  return { policy: DEFAULT_POLICY, projectNames: new Map([['77', 'Depot North'], ['78', 'Riverside']]), commitments: [], deletedCommitments: [], payApplications: [], intacct: new Map(), parked: new Map(), posted: new Map(), ...extra };
}

describe('reconciliation', () => {
  it('matching documents: totals per project and vendor agree to the cent', () => {
    const report = reconcile(
      input({
        commitments: [commitment('1', '1000.10'), commitment('2', '99.90')],
        payApplications: [payApp('10', '500.00')],
        intacct: new Map([seen('procore-commitment-1', '1000.10'), seen('procore-commitment-2', '99.90'), seen('procore-payapp-10', '500.00')]),
      }),
    );
    expect(report).toMatchObject({ agree: true, totals: { procore: '1600.00', intacct: '1600.00', difference: '0.00' }, counts: { documents: 3, matching: 3, different: 0 } });
    expect(report.byProject).toEqual([
      { name: 'Depot North', procore: '1100.00', intacct: '1100.00', difference: '0.00' },
      { name: 'Riverside', procore: '500.00', intacct: '500.00', difference: '0.00' },
    ]);
  });

  it('every difference has its cause', () => {
    const report = reconcile(
      input({
        commitments: [commitment('1', '1000.00'), commitment('2', '200.00'), commitment('3', '300.00'), commitment('4', '400.00'), commitment('5', '50.00'), commitment('6', '1.00', { originId: 'exact-guid' }), commitment('7', '9.00', { status: 'Draft' })],
        payApplications: [payApp('10', '500.00')],
        deletedCommitments: ['8'],
        intacct: new Map([seen('procore-commitment-2', '150.00'), seen('procore-commitment-3', '333.00'), seen('procore-commitment-4', '400.00', ['55']), seen('procore-commitment-8', '80.00')]),
        parked: new Map([['1', 'Cost code 03-100 maps to GL 59990, which is inactive in Intacct']]),
        posted: new Map([['procore-commitment-2', '150.00'], ['procore-commitment-3', '300.00']]),
      }),
    );
    const causes = Object.fromEntries(report.documents.map((d) => [d.procoreId, [d.cause, d.difference]]));
    expect(causes).toEqual({
      '1': ['waiting-in-pending', '1000.00'],
      '2': ['changed-in-procore', '50.00'],
      '3': ['changed-in-intacct', '-33.00'],
      '4': ['posted-twice', '0.00'],
      '5': ['not-posted-yet', '50.00'],
      '8': ['deleted-in-procore', '-80.00'],
      '10': ['not-posted-yet', '500.00'],
    });
    expect(report.documents.find((d) => d.procoreId === '1')!.explanation).toBe('Not posted: Cost code 03-100 maps to GL 59990, which is inactive in Intacct');
    expect(report.counts).toMatchObject({ notOurs: 1, different: 7, matching: 0 });
    expect(report.agree).toBe(false);
  });
});
