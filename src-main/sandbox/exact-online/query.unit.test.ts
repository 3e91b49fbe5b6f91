import { afterEach, describe, expect, it } from 'vitest';
import { SimStore } from '../_common/sim-store';
import type { SimRequest } from '../_common/sim-server';
import { listStandard } from './query';
import { ExactRepository, findEndpoint, type EndpointDef } from './repository';
import { exactDate, type ExactRecord } from './wire';

const entries = findEndpoint('purchaseentry/PurchaseEntries') as EndpointDef;
const lineDefOf = (path: string): EndpointDef => findEndpoint(path) as EndpointDef;

function request(query: string): SimRequest {
  const url = new URL(`http://127.0.0.1/api/v1/1/purchaseentry/PurchaseEntries?${query}`);
  return {
    method: 'GET',
    url,
    path: url.pathname,
    query: url.searchParams,
    headers: {},
    body: Buffer.alloc(0),
    text: () => '',
    json: () => undefined,
  };
}

/** EntryIDs of one page of `GET PurchaseEntries?<query>` (page size 2). */
function pageIds(repo: ExactRepository, query: string): string[] {
  const ctx = { req: request(query), origin: 'http://127.0.0.1', division: 1 };
  const answer = listStandard(ctx, repo, entries, {
    pageSize: 2,
    rows: repo.sortedRecords(entries),
    lineDefOf,
  });
  const d = (answer.body as { d: { results: ExactRecord[] } }).d;
  return d.results.map((r) => String(r['EntryID']));
}

const stores: SimStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function repoWith(modifiedMsById: Record<string, number>): ExactRepository {
  const store = new SimStore(':memory:');
  stores.push(store);
  const repo = new ExactRepository(store);
  for (const [id, ms] of Object.entries(modifiedMsById))
    repo.put(entries, { EntryID: id, Modified: exactDate(ms) });
  return repo;
}

describe('$orderby reads (fact sheet §1.4)', () => {
  it('orders Exact dates by instant, not by their text, across $skip pages', () => {
    // As text "/Date(999)/" sorts after "/Date(1000)/"; by instant it comes first.
    const repo = repoWith({ a: 1000, b: 999, c: 20_000, d: 5 });
    expect(pageIds(repo, '$orderby=Modified asc')).toEqual(['d', 'b']);
    expect(pageIds(repo, '$orderby=Modified asc&$skip=2')).toEqual(['a', 'c']);
    expect(pageIds(repo, '$orderby=Modified desc')).toEqual(['c', 'a']);
  });

  it('a page read after a write sees the write (the ordered list is not reused across writes)', () => {
    const repo = repoWith({ a: 1000, b: 2000, c: 3000 });
    const query = `$filter=Modified ge datetime'1970-01-01T00:00:01'&$orderby=Modified asc`;
    expect(pageIds(repo, query)).toEqual(['a', 'b']);
    repo.put(entries, { EntryID: 'z', Modified: exactDate(1500) });
    expect(pageIds(repo, query)).toEqual(['a', 'z']);
    expect(pageIds(repo, `${query}&$skip=2`)).toEqual(['b', 'c']);
    // Same rows, another filter: not the list kept for the first one.
    expect(pageIds(repo, `$filter=Modified ge datetime'1970-01-01T00:00:02'&$orderby=Modified asc`)).toEqual([
      'b',
      'c',
    ]);
  });
});
