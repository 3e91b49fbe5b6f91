import { Decimal } from '../../../src-shared/domain/money';

/**
 * The controller's month-end question, "do the two systems agree?", answered per flow (decision
 * 0023). A flow reads both sides (counted calls) and hands this module, per target record, what
 * the source says the target should hold and what the target holds; this module explains every
 * difference by a cause and totals them per document, project, counterparty and flow. Pure.
 */

/** Why a target record differs from what its source says it should hold. */
export type ReconCause =
  /** The source record waits in Pending validation (the target holds an older version or nothing). */
  | 'parked'
  /** The source changed after the last sync (or was never synced): the next sync writes it. */
  | 'not-yet-synced'
  /** Someone changed (or deleted) the target record by hand after the app wrote it. */
  | 'changed-in-target'
  /** The source record was deleted; the target still holds it (the next sync applies the policy). */
  | 'deleted-at-source'
  /** Both sides hold the same lines; the totals differ by rounding only (≤ 0.01 per line). */
  | 'rounding'
  /**
   * The target holds the record and no source document accounts for it (made there by hand, or
   * its key cleared there): only a flow that reads the target whole can say so (ReconInput.targetOnly).
   */
  | 'target-only'
  | 'unexplained';

export const CAUSE_WORDS: Readonly<Record<ReconCause, string>> = {
  parked: 'waits in Pending validation',
  'not-yet-synced': 'changed at the source since the last sync; the next sync writes it',
  'changed-in-target': 'changed in the target by hand after it was written',
  'deleted-at-source': 'deleted at the source; the next sync applies the deletion policy',
  rounding: 'rounding difference only',
  'target-only': 'in the target only — not from the source',
  unexplained: 'not explained: look at both records',
};

/** One target record (or the record a source document should have in the target). */
export interface ReconInput {
  /** The source document it belongs to (its id in the source) and how finance names it. */
  sourceId: string;
  documentType: string;
  documentNumber: string;
  counterparty: string | null;
  project: string | null;
  currency: string;
  /** The target record's key (origin id); several per document when a document is split. */
  targetKey: string;
  /** What the target should hold according to the source and the flow's policy; null: the source has no such record now. */
  expected: string | null;
  /** What the target holds; null: the target has no such record. */
  actual: string | null;
  /** The total the app last wrote and confirmed for this record, if it ever did. */
  confirmed: string | null;
  /** The source record is parked (open in Pending validation), with the reason. */
  parkedReason: string | null;
  /** The source record no longer exists (deleted at the source). */
  deletedAtSource: boolean;
  /** Lines of the record, for the rounding allowance. */
  lineCount: number;
  /** The target's own id or number of the record, when it holds one. */
  targetId?: string | null;
  /**
   * The record is in the target only: no source document accounts for it (expected and confirmed
   * are null; `actual` is what it holds). Only flows that read the target whole set it; every
   * other flow leaves it out and is unaffected.
   */
  targetOnly?: boolean;
}

/** The two systems by name, for the words of a target-only record ("in monday.com only — not from Exact Online"). */
export interface ReconSystems {
  source: string;
  target: string;
}

/** The words for a record in the target only, naming both systems when known. */
export function targetOnlyWords(systems: ReconSystems | undefined): string {
  return systems ? `in ${systems.target} only — not from ${systems.source}` : CAUSE_WORDS['target-only'];
}

export interface ReconRecord extends ReconInput {
  difference: string;
  cause: ReconCause | null;
  explanation: string | null;
}

export interface ReconGroup {
  key: string;
  label: string;
  currency: string;
  expected: string;
  actual: string;
  difference: string;
  documents: number;
  differing: number;
  unexplained: number;
  /** How many differing records per cause. */
  causes: Partial<Record<ReconCause, number>>;
}

export interface ReconciliationReport {
  flow: string;
  title: string;
  generatedAt: string;
  /** One line per target record compared, differing ones first. */
  records: ReconRecord[];
  /** Per source document (a document split over projects is one line). */
  documents: ReconGroup[];
  byProject: ReconGroup[];
  byCounterparty: ReconGroup[];
  /** The flow as a whole, per currency. */
  totals: ReconGroup[];
  /** Records whose difference no cause explains (0 on a healthy sandbox). */
  unexplained: number;
  /** API calls made to read both systems, per API. */
  apiCalls: Record<string, number>;
  /** The two systems by name (set by flows that report target-only records). */
  systems?: ReconSystems;
}

const dec = (v: string | null): Decimal => (v === null ? Decimal.ZERO : Decimal.parse(v));

