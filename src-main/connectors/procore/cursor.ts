/**
 * Cursors of the Procore source streams (F2/F3): one string per stream holding a checkpoint
 * per scope (a project's list, the company's vendors). Pure; no I/O.
 *
 * The rule (ARCHITECTURE §6, fact sheet Part 3 #5 for the same trap in Exact): read with
 * `filters[updated_at]=<checkpoint>...<upper bound>` (inclusive, §2.4), so a record that shares
 * the checkpoint's instant with one already read is read again; drop those already read in the
 * same version. A version is the record's id plus a digest of the row as Procore sent it, so a
 * record changed twice within one second (timestamps have whole seconds) still comes through.
 *
 * Why an upper bound, and why a scope's checkpoint moves only after its last page: Procore pages
 * by offset over the filtered set. Records that change while a scope is being walked could shift
 * a record from a page not yet read onto a page already read. With an upper bound fixed at the
 * start of the walk, a change can only move a record out of the set (its updated_at passes the
 * bound), which lowers the `Total` header; a walk that saw Total change keeps the old checkpoint
 * (its records are still returned, and read again next time), and a complete walk moves it to
 * the newest updated_at read. The bound also lies `settleSeconds` in the past, so a change whose
 * transaction commits a moment after its updated_at is not skipped.
 */
import { createHash } from 'node:crypto';

/** Beyond this many records at one instant (a bulk import), only the instant is kept. */
export const MAX_VERSIONS_AT_INSTANT = 500;
/** Where a scope without a checkpoint starts (the filter needs both ends, §2.4). */
export const FROM_THE_START = '1970-01-01T00:00:00Z';

const FORMAT = 1;

export interface ScopeCheckpoint {
  /** Newest updated_at read (epoch ms), null = nothing read yet. */
  instantMs: number | null;
  /** Versions read at that instant. */
  seen: ReadonlySet<string>;
}

const EMPTY: ScopeCheckpoint = { instantMs: null, seen: new Set() };

/** A Procore cursor is refused before any call when it is not one of this stream's. */
export class ProcoreCursorError extends RangeError {
  override readonly name = 'ProcoreCursorError';
}

/** The stored cursor of one stream: `{"v":1,"stream":…,"scopes":{key:[instant, [versions]]}}`. */
export class StreamCursor {
  readonly #scopes = new Map<string, ScopeCheckpoint>();

  private constructor(readonly stream: string) {}

