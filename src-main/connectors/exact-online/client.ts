/**
 * The only file that knows Exact Online URLs and query shapes (fact sheet Part 1).
 *
 * - API calls: `Authorization: Bearer`, `$select` always, `__next` followed verbatim, shared
 *   request budget (60/min, 5,000/day per app and division, 10 errors/endpoint/hour), server
 *   rate-limit headers observed, 429/5xx retried by the kit after the server's reset.
 * - 401 on an API call: ask token custody once for a renewed token and repeat the call once.
 * - Token endpoint: form POST, never retried automatically (a lost answer + a retry would spend
 *   a rotated refresh token), errors mapped to NeedsReauthError / ClientSecretRefusedError /
 *   RefreshTooEarlyError / TokenCallCapError in plain words; answers read by token-response.ts.
 */
import {
  ClientSecretRefusedError,
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
  WireAccountWrite,
  WireBankAccount,
  WireCodedRow,
  WireDeletedRow,
  WireDivision,
  WireItem,
  WireMe,
  WireOAuthError,
  WirePurchaseEntry,
  WirePurchaseEntryRef,
  WirePurchaseOrderSyncRow,
  WireSalesInvoice,
  WireSalesInvoiceRow,
  WireSalesOrder,
  WireSalesOrderFeedRow,
  WireSupplierAccount,
} from './wire';
import { EXACT_ACCESS_TOKEN_LIFETIME_SECONDS, parseTokenResponse } from './token-response';

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
  /** Access-token lifetime when a token answer has no `expires_in` (default 600 s, §1.2). */
  accessTokenLifetimeSeconds?: number;
}

/** The refresh window at the end of an access token's life (§1.2). */
const REFRESH_WINDOW_MS = 30_000;
/** Items / accounts / projects looked up per `$filter=ID eq guid'…' or …` call (keeps URLs short). */
const LOOKUP_BATCH = 20;
/** sync/Deleted EntityType codes (§1.6). */
export const DELETED_ENTITY_TYPES = {
  accounts: [2],
  salesInvoices: [13],
  purchaseOrders: [22],
  // 12 = the legacy SalesOrders type, 32 = SalesOrderHeaders: either may name a deleted order.
  salesOrders: [12, 32],
} as const;
/** Account codes are 18 characters, right-aligned with spaces; filters must match the padding (§1.4). */
const ACCOUNT_CODE_LENGTH = 18;

