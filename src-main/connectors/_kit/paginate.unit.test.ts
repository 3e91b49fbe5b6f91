import { describe, expect, it } from 'vitest';
import { PaginationError } from './errors';
import {
  followNextLinks,
  inLookupWindows,
  MAX_REPEATED_PAGES,
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

  it('next link: a link to a page already read stops the read in words, without the query string', async () => {
    const read = collect(followNextLinks('https://api.example/v1/Rows?$skiptoken=1', async (url) => ({ items: [1], next: url })));
    await expect(read).rejects.toThrow(
      "next-link pagination: the server's next page link pointed at a page it had already sent (/v1/Rows); the read stopped so that no record is read twice or skipped (nothing was lost: run the sync again later)",
    );
  });
});

describe('offset and cursor pagination with record keys (sandbox faults dupes, repeat)', () => {
  type R = { id: number };
  const rows: R[] = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
  const keyOf = (r: R) => String(r.id);

  it('offset: a record sent twice in a page is read once, and the page still counts as full', async () => {
    const pages = await collect(paginateByOffset(3, async (offset, limit) => rows.slice(offset, offset + limit).flatMap((r) => [r, r]), { keyOf }));
    expect(pages.flat()).toEqual(rows);
  });

  it('offset: an offset answered with the page before it is asked again, nothing skipped', async () => {
    const asked: number[] = [];
    const pages = await collect(
      paginateByOffset(
        3,
        async (offset, limit) => {
          asked.push(offset);
          // The first time offset 3 is asked, the server answers offset 0's page again.
          const at = offset === 3 && asked.filter((o) => o === 3).length === 1 ? 0 : offset;
          return rows.slice(at, at + limit);
        },
        { keyOf },
      ),
    );
    expect(asked).toEqual([0, 3, 3, 6]);
    expect(pages.flat()).toEqual(rows);
  });

  it('offset: a server that keeps repeating stops the read after MAX_REPEATED_PAGES asks, in words', async () => {
    let calls = 0;
    const read = collect(paginateByOffset(3, async () => (calls++, rows.slice(0, 3)), { keyOf }));
    await expect(read).rejects.toThrow(/already sent 4 times in a row; the read stopped so that no record is skipped/);
    expect(calls).toBe(2 + MAX_REPEATED_PAGES);
  });

  it('cursor: records already read are dropped, a repeated cursor is followed again', async () => {
    const cursors: (string | null)[] = [];
    let repeated = false;
    const pages = await collect(
      paginateByCursor<R>(
        async (cursor) => {
          cursors.push(cursor);
          if (cursor === null) return { items: [rows[0]!, rows[0]!, rows[1]!], cursor: 'c1' };
          // c1 answered once with c1 itself (the same page will come again), then with c2.
          if (cursor === 'c1' && !repeated) return (repeated = true), { items: [rows[2]!], cursor: 'c1' };
          if (cursor === 'c1') return { items: [rows[2]!, rows[3]!], cursor: null };
          throw new Error(`unexpected cursor ${cursor}`);
        },
        { keyOf },
      ),
    );
    expect(cursors).toEqual([null, 'c1', 'c1']);
    expect(pages.flat()).toEqual(rows.slice(0, 4));
  });

  it('next link: with keys, a link to a page already read is followed again and its records read once', async () => {
    const urls: string[] = [];
    let repeated = false;
    const pages = await collect(
      followNextLinks<R>(
        'https://api.example/p1',
        async (url) => {
          urls.push(url);
          if (url.endsWith('/p1')) return { items: [rows[0]!, rows[0]!, rows[1]!], next: 'https://api.example/p2' };
          // p2 first answers with a link to itself (the same page will come again).
          if (!repeated) return (repeated = true), { items: [rows[2]!], next: url };
          return { items: [rows[2]!, rows[3]!], next: null };
        },
        { keyOf },
      ),
    );
    expect(urls).toEqual(['https://api.example/p1', 'https://api.example/p2', 'https://api.example/p2']);
    expect(pages.flat()).toEqual(rows.slice(0, 4));
    let calls = 0;
    await expect(collect(followNextLinks<R>('https://api.example/p', async (url) => (calls++, { items: [rows[0]!], next: url }), { keyOf }))).rejects.toThrow(/already sent 4 times in a row/);
    expect(calls).toBe(2 + MAX_REPEATED_PAGES);
  });

  it('cursor: a cursor repeated without end stops the read (bounded)', async () => {
    let calls = 0;
    await expect(collect(paginateByCursor<R>(async () => (calls++, { items: [rows[0]!], cursor: 'same' }), { keyOf }))).rejects.toThrow(/sent before 4 times in a row/);
    expect(calls).toBe(2 + MAX_REPEATED_PAGES);
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
