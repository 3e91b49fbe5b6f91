/**
 * HttpClient: one undici Agent (keep-alive pool per origin) per client, with timeouts per
 * phase, a host allow-list checked before any I/O, a response-size cap, retry (retry.ts),
 * optional shared budget (budget.ts), per-API counters (counters.ts) and a redacted log line
 * per attempt (log.ts).
 *
 * Outcome contract: `request()` resolves with the response for 2xx only. Any other status
 * ends as `HttpStatusError` (the response stays readable on the error) after whatever retries
 * apply; 401 is `UnauthorizedError` and is never retried here (the auth layer owns it).
 *
 * Retry rules: 429/502/503/504, timeouts and transient network errors are retried only when
 * the request is idempotent (GET/HEAD/OPTIONS) or the caller marks it `retrySafe` (it carries
 * an idempotency key the target honours). PUT/DELETE are not assumed idempotent: Acumatica's
 * PUT inserts when no key matches. Failures before the request left this machine (refused
 * connection, connect timeout) are retried for every method: the server saw nothing.
 */
import { Agent, errors as undiciErrors } from 'undici';
import type { BudgetLease, RequestBudget } from './budget';
import type { RequestCounters } from './counters';
import { requestCounters } from './counters';
import {
  HostNotAllowedError,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  ResponseParseError,
  ResponseTooLargeError,
  UnauthorizedError,
} from './errors';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { RateLimitParser, ResponseHeaders } from './rate-limits';
import { serverSuggestedDelayMs } from './rate-limits';
import type { Outcome, RetryDecision, RetryPolicy } from './retry';
import { resolveRetryPolicy, retry } from './retry';

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryScalar = string | number | boolean;
/** null/undefined values are omitted (optional parameters); arrays repeat the key. */
export type QueryValue = QueryScalar | null | undefined | readonly QueryScalar[];
export type QueryParams = Readonly<Record<string, QueryValue>>;

export type RequestBody =
  | { json: unknown }
  | { form: Readonly<Record<string, string>> }
  | { raw: string | Uint8Array; contentType: string };

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute, or relative to the client's baseUrl. */
  url: string;
  query?: QueryParams;
  headers?: Readonly<Record<string, string>>;
  body?: RequestBody;
  /** The caller guarantees a repeat cannot duplicate a write (idempotency key, controlid…). */
  retrySafe?: boolean;
  /** Error-budget bucket; defaults to the URL path. */
  endpoint?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: ResponseHeaders;
  text: string;
  url: string;
  /** Parses `text`; throws ResponseParseError quoting at most ~200 chars of a bad body. */
  json<T = unknown>(): T;
}

export interface HttpTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

export interface HttpClientOptions {
  /** Counter and log name, e.g. "exact-online". */
  api: string;
  /** Hostnames this client may call; anything else is refused before any I/O. */
  allowedHosts: readonly string[];
  baseUrl?: string;
  timeouts?: Partial<HttpTimeouts>;
  maxResponseBytes?: number;
  defaultHeaders?: Readonly<Record<string, string>>;
  retry?: Partial<RetryPolicy>;
  rateLimitParser?: RateLimitParser;
  budget?: RequestBudget;
  logger?: Logger;
  counters?: RequestCounters;
  /** Wall clock for Retry-After dates (durations use the monotonic clock). */
  now?: () => number;
}

/** undici enforces the headers/body timeouts with about 1 s resolution (its "fast timers"). */
export const defaultTimeouts: HttpTimeouts = { connectMs: 10_000, headersMs: 60_000, bodyMs: 60_000 };
export const defaultMaxResponseBytes = 32 * 1024 * 1024;

