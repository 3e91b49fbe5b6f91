/**
 * The only file that knows Sage Intacct's XML gateway: the request envelope (fact sheet 2.2),
 * sessions (2.4), the three levels of failure in a response (2.5) and paging of `query` (2.9).
 *
 * - Sign-in: `getAPISession` under `<login>` (with `locationid` for an entity), then every call
 *   uses the session id at the `endpoint` the session named. The session's timeout slides with
 *   each call (read from `sessiontimeout`); a lapsed one is replaced before the call. A 401 while
 *   using a session gets one new session and one repeat; a 401 on the login itself means the
 *   user, company or password is wrong: `NeedsReauthError`, never a loop.
 * - Reads: random controlids, `uniqueid=false`, retried by the kit (429, 5xx, timeouts) and here
 *   (a rate limit said in an HTTP 200 body, a 524).
 * - Writes: the caller's deterministic controlids with `uniqueid=true` (2.3), never retried
 *   here: writes.ts settles an unclear outcome by looking the document up.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorContext } from '../connector';
import type { HttpResponse, KitClock, RequestBudget, RetryPolicy } from '../_kit';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  HostNotAllowedError,
  HttpClient,
  HttpStatusError,
  MAX_REPEATED_PAGES,
  UnauthorizedError,
  buildXml,
  createXmlParser,
  freshRecords,
  getBudget,
  registerSecret,
  resolveRetryPolicy,
  retry,
  systemClock,
} from '../_kit';
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import { chunked, dataAttribute, errorDetails, errorText, queryBody, recordNoOf, recordsOf, type QuerySpec } from './mappers';
import type { IntacctErrorDetail, IntacctRuntime, IntacctSecretProvider, IntacctSettings } from './types';
import { ARRAY_PATHS, type WireApiSession, type WireAuthentication, type WireResponse, type WireResult, type XmlNode } from './wire';

// The request counters' name (the CLI summary's `apiCalls.intacct`, the simulator's name).
const API = 'intacct';
/** Renew a session this long before Intacct's projected timeout rather than risk a 401. */
const SESSION_MARGIN_MS = 30_000;
/** The XSD allows 2000 rows per `query` page (2.9). */
export const MAX_PAGE_SIZE = 2000;

// ---------------------------------------------------------------------------------------
// Errors that end the session (no retry helps) and errors that describe one request

/** A connection setting is missing or malformed: nothing was sent. */
export class IntacctConfigError extends Error {
  override readonly name = 'IntacctConfigError';
}

/**
 * The sender id is not among the company's Web Services authorizations (control success,
 * authentication failure XL03000006, 2.5). Signing in again cannot fix it: an administrator must.
 */
export class IntacctSenderNotAuthorizedError extends Error {
  override readonly name = 'IntacctSenderNotAuthorizedError';
  constructor(
    message: string,
    readonly details: IntacctErrorDetail[],
  ) {
    super(message);
  }
}

/** A session Intacct had just issued was refused too: something other than the password is wrong. */
export class IntacctSessionError extends Error {
  override readonly name = 'IntacctSessionError';
}

/** The gateway refused the whole request before running any function (control failure). */
export class IntacctRequestRefusedError extends Error {
  override readonly name = 'IntacctRequestRefusedError';
  constructor(
    message: string,
    readonly details: IntacctErrorDetail[],
  ) {
    super(message);
  }
}

/** Rate limited (GW-0010) in an HTTP 200 body (2.5): nothing ran; wait and ask again. */
export class IntacctRateLimitedError extends Error {
  override readonly name = 'IntacctRateLimitedError';
}

/** A read function failed (unknown object or field, malformed query): a bug or a setup gap. */
export class IntacctReadError extends Error {
  override readonly name = 'IntacctReadError';
  constructor(
    message: string,
    readonly details: IntacctErrorDetail[],
  ) {
    super(message);
  }
}

/** Failures after which no other call of this run can succeed: stop, tell the user. */
export function isSessionFatal(error: unknown): boolean {
  return (
    error instanceof NeedsReauthError ||
    error instanceof IntacctSenderNotAuthorizedError ||
    error instanceof IntacctSessionError ||
    error instanceof IntacctConfigError ||
    error instanceof HostNotAllowedError ||
    error instanceof BudgetExhaustedError ||
    error instanceof ErrorBudgetExceededError
  );
}

// ---------------------------------------------------------------------------------------

