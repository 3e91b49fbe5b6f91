import type fc from 'fast-check';
import { Decimal } from '../../src-shared/domain/money';
import type { ValidationIssue } from '../../src-shared/domain/validation';
import type { UnreadableSourceRow } from '../../src-main/connectors/connector';
import { rawLeaks } from './arbitraries/hostile';

/**
 * The property-based suite's shapes (issue 18). A flow joins the suite with ONE entry in
 * flow-fuzz-specs.ts: per source stream, an arbitrary of malformed source pages (built from its
 * connector's wire-row arbitraries in arbitraries/) and how one page is read through the
 * connector's own mappers and planned by the flow's own planner. The verdict collects what
 * was synced and parked and every promise broken; the properties (read-and-plan.integration
 * test) and the bench (bench/fuzz.ts) judge the same verdicts.
 */

export interface ParkedVerdict {
  sourceId: string;
  label: string;
  reason: string;
  stage: 'read' | 'plan';
}

export interface PageVerdict {
  /** Source documents the page held, as the read must account for them. */
  expected: Set<string>;
  synced: { sourceId: string }[];
  parked: ParkedVerdict[];
  /** Broken promises: a document lost, money rounded silently, a reason that is raw or names nothing. */
  violations: string[];
}

export interface FuzzStream<I = unknown> {
  /** E.g. "purchase orders (Exact sync feed)". */
  name: string;
  /** One generated source page: valid rows with a few spoiled. */
  page: fc.Arbitrary<I>;
  /** Reads the page with the connector's mappers and plans each record with the flow's planner. Throwing = a crash. */
  run(page: I): Promise<PageVerdict> | PageVerdict;
}

export interface FlowFuzzSpec {
  flow: string;
  streams: FuzzStream<never>[];
}

/** A verdict being filled while a page is read and planned. */
export class Verdict implements PageVerdict {
  readonly expected = new Set<string>();
  readonly synced: { sourceId: string }[] = [];
  readonly parked: ParkedVerdict[] = [];
  readonly violations: string[] = [];

  constructor(
    /** The source system as the reason names it ("Exact Online"), for "Correct it in …". */
    private readonly source: string,
  ) {}

  expect(sourceId: string): void {
    this.expected.add(sourceId);
  }

  /** An unreadable row: its reason must say what is wrong, name the document and say what to do. */
  unreadable(row: UnreadableSourceRow, names: readonly string[]): void {
    this.parked.push({ sourceId: row.sourceId, label: row.label, reason: row.problem, stage: 'read' });
    for (const leak of rawLeaks(`${row.label} ${row.problem}`, textsOf(row.raw))) this.violations.push(`${row.label}: the reason shows ${leak}: ${row.problem.slice(0, 300)}`);
    if (!row.problem.includes(`Correct it in ${this.source}`)) this.violations.push(`${row.label}: the reason does not say what to do: ${row.problem.slice(0, 300)}`);
    const text = `${row.label} ${row.problem}`;
    if (names.length > 0 && !names.some((n) => n !== '' && text.includes(n))) this.violations.push(`${row.label}: the reason names no document (expected one of ${names.join(', ')}): ${row.problem.slice(0, 300)}`);
  }

  /** A record the planner refused: each issue in finance words, with a way to fix it. */
  planParked(sourceId: string, label: string, issues: readonly ValidationIssue[], record: unknown): void {
    if (issues.length === 0) this.violations.push(`${label}: parked without a reason`);
    const reason = issues.map((i) => i.message).join('; ');
    this.parked.push({ sourceId, label, reason, stage: 'plan' });
    for (const issue of issues) {
      if (!issue.message.trim()) this.violations.push(`${label}: an issue ${issue.code} without words`);
      for (const leak of rawLeaks(issue.message, textsOf(record))) this.violations.push(`${label}: the reason shows ${leak}: ${issue.message.slice(0, 300)}`);
    }
  }

  /** A record written but flagged for review (F4): the flag is read by a person, so in finance words too. */
  planFlagged(label: string, flag: ValidationIssue, record: unknown): void {
    if (!flag.message.trim()) this.violations.push(`${label}: a flag ${flag.code} without words`);
    for (const leak of rawLeaks(flag.message, textsOf(record))) this.violations.push(`${label}: the flag shows ${leak}: ${flag.message.slice(0, 300)}`);
  }

  synced1(sourceId: string): void {
    this.synced.push({ sourceId });
  }

  /** Money that must arrive unchanged: exactly equal decimals, or a violation naming both. */
  sameMoney(what: string, source: string | number | Decimal, target: string | Decimal): void {
    const a = source instanceof Decimal ? source : typeof source === 'number' ? Decimal.fromJsonNumber(source) : Decimal.parse(source);
    const b = target instanceof Decimal ? target : Decimal.parse(target);
    if (!a.equals(b)) this.violations.push(`${what}: ${a.toString()} in the source became ${b.toString()} (money rounded or changed silently)`);
  }

  /** Every document expected was synced or parked (checked once the page is done). */
  finish(): this {
    const seen = new Set([...this.synced.map((s) => s.sourceId), ...this.parked.map((p) => p.sourceId)]);
    for (const id of this.expected) if (!seen.has(id)) this.violations.push(`document ${id} was neither synced nor parked (lost)`);
    return this;
  }
}

/** Every text and number a value holds, one per line (what the source itself said). */
export function textsOf(value: unknown, depth = 0): string {
  if (value === null || value === undefined || depth > 8) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object') return '';
  return Object.values(value as Record<string, unknown>).map((v) => textsOf(v, depth + 1)).join('\n');
}

/** One page as the async iterable a feed reader takes. */
export async function* onePage<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}

/** A plain-text key of a wire value, or null (what a document is known by, when it is usable). */
export function keyOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** fast-check parameters of the suite in `npm test`: modest runs, a fixed seed printed on failure. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env['FUZZ_SEED'] ?? 182026);
  return { numRuns, seed, endOnFailure: true };
}
