import { errors as undiciErrors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCounters, statusClassOf } from './counters';
import { HostNotAllowedError, HttpNetworkError, HttpTimeoutError } from './errors';
import { HttpClient, appendQuery, defaultTimeouts, toKitError } from './http';

describe('appendQuery', () => {
  // (WHATWG URL itself encodes ' as %27 in special-scheme queries; servers decode it the same.)
  it('percent-encodes values (spaces as %20), keeps OData $ and Procore [] readable, repeats arrays, omits null/undefined', () => {
    const url = new URL('https://start.exactonline.nl/api/v1/123/purchaseorder/PurchaseOrders?$top=60');
    appendQuery(url, {
      $select: 'ID,Amount',
      $filter: "Modified ge datetime'2026-01-01T00:00:00' and Code eq 'A&B'",
      'filters[id][]': [1, 2],
      'updated_at[gt]': '2026-01-01T00:00:00+00:00',
      skipped: undefined,
      alsoSkipped: null,
      flag: true,
    });
    expect(url.search).toBe(
      '?$top=60&$select=ID%2CAmount&$filter=Modified%20ge%20datetime%272026-01-01T00%3A00%3A00%27%20and%20Code%20eq%20%27A%26B%27' +
        '&filters[id][]=1&filters[id][]=2&updated_at[gt]=2026-01-01T00%3A00%3A00%2B00%3A00&flag=true',
    );
  });
});

describe('HttpClient allow-list (refused before any I/O)', () => {
  const clients: HttpClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  function client(): { http: HttpClient; counters: RequestCounters } {
    const counters = new RequestCounters();
    const http = new HttpClient({
      api: 'allow-test',
      allowedHosts: ['api.procore.com', '127.0.0.1'],
      counters,
    });
    clients.push(http);
    return { http, counters };
  }

  it('refuses a host not on the list with HostNotAllowedError and counts nothing', async () => {
    const { http, counters } = client();
    const error = await http
      .request({ method: 'GET', url: 'https://evil.example.com/rest/v1.0/projects' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostNotAllowedError);
    expect((error as HostNotAllowedError).host).toBe('evil.example.com');
    expect((error as Error).message).toContain('evil.example.com');
    expect(counters.get('allow-test').total).toBe(0);
  });

  it('refuses plain http to a non-loopback host even when listed', async () => {
    const { http } = client();
    await expect(http.request({ method: 'GET', url: 'http://api.procore.com/rest/v1.0/me' })).rejects.toThrow(
      /needs https/,
    );
  });

  it('names the bad URL when it cannot be parsed', async () => {
    const { http } = client();
    await expect(http.request({ method: 'GET', url: 'not a url' })).rejects.toThrow(
      /Invalid request URL "not a url"/,
    );
  });
});

describe('toKitError', () => {
  it('maps undici timeouts to HttpTimeoutError naming host and phase', () => {
    const connect = toKitError(new undiciErrors.ConnectTimeoutError(), 'api.procore.com', defaultTimeouts);
    expect(connect).toBeInstanceOf(HttpTimeoutError);
    expect(connect).toMatchObject({
      host: 'api.procore.com',
      phase: 'connect',
      timeoutMs: defaultTimeouts.connectMs,
    });
    expect(connect.message).toBe('Timed out after 10000 ms waiting for a connection from api.procore.com');
    expect(toKitError(new undiciErrors.HeadersTimeoutError(), 'h', defaultTimeouts)).toMatchObject({
      phase: 'headers',
    });
    expect(toKitError(new undiciErrors.BodyTimeoutError(), 'h', defaultTimeouts)).toMatchObject({
      phase: 'body',
    });
  });

  it('maps socket errors to HttpNetworkError, flagging failures before the request was sent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toKitError(refused, '127.0.0.1:1', defaultTimeouts)).toMatchObject({
      errorCode: 'ECONNREFUSED',
      beforeRequestSent: true,
    });
    const reset = toKitError(new undiciErrors.SocketError('other side closed'), 'h', defaultTimeouts);
    expect(reset).toBeInstanceOf(HttpNetworkError);
    expect(reset).toMatchObject({ errorCode: 'UND_ERR_SOCKET', beforeRequestSent: false });
  });
});

describe('RequestCounters', () => {
  it('counts by api, status class and total', () => {
    const counters = new RequestCounters();
    counters.record('exact', 200, 10);
    counters.record('exact', 429, 5);
    counters.record('exact', null, 1);
    counters.record('coupa', 503, 2);
    expect(counters.get('exact')).toEqual({
      total: 3,
      byStatusClass: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 1, '5xx': 0, 'no-response': 1 },
      totalMs: 16,
    });
    expect(Object.keys(counters.snapshot())).toEqual(['exact', 'coupa']);
    expect(statusClassOf(302)).toBe('3xx');
    counters.reset();
    expect(counters.get('exact').total).toBe(0);
  });
});
