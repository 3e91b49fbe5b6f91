import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../../src-shared/domain/records';
import type { ReconInput } from '../../reconcile/reconcile';
import { documentKey } from './model';
import type { F3Policy } from './policy';

/**
 * F3's half of "do the two systems agree?" (decision 0023), pure: one comparison per Intacct
 * document this flow posts — every Procore commitment in a posted status (its revised contract:
 * SOV plus approved change orders) and every approved pay application (what is payable per the
 * retainage setting) against the document under its key — for the generic module
 * (engine/reconcile) to explain and total. A copy of a document made in Intacct by hand is a
 * record of its own that the source does not expect.
 */
export interface IntacctDocumentSeen {
  key: string;
  /** Purchasing transaction, AP bill, journal entry. */
  type: string;
  /** DOCID, bill number or RECORDNO. */
  id: string;
  total: string;
  lines: number;
  /** Copies under the same key (someone duplicated it in Intacct): their RECORDNO and total. */
  copies: { recordNo: string; total: string | null }[];
}

export interface ReconcileInput {
  policy: F3Policy;
  projectNames: ReadonlyMap<string, string>;
  commitments: readonly ProcoreCommitment[];
  /** Commitments deleted in Procore (their documents stay in Intacct unless the policy zeroes them). */
  deletedCommitments: readonly string[];
  payApplications: readonly ProcoreRequisition[];
  intacct: ReadonlyMap<string, IntacctDocumentSeen>;
  /** Why a record waits in Pending validation, by its Procore id. */
  parked: ReadonlyMap<string, string>;
  /** What this flow last posted per key (its total). */
  posted: ReadonlyMap<string, string>;
}

/** The comparisons for the generic reconciliation, one per Intacct document (and per copy of one). */
export function f3Comparisons(input: ReconcileInput): ReconInput[] {
  const out: ReconInput[] = [];
  const { policy } = input;
  const project = (id: string): string => input.projectNames.get(id) ?? `Procore project ${id}`;
  const add = (base: Omit<ReconInput, 'targetKey' | 'actual' | 'confirmed' | 'targetId' | 'lineCount'> & { lineCount: number }, key: string): void => {
    const seen = input.intacct.get(key);
    out.push({ ...base, targetKey: key, actual: seen?.total ?? null, confirmed: input.posted.get(key) ?? null, targetId: seen ? `${seen.type} ${seen.id}` : null, lineCount: Math.max(base.lineCount, seen?.lines ?? 0) });
    for (const copy of seen?.copies ?? [])
      // The source expects nothing more under this key: what the app wrote for the copy is nothing,
      // so the generic module reads it as changed in Intacct by hand.
      out.push({ ...base, documentNumber: `${base.documentNumber} (copy, RECORDNO ${copy.recordNo})`, targetKey: `${key}#${copy.recordNo}`, expected: '0.00', actual: copy.total ?? seen!.total, confirmed: '0.00', parkedReason: null, deletedAtSource: false, targetId: `${seen!.type} RECORDNO ${copy.recordNo}`, lineCount: 1 });
  };

  for (const c of input.commitments) {
    if (c.originId) continue; // another integration's commitment: not posted by this flow
    const key = documentKey.commitment(c.sourceId);
    // Commitments not (yet) in a posted status are not expected in Intacct, unless posted before.
    if (!policy.commitmentStatuses.includes(c.status) && !input.intacct.has(key) && !input.posted.has(key)) continue;
    add(
      {
        sourceId: c.sourceId,
        documentType: c.commitmentType === 'work-order' ? 'Subcontract' : 'Purchase order',
        documentNumber: c.number,
        counterparty: c.vendor?.name ?? null,
        project: project(c.projectId),
        currency: policy.currency,
        expected: Decimal.parse(c.revisedContract).toMoneyString(),
        parkedReason: input.parked.get(c.sourceId) ?? null,
        deletedAtSource: false,
        lineCount: c.lines.length,
      },
      key,
    );
  }
  for (const id of input.deletedCommitments) {
    const key = documentKey.commitment(id);
    if (!input.intacct.has(key) && !input.posted.has(key)) continue;
    add(
      {
        sourceId: id,
        documentType: 'Commitment',
        documentNumber: `${id} (deleted in Procore)`,
        counterparty: null,
        project: null,
        currency: policy.currency,
        // Gone at the source: zeroed under the "zero" policy, else nothing Procore still expects.
        expected: policy.deletedCommitment === 'zero' ? '0.00' : null,
        parkedReason: null,
        deletedAtSource: true,
        lineCount: 1,
      },
      key,
    );
  }
  for (const r of input.payApplications) {
    if (r.originId) continue;
    add(
      {
        sourceId: r.sourceId,
        documentType: 'Pay application',
        documentNumber: `${r.commitmentNumber ?? r.commitmentId} #${r.number}${r.invoiceNumber ? ` (invoice ${r.invoiceNumber})` : ''}`,
        counterparty: r.vendor?.name ?? r.vendorName,
        project: project(r.projectId),
        currency: policy.currency,
        expected: Decimal.parse(policy.retainage === 'gross' ? r.totalClaimed : r.netPayable).toMoneyString(),
        parkedReason: input.parked.get(r.sourceId) ?? null,
        deletedAtSource: false,
        lineCount: r.lines.length,
      },
      documentKey.payApplication(r.sourceId),
    );
  }
  return out;
}
