/**
 * The only file that talks to monday.com: one POST endpoint (fact sheet §4.1), the raw token
 * in `Authorization` (no "Bearer", as monday's own client sends it), `API-Version` pinned, and
 * GraphQL errors inside HTTP 200 (§4.7) turned into typed errors by the kit's graphqlRequest.
 *
 * Budgets (§4.6): a kit RequestBudget per account (`monday:<account>`: the minute request
 * limit, and every caller of the account waits out a 429's Retry-After), and the per-minute
 * complexity points in complexity.ts, read from the `complexity` field of every answer.
 *
 * Retries: reads, updates and archives are retry-safe, so the kit repeats them after 429, 5xx
 * and network failures. A create is not: after a lost answer it may exist, and only the key
 * lookup can tell. A rate-limit refusal (HTTP 429, or the legacy 200 form, with monday's
 * rate-limit code) is different: monday checks budgets before it runs anything, so nothing was
 * written and writes.ts sends the create again after the wait.
 */
import { createHash } from 'node:crypto';
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import type { AccessTokenProvider, ConnectorContext } from '../connector';
import type { KitClock, Logger, RequestBudget, RetryPolicy } from '../_kit';
import {
  GraphQLRequestError,
  HostNotAllowedError,
  HttpClient,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  ResponseParseError,
  UnauthorizedError,
  defaultRateLimitCodes,
  getBudget,
  graphqlRequest,
  registerSecret,
  systemClock,
} from '../_kit';
import type { ComplexityLedger } from './complexity';
import { getComplexityLedger, mutationsThatFit } from './complexity';
import type { MondayDocument } from './documents';
import { explainMondayCode, isRefusalCode } from './mappers';
import type { MondaySettings } from './types';
import { DEFAULT_API_VERSION } from './types';
import type { WireComplexity } from './wire';

const API = 'monday';
const MINUTE_MS = 60_000;
/** §4.6 personal tokens: 10M per minute per account (reads and writes together). */
export const PERSONAL_BUDGET_PER_MINUTE = 10_000_000;
/** §4.6 app tokens: 5M reads and 5M writes per minute, separately. */
export const APP_BUDGET_PER_MINUTE = 5_000_000;
export const MAX_COMPLEXITY_PER_QUERY = 5_000_000;
/** §4.6 / changelog: a root mutation costs 30,000 points plus what it selects (`{ id }` → 30,001). */
export const MUTATION_COST = 30_000;
/** §4.6 minute request limit of the smallest plans (Pro 2,500, Enterprise 5,000). */
export const DEFAULT_REQUESTS_PER_MINUTE = 1_000;
/** §4.5: at most 500 items per page. */
export const MAX_PAGE_SIZE = 500;
/** When a refusal names no wait: the budget window is a minute long. */
const FALLBACK_WAIT_MS = MINUTE_MS;

/** monday's codes for "the budget is spent" (changelog: 2025-07 code, and the legacy names). */
const COMPLEXITY_CODES: ReadonlySet<string> = new Set([
  'COMPLEXITY_BUDGET_EXHAUSTED',
  'ComplexityException',
  'complexityBudgetExhausted',
]);
/** A daily limit is not worth waiting for inside a run; monday answers it as a rate limit too. */
const DAILY_LIMIT_CODE = 'DAILY_LIMIT_EXCEEDED';

export const REVOKED_TOKEN_MESSAGE =
  'monday.com refused the API token (it was revoked or regenerated, or its user was removed from the account): connect monday.com again under Connections with a new token.';

/** A setting is missing or malformed: nothing was sent. */
export class MondayConfigError extends Error {
  override readonly name = 'MondayConfigError';
}

