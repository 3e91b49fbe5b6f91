/**
 * The only file that knows Exact Online URLs and query shapes (fact sheet Part 1).
 *
 * - API calls: `Authorization: Bearer`, `$select` always, `__next` followed verbatim, shared
 *   request budget (60/min, 5,000/day per app and division, 10 errors/endpoint/hour), server
 *   rate-limit headers observed, 429/5xx retried by the kit after the server's reset.
 * - 401 on an API call: ask token custody once for a renewed token and repeat the call once.
 * - Token endpoint: form POST, never retried automatically (a lost answer + a retry would spend
 *   a rotated refresh token), errors mapped to NeedsReauthError / RefreshTooEarlyError /
 *   TokenCallCapError in plain words.
 */
import {
  NeedsReauthError,
  RefreshTooEarlyError,
  TokenCallCapError,
  type TokenSet,
} from '../../../src-shared/domain/auth';
import type { AccessTokenProvider } from '../connector';
import {
  HttpClient,
  HttpStatusError,
  UnauthorizedError,
  followNextLinks,
  getBudget,
  nextUtcMidnight,
  parseExactRateLimits,
  quoteSnippet,
  registerSecret,
  type HttpResponse,
  type KitClock,
  type Logger,
  type RequestBudget,
  type RetryPolicy,
} from '../_kit';
import type {
  ODataCollection,
  ODataSingleOrCollection,
  WireAccount,
  WireCodedRow,
  WireDeletedRow,
  WireDivision,
  WireItem,
  WireMe,
  WireOAuthError,
  WirePurchaseEntry,
  WirePurchaseOrderSyncRow,
  WireTokenResponse,
} from './wire';

export interface ExactClientOptions {
  baseUrl: string;
  allowedHosts: readonly string[];
  division: number;
  clientId: string;
  tokens: AccessTokenProvider;
  logger: Logger;
  clock: KitClock;
  rateLimits: { minutely: number; daily: number; errorsPerHour: number };
  retry?: Partial<RetryPolicy>;
}

/** Access token life (§1.2) and the refresh window at its end: the best guess for "too early". */
const ACCESS_TOKEN_LIFETIME_MS = 600_000;
const REFRESH_WINDOW_MS = 30_000;
/** Items / accounts / projects looked up per `$filter=ID eq guid'…' or …` call (keeps URLs short). */
const LOOKUP_BATCH = 20;
/** sync/Deleted EntityType of purchase orders (§1.6). */
const DELETED_PURCHASE_ORDER = 22;

const PO_SYNC_FIELDS = [
  'Timestamp',
  'ID',
  'PurchaseOrderID',
  'OrderNumber',
  'OrderDate',
  'OrderStatus',
  'Supplier',
  'SupplierCode',
  'SupplierName',
  'Currency',
  'YourRef',
  'Modified',
  'LineNumber',
  'Item',
  'ItemCode',
  'ItemDescription',
  'Description',
  'Quantity',
  'UnitPrice',
  'Unit',
  'AmountFC',
  'CostCenterCode',
  'CostUnitCode',
  'ProjectCode',
] as const satisfies readonly (keyof WirePurchaseOrderSyncRow)[];
const ENTRY_FIELDS = [
  'EntryID',
  'EntryNumber',
  'YourRef',
  'Supplier',
  'SupplierName',
  'EntryDate',
  'DueDate',
  'Description',
  'Currency',
  'Modified',
] as const satisfies readonly (keyof WirePurchaseEntry)[];
const ENTRY_LINE_FIELDS = [
  'ID',
  'LineNumber',
  'GLAccountCode',
  'Description',
  'AmountFC',
  'VATAmountFC',
  'CostCenter',
  'CostUnit',
  'Project',
] as const;

export class ExactClient {
  readonly budget: RequestBudget;
  readonly #api: HttpClient;
  /** Token endpoint: own client, no budget (the token cap is custody's), no automatic retry. */
  readonly #oauth: HttpClient;
  readonly #options: ExactClientOptions;
  readonly #root: string;

