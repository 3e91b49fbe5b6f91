import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../../src-shared/domain/records';
import { documentKey } from './model';
import type { F3Policy } from './policy';
import { commitmentLabel, payApplicationLabel } from './plan';

/**
 * "Do Procore and Intacct agree?", pure: every Procore commitment and approved pay application
 * this flow posts, against the Intacct document under its key, to the cent, totals per project
 * and per vendor, and each difference with its cause (waiting in Pending validation, changed in
 * Procore since the last sync, changed in Intacct after posting, posted twice, not posted yet…).
 */
export interface IntacctDocumentSeen {
  key: string;
  /** Purchasing transaction, AP bill, journal entry. */
  type: string;
  /** DOCID, bill number or RECORDNO. */
  id: string;
  state: string;
  total: string;
  /** Other documents carrying the same key (RECORDNOs). */
  duplicates: string[];
}

export interface ReconcileInput {
  policy: F3Policy;
  projectNames: ReadonlyMap<string, string>;
  commitments: readonly ProcoreCommitment[];
  /** Commitments deleted in Procore (their documents stay in Intacct unless the policy zeroes them). */
  deletedCommitments: readonly string[];
  payApplications: readonly ProcoreRequisition[];
  intacct: ReadonlyMap<string, IntacctDocumentSeen>;
  /** Why a record waits, by its Procore id. */
  parked: ReadonlyMap<string, string>;
  /** What this flow last posted per key (its total). */
  posted: ReadonlyMap<string, string>;
}

export type DifferenceCause =
  | 'waiting-in-pending'
  | 'not-posted-yet'
  | 'changed-in-procore'
  | 'changed-in-intacct'
  | 'posted-twice'
  | 'deleted-in-procore'
  | 'owned-by-another-integration';

export interface ReconciledDocument {
  kind: 'commitment' | 'pay-application';
  procoreId: string;
  /** As finance names it, e.g. "Subcontract SC-001 (Funderingstechniek Meijer B.V.)". */
  label: string;
  project: string;
  vendor: string;
  procoreAmount: string;
  intacct: { type: string; id: string; state: string } | null;
  intacctAmount: string;
  difference: string;
  cause: DifferenceCause | null;
  /** The cause in words. */
  explanation: string | null;
}

export interface TotalsRow {
  name: string;
  procore: string;
  intacct: string;
  difference: string;
}

export interface ReconciliationReport {
  currency: string;
  agree: boolean;
  totals: { procore: string; intacct: string; difference: string };
  byProject: TotalsRow[];
  byVendor: TotalsRow[];
  /** Every document with a difference, then those that match. */
  documents: ReconciledDocument[];
  counts: { documents: number; matching: number; different: number; notOurs: number };
}

const ZERO = Decimal.ZERO;
const parse = (v: string | null | undefined): Decimal => (v ? Decimal.parse(v) : ZERO);

