/**
 * GraphQL over HTTP (monday.com). Application errors arrive inside HTTP 200 as `errors[]`
 * (with `extensions.code`, and `retry_in_seconds` on rate limits) or, on older API versions,
 * as a top-level `error_code`. Both become a typed `GraphQLRequestError`; partial `data` rides
 * on the error, so a caller of an aliased multi-create learns which items were created.
 *
 * Rate-limit errors are retried (after the server's `retry_in_seconds`) only for documents
 * that contain no mutation, or when the caller marks the request `retrySafe`.
 */
import { Kind, parse } from 'graphql';
import { HttpStatusError, KitError } from './errors';
import type { HttpClient, HttpResponse } from './http';
import { parseRetryAfter } from './rate-limits';
import type { RetryPolicy } from './retry';
import { resolveRetryPolicy, retry } from './retry';

export interface GraphQLErrorItem {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export interface GraphQLRequest {
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Readonly<Record<string, string>>;
  /** A repeat cannot duplicate anything (e.g. an Idempotency-Key header is sent). */
  retrySafe?: boolean;
}

export interface GraphQLOptions {
  retry?: Partial<RetryPolicy>;
  /** Codes that mean "slow down and try again"; see shared/api monday §4.6–4.7. */
  rateLimitCodes?: ReadonlySet<string>;
  now?: () => number;
}

export const defaultRateLimitCodes: ReadonlySet<string> = new Set([
  'COMPLEXITY_BUDGET_EXHAUSTED',
  'ComplexityException',
  'complexityBudgetExhausted',
  'RATE_LIMIT_EXCEEDED',
  'rateLimitExceeded',
  'maxConcurrencyExceeded',
  'IP_RATE_LIMIT_EXCEEDED',
  'FIELD_LIMIT_EXCEEDED',
]);

export class GraphQLRequestError extends KitError {
  constructor(
    readonly url: string,
    readonly httpStatus: number,
    /** `extensions.code` of the first error (or the legacy top-level `error_code`). */
    readonly code: string | null,
    readonly retryAfterMs: number | null,
    readonly errors: readonly GraphQLErrorItem[],
    /** Whatever `data` the server returned alongside the errors (partial success), or null. */
    readonly data: unknown,
  ) {
    const summary = errors.map((error) => `${codeOf(error) ?? 'error'}: ${error.message}`).join('; ');
    super(`GraphQL request to ${url} failed (HTTP ${httpStatus}): ${summary.slice(0, 500)}`);
  }
}

/** POST the document; resolve with `data` when there are no errors, else throw GraphQLRequestError. */
export async function graphqlRequest<TData>(
  client: HttpClient,
  request: GraphQLRequest,
  options: GraphQLOptions = {},
): Promise<TData> {
  const rateLimitCodes = options.rateLimitCodes ?? defaultRateLimitCodes;
  const now = options.now ?? Date.now;
  const retrySafe = request.retrySafe === true || isReadOnlyDocument(request.query);
  return retry(
    () => sendOnce<TData>(client, request, retrySafe, now),
    (outcome) => {
      if (outcome.ok || !retrySafe) return { retry: false };
      const error = outcome.error;
      // Non-200 rate limits were already retried by HttpClient; retrying them here would multiply attempts.
      if (!(error instanceof GraphQLRequestError) || error.httpStatus !== 200) return { retry: false };
      if (error.code === null || !rateLimitCodes.has(error.code)) return { retry: false };
      return { retry: true, serverDelayMs: error.retryAfterMs, reason: error.code };
    },
    resolveRetryPolicy(options.retry),
  );
}

async function sendOnce<TData>(
  client: HttpClient,
  request: GraphQLRequest,
  retrySafe: boolean,
  now: () => number,
): Promise<TData> {
  let response: HttpResponse;
  try {
    response = await client.request({
      method: 'POST',
      url: request.url,
      headers: { accept: 'application/json', ...request.headers },
      body: {
        json: {
          query: request.query,
          variables: request.variables ?? {},
          operationName: request.operationName,
        },
      },
      retrySafe,
    });
  } catch (error) {
    // 4xx/5xx with a GraphQL error body (e.g. monday's 429 maxConcurrencyExceeded): keep its code.
    const errorBody = error instanceof HttpStatusError ? parseJsonOrNull(error.response.text) : null;
    if (error instanceof HttpStatusError && errorBody !== null) {
      throw toGraphQLError(request.url, error.response, errorBody, now) ?? error;
    }
    throw error;
  }
  const body = response.json();
  const failure = toGraphQLError(request.url, response, body, now);
  if (failure) throw failure;
  return (body as { data: TData }).data;
}

function toGraphQLError(
  url: string,
  response: HttpResponse,
  body: unknown,
  now: () => number,
): GraphQLRequestError | null {
  if (typeof body !== 'object' || body === null) {
    return new GraphQLRequestError(
      url,
      response.status,
      null,
      null,
      [{ message: 'response is not a JSON object' }],
      null,
    );
  }
  const record = body as Record<string, unknown>;
  const errors = normaliseErrors(record);
  if (errors.length === 0) return null;
  const first = errors[0] as GraphQLErrorItem;
  const legacyCode = typeof record['error_code'] === 'string' ? record['error_code'] : null;
  const code = codeOf(first) ?? legacyCode;
  const retryAfterMs =
    retryInSeconds(first.extensions) ??
    retryInSeconds(record) ??
    resetInSecondsFromMessage(
      typeof record['error_message'] === 'string' ? record['error_message'] : first.message,
    ) ??
    parseRetryAfter(response.headers['retry-after'], now());
  return new GraphQLRequestError(url, response.status, code, retryAfterMs, errors, record['data'] ?? null);
}

function normaliseErrors(body: Record<string, unknown>): GraphQLErrorItem[] {
  const raw = body['errors'];
  const items: GraphQLErrorItem[] = Array.isArray(raw)
    ? raw.map((item) => (typeof item === 'string' ? { message: item } : (item as GraphQLErrorItem)))
    : [];
  if (items.length === 0 && typeof body['error_code'] === 'string') {
    const message = typeof body['error_message'] === 'string' ? body['error_message'] : body['error_code'];
    items.push({ message });
  }
  return items;
}

function codeOf(error: GraphQLErrorItem): string | null {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : null;
}

/** `retry_in_seconds` directly or under `error_data` (FIELD_LIMIT_EXCEEDED, legacy shapes). */
function retryInSeconds(source: Record<string, unknown> | undefined): number | null {
  if (!source) return null;
  const direct = source['retry_in_seconds'];
  if (typeof direct === 'number' && direct >= 0) return direct * 1000;
  const nested = source['error_data'];
  if (typeof nested === 'object' && nested !== null) return retryInSeconds(nested as Record<string, unknown>);
  return null;
}

/** Legacy "Complexity budget exhausted, query cost 30001 budget remaining 2 out of 1000000 reset in 15 seconds". */
function resetInSecondsFromMessage(message: string): number | null {
  const seconds = /reset in (\d+) seconds?/i.exec(message)?.[1];
  return seconds === undefined ? null : Number(seconds) * 1000;
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** True when the document parses and holds no mutation or subscription. */
export function isReadOnlyDocument(query: string): boolean {
  try {
    return parse(query).definitions.every(
      (definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === 'query',
    );
  } catch {
    return false; // unparseable: let the server report it, and never retry it
  }
}
