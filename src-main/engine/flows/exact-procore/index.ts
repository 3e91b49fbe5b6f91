import { sharedExactFeeds } from '../../../connectors/exact-online';
import { readOrExplain } from '../../sync/explain-read-failure';
import { suggestVendorLinks } from '../shared/counterparty-links';
import type { FlowOpenContext, FlowPlugin, FlowRunRequest } from '../types';
import { procoreTarget } from './adapters';
import { replayAuditEntry, retryParked, runExactProcore, type ExactProcoreDeps } from './flow';
import { compareF1Record, describeF1Record } from './labels';
import { F1_FLOW, F1_MAPPING_SET_DEFINITIONS, F1_MAPPING_SETS, loadF1Mappings, seedF1SandboxMappings } from './mappings';
import type { ExactSource } from './ports';
import { f1CodingKeys, f1ReferenceData } from './reference';
import { reconcileExactProcore } from './reconcile';

/**
 * F1: Exact Online purchase orders and purchase invoices → Procore commitments and direct costs.
 * Planning: plan.ts; streams and runs: flow.ts; mapping tables: mappings.ts.
 */
export const exactProcoreFlow: FlowPlugin<'exact-online' | 'procore'> = {
  id: F1_FLOW,
  title: 'Exact Online → Procore',
  systems: ['exact-online', 'procore'],
  mappingSets: F1_MAPPING_SET_DEFINITIONS,
  documents: [
    { entity: 'purchase-order', label: 'Purchase order' },
    { entity: 'purchase-invoice', label: 'Purchase invoice' },
    { entity: 'commitment', label: 'Commitment' },
    { entity: 'direct-cost', label: 'Direct cost' },
  ],

  /**
   * An idle poll reads each stream once from Exact Online and nothing from Procore; a poll that
   * finds records first loads Procore's reference data (projects, line item types, vendors and
   * the cost codes of each mapped project), and spacing assumes that much so Procore's hour lasts.
   */
  idlePollCalls(store) {
    const set = store.mappings.getSet(F1_FLOW, F1_MAPPING_SETS.projects);
    const version = set ? store.mappings.currentVersion(set.id) : undefined;
    const mappedProjects = new Set(version ? store.mappings.rows(version.id).map((row) => JSON.stringify(row.target)) : []);
    return { 'exact-online': ['readPurchaseOrders', 'readPurchaseInvoices', 'readDeletions'], procore: 3 + mappedProjects.size };
  },

  open(context) {
    const { store, connectors } = context;
    const exact = connectors['exact-online'];
    const procore = connectors.procore;
    const base = exactProcoreDeps(context);
    const reference = f1ReferenceData(store, exact, procore);
    const deps = (request: Omit<FlowRunRequest, 'trigger'>): ExactProcoreDeps => ({
      ...base,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    });
    return {
      run: (request) => runExactProcore(deps(request), request.trigger),
      retryParked: (selection, request) => retryParked(deps(request), selection, request.trigger),
      replay: (seq, request) => replayAuditEntry(deps(request), seq),
      reconcile: ({ apiCalls }) => reconcileExactProcore({ store, exact, procore, apiCalls }),
      async suggestCounterpartyLinks() {
        const [suppliers, vendors] = await Promise.all([
          readOrExplain('Exact Online', 'the suppliers', () => exact.readSuppliers()),
          readOrExplain('Procore', 'the vendors', () => procore.listVendors()),
        ]);
        // Read after the lists: a link saved while they were read is not suggested again.
        const linked = new Set(loadF1Mappings(store).mappings.vendors.keys());
        return suggestVendorLinks(
          suppliers.map((s) => ({ sourceId: s.id, code: s.code, name: s.name })),
          // An inactive vendor cannot take new commitments: linking a supplier to it would only park them.
          vendors.filter((v) => v.active),
          linked,
        );
      },
      referenceData: reference.referenceData,
      previewCounterparty: reference.previewCounterparty,
      createCounterparty: reference.createCounterparty,
    };
  },

  seedSandboxMappings: seedF1SandboxMappings,
  describeRecord: describeF1Record,
  compareRecord: compareF1Record,
  codingKeys: f1CodingKeys,
};

/** F1's dependencies over the process's connectors; Exact's streams are read once per poll for every flow (shared-reads.ts). */
export function exactProcoreDeps({ store, connectors, connectionIds, sharedReads }: FlowOpenContext<'exact-online' | 'procore'>): ExactProcoreDeps {
  const exact = connectors['exact-online'];
  const feeds = sharedExactFeeds(exact, sharedReads, connectionIds['exact-online'], F1_FLOW);
  const shared: ExactSource = {
    readPurchaseOrders: feeds.readPurchaseOrders,
    readDeletedPurchaseOrders: feeds.readDeletedPurchaseOrders,
    readPurchaseInvoices: feeds.readPurchaseInvoices,
  };
  return { store, exact: shared, procore: procoreTarget(connectors.procore), exactConnectionId: connectionIds['exact-online'] };
}