export interface FunctionCall {
  controlId: string;
  /** One operation, e.g. `{ create: { APBILL: … } }`. */
  body: Record<string, unknown>;
}

export interface FunctionOutcome {
  /** success | failure | aborted (the others of a rolled-back transaction block). */
  status: string;
  name: string;
  controlId: string;
  data: XmlNode | string | null;
  /** Legacy functions answer the new record's key instead of `<data>`. */
  key: string | null;
  errors: IntacctErrorDetail[];
}

export interface SessionInfo {
  userId: string;
  companyId: string;
  /** The entity signed in to ('' = top level). */
  locationId: string;
  endpoint: string;
}

interface Session extends SessionInfo {
  id: string;
  /** Epoch ms of Intacct's projected timeout; null when it did not say. */
  expiresAt: number | null;
}

export interface CallOptions {
  write: boolean;
  /** `<operation transaction="true">`: all functions or none. */
  atomic?: boolean;
  /** For logs and the test hook, e.g. "create APBILL ×3". */
  label: string;
}

/** Counts of functions sent, by operation (the bench compares them with its minimal plan). */
export interface FunctionCounts {
  requests: number;
  functions: number;
  byFunction: Record<string, number>;
}

const parser = createXmlParser({ arrayPaths: ARRAY_PATHS });

export class IntacctClient {
  readonly budget: RequestBudget | null;
  readonly settings: IntacctSettings;
  readonly clock: KitClock;
  readonly retryPolicy: RetryPolicy;
  readonly #http: HttpClient;
  readonly #secrets: IntacctSecretProvider;
  readonly #observe: IntacctRuntime['observeRequest'];
  readonly #counts: FunctionCounts = { requests: 0, functions: 0, byFunction: {} };
  #session: Session | null = null;
  #signingIn: Promise<Session> | null = null;

