import { sharedExactFeeds } from '../../../connectors/exact-online';
import { readOrExplain } from '../../sync/explain-read-failure';
import { suggestVendorLinks } from '../shared/counterparty-links';
import type { CounterpartyLinkSuggestion, FlowOpenContext, FlowPlugin, FlowRunRequest } from '../types';
import { replayAuditEntry, retryParked, runExactCoupa, type ExactCoupaDeps } from './flow';
import { compareF5Record, describeF5Record } from './labels';
import { f5CodingKeys, F5_MAPPING_SET_DEFINITIONS, loadF5Mappings, seedF5SandboxMappings } from './mappings';
import { DEFAULT_POLICY, F5_FLOW } from './model';
import type { ExactSource } from './ports';
import { reconcileExactCoupa } from './reconcile';
import { f5ReferenceData } from './reference';

/**
 * F5: Exact Online purchase orders and supplier invoices → Coupa, suppliers both ways.
 * Planning: plan.ts, suppliers.ts; streams and runs: flow.ts; writers: writer.ts; tables and
 * policy: mappings.ts, policy.ts; names and the record view: labels.ts; reconciliation:
 * reconcile.ts. Choices: docs/decisions/0019.
 */
export const exactCoupaFlow: FlowPlugin<'exact-online' | 'coupa'> = {
  id: F5_FLOW,
  title: 'Exact Online → Coupa',
  systems: ['exact-online', 'coupa'],
  mappingSets: F5_MAPPING_SET_DEFINITIONS,
  documents: [
    { entity: 'supplier', label: 'Supplier' },
    { entity: 'purchase-order', label: 'Purchase order' },
    { entity: 'purchase-invoice', label: 'Supplier invoice' },
    { entity: 'coupa-supplier', label: 'Coupa supplier' },
    { entity: 'exact-supplier', label: 'Exact supplier' },
  ],

  /**
   * An idle poll reads Exact's supplier, PO, deletion and purchase-entry feeds (three of them
   * shared with the other Exact flows) and nothing from Coupa, unless Coupa → Exact is on (one
   * read of Coupa's supplier changes). Coupa is read only when there are records to plan.
   */
  idlePollCalls(store) {
    let fromCoupa = DEFAULT_POLICY.suppliersFromCoupa;
    try {
      fromCoupa = loadF5Mappings(store).mappings.policy.suppliersFromCoupa;
    } catch {
      // A wrong setting fails the run itself, in words; spacing assumes the default.
    }
    return { 'exact-online': ['readSuppliersChanged', 'readPurchaseOrders', 'readPurchaseInvoices', 'readDeletions'], coupa: fromCoupa ? 1 : 0 };
  },

  open(context) {
    const base = exactCoupaDeps(context);
    const reference = f5ReferenceData(context.connectors['exact-online'], context.connectors.coupa, () => {
      try {
        return loadF5Mappings(context.store).mappings.policy.chartOfAccounts;
      } catch {
        return DEFAULT_POLICY.chartOfAccounts; // a wrong setting fails the run itself, in words
      }
    });
    const deps = (request: Omit<FlowRunRequest, 'trigger'>): ExactCoupaDeps => ({
      ...base,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    });
    return {
      run: (request) => runExactCoupa(deps(request), request.trigger),
      retryParked: (selection, request) => retryParked(deps(request), selection, request.trigger),
      replay: (seq, request) => replayAuditEntry(deps(request), seq),
      suggestCounterpartyLinks: () => suggestSupplierLinks(base),
      referenceData: reference.referenceData,
      // Exact's full reads straight from the connector (not the polls' shared reads): a reconciliation moves no cursor.
      reconcile: ({ apiCalls }) => reconcileExactCoupa({ store: context.store, exact: context.connectors['exact-online'], coupa: context.connectors.coupa, apiCalls }),
    };
  },

  seedSandboxMappings: seedF5SandboxMappings,
  codingKeys: f5CodingKeys,
  describeRecord: describeF5Record,
  compareRecord: compareF5Record,
};

/**
 * Exact suppliers that Coupa has under no number of theirs, each with the Coupa supplier of the
 * same name (legal forms, accents and case aside) for a person to confirm; nothing is saved.
 * A Coupa supplier without a number is suggested under the Exact code (confirming sets it).
 */
async function suggestSupplierLinks(deps: ExactCoupaDeps): Promise<CounterpartyLinkSuggestion[]> {
  const [suppliers, coupaSuppliers] = await Promise.all([
    readOrExplain('Exact Online', 'the suppliers', () => deps.exact.readSuppliers()),
    readOrExplain('Coupa', 'the suppliers', () => deps.coupa.listSuppliers()),
  ]);
  const { mappings } = loadF5Mappings(deps.store);
  const numbers = new Set(coupaSuppliers.flatMap((s) => (s.number ? [s.number] : [])));
  const linked = new Set(suppliers.filter((s) => mappings.supplierLinks.has(s.code) || numbers.has(s.code)).map((s) => s.code));
  const taken = new Set([...linked].map((code) => mappings.supplierLinks.get(code) ?? code));
  const candidates = coupaSuppliers.filter((s) => s.status !== 'inactive' && !(s.number && taken.has(s.number)));
  return suggestVendorLinks(
    suppliers.map((s) => ({ sourceId: s.id, code: s.code, name: s.name })),
    candidates.map((s) => ({ id: s.number ?? '', name: s.name, originId: null, originCode: null })),
    linked,
  ).map((x) => (x.vendorId ? x : { ...x, vendorId: x.supplierCode }));
}

/** F5's dependencies over the process's connectors; Exact's streams are read once per poll for every flow (shared-reads.ts). */
export function exactCoupaDeps({ store, connectors, connectionIds, sharedReads }: FlowOpenContext<'exact-online' | 'coupa'>): ExactCoupaDeps {
  const exact = connectors['exact-online'];
  const feeds = sharedExactFeeds(exact, sharedReads, connectionIds['exact-online'], F5_FLOW);
  const shared: ExactSource = {
    readSuppliersChanged: feeds.readSuppliersChanged,
    readPurchaseOrders: feeds.readPurchaseOrders,
    readDeletedPurchaseOrders: feeds.readDeletedPurchaseOrders,
    readDeletedSuppliers: feeds.readDeletedSuppliers,
    readPurchaseInvoices: feeds.readPurchaseInvoices,
    findPurchaseInvoiceByNumber: (supplierId, number) => exact.findPurchaseInvoiceByNumber(supplierId, number),
    findSupplierByCode: (code) => exact.findSupplierByCode(code),
    readSuppliers: () => exact.readSuppliers(),
    createSupplier: (input, options) => exact.createSupplier(input, options),
    updateSupplier: (id, changes, options) => exact.updateSupplier(id, changes, options),
  };
  return {
    store,
    exact: shared,
    coupa: connectors.coupa,
    exactConnectionId: connectionIds['exact-online'],
    coupaConnectionId: connectionIds.coupa,
  };
}
