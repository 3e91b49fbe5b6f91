import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreCommitmentChangeOrder } from '../../../../src-shared/domain/records';
import type { AcumaticaChangeOrder, AcumaticaCommitment } from '../../../connectors/acumatica';
import { formatAmount } from './plan-bills';

/**
 * "Commitments vs Acumatica", pure: for each Procore commitment (with its approved change
 * orders) the Acumatica subcontract or purchase order of the same project and vendor ref, side
 * by side — committed amount, change orders, revised amount and invoiced to date — with every
 * difference and its cause. Read-only: nothing here writes.
 */

export const RECONCILIATION_TITLE = 'Commitments vs Acumatica';

/** An approved subcontractor invoice as the comparison needs it. */
export interface InvoiceToDate {
  commitmentId: string;
  /** e.g. "Subcontractor invoice SC-003 #2 (F2026-00121) of Meijer B.V." */
  label: string;
  /** What its AP bill should hold (per the connection's retainage setting). */
  amount: string;
  /** origin kept on its AP bill. */
  origin: string;
  /** Why it is not posted yet, when it waits in Pending validation. */
  waiting: string | null;
}

/** An AP bill of Acumatica with the Procore record it came from (its origin). */
export interface BillOnFile {
  origin: string | null;
  type: string;
  referenceNbr: string;
  /** Signed: a debit adjustment (a vendor credit) reduces what was invoiced. */
  amount: string;
}

export interface ReconcileInput {
  commitments: readonly ProcoreCommitment[];
  changeOrders: readonly ProcoreCommitmentChangeOrder[];
  invoices: readonly InvoiceToDate[];
  acumaticaCommitments: readonly AcumaticaCommitment[];
  acumaticaChangeOrders: readonly AcumaticaChangeOrder[];
  bills: readonly BillOnFile[];
  /** Procore project id → Acumatica project (projects mapping). */
  projects: ReadonlyMap<string, string>;
  /** Procore vendor id → Acumatica VendorID (links), null when unlinked. */
  vendorOf(procoreVendorId: string): string | null;
  generatedAt: string;
}

export interface Difference {
  /** What differs, e.g. "Committed", "Change order 001", "Line 1 (31-200)". */
  what: string;
  procore: string | null;
  acumatica: string | null;
  /** Procore − Acumatica, when both are amounts. */
  difference: string | null;
  cause: string;
}

type Pair = { procore: string; acumatica: string | null };

export interface CommitmentLine {
  /** The Procore commitment's id. */
  procoreId: string;
  procoreProjectId: string;
  acumaticaProject: string | null;
  number: string;
  kind: 'work-order' | 'purchase-order';
  title: string;
  vendor: string;
  status: string;
  acumatica: { type: string; number: string; status: string; vendorId: string | null } | null;
  committed: Pair;
  approvedChangeOrders: Pair;
  revised: Pair;
  invoicedToDate: Pair;
  differences: Difference[];
}

export interface CommitmentsReport {
  title: string;
  generatedAt: string;
  commitments: CommitmentLine[];
  /** Acumatica subcontracts / purchase orders of mapped projects no Procore commitment matches. */
  onlyInAcumatica: { type: string; number: string; project: string | null; vendorRef: string | null; total: string }[];
  totals: { procore: { committed: string; revised: string; invoicedToDate: string }; acumatica: { committed: string; revised: string; invoicedToDate: string } };
  differences: number;
}

const D = (s: string): Decimal => Decimal.parse(s);
const sum = (xs: readonly string[]): Decimal => Decimal.sum(xs.map(D));
const up = (s: string | null | undefined): string => (s ?? '').trim().toUpperCase();
const APPROVED_CCO = new Set(['approved']);

function diff(what: string, procore: Decimal | null, acumatica: Decimal | null, cause: string): Difference {
  return {
    what,
    procore: procore ? procore.toMoneyString() : null,
    acumatica: acumatica ? acumatica.toMoneyString() : null,
    difference: procore && acumatica ? procore.minus(acumatica).toMoneyString() : null,
    cause,
  };
}

