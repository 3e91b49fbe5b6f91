/**
 * The only file that knows Coupa's URLs, headers and query shapes (fact sheet §3, brief's R39
 * Swagger facts). OAuth2 client credentials; every API call sends `Accept: application/json`
 * (XML is Coupa's default, and a JSON body without that Accept is refused); lists are paged with
 * `limit` ≤ 50 and `offset`; one request budget per instance paces every call at 25/s.
 */
import type { TokenSet } from '../../../src-shared/domain/auth';
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import type { AccessTokenProvider, ConnectorContext } from '../connector';
import type { HttpRequest, HttpResponse, KitClock, QueryParams, RequestBudget, RetryPolicy } from '../_kit';
import {
  BudgetExhaustedError,
  HostNotAllowedError,
  HttpClient,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  ResponseParseError,
  UnauthorizedError,
  getBudget,
  paginateByOffset,
  recordIdOf,
  registerSecret,
  resolveRetryPolicy,
  systemClock,
} from '../_kit';
import { CoupaResponseShapeError, InvalidInputError, coupaMessages } from './mappers';
import type { CoupaSettings } from './types';
import { DEFAULT_COUPA_SCOPES } from './types';
import type { WireOAuthError, WireTokenResponse } from './wire';

const API = 'coupa';
/** §3.3: at most 50 records per GET. */
export const PAGE_LIMIT = 50;
/** Values per `attribute[in]=a,b,…` lookup: one page of answers for unique keys. */
export const VALUES_PER_LOOKUP = 50;
export const DEFAULT_REQUESTS_PER_SECOND = 25;
export const DEFAULT_TOKEN_PATH = '/oauth2/token';
/** The R39 Swagger's securityDefinitions name this one; tried when the default answers 404. */
export const ALTERNATE_TOKEN_PATH = '/oauth2/access_tokens';
const DEFAULT_ACTIVATION_DELAY_MS = 5_000;

export type CoupaResource =
  | 'purchase_orders'
  | 'purchase_order_lines'
  | 'invoices'
  | 'suppliers'
  | 'addresses'
  | 'account_types'
  | 'accounts'
  | 'users';

/** A connection setting is missing or malformed: nothing was sent. */
export class CoupaConfigError extends Error {
  override readonly name = 'CoupaConfigError';
}

/** Coupa refused the call for want of a scope (HTTP 403): every call of that kind will fail alike. */
export class CoupaAccessError extends Error {
  override readonly name = 'CoupaAccessError';
  constructor(
    message: string,
    /** The scope Coupa named, when it did. */
    readonly scope: string | null,
  ) {
    super(message);
  }
}

export type CoupaClientContext = ConnectorContext & { tokens: AccessTokenProvider };

export class CoupaClient {
  /** The instance host, e.g. acme.coupahost.com (names the connection in messages). */
  readonly instance: string;
  /** The instance's request budget (`coupa:<host>`), shared by every flow using it. */
  readonly budget: RequestBudget;
  readonly clock: KitClock;
  readonly retryPolicy: RetryPolicy;
  readonly scopes: readonly string[];
  readonly #http: HttpClient;
  readonly #tokens: AccessTokenProvider;
  readonly #clientId: string;
  readonly #now: () => number;
  readonly #activationDelayMs: number;
  /** Explicit setting, or the path that answered last time. */
  #tokenPath: string;
  readonly #tokenPathFixed: boolean;

