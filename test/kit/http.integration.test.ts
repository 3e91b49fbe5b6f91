/**
 * HttpClient against real local servers: retries and the delays it chose (recorded by an
 * injected sleep), Exact rate-limit headers feeding a shared budget, connection resets,
 * timeouts, malformed and oversized bodies, per-API counters, and redaction of a canary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpClientOptions } from '../../src-main/connectors/_kit';
import {
  ErrorBudgetExceededError,
  HttpClient,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  RequestBudget,
  RequestCounters,
  ResponseParseError,
  ResponseTooLargeError,
  UnauthorizedError,
  createLogger,
  createManualClock,
  nextUtcMidnight,
  parseExactRateLimits,
  registerSecret,
} from '../../src-main/connectors/_kit';
import type { Handler, LocalServer } from './local-server';
import { sendJson, startLocalServer } from './local-server';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((resource) => resource.close()));
});

async function serve(handler: Handler): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  open.push(server);
  return server;
}

/** A client with instant, recorded sleeps, fixed jitter (0.5) and its own counters. */
function makeClient(server: LocalServer, overrides: Partial<HttpClientOptions> = {}) {
  const clock = createManualClock();
  const counters = new RequestCounters();
  const client = new HttpClient({
    api: 'test-api',
    allowedHosts: ['127.0.0.1'],
    baseUrl: server.origin,
    counters,
    now: clock.now,
    ...overrides,
    retry: {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      maxTotalDelayMs: 60_000,
      random: () => 0.5,
      sleep: clock.sleep,
      ...overrides.retry,
    },
  });
  open.push(client);
  return { client, clock, counters };
}

describe('allow-list', () => {
  it('refuses a host not on the list before any network I/O', async () => {
    const server = await serve((_request, response) => sendJson(response, 200, {}));
    const { client, counters } = makeClient(server, { allowedHosts: ['api.procore.com'] });
    await expect(client.request({ method: 'GET', url: '/projects' })).rejects.toMatchObject({
      name: 'HostNotAllowedError',
      host: '127.0.0.1',
    });
    expect(server.requests).toHaveLength(0);
    expect(counters.get('test-api').total).toBe(0);
  });
});

describe('retries', () => {
  it('429 with Retry-After seconds, then 200: waits exactly the server delay and counts both attempts', async () => {
    const server = await serve((request, response) =>
      request.index === 1
        ? sendJson(response, 429, { error: 'slow down' }, { 'retry-after': '3' })
        : sendJson(response, 200, { ok: true }),
    );
    const { client, clock, counters } = makeClient(server);
    const response = await client.request({ method: 'GET', url: '/items' });
    expect(response.json()).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([3000]);
    expect(counters.get('test-api')).toMatchObject({ total: 2, byStatusClass: { '2xx': 1, '4xx': 1 } });
  });

  it('429 with an HTTP-date Retry-After waits until that date', async () => {
    let retryAt = '';
    const server = await serve((request, response) =>
      request.index === 1
        ? sendJson(response, 429, {}, { 'retry-after': retryAt })
        : sendJson(response, 200, {}),
    );
    const { client, clock } = makeClient(server);
    retryAt = new Date(clock.now() + 5000).toUTCString();
    await client.request({ method: 'GET', url: '/items' });
    expect(clock.sleeps).toEqual([5000]);
  });

  it('503 without hints uses full-jitter backoff and gives up after maxAttempts with the last response readable', async () => {
    const server = await serve((_request, response) => sendJson(response, 503, { message: 'maintenance' }));
    const { client, clock, counters } = makeClient(server, {});
    const error = await client.request({ method: 'GET', url: '/items' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 503, attempt: 4 });
    expect((error as HttpStatusError).response.json()).toEqual({ message: 'maintenance' });
    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([50, 100, 200]); // 0.5 * 100 * 2^(n-1)
    expect(counters.get('test-api').byStatusClass['5xx']).toBe(4);
  });

  it('never retries other 4xx; 401 surfaces as UnauthorizedError for the auth layer', async () => {
    const server = await serve((request, response) =>
      request.url === '/bad'
        ? sendJson(response, 400, { error: { message: { value: 'Please add a $select' } } })
        : sendJson(response, 401, {}),
    );
    const { client, clock } = makeClient(server);
    await expect(client.request({ method: 'GET', url: '/bad' })).rejects.toMatchObject({ status: 400 });
    const unauthorized = await client
      .request({ method: 'GET', url: '/me' })
      .catch((caught: unknown) => caught);
    expect(unauthorized).toBeInstanceOf(UnauthorizedError);
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([]);
  });

  it('a non-retrySafe POST is not retried on 503; a retrySafe one is', async () => {
    const server = await serve((request, response) =>
      request.index === 1 || request.index === 2
        ? sendJson(response, 503, {})
        : sendJson(response, 201, { id: 'x' }),
    );
    const { client } = makeClient(server);
    await expect(
      client.request({ method: 'POST', url: '/bills', body: { json: { a: 1 } } }),
    ).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
    const created = await client.request({
      method: 'POST',
      url: '/bills',
      body: { json: { a: 1 } },
      retrySafe: true,
    });
    expect(created.status).toBe(201);
    expect(server.requests).toHaveLength(3);
  });
});

