/**
 * Cursors of the streams F2 reads from Acumatica (vendors, cost codes, AP payments), pure. A read
 * asks `LastModifiedDateTime ge <since>`, so rows sharing the checkpoint's instant are read again;
 * those already read in the same version (id + LastModifiedDateTime) are dropped. The checkpoint
 * stays a few seconds behind the clock (the settle time), so a row another user's transaction
 * stamps a moment before it commits is read by the next poll instead of being skipped; rows of
 * those seconds are read again and dropped by their versions.
 */
export interface AcumaticaCursor {
  /** ISO instant the next read starts at (inclusive); null = from the beginning. */
  since: string | null;
  /** Versions ("id@lastModified") already read at or after `since`. */
  seen: string[];
}

export const DEFAULT_SETTLE_MS = 5_000;

export class AcumaticaCursorError extends Error {
  override readonly name = 'AcumaticaCursorError';
}

export function parseAcumaticaCursor(text: string | null): AcumaticaCursor {
  if (!text) return { since: null, seen: [] };
  try {
    const parsed = JSON.parse(text) as Partial<AcumaticaCursor>;
    if ((parsed.since === null || typeof parsed.since === 'string') && Array.isArray(parsed.seen))
      return { since: parsed.since, seen: parsed.seen.filter((s): s is string => typeof s === 'string') };
  } catch {
    // fall through
  }
  throw new AcumaticaCursorError(`The stored Acumatica cursor "${text.slice(0, 80)}" cannot be read; reset the stream's cursor to read from the beginning.`);
}

export const formatAcumaticaCursor = (cursor: AcumaticaCursor): string => JSON.stringify(cursor);

const version = (row: { id: string; lastModified: string | null }): string => `${row.id}@${row.lastModified ?? ''}`;
const ms = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);

/**
 * The rows of a read (from `cursor.since`) not read before, and the cursor after them. Rows
 * without a LastModifiedDateTime are always handed over (they cannot be placed in time).
 */
export function advanceAcumaticaCursor<R extends { id: string; lastModified: string | null }>(
  cursor: AcumaticaCursor,
  rows: readonly R[],
  now: number,
  settleMs = DEFAULT_SETTLE_MS,
): { fresh: R[]; next: AcumaticaCursor } {
  const seen = new Set(cursor.seen);
  const since = ms(cursor.since);
  const fresh = rows.filter((r) => !(ms(r.lastModified) >= since && seen.has(version(r))));
  let newest = cursor.since;
  for (const r of rows) if (r.lastModified && ms(r.lastModified) > ms(newest)) newest = r.lastModified;
  // Not past the settle time: what commits late with an earlier stamp is still read.
  const settled = now - settleMs;
  const nextSince = newest === null ? null : ms(newest) > settled ? new Date(Math.max(settled, since)).toISOString() : newest;
  const keep = nextSince === null ? [] : [...seen, ...rows.map(version)].filter((v) => {
    const at = v.slice(v.indexOf('@') + 1);
    return at !== '' && ms(at) >= ms(nextSince);
  });
  return { fresh, next: { since: nextSince, seen: [...new Set(keep)].sort() } };
}
