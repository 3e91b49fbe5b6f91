/**
 * The only file that knows Procore's URLs, headers and wire shapes (fact sheet Part 2).
 *
 * - Every API call carries `Authorization: Bearer` (from token custody) and
 *   `Procore-Company-Id` (§2.3: required on every call for DMSA apps); on 401 custody is asked
 *   once for a renewed token and the call is repeated once.
 * - One budget per company (`procore:<companyId>`): hourly + 10-second spike windows, corrected
 *   by the X-Rate-Limit-* headers (§2.6); 429/503 wait for Retry-After (the kit's retry).
 * - Sync PATCHes are `retrySafe`: Procore matches items by origin_id, so repeating a call whose
 *   answer was lost updates the same records instead of creating duplicates (§2.5).
 * - Responses are parsed with `parseProcoreJson` so ids above 2^53 keep every digit.
 */
import type { AccessTokenProvider, ConnectorContext } from '../connector';
import type {
  BudgetWindowSnapshot,
  HttpRequest,
  HttpResponse,
  KitClock,
  QueryParams,
  RequestBudget,
} from '../_kit';
import {
  HostNotAllowedError,
  HttpClient,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  UnauthorizedError,
  getBudget,
  freshRecords,
  paginateByPageNumber,
  recordIdOf,
  parseLinkHeader,
  parseProcoreRateLimits,
  registerSecret,
  systemClock,
} from '../_kit';
import type { TokenSet } from '../../../src-shared/domain/auth';
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import { idToWire, parseProcoreJson, ProcoreResponseShapeError } from './mappers';
import type { ProcoreSettings } from './types';
import type {
  WireCodedLine,
  WireCommitment,
  WireCommitmentRecord,
  WireCommitmentUpdate,
  WireContractPayment,
  WireContractPaymentCreate,
  WireCostCode,
  WireCostCodeRecord,
  WireCostCodeUpdate,
  WireDirectCostLink,
  WireDirectCostRecord,
  WireRequisition,
  WireRequisitionItem,
  WireVendorRecord,
  WireVendorUpdate,
  WireDirectCost,
  WireDirectCostLineUpdate,
  WireDirectCostUpdate,
  WireErrorBody,
  WireLineItem,
  WireLineItemType,
  WireLineUpdate,
  WireOAuthError,
  WireProject,
  WireSyncResponse,
  WireTokenResponse,
  WireVendor,
} from './wire';

const API = 'procore';
const REST = '/rest/v1.0';
const HOUR_MS = 3_600_000;
const SPIKE_WINDOW_MS = 10_000;
/** Budget window names: ours, and the kit's name for the window Procore's headers describe. */
const HOURLY_WINDOW = 'hourly';
const HEADER_WINDOW = 'nearest';
/** X-Rate-Limit-Reset is in whole seconds (rounded up), so a spike reset may lie up to 1 s further. */
const RESET_ROUNDING_MS = 1_000;
export const DEFAULT_HOURLY_LIMIT = 3600;
export const DEFAULT_SPIKE_LIMIT = 25;
export const DEFAULT_PER_PAGE = 1000;
/** §2.5: sync actions take at most 1000 items per call. */
export const SYNC_MAX_ITEMS = 1000;

/** A connection setting (company id, write concurrency) is missing or malformed: nothing was sent. */
export class ProcoreConfigError extends Error {
  override readonly name = 'ProcoreConfigError';
}

export type ProcoreClientContext = ConnectorContext & { tokens: AccessTokenProvider };

export class ProcoreClient {
  readonly companyId: string;
  /** The company's request budget (`procore:<companyId>`), shared by every flow using it. */
  readonly budget: RequestBudget;
  readonly #clock: KitClock;
  readonly #http: HttpClient;
  readonly #authHttp: HttpClient;
  readonly #tokens: AccessTokenProvider;
  readonly #now: () => number;
  readonly #perPage: number;

