import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../../src-shared/domain/records';
import { readOrExplain } from '../../sync/explain-read-failure';
import type { CounterpartyLinkSuggestion, FlowOpenContext, FlowPlugin, FlowRunRequest, FlowRuntime } from '../types';
import { currentPolicy, replayAuditEntry, retryParked, runProcoreIntacct, type ProcoreIntacctDeps } from './flow';
import { compareF3Record, describeF3Record } from './labels';
import { F3_FLOW, F3_MAPPING_SET_DEFINITIONS, F3_MAPPING_SETS, loadF3Mappings, seedF3SandboxMappings } from './mappings';
import { documentKey, type PlannedDocument } from './model';
import { reconcile, type ReconciliationReport } from '../../reconcile/reconcile';
import { f3ReferenceData } from './pickers';
import { f3Comparisons, type IntacctDocumentSeen } from './reconcile';
import { suggestVendorLinks } from './vendors';

/**
 * F3: Procore → Sage Intacct. Commitments (with their approved change orders) and approved pay
 * applications post to Intacct through the XML gateway, validated against Intacct's accounts
 * and dimensions first; vendors both ways; payments back to Procore; Intacct's tasks into
 * Procore's cost codes. Streams and runs: flow.ts; planning: plan.ts, vendors.ts, payments.ts,
 * reference.ts; reconciliation: reconcile.ts (decision 0021).
 */

export const procoreIntacctFlow: FlowPlugin<'procore' | 'sage-intacct'> = {
  id: F3_FLOW,
  title: 'Procore → Sage Intacct',
  systems: ['procore', 'sage-intacct'],
  mappingSets: F3_MAPPING_SET_DEFINITIONS,
  documents: [
    { entity: 'commitment', label: 'Commitment' },
    { entity: 'pay-application', label: 'Pay application' },
    { entity: 'vendor', label: 'Vendor' },
    { entity: 'bill-payment', label: 'Bill payment' },
    { entity: 'intacct-task', label: 'Intacct task' },
    { entity: 'intacct-purchasing', label: 'Purchasing transaction' },
    { entity: 'intacct-bill', label: 'AP bill' },
    { entity: 'intacct-journal', label: 'Journal entry' },
    { entity: 'intacct-vendor', label: 'Intacct vendor' },
    { entity: 'procore-vendor', label: 'Procore vendor' },
    { entity: 'procore-payment', label: 'Contract payment' },
    { entity: 'procore-cost-code', label: 'Procore cost code' },
  ],

  /**
   * An idle poll reads, in Procore, the projects and per project the two commitment lists, the
   * change orders and the pay applications, plus the two vendor lists; in Intacct the vendors
   * and the bills changed since (one `query` each). Projects are estimated from the Projects table.
   */
  idlePollCalls(store) {
    const set = store.mappings.getSet(F3_FLOW, F3_MAPPING_SETS.projects);
    const version = set ? store.mappings.currentVersion(set.id) : undefined;
    const projects = version ? store.mappings.rows(version.id).length : 1;
    return { procore: 5 + 4 * projects, 'sage-intacct': 2 };
  },

  open(context): FlowRuntime {
    const base = procoreIntacctDeps(context);
    const reference = f3ReferenceData(context.store, context.connectors.procore, context.connectors['sage-intacct']);
    const deps = (request: Omit<FlowRunRequest, 'trigger'>): ProcoreIntacctDeps => ({
      ...base,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    });
    return {
      run: (request) => runProcoreIntacct(deps(request), request.trigger),
      retryParked: (selection, request) => retryParked(deps(request), selection, request.trigger),
      replay: (seq, request) => replayAuditEntry(deps(request), seq),
      reconcile: ({ apiCalls }) => reconcileNow(base, apiCalls),
      referenceData: reference.referenceData,
      async suggestCounterpartyLinks(): Promise<CounterpartyLinkSuggestion[]> {
        const [procoreVendors, intacctVendors] = await Promise.all([
          // The whole list as it is now (a sync's read holds back what changed in the last seconds).
          readOrExplain('Procore', 'the vendors', () => base.procore.listVendors()),
          readOrExplain('Sage Intacct', 'the vendors', async () => (await base.intacct.listVendors({ activeOnly: true })).vendors),
        ]);
        return suggestVendorLinks(procoreVendors, intacctVendors, loadF3Mappings(base.store).mappings.vendors);
      },
    };
  },

  seedSandboxMappings: seedF3SandboxMappings,
  describeRecord: describeF3Record,
  compareRecord: compareF3Record,
};

export function procoreIntacctDeps({ store, connectors, connectionIds, sharedReads }: FlowOpenContext<'procore' | 'sage-intacct'>): ProcoreIntacctDeps {
  return {
    store,
    procore: connectors.procore,
    intacct: connectors['sage-intacct'],
    sharedReads,
    procoreConnectionId: connectionIds.procore,
    intacctConnectionId: connectionIds['sage-intacct'],
  };
}