/** Explains one record: no cause when both sides agree. */
export function explain(input: ReconInput): { cause: ReconCause | null; difference: string } {
  const expected = dec(input.expected);
  const actual = dec(input.actual);
  const difference = actual.minus(expected).toMoneyString();
  // Agreement: the same amount, and a record the source expects exists in the target (a zero
  // record whose source is gone is a document closed per the flow's policy).
  // Whatever it holds, a record no source document accounts for is a difference in itself.
  if (input.targetOnly === true) return { cause: 'target-only', difference };
  const agree = actual.equals(expected) && (input.expected === null || input.actual !== null);
  if (agree) return { cause: null, difference };
  if (input.deletedAtSource) return { cause: 'deleted-at-source', difference };
  if (input.parkedReason !== null) return { cause: 'parked', difference };
  const confirmed = input.confirmed === null ? null : dec(input.confirmed);
  if (input.actual === null) return { cause: confirmed === null ? 'not-yet-synced' : 'changed-in-target', difference };
  // What the app last wrote is what the source says, yet the target holds something else.
  if (confirmed !== null && confirmed.equals(expected)) return { cause: 'changed-in-target', difference };
  // The target holds what the app last wrote; the source moved on since.
  if (confirmed === null || confirmed.equals(actual)) return { cause: 'not-yet-synced', difference };
  const allowance = Decimal.parse('0.01').times(Decimal.parse(String(Math.max(1, input.lineCount))));
  if (actual.minus(expected).abs().compare(allowance) <= 0) return { cause: 'rounding', difference };
  return { cause: 'unexplained', difference };
}

/** Compares every record and totals them; records that agree are kept (a controller ticks them off too). */
export function reconcile(meta: { flow: string; title: string; generatedAt: string; apiCalls: Record<string, number>; systems?: ReconSystems }, inputs: readonly ReconInput[]): ReconciliationReport {
  const records: ReconRecord[] = inputs.map((input) => {
    const { cause, difference } = explain(input);
    const explanation = cause === null ? null : cause === 'parked' ? `${CAUSE_WORDS.parked}: ${input.parkedReason}` : cause === 'target-only' ? targetOnlyWords(meta.systems) : CAUSE_WORDS[cause];
    return { ...input, difference, cause, explanation };
  });
  records.sort((a, b) => Number(b.cause !== null) - Number(a.cause !== null) || a.documentType.localeCompare(b.documentType) || a.documentNumber.localeCompare(b.documentNumber, undefined, { numeric: true }));
  const group = (keyOf: (r: ReconRecord) => [string, string]): ReconGroup[] => {
    const groups = new Map<string, { label: string; currency: string; records: ReconRecord[] }>();
    for (const r of records) {
      const [key, label] = keyOf(r);
      const k = `${key}\u0000${r.currency}`;
      const g = groups.get(k) ?? { label, currency: r.currency, records: [] };
      g.records.push(r);
      groups.set(k, g);
    }
    return [...groups.entries()]
      .map(([k, g]) => {
        const docs = new Set(g.records.map((r) => r.sourceId));
        const differing = new Set(g.records.filter((r) => r.cause !== null).map((r) => r.sourceId));
        const causes: Partial<Record<ReconCause, number>> = {};
        for (const r of g.records) if (r.cause) causes[r.cause] = (causes[r.cause] ?? 0) + 1;
        return {
          key: k.split('\u0000')[0]!,
          label: g.label,
          currency: g.currency,
          expected: Decimal.sum(g.records.map((r) => dec(r.expected))).toMoneyString(),
          actual: Decimal.sum(g.records.map((r) => dec(r.actual))).toMoneyString(),
          difference: Decimal.sum(g.records.map((r) => Decimal.parse(r.difference))).toMoneyString(),
          documents: docs.size,
          differing: differing.size,
          unexplained: g.records.filter((r) => r.cause === 'unexplained').length,
          causes,
        };
      })
      .sort((a, b) => b.differing - a.differing || a.label.localeCompare(b.label));
  };
  return {
    ...meta,
    records,
    documents: group((r) => [r.sourceId, `${r.documentType} ${r.documentNumber}`]),
    byProject: group((r) => [r.project ?? '', r.project ?? '(no project)']),
    byCounterparty: group((r) => [r.counterparty ?? '', r.counterparty ?? '(no counterparty)']),
    totals: group(() => [meta.flow, meta.title]),
    unexplained: records.filter((r) => r.cause === 'unexplained').length,
  };
}