  constructor(ctx: ConnectorContext & { secrets: IntacctSecretProvider }, settings: IntacctSettings, runtime: IntacctRuntime = {}) {
    for (const [name, value] of [
      ['sender id', settings.senderId],
      ['company id', settings.companyId],
      ['user id', settings.userId],
    ] as const)
      if (!value.trim()) throw new IntacctConfigError(`The Sage Intacct ${name} is empty; enter it under Connections.`);
    try {
      new URL(settings.endpointUrl);
    } catch {
      throw new IntacctConfigError(`The Sage Intacct gateway URL "${settings.endpointUrl}" is not a URL (e.g. https://api.intacct.com/ia/xml/xmlgw.phtml).`);
    }
    this.settings = settings;
    this.#secrets = ctx.secrets;
    this.#observe = runtime.observeRequest;
    const now = ctx.now;
    this.clock = runtime.clock ?? (now ? { now, sleep: systemClock.sleep } : systemClock);
    this.retryPolicy = resolveRetryPolicy({ sleep: this.clock.sleep, ...runtime.retry });
    // Intacct publishes no XML-gateway rate (2.11): pace only when the connection says so.
    this.budget = settings.requestsPerMinute
      ? getBudget(`intacct:${settings.companyId}`, {
          windows: [{ kind: 'sliding', name: 'minutely', limit: settings.requestsPerMinute, windowMs: 60_000 }],
          clock: this.clock,
        })
      : null;
    this.#http = new HttpClient({
      api: API,
      // The vendor SDK waits 300 s for an answer (2.1; the gateway itself allows 15 min).
      timeouts: { headersMs: 300_000, bodyMs: 300_000 },
      allowedHosts: ctx.allowedHosts,
      logger: ctx.logger.child({ connector: API }),
      now: () => this.clock.now(),
      retry: this.retryPolicy,
      ...(this.budget ? { budget: this.budget } : {}),
    });
  }

  counts(): FunctionCounts {
    return { ...this.#counts, byFunction: { ...this.#counts.byFunction } };
  }

  /** Signs in anew (getAPISession under <login>): what testConnection reports. */
  async signIn(): Promise<SessionInfo> {
    this.#session = null;
    const session = await this.#ensureSession();
    return { userId: session.userId, companyId: session.companyId, locationId: session.locationId, endpoint: session.endpoint };
  }

  /**
   * One request with `functions` in one `<content>`, under the current session. Reads are
   * retried on a rate limit or a 524; writes are sent once (writes.ts decides what a failure means).
   */
  async call(functions: readonly FunctionCall[], options: CallOptions): Promise<FunctionOutcome[]> {
    if (functions.length === 0) return [];
    if (options.write) return this.#callWithSession(functions, options);
    return retry(
      () => this.#callWithSession(functions, options),
      (outcome) => {
        if (outcome.ok) return { retry: false };
        const error = outcome.error;
        if (error instanceof IntacctRateLimitedError) return { retry: true, reason: 'rate limit (GW-0010)' };
        // A read changes nothing: Cloudflare's 524 is safe to ask again.
        if (error instanceof HttpStatusError && error.status === 524) return { retry: true, reason: 'HTTP 524' };
        return { retry: false };
      },
      this.retryPolicy,
    );
  }

  /** Reads: every function must succeed, else IntacctReadError with Intacct's words. */
  async read(functions: readonly FunctionCall[], label: string): Promise<FunctionOutcome[]> {
    const outcomes: FunctionOutcome[] = [];
    for (const chunk of chunked(functions, this.#functionsPerRequest())) {
      const results = await this.call(chunk, { write: false, label });
      for (const result of results) {
        if (result.status !== 'success')
          throw new IntacctReadError(`Sage Intacct could not ${label}: ${errorText(result.errors)}`, result.errors);
      }
      outcomes.push(...results);
    }
    return outcomes;
  }

  /**
   * Every row of several queries: the first page of each in one request, then every further
   * page (offsets known from `totalcount`) in as few requests as the function limit allows.
   */
  async queryAll(specs: readonly QuerySpec[], label: string): Promise<XmlNode[][]> {
    const rows = specs.map((): XmlNode[] => []);
    // A record is kept once (by RECORDNO): Intacct may send one twice in a page, or answer an
    // offset with the page before it; a query short of its totalcount is read again.
    const seen = specs.map(() => new Set<string>());
    const keep = (index: number, data: XmlNode | string | null | undefined, object: string): void => {
      rows[index]?.push(...freshRecords(recordsOf(data, object), recordNoOf, seen[index] as Set<string>));
    };
    let pending = specs.map((_, index) => index);
    for (let round = 0; ; round += 1) {
      const totals = new Map<number, number>();
      const first = await this.read(
        pending.map((index) => ({ controlId: readControlId(), body: queryBody({ ...(specs[index] as QuerySpec), offset: 0 }) })),
        label,
      );
      const more: { index: number; spec: QuerySpec }[] = [];
      first.forEach((outcome, i) => {
        const index = pending[i] as number;
        const spec = specs[index] as QuerySpec;
        keep(index, outcome.data, spec.object);
        const total = dataAttribute(outcome.data, 'totalcount') ?? 0;
        totals.set(index, total);
        const remaining = dataAttribute(outcome.data, 'numremaining') ?? 0;
        if (remaining > 0)
          for (let offset = spec.pageSize; offset < total; offset += spec.pageSize) more.push({ index, spec: { ...spec, offset } });
      });
      if (more.length > 0) {
        const pages = await this.read(
          more.map(({ spec }) => ({ controlId: readControlId(), body: queryBody(spec) })),
          `${label} (more pages)`,
        );
        pages.forEach((outcome, i) => {
          const { index, spec } = more[i] as { index: number; spec: QuerySpec };
          keep(index, outcome.data, spec.object);
        });
      }
      const short = pending.filter((index) => (rows[index]?.length ?? 0) < (totals.get(index) ?? 0));
      if (short.length === 0) return rows;
      if (round >= MAX_REPEATED_PAGES) {
        const index = short[0] as number;
        throw new IntacctReadError(
          `Sage Intacct could not ${label}: it counted ${totals.get(index) ?? 0} ${specs[index]?.object ?? ''} records but its pages held ${rows[index]?.length ?? 0} different ones, ${round + 1} times in a row (pages repeated). Nothing was written from this read; run the sync again later.`,
          [],
        );
      }
      pending = short;
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #functionsPerRequest(): number {
    const value = this.settings.functionsPerRequest ?? 50;
    if (!(Number.isInteger(value) && value >= 1 && value <= 500))
      throw new IntacctConfigError(`Functions per Intacct request must be a whole number from 1 to 500, got ${String(value)}.`);
    return value;
  }

  // ---- sessions ---------------------------------------------------------------------------

  async #callWithSession(functions: readonly FunctionCall[], options: CallOptions): Promise<FunctionOutcome[]> {
    let session = await this.#ensureSession();
    try {
      return await this.#send(session, functions, options);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      // 401 with a session: it lapsed or was ended; one new session, one repeat (2.4). A 401
      // runs nothing, so repeating a write cannot double it.
      if (this.#session?.id === session.id) this.#session = null;
      session = await this.#ensureSession();
      try {
        return await this.#send(session, functions, options);
      } catch (again) {
        if (!(again instanceof UnauthorizedError)) throw again;
        this.#session = null;
        throw new IntacctSessionError(
          `Sage Intacct refused the session it had just opened for user ${this.settings.userId} (${gatewayText(again.response)}). ` +
            'Check that the user may use Web Services and that the company is active, then test the connection.',
        );
      }
    }
  }

  /** The current session, or a new one; concurrent callers share one sign-in. */
  async #ensureSession(): Promise<Session> {
    const current = this.#session;
    if (current && (current.expiresAt === null || this.clock.now() < current.expiresAt - SESSION_MARGIN_MS)) return current;
    this.#signingIn ??= this.#login().finally(() => {
      this.#signingIn = null;
    });
    return this.#signingIn;
  }

  async #login(): Promise<Session> {
    const secrets = await this.#secrets.getSecrets();
    registerSecret(secrets.senderPassword);
    registerSecret(secrets.userPassword);
    const login: Record<string, string> = {
      userid: this.settings.userId,
      companyid: this.settings.companyId,
      password: secrets.userPassword,
    };
    if (this.settings.entityId) login.locationid = this.settings.entityId;
    const xml = this.#envelope(secrets.senderPassword, { login }, [{ controlId: readControlId(), body: { getAPISession: '' } }], { write: false, label: 'getAPISession' });
    let response: HttpResponse;
    try {
      response = await this.#post(this.settings.endpointUrl, xml, false, 'getAPISession');
    } catch (error) {
      if (error instanceof UnauthorizedError)
        throw new NeedsReauthError(
          `Sage Intacct did not accept user ${this.settings.userId} in company ${this.settings.companyId}` +
            `${this.settings.entityId ? ` (entity ${this.settings.entityId})` : ''}: ${gatewayText(error.response)} ` +
            'Check the user ID, company ID, entity and user password under Connections.',
        );
      throw error;
    }
    const { results, authentication } = this.#parse(response, { write: false, label: 'getAPISession' });
    const result = results[0];
    if (result?.status !== 'success' || !result.data || typeof result.data === 'string')
      throw new IntacctSessionError(`Sage Intacct did not open a session: ${errorText(result?.errors ?? [])}`);
    const api = result.data.api as WireApiSession | undefined;
    if (!api?.sessionid || !api.endpoint) throw new IntacctSessionError('Sage Intacct opened a session without a session id or endpoint.');
    registerSecret(api.sessionid);
    const session: Session = {
      id: api.sessionid,
      endpoint: api.endpoint,
      userId: authentication?.userid ?? this.settings.userId,
      companyId: authentication?.companyid ?? this.settings.companyId,
      locationId: api.locationid ?? authentication?.locationid ?? '',
      expiresAt: expiryOf(authentication, this.clock.now()),
    };
    this.#session = session;
    return session;
  }

  // ---- one request ------------------------------------------------------------------------

  async #send(session: Session, functions: readonly FunctionCall[], options: CallOptions): Promise<FunctionOutcome[]> {
    const secrets = await this.#secrets.getSecrets();
    const xml = this.#envelope(secrets.senderPassword, { sessionid: session.id }, functions, options);
    const response = await this.#post(session.endpoint, xml, !options.write, options.label);
    const { results, authentication } = this.#parse(response, options);
    // The timeout slides with every call (2.4).
    const expiresAt = expiryOf(authentication, this.clock.now());
    if (expiresAt !== null && this.#session?.id === session.id) this.#session = { ...session, expiresAt };
    return results;
  }

  #envelope(senderPassword: string, authentication: Record<string, unknown>, functions: readonly FunctionCall[], options: CallOptions): string {
    const operation = {
      // All functions or none (2.2): the failing one says why, the others are aborted.
      ...(options.atomic ? { '@_transaction': 'true' } : {}),
      authentication,
      content: { function: functions.map((f) => ({ '@_controlid': f.controlId, ...f.body })) },
    };
    const { xml } = buildXml({
      request: {
        control: {
          senderid: this.settings.senderId,
          password: senderPassword,
          controlid: randomUUID(),
          // Writes: a function controlid that already ran is refused, not run twice (2.3).
          uniqueid: options.write ? 'true' : 'false',
          dtdversion: '3.0',
          includewhitespace: 'false',
        },
        operation,
      },
    });
    this.#counts.requests += 1;
    for (const f of functions) {
      const name = Object.keys(f.body)[0] ?? '?';
      this.#counts.functions += 1;
      this.#counts.byFunction[name] = (this.#counts.byFunction[name] ?? 0) + 1;
    }
    return xml;
  }

  #post(url: string, xml: string, retrySafe: boolean, label: string): Promise<HttpResponse> {
    this.#observe?.(xml, label);
    return this.#http.request({
      method: 'POST',
      url,
      body: { raw: xml, contentType: 'application/xml' },
      retrySafe,
      endpoint: 'xmlgw',
    });
  }

  /** The three failure levels of an HTTP-200 answer (2.5), then the results. */
  #parse(response: HttpResponse, options: CallOptions): { results: FunctionOutcome[]; authentication: WireAuthentication | undefined } {
    const body = (parser.parse(response.text) as WireResponse).response;
    if (!body) throw new IntacctRequestRefusedError('Sage Intacct answered without a <response> element.', []);
    if (body.control?.status !== 'success') {
      const details = errorDetails(body.errormessage?.error);
      const text = errorText(details);
      if (details.some((e) => e.errorno === 'GW-0010') || /rate limit/i.test(text))
        throw new IntacctRateLimitedError(`Sage Intacct's rate limit was reached: ${text}`);
      // Wrong sender id or password: control failure XL03000006 (2.5).
      if (details.some((e) => e.errorno === 'XL03000006'))
        throw new NeedsReauthError(
          `Sage Intacct refused the Web Services sender ID ${this.settings.senderId} or its password (${text}). Check them under Connections.`,
        );
      throw new IntacctRequestRefusedError(`Sage Intacct refused the request (${options.label}) before running it: ${text}`, details);
    }
    const operation = body.operation;
    const authentication = operation?.authentication;
    if (authentication?.status !== 'success') {
      const details = errorDetails(operation?.errormessage?.error);
      if (details.some((e) => e.errorno === 'XL03000006' || /web services authorization/i.test(e.description)))
        throw new IntacctSenderNotAuthorizedError(
          `Sage Intacct company ${this.settings.companyId} has not authorised the Web Services sender ID "${this.settings.senderId}" (${errorText(details)}). ` +
            'A company administrator must add it under Company > Setup > Company > Security > Web Services authorizations; then test the connection again.',
          details,
        );
      throw new IntacctSessionError(`Sage Intacct did not authenticate the request: ${errorText(details)}`);
    }
    return { results: (operation?.result ?? []).map(outcomeOf), authentication };
  }
}

