import type { ProcoreCommitment, ProcoreCommitmentChangeOrder } from '../../../../src-shared/domain/records';
import { ReferenceIndex, type ReferenceData, type ReferenceObject } from '../../../connectors/sage-intacct';
import type { F3Mappings } from './mappings';
import type { CommitmentRecord, PlannedDocument } from './model';
import type { planCommitment, PlanContext } from './plan';
import { DEFAULT_POLICY, type F3Policy } from './policy';

/** F3's hand-made test fixtures (no I/O): Intacct reference data, mappings, commitments, change orders. */

export const values = (object: ReferenceObject, rows: [string, boolean, string?, string?][]) =>
  rows.map(([id, active, projectId, taskId]) => ({ object, id, name: id, active, recordNo: id, ...(projectId ? { projectId } : {}), ...(taskId ? { taskId } : {}) }));

export const data: ReferenceData = {
  GLACCOUNT: values('GLACCOUNT', [['50100', true], ['50200', true], ['59990', false], ['1610', true], ['9990', true]]),
  DEPARTMENT: values('DEPARTMENT', [['CON', true], ['INT', false]]),
  LOCATION: values('LOCATION', [['100', true]]),
  PROJECT: values('PROJECT', [['P1', true]]),
  TASK: values('TASK', [['01-100', true, 'P1'], ['03-300', true, 'P1']]),
  COSTTYPE: values('COSTTYPE', [['S', true, 'P1', '01-100'], ['M', true, 'P1', '01-100'], ['S', true, 'P1', '03-300']]),
  CLASS: values('CLASS', [['COM', true]]),
  VENDOR: values('VENDOR', [['V-1', true], ['V-2', false]]),
  ITEM: values('ITEM', [['COMMIT', true]]),
};

export const mappings: F3Mappings = {
  version: 1,
  projects: new Map([['77', { intacctProjectId: 'P1', locationId: '100', classId: 'COM' }]]),
  costs: [
    { costCode: '01-100', costType: null, accountNo: '50100', departmentId: 'CON' },
    { costCode: '03-300', costType: null, accountNo: '50200', departmentId: 'CON' },
  ],
  vendors: new Map([['501', 'V-1'], ['502', 'V-2']]),
};

export function context(policy: Partial<F3Policy> = {}, m: Partial<F3Mappings> = {}): PlanContext {
  return {
    mappings: { ...mappings, ...m },
    policy: { ...DEFAULT_POLICY, purchasingItemId: 'COMMIT', journalOffsetAccountNo: '9990', ...policy },
    reference: new ReferenceIndex(data),
    vendorLinks: new Map(),
    projectNames: new Map([['77', 'Depot North']]),
  };
}

export function commitment(lines: [string, string, string][], extra: Partial<ProcoreCommitment> = {}): ProcoreCommitment {
  return {
    kind: 'procore-commitment',
    sourceId: '900',
    projectId: '77',
    commitmentType: 'work-order',
    number: 'SC-001',
    title: 'Piling',
    description: '',
    vendor: { id: '501', name: 'Meijer Piling' },
    status: 'Approved',
    executed: true,
    contractDate: '2026-02-13',
    retainagePercent: null,
    grandTotal: '0.00',
    revisedContract: '0.00',
    approvedChangeOrders: '0.00',
    pendingChangeOrders: '0.00',
    totalPayments: '0.00',
    originId: null,
    originCode: null,
    originData: null,
    lines: lines.map(([id, code, amount], i) => ({ sourceLineId: id, position: i + 1, description: `line ${id}`, amount, quantity: null, unitCost: null, uom: null, originId: null, costCodeId: `cc-${code}`, costCode: code, costCodeName: code, lineItemTypeId: 't', lineItemTypeCode: 'S' })),
    sourceVersion: '2026-02-13T12:00:00Z',
    ...extra,
  };
}

export function changeOrder(id: string, status: string, lines: [string, string, string][]): ProcoreCommitmentChangeOrder {
  return {
    kind: 'procore-commitment-change-order',
    sourceId: id,
    projectId: '77',
    commitmentId: '900',
    number: id,
    title: `CO ${id}`,
    description: '',
    status,
    executed: status === 'approved',
    grandTotal: '0.00',
    dueDate: null,
    reviewedAt: null,
    lines: lines.map(([lineId, code, amount]) => ({ sourceLineId: lineId, description: `co line ${lineId}`, amount, costCodeId: `cc-${code}`, costCode: code, costCodeName: code, lineItemTypeId: 't', lineItemTypeCode: 'S' })),
    originId: null,
    originCode: null,
    sourceVersion: '2026-03-01T12:00:00Z',
  };
}

export const record = (c: ProcoreCommitment, changeOrders: ProcoreCommitmentChangeOrder[] = []): CommitmentRecord => ({ sourceId: c.sourceId, commitment: c, changeOrders });

export function ok(result: ReturnType<typeof planCommitment>): PlannedDocument {
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('; '));
  return result.writes[0]!;
}