/**
 * Reads both sides in full — Procore's commitments and approved pay applications as an initial
 * sync reads them; in Intacct every bill carrying a key (one `query` page per 2,000, copies
 * included) and the purchasing transactions or journals under the commitments' keys — and
 * reconciles them (decision 0023). Writes nothing; the calls are counted.
 */
export async function reconcileNow(deps: ProcoreIntacctDeps, apiCalls: () => Record<string, number>): Promise<ReconciliationReport> {
  const { store, procore, intacct } = deps;
  const policy = currentPolicy(deps);
  const start = apiCalls();
  const commitments: ProcoreCommitment[] = [];
  const deleted: string[] = [];
  const payApplications: ProcoreRequisition[] = [];
  await readOrExplain('Procore', 'the commitments', async () => {
    for await (const page of procore.readCommitments(null)) {
      commitments.push(...page.records);
      deleted.push(...page.deletions.map((d) => d.sourceId));
    }
  });
  await readOrExplain('Procore', 'the pay applications', async () => {
    for await (const page of procore.readRequisitions(null)) payApplications.push(...page.records);
  });
  const projects = await readOrExplain('Procore', 'the projects', () => procore.listProjects());

  // Which Intacct document type each commitment has (or would get): the one it was posted as.
  const commitmentKeys = [...commitments.map((c) => c.sourceId), ...deleted].map((id) => documentKey.commitment(id));
  const typeOf = (key: string): PlannedDocument['entity'] => {
    for (const entity of ['intacct-purchasing', 'intacct-bill', 'intacct-journal'] as const) if (store.targetRecords.get(F3_FLOW, entity, key)) return entity;
    return policy.commitmentDocument === 'purchasing' ? 'intacct-purchasing' : policy.commitmentDocument === 'draft-bill' ? 'intacct-bill' : 'intacct-journal';
  };
  const seen = new Map<string, IntacctDocumentSeen>();
  const purchasingKeys = commitmentKeys.filter((k) => typeOf(k) === 'intacct-purchasing');
  const journalKeys = commitmentKeys.filter((k) => typeOf(k) === 'intacct-journal');
  await readOrExplain('Sage Intacct', 'the posted documents', async () => {
    // Every keyed bill, oldest first: the first under a key is the document, later ones are copies.
    const { bills } = await intacct.readBillPayments({ modifiedSince: null, onlyKeyed: true });
    for (const b of [...bills].sort((x, y) => Number(x.recordNo) - Number(y.recordNo))) {
      if (!b.key) continue;
      const known = seen.get(b.key);
      if (known) known.copies.push({ recordNo: b.recordNo, total: b.total });
      else seen.set(b.key, { key: b.key, type: 'AP bill', id: b.billNumber ?? b.recordNo, total: b.total, lines: 0, copies: [] });
    }
    if (purchasingKeys.length > 0)
      for (const [key, d] of await intacct.findPurchasingDocuments(purchasingKeys))
        seen.set(key, { key, type: 'Purchasing transaction', id: d.documentId ?? d.recordNo, total: d.total, lines: 0, copies: d.duplicates.map((recordNo) => ({ recordNo, total: null })) });
    // A journal's commitment amount: its job cost lines, debits less credits (the offset line balances them).
    if (journalKeys.length > 0)
      for (const [key, d] of await intacct.findJournalEntries(journalKeys)) {
        const cost = (d.lines ?? []).filter((l) => l.accountNo !== policy.journalOffsetAccountNo);
        const total = Decimal.sum(cost.map((l) => ((l as { side?: string }).side === 'credit' ? Decimal.parse(l.amount).negate() : Decimal.parse(l.amount))));
        seen.set(key, { key, type: 'Journal entry', id: d.recordNo, total: total.toMoneyString(), lines: cost.length, copies: d.duplicates.map((recordNo) => ({ recordNo, total: null })) });
      }
  });

  const parked = new Map(store.parked.listOpen(F3_FLOW).map((p) => [p.sourceId, p.reasonText]));
  const posted = new Map<string, string>();
  for (const t of store.targetRecords.listForFlow(F3_FLOW))
    if (t.entity === 'intacct-purchasing' || t.entity === 'intacct-bill' || t.entity === 'intacct-journal') posted.set(t.originId, (t.payload as unknown as PlannedDocument).total);
  const inputs = f3Comparisons({ policy, projectNames: new Map(projects.map((p) => [p.id, p.name])), commitments, deletedCommitments: deleted, payApplications, intacct: seen, parked, posted });
  const end = apiCalls();
  const used = Object.fromEntries(Object.keys(end).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return reconcile({ flow: F3_FLOW, title: procoreIntacctFlow.title, generatedAt: new Date().toISOString(), apiCalls: used }, inputs);
}
