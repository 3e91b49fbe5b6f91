/**
 * The only file that knows Acumatica's URLs, headers and sessions (fact sheet §1).
 *
 * - URLs: `{instance}[/{site}]/entity/{endpoint}/{version}/{Entity}` (1.1); the sign-in at
 *   `/entity/auth/login|logout` (1.4) or `/identity/connect/token` (1.3); discovery at `/entity`.
 * - One server session per connector: a cookie session signed in once and reused (every cookie
 *   replayed), or the OAuth bearer token (one token = one session with plain `api` scope). A 401
 *   renews it once and repeats the call once; `logout()` always frees the API-user seat.
 * - "API Login Limit" in any answer → AcumaticaLoginLimitError (no retry loop).
 * - A 404 from the endpoint URL → the instance's published versions are read: a missing version
 *   becomes AcumaticaEndpointVersionError naming the available ones.
 * - Licence limits (1.10): the kit budget paces to the per-minute quota, the in-flight gate keeps
 *   this connection below the queue length that draws 429. A 429 means "declined, not processed",
 *   so writes are repeated after a back-off too (the kit repeats reads).
 * - Actions answer 202 + Location (polled, with the same session, until 204) or 204 (1.7).
 * - Bodies are written with exact JSON numbers and answers read with numbers kept as text.
 */
import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import type { AccessTokenProvider, ConnectorContext } from '../connector';
import type { HttpRequest, HttpResponse, KitClock, QueryParams, RequestBudget, RetryPolicy } from '../_kit';
import {
  HttpClient,
  HttpStatusError,
  UnauthorizedError,
  backoffDelayMs,
  getBudget,
  paginateByOffset,
  recordIdOf,
  registerSecret,
  resolveRetryPolicy,
} from '../_kit';
import {
  AcumaticaConfigError,
  AcumaticaEndpointVersionError,
  AcumaticaLoginLimitError,
  AcumaticaResponseShapeError,
  isSessionFatal,
} from './errors';
import { parseJsonKeepingNumbers, toJsonText } from './json-text';
import { getInFlightGate, type InFlightGate } from './licence';
import { cookieHeader, parseSetCookie, resolveLocation, serverMessage } from './mappers';
import type { AcumaticaAuth, AcumaticaLogin } from './types';
import type { WireDiscovery, WireOAuthError, WireTokenResponse } from './wire';

const API = 'acumatica';
const MINUTE_MS = 60_000;
/** Repeats of a write declined with 429 (declined = never processed, 1.10). */
const MAX_WRITE_429_REPEATS = 4;
/** Repeats of a read that met a 500 (the simulator's and IIS's transient failures; reads are safe). */
const MAX_READ_500_REPEATS = 2;
/**
 * Past half of the per-minute quota Acumatica answers late rather than failing: each request waits
 * (time left in the minute) / (requests left), up to about a minute (1.10). Waiting for headers up to
 * 3 minutes keeps a paced write from turning into an "unknown outcome".
 */
const HEADERS_TIMEOUT_MS = 180_000;

export interface ClientSettings {
  /** Instance URL with a trailing slash, e.g. https://erp.acme.nl/AcumaticaERP/. */
  instanceUrl: string;
  tenant: string;
  endpointName: string;
  endpointVersion: string;
  branch: string | null;
  requestsPerMinute: number | null;
  maxInFlight: number;
  pageSize: number;
  polling: { firstDelayMs: number; maxDelayMs: number; timeoutMs: number };
  clock: KitClock;
  retry: Partial<RetryPolicy> | undefined;
}

export type ClientContext = ConnectorContext & AcumaticaAuth;

/** What an action came to (1.7). */
export type ActionOutcome =
  | { kind: 'done'; location: string | null }
  /** Acumatica refused it or the operation failed: nothing changed. */
  | { kind: 'failed'; message: string }
  /** The answer was lost or the operation could not be followed: look at the record. */
  | { kind: 'unknown'; message: string };

interface EntityCall {
  method: HttpRequest['method'];
  /** Absolute URL, or a path below the site. */
  url: string;
  query?: QueryParams;
  body?: unknown;
  headers?: Record<string, string>;
  retrySafe?: boolean;
  /** 'entity' calls check the endpoint version on a 404; polls and discovery do not. */
  kind: 'entity' | 'poll' | 'discovery';
}

interface CookieSession {
  cookies: Map<string, string>;
}

