import { describe, expect, it } from 'vitest';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../../src-shared/domain/records';
import { reconcile } from '../../reconcile/reconcile';
import { DEFAULT_POLICY } from './policy';
import { f3Comparisons, type IntacctDocumentSeen, type ReconcileInput } from './reconcile';

const commitment = (id: string, revised: string, extra: Partial<ProcoreCommitment> = {}): ProcoreCommitment =>
  ({ kind: 'procore-commitment', sourceId: id, projectId: '77', commitmentType: 'work-order', number: `SC-${id}`, title: '', description: '', vendor: { id: '501', name: 'Meijer' }, status: 'Approved', revisedContract: revised, originId: null, lines: [], ...extra }) as unknown as ProcoreCommitment;
const payApp = (id: string, net: string): ProcoreRequisition =>
  ({ kind: 'procore-requisition', sourceId: id, projectId: '78', commitmentId: '1', commitmentNumber: 'SC-1', number: 1, invoiceNumber: null, vendor: { id: '502', name: 'Brightline' }, vendorName: 'Brightline', totalClaimed: net, netPayable: net, originId: null, lines: [] }) as unknown as ProcoreRequisition;
const seen = (key: string, total: string, copies: IntacctDocumentSeen['copies'] = []): [string, IntacctDocumentSeen] => [key, { key, type: 'Purchasing transaction', id: `DOC-${key}`, total, lines: 1, copies }];

function input(extra: Partial<ReconcileInput>): ReconcileInput {
  return { policy: DEFAULT_POLICY, projectNames: new Map([['77', 'Depot North'], ['78', 'Riverside']]), commitments: [], deletedCommitments: [], payApplications: [], intacct: new Map(), parked: new Map(), posted: new Map(), ...extra };
}
const report = (i: ReconcileInput) => reconcile({ flow: 'procore-intacct', title: 'Procore → Sage Intacct', generatedAt: '2026-12-01T00:00:00Z', apiCalls: {} }, f3Comparisons(i));

describe('F3 reconciliation', () => {
  it('matching documents: totals per project and vendor agree to the cent', () => {
    const r = report(
      input({
        commitments: [commitment('1', '1000.10'), commitment('2', '99.90')],
        payApplications: [payApp('10', '500.00')],
        intacct: new Map([seen('procore-commitment-1', '1000.10'), seen('procore-commitment-2', '99.90'), seen('procore-payapp-10', '500.00')]),
        posted: new Map([['procore-commitment-1', '1000.10'], ['procore-commitment-2', '99.90'], ['procore-payapp-10', '500.00']]),
      }),
    );
    expect(r.records.filter((x) => x.cause)).toEqual([]);
    expect(r.totals).toMatchObject([{ expected: '1600.00', actual: '1600.00', difference: '0.00' }]);
    expect(r.byProject.map((g) => [g.label, g.expected, g.actual])).toEqual([
      ['Depot North', '1100.00', '1100.00'],
      ['Riverside', '500.00', '500.00'],
    ]);
  });

  it('every difference has its cause: parked, not yet synced, changed in Intacct, a copy made in Intacct, deleted in Procore; other integrations’ and unposted commitments are left out', () => {
    const r = report(
      input({
        commitments: [commitment('1', '1000.00'), commitment('2', '200.00'), commitment('3', '300.00'), commitment('4', '400.00'), commitment('5', '50.00'), commitment('6', '1.00', { originId: 'exact-guid' }), commitment('7', '9.00', { status: 'Draft' })],
        payApplications: [payApp('10', '500.00')],
        deletedCommitments: ['8'],
        intacct: new Map([seen('procore-commitment-2', '150.00'), seen('procore-commitment-3', '333.00'), seen('procore-commitment-4', '400.00', [{ recordNo: '55', total: null }]), seen('procore-commitment-8', '80.00')]),
        parked: new Map([['1', 'Cost code 03-100 maps to GL 59990, which is inactive in Intacct']]),
        posted: new Map([['procore-commitment-2', '150.00'], ['procore-commitment-3', '300.00'], ['procore-commitment-4', '400.00'], ['procore-commitment-8', '80.00']]),
      }),
    );
    const causes = Object.fromEntries(r.records.map((x) => [x.targetKey, [x.cause, x.difference]]));
    expect(causes).toEqual({
      'procore-commitment-1': ['parked', '-1000.00'],
      'procore-commitment-2': ['not-yet-synced', '-50.00'],
      'procore-commitment-3': ['changed-in-target', '33.00'],
      'procore-commitment-4': [null, '0.00'],
      'procore-commitment-4#55': ['changed-in-target', '400.00'],
      'procore-commitment-5': ['not-yet-synced', '-50.00'],
      'procore-commitment-8': ['deleted-at-source', '80.00'],
      'procore-payapp-10': ['not-yet-synced', '-500.00'],
    });
    expect(r.records.find((x) => x.targetKey === 'procore-commitment-1')!.explanation).toBe('waits in Pending validation: Cost code 03-100 maps to GL 59990, which is inactive in Intacct');
    expect(r.unexplained).toBe(0);
  });
});