describe('connection resets', () => {
  const resetFirst: Handler = (request, response, raw) => {
    if (request.index === 1) raw.socket.destroy();
    else sendJson(response, 200, { ok: true });
  };

  it('a GET is retried after the server destroys the socket', async () => {
    const server = await serve(resetFirst);
    const { client, clock, counters } = makeClient(server);
    const response = await client.request({ method: 'GET', url: '/items' });
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([50]);
    expect(counters.get('test-api').byStatusClass).toMatchObject({ 'no-response': 1, '2xx': 1 });
  });

  it('a non-retrySafe POST is NOT retried after a reset (the server may have committed it)', async () => {
    const server = await serve(resetFirst);
    const { client, clock } = makeClient(server);
    const error = await client
      .request({ method: 'POST', url: '/bills', body: { json: { amount: '10.00' } } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpNetworkError);
    expect((error as HttpNetworkError).message).toContain('127.0.0.1');
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('a retrySafe POST (idempotency key) is retried after a reset', async () => {
    const server = await serve(resetFirst);
    const { client } = makeClient(server);
    const response = await client.request({
      method: 'POST',
      url: '/bills',
      headers: { 'Idempotency-Key': 'bill-42-v1' },
      body: { json: { amount: '10.00' } },
      retrySafe: true,
    });
    expect(response.status).toBe(200);
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      'bill-42-v1',
      'bill-42-v1',
    ]);
  });
});

describe('timeouts', () => {
  it('a server that never answers gives HttpTimeoutError naming host and the headers phase; GETs are retried', async () => {
    const server = await serve(() => undefined); // never responds
    // undici checks these timeouts with ~1 s resolution, so keep attempts few to stay fast.
    const { client, clock } = makeClient(server, { timeouts: { headersMs: 150 }, retry: { maxAttempts: 2 } });
    const error = await client.request({ method: 'GET', url: '/slow' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 150 });
    expect((error as Error).message).toMatch(
      /Timed out after 150 ms waiting for response headers from 127\.0\.0\.1:\d+/,
    );
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([50]);
  });

  it('a body that stalls midway gives the body phase', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"d":{"results":[');
    });
    const { client } = makeClient(server, { timeouts: { bodyMs: 150 }, retry: { maxAttempts: 1 } });
    await expect(client.request({ method: 'GET', url: '/stall' })).rejects.toMatchObject({
      name: 'HttpTimeoutError',
      phase: 'body',
    });
  });
});

describe('bodies', () => {
  it('sends JSON, form and raw XML bodies with their content types and builds the query', async () => {
    const server = await serve((_request, response) => sendJson(response, 200, {}));
    const { client } = makeClient(server);
    await client.request({
      method: 'POST',
      url: '/j',
      query: { $top: 2, 'filters[id][]': [1, 2] },
      body: { json: { amount: '1.10' } },
    });
    await client.request({
      method: 'POST',
      url: '/f',
      body: { form: { grant_type: 'client_credentials', scope: 'a b' } },
    });
    await client.request({
      method: 'POST',
      url: '/x',
      body: { raw: '<request><a>é</a></request>', contentType: 'application/xml' },
    });
    expect(
      server.requests.map((request) => [request.url, request.headers['content-type'], request.body]),
    ).toEqual([
      ['/j?$top=2&filters[id][]=1&filters[id][]=2', 'application/json', '{"amount":"1.10"}'],
      ['/f', 'application/x-www-form-urlencoded', 'grant_type=client_credentials&scope=a+b'],
      ['/x', 'application/xml', '<request><a>é</a></request>'],
    ]);
  });

  it('returns lower-cased headers and reuses the kept-alive connection', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, {}, { 'X-Request-Id': 'abc' }),
    );
    const { client } = makeClient(server);
    const first = await client.request({ method: 'GET', url: '/a' });
    // undici hands a socket back to the pool one event-loop turn after the response ends.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await client.request({ method: 'GET', url: '/b' });
    expect(first.headers['x-request-id']).toBe('abc');
    expect(server.requests[0]!.remotePort).toBe(server.requests[1]!.remotePort);
  });

  it('json() on malformed JSON throws ResponseParseError quoting at most ~200 chars of the body', async () => {
    const body = `{"d": {"results": [${'"row",'.repeat(2000)}`;
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    const { client } = makeClient(server);
    const response = await client.request({ method: 'GET', url: '/broken' });
    const error = (() => {
      try {
        response.json();
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ResponseParseError);
    expect((error as Error).message).toContain('{\\"d\\": {\\"results\\": [');
    expect((error as Error).message).toContain(`(${body.length} chars)`);
    expect((error as Error).message.length).toBeLessThan(450);
  });

  it('refuses a response larger than the limit, streamed or declared, without buffering it', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const server = await serve((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        response.write(chunk);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }); // chunked, no length
      for (let index = 0; index < 64; index += 1) response.write(chunk);
      response.end();
    });
    const { client } = makeClient(server, { maxResponseBytes: 256 * 1024 });
    const streamed = await client
      .request({ method: 'GET', url: '/streamed' })
      .catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(ResponseTooLargeError);
    expect((streamed as Error).message).toMatch(/is larger than 256 KB \(the most the app reads in one answer\), so none of it was used/);
    await expect(client.request({ method: 'GET', url: '/declared' })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
    expect(server.requests).toHaveLength(2); // not retried
  });
});

