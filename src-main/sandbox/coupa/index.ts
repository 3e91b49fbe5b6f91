import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRng } from '../_common/rng';
import { SimBadJson, type SimRequest, type SimResponse } from '../_common/sim-server';
import { launchSimulator, type RunningSimulator, type SimulatorContext, type SimulatorStartOptions } from '../_common/simulator';
import { CoupaError } from './errors';
import { matches, parseFields, parseFilters, parsePaging, parseReturnObject, shape } from './query';
import { CoupaData, KNOWN_ROOTS, OBJECT_NAME, type CoupaRecord, type Resource } from './records';

/**
 * Coupa Core API simulator (fact sheet §3): OAuth 2.0 client credentials with scopes,
 * /api/suppliers, /api/purchase_orders (external POs), /api/invoices in JSON with hyphenated
 * keys, Coupa's query operators and paging, return_object/fields, no DELETE, and the
 * 25 req/s instance rate limit with a queue of 20.
 *
 * config (all optional; defaults = the documented values, "unconfirmed" ones marked):
 *   clientScopes               scopes the OAuth client was granted (default: read+write for PO,
 *                              invoice and supplier, plus core.common.read)
 *   tokenLifetimeSeconds       86,399 (24 h)
 *   tokenActivationDelaySeconds 0 (docs say wait ~5 s after minting; off so tests need no wait)
 *   maxLimit                   50; limitAbove50 'clamp' | 'error' (default clamp)
 *   validationErrorStatus      400 (unconfirmed: 4xx with the {"errors": {...}} body)
 *   rateLimitPerSecond         25; rateLimitQueue 20 (queued calls are delayed, not refused)
 *   rateLimitStatus            429 (unconfirmed); rateLimitRetryAfter true (unconfirmed header)
 *   deleteStatus               405 (DELETE is not supported; the exact status is unconfirmed)
 *   requireApiVersionHeader    false (X-Coupa-API-Version has no evidence upstream, §3.1)
 */
export async function startCoupaSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('coupa', createCoupaSystem, opts);
}

export const DEFAULT_CLIENT_SCOPES = [
  'core.purchase_order.read',
  'core.purchase_order.write',
  'core.invoice.read',
  'core.invoice.write',
  'core.supplier.read',
  'core.supplier.write',
  'core.common.read',
];

/** Scope object per resource: `core.<object>.<read|write>` (§3.2). */
const SCOPE_OBJECT: Record<Resource, string> = { purchase_orders: 'purchase_order', invoices: 'invoice', suppliers: 'supplier' };

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