  static parse(text: string | null, stream: string): StreamCursor {
    const cursor = new StreamCursor(stream);
    if (text === null || text === '') return cursor;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProcoreCursorError(`The stored Procore ${stream} cursor is not readable: ${text.slice(0, 80)}`);
    }
    const body = parsed as { v?: unknown; stream?: unknown; scopes?: unknown };
    if (body.v !== FORMAT || body.stream !== stream || typeof body.scopes !== 'object' || body.scopes === null)
      throw new ProcoreCursorError(
        `The stored cursor is not a Procore ${stream} cursor (format ${String(body.v)}, stream ${String(body.stream)}).`,
      );
    for (const [key, value] of Object.entries(body.scopes as Record<string, unknown>)) {
      if (!Array.isArray(value) || typeof value[0] !== 'string' || !Array.isArray(value[1]))
        throw new ProcoreCursorError(`The stored Procore ${stream} cursor has a malformed scope ${key}.`);
      const instantMs = Date.parse(value[0]);
      if (Number.isNaN(instantMs))
        throw new ProcoreCursorError(`The stored Procore ${stream} cursor has no valid instant for scope ${key}.`);
      cursor.#scopes.set(key, { instantMs, seen: new Set(value[1].map(String)) });
    }
    return cursor;
  }

  get(scope: string): ScopeCheckpoint {
    return this.#scopes.get(scope) ?? EMPTY;
  }

  /** A copy with `scope` moved to `checkpoint` (the cursor itself is never changed). */
  with(scope: string, checkpoint: ScopeCheckpoint): StreamCursor {
    const next = new StreamCursor(this.stream);
    for (const [key, value] of this.#scopes) next.#scopes.set(key, value);
    if (checkpoint.instantMs !== null) next.#scopes.set(scope, checkpoint);
    return next;
  }

  toString(): string {
    const scopes: Record<string, [string, string[]]> = {};
    for (const [key, { instantMs, seen }] of [...this.#scopes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (instantMs === null) continue;
      scopes[key] = [new Date(instantMs).toISOString(), seen.size > MAX_VERSIONS_AT_INSTANT ? [] : [...seen].sort()];
    }
    return JSON.stringify({ v: FORMAT, stream: this.stream, scopes });
  }
}

/** Procore timestamp → epoch ms; null when missing or not a date-time. */
export function instantOf(updatedAt: unknown): number | null {
  if (typeof updatedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(updatedAt)) return null;
  const ms = Date.parse(updatedAt);
  return Number.isNaN(ms) ? null : ms;
}

/** ISO 8601 to the second, UTC (§2.4 filter format). */
export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `<id>:<digest of the row>`: the row's identity and content as Procore sent it. */
export function rowVersion(id: string, row: unknown): string {
  return `${id}:${createHash('sha256').update(JSON.stringify(row)).digest('hex').slice(0, 16)}`;
}

export type RowVerdict = 'new' | 'already-read' | 'after-window';

/**
 * One walk over a scope: which rows to return, and the checkpoint once the walk is complete.
 * Rows are judged by their updated_at against the previous checkpoint and the walk's upper
 * bound (checked here too, so a server that ignores a filter still yields the same rows).
 */
export class ScopeWalk {
  #instantMs: number | null;
  #seenAtInstant = new Set<string>();
  #totals = new Set<number>();
  readonly #previous: ScopeCheckpoint;
  /** Last millisecond the walk takes (the bound's whole second, as Procore's filter does). */
  readonly #untilMs: number;

  constructor(previous: ScopeCheckpoint, readonly upperBound: string) {
    this.#previous = previous;
    this.#instantMs = previous.instantMs;
    this.#untilMs = Date.parse(upperBound) + 999;
  }

  /** `from...to` for filters[updated_at] (the from side floored to the second: `>=`). */
  window(): { from: string; to: string } {
    return {
      from: this.#previous.instantMs === null ? FROM_THE_START : isoSecond(this.#previous.instantMs),
      to: this.upperBound,
    };
  }

  /** The Total header of each page: a change means the set moved under the walk. */
  noteTotal(total: number | null): void {
    if (total !== null) this.#totals.add(total);
  }

  /**
   * Judges one row and records it for the checkpoint. A row without a readable updated_at is
   * returned ('new') but cannot move the checkpoint.
   */
  judge(updatedAtMs: number | null, version: string): RowVerdict {
    if (updatedAtMs === null) return 'new';
    if (updatedAtMs > this.#untilMs) return 'after-window';
    const previous = this.#previous.instantMs;
    if (previous !== null && (updatedAtMs < previous || (updatedAtMs === previous && this.#previous.seen.has(version)))) {
      this.#observe(updatedAtMs, version);
      return 'already-read';
    }
    this.#observe(updatedAtMs, version);
    return 'new';
  }

  #observe(ms: number, version: string): void {
    if (this.#instantMs === null || ms > this.#instantMs) {
      this.#instantMs = ms;
      this.#seenAtInstant = new Set([version]);
    } else if (ms === this.#instantMs) this.#seenAtInstant.add(version);
  }

  /** True when every page reported the same Total (or none did). */
  get stable(): boolean {
    return this.#totals.size <= 1;
  }

  /** The checkpoint to store: the newest instant read, or the previous one after an unstable walk. */
  checkpoint(): ScopeCheckpoint {
    if (!this.stable || this.#instantMs === null) return this.#previous;
    if (this.#instantMs === this.#previous.instantMs && this.#seenAtInstant.size === 0) return this.#previous;
    return { instantMs: this.#instantMs, seen: this.#seenAtInstant };
  }
}
