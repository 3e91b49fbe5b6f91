import type { AuditEntryInput } from '../../../src-shared/domain/audit';
import { mappingKey } from '../../../src-shared/domain/validation';
import type { Store } from '../../../src-main/store/db';

export const FLOW = 'exact-procore';

/** One audit entry of the demo flow; every 10th failed, every 7th parked, snapshots on every 10th (…1). */
export function demoAuditEntry(i: number): AuditEntryInput {
  const status = i % 10 === 0 ? 'failed' : i % 7 === 0 ? 'parked' : 'ok';
  return {
    flow: FLOW,
    runId: `run-${Math.floor(i / 500)}`,
    entity: i % 3 === 0 ? 'direct-cost' : 'commitment',
    sourceId: `PO-${String(i).padStart(7, '0')}`,
    step: status === 'ok' ? 'written' : status === 'parked' ? 'parked' : 'failed',
    status,
    mappingVersion: 1,
    targetSystem: 'procore',
    targetId: status === 'ok' ? String(5_000_000 + i) : null,
    amount: `${(i * 37) % 100_000}.${String(i % 100).padStart(2, '0')}`,
    currency: 'EUR',
    sourceSnapshot: i % 10 === 1 ? { OrderNumber: i, Supplier: 'SUP-0042', Amount: `${i}.50` } : null,
    targetPayload: i % 10 === 1 ? { commitment: { title: `PO ${i}`, vendor_id: 42 } } : null,
    result: null,
    message:
      status === 'ok'
        ? `Commitment for PO ${i} written`
        : status === 'parked'
          ? `GL 4400 / cost center KST-${i % 20} has no cost code mapping`
          : 'Procore refused the commitment: the project is closed',
  };
}

/**
 * A small realistic data folder: a project and cost mapping, two parked purchase orders (one
 * unmapped cost pair, one unknown supplier) with their source snapshots, audit entries and runs.
 */
export function seedDemo(store: Store): void {
  const projects = store.mappings.ensureSet(FLOW, 'projects');
  store.mappings.createVersion(projects.id, [
    { sourceKey: { projectCode: 'P26-001' }, target: { procoreProjectId: '562949953421312' } },
  ]);
  const costs = store.mappings.ensureSet(FLOW, 'costs');
  store.mappings.createVersion(
    costs.id,
    [
      {
        sourceKey: { glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null },
        target: { costCode: '01-100', lineItemTypeCode: 'M' },
      },
    ],
    'initial',
  );
  const park = (sourceId: string, reasonCode: string, reasonText: string, keys: string[]) => {
    const { snapshot } = store.snapshots.record(FLOW, 'purchase-orders', sourceId, {
      OrderNumber: sourceId,
      Supplier: 'SUP-0042',
      Lines: [{ GLAccount: '4400', CostCenter: 'KST-12', Amount: '1250.00' }],
    });
    store.parked.park({
      flow: FLOW,
      stream: 'purchase-orders',
      sourceId,
      reasonCode,
      reasonText,
      details: { issues: [{ code: reasonCode, message: reasonText, mappingKeys: keys }] },
      snapshotId: snapshot.id,
      mappingVersion: 1,
    });
  };
  park('PO-26-0007', 'unmapped-cost', 'GL account 4400 / cost center KST-12 has no Procore cost code', [
    mappingKey.cost('4400', 'KST-12', null),
  ]);
  park('PO-26-0009', 'unmapped-vendor', 'Supplier SUP-0099 has no Procore vendor', [
    mappingKey.vendor('SUP-0099'),
  ]);
  store.audit.appendMany(Array.from({ length: 300 }, (_, index) => demoAuditEntry(index + 1)));
  const run = store.runs.start('run-demo-1', FLOW, 'manual');
  store.runs.finish(run.id, 'partial', { fetched: 12, written: 10, parked: 2 });
}