  constructor(options: ExactClientOptions) {
    this.#options = options;
    this.#root = `/api/v1/${options.division}`;
    const { minutely, daily, errorsPerHour } = options.rateLimits;
    this.budget = getBudget(`exact:${options.clientId}:${options.division}`, {
      windows: [
        { kind: 'sliding', name: 'minutely', limit: minutely, windowMs: 60_000 },
        { kind: 'fixed', name: 'daily', limit: daily, nextResetAt: nextUtcMidnight },
      ],
      errorBudget: { limit: errorsPerHour, windowMs: 3_600_000 },
      clock: options.clock,
    });
    const common = {
      allowedHosts: options.allowedHosts,
      baseUrl: options.baseUrl,
      logger: options.logger,
      now: () => options.clock.now(),
      defaultHeaders: { accept: 'application/json' },
    };
    this.#api = new HttpClient({
      ...common,
      api: 'exact',
      rateLimitParser: parseExactRateLimits,
      budget: this.budget,
      retry: { sleep: options.clock.sleep, ...options.retry },
    });
    this.#oauth = new HttpClient({
      ...common,
      api: 'exact-oauth',
      retry: { sleep: options.clock.sleep, maxAttempts: 1 },
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.#api.close(), this.#oauth.close()]);
  }

  // -------------------------------------------------------------------------------------
  // OAuth (§1.2)

  authorizeEndpoint(): string {
    return new URL('/api/oauth2/auth', this.#options.baseUrl).href;
  }

  exchangeCode(input: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
    clientSecret: string;
  }): Promise<TokenSet> {
    registerSecret(input.clientSecret);
    return this.#tokenCall('sign-in', {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: this.#options.clientId,
      client_secret: input.clientSecret,
      code_verifier: input.codeVerifier,
    });
  }

  refreshTokens(input: {
    refreshToken: string;
    clientSecret: string;
    accessTokenExpiresAt?: number;
  }): Promise<TokenSet> {
    registerSecret(input.clientSecret);
    registerSecret(input.refreshToken);
    return this.#tokenCall(
      'refresh',
      {
        grant_type: 'refresh_token',
        refresh_token: input.refreshToken,
        client_id: this.#options.clientId,
        client_secret: input.clientSecret,
      },
      input.accessTokenExpiresAt,
    );
  }

  async #tokenCall(
    kind: 'sign-in' | 'refresh',
    form: Record<string, string>,
    accessTokenExpiresAt?: number,
  ): Promise<TokenSet> {
    let response: HttpResponse;
    try {
      response = await this.#oauth.request({
        method: 'POST',
        url: '/api/oauth2/token',
        body: { form },
        retrySafe: false,
        endpoint: 'oauth2/token',
      });
    } catch (error) {
      if (error instanceof HttpStatusError)
        throw this.#tokenError(kind, error.response, accessTokenExpiresAt);
      throw error;
    }
    return this.#parseTokenSet(response);
  }

  #parseTokenSet(response: HttpResponse): TokenSet {
    const body = response.json<WireTokenResponse>();
    const now = this.#options.clock.now();
    if (!body.access_token || !body.refresh_token)
      throw new Error(
        'Exact Online answered the token request without an access or refresh token; try signing in again.',
      );
    registerSecret(body.access_token);
    registerSecret(body.refresh_token);
    const expiresInSeconds = Number(String(body.expires_in ?? '').trim());
    if (body.expires_in === undefined || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0)
      throw new Error(
        `Exact Online answered the token request with an unreadable expires_in (${JSON.stringify(body.expires_in ?? null)}).`,
      );
    return {
      accessToken: body.access_token,
      accessTokenExpiresAt: now + expiresInSeconds * 1000,
      refreshToken: body.refresh_token,
      refreshTokenIssuedAt: now,
    };
  }

  /** Token-endpoint failures as the typed errors token custody understands, in plain words. */
  #tokenError(kind: 'sign-in' | 'refresh', response: HttpResponse, accessTokenExpiresAt?: number): Error {
    let body: WireOAuthError = {};
    try {
      body = response.json<WireOAuthError>();
    } catch {
      // Not JSON: decided on the status alone.
    }
    const description = body.error_description ?? '';
    const now = this.#options.clock.now();
    const reason = (response.headers.reason ?? '').trim();
    if (
      response.status === 400 &&
      (/TooEarlyToRefreshTokens/i.test(reason) || /not expired/i.test(description))
    ) {
      // Allowed in the last 30 s of the access token; without its expiry, assume it was just issued.
      const retryAt =
        accessTokenExpiresAt !== undefined
          ? Math.max(now, accessTokenExpiresAt - REFRESH_WINDOW_MS)
          : now + ACCESS_TOKEN_LIFETIME_MS - REFRESH_WINDOW_MS;
      return new RefreshTooEarlyError(
        `Exact Online refused to renew the sign-in this early; it will be accepted from ${new Date(retryAt).toISOString()}.`,
        retryAt,
      );
    }
    if (response.status === 429) {
      const resumeAt = nextUtcMidnight(now);
      return new TokenCallCapError(
        `Exact Online's daily limit of sign-in token requests was reached; it resets at ${new Date(resumeAt).toISOString()}.`,
        resumeAt,
      );
    }
    if (body.error === 'invalid_client')
      return new Error(
        'Exact Online rejected the app\u2019s client ID or client secret; check the app registration in the Exact App Center.',
      );
    const deadGrant =
      (response.status === 401 &&
        (/old refresh token/i.test(description) || body.error === 'unauthorized_client')) ||
      body.error === 'invalid_grant' ||
      (response.status === 400 && /expired/i.test(description));
    if (kind === 'refresh' && deadGrant)
      return new NeedsReauthError(
        'Exact Online no longer accepts this connection\u2019s sign-in (it expired or was replaced). Please sign in to Exact Online again.',
      );
    // Exact's own words help with a redirect-URI or PKCE mismatch; redacted in case they echo input.
    const said = description ? ` Exact Online said: ${JSON.stringify(quoteSnippet(description))}` : '';
    if (kind === 'sign-in' && (deadGrant || response.status === 400))
      return new NeedsReauthError(
        `Exact Online did not accept the sign-in (the code expired, was already used, or the redirect address differs). Please sign in to Exact Online again.${said}`,
      );
    return new Error(
      `Exact Online token request failed with HTTP ${response.status}${body.error ? ` (${body.error})` : ''}.${said}`,
    );
  }

  // -------------------------------------------------------------------------------------
  // API GETs

  /** GET with the current token; on 401 get a renewed token from custody once and repeat once. */
  async #get(url: string, endpoint: string, query?: Record<string, string>): Promise<HttpResponse> {
    const tokens = this.#options.tokens;
    const token = await tokens.getAccessToken();
    registerSecret(token);
    const send = (accessToken: string): Promise<HttpResponse> =>
      this.#api.request({
        method: 'GET',
        url,
        endpoint,
        headers: { authorization: `Bearer ${accessToken}` },
        ...(query ? { query } : {}),
      });
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      const renewed = await tokens.handleUnauthorized(token);
      registerSecret(renewed);
      return send(renewed);
    }
  }

  /** Every page of a collection, following `__next` verbatim. */
  async *#pages<T>(path: string, query: Record<string, string>, root = this.#root): AsyncGenerator<T[]> {
    const endpoint = path.split('?')[0] ?? path;
    // Encoded by the kit (RFC 3986, %20 for spaces) on the first call; __next links as given.
    let isFirst = true;
    yield* followNextLinks<T>(`${root}/${path}`, async (url) => {
      const response = isFirst ? await this.#get(url, endpoint, query) : await this.#get(url, endpoint);
      isFirst = false;
      const body = response.json<ODataCollection<T>>();
      if (!body.d || !Array.isArray(body.d.results))
        throw new Error(`Exact Online ${endpoint}: the answer has no d.results collection.`);
      return { items: body.d.results, next: body.d.__next ?? null };
    });
  }

  async #all<T>(path: string, query: Record<string, string>, root = this.#root): Promise<T[]> {
    const rows: T[] = [];
    for await (const page of this.#pages<T>(path, query, root)) rows.push(...page);
    return rows;
  }

  // -------------------------------------------------------------------------------------
  // Reads

  async me(): Promise<WireMe> {
    const response = await this.#get('/api/v1/current/Me', 'current/Me', {
      $select: 'UserID,FullName,CurrentDivision',
    });
    const body = response.json<ODataSingleOrCollection<WireMe>>();
    const d = body.d;
    const me = d && 'results' in d ? d.results[0] : d;
    if (!me) throw new Error('Exact Online current/Me returned no user.');
    return me;
  }

  /**
   * The user's divisions. Asked through `division` (any division of the user's): at connect
   * time the connection's own division is not known yet, so the caller passes CurrentDivision.
   */
  divisions(division: number): Promise<WireDivision[]> {
    const root = this.#root.replace(/\/api\/v1\/[^/]+$/, `/api/v1/${division}`);
    return this.#all<WireDivision>('system/Divisions', { $select: 'Code,Description' }, root);
  }

  /** Line-level purchase-order sync rows after `timestamp`, one array per fetched page. */
  purchaseOrderSyncPages(afterTimestamp: string): AsyncGenerator<WirePurchaseOrderSyncRow[]> {
    return this.#pages<WirePurchaseOrderSyncRow>('sync/PurchaseOrder/PurchaseOrders', {
      $filter: `Timestamp gt ${afterTimestamp}L`,
      $select: PO_SYNC_FIELDS.join(','),
    });
  }

  deletedPurchaseOrderPages(afterTimestamp: string): AsyncGenerator<WireDeletedRow[]> {
    return this.#pages<WireDeletedRow>('sync/Deleted', {
      $filter: `Timestamp gt ${afterTimestamp}L and EntityType eq ${DELETED_PURCHASE_ORDER}`,
      $select: 'Timestamp,EntityKey,EntityType,DeletedDate',
    });
  }

  /** Purchase entries with their lines, `Modified ge` the checkpoint (never `gt`), oldest first. */
  purchaseEntryPages(modifiedFromIso: string | null): AsyncGenerator<WirePurchaseEntry[]> {
    return this.#pages<WirePurchaseEntry>('purchaseentry/PurchaseEntries', {
      ...(modifiedFromIso === null
        ? {}
        : { $filter: `Modified ge datetime'${toODataDateTime(modifiedFromIso)}'` }),
      $select: [...ENTRY_FIELDS, ...ENTRY_LINE_FIELDS.map((field) => `PurchaseEntryLines/${field}`)].join(
        ',',
      ),
      $expand: 'PurchaseEntryLines',
      $orderby: 'Modified asc',
    });
  }

  /** Items by guid (logistics/Items has mandatory filtering: filter on ID in batches). */
  itemsById(ids: readonly string[]): Promise<WireItem[]> {
    return this.#byIds<WireItem>('logistics/Items', 'ID,Code,GLCostsCode', ids);
  }

  accountsById(ids: readonly string[]): Promise<WireAccount[]> {
    return this.#byIds<WireAccount>('crm/Accounts', 'ID,Code,Name', ids);
  }

  projectsById(ids: readonly string[]): Promise<WireCodedRow[]> {
    return this.#byIds<WireCodedRow>('project/Projects', 'ID,Code,Description', ids);
  }

  async #byIds<T>(path: string, select: string, ids: readonly string[]): Promise<T[]> {
    const rows: T[] = [];
    for (let at = 0; at < ids.length; at += LOOKUP_BATCH) {
      const filter = ids
        .slice(at, at + LOOKUP_BATCH)
        .map((id) => `ID eq guid'${guidLiteral(id)}'`)
        .join(' or ');
      rows.push(...(await this.#all<T>(path, { $filter: filter, $select: select })));
    }
    return rows;
  }

  glAccounts(): Promise<WireCodedRow[]> {
    return this.#all<WireCodedRow>('financial/GLAccounts', { $select: 'ID,Code,Description' });
  }

  costCenters(): Promise<WireCodedRow[]> {
    return this.#all<WireCodedRow>('hrm/Costcenters', { $select: 'ID,Code,Description' });
  }

  costUnits(): Promise<WireCodedRow[]> {
    return this.#all<WireCodedRow>('hrm/Costunits', { $select: 'ID,Code,Description' });
  }

  /** crm/Accounts has mandatory filtering; suppliers are `IsSupplier eq true` (§1.5). */
  suppliers(): Promise<WireAccount[]> {
    return this.#all<WireAccount>('crm/Accounts', { $filter: 'IsSupplier eq true', $select: 'ID,Code,Name' });
  }

  projects(): Promise<WireCodedRow[]> {
    return this.#all<WireCodedRow>('project/Projects', { $select: 'ID,Code,Description' });
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Guards the filter against anything but a guid (a guid from the server, but never trusted). */
function guidLiteral(id: string): string {
  if (!GUID.test(id))
    throw new Error(`Exact Online: ${JSON.stringify(id)} is not a guid; refusing to put it in a $filter.`);
  return id;
}

/** ISO instant -> OData datetime literal text "YYYY-MM-DDTHH:mm:ss.sss" (UTC, no zone suffix). */
export function toODataDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new Error(`Exact Online purchase invoice cursor ${JSON.stringify(iso)} is not an ISO date-time.`);
  return new Date(ms).toISOString().replace(/Z$/, '');
}
