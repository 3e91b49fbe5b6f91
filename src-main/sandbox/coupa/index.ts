import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRng } from '../_common/rng';
import { SimBadJson, type SimRequest, type SimResponse } from '../_common/sim-server';
import { launchSimulator, type RunningSimulator, type SimulatorContext, type SimulatorStartOptions } from '../_common/simulator';
import { CoupaError } from './errors';
import { matches, parseFields, parseFilters, parseOrder, parsePaging, parseReturnObject, shape, sortRecords, type Filter } from './query';
import { CoupaData, KNOWN_ROOTS, LOOKUP_RESOURCES, OBJECT_NAME, type CoupaRecord, type ListResource, type LookupResource, type Resource } from './records';
import { seedCoupa } from './seed';
import { mintJwt, verifyJwt } from './token';
import { coupaTime, isObject } from './validate';
import { xmlErrors, xmlList, xmlRecord } from './xml';

/**
 * Coupa Core API simulator (fact sheet §3 and the brief's R39 Swagger / Compass facts, which win
 * where they differ): OAuth 2.0 client credentials with JWT access tokens and per-object scopes
 * at /oauth2/token and /oauth2/access_tokens; /api/suppliers, /api/purchase_orders (external
 * POs), /api/purchase_order_lines, /api/invoices and read-only reference data (/api/addresses,
 * /api/account_types, /api/accounts, /api/users); JSON with hyphenated keys when asked for, XML otherwise;
 * Coupa's query operators, ordering, named filters and paging; status changes only through the
 * PUT action sub-paths; and the 25 req/s instance rate limit with a queue of 20.
 *
 * config (all optional; defaults = the documented values, "unconfirmed" ones marked):
 *   clientScopes               scopes the OAuth client was granted (default: DEFAULT_CLIENT_SCOPES)
 *   tokenLifetimeSeconds       86,399 (24 h)
 *   tokenActivationDelaySeconds 0 (docs say wait ~5 s after minting; off so tests need no wait)
 *   maxLimit                   50; limitAbove50 'clamp' | 'error' (default clamp)
 *   validationErrorStatus      400 ({"errors": {"<model>": [...]}})
 *   scopeRefusalStatus         403 (unconfirmed: a call outside the token's scopes)
 *   rateLimitPerSecond         25; rateLimitQueue 20 (queued calls are delayed, not refused)
 *   rateLimitStatus            429; rateLimitRetryAfter true (unconfirmed header)
 *   deleteStatus               405 for DELETE on resources that cannot be deleted (unconfirmed)
 *   requireApiVersionHeader    false (X-Coupa-API-Version has no evidence upstream, §3.1)
 *   invoiceRemitTo             'both' (remit-to-address and supplier-remit-to required) | 'either'
 *   readOnlyInput              'ignore' (read-only fields in a body are dropped) | 'error'
 *   apiFilters                 named filters for `filter=<name>`: {resource: {name: "query string"}}
 *                              (Coupa admins define them per instance; defaults: DEFAULT_API_FILTERS)
 */
export async function startCoupaSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('coupa', createCoupaSystem, opts);
}

export const DEFAULT_CLIENT_SCOPES = [
  'core.purchase_order.read',
  'core.purchase_order.write',
  'core.invoice.read',
  'core.invoice.write',
  'core.invoice.delete',
  'core.supplier.read',
  'core.supplier.write',
  'core.common.read',
];

/** Named API filters of the sandbox instance (sandbox examples; a real instance has its own). */
export const DEFAULT_API_FILTERS: Record<string, Record<string, string>> = {
  invoices: { approved_not_exported: 'status=approved&exported=false' },
  purchase_orders: { not_exported: 'exported=false' },
  suppliers: { active_suppliers: 'status=active' },
};

/** Scope object per resource: `core.<object>.<read|write>` (§3.2); reference data needs core.common.read. */
const SCOPE_OBJECT: Record<ListResource, string> = {
  purchase_orders: 'purchase_order',
  purchase_order_lines: 'purchase_order',
  invoices: 'invoice',
  suppliers: 'supplier',
  addresses: 'common',
  account_types: 'common',
  accounts: 'common',
  users: 'common',
};