function outcomeOf(result: WireResult): FunctionOutcome {
  return {
    status: result.status ?? '',
    name: result.function ?? '',
    controlId: result.controlid ?? '',
    data: result.data ?? null,
    key: typeof result.key === 'string' && result.key !== '' ? result.key : null,
    errors: errorDetails(result.errormessage?.error),
  };
}

/**
 * When the session lapses, on our clock: Intacct's projected timeout minus its own timestamp
 * (both in the authentication block, 2.4) added to our now, so a skewed clock on either side
 * neither renews every call nor uses a dead session.
 */
function expiryOf(authentication: WireAuthentication | undefined, now: number): number | null {
  const timeout = Date.parse(authentication?.sessiontimeout ?? '');
  const stamp = Date.parse(authentication?.sessiontimestamp ?? '');
  if (Number.isNaN(timeout)) return null;
  return Number.isNaN(stamp) ? timeout : now + (timeout - stamp);
}

/** Reads are never deduplicated: a fresh controlid each time (a reused one could block a write). */
export function readControlId(): string {
  return `read-${randomUUID()}`;
}

/** The text of a gateway error body (control with only status; the text in description, 2.5). */
export function gatewayText(response: HttpResponse): string {
  try {
    const body = (parser.parse(response.text) as WireResponse).response;
    return errorText(errorDetails(body?.errormessage?.error));
  } catch {
    return `HTTP ${response.status}`;
  }
}