describe('Exact rate-limit headers and the shared budget', () => {
  it('a minutely 429 (only minutely headers) waits for the minutely reset and keeps the daily view intact', async () => {
    let minutelyReset = 0;
    const server = await serve((request, response) => {
      if (request.index === 1) {
        sendJson(
          response,
          429,
          {},
          {
            'x-ratelimit-minutely-limit': '60',
            'x-ratelimit-minutely-remaining': '0',
            'x-ratelimit-minutely-reset': String(minutelyReset),
          },
        );
        return;
      }
      sendJson(
        response,
        200,
        { d: { results: [] } },
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4321',
          'x-ratelimit-reset': String(nextUtcMidnight(minutelyReset)),
          'x-ratelimit-minutely-limit': '60',
          'x-ratelimit-minutely-remaining': '59',
          'x-ratelimit-minutely-reset': String(minutelyReset + 60_000),
        },
      );
    });
    const clock = createManualClock();
    minutelyReset = clock.now() + 20_000;
    const budget = new RequestBudget('exact:it-client:123', {
      windows: [
        { kind: 'sliding', name: 'minutely', limit: 60, windowMs: 60_000 },
        { kind: 'fixed', name: 'daily', limit: 5000, nextResetAt: nextUtcMidnight },
      ],
      errorBudget: { limit: 10, windowMs: 3_600_000 },
      clock,
    });
    const { client } = makeClient(server, {
      now: clock.now,
      budget,
      rateLimitParser: parseExactRateLimits,
      retry: { sleep: clock.sleep },
    });
    await client.request({ method: 'GET', url: '/api/v1/123/purchaseorder/PurchaseOrders' });
    expect(clock.sleeps).toEqual([20_000]);
    const windows = Object.fromEntries(budget.snapshot().windows.map((window) => [window.name, window]));
    expect(windows['daily']).toMatchObject({ remaining: 4321, limit: 5000, used: 679, source: 'server' });
    expect(windows['minutely']).toMatchObject({ remaining: 59, source: 'server' });
    expect(budget.snapshot().errors).toEqual([
      { endpoint: '/api/v1/123/purchaseorder/PurchaseOrders', errors: 1, limit: 10, resumeAt: null },
    ]);
  });

  it('every attempt leaves the budget when it ends (answered, refused or reset): none stays "in flight"', async () => {
    const server = await serve((request, response, raw) => {
      if (request.url === '/reset') raw.socket.destroy();
      else sendJson(response, request.url === '/fail' ? 500 : 200, {});
    });
    const clock = createManualClock();
    const budget = new RequestBudget('procore:lease-test', { windows: [], clock });
    const { client } = makeClient(server, { now: clock.now, budget, retry: { maxAttempts: 1 } });
    await client.request({ method: 'GET', url: '/ok' });
    await expect(client.request({ method: 'GET', url: '/fail' })).rejects.toMatchObject({ status: 500 });
    await expect(client.request({ method: 'POST', url: '/reset' })).rejects.toBeInstanceOf(HttpNetworkError);
    // Nothing in flight: the server's figure is taken as is, with no call counted after it.
    budget.observe({ windows: [{ name: 'nearest', limit: 25, remaining: 10, resetAt: clock.now() + 5000 }] });
    expect(budget.snapshot().windows).toEqual([
      expect.objectContaining({ name: 'nearest', remaining: 10, source: 'server' }),
    ]);
  });

  it("a 429's Retry-After holds every other call of the shared budget, not only the one retried", async () => {
    const server = await serve((request, response) =>
      request.index === 1
        ? sendJson(response, 429, {}, { 'retry-after': '3' })
        : sendJson(response, 200, { d: { results: [] } }),
    );
    const clock = createManualClock();
    const budget = new RequestBudget('exact:it-client:retry-after', {
      windows: [{ kind: 'sliding', name: 'minutely', limit: 60, windowMs: 60_000 }],
      clock,
    });
    // No retries: the first call gives up on its 429; the second is another caller of the budget.
    const { client } = makeClient(server, { now: clock.now, budget, retry: { maxAttempts: 1 } });
    const refusedAt = clock.now();
    await expect(client.request({ method: 'GET', url: '/first' })).rejects.toMatchObject({ status: 429 });
    await client.request({ method: 'GET', url: '/second' });
    expect(clock.sleeps).toEqual([3000]);
    expect(clock.now()).toBe(refusedAt + 3000);
    expect(server.requests.map((request) => request.url)).toEqual(['/first', '/second']);
  });

  it('a daily window the server reports as spent stops the next call with resumeAt, without sending it', async () => {
    const clock = createManualClock();
    const dailyReset = nextUtcMidnight(clock.now());
    const server = await serve((_request, response) =>
      sendJson(
        response,
        200,
        {},
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(dailyReset),
        },
      ),
    );
    const budget = new RequestBudget('exact:it-daily:1', {
      windows: [{ kind: 'fixed', name: 'daily', limit: 5000, nextResetAt: nextUtcMidnight }],
      clock,
    });
    const { client } = makeClient(server, { budget, now: clock.now, rateLimitParser: parseExactRateLimits });
    await client.request({ method: 'GET', url: '/api/v1/1/crm/Accounts' });
    await expect(client.request({ method: 'GET', url: '/api/v1/1/crm/Accounts' })).rejects.toMatchObject({
      name: 'BudgetExhaustedError',
      window: 'daily',
      resumeAt: dailyReset,
    });
    expect(server.requests).toHaveLength(1);
    expect(budget.snapshot()).toMatchObject({
      nextAllowedAt: dailyReset,
      windows: [{ name: 'daily', used: 5000, remaining: 0 }],
    });
  });

  it('stops before the request that could hit the error limit, without sending it', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 400, { error: { message: { value: 'bad filter' } } }),
    );
    const clock = createManualClock();
    const budget = new RequestBudget('exact:it-errors:1', {
      windows: [{ kind: 'sliding', name: 'minutely', limit: 60, windowMs: 60_000 }],
      errorBudget: { limit: 3, windowMs: 3_600_000 },
      clock,
    });
    const { client } = makeClient(server, { budget, now: clock.now });
    await expect(client.request({ method: 'GET', url: '/e' })).rejects.toMatchObject({ status: 400 });
    await expect(client.request({ method: 'GET', url: '/e' })).rejects.toMatchObject({ status: 400 });
    await expect(client.request({ method: 'GET', url: '/e' })).rejects.toBeInstanceOf(
      ErrorBudgetExceededError,
    );
    expect(server.requests).toHaveLength(2);
  });
});

