import { sharedExactFeeds } from '../../../connectors/exact-online';
import type { FlowOpenContext, FlowPlugin, FlowRunRequest } from '../types';
import { IDLE_EXACT_FEEDS, replayAuditEntry, retryParked, runExactMonday, type ExactMondayDeps } from './flow';
import { compareF4Record, describeF4Record } from './labels';
import { F4_MAPPING_SET_DEFINITIONS, F4_MAPPING_SETS, seedF4SandboxMappings } from './mappings';
import { DOCUMENT_TYPES, F4_FLOW, ITEM_ENTITY, type DocumentType } from './model';
import type { ExactSource } from './ports';
import { reconcileExactMonday } from './reconcile';
import { f4CodingKeys, f4ReferenceData } from './reference';

/**
 * F4: Exact Online purchase orders, sales invoices and sales orders → items on the finance team's
 * monday.com boards, every mapped column filled; an item whose GL account or cost center is not
 * among the reference values is created and flagged for review. Planning: plan.ts; the board
 * check: board-check.ts; the writer and its recovery lookups: writer.ts; streams and runs: flow.ts;
 * mapping tables: mappings.ts; names and the record view: labels.ts; reconciliation: reconcile.ts.
 * Decision 0018.
 */
export const exactMondayFlow: FlowPlugin<'exact-online' | 'monday'> = {
  id: F4_FLOW,
  title: 'Exact Online → monday.com',
  systems: ['exact-online', 'monday'],
  mappingSets: F4_MAPPING_SET_DEFINITIONS,
  documents: [
    { entity: 'purchase-order', label: 'Purchase order' },
    { entity: 'sales-invoice', label: 'Sales invoice' },
    { entity: 'sales-order', label: 'Sales order' },
    { entity: ITEM_ENTITY, label: 'monday.com item' },
  ],

  /**
   * An idle poll reads each mapped document type's feed(s) and sync/Deleted once from Exact
   * (purchase orders shared with the other Exact flows) and nothing from monday.com: the boards
   * are read only when there is something to write.
   */
  idlePollCalls(store) {
    const set = store.mappings.getSet(F4_FLOW, F4_MAPPING_SETS.boards);
    const version = set ? store.mappings.currentVersion(set.id) : undefined;
    const mapped = new Set(version ? store.mappings.rows(version.id).map((row) => (row.sourceKey as { documentType?: string }).documentType) : []);
    const types = DOCUMENT_TYPES.filter((t: DocumentType) => mapped.has(t));
    return { 'exact-online': [...new Set(types.flatMap((t) => IDLE_EXACT_FEEDS[t]))], monday: 0 };
  },

  open(context) {
    const base = exactMondayDeps(context);
    const deps = (request: Omit<FlowRunRequest, 'trigger'>): ExactMondayDeps => ({
      ...base,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    });
    const reference = f4ReferenceData(context.store, context.connectors['exact-online'], context.connectors.monday);
    return {
      run: (request) => runExactMonday(deps(request), request.trigger),
      retryParked: (selection, request) => retryParked(deps(request), selection, request.trigger),
      replay: (seq, request) => replayAuditEntry(deps(request), seq),
      // The pickers of the Mappings screen: the board picker, groups, columns; Exact's GL accounts and cost centers.
      referenceData: reference.referenceData,
      // Exact's full reads straight from the connector (not the polls' shared reads): a reconciliation moves no cursor.
      reconcile: ({ apiCalls }) => reconcileExactMonday({ store: context.store, exact: context.connectors['exact-online'], monday: context.connectors.monday, apiCalls }),
    };
  },

  codingKeys: f4CodingKeys,

  seedSandboxMappings: seedF4SandboxMappings,
  describeRecord: describeF4Record,
  compareRecord: compareF4Record,
};

/**
 * F4's dependencies over the process's connectors. Exact's streams are read once per poll for
 * every flow (shared-reads.ts): purchase orders and their deletions under the same stream names
 * the other Exact flows use, so F1 and F4 share one read.
 */
export function exactMondayDeps({ store, connectors, connectionIds, sharedReads }: FlowOpenContext<'exact-online' | 'monday'>): ExactMondayDeps {
  const exact = connectors['exact-online'];
  const feeds = sharedExactFeeds(exact, sharedReads, connectionIds['exact-online'], F4_FLOW);
  const shared: ExactSource = {
    readPurchaseOrders: feeds.readPurchaseOrders,
    readDeletedPurchaseOrders: feeds.readDeletedPurchaseOrders,
    readSalesInvoices: feeds.readSalesInvoices,
    readDeletedSalesInvoices: feeds.readDeletedSalesInvoices,
    readSalesOrders: feeds.readSalesOrders,
    readDeletedSalesOrders: feeds.readDeletedSalesOrders,
  };
  return { store, exact: shared, monday: connectors.monday, exactConnectionId: connectionIds['exact-online'] };
}