/** A read or call failed; `message` says what and what to do, `retryable` whether later may work. */
export class MondayRequestError extends Error {
  override readonly name = 'MondayRequestError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run was stopped while a request waited for the budget: it was not sent. */
export class StoppedBeforeSendError extends Error {
  override readonly name = 'StoppedBeforeSendError';
}

export type MondayClientContext = ConnectorContext & { tokens: AccessTokenProvider };

/** A personal API token as a token provider: it cannot be renewed, so a 401 means reconnect. */
export function personalTokenProvider(token: string): AccessTokenProvider {
  registerSecret(token);
  return {
    getAccessToken: async () => token,
    handleUnauthorized: async () => {
      throw new NeedsReauthError(REVOKED_TOKEN_MESSAGE);
    },
  };
}

interface ResolvedSettings {
  apiUrl: string;
  apiVersion: string;
  tokenKind: 'personal' | 'app';
  budgetPerMinute: number;
  maxPerQuery: number;
  mutationCost: number;
  maxMutationsPerRequest: number;
  requestsPerMinute: number;
  keysPerLookup: number;
  pageSize: number;
  createLabelsIfMissing: boolean;
}

const positiveInteger = (
  value: number | undefined,
  fallback: number,
  what: string,
  max = Number.MAX_SAFE_INTEGER,
): number => {
  const resolved = value ?? fallback;
  if (!(Number.isSafeInteger(resolved) && resolved >= 1 && resolved <= max))
    throw new MondayConfigError(
      `The monday ${what} must be a whole number from 1 to ${max}, got ${String(resolved)}.`,
    );
  return resolved;
};

/** Checks every setting before anything is created: a refused setting leaves no pool behind. */
export function resolveSettings(settings: MondaySettings): ResolvedSettings {
  let url: URL;
  try {
    url = new URL(settings.apiUrl);
  } catch {
    throw new MondayConfigError(
      `The monday API address "${settings.apiUrl}" is not a URL; use https://api.monday.com/v2.`,
    );
  }
  const apiVersion = (settings.apiVersion ?? DEFAULT_API_VERSION).trim();
  // §4.1: quarterly versions only (the official client refuses other months), or `dev`.
  if (!/^(\d{4}-(01|04|07|10)|dev)$/.test(apiVersion))
    throw new MondayConfigError(
      `The monday API version "${apiVersion}" is not one monday publishes; use a quarter such as ${DEFAULT_API_VERSION}.`,
    );
  const tokenKind = settings.tokenKind ?? 'personal';
  return {
    apiUrl: url.href,
    apiVersion,
    tokenKind,
    budgetPerMinute: positiveInteger(
      settings.complexityBudgetPerMinute,
      tokenKind === 'app' ? APP_BUDGET_PER_MINUTE : PERSONAL_BUDGET_PER_MINUTE,
      'complexity budget per minute',
    ),
    maxPerQuery: positiveInteger(
      settings.complexityMaxPerQuery,
      MAX_COMPLEXITY_PER_QUERY,
      'complexity limit per query',
    ),
    mutationCost: positiveInteger(settings.mutationCost, MUTATION_COST, 'mutation cost'),
    maxMutationsPerRequest: positiveInteger(
      settings.maxMutationsPerRequest,
      Number.MAX_SAFE_INTEGER,
      'mutations per request',
    ),
    requestsPerMinute: positiveInteger(
      settings.requestsPerMinute,
      DEFAULT_REQUESTS_PER_MINUTE,
      'requests per minute',
    ),
    keysPerLookup: positiveInteger(settings.keysPerLookup, 100, 'keys per lookup', 1000),
    pageSize: positiveInteger(settings.pageSize, MAX_PAGE_SIZE, 'page size', MAX_PAGE_SIZE),
    createLabelsIfMissing: settings.createLabelsIfMissing === true,
  };
}

/** What belongs to the account: known once the first token is seen (its fingerprint may be the key). */
interface AccountState {
  key: string;
  budget: RequestBudget;
  http: HttpClient;
  ledgers: { read: ComplexityLedger; write: ComplexityLedger };
}

export class MondayClient {
  readonly settings: ResolvedSettings;
  readonly #ctx: MondayClientContext;
  readonly #account: string | undefined;
  readonly #clock: KitClock;
  readonly #now: () => number;
  readonly #retry: Partial<RetryPolicy>;
  readonly #logger: Logger;
  #state: AccountState | null = null;
  #closed = false;