export function reconcile(input: ReconcileInput): ReconciliationReport {
  const docs: ReconciledDocument[] = [];
  let notOurs = 0;
  const projectName = (id: string): string => input.projectNames.get(id) ?? `Procore project ${id}`;

  const compare = (kind: ReconciledDocument['kind'], procoreId: string, key: string, label: string, projectId: string, vendor: string, procoreAmount: Decimal): void => {
    const seen = input.intacct.get(key);
    const intacctAmount = seen ? parse(seen.total) : ZERO;
    const difference = procoreAmount.minus(intacctAmount);
    let cause: DifferenceCause | null = null;
    let explanation: string | null = null;
    const parked = input.parked.get(procoreId);
    const posted = input.posted.get(key);
    if (seen && seen.duplicates.length > 0) {
      cause = 'posted-twice';
      explanation = `Intacct holds ${seen.duplicates.length + 1} documents under key ${key} (RECORDNO ${seen.duplicates.join(', ')} besides ${seen.id}); void the copies`;
    } else if (!difference.isZero()) {
      if (!seen && parked) [cause, explanation] = ['waiting-in-pending', `Not posted: ${parked}`];
      else if (!seen) [cause, explanation] = ['not-posted-yet', 'Not posted yet; the next sync posts it'];
      else if (posted !== undefined && !parse(posted).equals(intacctAmount))
        [cause, explanation] = ['changed-in-intacct', `Changed in Intacct after it was posted: this app posted ${parse(posted).toMoneyString()}, Intacct now holds ${intacctAmount.toMoneyString()}`];
      else if (parked) [cause, explanation] = ['waiting-in-pending', `Its change waits in Pending validation: ${parked}`];
      else [cause, explanation] = ['changed-in-procore', `Changed in Procore since the last sync (Intacct holds ${intacctAmount.toMoneyString()}); the next sync amends it`];
    }
    docs.push({
      kind,
      procoreId,
      label,
      project: projectName(projectId),
      vendor,
      procoreAmount: procoreAmount.toMoneyString(),
      intacct: seen ? { type: seen.type, id: seen.id, state: seen.state } : null,
      intacctAmount: intacctAmount.toMoneyString(),
      difference: difference.toMoneyString(),
      cause,
      explanation,
    });
  };

  for (const c of input.commitments) {
    if (c.originId) {
      notOurs += 1;
      continue;
    }
    const key = documentKey.commitment(c.sourceId);
    // Commitments not (yet) in a posted status are not expected in Intacct, unless they were posted before.
    if (!input.policy.commitmentStatuses.includes(c.status) && !input.intacct.has(key)) continue;
    compare('commitment', c.sourceId, key, commitmentLabel(c), c.projectId, c.vendor?.name ?? '(no vendor)', parse(c.revisedContract));
  }
  for (const id of input.deletedCommitments) {
    const key = documentKey.commitment(id);
    const seen = input.intacct.get(key);
    if (!seen || parse(seen.total).isZero()) continue;
    docs.push({
      kind: 'commitment',
      procoreId: id,
      label: `Deleted commitment ${id}`,
      project: '(deleted in Procore)',
      vendor: '',
      procoreAmount: '0.00',
      intacct: { type: seen.type, id: seen.id, state: seen.state },
      intacctAmount: parse(seen.total).toMoneyString(),
      difference: parse(seen.total).negate().toMoneyString(),
      cause: 'deleted-in-procore',
      explanation: input.policy.deletedCommitment === 'leave' ? `Deleted in Procore; ${seen.type} ${seen.id} stays in Intacct (policy: leave it), to be closed there by hand` : `Deleted in Procore; the next sync zeroes ${seen.type} ${seen.id}`,
    });
  }
  for (const r of input.payApplications) {
    if (r.originId) {
      notOurs += 1;
      continue;
    }
    const amount = input.policy.retainage === 'gross' ? parse(r.totalClaimed) : parse(r.netPayable);
    compare('pay-application', r.sourceId, documentKey.payApplication(r.sourceId), payApplicationLabel(r), r.projectId, r.vendor?.name ?? r.vendorName ?? '(no vendor)', amount);
  }

  const group = (by: (d: ReconciledDocument) => string): TotalsRow[] => {
    const rows = new Map<string, { procore: Decimal; intacct: Decimal }>();
    for (const d of docs) {
      const row = rows.get(by(d)) ?? { procore: ZERO, intacct: ZERO };
      rows.set(by(d), { procore: row.procore.plus(parse(d.procoreAmount)), intacct: row.intacct.plus(parse(d.intacctAmount)) });
    }
    return [...rows]
      .map(([name, t]) => ({ name, procore: t.procore.toMoneyString(), intacct: t.intacct.toMoneyString(), difference: t.procore.minus(t.intacct).toMoneyString() }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  const procore = Decimal.sum(docs.map((d) => parse(d.procoreAmount)));
  const intacct = Decimal.sum(docs.map((d) => parse(d.intacctAmount)));
  const different = docs.filter((d) => d.cause !== null);
  return {
    currency: input.policy.currency,
    agree: different.length === 0,
    totals: { procore: procore.toMoneyString(), intacct: intacct.toMoneyString(), difference: procore.minus(intacct).toMoneyString() },
    byProject: group((d) => d.project),
    byVendor: group((d) => d.vendor),
    documents: [...different, ...docs.filter((d) => d.cause === null)],
    counts: { documents: docs.length, matching: docs.length - different.length, different: different.length, notOurs },
  };
}
