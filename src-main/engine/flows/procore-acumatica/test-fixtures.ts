import type { ProcoreDirectCost, ProcoreRequisition, ProcoreRequisitionLine } from '../../../../src-shared/domain/records';

/** F2's hand-made test fixtures (no I/O): a subcontractor invoice and a direct cost, each with one line. */

export const PROJECT = '562949953421313';

export function requisitionLine(over: Partial<ProcoreRequisitionLine> = {}): ProcoreRequisitionLine {
  return {
    sourceLineId: 'L1',
    itemType: 'contract',
    lineItemId: 'SOV1',
    changeOrderId: null,
    costCodeId: 'cc1',
    costCode: '03-300',
    costCodeName: 'Cast-in-place Concrete',
    description: 'Concrete works',
    scheduledValue: '100000.00',
    workCompletedFromPreviousApplication: '0.00',
    workCompletedThisPeriod: '10000.00',
    materialsPresentlyStored: '0.00',
    billedThisPeriod: '10000.00',
    totalCompletedAndStoredToDate: '10000.00',
    retainageRetainedThisPeriod: '500.00',
    retainageReleasedThisPeriod: '0.00',
    materialsRetainageRetained: '0.00',
    ...over,
  };
}

export function requisition(over: Partial<ProcoreRequisition> = {}): ProcoreRequisition {
  return {
    kind: 'procore-requisition',
    sourceId: '7001',
    projectId: PROJECT,
    commitmentId: '8001',
    commitmentType: 'work-order',
    commitmentNumber: 'SC-003',
    number: 2,
    invoiceNumber: 'F2026-00121',
    status: 'approved',
    erpStatus: null,
    vendor: { id: '9001', name: 'Van den Berg B.V.' },
    vendorName: 'Van den Berg B.V.',
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    billingDate: '2026-03-31',
    paymentDate: null,
    final: false,
    totalClaimed: '10000.00',
    retainageThisPeriod: '500.00',
    retainageReleasedThisPeriod: '0.00',
    netPayable: '9500.00',
    summary: {},
    lines: [requisitionLine()],
    originId: null,
    originData: null,
    sourceVersion: '2026-04-01T10:00:00Z',
    ...over,
  };
}

export function directCost(over: Partial<ProcoreDirectCost> = {}): ProcoreDirectCost {
  return {
    kind: 'procore-direct-cost',
    sourceId: '6001',
    projectId: PROJECT,
    directCostType: 'invoice',
    status: 'approved',
    vendor: { id: '9001', name: 'Van den Berg B.V.' },
    invoiceNumber: 'INV-9',
    description: 'Factuur',
    date: '2026-05-02',
    receivedDate: null,
    paymentDate: null,
    grandTotal: '1234.56',
    lines: [
      {
        sourceLineId: 'D1',
        description: 'Concrete',
        amount: '1234.56',
        quantity: null,
        unitCost: null,
        uom: null,
        originId: null,
        costCodeId: 'cc1',
        costCode: '03-300',
        costCodeName: 'Cast-in-place Concrete',
        lineItemTypeId: 't',
        lineItemTypeCode: 'M',
      },
    ],
    originId: null,
    originData: null,
    sourceVersion: '2026-05-03T10:00:00Z',
    ...over,
  };
}