  constructor(ctx: MondayClientContext, settings: MondaySettings) {
    this.settings = resolveSettings(settings);
    this.#ctx = ctx;
    this.#account = settings.account?.trim() || undefined;
    this.#clock = settings.clock ?? systemClock;
    const clock = this.#clock;
    this.#now = ctx.now ?? (() => clock.now());
    this.#retry = { sleep: clock.sleep, ...settings.retry };
    this.#logger = ctx.logger.child({ api: API });
  }

  /** How many aliased mutations go in the next request (the complexity ceiling, §4.6). */
  mutationsThatFitNow(selectionCostPerMutation: number, cap: number): number {
    const unitCost = this.settings.mutationCost + selectionCostPerMutation;
    const ledger = this.#state?.ledgers.write;
    const now = this.#now();
    return mutationsThatFit({
      unitCost,
      maxPerQuery: this.settings.maxPerQuery,
      remaining: ledger ? ledger.remaining(now) : this.settings.budgetPerMinute,
      limit: this.settings.budgetPerMinute,
      cap: Math.min(cap, this.settings.maxMutationsPerRequest),
    });
  }

  /** The write budget as last seen (null before the first call). */
  complexitySnapshot(): { key: string; limit: number; remaining: number; resetAt: number } | null {
    const ledger = this.#state?.ledgers.write;
    if (!ledger) return null;
    const now = this.#now();
    return {
      key: ledger.key,
      limit: ledger.limit,
      remaining: ledger.remaining(now),
      resetAt: ledger.resetAt(now),
    };
  }

  /** The settings' retry policy: how many times a refused create is sent again. */
  get maxAttempts(): number {
    return this.#retry.maxAttempts ?? 5;
  }

  /**
   * Sends one document and returns its `data`. Waits first when the complexity budget cannot
   * hold it; a 401 asks custody once for a renewed token, then it is NeedsReauthError.
   */
  async request<T>(document: MondayDocument, signal?: AbortSignal): Promise<T> {
    if (this.#closed) throw new MondayConfigError('This monday connection was closed; create a new one.');
    const token = await this.#tokens().getAccessToken();
    registerSecret(token);
    const state = this.#stateFor(token);
    const ledger = document.mutations > 0 ? state.ledgers.write : state.ledgers.read;
    const cost = document.mutations * this.settings.mutationCost + document.selectionCost;
    const waitMs = ledger.waitFor(cost, this.#now());
    if (waitMs > 0) {
      this.#logger.info('monday complexity budget: waiting for the next window', {
        waitMs,
        cost,
        key: ledger.key,
      });
      await this.#clock.sleep(waitMs);
      // A run stopped during the wait sends nothing more.
      if (signal?.aborted) throw new StoppedBeforeSendError();
    }
    ledger.spend(cost, this.#now());
    try {
      const data = await this.#sendWithAuth<T & { complexity?: WireComplexity | null }>(
        state,
        document,
        token,
      );
      this.#observe(ledger, data);
      return data;
    } catch (error) {
      if (error instanceof GraphQLRequestError) {
        this.#observe(ledger, error.data);
        this.#noteRefusal(state, ledger, error);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#state?.http.close();
  }

  // ---- mechanics -------------------------------------------------------------------------

  #tokens(): AccessTokenProvider {
    return this.#ctx.tokens;
  }

  /** Budgets are the account's: keyed by the configured account, else by the token's fingerprint. */
  #stateFor(token: string): AccountState {
    if (this.#state) return this.#state;
    const account = this.#account ?? `token-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    const key = `monday:${account}`;
    const budget = getBudget(key, {
      windows: [
        { kind: 'sliding', name: 'minute', limit: this.settings.requestsPerMinute, windowMs: MINUTE_MS },
      ],
      clock: this.#clock,
    });
    const limit = this.settings.budgetPerMinute;
    // §4.6: personal tokens share one budget per account; an app has one for reads, one for writes.
    const ledgers =
      this.settings.tokenKind === 'app'
        ? {
            read: getComplexityLedger(`${key}:app:read`, limit),
            write: getComplexityLedger(`${key}:app:write`, limit),
          }
        : { read: getComplexityLedger(key, limit), write: getComplexityLedger(key, limit) };
    const http = new HttpClient({
      api: API,
      allowedHosts: this.#ctx.allowedHosts,
      logger: this.#ctx.logger,
      now: this.#now,
      retry: this.#retry,
      budget,
    });
    this.#state = { key, budget, http, ledgers };
    return this.#state;
  }

  async #sendWithAuth<T>(state: AccountState, document: MondayDocument, token: string): Promise<T> {
    try {
      return await this.#send<T>(state, document, token);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
    }
    // Custody renews an OAuth token; a personal token cannot be renewed (NeedsReauthError).
    const renewed = await this.#tokens().handleUnauthorized(token);
    if (renewed === token) throw new NeedsReauthError(REVOKED_TOKEN_MESSAGE);
    registerSecret(renewed);
    try {
      return await this.#send<T>(state, document, renewed);
    } catch (error) {
      if (isUnauthorized(error)) throw new NeedsReauthError(REVOKED_TOKEN_MESSAGE);
      throw error;
    }
  }

