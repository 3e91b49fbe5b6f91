import { readOrExplain } from '../../sync/explain-read-failure';
import type { CounterpartyLinkSuggestion, FlowOpenContext, FlowPlugin, FlowRunRequest } from '../types';
import { ENTITIES, reconcileProcoreAcumatica, replayAuditEntry, retryParked, runProcoreAcumatica, type F2Deps } from './flow';
import { compareF2Record } from './compare';
import { describeF2Record } from './labels';
import { F2_FLOW, F2_MAPPING_SET_DEFINITIONS, F2_MAPPING_SETS, loadF2Mappings, seedF2SandboxMappings } from './mappings';
import { acumaticaView, pairVendors } from './plan-vendors';
import { policyFromSettings } from './policy';
import { f2ReferenceData } from './pickers';
import { f2Counterparty } from './counterparty';

/**
 * F2: Procore → Acumatica. Approved subcontractor invoices and direct costs become AP bills
 * coded to GL accounts (and, with construction features, to project, task and cost code);
 * vendors and cost codes stay aligned both ways; AP payment status flows back into Procore;
 * commitments and change orders are reconciled against Acumatica's subcontracts and purchase
 * orders. Planning: plan-*.ts; streams and runs: flow.ts; writes and lookups: writer.ts.
 */
export const procoreAcumaticaFlow: FlowPlugin<'procore' | 'acumatica'> = {
  id: F2_FLOW,
  title: 'Procore → Acumatica',
  systems: ['procore', 'acumatica'],
  mappingSets: F2_MAPPING_SET_DEFINITIONS,
  documents: [
    { entity: ENTITIES.invoice, label: 'Subcontractor invoice' },
    { entity: ENTITIES.directCost, label: 'Direct cost' },
    { entity: ENTITIES.vendor, label: 'Vendor' },
    { entity: ENTITIES.costCode, label: 'Cost code' },
    { entity: ENTITIES.payment, label: 'AP payment' },
    { entity: ENTITIES.commitment, label: 'Commitment' },
  ],

  /**
   * An idle poll reads each stream once: from Procore vendors (active and inactive lists) and,
   * walking the projects, subcontractor invoices and direct costs (commitments too when
   * subcontracts are created); from Acumatica vendors, cost codes and AP payments. Reference
   * data is read only when a record is to be planned.
   */
  idlePollCalls(store) {
    const set = store.mappings.getSet(F2_FLOW, F2_MAPPING_SETS.projects);
    const version = set ? store.mappings.currentVersion(set.id) : undefined;
    const projects = Math.max(1, version ? store.mappings.rows(version.id).length : 1);
    const acumatica = store.connections.list().find((c) => c.system === 'acumatica');
    const policy = policyFromSettings(acumatica?.settings ?? {});
    return {
      procore: 2 + 2 * (1 + projects) + (policy.createSubcontracts ? 1 + 2 * projects : 0),
      acumatica: 2 + (policy.costCodesToProcore ? 1 : 0),
    };
  },

  open(context) {
    const base = f2Deps(context);
    const reference = f2ReferenceData(context.store, context.connectors.procore, context.connectors.acumatica);
    const counterparty = f2Counterparty(base);
    const deps = (request: Omit<FlowRunRequest, 'trigger'>): F2Deps => ({
      ...base,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    });
    return {
      run: (request) => runProcoreAcumatica(deps(request), request.trigger),
      retryParked: (selection, request) => retryParked(deps(request), selection, request.trigger),
      replay: (seq, request) => replayAuditEntry(deps(request), seq),
      referenceData: reference.referenceData,
      previewCounterparty: counterparty.previewCounterparty,
      createCounterparty: counterparty.createCounterparty,
      async suggestCounterpartyLinks(): Promise<CounterpartyLinkSuggestion[]> {
        const [procoreVendors, acumaticaVendors] = await Promise.all([
          readOrExplain('Procore', 'the vendors', () => base.procore.listVendorRecords()),
          readOrExplain('Acumatica', 'the vendors', () => base.acumatica.listVendors()),
        ]);
        const views = acumaticaVendors.map(acumaticaView);
        const { mappings } = loadF2Mappings(base.store);
        return pairVendors({ changedProcore: procoreVendors.filter((v) => v.active), changedAcumatica: [], allProcore: procoreVendors, allAcumatica: views, mapped: mappings.vendors }).flatMap((pair) =>
          pair.procore && !pair.linkedBy && pair.candidates.length === 1
            ? [
                {
                  supplierCode: pair.procore.sourceId,
                  supplierName: pair.procore.name,
                  vendorId: pair.candidates[0]!.id,
                  vendorName: pair.candidates[0]!.name,
                  matchedBy: pair.candidates[0]!.matchedBy === 'origin_code' ? ('origin_code' as const) : ('name' as const),
                },
              ]
            : [],
        );
      },
      reconcile: (request) => reconcileProcoreAcumatica(base, request.apiCalls),
    };
  },

  seedSandboxMappings: seedF2SandboxMappings,
  describeRecord: describeF2Record,
  compareRecord: compareF2Record,
};

/** F2's dependencies over the process's connectors; Procore's streams are read once per poll for every flow (shared-reads.ts). */
export function f2Deps({ store, connectors, connectionIds, sharedReads }: FlowOpenContext<'procore' | 'acumatica'>): F2Deps {
  return {
    store,
    procore: connectors.procore,
    acumatica: connectors.acumatica,
    sharedReads,
    procoreConnectionId: connectionIds.procore,
    acumaticaConnectionId: connectionIds.acumatica,
  };
}
