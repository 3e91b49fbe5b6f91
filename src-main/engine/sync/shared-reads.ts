import type { SourcePage } from '../../connectors/connector';

/**
 * A source entity is read once per poll, whatever the number of flows (decision 0017). Exact
 * purchase orders feed F1, F4 and F5: each flow keeps its own cursor, outbox, parking and audit,
 * but when a flow asks for a stream from the cursor another flow of this process has just read
 * from, it is handed the pages that read returned instead of calling the API again. Flows that
 * are in step (the normal case: they poll together and confirm what they read) therefore share
 * one read per stream, and an idle poll stays one call per stream whatever the number of flows.
 *
 * Safe by construction: a cursor is a "read up to here" mark, so pages read from cursor C a
 * moment ago are exactly what a read from C would return, minus changes made since — which the
 * next poll reads from the new cursor. A flow is handed a read at most once (its own next poll
 * always calls the API: a cursor that did not move must still see new changes), and a flow whose
 * cursor differs (it failed, or it is new and starts from the beginning) reads for itself.
 *
 * Flows on one connection are scheduled side by side and often poll at the same moment: a flow
 * asking for a stream another flow is reading right now, from the same cursor, waits for that
 * read to end and is handed its pages (one call instead of two), rather than reading alongside.
 */
export interface SharedReadsOptions {
  /** How long a read may be handed to another flow (default 2 minutes: one poll round). */
  ttlMs?: number;
  /** Reads with more records than this are not kept (an initial sync of a large company). */
  maxRecords?: number;
  now?: () => number;
}

interface KeptRead {
  cursor: string | null;
  pages: readonly SourcePage<unknown, unknown>[];
  at: number;
  /** The flows this read was given to (the one that made it first). */
  consumers: Set<string>;
}

interface ReadInFlight {
  cursor: string | null;
  consumers: Set<string>;
  /** The read once it has ended: kept (read to its end) or null (stopped halfway, failed, too large). */
  ended: Promise<KeptRead | null>;
}

export class SharedSourceReads {
  readonly #kept = new Map<string, KeptRead>();
  readonly #inFlight = new Map<string, ReadInFlight>();
  readonly #ttlMs: number;
  readonly #maxRecords: number;
  readonly #now: () => number;
  /** Reads answered from another flow's read (for tests and the bench). */
  shared = 0;

  constructor(opts: SharedReadsOptions = {}) {
    this.#ttlMs = opts.ttlMs ?? 120_000;
    this.#maxRecords = opts.maxRecords ?? 50_000;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Pages of `stream` (of one source connection) from `cursor`: another flow's read of the same
   * stream from the same cursor within the TTL, or a new read through `read` (kept for the
   * others once it has been read to its end).
   */
  async *read<R, D>(
    source: { connectionId: string; stream: string; consumer: string },
    cursor: string | null,
    read: (cursor: string | null) => AsyncIterable<SourcePage<R, D>>,
  ): AsyncGenerator<SourcePage<R, D>> {
    const key = `${source.connectionId}\u0000${source.stream}`;
    const flight = this.#inFlight.get(key);
    let kept = this.#kept.get(key);
    if (flight && flight.cursor === cursor && !flight.consumers.has(source.consumer)) {
      flight.consumers.add(source.consumer);
      // That read itself, not whatever is kept when it ends (a flow at another cursor may have read since).
      kept = (await flight.ended) ?? undefined;
    }
    if (kept && kept.cursor === cursor && !kept.consumers.has(source.consumer) && this.#now() - kept.at <= this.#ttlMs) {
      this.shared += 1;
      kept.consumers.add(source.consumer);
      for (const page of kept.pages) yield page as SourcePage<R, D>;
      return;
    }
    const at = this.#now();
    const pages: SourcePage<R, D>[] = [];
    let records = 0;
    let result: KeptRead | null = null;
    let end!: (read: KeptRead | null) => void;
    const own: ReadInFlight = { cursor, consumers: new Set([source.consumer]), ended: new Promise((resolve) => (end = resolve)) };
    this.#inFlight.set(key, own);
    try {
      for await (const page of read(cursor)) {
        records += page.records.length + page.deletions.length + (page.unreadable?.length ?? 0);
        if (records <= this.#maxRecords) pages.push(page);
        yield page;
      }
      // Kept only when read to its end: a flow that stopped halfway must not hand on a partial read.
      if (records <= this.#maxRecords) {
        result = { cursor, pages, at, consumers: new Set([source.consumer]) };
        this.#kept.set(key, result);
      } else this.#kept.delete(key);
    } finally {
      if (this.#inFlight.get(key) === own) this.#inFlight.delete(key);
      // Waiters find the kept read (or none, and read for themselves).
      end(result);
    }
  }
}