  constructor(ctx: ProcoreClientContext, settings: ProcoreSettings) {
    this.companyId = settings.companyId.trim();
    this.#tokens = ctx.tokens;
    const clock: KitClock = settings.clock ?? systemClock;
    this.#clock = clock;
    this.#now = ctx.now ?? (() => clock.now());
    this.#perPage = settings.perPage ?? DEFAULT_PER_PAGE;
    const retry = { sleep: clock.sleep, ...settings.retry };
    const common = { api: API, allowedHosts: ctx.allowedHosts, logger: ctx.logger, now: this.#now, retry };
    // The budget is the company's, shared by every flow talking to it (first config wins).
    this.budget = getBudget(`procore:${this.companyId}`, {
      windows: [
        {
          kind: 'sliding',
          name: HOURLY_WINDOW,
          limit: settings.rateLimits?.hourly ?? DEFAULT_HOURLY_LIMIT,
          windowMs: HOUR_MS,
        },
        {
          kind: 'sliding',
          name: 'spike',
          limit: settings.rateLimits?.spikePer10s ?? DEFAULT_SPIKE_LIMIT,
          windowMs: SPIKE_WINDOW_MS,
        },
      ],
      clock,
    });
    this.#http = new HttpClient({
      ...common,
      baseUrl: settings.apiBaseUrl,
      rateLimitParser: parseProcoreRateLimits,
      budget: this.budget,
    });
    // The token endpoint is on the auth host and outside the API's rate-limit windows.
    this.#authHttp = new HttpClient({ ...common, baseUrl: settings.authBaseUrl });
  }

  /** §2.2 client credentials (DMSA): form fields; 5400 s token; no refresh token. */
  async requestToken(credentials: { clientId: string; clientSecret: string }): Promise<TokenSet> {
    registerSecret(credentials.clientSecret);
    let response: HttpResponse;
    try {
      response = await this.#authHttp.request({
        method: 'POST',
        url: '/oauth/token',
        body: {
          form: {
            grant_type: 'client_credentials',
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
          },
        },
        // A second token request creates nothing that a first one did not.
        retrySafe: true,
      });
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 400 || error.status === 401)) {
        const body = safeJson<WireOAuthError>(error.response.text);
        const code = body?.error ?? `HTTP ${error.status}`;
        throw new NeedsReauthError(
          `Procore refused the client id or secret (${code}${body?.error_description ? `: ${body.error_description}` : ''}). ` +
            'Check the app credentials of this connection.',
        );
      }
      throw error;
    }
    const body = response.json<WireTokenResponse>();
    const expiresIn = Number(body.expires_in);
    if (!body.access_token || !Number.isFinite(expiresIn) || expiresIn <= 0)
      throw new ProcoreResponseShapeError('Procore token response has no access_token or expires_in');
    registerSecret(body.access_token);
    return {
      accessToken: body.access_token,
      // Our clock, not created_at: a skewed server clock must not make us use a dead token.
      accessTokenExpiresAt: this.#now() + expiresIn * 1000,
      refreshToken: null,
      refreshTokenIssuedAt: null,
    };
  }

  /**
   * The hourly window as polls are spaced by it. Procore's X-Rate-Limit-* headers describe
   * whichever window is nearest exhaustion (§2.6); when their reset lies further ahead than a
   * spike window can reach, they describe the hourly window and their figures win over our own
   * count (the 3,600/hour default is only historically documented). Otherwise our count stands.
   */
  hourlyBudget(): BudgetWindowSnapshot | null {
    const windows = this.budget.snapshot().windows;
    const ours = windows.find((w) => w.name === HOURLY_WINDOW) ?? null;
    const spikeHorizon = this.#clock.now() + SPIKE_WINDOW_MS + RESET_ROUNDING_MS;
    const server = windows.find(
      (w) => w.name === HEADER_WINDOW && w.resetAt !== null && w.resetAt > spikeHorizon,
    );
    if (!server) return ours;
    const limit = server.limit ?? ours?.limit ?? null;
    return {
      ...server,
      name: HOURLY_WINDOW,
      limit,
      used: limit === null ? null : Math.max(0, limit - server.remaining),
    };
  }

  // ---- reads ----------------------------------------------------------------------------

  listProjects(): Promise<WireProject[]> {
    return this.#listAll<WireProject>(`${REST}/projects`, { company_id: this.companyId });
  }

  listCostCodes(projectId: string): Promise<WireCostCode[]> {
    return this.#listAll<WireCostCode>(`${REST}/cost_codes`, { project_id: projectId });
  }

  listLineItemTypes(): Promise<WireLineItemType[]> {
    return this.#listAll<WireLineItemType>(`${REST}/line_item_types`, { company_id: this.companyId });
  }

  /** Active company vendors (inactive ones live under /companies/{id}/vendors/inactive). */
  listVendors(): Promise<WireVendor[]> {
    return this.#listAll<WireVendor>(`${REST}/vendors`, { company_id: this.companyId });
  }

  listCommitments(projectId: string, filter: RecordFilter): Promise<WireCommitment[]> {
    return this.#listAll<WireCommitment>(`${REST}/purchase_order_contracts`, {
      project_id: projectId,
      ...filterQuery(filter),
    });
  }

  listCommitmentLines(projectId: string, commitmentId: string): Promise<WireLineItem[]> {
    return this.#listAll<WireLineItem>(`${REST}/purchase_order_contracts/${commitmentId}/line_items`, {
      project_id: projectId,
    });
  }

  listDirectCosts(
    projectId: string,
    filter: RecordFilter,
  ): Promise<Array<WireDirectCost & { line_items?: WireLineItem[] }>> {
    return this.#listAll(`${REST}/projects/${projectId}/direct_costs`, filterQuery(filter));
  }

  listDirectCostLines(projectId: string, directCostId: string): Promise<WireLineItem[]> {
    return this.#listAll<WireLineItem>(
      `${REST}/projects/${projectId}/direct_costs/${directCostId}/line_items`,
      {},
    );
  }

  // ---- source reads for the cursor streams (flows F2/F3) --------------------------------------

  /**
   * One page of a source list. `updatedWindow` becomes `filters[updated_at]=from...to` (§2.4)
   * where the list documents that filter (not on commitment change orders: §2.5 lists id,
   * batch_id, legacy_package_id and contract_id only, so the caller filters those itself).
   * Commitments are listed with `filters[include_deleted]=with` so deletions are seen.
   */
  async sourcePage<T>(
    list: SourceList,
    updatedWindow: { from: string; to: string },
    page: number,
    perPage: number,
  ): Promise<ListPage<T>> {
    const window = { 'filters[updated_at]': `${updatedWindow.from}...${updatedWindow.to}` };
    const { url, query } = ((): { url: string; query: QueryParams } => {
      switch (list.kind) {
        case 'purchase-order-contracts':
        case 'work-order-contracts':
          return {
            url: `${REST}/${list.kind === 'purchase-order-contracts' ? 'purchase_order_contracts' : 'work_order_contracts'}`,
            query: { project_id: list.projectId, ...window, 'filters[include_deleted]': 'with' },
          };
        case 'commitment-change-orders':
          return { url: `${REST}/projects/${list.projectId}/commitment_change_orders`, query: {} };
        case 'requisitions':
          return { url: `${REST}/requisitions`, query: { project_id: list.projectId, ...window } };
        case 'direct-costs':
          return { url: `${REST}/projects/${list.projectId}/direct_costs`, query: window };
        case 'vendors':
          return { url: `${REST}/vendors`, query: { company_id: this.companyId, ...window } };
        case 'inactive-vendors':
          return { url: `${REST}/companies/${this.companyId}/vendors/inactive`, query: window };
      }
    })();
    return this.#page<T>(url, query, page, perPage);
  }

  /** SOV lines of a purchase order or work order contract. */
  listContractLines(kind: CommitmentKind, projectId: string, commitmentId: string): Promise<WireCodedLine[]> {
    return this.#listAll<WireCodedLine>(`${REST}/${COMMITMENT_PATHS[kind]}/${commitmentId}/line_items`, {
      project_id: projectId,
    });
  }

  /** Every live commitment of a project, both kinds (the mixed `/commitments` list, §2.5). */
  listProjectCommitments(projectId: string): Promise<WireCommitmentRecord[]> {
    return this.#listAll<WireCommitmentRecord>(`${REST}/commitments`, { project_id: projectId });
  }

  /** The G703 items of a subcontractor invoice: contract items or change-order items (§2.5). */
  listRequisitionItems(
    kind: 'contract' | 'change-order',
    projectId: string,
    requisitionId: string,
  ): Promise<WireRequisitionItem[]> {
    const path = kind === 'contract' ? 'contract_items' : 'change_order_items';
    return this.#listAll<WireRequisitionItem>(`${REST}/requisitions/${requisitionId}/${path}`, {
      project_id: projectId,
    });
  }

  /** Direct cost lines of one direct cost (when the list did not embed them). */
  listDirectCostLineRecords(projectId: string, directCostId: string): Promise<WireCodedLine[]> {
    return this.#listAll<WireCodedLine>(`${REST}/projects/${projectId}/direct_costs/${directCostId}/line_items`, {});
  }

  listCostCodeRecords(projectId: string, filter: RecordFilter): Promise<WireCostCodeRecord[]> {
    return this.#listAll<WireCostCodeRecord>(`${REST}/cost_codes`, { project_id: projectId, ...filterQuery(filter) });
  }

  /** Active company vendors; `inactive` lists the deactivated ones (§2.5). */
  listVendorRecords(filter: RecordFilter, which: 'active' | 'inactive' = 'active'): Promise<WireVendorRecord[]> {
    return which === 'active'
      ? this.#listAll<WireVendorRecord>(`${REST}/vendors`, { company_id: this.companyId, ...filterQuery(filter) })
      : this.#listAll<WireVendorRecord>(`${REST}/companies/${this.companyId}/vendors/inactive`, filterQuery(filter));
  }

  listRequisitions(projectId: string, filter: RecordFilter): Promise<WireRequisition[]> {
    return this.#listAll<WireRequisition>(`${REST}/requisitions`, { project_id: projectId, ...filterQuery(filter) });
  }

  /** Payments issued against a commitment; the list documents no filters (SDK). */
  listContractPayments(projectId: string, contractId: string): Promise<WireContractPayment[]> {
    return this.#listAll<WireContractPayment>(`${REST}/contract_payments`, {
      project_id: projectId,
      contract_id: contractId,
    });
  }

  // ---- write-backs (flows F2/F3) ---------------------------------------------------------------

  /**
   * `PATCH /requisitions/{id}` with ERP fields (origin_id, origin_data, erp_status,
   * payment_date). Setting the same values twice changes nothing, so it is retrySafe.
   */
  async patchRequisition(
    projectId: string,
    requisitionId: string,
    fields: Record<string, string | null>,
  ): Promise<WireRequisition> {
    const response = await this.#call({
      method: 'PATCH',
      url: `${REST}/requisitions/${requisitionId}`,
      query: { project_id: projectId },
      body: { json: { project_id: idToWire(projectId, 'project'), requisition: fields } },
      retrySafe: true,
    });
    return parseProcoreJson(response.text, response.url) as WireRequisition;
  }

  /** Creates a contract payment. Not retrySafe: a repeat would pay twice; look it up instead. */
  async createContractPayment(
    projectId: string,
    contractId: string,
    payment: WireContractPaymentCreate,
  ): Promise<WireContractPayment> {
    const response = await this.#call({
      method: 'POST',
      url: `${REST}/contract_payments`,
      body: {
        json: {
          project_id: idToWire(projectId, 'project'),
          contract_id: idToWire(contractId, 'commitment'),
          contract_payment: payment,
        },
      },
    });
    return parseProcoreJson(response.text, response.url) as WireContractPayment;
  }

  /** Deletes a contract payment; a repeat after a lost answer meets 404, which the caller reads as done. */
  async deleteContractPayment(projectId: string, contractId: string, paymentId: string): Promise<void> {
    await this.#call({
      method: 'DELETE',
      url: `${REST}/contract_payments/${paymentId}`,
      query: { project_id: projectId, contract_id: contractId },
      retrySafe: true,
    });
  }

  syncVendors(updates: WireVendorUpdate[]): Promise<WireSyncResponse<WireVendorRecord>> {
    return this.#sync(`${REST}/vendors/sync`, {}, { company_id: idToWire(this.companyId, 'company'), updates });
  }

  /** §2.5: project_id placement is unconfirmed, so it goes in both the query and the body. */
  syncCostCodes(projectId: string, updates: WireCostCodeUpdate[]): Promise<WireSyncResponse<WireCostCodeRecord>> {
    return this.#sync(
      `${REST}/cost_codes/sync`,
      { project_id: projectId },
      { project_id: idToWire(projectId, 'project'), updates },
    );
  }

  /** Direct cost sync items keyed by id: sets origin_id / origin_data or payment_date. */
  syncDirectCostLinks(
    projectId: string,
    updates: WireDirectCostLink[],
  ): Promise<WireSyncResponse<WireDirectCostRecord>> {
    return this.#sync(`${REST}/projects/${projectId}/direct_costs/sync`, {}, { updates });
  }

  // ---- sync writes (§2.5: always 200 {entities, errors}; ≤ 1000 items) ----------------------

  syncCommitments(
    projectId: string,
    updates: WireCommitmentUpdate[],
  ): Promise<WireSyncResponse<WireCommitment>> {
    return this.#sync(
      `${REST}/purchase_order_contracts/sync`,
      {},
      { project_id: idToWire(projectId, 'project'), updates },
    );
  }

  syncCommitmentLines(
    projectId: string,
    commitmentId: string,
    updates: WireLineUpdate[],
  ): Promise<WireSyncResponse<WireLineItem>> {
    return this.#sync(
      `${REST}/purchase_order_contracts/${commitmentId}/line_items/sync`,
      { project_id: projectId },
      { updates },
    );
  }

  syncDirectCosts(
    projectId: string,
    updates: WireDirectCostUpdate[],
  ): Promise<WireSyncResponse<WireDirectCost>> {
    return this.#sync(`${REST}/projects/${projectId}/direct_costs/sync`, {}, { updates });
  }

  syncDirectCostLines(
    projectId: string,
    updates: WireDirectCostLineUpdate[],
  ): Promise<WireSyncResponse<WireLineItem>> {
    return this.#sync(`${REST}/projects/${projectId}/direct_costs/line_items/sync`, {}, { updates });
  }

  async close(): Promise<void> {
    await Promise.all([this.#http.close(), this.#authHttp.close()]);
  }

  // ---- mechanics -------------------------------------------------------------------------

  async #sync<E>(
    url: string,
    query: QueryParams,
    body: { updates: unknown[] } & Record<string, unknown>,
  ): Promise<WireSyncResponse<E>> {
    if (body.updates.length > SYNC_MAX_ITEMS)
      throw new RangeError(
        `a Procore sync call takes at most ${SYNC_MAX_ITEMS} items, got ${body.updates.length}`,
      );
    const response = await this.#call({ method: 'PATCH', url, query, body: { json: body }, retrySafe: true });
    const parsed = parseProcoreJson(response.text, response.url) as WireSyncResponse<E> | null;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ProcoreResponseShapeError(`Procore answered ${url} without the {entities, errors} object`);
    return parsed;
  }

  /** Every page of a list: Link rel="next" (§2.4); without Link, the Total header or a full page. */
  async #listAll<T>(url: string, query: QueryParams): Promise<T[]> {
    const all: T[] = [];
    // A record sent twice (sandbox fault `dupes`) is read once: an invoice's items counted
    // twice would claim twice the amount.
    const ids = new Set<string>();
    const pages = paginateByPageNumber<T>(this.#perPage, async (page, perPage) => {
      const response = await this.#call({ method: 'GET', url, query: { ...query, page, per_page: perPage } });
      const sent = parseProcoreJson(response.text, response.url);
      if (!Array.isArray(sent))
        throw new ProcoreResponseShapeError(`Procore answered ${url} with something other than a list`);
      const items = freshRecords(sent as unknown[], recordIdOf, ids);
      const total = Number(response.headers['total']);
      const seen = all.length + items.length;
      const linkHeader =
        response.headers['link'] ?? (Number.isSafeInteger(total) && total <= seen ? '' : undefined);
      return { items: items as T[], linkHeader };
    });
    for await (const page of pages) all.push(...page);
    return all;
  }

  /** One page and what the headers say about the rest (§2.4 Total / Link). */
  async #page<T>(url: string, query: QueryParams, page: number, perPage: number): Promise<ListPage<T>> {
    const response = await this.#call({ method: 'GET', url, query: { ...query, page, per_page: perPage } });
    const items = parseProcoreJson(response.text, response.url);
    if (!Array.isArray(items))
      throw new ProcoreResponseShapeError(`Procore answered ${url} with something other than a list`);
    const totalHeader = Number(response.headers['total']);
    const total = response.headers['total'] !== undefined && Number.isSafeInteger(totalHeader) ? totalHeader : null;
    const link = response.headers['link'];
    const hasNext =
      link !== undefined
        ? parseLinkHeader(link).next !== undefined
        : total !== null
          ? page * perPage < total
          : items.length >= perPage;
    return { items: items as T[], total, hasNext: hasNext && items.length > 0 };
  }

  /** One API call with the company header and bearer; a 401 renews the token once and repeats. */
  async #call(request: HttpRequest): Promise<HttpResponse> {
    if (!/^\d+$/.test(this.companyId))
      throw new ProcoreConfigError(
        this.companyId === ''
          ? 'The Procore company id is missing; enter the id of the company the app is installed in.'
          : `The Procore company id "${this.companyId}" is not a number; copy it from the company's Procore URL.`,
      );
    const token = await this.#tokens.getAccessToken();
    registerSecret(token);
    try {
      return await this.#http.request(this.#withHeaders(request, token));
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      const renewed = await this.#tokens.handleUnauthorized(token);
      registerSecret(renewed);
      return this.#http.request(this.#withHeaders(request, renewed));
    }
  }

  #withHeaders(request: HttpRequest, token: string): HttpRequest {
    return {
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}`, 'procore-company-id': this.companyId },
    };
  }
}

export type CommitmentKind = 'purchase-order' | 'work-order';

const COMMITMENT_PATHS: Record<CommitmentKind, string> = {
  'purchase-order': 'purchase_order_contracts',
  'work-order': 'work_order_contracts',
};

/** The source lists the cursor streams walk (URLs stay in this file). */
export type SourceList =
  | { kind: 'purchase-order-contracts' | 'work-order-contracts'; projectId: string }
  | { kind: 'commitment-change-orders'; projectId: string }
  | { kind: 'requisitions'; projectId: string }
  | { kind: 'direct-costs'; projectId: string }
  | { kind: 'vendors' }
  | { kind: 'inactive-vendors' };

export interface ListPage<T> {
  items: T[];
  /** The Total header (items matching the filters), null when absent. */
  total: number | null;
  /** Link rel="next", else Total, else a full page (§2.4). */
  hasNext: boolean;
}

/** List filters this connector uses (§2.4: `filters[origin_id]=`, `filters[id][]=`). */
export type RecordFilter = { originId: string } | { ids: readonly string[] } | Record<string, never>;

function filterQuery(filter: RecordFilter): QueryParams {
  if ('originId' in filter) return { 'filters[origin_id]': filter.originId };
  if ('ids' in filter) return { 'filters[id][]': filter.ids };
  return {};
}

function safeJson<T>(text: string): T | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}

/** The readable part of a Procore error body (`errors` text or fields, or `message`). */
export function procoreErrorText(response: HttpResponse): string {
  const body = safeJson<WireErrorBody>(response.text);
  if (typeof body?.errors === 'string') return body.errors;
  if (body?.errors && typeof body.errors === 'object')
    return Object.entries(body.errors)
      .map(([field, messages]) => `${field} ${Array.isArray(messages) ? messages.join(', ') : messages}`)
      .join('; ');
  if (typeof body?.message === 'string') return body.message;
  return response.text.slice(0, 200);
}

/** The failure ends the session: retrying other items cannot help (credentials, config, hosts). */
export function isSessionFatal(error: unknown): boolean {
  return (
    error instanceof NeedsReauthError ||
    error instanceof ProcoreConfigError ||
    error instanceof HostNotAllowedError ||
    error instanceof UnauthorizedError
  );
}

/** Procore refused the call as a whole (4xx other than timeout/rate limit): nothing was written. */
export function isWholeCallRefusal(error: unknown): error is HttpStatusError {
  return (
    error instanceof HttpStatusError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}

/** A plain sentence for a failed call, naming the company and what Procore said. */
export function explainProcoreFailure(error: unknown, companyId: string, what: string): string {
  if (error instanceof ProcoreConfigError || error instanceof NeedsReauthError) return error.message;
  if (error instanceof HostNotAllowedError) return `${what} was refused before sending: ${error.message}`;
  if (error instanceof UnauthorizedError)
    return `Procore rejected the access token twice while ${what} (${procoreErrorText(error.response)}); reconnect Procore.`;
  if (error instanceof HttpStatusError) {
    const said = procoreErrorText(error.response);
    if (error.status === 403 && /not connected/i.test(said))
      return `Procore says the app is not connected to company ${companyId}; ask a company admin to install the app in that company.`;
    if (error.status === 403)
      return `Procore refused access while ${what} for company ${companyId} (HTTP 403: ${said}); check the app's permissions.`;
    if (error.status === 404)
      return `Procore answered "not found" while ${what} for company ${companyId}; the company or project id is wrong, or the app cannot see it.`;
    if (error.status === 400 && /Procore-Company-Id/i.test(said))
      return `Procore says the company id is missing (${said}).`;
    if (error.status === 429)
      return `Procore's rate limit was reached while ${what}; try again in a few minutes.`;
    return `Procore answered HTTP ${error.status} while ${what}: ${said}`;
  }
  if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError)
    return `Could not reach Procore while ${what}: ${error.message}`;
  return `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
}