export class AcumaticaClient {
  readonly budget: RequestBudget;
  readonly gate: InFlightGate;
  readonly settings: ClientSettings;
  readonly #http: HttpClient;
  /** Sign-out and token calls: never paced or gated (a seat must always be freed, 1.10). */
  readonly #authHttp: HttpClient;
  readonly #tokens: AccessTokenProvider | null;
  readonly #login: AcumaticaLogin | null;
  readonly #sitePath: string;
  readonly #retryPolicy: RetryPolicy;
  #session: CookieSession | null = null;
  #signingIn: Promise<CookieSession> | null = null;
  /** The last bearer token used (logged out on close). */
  #lastToken: string | null = null;
  #versionConfirmed = false;
  #closed = false;

  constructor(ctx: ClientContext, settings: ClientSettings) {
    this.settings = settings;
    const url = new URL(settings.instanceUrl);
    this.#sitePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    this.#tokens = 'tokens' in ctx ? ctx.tokens : null;
    this.#login = 'login' in ctx ? ctx.login : null;
    if (this.#login && typeof this.#login.password === 'string') registerSecret(this.#login.password);
    const key = `acumatica:${url.origin}${this.#sitePath}:${settings.tenant.toLowerCase()}`;
    this.budget = getBudget(key, {
      windows:
        settings.requestsPerMinute === null
          ? []
          : [{ kind: 'sliding', name: 'minutely', limit: settings.requestsPerMinute, windowMs: MINUTE_MS }],
      clock: settings.clock,
    });
    this.gate = getInFlightGate(key, settings.maxInFlight);
    const now = ctx.now ?? (() => settings.clock.now());
    this.#retryPolicy = resolveRetryPolicy({ sleep: settings.clock.sleep, ...settings.retry });
    const common = {
      api: API,
      allowedHosts: ctx.allowedHosts,
      logger: ctx.logger,
      now,
      baseUrl: url.origin,
      retry: { sleep: settings.clock.sleep, ...settings.retry },
      defaultHeaders: { accept: 'application/json' },
      timeouts: { headersMs: HEADERS_TIMEOUT_MS },
    };
    this.#http = new HttpClient({ ...common, budget: this.budget });
    this.#authHttp = new HttpClient(common);
  }

  /** `/{site}/entity/{endpoint}/{version}`. */
  get endpointPath(): string {
    return `${this.#sitePath}entity/${this.settings.endpointName}/${this.settings.endpointVersion}`;
  }

  // ---- entity API ------------------------------------------------------------------------------

  /** GET /{Entity}[/{sub}] → parsed JSON. */
  async get<T>(entity: string, query: QueryParams = {}, sub = ''): Promise<T> {
    const res = await this.#call({
      method: 'GET',
      url: `${this.endpointPath}/${entity}${sub ? `/${sub}` : ''}`,
      query,
      kind: 'entity',
    });
    return parse<T>(res);
  }

  /** Every record of a list, `$top`/`$skip` page by page (1.6; 1.11: both must reach the wire). */
  async *pages<T>(entity: string, query: QueryParams = {}): AsyncGenerator<T[]> {
    yield* paginateByOffset<T>(this.settings.pageSize, async (offset, limit) => {
      const page = await this.get<unknown>(entity, { ...query, $top: limit, $skip: offset });
      if (!Array.isArray(page))
        throw new AcumaticaResponseShapeError(
          `Acumatica answered the ${entity} list with something other than a list.`,
        );
      return page as T[];
      // Keyed by the record's id: a record sent twice is read once, a $skip answered with the
      // page before it is asked again (sandbox faults `dupes`, `repeat`).
    }, { keyOf: recordIdOf });
  }

  async listAll<T>(entity: string, query: QueryParams = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(entity, query)) out.push(...page);
    return out;
  }

  /** PUT /{Entity} (1.7 upsert). Resolves for 2xx only: a 422 echo is an HttpStatusError. */
  async put<T>(
    entity: string,
    body: unknown,
    options: { query?: QueryParams; headers?: Record<string, string>; retrySafe?: boolean } = {},
  ): Promise<T> {
    const res = await this.#call({
      method: 'PUT',
      url: `${this.endpointPath}/${entity}`,
      body,
      kind: 'entity',
      ...(options.query ? { query: options.query } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.retrySafe ? { retrySafe: true } : {}),
    });
    return parse<T>(res);
  }

  /**
   * POST /{Entity}/{Action} {entity, parameters}: 204 = done at once; 202 = poll the Location
   * (resolved against the instance URL, which carries the site path) with this same session
   * until it answers 204 (1.7). The effect lands only when the operation completes.
   */
  async invoke(
    entity: string,
    action: string,
    body: { entity: unknown; parameters?: unknown },
  ): Promise<ActionOutcome> {
    let res: HttpResponse;
    try {
      res = await this.#call({
        method: 'POST',
        url: `${this.endpointPath}/${entity}/${action}`,
        body,
        kind: 'entity',
      });
    } catch (error) {
      return actionFailure(error);
    }
    if (res.status !== 202) return { kind: 'done', location: res.headers.location ?? null };
    const first = res.headers.location;
    if (!first)
      return {
        kind: 'unknown',
        message: `Acumatica accepted ${action} but gave no status address to follow.`,
      };
    let url = resolveLocation(first, this.settings.instanceUrl);
    const { firstDelayMs, maxDelayMs, timeoutMs } = this.settings.polling;
    const clock = this.settings.clock;
    const started = clock.now();
    let delay = firstDelayMs;
    for (;;) {
      await clock.sleep(delay);
      delay = Math.min(maxDelayMs, delay * 2);
      let poll: HttpResponse;
      try {
        poll = await this.#call({ method: 'GET', url, kind: 'poll' });
      } catch (error) {
        if (isSessionFatal(error)) throw error;
        if (
          error instanceof HttpStatusError &&
          error.status === 500 &&
          isBusinessRefusal(error.response.text)
        )
          return { kind: 'failed', message: serverMessage(500, error.response.text) };
        const message =
          error instanceof HttpStatusError && error.status === 404
            ? `Acumatica no longer knows the ${action} operation (${serverMessage(404, error.response.text)})`
            : `following ${action} failed: ${(error as Error).message}`;
        return { kind: 'unknown', message };
      }
      if (poll.status === 204 || poll.status === 200)
        return { kind: 'done', location: poll.headers.location ?? null };
      if (poll.headers.location) url = resolveLocation(poll.headers.location, this.settings.instanceUrl);
      if (clock.now() - started >= timeoutMs)
        return {
          kind: 'unknown',
          message: `${action} was still running after ${Math.round(timeoutMs / 1000)} s`,
        };
    }
  }

  /** GET {instance}/entity: the ERP version and the endpoints the instance publishes (1.1). */
  async discovery(): Promise<WireDiscovery> {
    const res = await this.#call({ method: 'GET', url: `${this.#sitePath}entity`, kind: 'discovery' });
    return parse<WireDiscovery>(res);
  }

  /** The Default endpoint versions the instance publishes. */
  async publishedVersions(): Promise<string[]> {
    const found = await this.discovery();
    return (found.endpoints ?? [])
      .filter((e) => (e.name ?? '').toLowerCase() === this.settings.endpointName.toLowerCase() && e.version)
      .map((e) => e.version as string);
  }

  // ---- OAuth (1.3) -----------------------------------------------------------------------------

  /** POST {instance}/identity/connect/token (form). invalid_client / invalid_grant → NeedsReauthError. */
  async token(form: Record<string, string>): Promise<TokenSet> {
    for (const secret of [form.client_secret, form.password, form.refresh_token])
      if (secret) registerSecret(secret);
    let res: HttpResponse;
    try {
      res = await this.#authHttp.request({
        method: 'POST',
        url: `${this.#sitePath}identity/connect/token`,
        body: { form },
        // A repeated token request creates nothing a first one did not (except with a spent refresh token).
        retrySafe: form.grant_type !== 'refresh_token',
      });
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 400 || error.status === 401)) {
        const body = safeJson<WireOAuthError>(error.response.text);
        const code = body?.error ?? `HTTP ${error.status}`;
        const hint =
          code === 'invalid_client'
            ? ' Check the client id (it ends with @<tenant>) and secret on the Connected Applications form (SM303010).'
            : ' Sign in to Acumatica again under Connections.';
        throw new NeedsReauthError(
          `Acumatica refused the sign-in (${code}${body?.error_description ? `: ${body.error_description}` : ''}).${hint}`,
        );
      }
      throw error;
    }
    const body = parse<WireTokenResponse>(res);
    const expiresIn = Number(body.expires_in);
    if (!body.access_token || !Number.isFinite(expiresIn) || expiresIn <= 0)
      throw new AcumaticaResponseShapeError('The Acumatica token answer has no access_token or expires_in.');
    registerSecret(body.access_token);
    if (body.refresh_token) registerSecret(body.refresh_token);
    const now = this.settings.clock.now();
    return {
      accessToken: body.access_token,
      accessTokenExpiresAt: now + expiresIn * 1000,
      refreshToken: body.refresh_token ?? null,
      refreshTokenIssuedAt: body.refresh_token ? now : null,
    };
  }

  // ---- session ---------------------------------------------------------------------------------

  /** Signs out (cookie session or bearer session) so the API-user seat is free again (1.4). */
  async logout(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.#session) headers.cookie = cookieHeader(this.#session.cookies);
    else if (this.#lastToken) headers.authorization = `Bearer ${this.#lastToken}`;
    else return;
    this.#session = null;
    this.#lastToken = null;
    await this.#authHttp.request({ method: 'POST', url: `${this.#sitePath}entity/auth/logout`, headers });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.logout();
    } finally {
      await Promise.allSettled([this.#http.close(), this.#authHttp.close()]);
    }
  }

  /** Signs in now (cookie sessions) so a connection test fails on the credentials first. */
  async ensureSignedIn(): Promise<void> {
    if (this.#tokens) {
      this.#lastToken = await this.#tokens.getAccessToken();
      registerSecret(this.#lastToken);
      return;
    }
    await this.#cookieSession();
  }

  async #cookieSession(): Promise<CookieSession> {
    if (this.#session) return this.#session;
    this.#signingIn ??= this.#signIn().finally(() => {
      this.#signingIn = null;
    });
    return this.#signingIn;
  }

  /** POST /entity/auth/login {name, password, tenant, branch?, locale?} → 204 + cookies (1.4). */
  async #signIn(): Promise<CookieSession> {
    const login = this.#login as AcumaticaLogin;
    // A password read lazily (from the keychain) is registered for redaction once it is known.
    const password = typeof login.password === 'string' ? login.password : await login.password();
    registerSecret(password);
    const body: Record<string, string> = {
      name: login.username,
      password,
      tenant: this.settings.tenant,
    };
    if (this.settings.branch) body.branch = this.settings.branch;
    if (login.locale) body.locale = login.locale;
    let res: HttpResponse;
    try {
      res = await this.#withLicence('POST', () =>
        this.#gate(() =>
          this.#http.request({
            method: 'POST',
            url: `${this.#sitePath}entity/auth/login`,
            body: { raw: toJsonText(body), contentType: 'application/json' },
          }),
        ),
      );
    } catch (error) {
      throw this.#signInError(error);
    }
    const cookies = parseSetCookie(res.headers['set-cookie']);
    if (cookies.size === 0)
      throw new AcumaticaResponseShapeError('Acumatica accepted the sign-in but set no session cookie.');
    for (const value of cookies.values()) registerSecret(value);
    this.#session = { cookies };
    return this.#session;
  }

  #signInError(error: unknown): unknown {
    if (!(error instanceof HttpStatusError)) return error;
    const message = serverMessage(error.status, error.response.text);
    if (/API Login Limit/i.test(error.response.text)) return new AcumaticaLoginLimitError(message);
    if (error.status === 404)
      return new AcumaticaConfigError(
        `There is no Acumatica sign-in at ${this.settings.instanceUrl} (HTTP 404). Check the instance URL; include the site name (e.g. /AcumaticaERP) when Acumatica is not at the web root.`,
      );
    if (/branch/i.test(message) && /cannot be found/i.test(message))
      return new AcumaticaConfigError(
        `Acumatica does not know the branch of this connection: ${message} Fix the branch in the connection settings.`,
      );
    if (error.status === 401 || /credential|password|user name|locked/i.test(message))
      return new NeedsReauthError(
        `Acumatica refused the user name or password for tenant ${this.settings.tenant} (${message}). Enter them again under Connections.`,
      );
    return error;
  }

  #gate<T>(task: () => Promise<T>): Promise<T> {
    return this.gate.run(task);
  }

  /**
   * A request declined with 429 was never processed (1.10): repeat it after a back-off even when
   * it writes. The kit already repeats reads; this covers PUT/POST.
   */
  async #withLicence<T>(method: HttpRequest['method'], send: () => Promise<T>): Promise<T> {
    if (method === 'GET') return send();
    for (let repeat = 0; ; repeat += 1) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof HttpStatusError) || error.status !== 429 || repeat >= MAX_WRITE_429_REPEATS)
          throw error;
        if (/API Login Limit/i.test(error.response.text)) throw error;
        const wait = error.retryAfterMs ?? backoffDelayMs(repeat + 1, this.#retryPolicy);
        await this.settings.clock.sleep(Math.max(wait, 1));
      }
    }
  }

  async #authHeaders(): Promise<{
    headers: Record<string, string>;
    token: string | null;
    session: CookieSession | null;
  }> {
    if (this.#tokens) {
      const token = await this.#tokens.getAccessToken();
      registerSecret(token);
      this.#lastToken = token;
      return { headers: { authorization: `Bearer ${token}` }, token, session: null };
    }
    const session = await this.#cookieSession();
    return { headers: { cookie: cookieHeader(session.cookies) }, token: null, session };
  }

  async #call(call: EntityCall): Promise<HttpResponse> {
    if (this.#closed) throw new AcumaticaConfigError('This Acumatica connection was closed; open a new one.');
    let renewed = false;
    let serverErrors = 0;
    for (;;) {
      const auth = await this.#authHeaders();
      const headers: Record<string, string> = { ...call.headers, ...auth.headers };
      if (this.settings.branch && call.kind === 'entity') headers['px-cbapibranch'] = this.settings.branch;
      const request: HttpRequest = {
        method: call.method,
        url: call.url,
        headers,
        ...(call.query ? { query: call.query } : {}),
        ...(call.body !== undefined
          ? { body: { raw: toJsonText(call.body), contentType: 'application/json' } }
          : {}),
        ...(call.retrySafe ? { retrySafe: true } : {}),
        endpoint: endpointBucket(call.url),
      };
      try {
        const res = await this.#withLicence(call.method, () => this.#gate(() => this.#http.request(request)));
        if (call.kind === 'entity') this.#versionConfirmed = true;
        return res;
      } catch (error) {
        if (error instanceof UnauthorizedError) {
          if (renewed)
            throw new NeedsReauthError(
              'Acumatica keeps refusing this connection\u2019s sign-in (HTTP 401 after signing in again). Connect Acumatica again under Connections.',
            );
          renewed = true;
          await this.#renew(auth);
          continue;
        }
        if (!(error instanceof HttpStatusError)) throw error;
        if (/API Login Limit/i.test(error.response.text))
          throw new AcumaticaLoginLimitError(serverMessage(error.status, error.response.text));
        if (error.status === 404 && call.kind === 'entity') await this.#checkVersion(error);
        if (
          error.status === 500 &&
          call.method === 'GET' &&
          call.kind !== 'poll' &&
          serverErrors < MAX_READ_500_REPEATS
        ) {
          serverErrors += 1;
          await this.settings.clock.sleep(backoffDelayMs(serverErrors, this.#retryPolicy));
          continue;
        }
        throw error;
      }
    }
  }

  async #renew(auth: { token: string | null; session: CookieSession | null }): Promise<void> {
    if (this.#tokens) {
      const renewed = await this.#tokens.handleUnauthorized(auth.token ?? '');
      registerSecret(renewed);
      return;
    }
    // The cookie session expired (idle ~20 min, 1.4): sign in again once.
    if (this.#session === auth.session) this.#session = null;
  }

  /** A 404 that is not a record's: is the endpoint version published at all? */
  async #checkVersion(error: HttpStatusError): Promise<void> {
    const body = safeJson<{ exceptionType?: string }>(error.response.text);
    if (this.#versionConfirmed && body?.exceptionType) return;
    const versions = await this.publishedVersions();
    if (!versions.includes(this.settings.endpointVersion))
      throw new AcumaticaEndpointVersionError(this.settings.endpointVersion, versions);
    this.#versionConfirmed = true;
  }
}

function parse<T>(res: HttpResponse): T {
  if (!res.text) return undefined as T;
  try {
    return parseJsonKeepingNumbers(res.text) as T;
  } catch {
    throw new AcumaticaResponseShapeError(
      `Acumatica answered ${res.url} with something that is not JSON (HTTP ${res.status}): ${res.text.slice(0, 120)}`,
    );
  }
}

function safeJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Error-budget and log bucket: the entity (and action), not each record's URL. */
function endpointBucket(url: string): string {
  const path = url.startsWith('http') ? new URL(url).pathname : url;
  return path.replace(/\/status\/[^/]+$/, '/status').replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}$/i, '/{id}');
}

/**
 * A 500 whose exception is one of Acumatica's own (PX.*: a disabled action, a business rule) is a
 * refusal; any other 500 (System.Exception, an IIS page) leaves the outcome unknown.
 */
export function isBusinessRefusal(body: string): boolean {
  const type = safeJson<{ exceptionType?: string }>(body)?.exceptionType ?? '';
  return type.startsWith('PX.');
}

/** How an action's POST failed: refused (nothing changed) or unknown (look at the record). */
function actionFailure(error: unknown): ActionOutcome {
  if (isSessionFatal(error)) throw error;
  if (error instanceof HttpStatusError) {
    const message = serverMessage(error.status, error.response.text);
    const refused =
      error.status === 500
        ? isBusinessRefusal(error.response.text)
        : error.status >= 400 && error.status < 500 && error.status !== 429;
    return refused ? { kind: 'failed', message } : { kind: 'unknown', message };
  }
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}