  #send<T>(state: AccountState, document: MondayDocument, token: string): Promise<T> {
    return graphqlRequest<T>(
      state.http,
      {
        url: this.settings.apiUrl,
        query: document.query,
        variables: document.variables,
        operationName: document.operationName,
        headers: { authorization: token, 'api-version': this.settings.apiVersion },
        retrySafe: document.retrySafe,
      },
      { retry: this.#retry, now: this.#now },
    );
  }

  #observe(ledger: ComplexityLedger, data: unknown): void {
    const report = complexityOf(data);
    if (report) ledger.observe(report, this.#now());
  }

  /** A rate-limit refusal: nobody of this account calls before its wait is over. */
  #noteRefusal(state: AccountState, ledger: ComplexityLedger, error: GraphQLRequestError): void {
    if (!isRateLimitRefusal(error)) return;
    const waitMs = error.retryAfterMs ?? FALLBACK_WAIT_MS;
    if (error.code !== null && COMPLEXITY_CODES.has(error.code)) ledger.exhausted(waitMs, this.#now());
    state.budget.pauseFor(waitMs);
  }
}

function complexityOf(data: unknown): WireComplexity | null {
  if (typeof data !== 'object' || data === null) return null;
  const report = (data as { complexity?: unknown }).complexity;
  if (typeof report !== 'object' || report === null) return null;
  const { after, reset_in_x_seconds } = report as Partial<WireComplexity>;
  return typeof after === 'number' && typeof reset_in_x_seconds === 'number'
    ? (report as WireComplexity)
    : null;
}

function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof UnauthorizedError || (error instanceof GraphQLRequestError && error.httpStatus === 401)
  );
}

/**
 * monday refused the document for a rate limit before running it (HTTP 429, or the legacy
 * HTTP 200 form without data): nothing of it was executed, so sending it again is safe.
 */
export function isRateLimitRefusal(error: unknown): boolean {
  return (
    error instanceof GraphQLRequestError &&
    error.code !== null &&
    error.code !== DAILY_LIMIT_CODE &&
    defaultRateLimitCodes.has(error.code) &&
    (error.httpStatus === 429 || error.data === null)
  );
}

/** The session cannot go on: retrying other items will not help (credentials, settings, hosts). */
export function isSessionFatal(error: unknown): boolean {
  return (
    error instanceof NeedsReauthError ||
    error instanceof MondayConfigError ||
    error instanceof HostNotAllowedError
  );
}

/** What the first GraphQL error of a failure says: code, message, error_data. */
function firstError(error: GraphQLRequestError): {
  code: string | null;
  message: string;
  errorData: unknown;
} {
  const first = error.errors[0];
  return {
    code: error.code,
    message: first?.message ?? error.message,
    errorData: first?.extensions?.['error_data'],
  };
}

export interface CallFailure {
  /** Nothing was executed (refused before running, or never sent). */
  notExecuted: boolean;
  /** The call may have been executed but its answer was lost. */
  uncertain: boolean;
  /** Later may work (rate limits, outages); false = monday refused it as sent. */
  retryable: boolean;
  code: string | null;
  /** What went wrong, in words; no advice on what to do with a half-known write. */
  detail: string;
}