  constructor(ctx: CoupaClientContext, settings: CoupaSettings) {
    let base: URL;
    try {
      base = new URL(settings.instanceUrl);
    } catch {
      throw new CoupaConfigError(
        `The Coupa instance URL "${settings.instanceUrl}" is not a URL; enter it as https://<instance>.coupahost.com.`,
      );
    }
    if (settings.clientId.trim() === '')
      throw new CoupaConfigError('The Coupa OAuth client id is missing; copy it from Setup › Integrations › OAuth2/OpenID Connect Clients.');
    const perSecond = settings.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
    if (!(Number.isInteger(perSecond) && perSecond >= 1))
      throw new CoupaConfigError(`The Coupa request rate must be a whole number of requests per second, got ${String(perSecond)}.`);
    this.instance = base.host;
    this.#clientId = settings.clientId.trim();
    this.#tokens = ctx.tokens;
    this.scopes = settings.scopes ?? DEFAULT_COUPA_SCOPES;
    this.#tokenPath = settings.tokenPath ?? DEFAULT_TOKEN_PATH;
    this.#tokenPathFixed = settings.tokenPath !== undefined;
    this.#activationDelayMs = settings.tokenActivationDelayMs ?? DEFAULT_ACTIVATION_DELAY_MS;
    const clock = settings.clock ?? systemClock;
    this.clock = clock;
    this.#now = ctx.now ?? (() => clock.now());
    this.retryPolicy = resolveRetryPolicy({ sleep: clock.sleep, ...settings.retry });
    // Brief: 25 requests/s per instance (20 more queued, then 429). One budget per instance
    // (host and port), shared by every flow: the token call counts against it too. The fifth-
    // of-a-second window spreads the 25 over the second: Coupa counts calls when they arrive,
    // later than we count them by a varying delay, and a burst of 25 sent the moment the
    // previous second frees up could meet most of the previous 25 still in Coupa's window and
    // overflow its queue of 20. Spread in fives, a delay of up to 0.8 s only queues calls.
    this.budget = getBudget(`coupa:${base.host}`, {
      windows: [
        { kind: 'sliding', name: 'second', limit: perSecond, windowMs: 1000 },
        { kind: 'sliding', name: 'fifth-second', limit: Math.ceil(perSecond / 5), windowMs: 200 },
      ],
      clock,
    });
    this.#http = new HttpClient({
      api: API,
      allowedHosts: ctx.allowedHosts,
      baseUrl: base.origin,
      logger: ctx.logger,
      now: this.#now,
      retry: this.retryPolicy,
      budget: this.budget,
      // §3.1: XML is the default; JSON needs Accept (and the JSON Content-Type on writes).
      defaultHeaders: { accept: 'application/json' },
    });
  }

  // ---- token (§3.2) ---------------------------------------------------------------------------

  /** Client credentials with the connection's scopes; ~24 h JWT, no refresh token. */
  async requestToken(clientSecret: string): Promise<TokenSet> {
    registerSecret(clientSecret);
    let response: HttpResponse;
    try {
      response = await this.#tokenCall(this.#tokenPath, clientSecret);
    } catch (error) {
      if (!(error instanceof HttpStatusError && error.status === 404 && !this.#tokenPathFixed)) throw this.#tokenError(error);
      try {
        response = await this.#tokenCall(ALTERNATE_TOKEN_PATH, clientSecret);
        this.#tokenPath = ALTERNATE_TOKEN_PATH;
      } catch (second) {
        throw this.#tokenError(second);
      }
    }
    const body = response.json<WireTokenResponse>();
    const expiresIn = Number(body.expires_in);
    if (!body.access_token || !Number.isFinite(expiresIn) || expiresIn <= 0)
      throw new CoupaResponseShapeError('Coupa token response has no access_token or expires_in');
    registerSecret(body.access_token);
    return {
      accessToken: body.access_token,
      accessTokenExpiresAt: this.#now() + expiresIn * 1000,
      refreshToken: null,
      refreshTokenIssuedAt: null,
    };
  }

  #tokenCall(path: string, clientSecret: string): Promise<HttpResponse> {
    return this.#http.request({
      method: 'POST',
      url: path,
      body: {
        form: {
          grant_type: 'client_credentials',
          client_id: this.#clientId,
          client_secret: clientSecret,
          scope: this.scopes.join(' '),
        },
      },
      // A second token request creates nothing a first one did not.
      retrySafe: true,
    });
  }

  #tokenError(error: unknown): unknown {
    if (!(error instanceof HttpStatusError) || (error.status !== 400 && error.status !== 401)) return error;
    const body = safeJson<WireOAuthError>(error.response.text);
    const said = body?.error_description ? `: ${body.error_description}` : '';
    if (body?.error === 'invalid_scope')
      return new NeedsReauthError(
        `Coupa ${this.instance} refused the scopes of this connection (${this.scopes.join(' ')})${said}. ` +
          'Grant them to the OAuth client in Coupa (Setup › Integrations › OAuth2/OpenID Connect Clients) or remove them from the connection.',
      );
    return new NeedsReauthError(
      `Coupa ${this.instance} refused the OAuth client id or secret (${body?.error ?? `HTTP ${error.status}`}${said}). ` +
        'Check the client credentials of the Coupa connection.',
    );
  }

  /** Scopes of the current token (its JWT `scope` claim); null when the token does not say. */
  async tokenScopes(): Promise<string[] | null> {
    const claims = jwtClaims(await this.#tokens.getAccessToken());
    return typeof claims?.['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : null;
  }

  // ---- reads (§3.3) -----------------------------------------------------------------------------

  /** One page: `limit` ≤ 50 from `offset`, in Coupa's default order (ascending id) unless `query` orders. */
  async page<T>(resource: CoupaResource, query: QueryParams, offset: number, limit = PAGE_LIMIT): Promise<T[]> {
    const response = await this.#call({
      method: 'GET',
      url: `/api/${resource}`,
      query: { ...query, limit, offset },
      endpoint: `/api/${resource}`,
    });
    const items = parseJson(response);
    if (!Array.isArray(items)) throw new CoupaResponseShapeError(`Coupa answered /api/${resource} with something other than a list`);
    return items as T[];
  }

  /** Every page of a query (stops at the first page shorter than 50: §3.3). */
  pages<T>(resource: CoupaResource, query: QueryParams): AsyncGenerator<T[]> {
    // Keyed by Coupa's id: a record sent twice is read once, an offset answered with the page
    // before it is asked again (sandbox faults `dupes`, `repeat`).
    return paginateByOffset<T>(PAGE_LIMIT, (offset, limit) => this.page<T>(resource, query, offset, limit), { keyOf: recordIdOf });
  }

  async listAll<T>(resource: CoupaResource, query: QueryParams = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages<T>(resource, query)) all.push(...page);
    return all;
  }

  /**
   * Records whose `attribute` is one of `values`: `attribute[in]=a,b,…` for up to 50 values per
   * query (§3.3 operators); a value with a comma or surrounding spaces cannot travel in an `in`
   * list and is asked for alone. Coupa's `in` may match more loosely (numbers compare as numbers),
   * so callers keep only exact matches.
   */
  async findByValues<T>(
    resource: CoupaResource,
    attribute: string,
    values: readonly string[],
    extra: QueryParams = {},
  ): Promise<T[]> {
    const unique = [...new Set(values)].filter((value) => value !== '');
    const listable = unique.filter((value) => !value.includes(',') && value.trim() === value);
    const alone = unique.filter((value) => !listable.includes(value));
    const queries: QueryParams[] = alone.map((value) => ({ [attribute]: value }));
    for (let start = 0; start < listable.length; start += VALUES_PER_LOOKUP) {
      const batch = listable.slice(start, start + VALUES_PER_LOOKUP);
      queries.push(batch.length === 1 ? { [attribute]: batch[0] } : { [`${attribute}[in]`]: batch.join(',') });
    }
    const found: T[] = [];
    for (const query of queries) found.push(...(await this.listAll<T>(resource, { ...extra, ...query })));
    return found;
  }

  async get<T>(resource: CoupaResource, id: string): Promise<T> {
    const response = await this.#call({ method: 'GET', url: `/api/${resource}/${id}`, endpoint: `/api/${resource}/:id` });
    return parseRecord<T>(response, resource);
  }

  // ---- writes (one record per request, §3.1) ---------------------------------------------------

  /** POST: not repeated by the kit; the caller resolves a lost answer by its natural-key lookup. */
  async create<T>(resource: CoupaResource, body: Record<string, unknown>): Promise<T> {
    const response = await this.#call({ method: 'POST', url: `/api/${resource}`, body: { json: body }, endpoint: `/api/${resource}` });
    return parseRecord<T>(response, resource);
  }

  /** PUT: every PO PUT makes a new version, so it is never repeated blindly; the caller reads first. */
  async update<T>(resource: CoupaResource, id: string, body: Record<string, unknown>): Promise<T> {
    const response = await this.#call({
      method: 'PUT',
      url: `/api/${resource}/${id}`,
      body: { json: body },
      endpoint: `/api/${resource}/:id`,
    });
    return parseRecord<T>(response, resource);
  }

  /** PUT /api/<resource>/:id/<action> (issue, cancel, submit…): strict about the status it starts from. */
  async action<T>(resource: CoupaResource, id: string, action: string): Promise<T> {
    const response = await this.#call({
      method: 'PUT',
      url: `/api/${resource}/${id}/${action}`,
      endpoint: `/api/${resource}/:id/${action}`,
    });
    return parseRecord<T>(response, resource);
  }

  /** §3.3: `PUT …/:id?exported=true` as its own request; setting it twice changes nothing. */
  async markExported<T>(resource: 'purchase_orders' | 'invoices', id: string): Promise<T> {
    const response = await this.#call({
      method: 'PUT',
      url: `/api/${resource}/${id}`,
      query: { exported: 'true' },
      endpoint: `/api/${resource}/:id?exported`,
      retrySafe: true,
    });
    return parseRecord<T>(response, resource);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  // ---- mechanics ------------------------------------------------------------------------------

  /**
   * One API call with the bearer token. A 401 on a token minted moments ago waits for it to
   * become active (Coupa: wait ~5 s after minting, §3.2) and repeats; otherwise, or if that
   * fails too, custody renews the token once and the call is repeated once (§3.8: 24 h tokens,
   * mid-run 401 → re-mint). A 403 (missing scope) becomes CoupaAccessError.
   */
  async #call(request: HttpRequest): Promise<HttpResponse> {
    let token = await this.#tokens.getAccessToken();
    registerSecret(token);
    let waited = false;
    let renewed = false;
    for (;;) {
      try {
        return await this.#http.request({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
      } catch (error) {
        if (error instanceof HttpStatusError && error.status === 403) throw this.#accessError(error, request);
        if (!(error instanceof UnauthorizedError)) throw error;
        const waitMs = activationWaitMs(token, this.#now(), this.#activationDelayMs);
        if (waitMs > 0 && !waited) {
          waited = true;
          await this.clock.sleep(waitMs);
          continue;
        }
        if (renewed) throw error;
        renewed = true;
        token = await this.#tokens.handleUnauthorized(token);
        registerSecret(token);
      }
    }
  }

  #accessError(error: HttpStatusError, request: HttpRequest): CoupaAccessError {
    const scope = /scope="([^"]+)"/.exec(error.response.headers['www-authenticate'] ?? '')?.[1] ?? null;
    const said = coupaMessages(error.response.text).join('; ') || `HTTP 403`;
    const needed = scope ? `the scope ${scope}` : 'a scope this call needs';
    return new CoupaAccessError(
      `Coupa ${this.instance} refused ${request.method} ${request.url.split('?')[0] ?? ''} (${said}): the OAuth client lacks ${needed}. ` +
        'Add it to the client in Coupa (Setup › Integrations › OAuth2/OpenID Connect Clients) and to the scopes of this connection.',
      scope,
    );
  }
}