export function reconcileCommitments(input: ReconcileInput): CommitmentsReport {
  const byKey = new Map<string, AcumaticaCommitment[]>();
  for (const c of input.acumaticaCommitments)
    for (const project of c.projects.length ? c.projects : [c.project ?? ''])
      byKey.set(`${up(project)}|${up(c.vendorRef)}`, [...(byKey.get(`${up(project)}|${up(c.vendorRef)}`) ?? []), c]);
  const matched = new Set<AcumaticaCommitment>();
  const billsByOrigin = new Map<string, BillOnFile[]>();
  for (const b of input.bills) if (b.origin) billsByOrigin.set(b.origin, [...(billsByOrigin.get(b.origin) ?? []), b]);
  const ccosOf = new Map<string, ProcoreCommitmentChangeOrder[]>();
  for (const co of input.changeOrders) ccosOf.set(co.commitmentId, [...(ccosOf.get(co.commitmentId) ?? []), co]);
  const invoicesOf = new Map<string, InvoiceToDate[]>();
  for (const i of input.invoices) invoicesOf.set(i.commitmentId, [...(invoicesOf.get(i.commitmentId) ?? []), i]);

  const lines: CommitmentLine[] = [];
  for (const c of [...input.commitments].sort((a, b) => a.projectId.localeCompare(b.projectId) || a.number.localeCompare(b.number))) {
    const differences: Difference[] = [];
    const acuProject = input.projects.get(c.projectId) ?? null;
    const approved = (ccosOf.get(c.sourceId) ?? []).filter((co) => APPROVED_CCO.has(co.status.toLowerCase()));
    const procoreCommitted = D(c.grandTotal);
    const procoreCos = sum(approved.map((co) => co.grandTotal));
    const invoices = invoicesOf.get(c.sourceId) ?? [];
    const procoreInvoiced = sum(invoices.map((i) => i.amount));
    const postedBills = invoices.flatMap((i) => billsByOrigin.get(i.origin) ?? []);
    const acumaticaInvoiced = sum(postedBills.map((b) => b.amount));
    const candidates = acuProject ? (byKey.get(`${up(acuProject)}|${up(c.number)}`) ?? []) : [];
    const found = candidates[0] ?? null;
    if (found) matched.add(found);
    const vendorName = c.vendor?.name ?? 'no vendor';
    const vendorId = c.vendor ? input.vendorOf(c.vendor.id) : null;

    let acuCommitted: Decimal | null = null;
    let acuCos: Decimal | null = null;
    if (!acuProject) {
      differences.push(diff('Commitment', procoreCommitted, null, `Procore project ${c.projectId} is not linked to an Acumatica project, so its commitments cannot be matched`));
    } else if (!found) {
      differences.push(
        diff(
          'Commitment',
          procoreCommitted.plus(procoreCos),
          null,
          vendorId
            ? `No subcontract or purchase order with vendor ref ${c.number} in Acumatica project ${acuProject}`
            : `No subcontract or purchase order with vendor ref ${c.number} in Acumatica project ${acuProject}; its vendor ${vendorName} is not linked to an Acumatica vendor`,
        ),
      );
    } else {
      if (candidates.length > 1)
        differences.push(diff('Commitment', null, null, `Acumatica holds ${candidates.length} commitments with vendor ref ${c.number} in project ${acuProject} (${candidates.map((x) => x.number).join(', ')}); only ${found.number} is compared`));
      if (vendorId && found.vendorId && up(vendorId) !== up(found.vendorId))
        differences.push({ what: 'Vendor', procore: `${vendorName} (${vendorId})`, acumatica: found.vendorId, difference: null, cause: `${found.number} is for vendor ${found.vendorId}, not ${vendorId}` });
      // Change orders released in Acumatica for this commitment: by the lines naming it, or by the external ref.
      const acuCoLines = input.acumaticaChangeOrders
        .filter((co) => co.released && up(co.projectId) === up(acuProject))
        .flatMap((co) => co.lines.filter((l) => up(l.commitmentNumber) === up(found.number)).map((l) => ({ co, line: l })));
      acuCos = sum(acuCoLines.map((x) => x.line.amount));
      acuCommitted = D(found.total).minus(acuCos);
      // Change orders, one by one: Procore's approved ones by "{commitment}/{change order}".
      const acuCoByRef = new Map<string, { co: AcumaticaChangeOrder; amount: Decimal }>();
      for (const { co, line } of acuCoLines) {
        const ref = up(co.externalRef ?? co.refNbr);
        const prev = acuCoByRef.get(ref);
        acuCoByRef.set(ref, { co, amount: (prev?.amount ?? Decimal.ZERO).plus(D(line.amount)) });
      }
      for (const co of approved) {
        const ref = up(`${c.number}/${co.number}`);
        const onFile = acuCoByRef.get(ref);
        acuCoByRef.delete(ref);
        if (!onFile) differences.push(diff(`Change order ${co.number}`, D(co.grandTotal), null, `Change order ${co.number} "${co.title}" (${formatAmount(co.grandTotal)}) is approved in Procore but not in Acumatica`));
        else if (!onFile.amount.equals(D(co.grandTotal)))
          differences.push(diff(`Change order ${co.number}`, D(co.grandTotal), onFile.amount, `Acumatica change order ${onFile.co.refNbr} holds ${formatAmount(onFile.amount)}, Procore ${formatAmount(co.grandTotal)}`));
      }
      for (const [ref, onFile] of acuCoByRef)
        differences.push(diff(`Change order ${ref}`, null, onFile.amount, `Acumatica change order ${onFile.co.refNbr} (${formatAmount(onFile.amount)}) has no approved Procore change order`));
      // The original commitment, line by line (change-order lines of Acumatica set aside).
      if (!procoreCommitted.equals(acuCommitted)) {
        const coAmounts = acuCoLines.map((x) => ({ amount: D(x.line.amount), costCode: up(x.line.costCode) }));
        const original = [...found.lines]
          .sort((a, b) => (a.lineNbr ?? 0) - (b.lineNbr ?? 0))
          .filter((l) => {
            const i = coAmounts.findIndex((x) => x.amount.equals(D(l.amount)) && x.costCode === up(l.costCode));
            if (i < 0) return true;
            coAmounts.splice(i, 1);
            return false;
          });
        const procoreLines = [...c.lines].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
        let explained = false;
        if (original.length === procoreLines.length) {
          procoreLines.forEach((pl, i) => {
            const al = original[i]!;
            if (!D(pl.amount).equals(D(al.amount))) {
              explained = true;
              differences.push(diff(`Line ${i + 1} (${pl.costCode})`, D(pl.amount), D(al.amount), `Line ${i + 1} "${pl.description}" is ${formatAmount(pl.amount)} in Procore and ${formatAmount(al.amount)} on ${found.number} line ${al.lineNbr ?? i + 1} in Acumatica`));
            }
          });
        }
        if (!explained)
          differences.push(diff('Committed', procoreCommitted, acuCommitted, `Procore has ${procoreLines.length} line(s) totalling ${formatAmount(procoreCommitted)}; ${found.number} has ${original.length} line(s) totalling ${formatAmount(acuCommitted)} besides change orders`));
      }
    }
    // Invoiced to date: each approved invoice against its AP bill.
    for (const inv of invoices) {
      const bills = billsByOrigin.get(inv.origin) ?? [];
      const posted = sum(bills.map((b) => b.amount));
      if (bills.length === 0)
        differences.push(diff(inv.label, D(inv.amount), null, inv.waiting ? `Not in Acumatica: it waits in Pending validation: ${inv.waiting}` : 'Not in Acumatica yet: it is posted by the next sync'));
      else if (!posted.equals(D(inv.amount)))
        differences.push(diff(inv.label, D(inv.amount), posted, `AP ${bills.map((b) => `${b.type} ${b.referenceNbr}`).join(', ')} hold${bills.length === 1 ? 's' : ''} ${formatAmount(posted)}`));
    }
    lines.push({
      procoreId: c.sourceId,
      procoreProjectId: c.projectId,
      acumaticaProject: acuProject,
      number: c.number,
      kind: c.commitmentType,
      title: c.title,
      vendor: vendorName,
      status: c.status,
      acumatica: found ? { type: found.kind === 'subcontract' ? 'Subcontract' : 'Purchase order', number: found.number, status: found.status, vendorId: found.vendorId } : null,
      committed: { procore: procoreCommitted.toMoneyString(), acumatica: acuCommitted?.toMoneyString() ?? null },
      approvedChangeOrders: { procore: procoreCos.toMoneyString(), acumatica: acuCos?.toMoneyString() ?? null },
      revised: { procore: procoreCommitted.plus(procoreCos).toMoneyString(), acumatica: found ? D(found.total).toMoneyString() : null },
      invoicedToDate: { procore: procoreInvoiced.toMoneyString(), acumatica: acumaticaInvoiced.toMoneyString() },
      differences,
    });
  }
  const mappedProjects = new Set([...input.projects.values()].map(up));
  const onlyInAcumatica = input.acumaticaCommitments
    .filter((c) => !matched.has(c) && c.projects.some((p) => mappedProjects.has(up(p))))
    .map((c) => ({ type: c.kind === 'subcontract' ? 'Subcontract' : 'Purchase order', number: c.number, project: c.project, vendorRef: c.vendorRef, total: D(c.total).toMoneyString() }));
  const total = (pick: (l: CommitmentLine) => string | null): string => Decimal.sum(lines.map((l) => D(pick(l) ?? '0'))).toMoneyString();
  return {
    title: RECONCILIATION_TITLE,
    generatedAt: input.generatedAt,
    commitments: lines,
    onlyInAcumatica,
    totals: {
      procore: { committed: total((l) => l.committed.procore), revised: total((l) => l.revised.procore), invoicedToDate: total((l) => l.invoicedToDate.procore) },
      acumatica: { committed: total((l) => l.committed.acumatica), revised: total((l) => l.revised.acumatica), invoicedToDate: total((l) => l.invoicedToDate.acumatica) },
    },
    differences: lines.reduce((n, l) => n + l.differences.length, 0) + onlyInAcumatica.length,
  };
}