/** Coupa times: ISO 8601 with seconds and an explicit offset, e.g. 2026-10-30T16:00:00+00:00. */
function coupaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function createCoupaSystem(ctx: SimulatorContext) {
  const { store, clock, config } = ctx;
  const clientScopes = (config.clientScopes as string[] | undefined) ?? DEFAULT_CLIENT_SCOPES;
  const tokenLifetimeMs = num(config, 'tokenLifetimeSeconds', 86_399) * 1000;
  const activationDelayMs = num(config, 'tokenActivationDelaySeconds', 0) * 1000;
  const maxLimit = num(config, 'maxLimit', 50);
  const limitAbove = config.limitAbove50 === 'error' ? 'error' : 'clamp';
  const validationStatus = num(config, 'validationErrorStatus', 400);
  const ratePerSecond = num(config, 'rateLimitPerSecond', 25);
  const rateQueue = num(config, 'rateLimitQueue', 20);
  const rateLimitStatus = num(config, 'rateLimitStatus', 429);
  const sendRetryAfter = bool(config, 'rateLimitRetryAfter', true);
  const deleteStatus = num(config, 'deleteStatus', 405);
  const requireVersionHeader = bool(config, 'requireApiVersionHeader', false);

  const data = new CoupaData(store, () => coupaTime(clock.now()), validationStatus);
  const tokens = store.collection<StoredToken>('oauth_tokens');

  if (ctx.freshStore) {
    const rng = createRng(ctx.seed ^ 0xc0a9a);
    const random = (): string => Math.floor(rng.next() * 2 ** 48).toString(36);
    store.setMeta('client', { clientId: `sandbox-coupa-${ctx.seed}-${random()}`, clientSecret: `${random()}${random()}${random()}` });
    const createdAt = coupaTime(ctx.world.asOf);
    store.transaction(() => {
      for (const supplier of [...ctx.world.suppliers].sort((a, b) => (a.coupaSupplierId ?? 0) - (b.coupaSupplierId ?? 0))) {
        // A supplier without coupaSupplierId is deliberately missing on the Coupa side.
        if (supplier.coupaSupplierId !== null) data.seedSupplier({ ...supplier, coupaSupplierId: supplier.coupaSupplierId }, createdAt);
      }
    });
  }
  const client = store.getMeta<{ clientId: string; clientSecret: string }>('client') ?? { clientId: '', clientSecret: '' };

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

  function rateLimited(): SimResponse {
    const now = clock.now();
    const oldest = served.find((t) => t > now - 1000) ?? now;
    const retryAfter = Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    return {
      status: rateLimitStatus,
      headers: sendRetryAfter ? { 'Retry-After': String(retryAfter) } : {},
      body: { errors: { rate_limit: [`Rate limit exceeded: at most ${ratePerSecond} requests per second (plus ${rateQueue} queued)`] } },
    };
  }

  const errorResponse = (err: CoupaError): SimResponse => ({ status: err.status, headers: err.headers, body: err.body() });

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
    const accessToken = `coupa_sbx_${randomBytes(48).toString('base64url')}`;
    const now = clock.now();
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
    const token = tokens.get(hashToken(match[1]));
    const now = clock.now();
    if (!token) throw unauthorized('The access token is invalid');
    if (now >= token.expiresAt) throw unauthorized('The access token expired');
    if (now < token.issuedAt + activationDelayMs) throw unauthorized('The access token is not active yet; wait a few seconds after minting');
    return token;
  }

  // ---- API --------------------------------------------------------------------------------------

  function list(resource: Resource, req: SimRequest): SimResponse {
    const filters = parseFilters(req.query, KNOWN_ROOTS[resource]);
    const paging = parsePaging(req.query, maxLimit, limitAbove);
    const returnObject = parseReturnObject(req.query, false);
    const fields = parseFields(req.query);
    const naturalKey = filters.find((f) => f.operator === 'eq' && f.path.length === 1 && ['po-number', 'number', 'name'].includes(f.path[0] ?? ''));
    const collection = data.collection(resource);
    const page: Record<string, unknown>[] = [];
    let skipped = 0;
    for (const id of data.candidateIds(resource, naturalKey ? { key: naturalKey.path[0] ?? '', value: naturalKey.value } : null)) {
      const stored = collection.get(id);
      if (!stored) continue;
      const record = data.render(resource, stored);
      if (!filters.every((f) => matches(record, f))) continue;
      if (skipped < paging.offset) {
        skipped += 1;
        continue;
      }
      page.push(shape(record, returnObject, fields) ?? {});
      if (page.length === paging.limit) break;
    }
    // JSON answers an empty result with [] and 200 (§3.3).
    return { status: 200, body: page };
  }

  function find(resource: Resource, id: string): CoupaRecord {
    const record = /^\d+$/.test(id) ? data.collection(resource).get(Number(id)) : undefined;
    if (!record) throw new CoupaError(404, OBJECT_NAME[resource], [`No ${OBJECT_NAME[resource].replace('_', ' ')} with id ${id}`]);
    return record;
  }

  function writeBody(req: SimRequest): Record<string, unknown> {
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.includes('application/json'))
      throw new CoupaError(415, 'request', ['Send Content-Type: application/json with Accept: application/json (Coupa wants both in the same family)']);
    let body: unknown;
    try {
      body = req.json();
    } catch (err) {
      if (err instanceof SimBadJson) throw new CoupaError(400, 'request', [err.message]);
      throw err;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CoupaError(400, 'request', ['The body must be one JSON object (one record per request)']);
    return body as Record<string, unknown>;
  }

  function respondRecord(resource: Resource, record: CoupaRecord, req: SimRequest, status: number): SimResponse {
    const shaped = shape(data.render(resource, record), parseReturnObject(req.query, true), parseFields(req.query));
    return shaped === undefined ? { status, body: '' } : { status, body: shaped };
  }

  function save(resource: Resource, body: Record<string, unknown>, existing: CoupaRecord | null): CoupaRecord {
    if (resource === 'suppliers') return data.saveSupplier(body, existing);
    if (resource === 'purchase_orders') return data.savePurchaseOrder(body, existing);
    return data.saveInvoice(body, existing);
  }

  function route(req: SimRequest): SimResponse {
    const match = /^\/api\/(suppliers|purchase_orders|invoices)(?:\/([^/]+))?(?:\/([a-z_]+))?\/?$/.exec(req.path);
    if (!match) throw new CoupaError(404, 'request', [`No such resource: ${req.method} ${req.path}`]);
    const resource = match[1] as Resource;
    const [id, action] = [match[2], match[3]];
    if (req.method === 'DELETE')
      throw new CoupaError(deleteStatus, OBJECT_NAME[resource], ['DELETE is not supported; deactivate the record with PUT instead'], { Allow: 'GET, POST, PUT' });

    const token = authenticate(req);
    const right = req.method === 'GET' ? 'read' : 'write';
    const scope = `core.${SCOPE_OBJECT[resource]}.${right}`;
    if (!token.scopes.includes(scope))
      throw new CoupaError(403, 'authorization', [`The access token lacks the scope ${scope} needed for ${req.method} /api/${resource}`]);

    if (req.method === 'GET') {
      if (id === undefined) return list(resource, req);
      if (action !== undefined) throw new CoupaError(404, 'request', [`No such resource: GET ${req.path}`]);
      const fields = parseFields(req.query);
      return { status: 200, body: shape(data.render(resource, find(resource, id)), parseReturnObject(req.query, false), fields) };
    }
    if (req.method === 'POST') {
      if (id !== undefined) throw new CoupaError(404, 'request', [`Create with POST /api/${resource}; update with PUT /api/${resource}/{id}`]);
      return respondRecord(resource, save(resource, writeBody(req), null), req, 201);
    }
    if (req.method === 'PUT' || req.method === 'PATCH') {
      if (id === undefined) throw new CoupaError(404, 'request', [`Update one record per request: PUT /api/${resource}/{id}`]);
      const existing = find(resource, id);
      if (action !== undefined) {
        if (resource !== 'purchase_orders') throw new CoupaError(404, 'request', [`No action ${action} on ${resource}`]);
        return respondRecord(resource, data.poAction(existing, action), req, 200);
      }
      const exported = req.query.get('exported');
      if (exported !== null && resource !== 'suppliers') {
        if (exported !== 'true' && exported !== 'false') throw new CoupaError(400, 'query', ['exported must be true or false']);
        return respondRecord(resource, data.markExported(resource, existing, exported === 'true'), req, 200);
      }
      return respondRecord(resource, save(resource, writeBody(req), existing), req, 200);
    }
    throw new CoupaError(405, 'request', [`${req.method} is not supported`], { Allow: 'GET, POST, PUT' });
  }

  async function handle(req: SimRequest): Promise<SimResponse> {
    const delay = admit();
    if (delay === null) return rateLimited();
    if (delay > 0) await sleep(delay);
    if (req.path === '/oauth2/token') {
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Use POST /oauth2/token');
      return issueToken(req);
    }
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('application/json'))
      // XML is Coupa's default (§3.1); this sandbox speaks JSON only, so say so in XML.
      return {
        status: 406,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: '<?xml version="1.0" encoding="UTF-8"?><errors><error>This sandbox answers JSON only: send Accept: application/json</error></errors>',
      };
    try {
      if (requireVersionHeader && !req.headers['x-coupa-api-version'])
        throw new CoupaError(400, 'request', ['The X-Coupa-API-Version header is required by this instance']);
      return route(req);
    } catch (err) {
      if (err instanceof CoupaError) return errorResponse(err);
      throw err;
    }
  }

  return {
    name: 'coupa',
    handle,
    rateLimitedResponse: rateLimited,
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
    credentials: (): Record<string, string | number> => ({ clientId: client.clientId, clientSecret: client.clientSecret }),
  };
}