function parseJson(response: HttpResponse): unknown {
  return response.json<unknown>();
}

/**
 * The record a write or a read by id answers with. Anything else under a 2xx — Coupa's own
 * `errors` object, a body without the record's id — leaves the write's outcome unknown (it may
 * have committed): a shape error, which callers treat as ambiguous and settle by a lookup, never
 * as Coupa refusing the record (that would park a document Coupa holds, and follow-up calls
 * would name the id "undefined").
 */
function parseRecord<T>(response: HttpResponse, resource: CoupaResource): T {
  const body = parseJson(response);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new CoupaResponseShapeError(`Coupa answered a ${resource} write or read without the record`);
  const id = (body as { id?: unknown }).id;
  if ((typeof id !== 'number' && typeof id !== 'string') || String(id).trim() === '') {
    const said = 'errors' in body ? coupaMessages(response.text).join('; ') : '';
    throw new CoupaResponseShapeError(
      said
        ? `Coupa answered a ${resource} write or read with HTTP ${response.status} but an error (${said}), not the record`
        : `Coupa answered a ${resource} write or read without the record's id`,
    );
  }
  return body as T;
}

function safeJson<T>(text: string): T | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}

/** The claims of a JWT (unverified: only to read `iat` and `scope`); null when it is not one. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * How long until a token minted at its `iat` is surely `delayMs` old (0 when older or unknown).
 * `iat` is in whole seconds, rounded down: the mint may have been up to a second later.
 */