/** The report as a controller reads it on a terminal: differences only, each with its cause. */
export function reconciliationText(report: CommitmentsReport): string[] {
  const out = [`${report.title} — ${report.commitments.length} commitments, ${report.differences} difference(s) (${report.generatedAt})`];
  for (const c of report.commitments) {
    if (c.differences.length === 0) continue;
    const acu = c.acumatica ? `${c.acumatica.type} ${c.acumatica.number}` : 'not in Acumatica';
    out.push('', `${c.number} ${c.vendor} (project ${c.acumaticaProject ?? c.procoreProjectId}) ↔ ${acu}`);
    out.push(`  committed ${formatAmount(c.committed.procore)} / ${c.committed.acumatica ? formatAmount(c.committed.acumatica) : '—'}, change orders ${formatAmount(c.approvedChangeOrders.procore)} / ${c.approvedChangeOrders.acumatica ? formatAmount(c.approvedChangeOrders.acumatica) : '—'}, invoiced ${formatAmount(c.invoicedToDate.procore)} / ${formatAmount(c.invoicedToDate.acumatica ?? '0')} (Procore / Acumatica)`);
    for (const d of c.differences) out.push(`  - ${d.what}${d.difference ? ` (${formatAmount(d.difference)})` : ''}: ${d.cause}`);
  }
  for (const c of report.onlyInAcumatica) out.push('', `${c.type} ${c.number} (vendor ref ${c.vendorRef ?? '—'}, project ${c.project ?? '—'}, ${formatAmount(c.total)}) is in Acumatica only`);
  const t = report.totals;
  out.push('', `Totals (Procore / Acumatica): committed ${formatAmount(t.procore.committed)} / ${formatAmount(t.acumatica.committed)}, revised ${formatAmount(t.procore.revised)} / ${formatAmount(t.acumatica.revised)}, invoiced to date ${formatAmount(t.procore.invoicedToDate)} / ${formatAmount(t.acumatica.invoicedToDate)}`);
  return out;
}
