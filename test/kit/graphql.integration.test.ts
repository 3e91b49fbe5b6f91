/** graphqlRequest against a real local server speaking monday.com's error shapes. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  GraphQLRequestError,
  HttpClient,
  RequestCounters,
  createManualClock,
  graphqlRequest,
  isReadOnlyDocument,
} from '../../src-main/connectors/_kit';
import type { Handler, LocalServer } from './local-server';
import { sendJson, startLocalServer } from './local-server';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((resource) => resource.close()));
});

async function setup(
  handler: Handler,
): Promise<{ server: LocalServer; client: HttpClient; clock: ReturnType<typeof createManualClock> }> {
  const server = await startLocalServer(handler);
  const clock = createManualClock();
  const client = new HttpClient({
    api: 'monday-test',
    allowedHosts: ['127.0.0.1'],
    counters: new RequestCounters(),
    now: clock.now,
    retry: { maxAttempts: 1 }, // transport retries are HttpClient's business; tested elsewhere
  });
  open.push(server, client);
  return { server, client, clock };
}

const retryPolicy = (clock: ReturnType<typeof createManualClock>) => ({
  retry: {
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxTotalDelayMs: 60_000,
    random: () => 0.5,
    sleep: clock.sleep,
  },
  now: clock.now,
});

const ITEMS_QUERY =
  'query ($board: [ID!]) { boards(ids: $board) { items_page(limit: 2) { cursor items { id name } } } }';
const CREATE_MUTATION =
  'mutation ($board: ID!) { a1: create_item(board_id: $board, item_name: "PO-1") { id } a2: create_item(board_id: $board, item_name: "PO-2") { id } }';

describe('graphqlRequest', () => {
  it('POSTs {query, variables} with the given headers and returns data', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(response, 200, { data: { boards: [{ id: '1' }] }, account_id: 9 }),
    );
    const data = await graphqlRequest<{ boards: Array<{ id: string }> }>(
      client,
      {
        url: `${server.origin}/v2`,
        query: ITEMS_QUERY,
        variables: { board: ['1'] },
        headers: { Authorization: 'tok', 'API-Version': '2026-10' },
      },
      retryPolicy(clock),
    );
    expect(data).toEqual({ boards: [{ id: '1' }] });
    const sent = server.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.headers['api-version']).toBe('2026-10');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ query: ITEMS_QUERY, variables: { board: ['1'] } });
  });

  it('a query hitting COMPLEXITY_BUDGET_EXHAUSTED inside HTTP 200 waits retry_in_seconds and retries', async () => {
    const { server, client, clock } = await setup((request, response) =>
      request.index === 1
        ? sendJson(response, 200, {
            errors: [
              {
                message: 'Complexity budget exhausted',
                extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 12 },
              },
            ],
            account_id: 9,
          })
        : sendJson(response, 200, { data: { boards: [] } }),
    );
    await expect(
      graphqlRequest(client, { url: `${server.origin}/v2`, query: ITEMS_QUERY }, retryPolicy(clock)),
    ).resolves.toEqual({ boards: [] });
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('a mutation is not retried on a rate-limit error: typed error with code and retryAfter', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(response, 200, {
        errors: [
          {
            message: 'Complexity budget exhausted',
            extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 12 },
          },
        ],
      }),
    );
    const error = await graphqlRequest(
      client,
      { url: `${server.origin}/v2`, query: CREATE_MUTATION, variables: { board: '1' } },
      retryPolicy(clock),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({
      code: 'COMPLEXITY_BUDGET_EXHAUSTED',
      retryAfterMs: 12_000,
      httpStatus: 200,
    });
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('partial data plus errors is surfaced on the error, not swallowed', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(response, 200, {
        data: { a1: { id: '1001' }, a2: null },
        errors: [
          { message: 'Item name too long', path: ['a2'], extensions: { code: 'ItemNameTooLongException' } },
        ],
      }),
    );
    const error = (await graphqlRequest(
      client,
      { url: `${server.origin}/v2`, query: CREATE_MUTATION },
      retryPolicy(clock),
    ).catch((caught: unknown) => caught)) as GraphQLRequestError;
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error.data).toEqual({ a1: { id: '1001' }, a2: null });
    expect(error.errors).toEqual([
      { message: 'Item name too long', path: ['a2'], extensions: { code: 'ItemNameTooLongException' } },
    ]);
    expect(error.message).toContain('ItemNameTooLongException: Item name too long');
  });

  it('understands the legacy top-level ComplexityException shape ("reset in N seconds")', async () => {
    const { server, client, clock } = await setup((request, response) =>
      request.index === 1
        ? sendJson(response, 200, {
            error_code: 'ComplexityException',
            status_code: 429,
            error_message:
              'Complexity budget exhausted, query cost 30001 budget remaining 2 out of 1000000 reset in 15 seconds',
            error_data: {},
            errors: [
              'Complexity budget exhausted, query cost 30001 budget remaining 2 out of 1000000 reset in 15 seconds',
            ],
          })
        : sendJson(response, 200, { data: { ok: true } }),
    );
    await expect(
      graphqlRequest(client, { url: `${server.origin}/v2`, query: ITEMS_QUERY }, retryPolicy(clock)),
    ).resolves.toEqual({ ok: true });
    expect(clock.sleeps).toEqual([15_000]);
  });

  it('keeps the GraphQL code of an HTTP 429 body and the Retry-After header', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(
        response,
        429,
        { errors: [{ message: 'Max concurrency exceeded', extensions: { code: 'maxConcurrencyExceeded' } }] },
        { 'retry-after': '4' },
      ),
    );
    const error = await graphqlRequest(
      client,
      { url: `${server.origin}/v2`, query: CREATE_MUTATION },
      retryPolicy(clock),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'GraphQLRequestError',
      httpStatus: 429,
      code: 'maxConcurrencyExceeded',
      retryAfterMs: 4000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('leaves HTTP-status rate limits to HttpClient (no second retry loop on top of it)', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(response, 429, {
        errors: [
          {
            message: 'Rate Limit Exceeded',
            extensions: { code: 'RATE_LIMIT_EXCEEDED', retry_in_seconds: 3 },
          },
        ],
      }),
    );
    const error = await graphqlRequest(
      client,
      { url: `${server.origin}/v2`, query: ITEMS_QUERY },
      retryPolicy(clock),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ httpStatus: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfterMs: 3000 });
    expect(server.requests).toHaveLength(1); // the client in this suite makes a single transport attempt
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry non-rate-limit errors such as DAILY_LIMIT_EXCEEDED', async () => {
    const { server, client, clock } = await setup((_request, response) =>
      sendJson(response, 200, {
        errors: [{ message: 'Daily limit exceeded', extensions: { code: 'DAILY_LIMIT_EXCEEDED' } }],
      }),
    );
    await expect(
      graphqlRequest(client, { url: `${server.origin}/v2`, query: ITEMS_QUERY }, retryPolicy(clock)),
    ).rejects.toMatchObject({
      code: 'DAILY_LIMIT_EXCEEDED',
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('isReadOnlyDocument', () => {
  it('is true only for documents without mutations or subscriptions, false when unparseable', () => {
    expect(isReadOnlyDocument(ITEMS_QUERY)).toBe(true);
    expect(isReadOnlyDocument('{ me { id } }')).toBe(true);
    expect(isReadOnlyDocument(CREATE_MUTATION)).toBe(false);
    expect(isReadOnlyDocument('query { a } mutation { b }')).toBe(false);
    expect(isReadOnlyDocument('query {')).toBe(false);
  });
});