describe('redaction', () => {
  it('a planted canary secret never reaches the log sink or error messages (headers, URL, body, echo)', async () => {
    const canary = 'canary-secret-7d1e9a55b0';
    registerSecret(canary);
    const server = await serve((request, response) =>
      sendJson(response, 500, {
        echoed: request.body,
        auth: request.headers.authorization,
        note: `token ${canary} rejected`,
      }),
    );
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line), level: 'debug' });
    const { client } = makeClient(server, { logger, retry: { maxAttempts: 1 } });
    const error = await client
      .request({
        method: 'POST',
        url: `/oauth2/token?access_token=${canary}`,
        headers: { Authorization: `Bearer ${canary}`, Cookie: `session=${canary}` },
        body: { form: { grant_type: 'refresh_token', refresh_token: canary, client_secret: canary } },
      })
      .catch((caught: unknown) => caught);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${canary}`); // it really was sent
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toContain('HTTP 500');
    expect((error as Error).message).not.toContain(canary);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain('/oauth2/token?access_token=[REDACTED]');
    expect(lines.join('\n')).not.toContain(canary);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      api: 'test-api',
      method: 'POST',
      status: 500,
      attempt: 1,
      level: 'warn',
    });
  });

  it('a canary in a malformed body and in the URL never reaches a ResponseParseError message', async () => {
    const canary = 'canary-parse-4b8c1f22e9';
    registerSecret(canary);
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"access_token": "${canary}", "note": "${canary}`); // truncated JSON
    });
    const { client } = makeClient(server);
    const response = await client.request({ method: 'GET', url: `/token?client_secret=${canary}` });
    let message = '';
    try {
      response.json();
    } catch (caught) {
      message = (caught as Error).message;
    }
    expect(message).toContain('/token (HTTP 200) is not readable JSON');
    // The query is left out altogether (the URL's path names the call).
    expect(message).not.toContain('client_secret');
    expect(message).not.toContain(canary);
  });
});
