/** Pagination helpers driven through HttpClient against real local servers. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  HttpClient,
  RequestCounters,
  followNextLinks,
  paginateByPageNumber,
} from '../../src-main/connectors/_kit';
import type { Handler, LocalServer } from './local-server';
import { sendJson, startLocalServer } from './local-server';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((resource) => resource.close()));
});

async function setup(handler: Handler): Promise<{ server: LocalServer; client: HttpClient }> {
  const server = await startLocalServer(handler);
  const client = new HttpClient({
    api: 'paging-test',
    allowedHosts: ['127.0.0.1'],
    baseUrl: server.origin,
    counters: new RequestCounters(),
  });
  open.push(server, client);
  return { server, client };
}

describe('pagination over HTTP', () => {
  it('follows OData d.__next links (with $skiptoken) verbatim until absent', async () => {
    const rows = Array.from({ length: 5 }, (_, index) => ({ ID: `guid-${index}`, Amount: `${index}.10` }));
    const { server, client } = await setup((request, response) => {
      const url = new URL(request.url, 'http://x');
      const skip = Number(/guid'guid-(\d+)'/.exec(url.searchParams.get('$skiptoken') ?? '')?.[1] ?? -1) + 1;
      const page = rows.slice(skip, skip + 2);
      const last = page[page.length - 1];
      const next =
        skip + 2 < rows.length && last
          ? `${server.origin}/api/v1/1/purchaseorder/PurchaseOrders?$skiptoken=guid'${last.ID}'`
          : undefined;
      sendJson(response, 200, { d: { results: page, ...(next ? { __next: next } : {}) } });
    });
    const collected: unknown[] = [];
    for await (const page of followNextLinks(
      `${server.origin}/api/v1/1/purchaseorder/PurchaseOrders?$select=ID,Amount`,
      async (url) => {
        const body = (await client.request({ method: 'GET', url })).json<{
          d: { results: unknown[]; __next?: string };
        }>();
        return { items: body.d.results, next: body.d.__next };
      },
    )) {
      collected.push(...page);
    }
    expect(collected).toEqual(rows);
    expect(server.requests).toHaveLength(3);
  });

  it('pages Procore-style with page/per_page until the Link header has no rel="next"', async () => {
    const { server, client } = await setup((request, response) => {
      const url = new URL(request.url, 'http://x');
      const page = Number(url.searchParams.get('page'));
      const link =
        page < 3
          ? `<${server.origin}/projects?page=${page + 1}&per_page=2>; rel="next", <${server.origin}/projects?page=3&per_page=2>; rel="last"`
          : `<${server.origin}/projects?page=1&per_page=2>; rel="first"`;
      sendJson(response, 200, [{ id: page * 10 }, { id: page * 10 + 1 }], {
        link,
        total: '6',
        'per-page': '2',
      });
    });
    const ids: number[] = [];
    for await (const page of paginateByPageNumber(2, async (page, perPage) => {
      const response = await client.request({
        method: 'GET',
        url: '/projects',
        query: { page, per_page: perPage },
      });
      return { items: response.json<Array<{ id: number }>>(), linkHeader: response.headers['link'] };
    })) {
      ids.push(...page.map((row) => row.id));
    }
    expect(ids).toEqual([10, 11, 20, 21, 30, 31]);
    expect(server.requests.map((request) => request.url)).toEqual([
      '/projects?page=1&per_page=2',
      '/projects?page=2&per_page=2',
      '/projects?page=3&per_page=2',
    ]);
  });
});
