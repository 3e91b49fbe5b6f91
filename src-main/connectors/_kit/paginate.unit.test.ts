import { describe, expect, it } from 'vitest';
import { PaginationError } from './errors';
import {
  followNextLinks,
  inLookupWindows,
  paginateByCursor,
  paginateByOffset,
  paginateByPageNumber,
  parseLinkHeader,
} from './paginate';

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const result: T[][] = [];
  for await (const page of pages) result.push(page);
  return result;
}

describe('followNextLinks', () => {
  it('follows next links verbatim until absent', async () => {
    const requested: string[] = [];
    const pages = await collect(
      followNextLinks('https://x/api?$top=2', async (url) => {
        requested.push(url);
        return url.includes('skiptoken')
          ? { items: [3], next: undefined }
          : { items: [1, 2], next: "https://x/api?$skiptoken=guid'b'" };
      }),
    );
    expect(pages).toEqual([[1, 2], [3]]);
    expect(requested).toEqual(['https://x/api?$top=2', "https://x/api?$skiptoken=guid'b'"]);
  });

  it('stops with PaginationError when the server repeats a link', async () => {
    await expect(
      collect(followNextLinks('https://x/a', async () => ({ items: [1], next: 'https://x/a' }))),
    ).rejects.toBeInstanceOf(PaginationError);
  });

  it('stops with PaginationError past maxPages', async () => {
    let page = 0;
    const endless = followNextLinks(
      'https://x/0',
      async () => ({ items: [page], next: `https://x/${++page}` }),
      { maxPages: 3 },
    );
    await expect(collect(endless)).rejects.toThrow(/more than 3 pages/);
  });
});

describe('parseLinkHeader', () => {
  it('maps rel names to URLs, including multiple rels and unquoted rel', () => {
    const header =
      '<https://api.procore.com/rest/v1.0/projects?page=2&per_page=100>; rel="next", ' +
      '<https://api.procore.com/rest/v1.0/projects?page=9&per_page=100>; rel="last", <https://x/1>; rel=first';
    expect(parseLinkHeader(header)).toEqual({
      next: 'https://api.procore.com/rest/v1.0/projects?page=2&per_page=100',
      last: 'https://api.procore.com/rest/v1.0/projects?page=9&per_page=100',
      first: 'https://x/1',
    });
    expect(parseLinkHeader('<https://x/2>; title="a"; rel="prev next"')).toEqual({
      prev: 'https://x/2',
      next: 'https://x/2',
    });
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});

describe('paginateByPageNumber', () => {
  it('continues while the Link header has rel="next"', async () => {
    const asked: number[] = [];
    const pages = await collect(
      paginateByPageNumber(2, async (page, perPage) => {
        asked.push(page);
        expect(perPage).toBe(2);
        return page < 3
          ? { items: [page, page], linkHeader: `<https://x?page=${page + 1}>; rel="next"` }
          : { items: [page, page], linkHeader: '<https://x?page=1>; rel="first"' };
      }),
    );
    expect(asked).toEqual([1, 2, 3]);
    expect(pages).toHaveLength(3);
  });

  it('without a Link header, stops at the first short page', async () => {
    const pages = await collect(
      paginateByPageNumber(2, async (page) => ({ items: page === 1 ? ['a', 'b'] : ['c'] })),
    );
    expect(pages).toEqual([['a', 'b'], ['c']]);
  });
});

describe('paginateByOffset', () => {
  it('advances the offset by limit and stops at a short page', async () => {
    const offsets: number[] = [];
    const rows = Array.from({ length: 120 }, (_, index) => index);
    const pages = await collect(
      paginateByOffset(50, async (offset, limit) => {
        offsets.push(offset);
        return rows.slice(offset, offset + limit);
      }),
    );
    expect(offsets).toEqual([0, 50, 100]);
    expect(pages.flat()).toEqual(rows);
  });

  it('makes one extra request when the total is a multiple of limit, yielding an empty last page', async () => {
    const pages = await collect(paginateByOffset(2, async (offset) => (offset < 4 ? ['x', 'y'] : [])));
    expect(pages).toEqual([['x', 'y'], ['x', 'y'], []]);
  });

  it('refuses a server that returns more rows than asked', async () => {
    await expect(collect(paginateByOffset(2, async () => [1, 2, 3]))).rejects.toThrow(
      /asked for 2 rows, got 3/,
    );
  });
});

describe('paginateByCursor', () => {
  it('passes null first, then each cursor, until the cursor is null', async () => {
    const cursors: Array<string | null> = [];
    const pages = await collect(
      paginateByCursor(async (cursor) => {
        cursors.push(cursor);
        if (cursor === null) return { items: ['a'], cursor: 'c1' };
        if (cursor === 'c1') return { items: ['b'], cursor: 'c2' };
        return { items: ['c'], cursor: null };
      }),
    );
    expect(cursors).toEqual([null, 'c1', 'c2']);
    expect(pages.flat()).toEqual(['a', 'b', 'c']);
  });

  it('stops with PaginationError when a cursor repeats', async () => {
    await expect(collect(paginateByCursor(async () => ({ items: [1], cursor: 'same' })))).rejects.toThrow(
      /repeated a cursor/,
    );
  });
});

describe('inLookupWindows', () => {
  async function* source(pages: number[][]): AsyncGenerator<number[]> {
    for (const page of pages) yield page;
  }

  it('resolves each window once, before any of its pages is handed on, in source order', async () => {
    const events: string[] = [];
    const windows = inLookupWindows(source([[1, 2], [3], [4, 5, 6], [7]]), (p) => p.length, 3, async (w) => {
      events.push(`lookup ${w.map((p) => p.join('+')).join(' ')}`);
    });
    for await (const page of windows) events.push(`page ${page.join('+')}`);
    expect(events).toEqual([
      'lookup 1+2 3',
      'page 1+2',
      'page 3',
      'lookup 4+5+6',
      'page 4+5+6',
      'lookup 7',
      'page 7',
    ]);
  });

  it('makes no lookup for an empty source, and refuses a window size that is not a positive integer', async () => {
    let lookups = 0;
    const none = inLookupWindows(source([]), (p) => p.length, 10, async () => {
      lookups += 1;
    });
    expect(await collect(none)).toEqual([]);
    expect(lookups).toBe(0);
    await expect(collect(inLookupWindows(source([[1]]), (p) => p.length, 0, async () => {}))).rejects.toThrow(RangeError);
  });

  it('stops with the lookup\'s error before yielding the pages it could not resolve', async () => {
    const seen: number[][] = [];
    const windows = inLookupWindows(source([[1], [2]]), (p) => p.length, 5, async () => {
      throw new Error('lookup failed');
    });
    await expect(
      (async () => {
        for await (const page of windows) seen.push(page);
      })(),
    ).rejects.toThrow('lookup failed');
    expect(seen).toEqual([]);
  });
});