export function activationWaitMs(token: string, now: number, delayMs: number): number {
  const iat = jwtClaims(token)?.['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 0;
  const wait = (iat + 1) * 1000 + delayMs - now;
  return wait > 0 && wait <= delayMs + 1000 ? wait : 0;
}

// ---- classifying failures ---------------------------------------------------------------------

/** The failure ends the session: other items would fail alike (credentials, scopes, config, hosts). */
export function isSessionFatal(error: unknown): boolean {
  return (
    error instanceof NeedsReauthError ||
    error instanceof UnauthorizedError ||
    error instanceof CoupaAccessError ||
    error instanceof CoupaConfigError ||
    error instanceof HostNotAllowedError
  );
}

/** 429: Coupa refused before doing anything (its queue of 20 was full); the same call may be sent again. */
export function isRateLimited(error: unknown): error is HttpStatusError {
  return error instanceof HttpStatusError && error.status === 429;
}

/** The write may or may not have happened: the answer was lost, cut or a server error. */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500;
  if (error instanceof HttpTimeoutError) return error.phase !== 'connect';
  if (error instanceof HttpNetworkError) return !error.beforeRequestSent;
  return error instanceof ResponseParseError || error instanceof CoupaResponseShapeError;
}

/** Coupa refused the request (4xx other than 401/403/429): nothing was written. */
export function refusalOf(error: unknown): { status: number; messages: string[] } | null {
  if (!(error instanceof HttpStatusError) || error.status < 400 || error.status >= 500 || error.status === 429) return null;
  const messages = coupaMessages(error.response.text);
  return { status: error.status, messages: messages.length ? messages : [`HTTP ${error.status}`] };
}