/** XML root element per resource (Coupa's own: a PO is an <order-header>, an invoice an <invoice-header>). */
const XML_ROOT: Record<ListResource, string> = {
  suppliers: 'supplier',
  purchase_orders: 'order-header',
  purchase_order_lines: 'order-line',
  invoices: 'invoice-header',
  addresses: 'address',
  account_types: 'account-type',
  accounts: 'account',
  users: 'user',
};

const TOKEN_PATHS = ['/oauth2/token', '/oauth2/access_tokens'];

type Format = 'json' | 'xml';

interface StoredToken {
  id: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

function num(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`coupa sandbox config.${key} must be a number >= 0, got ${String(value)}`);
  return value;
}

function bool(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`coupa sandbox config.${key} must be true or false, got ${String(value)}`);
  return value;
}

function oneOf<T extends string>(config: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const value = config[key] ?? allowed[0];
  if (!allowed.includes(value as T)) throw new Error(`coupa sandbox config.${key} must be ${allowed.join(' or ')}, got ${String(value)}`);
  return value as T;
}

function apiFilters(config: Record<string, unknown>): Record<string, Record<string, string>> {
  const value = config.apiFilters ?? DEFAULT_API_FILTERS;
  const valid = isObject(value) && Object.values(value).every((named) => isObject(named) && Object.values(named).every((q) => typeof q === 'string'));
  if (!valid) throw new Error('coupa sandbox config.apiFilters must be {resource: {filterName: "query string"}}');
  return value as Record<string, Record<string, string>>;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * JSON when the client asks for it; XML, Coupa's default, when it sends no Accept, `*\/*` or an
 * XML type (§3.1); anything else cannot be served (406).
 */
function negotiate(req: SimRequest): Format | null {
  const accept = String(req.headers.accept ?? '').toLowerCase();
  if (accept.includes('application/json')) return 'json';
  if (accept.trim() === '' || accept.includes('xml') || accept.includes('*/*')) return 'xml';
  return null;
}

function createCoupaSystem(ctx: SimulatorContext) {
  const { store, clock, config } = ctx;
  const clientScopes = (config.clientScopes as string[] | undefined) ?? DEFAULT_CLIENT_SCOPES;
  const tokenLifetimeMs = num(config, 'tokenLifetimeSeconds', 86_399) * 1000;
  const activationDelayMs = num(config, 'tokenActivationDelaySeconds', 0) * 1000;
  const maxLimit = num(config, 'maxLimit', 50);
  const limitAbove = config.limitAbove50 === 'error' ? 'error' : 'clamp';
  const validationStatus = num(config, 'validationErrorStatus', 400);
  const scopeRefusalStatus = num(config, 'scopeRefusalStatus', 403);
  const ratePerSecond = num(config, 'rateLimitPerSecond', 25);
  const rateQueue = num(config, 'rateLimitQueue', 20);
  const rateLimitStatus = num(config, 'rateLimitStatus', 429);
  const sendRetryAfter = bool(config, 'rateLimitRetryAfter', true);
  const deleteStatus = num(config, 'deleteStatus', 405);
  const requireVersionHeader = bool(config, 'requireApiVersionHeader', false);
  const namedFilters = apiFilters(config);

  const data = new CoupaData(store, {
    nowText: () => coupaTime(clock.now()),
    validationStatus,
    invoiceRemitTo: oneOf(config, 'invoiceRemitTo', ['both', 'either'] as const),
    readOnlyInput: oneOf(config, 'readOnlyInput', ['ignore', 'error'] as const),
  });
  const tokens = store.collection<StoredToken>('oauth_tokens');

  if (ctx.freshStore) {
    const rng = createRng(ctx.seed ^ 0xc0a9a);
    const random = (): string => Math.floor(rng.next() * 2 ** 48).toString(36);
    store.setMeta('client', { clientId: `sandbox-coupa-${ctx.seed}-${random()}`, clientSecret: `${random()}${random()}${random()}` });
    store.transaction(() => seedCoupa(data, ctx.world));
  }
  const client = store.getMeta<{ clientId: string; clientSecret: string }>('client') ?? { clientId: '', clientSecret: '' };
  // Derived, not stored: every process serving this data folder (and every rebuild) signs alike.
  const jwtSecret = createHash('sha256').update(`coupa-sandbox-jwt:${client.clientSecret}`).digest('hex');

  // ---- rate limit: 25/s per instance, 20 more wait in a queue, the rest get 429 (§3.7) ----
  /** Times (sim clock) at which recent requests were (or will be) served. */
  let served: number[] = [];

  /** Delay in ms before this request may run, or null when the queue is full too. */
  function admit(): number | null {
    const now = clock.now();
    served = served.filter((t) => t > now - 1000);
    if (served.length < ratePerSecond) {
      served.push(now);
      return 0;
    }
    const waiting = served.filter((t) => t > now).length;
    if (waiting >= rateQueue) return null;
    const slot = Math.max(now, (served[served.length - ratePerSecond] ?? now) + 1000);
    served.push(slot);
    return slot - now;
  }

  function rateLimited(format: Format = 'json'): SimResponse {
    const now = clock.now();
    const oldest = served.find((t) => t > now - 1000) ?? now;
    const retryAfter = Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    const error = new CoupaError(rateLimitStatus, 'rate_limit', [`Rate limit exceeded: at most ${ratePerSecond} requests per second (plus ${rateQueue} queued)`], sendRetryAfter ? { 'Retry-After': String(retryAfter) } : {});
    return errorResponse(error, format);
  }

  function errorResponse(err: CoupaError, format: Format): SimResponse {
    if (format === 'xml') return { status: err.status, headers: { ...err.headers, 'content-type': 'application/xml; charset=utf-8' }, body: xmlErrors(err.messages) };
    return { status: err.status, headers: err.headers, body: err.body() };
  }

  // ---- OAuth ------------------------------------------------------------------------------------

  function oauthError(status: number, error: string, description: string): SimResponse {
    return { status, headers: { 'cache-control': 'no-store' }, body: { error, error_description: description } };
  }

  function issueToken(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.text());
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = id ?? null;
      clientSecret = secret ?? null;
    }
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required');
    if (!clientId || !clientSecret || clientId !== client.clientId || clientSecret !== client.clientSecret)
      return oauthError(401, 'invalid_client', 'Client authentication failed (unknown client or wrong secret).');
    if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported for this client; use client_credentials`);
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) return oauthError(400, 'invalid_scope', 'scope is required: a space-separated list such as core.purchase_order.read');
    const refused = requested.filter((s) => !clientScopes.includes(s));
    if (refused.length) return oauthError(400, 'invalid_scope', `The requested scope is invalid, unknown, or not granted to this client: ${refused.join(' ')}`);
    const now = clock.now();
    const accessToken = mintJwt(jwtSecret, {
      iss: 'coupa-sandbox',
      sub: client.clientId,
      aud: 'coupa-api',
      scope: requested.join(' '),
      iat: Math.floor(now / 1000),
      exp: Math.floor((now + tokenLifetimeMs) / 1000),
    });
    // Forget tokens that expired a day ago, so a long-running sandbox does not grow without end.
    store.transaction(() => {
      for (const old of tokens.filter((t) => t.expiresAt < now - 86_400_000)) tokens.delete(old.id);
    });
    const record: StoredToken = { id: hashToken(accessToken), scopes: requested, issuedAt: now, expiresAt: now + tokenLifetimeMs };
    tokens.put(record.id, record);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { access_token: accessToken, token_type: 'bearer', expires_in: Math.floor(tokenLifetimeMs / 1000), scope: requested.join(' ') },
    };
  }

  function authenticate(req: SimRequest): StoredToken {
    const match = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const unauthorized = (reason: string): CoupaError =>
      new CoupaError(401, 'authorization', [reason], { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason}"` });
    if (!match?.[1]) throw unauthorized('Send Authorization: Bearer <access token> (API keys are no longer supported)');
    const token = verifyJwt(jwtSecret, match[1]) ? tokens.get(hashToken(match[1])) : undefined;
    const now = clock.now();
    if (!token) throw unauthorized('The access token is invalid');
    if (now >= token.expiresAt) throw unauthorized('The access token expired');
    if (now < token.issuedAt + activationDelayMs) throw unauthorized('The access token is not active yet; wait a few seconds after minting');
    return token;
  }

  function requireScope(token: StoredToken, scope: string, req: SimRequest): void {
    if (token.scopes.includes(scope)) return;
    throw new CoupaError(scopeRefusalStatus, 'authorization', [`The access token lacks the scope ${scope} needed for ${req.method} ${req.path}`], {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"`,
    });
  }

  // ---- API --------------------------------------------------------------------------------------

  /** Conditions of `filter=<name>`, a named filter of this instance; unknown names are refused. */
  function namedFilter(resource: ListResource, query: URLSearchParams): Filter[] {
    const name = query.get('filter');
    if (name === null) return [];
    const text = namedFilters[resource]?.[name];
    if (text === undefined) {
      const known = Object.keys(namedFilters[resource] ?? {});
      throw new CoupaError(400, 'query', [`filter "${name}" is not an API filter of ${resource}${known.length ? ` (known: ${known.join(', ')})` : ''}`]);
    }
    return parseFilters(new URLSearchParams(text), KNOWN_ROOTS[resource]);
  }

  /** Rendered records of a resource in ascending id order (narrowed by a natural key when one is exact). */
  function* listSource(resource: ListResource, filters: Filter[]): Generator<CoupaRecord> {
    if (resource === 'purchase_order_lines') return yield* data.orderLines();
    if ((LOOKUP_RESOURCES as readonly string[]).includes(resource))
      return yield* data.lookups[resource as LookupResource].all().sort((a, b) => a.id - b.id);
    const main = resource as Resource;
    const naturalKey = filters.find((f) => f.operator === 'eq' && f.path.length === 1 && ['po-number', 'number', 'name'].includes(f.path[0] ?? ''));
    const collection = data.collection(main);
    for (const id of data.candidateIds(main, naturalKey ? { key: naturalKey.path[0] ?? '', value: naturalKey.value } : null)) {
      const stored = collection.get(id);
      if (stored) yield data.render(main, stored);
    }
  }

  function list(resource: ListResource, req: SimRequest, format: Format): SimResponse {
    const filters = [...parseFilters(req.query, KNOWN_ROOTS[resource]), ...namedFilter(resource, req.query)];
    const order = parseOrder(req.query, KNOWN_ROOTS[resource]);
    const asked = parsePaging(req.query, maxLimit, limitAbove);
    // Sandbox fault `repeat`: the next offset answers the page before it again.
    const repeat = req.responseFault === 'repeat-cursor' && asked.offset > 0;
    const paging = repeat ? { ...asked, offset: Math.max(0, asked.offset - asked.limit) } : asked;
    const returnObject = parseReturnObject(req.query, false);
    const fields = parseFields(req.query);
    let page: CoupaRecord[];
    if (order.key === 'id' && !order.descending) {
      // Default order: stop reading at the end of the page.
      page = [];
      let skipped = 0;
      for (const record of listSource(resource, filters)) {
        if (!filters.every((f) => matches(record, f))) continue;
        if (skipped < paging.offset) skipped += 1;
        else if (page.push(record) === paging.limit) break;
      }
    } else {
      const all = [...listSource(resource, filters)].filter((record) => filters.every((f) => matches(record, f)));
      page = sortRecords(all, order).slice(paging.offset, paging.offset + paging.limit);
    }
    // Sandbox fault `dupes`: every record of the page sent twice.
    const shaped = page.map((record) => shape(record, returnObject, fields) ?? {}).flatMap((r) => (req.responseFault === 'duplicates' ? [r, r] : [r]));
    if (format === 'xml') {
      // XML answers "no results" with 404 where JSON answers [] (§3.3).
      if (shaped.length === 0) return errorResponse(new CoupaError(404, 'query', ['No results match your search criteria']), 'xml');
      return { ...xmlAnswer(200, xmlList(XML_ROOT[resource], shaped)), spoiled: true };
    }
    return { status: 200, body: shaped, spoiled: true };
  }

  function xmlAnswer(status: number, body: string): SimResponse {
    return { status, headers: { 'content-type': 'application/xml; charset=utf-8' }, body };
  }

  function recordAnswer(resource: ListResource, record: CoupaRecord, req: SimRequest, status: number, format: Format, isWrite: boolean): SimResponse {
    const shaped = shape(record, parseReturnObject(req.query, isWrite), parseFields(req.query));
    if (shaped === undefined) return { status, body: '' };
    return format === 'xml' ? xmlAnswer(status, xmlRecord(XML_ROOT[resource], shaped)) : { status, body: shaped };
  }

  function find(resource: Resource, id: string): CoupaRecord {
    const record = /^\d+$/.test(id) ? data.collection(resource).get(Number(id)) : undefined;
    if (!record) throw new CoupaError(404, OBJECT_NAME[resource], [`No ${OBJECT_NAME[resource].replace('_', ' ')} with id ${id}`]);
    return record;
  }

  function findAny(resource: ListResource, id: string): CoupaRecord {
    if (resource === 'suppliers' || resource === 'purchase_orders' || resource === 'invoices') return data.render(resource, find(resource, id));
    const record = /^\d+$/.test(id)
      ? resource === 'purchase_order_lines'
        ? data.orderLines().find((l) => l.id === Number(id))
        : data.lookups[resource].get(Number(id))
      : undefined;
    if (!record) throw new CoupaError(404, OBJECT_NAME[resource], [`No ${OBJECT_NAME[resource].replace(/_/g, ' ')} with id ${id}`]);
    return record;
  }

  function writeBody(req: SimRequest, format: Format): Record<string, unknown> {
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.includes('xml'))
      throw new CoupaError(415, 'request', ['This sandbox reads JSON bodies only: send Content-Type: application/json with Accept: application/json']);
    if (!contentType.includes('application/json'))
      throw new CoupaError(415, 'request', ['Send Content-Type: application/json with Accept: application/json (Coupa wants both in the same family)']);
    if (format !== 'json')
      throw new CoupaError(406, 'request', ['A JSON body needs Accept: application/json as well (Coupa wants Accept and Content-Type in the same family)']);
    let body: unknown;
    try {
      body = req.json();
    } catch (err) {
      if (err instanceof SimBadJson) throw new CoupaError(400, 'request', [err.message]);
      throw err;
    }
    if (!isObject(body)) throw new CoupaError(400, 'request', ['The body must be one JSON object (one record per request)']);
    return body;
  }

  function save(resource: Resource, body: Record<string, unknown>, existing: CoupaRecord | null): CoupaRecord {
    if (resource === 'suppliers') return data.saveSupplier(body, existing);
    if (resource === 'purchase_orders') return data.savePurchaseOrder(body, existing);
    return data.saveInvoice(body, existing);
  }

  const RESOURCE_PATH = /^\/api\/(suppliers|purchase_orders|purchase_order_lines|invoices|addresses|account_types|accounts|users)(?:\/([^/]+))?(?:\/([a-z_]+))?\/?$/;

  function route(req: SimRequest, format: Format): SimResponse {
    const match = RESOURCE_PATH.exec(req.path);
    if (!match) throw new CoupaError(404, 'request', [`No such resource: ${req.method} ${req.path}`]);
    const resource = match[1] as ListResource;
    const [id, action] = [match[2], match[3]];
    const object = SCOPE_OBJECT[resource];
    const readOnly = (LOOKUP_RESOURCES as readonly string[]).includes(resource);

    if (req.method === 'DELETE') {
      // Only invoices (scope core.invoice.delete) and PO lines can be deleted; the rest are deactivated with PUT.
      if (resource !== 'invoices' && resource !== 'purchase_order_lines')
        throw new CoupaError(deleteStatus, OBJECT_NAME[resource], ['DELETE is not supported; deactivate the record with PUT instead'], { Allow: readOnly ? 'GET' : 'GET, POST, PUT' });
      const token = authenticate(req);
      requireScope(token, resource === 'invoices' ? 'core.invoice.delete' : 'core.purchase_order.write', req);
      if (id === undefined || action !== undefined) throw new CoupaError(404, 'request', [`Delete one record: DELETE /api/${resource}/{id}`]);
      if (resource === 'invoices') return recordAnswer(resource, data.deleteInvoice(find('invoices', id)), req, 200, format, true);
      if (!/^\d+$/.test(id)) throw new CoupaError(404, 'purchase_order_line', [`No purchase order line with id ${id}`]);
      return recordAnswer(resource, data.deleteOrderLine(Number(id)), req, 200, format, true);
    }

    const token = authenticate(req);
    const isRead = req.method === 'GET';
    if (!isRead && readOnly) throw new CoupaError(405, OBJECT_NAME[resource], [`${resource} are read-only through the API`], { Allow: 'GET' });
    requireScope(token, `core.${object}.${isRead ? 'read' : 'write'}`, req);

    if (isRead) {
      if (id === undefined) return list(resource, req, format);
      if (action !== undefined) throw new CoupaError(404, 'request', [`No such resource: GET ${req.path}`]);
      return recordAnswer(resource, findAny(resource, id), req, 200, format, false);
    }
    if (resource === 'purchase_order_lines')
      throw new CoupaError(405, 'purchase_order_line', ['Change order lines through PUT /api/purchase_orders/{id} (order-lines), or DELETE one line'], { Allow: 'GET, DELETE' });
    const main = resource as Resource;
    if (req.method === 'POST') {
      if (id !== undefined) throw new CoupaError(404, 'request', [`Create with POST /api/${resource}; update with PUT /api/${resource}/{id}`]);
      return recordAnswer(main, data.render(main, save(main, writeBody(req, format), null)), req, 201, format, true);
    }
    if (req.method === 'PUT' || req.method === 'PATCH') {
      if (id === undefined) throw new CoupaError(404, 'request', [`Update one record per request: PUT /api/${resource}/{id}`]);
      const existing = find(main, id);
      if (action !== undefined) {
        const changed =
          main === 'purchase_orders' ? data.poAction(existing, action) : main === 'invoices' ? data.invoiceAction(existing, action) : null;
        if (!changed) throw new CoupaError(404, 'request', [`No action ${action} on ${resource}`]);
        return recordAnswer(main, data.render(main, changed), req, 200, format, true);
      }
      const exported = req.query.get('exported');
      if (exported !== null && main !== 'suppliers') {
        if (exported !== 'true' && exported !== 'false') throw new CoupaError(400, 'query', ['exported must be true or false']);
        return recordAnswer(main, data.render(main, data.markExported(main, existing, exported === 'true')), req, 200, format, true);
      }
      return recordAnswer(main, data.render(main, save(main, writeBody(req, format), existing)), req, 200, format, true);
    }
    throw new CoupaError(405, 'request', [`${req.method} is not supported`], { Allow: 'GET, POST, PUT' });
  }

  async function handle(req: SimRequest): Promise<SimResponse> {
    const format = negotiate(req);
    const delay = admit();
    if (delay === null) return rateLimited(format ?? 'json');
    if (delay > 0) await sleep(delay);
    if (TOKEN_PATHS.includes(req.path)) {
      // Compass articles name /oauth2/token; the R39 Swagger securityDefinitions /oauth2/access_tokens.
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', `Use POST ${req.path}`);
      return issueToken(req);
    }
    if (format === null)
      return errorResponse(new CoupaError(406, 'request', [`Cannot answer Accept: ${String(req.headers.accept)}; ask for application/json or application/xml`]), 'xml');
    try {
      if (requireVersionHeader && !req.headers['x-coupa-api-version'])
        throw new CoupaError(400, 'request', ['The X-Coupa-API-Version header is required by this instance']);
      const response = route(req, format);
      // The page faults act on lists only (list() applies them): a record's answer has no page.
      if (!response.spoiled && (req.responseFault === 'duplicates' || req.responseFault === 'repeat-cursor')) delete req.responseFault;
      return response;
    } catch (err) {
      if (err instanceof CoupaError) return errorResponse(err, format);
      throw err;
    }
  }

  return {
    name: 'coupa',
    handle,
    rateLimitedResponse: () => rateLimited('json'),
    serverErrorResponse: (status: 500 | 502 | 503): SimResponse => ({
      status,
      body: { errors: { server: [status === 503 ? 'Service temporarily unavailable' : 'Internal server error'] } },
    }),
    expireTokens: (): void => {
      const now = clock.now();
      store.transaction(() => {
        for (const token of tokens.all()) if (token.expiresAt > now) tokens.put(token.id, { ...token, expiresAt: now });
      });
    },
    inspect: (): Record<string, unknown[]> => ({
      suppliers: data.suppliers.all().map((r) => data.render('suppliers', r)),
      purchase_orders: data.purchaseOrders.all().map((r) => data.render('purchase_orders', r)),
      invoices: data.invoices.all().map((r) => data.render('invoices', r)),
    }),
    // The instance's limit comes with its credentials, as an admin knows it (the app's sandbox relaxes it).
    credentials: (): Record<string, string | number> => ({ clientId: client.clientId, clientSecret: client.clientSecret, requestsPerSecond: ratePerSecond }),
  };
}