/** Sorts a failed call into refused / not executed / uncertain, and says what happened. */
export function classifyFailure(error: unknown, boardId: string | null): CallFailure {
  const notRun = (detail: string, code: string | null = null): CallFailure => ({
    notExecuted: true,
    uncertain: false,
    retryable: true,
    code,
    detail,
  });
  const unknown = (detail: string, code: string | null = null): CallFailure => ({
    notExecuted: false,
    uncertain: true,
    retryable: true,
    code,
    detail,
  });
  const refused = (detail: string, code: string | null): CallFailure => ({
    notExecuted: true,
    uncertain: false,
    retryable: false,
    code,
    detail,
  });
  if (error instanceof GraphQLRequestError) {
    const { code, message, errorData } = firstError(error);
    if (code === DAILY_LIMIT_CODE)
      return notRun(`the account's daily monday API call limit is used up (it resets at midnight UTC)`, code);
    if (isRateLimitRefusal(error))
      return notRun(`monday's rate limit (${code ?? 'HTTP 429'}) kept refusing the request`, code);
    if (error.httpStatus >= 500)
      return unknown(`monday.com answered HTTP ${error.httpStatus} (${message})`, code);
    if (error.httpStatus === 423 || error.httpStatus === 409)
      return notRun(`the board was busy or locked (HTTP ${error.httpStatus}: ${message})`, code);
    if (
      error.httpStatus === 200 &&
      !isRefusalCode(code) &&
      code !== null &&
      /INTERNAL|TEMPORARILY/i.test(code)
    )
      return unknown(explainMondayCode(code, message, errorData, boardId), code);
    return refused(
      explainMondayCode(code, message, errorData, boardId),
      code ?? (error.httpStatus === 200 ? 'InvalidRequest' : `HTTP_${error.httpStatus}`),
    );
  }
  if (error instanceof HttpStatusError) {
    if (error.status >= 500 || error.status === 429)
      return unknown(`monday.com answered HTTP ${error.status}`, `HTTP_${error.status}`);
    if (error.status === 408 || error.status === 423)
      return notRun(`monday.com answered HTTP ${error.status}`, `HTTP_${error.status}`);
    return refused(`monday.com refused the request with HTTP ${error.status}`, `HTTP_${error.status}`);
  }
  if (error instanceof HttpNetworkError)
    return error.beforeRequestSent
      ? notRun(`monday.com could not be reached (${error.errorCode})`)
      : unknown(`the connection to monday.com broke before its answer arrived (${error.errorCode})`);
  if (error instanceof HttpTimeoutError)
    return error.phase === 'connect'
      ? notRun('monday.com could not be reached (connect timeout)')
      : unknown(`monday.com did not answer in time (${error.phase} timeout)`);
  if (error instanceof ResponseParseError) return unknown('monday.com sent an answer that is not JSON');
  return unknown(error instanceof Error ? error.message : String(error));
}

/** A failed read or call as one sentence for the user (`what`: e.g. "reading board 123"). */
export function explainFailure(error: unknown, what: string, boardId: string | null = null): string {
  if (
    error instanceof NeedsReauthError ||
    error instanceof MondayConfigError ||
    error instanceof MondayRequestError
  )
    return error.message;
  if (error instanceof HostNotAllowedError) return `${what} was refused before sending: ${error.message}`;
  const failure = classifyFailure(error, boardId);
  const next = failure.retryable ? ' Try again in a few minutes.' : '';
  return `monday.com: ${what} failed: ${failure.detail}.${next}`.replace(/\.\.(\s|$)/g, '.$1');
}

/** A failed read as the error the connector throws (session-fatal errors pass unchanged). */
export function toReadError(error: unknown, what: string, boardId: string | null = null): Error {
  if (isSessionFatal(error) || error instanceof MondayRequestError) return error as Error;
  const failure = classifyFailure(error, boardId);
  return new MondayRequestError(explainFailure(error, what, boardId), failure.retryable, failure.code, {
    cause: error,
  });
}