/** A plain sentence for a failed call, naming the instance and what Coupa said. */
export function explainCoupaFailure(error: unknown, instance: string, what: string): string {
  if (
    error instanceof CoupaConfigError ||
    error instanceof NeedsReauthError ||
    error instanceof CoupaAccessError ||
    error instanceof InvalidInputError
  )
    return error.message;
  if (error instanceof HostNotAllowedError) return `${what} was refused before sending: ${error.message}`;
  if (error instanceof UnauthorizedError)
    return `Coupa ${instance} rejected the access token twice while ${what}; connect Coupa again under Connections.`;
  if (error instanceof HttpStatusError) {
    const said = coupaMessages(error.response.text).join('; ') || error.response.text.slice(0, 200);
    if (error.status === 429) return `Coupa ${instance}'s rate limit was reached while ${what}; try again in a minute.`;
    if (error.status === 404) return `Coupa ${instance} answered "not found" while ${what} (${said}).`;
    if (error.status >= 500) return `Coupa ${instance} had a server error (HTTP ${error.status}) while ${what}; try again later.`;
    return `Coupa ${instance} answered HTTP ${error.status} while ${what}: ${said}`;
  }
  if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError)
    return `Could not reach Coupa ${instance} while ${what}: ${error.message}`;
  if (error instanceof BudgetExhaustedError) return `Coupa ${instance} asked to wait while ${what}: ${error.message}`;
  return `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
}