const PO_SYNC_FIELDS = [
  'ReceiptDate',
  'VATAmount',
  'VATCode',
  'CostCenterDescription',
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
  'Type',
  'OrderNumber',
  'Status',
] as const satisfies readonly (keyof WirePurchaseEntry)[];
const ENTRY_LINE_FIELDS = [
  'ID',
  'LineNumber',
  'GLAccountCode',
  'GLAccountDescription',
  'Description',
  'AmountFC',
  'VATAmountFC',
  'VATCode',
  'CostCenter',
  'CostCenterDescription',
  'CostUnit',
  'Project',
  'Quantity',
] as const;
/** Header fields of a sales invoice: on every row of the line-level feed, and on salesinvoice/SalesInvoices. */
const SALES_INVOICE_HEADER_FIELDS = [
  'InvoiceID',
  'InvoiceNumber',
  'InvoiceDate',
  'DueDate',
  'InvoiceTo',
  'InvoiceToName',
  'Currency',
  'Status',
  'Type',
  'YourRef',
  'AmountFCExclVat',
] as const satisfies readonly (keyof WireSalesInvoiceRow)[];
const SALES_INVOICE_LINE_FIELDS = [
  'ID',
  'LineNumber',
  'ItemCode',
  'Description',
  'Quantity',
  'UnitPrice',
  'AmountFC',
  'VATAmountFC',
  'VATCode',
  'GLAccount',
  'GLAccountDescription',
  'CostCenter',
  'CostCenterDescription',
  'CostUnit',
  'Modified',
] as const satisfies readonly (keyof WireSalesInvoiceRow)[];
const SALES_ORDER_FIELDS = [
  'OrderID',
  'OrderNumber',
  'OrderDate',
  'DeliveryDate',
  'OrderedBy',
  'OrderedByName',
  'Description',
  'YourRef',
  'Currency',
  'Status',
  'Modified',
] as const satisfies readonly (keyof WireSalesOrder)[];
const SALES_ORDER_LINE_FIELDS = [
  'ID',
  'LineNumber',
  'Item',
  'ItemCode',
  'ItemDescription',
  'Description',
  'Quantity',
  'UnitPrice',
  'AmountFC',
  'VATAmount',
  'VATCode',
  'CostCenter',
  'CostCenterDescription',
  'CostUnit',
  'Modified',
] as const;
const SUPPLIER_FIELDS = [
  'ID',
  'Code',
  'Name',
  'IsSupplier',
  'Blocked',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'Postcode',
  'City',
  'Country',
  'Email',
  'Phone',
  'VATNumber',
  'ChamberOfCommerce',
  'Modified',
] as const satisfies readonly (keyof WireSupplierAccount)[];
const BANK_ACCOUNT_FIELDS = ['ID', 'Account', 'BankAccount', 'BankAccountHolderName', 'BICCode', 'Main'] as const;

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
      input.refreshToken,
    );
  }

  get #lifetimeSeconds(): number {
    return this.#options.accessTokenLifetimeSeconds ?? EXACT_ACCESS_TOKEN_LIFETIME_SECONDS;
  }

  async #tokenCall(
    kind: 'sign-in' | 'refresh',
    form: Record<string, string>,
    accessTokenExpiresAt?: number,
    usedRefreshToken?: string,
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
    let body: unknown;
    try {
      body = response.json<unknown>();
    } catch {
      body = null; // refused below in plain words
    }
    // Redacted from logs before anything else can mention them.
    if (typeof body === 'object' && body !== null) {
      const { access_token: access, refresh_token: refresh } = body as Record<string, unknown>;
      if (typeof access === 'string' && access) registerSecret(access);
      if (typeof refresh === 'string' && refresh) registerSecret(refresh);
    }
    return parseTokenResponse(body, {
      kind,
      now: this.#options.clock.now(),
      defaultLifetimeSeconds: this.#lifetimeSeconds,
      ...(usedRefreshToken !== undefined ? { usedRefreshToken } : {}),
    });
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
          : now + this.#lifetimeSeconds * 1000 - REFRESH_WINDOW_MS;
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
    // RFC 6749 §5.2: the client's own credentials were refused. Signing in again with the same
    // secret cannot help, and each further token call would count against the 200 a day.
    if (body.error === 'invalid_client')
      return new ClientSecretRefusedError(
        kind === 'refresh'
          ? 'Exact Online refused the app\u2019s client secret (it was changed or mistyped). Enter the current client secret from the Exact App Center under Connections (Edit), or connect again; until then nothing is synced and no sign-in token calls are made.'
          : 'Exact Online refused the app\u2019s client ID or client secret. Copy both again from the app registration in the Exact App Center and connect again.',
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
  #get(url: string, endpoint: string, query?: Record<string, string>): Promise<HttpResponse> {
    return this.#call('GET', url, endpoint, query ? { query } : {});
  }

  /**
   * One API call with the current token; on 401 a renewed token from custody, and the call once
   * more (a 401 means Exact did not act on it, so repeating even a write is safe). Writes are
   * never repeated on anything else (not retry-safe: the kit surfaces the failure).
   */
  async #call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    endpoint: string,
    options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResponse> {
    const tokens = this.#options.tokens;
    const token = await tokens.getAccessToken();
    registerSecret(token);
    const send = (accessToken: string): Promise<HttpResponse> =>
      this.#api.request({
        method,
        url,
        endpoint,
        headers: { ...options.headers, authorization: `Bearer ${accessToken}` },
        ...(options.query ? { query: options.query } : {}),
        ...(options.body !== undefined ? { body: { json: options.body }, retrySafe: false } : {}),
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
      // Keyed by the row's OData uri (its key; a sync row's Timestamp): a row sent twice is read
      // once, a __next pointing at a page already read is followed again (sandbox `dupes`, `repeat`).
    }, { keyOf: odataUriOf });
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

  /** sync/Deleted rows of the given EntityType codes after `timestamp` (one mechanism for every entity). */
  deletedPages(entityTypes: readonly number[], afterTimestamp: string): AsyncGenerator<WireDeletedRow[]> {
    const types = entityTypes.map((type) => `EntityType eq ${type}`);
    return this.#pages<WireDeletedRow>('sync/Deleted', {
      $filter: `Timestamp gt ${afterTimestamp}L and ${types.length === 1 ? types[0] : `(${types.join(' or ')})`}`,
      $select: 'Timestamp,EntityKey,EntityType,DeletedDate',
    });
  }

  /** Line-level sales-invoice sync rows after `timestamp` (§1.6), one array per fetched page. */
  salesInvoiceSyncPages(afterTimestamp: string): AsyncGenerator<WireSalesInvoiceRow[]> {
    return this.#pages<WireSalesInvoiceRow>('sync/SalesInvoice/SalesInvoices', {
      $filter: `Timestamp gt ${afterTimestamp}L`,
      $select: ['Timestamp', ...SALES_INVOICE_HEADER_FIELDS, ...SALES_INVOICE_LINE_FIELDS].join(','),
    });
  }

  /** Whole sales invoices (lines expanded) by InvoiceID, 20 per call. */
  salesInvoicesById(ids: readonly string[]): Promise<WireSalesInvoice[]> {
    return this.#byIds<WireSalesInvoice>(
      'salesinvoice/SalesInvoices',
      [...SALES_INVOICE_HEADER_FIELDS, ...SALES_INVOICE_LINE_FIELDS.map((f) => `SalesInvoiceLines/${f}`)].join(','),
      ids,
      { keyField: 'InvoiceID', expand: 'SalesInvoiceLines' },
    );
  }

  /** Which sales orders changed: sync/SalesOrder/SalesOrderHeaders rows after `timestamp`. */
  salesOrderHeaderFeedPages(afterTimestamp: string): AsyncGenerator<WireSalesOrderFeedRow[]> {
    return this.#pages<WireSalesOrderFeedRow>('sync/SalesOrder/SalesOrderHeaders', {
      $filter: `Timestamp gt ${afterTimestamp}L`,
      $select: 'Timestamp,OrderID',
    });
  }

  /** Which sales-order lines changed: sync/SalesOrder/SalesOrderLines rows after `timestamp`. */
  salesOrderLineFeedPages(afterTimestamp: string): AsyncGenerator<WireSalesOrderFeedRow[]> {
    return this.#pages<WireSalesOrderFeedRow>('sync/SalesOrder/SalesOrderLines', {
      $filter: `Timestamp gt ${afterTimestamp}L`,
      $select: 'Timestamp,ID,OrderID,Modified',
    });
  }

  /** Whole sales orders (lines expanded) by OrderID, 20 per call. */
  salesOrdersById(ids: readonly string[]): Promise<WireSalesOrder[]> {
    return this.#byIds<WireSalesOrder>(
      'salesorder/SalesOrders',
      [...SALES_ORDER_FIELDS, ...SALES_ORDER_LINE_FIELDS.map((f) => `SalesOrderLines/${f}`)].join(','),
      ids,
      { keyField: 'OrderID', expand: 'SalesOrderLines' },
    );
  }

  /** Account changes after `timestamp` (sync/CRM/Accounts: every account; suppliers are picked by the caller). */
  accountSyncPages(afterTimestamp: string): AsyncGenerator<WireSupplierAccount[]> {
    return this.#pages<WireSupplierAccount>('sync/CRM/Accounts', {
      $filter: `Timestamp gt ${afterTimestamp}L`,
      $select: ['Timestamp', ...SUPPLIER_FIELDS, 'BankAccounts'].join(','),
    });
  }

  /** Bank accounts of the given accounts (when the sync rows did not carry them inline). */
  bankAccountsOf(accountIds: readonly string[]): Promise<WireBankAccount[]> {
    return this.#byIds<WireBankAccount>('crm/BankAccounts', BANK_ACCOUNT_FIELDS.join(','), accountIds, { keyField: 'Account' });
  }

  /** The account with this code (padded to 18 for the filter, §1.4), with its bank accounts; at most one. */
  async accountByCode(code: string): Promise<WireSupplierAccount | null> {
    const rows = await this.#all<WireSupplierAccount>('crm/Accounts', {
      $filter: `Code eq ${odataString(padAccountCode(code))}`,
      $select: [...SUPPLIER_FIELDS, ...BANK_ACCOUNT_FIELDS.map((f) => `BankAccounts/${f}`)].join(','),
      $expand: 'BankAccounts',
    });
    return rows[0] ?? null;
  }

  /** One account by id, with its bank accounts; null when Exact answers 404. */
  async accountById(id: string): Promise<WireSupplierAccount | null> {
    try {
      const response = await this.#get(`${this.#root}/crm/Accounts(guid'${guidLiteral(id)}')`, 'crm/Accounts', {
        $select: [...SUPPLIER_FIELDS, ...BANK_ACCOUNT_FIELDS.map((f) => `BankAccounts/${f}`)].join(','),
        $expand: 'BankAccounts',
      });
      return response.json<{ d: WireSupplierAccount }>().d;
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * POST crm/Accounts; `Prefer: return=representation` asks for the created account (§1.2).
   * Not retry-safe: a lost answer surfaces as an error, and the caller looks the code up.
   */
  async createAccount(body: WireAccountWrite): Promise<WireSupplierAccount> {
    const response = await this.#call('POST', `${this.#root}/crm/Accounts`, 'crm/Accounts', {
      body,
      headers: { prefer: 'return=representation' },
    });
    const d = response.json<{ d?: WireSupplierAccount }>().d;
    if (!d?.ID) throw new Error('Exact Online created the account but its answer has no ID.');
    return d;
  }

  /** PUT crm/Accounts(guid'…') with the changed fields; Exact answers 204 with no body (§1.4). */
  async updateAccount(id: string, body: WireAccountWrite): Promise<void> {
    await this.#call('PUT', `${this.#root}/crm/Accounts(guid'${guidLiteral(id)}')`, 'crm/Accounts', { body });
  }

  /** The supplier's purchase entry with this supplier invoice number (`YourRef`), if any. */
  purchaseEntriesByInvoiceNumber(supplierId: string, invoiceNumber: string): Promise<WirePurchaseEntryRef[]> {
    return this.#all<WirePurchaseEntryRef>('purchaseentry/PurchaseEntries', {
      $filter: `Supplier eq guid'${guidLiteral(supplierId)}' and YourRef eq ${odataString(invoiceNumber)}`,
      $select: 'EntryID,EntryNumber,YourRef,EntryDate,Type',
    });
  }

  glAccountsById(ids: readonly string[]): Promise<WireCodedRow[]> {
    return this.#byIds<WireCodedRow>('financial/GLAccounts', 'ID,Code,Description', ids);
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
    return this.#byIds<WireItem>(
      'logistics/Items',
      'ID,Code,GLCostsCode,GLCostsDescription,GLRevenueCode,GLRevenueDescription',
      ids,
    );
  }

  accountsById(ids: readonly string[]): Promise<WireAccount[]> {
    return this.#byIds<WireAccount>('crm/Accounts', 'ID,Code,Name', ids);
  }

  projectsById(ids: readonly string[]): Promise<WireCodedRow[]> {
    return this.#byIds<WireCodedRow>('project/Projects', 'ID,Code,Description', ids);
  }

  /** Rows whose `keyField` (default ID) is one of `ids`, 20 per call (keeps URLs short). */
  async #byIds<T>(
    path: string,
    select: string,
    ids: readonly string[],
    options: { keyField?: string; expand?: string } = {},
  ): Promise<T[]> {
    const keyField = options.keyField ?? 'ID';
    const rows: T[] = [];
    for (let at = 0; at < ids.length; at += LOOKUP_BATCH) {
      const filter = ids
        .slice(at, at + LOOKUP_BATCH)
        .map((id) => `${keyField} eq guid'${guidLiteral(id)}'`)
        .join(' or ');
      const query: Record<string, string> = { $filter: filter, $select: select };
      if (options.expand) query.$expand = options.expand;
      rows.push(...(await this.#all<T>(path, query)));
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

/** An OData string literal: quoted, a quote inside doubled (§1.4). */
export function odataString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Right-aligned to 18 characters, as Exact stores and filters account codes (§1.4). */
export function padAccountCode(code: string): string {
  const trimmed = code.trim();
  if (trimmed.length > ACCOUNT_CODE_LENGTH)
    throw new RangeError(`Exact Online account codes have at most ${ACCOUNT_CODE_LENGTH} characters; "${trimmed}" has ${trimmed.length}.`);
  return trimmed.padStart(ACCOUNT_CODE_LENGTH, ' ');
}

/** ISO instant -> OData datetime literal text "YYYY-MM-DDTHH:mm:ss.sss" (UTC, no zone suffix). */
export function toODataDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new Error(`Exact Online purchase invoice cursor ${JSON.stringify(iso)} is not an ISO date-time.`);
  return new Date(ms).toISOString().replace(/Z$/, '');
}

/** An OData row's `__metadata.uri` (null when the answer left it out: such a row is never dropped). */
function odataUriOf(row: unknown): string | null {
  const meta = row !== null && typeof row === 'object' ? (row as { __metadata?: { uri?: unknown } }).__metadata : undefined;
  return typeof meta?.uri === 'string' && meta.uri !== '' ? meta.uri : null;
}
