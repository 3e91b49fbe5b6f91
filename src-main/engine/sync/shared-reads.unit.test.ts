import { describe, expect, it } from 'vitest';
import type { SourcePage } from '../../connectors/connector';
import { SharedSourceReads } from './shared-reads';

/** A source stream that counts its reads (API calls) and answers from a cursor. */
function source(pagesFrom: (cursor: string | null) => SourcePage<{ sourceId: string }>[]) {
  const calls: (string | null)[] = [];
  return {
    calls,
    async *read(cursor: string | null): AsyncGenerator<SourcePage<{ sourceId: string }>> {
      calls.push(cursor);
      for (const page of pagesFrom(cursor)) yield page;
    },
  };
}
const page = (ids: string[], cursorAfter: string): SourcePage<{ sourceId: string }> => ({ records: ids.map((sourceId) => ({ sourceId })), deletions: [], cursorAfter });
const drain = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
};
const key = (consumer: string) => ({ connectionId: 'exact-1', stream: 'readPurchaseOrders', consumer });

describe('SharedSourceReads: one read per source stream and poll, for every flow', () => {
  it('a second flow reading the same stream from the same cursor gets the first read; a third flow too', async () => {
    const s = source(() => [page(['a', 'b'], 'c1'), page(['c'], 'c2')]);
    const shared = new SharedSourceReads();
    const f1 = await drain(shared.read(key('f1'), null, (c) => s.read(c)));
    const f4 = await drain(shared.read(key('f4'), null, (c) => s.read(c)));
    const f5 = await drain(shared.read(key('f5'), null, (c) => s.read(c)));
    expect(s.calls).toEqual([null]);
    expect(f4).toEqual(f1);
    expect(f5).toEqual(f1);
    expect(shared.shared).toBe(2);
  });

  it('the same flow polling again always reads the source (a cursor that did not move must still see new changes)', async () => {
    let round = 0;
    const s = source(() => (round++ === 0 ? [] : [page(['new'], 'c1')]));
    const shared = new SharedSourceReads();
    expect(await drain(shared.read(key('f1'), 'c0', (c) => s.read(c)))).toEqual([]);
    expect(await drain(shared.read(key('f1'), 'c0', (c) => s.read(c)))).toEqual([page(['new'], 'c1')]);
    expect(s.calls).toEqual(['c0', 'c0']);
  });

  it('reads for itself: a flow at another cursor, after the TTL, or after a read stopped halfway', async () => {
    let now = 0;
    const s = source((cursor) => [page([`from-${cursor}`], 'next')]);
    const shared = new SharedSourceReads({ ttlMs: 1_000, now: () => now });
    await drain(shared.read(key('f1'), 'c1', (c) => s.read(c)));
    await drain(shared.read(key('f4'), 'c0', (c) => s.read(c))); // behind: its own read
    expect(s.calls).toEqual(['c1', 'c0']);
    now = 5_000;
    await drain(shared.read(key('f5'), 'c0', (c) => s.read(c))); // too old by now
    expect(s.calls).toEqual(['c1', 'c0', 'c0']);
    // A consumer that stops after the first page leaves nothing to share.
    const two = source(() => [page(['a'], 'x1'), page(['b'], 'x2')]);
    for await (const first of shared.read({ ...key('f1'), stream: 'other' }, null, (c) => two.read(c))) {
      expect(first.cursorAfter).toBe('x1');
      break;
    }
    await drain(shared.read({ ...key('f4'), stream: 'other' }, null, (c) => two.read(c)));
    expect(two.calls).toEqual([null, null]);
  });

  it('keeps no read larger than maxRecords (an initial sync of a large company)', async () => {
    const s = source(() => [page(['a', 'b', 'c'], 'c1')]);
    const shared = new SharedSourceReads({ maxRecords: 2 });
    await drain(shared.read(key('f1'), null, (c) => s.read(c)));
    await drain(shared.read(key('f4'), null, (c) => s.read(c)));
    expect(s.calls).toEqual([null, null]);
  });

  it('flows polling at the same moment share one read: the second waits for the first to end', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: (string | null)[] = [];
    const slow = async function* (cursor: string | null): AsyncGenerator<SourcePage<{ sourceId: string }>> {
      calls.push(cursor);
      yield page(['a'], 'c1');
      await gate;
      yield page(['b'], 'c2');
    };
    const shared = new SharedSourceReads();
    const f1 = drain(shared.read(key('f1'), null, slow));
    const f4 = drain(shared.read(key('f4'), null, slow));
    const f5 = drain(shared.read(key('f5'), 'elsewhere', slow));
    release();
    const [one, four] = await Promise.all([f1, f4, f5]);
    // f5 is at another cursor and reads for itself; f4 got f1's read.
    expect(calls).toEqual([null, 'elsewhere']);
    expect(four).toEqual(one);
    expect(shared.shared).toBe(1);
  });

  it('a flow waiting on a read that stops halfway reads for itself', async () => {
    const s = source(() => [page(['a'], 'c1'), page(['b'], 'c2')]);
    const shared = new SharedSourceReads();
    const first = shared.read(key('f1'), null, (c) => s.read(c));
    await first.next(); // f1 is reading…
    const f4 = drain(shared.read(key('f4'), null, (c) => s.read(c)));
    await first.return(undefined); // …and stops after its first page
    expect((await f4).flatMap((p) => p.records.map((r) => r.sourceId))).toEqual(['a', 'b']);
    expect(s.calls).toEqual([null, null]);
  });
});