const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'OPTIONS']);
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Statuses whose Retry-After asks every caller of the API to wait (rate limit, overload). */
const SERVER_WAIT_STATUSES = new Set([429, 503]);
/** Network failures worth another try; ENOTFOUND or TLS errors will not heal by retrying. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);
/** The request cannot have reached the server. */
const PRE_SEND_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class HttpClient {
  readonly api: string;
  readonly #options: HttpClientOptions;
  readonly #agent: Agent;
  readonly #timeouts: HttpTimeouts;
  readonly #maxResponseBytes: number;
  readonly #retryPolicy: RetryPolicy;
  readonly #allowedHosts: ReadonlySet<string>;
  readonly #logger: Logger;
  readonly #counters: RequestCounters;
  readonly #now: () => number;

  constructor(options: HttpClientOptions) {
    this.api = options.api;
    this.#options = options;
    this.#timeouts = { ...defaultTimeouts, ...options.timeouts };
    this.#maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
    this.#retryPolicy = resolveRetryPolicy(options.retry);
    this.#allowedHosts = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
    this.#logger = (options.logger ?? silentLogger).child({ api: options.api });
    this.#counters = options.counters ?? requestCounters;
    this.#now = options.now ?? Date.now;
    this.#agent = new Agent({
      connect: { timeout: this.#timeouts.connectMs },
      headersTimeout: this.#timeouts.headersMs,
      bodyTimeout: this.#timeouts.bodyMs,
      keepAliveTimeout: 10_000,
    });
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = this.#resolveUrl(request);
    const endpoint = request.endpoint ?? url.pathname;
    const retryable = IDEMPOTENT_METHODS.has(request.method) || request.retrySafe === true;
    const { payload, contentType } = encodeBody(request.body);
    const headers: Record<string, string> = lowerCaseKeys({
      ...this.#options.defaultHeaders,
      ...request.headers,
    });
    if (contentType !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = contentType;

    return retry(
      (attempt) => this.#attempt(request.method, url, headers, payload, endpoint, attempt),
      (outcome) => decideRetry(outcome, retryable),
      this.#retryPolicy,
      (event) => this.#logger.info('http retry', { method: request.method, url: url.href, ...event }),
    );
  }

  /** Closes pooled connections; the client cannot be used afterwards. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #resolveUrl(request: HttpRequest): URL {
    let url: URL;
    try {
      url = new URL(request.url, this.#options.baseUrl);
    } catch (error) {
      throw new TypeError(
        `Invalid request URL ${JSON.stringify(request.url)} (base ${this.#options.baseUrl ?? 'none'})`,
        {
          cause: error,
        },
      );
    }
    const host = url.hostname.toLowerCase();
    const allowed = [...this.#allowedHosts];
    if (!this.#allowedHosts.has(host)) throw new HostNotAllowedError(host, allowed);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(host))) {
      throw new HostNotAllowedError(
        host,
        allowed,
        `needs https (got ${url.protocol}); plain http is for loopback only`,
      );
    }
    if (request.query) appendQuery(url, request.query);
    return url;
  }

  async #attempt(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    payload: string | Uint8Array | undefined,
    endpoint: string,
    attempt: number,
  ): Promise<HttpResponse> {
    const budget = this.#options.budget;
    const lease = await budget?.acquireLease(endpoint);
    const startedAt = performance.now();
    let status: number | null = null;
    try {
      const response = await this.#agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: payload ?? null,
      });
      status = response.statusCode;
      const responseHeaders = normaliseHeaders(response.headers);
      const text = await this.#readBody(url, response.body, responseHeaders);
      const result = makeResponse(status, responseHeaders, text, url.href);
      this.#finish(method, url, attempt, startedAt, status);
      return this.#checkStatus(method, url, result, attempt, endpoint, lease);
    } catch (error) {
      if (error instanceof HttpStatusError) throw error;
      const kitError = toKitError(error, url.host, this.#timeouts);
      this.#finish(method, url, attempt, startedAt, status, kitError);
      throw kitError;
    } finally {
      lease?.release();
    }
  }

  #checkStatus(
    method: HttpMethod,
    url: URL,
    response: HttpResponse,
    attempt: number,
    endpoint: string,
    lease: BudgetLease | undefined,
  ): HttpResponse {
    const budget = this.#options.budget;
    const parser = this.#options.rateLimitParser;
    if (budget && parser) budget.observe(parser(response.headers), lease);
    budget?.recordResponse(endpoint, response.status);
    if (response.status >= 200 && response.status < 300) return response;
    const retryAfterMs = serverSuggestedDelayMs(response.headers, parser, this.#now());
    // The server's wait applies to the whole key: the other calls in flight must not start anew.
    if (retryAfterMs !== null && SERVER_WAIT_STATUSES.has(response.status)) budget?.pauseFor(retryAfterMs);
    const ErrorClass = response.status === 401 ? UnauthorizedError : HttpStatusError;
    throw new ErrorClass(method, url.href, response, attempt, retryAfterMs);
  }

  #finish(
    method: HttpMethod,
    url: URL,
    attempt: number,
    startedAt: number,
    status: number | null,
    error?: Error,
  ): void {
    const ms = Math.round(performance.now() - startedAt);
    this.#counters.record(this.api, error ? null : status, ms);
    const fields = { method, url: url.href, status, ms, attempt };
    if (error) this.#logger.warn('http error', { ...fields, error: error.message });
    else if (status !== null && status >= 400) this.#logger.warn('http', fields);
    else this.#logger.info('http', fields);
  }

  async #readBody(
    url: URL,
    body: AsyncIterable<Uint8Array> & { destroy(): void },
    headers: ResponseHeaders,
  ): Promise<string> {
    const declaredLength = Number(headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > this.#maxResponseBytes) {
      body.destroy();
      throw new ResponseTooLargeError(url.host, this.#maxResponseBytes);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > this.#maxResponseBytes) {
        body.destroy();
        throw new ResponseTooLargeError(url.host, this.#maxResponseBytes);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function decideRetry(outcome: Outcome<HttpResponse>, retryable: boolean): RetryDecision {
  if (outcome.ok) return { retry: false };
  const error = outcome.error;
  if (error instanceof UnauthorizedError) return { retry: false };
  if (error instanceof HttpStatusError) {
    return retryable && RETRYABLE_STATUSES.has(error.status)
      ? { retry: true, serverDelayMs: error.retryAfterMs, reason: `HTTP ${error.status}` }
      : { retry: false };
  }
  if (error instanceof HttpTimeoutError) {
    return retryable || error.phase === 'connect'
      ? { retry: true, reason: `${error.phase} timeout` }
      : { retry: false };
  }
  if (error instanceof HttpNetworkError && TRANSIENT_NETWORK_CODES.has(error.errorCode)) {
    return retryable || error.beforeRequestSent ? { retry: true, reason: error.errorCode } : { retry: false };
  }
  return { retry: false };
}

/** Map undici / Node socket errors to kit errors naming the host and phase. */
export function toKitError(error: unknown, host: string, timeouts: HttpTimeouts): Error {
  if (error instanceof HostNotAllowedError || error instanceof ResponseTooLargeError) return error;
  if (error instanceof undiciErrors.ConnectTimeoutError)
    return new HttpTimeoutError(host, 'connect', timeouts.connectMs, { cause: error });
  if (error instanceof undiciErrors.HeadersTimeoutError)
    return new HttpTimeoutError(host, 'headers', timeouts.headersMs, { cause: error });
  if (error instanceof undiciErrors.BodyTimeoutError)
    return new HttpTimeoutError(host, 'body', timeouts.bodyMs, { cause: error });
  const code = errorCodeOf(error);
  // Other UND_ERR_* codes are misuse (invalid argument, destroyed client), not the network.
  if (code !== undefined && (!code.startsWith('UND_ERR_') || code === 'UND_ERR_SOCKET')) {
    const message = error instanceof Error ? error.message : String(error);
    return new HttpNetworkError(host, code, PRE_SEND_NETWORK_CODES.has(code), message, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return undefined;
}

/**
 * Append query parameters with RFC 3986 percent-encoding (spaces as %20, not "+", which OData
 * servers may read literally). `$`, `[`, `]` and `,` stay readable in names for OData/Procore.
 */
export function appendQuery(url: URL, query: QueryParams): void {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    const encodedName = encodeURIComponent(name)
      .replace(/%24/g, '$')
      .replace(/%5B/gi, '[')
      .replace(/%5D/gi, ']');
    const values: readonly QueryScalar[] = Array.isArray(value) ? value : [value as QueryScalar];
    for (const item of values) parts.push(`${encodedName}=${encodeURIComponent(String(item))}`);
  }
  if (parts.length === 0) return;
  const existing = url.search.length > 1 ? `${url.search.slice(1)}&` : '';
  url.search = `?${existing}${parts.join('&')}`;
}

function encodeBody(body: RequestBody | undefined): { payload?: string | Uint8Array; contentType?: string } {
  if (body === undefined) return {};
  if ('json' in body) return { payload: JSON.stringify(body.json), contentType: 'application/json' };
  if ('form' in body)
    return {
      payload: new URLSearchParams(body.form).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  return { payload: body.raw, contentType: body.contentType };
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function normaliseHeaders(headers: Record<string, string | string[] | undefined>): ResponseHeaders {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function makeResponse(status: number, headers: ResponseHeaders, text: string, url: string): HttpResponse {
  return {
    status,
    headers,
    text,
    url,
    json<T>(): T {
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new ResponseParseError(status, url, 'JSON', text, { cause: error });
      }
    },
  };
}
