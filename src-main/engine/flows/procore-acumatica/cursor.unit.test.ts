import { describe, expect, it } from 'vitest';
import { advanceAcumaticaCursor, AcumaticaCursorError, formatAcumaticaCursor, parseAcumaticaCursor } from './cursor';

const T = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, s)).toISOString();
const row = (id: string, at: string | null) => ({ id, lastModified: at });

describe('Acumatica stream cursor (ge + versions, a settle time behind the clock)', () => {
  it('a first read hands over everything; rows sharing the checkpoint instant are read again but not handed over twice', () => {
    const first = advanceAcumaticaCursor(parseAcumaticaCursor(null), [row('a', T(0)), row('b', T(10))], Date.parse(T(60)));
    expect(first.fresh.map((r) => r.id)).toEqual(['a', 'b']);
    expect(first.next).toEqual({ since: T(10), seen: [`b@${T(10)}`] });
    // The next read (ge since) returns b again, and c changed at the same instant.
    const second = advanceAcumaticaCursor(first.next, [row('b', T(10)), row('c', T(10))], Date.parse(T(70)));
    expect(second.fresh.map((r) => r.id)).toEqual(['c']);
    expect(second.next.seen).toEqual([`b@${T(10)}`, `c@${T(10)}`]);
  });

  it('a row changed again (a new LastModifiedDateTime) is handed over again', () => {
    const cursor = { since: T(10), seen: [`b@${T(10)}`] };
    expect(advanceAcumaticaCursor(cursor, [row('b', T(20))], Date.parse(T(60))).fresh.map((r) => r.id)).toEqual(['b']);
  });

  it('stays the settle time behind the clock, so a change stamped before a later commit is not skipped', () => {
    const now = Date.parse(T(12));
    const { fresh, next } = advanceAcumaticaCursor(parseAcumaticaCursor(null), [row('a', T(10))], now, 5_000);
    expect(fresh.map((r) => r.id)).toEqual(['a']);
    expect(next.since).toBe(T(7));
    // A row stamped 9 s but committed after that read is read by the next poll; a stays deduped.
    const again = advanceAcumaticaCursor(next, [row('late', T(9)), row('a', T(10))], Date.parse(T(30)), 5_000);
    expect(again.fresh.map((r) => r.id)).toEqual(['late']);
  });

  it('an idle read keeps the cursor; an unreadable stored cursor is refused in words', () => {
    const cursor = { since: T(10), seen: [`b@${T(10)}`] };
    expect(advanceAcumaticaCursor(cursor, [row('b', T(10))], Date.parse(T(60)))).toEqual({ fresh: [], next: cursor });
    expect(parseAcumaticaCursor(formatAcumaticaCursor(cursor))).toEqual(cursor);
    expect(() => parseAcumaticaCursor('not json')).toThrow(AcumaticaCursorError);
  });
});
