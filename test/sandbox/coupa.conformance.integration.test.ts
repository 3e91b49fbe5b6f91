import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import type { RunningSimulator, SimulatorStartOptions } from '../../src-main/sandbox/_common/simulator';
import type { WorldPurchaseEntry } from '../../src-main/sandbox/seed/world-types';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startCoupaSimulator } from '../../src-main/sandbox/coupa/index';
import { useTempDirs, withSimulator } from './support';

/**
 * Coupa simulator conformance, one describe per group of facts in
 * shared/api/acumatica-intacct-coupa-monday.md §3 and in the R39 Swagger / Compass facts of the
 * Coupa brief (which win where they differ). Titles name the fact they check.
 */

const ALL_SCOPES =
  'core.purchase_order.read core.purchase_order.write core.invoice.read core.invoice.write core.supplier.read core.supplier.write core.common.read';

type Json = Record<string, unknown>;

interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

async function requestToken(sim: RunningSimulator, fields: Record<string, string>, path = '/oauth2/token'): Promise<ApiResult<Json>> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Json, text };
}

async function mint(sim: RunningSimulator, scope = ALL_SCOPES): Promise<string> {
  const r = await requestToken(sim, {
    grant_type: 'client_credentials',
    client_id: String(sim.credentials.clientId),
    client_secret: String(sim.credentials.clientSecret),
    scope,
  });
  expect(r.status).toBe(200);
  return String(r.body.access_token);
}

async function api<T = unknown>(
  sim: RunningSimulator,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // XML or empty: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** A GET sent with node:http, which (unlike fetch) adds no Accept header of its own. */
function getWithoutAccept(sim: RunningSimulator, path: string, token: string): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function advanceClock(sim: RunningSimulator, ms: number): Promise<void> {
  const res = await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: ms }) });
  expect(res.status).toBe(200);
}

const start = (config: Record<string, unknown> = {}, extra: Partial<SimulatorStartOptions> = {}): Promise<RunningSimulator> =>
  startCoupaSimulator({ dataDir: null, seed: 5, config, ...extra });

const world = generateWorld(5, 1);
const coupaSuppliers = world.suppliers.filter((s) => s.coupaSupplierId !== null);
const firstSupplier = coupaSuppliers[0] ?? (() => { throw new Error('world has no Coupa supplier'); })();
const secondSupplier = coupaSuppliers[1] ?? firstSupplier;

const account = { code: '4010-KST-10', 'segment-1': '4010', 'segment-2': 'KST-10' };

function externalPo(poNumber: string, extra: Json = {}): Json {
  return {
    type: 'ExternalOrderHeader',
    'po-number': poNumber,
    supplier: { number: firstSupplier.code },
    currency: { code: 'EUR' },
    'ship-to-user': { login: 'inkoop' },
    'order-lines': [
      { 'line-num': 1, description: 'Rebar 12mm', price: '1234.565', quantity: '3', uom: { code: 'EA' }, account },
      { 'line-num': 2, description: 'Site fee', price: '0.10', type: 'OrderAmountLine', account },
    ],
    ...extra,
  };
}

/** A complete draft invoice as the brief lists its required fields; remit-to is the supplier's seeded one. */
function invoiceBody(number: string, supplier: Json, extra: Json = {}, remitToCode = `RT-${firstSupplier.code}`): Json {
  return {
    'invoice-number': number,
    'invoice-date': '2026-10-20T00:00:00+00:00',
    supplier,
    currency: { code: 'EUR' },
    'account-type': { name: world.companyName },
    'bill-to-address': { 'location-code': 'HQ' },
    'remit-to-address': { 'remit-to-code': remitToCode },
    'supplier-remit-to': { 'remit-to-code': remitToCode },
    'line-level-taxation': true,
    'invoice-lines': [
      { 'line-num': 1, description: 'Concrete', price: '100.005', quantity: '3', type: 'InvoiceQuantityLine', 'tax-amount': '63.00', account },
      { 'line-num': 2, description: 'Transport', price: '19.99', type: 'InvoiceAmountLine', 'tax-amount': '0.00', account },
    ],
    ...extra,
  };
}

/** The messages of `{"errors": {"<object>": [...]}}`. */
function messages(result: ApiResult, object: string): string[] {
  return ((result.body as { errors?: Record<string, string[]> }).errors ?? {})[object] ?? [];
}

const tempDir = useTempDirs('coupa-sim-');

describe('coupa §3.2 OAuth 2.0 client credentials', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  it('3.2 client_credentials with a space-separated scope → bearer token, expires_in 86,399, scope echoed', async () => {
    const r = await requestToken(sim, { grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret), scope: ALL_SCOPES });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 86_399, scope: ALL_SCOPES });
    expect(String(r.body.access_token).length).toBeGreaterThan(40);
  });

  it('3.2 HTTP Basic client authentication is accepted as well', async () => {
    const res = await fetch(`${sim.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${String(sim.credentials.clientId)}:${String(sim.credentials.clientSecret)}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=core.supplier.read',
    });
    expect(res.status).toBe(200);
  });

  it('R39 Swagger securityDefinitions: /oauth2/access_tokens issues tokens just as /oauth2/token does', async () => {
    const creds = { grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret) };
    const r = await requestToken(sim, { ...creds, scope: 'core.supplier.read' }, '/oauth2/access_tokens');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 86_399, scope: 'core.supplier.read' });
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token: String(r.body.access_token) })).status).toBe(200);
    expect((await requestToken(sim, { ...creds, client_secret: 'wrong', scope: 'core.supplier.read' }, '/oauth2/access_tokens')).status).toBe(401);
  });

  it('3.2 access tokens are JWTs: three base64url parts whose claims carry the scope and a 24 h exp', async () => {
    const token = await mint(sim, 'core.supplier.read core.common.read');
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as Json;
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Json;
    expect(header).toMatchObject({ typ: 'JWT' });
    expect(claims.scope).toBe('core.supplier.read core.common.read');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(86_399);
    // A token with a changed payload no longer matches its signature.
    const forged = [parts[0], Buffer.from(JSON.stringify({ ...claims, scope: ALL_SCOPES })).toString('base64url'), parts[2]].join('.');
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token: forged })).status).toBe(401);
  });

  it('3.2 wrong client secret → 401 invalid_client; the secret is not echoed', async () => {
    const r = await requestToken(sim, { grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: 'wrong-secret-value', scope: ALL_SCOPES });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.text).not.toContain('wrong-secret-value');
  });

  it('3.2 another grant type → 400 unsupported_grant_type; missing grant_type → invalid_request', async () => {
    const creds = { client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret) };
    expect((await requestToken(sim, { ...creds, grant_type: 'password', scope: ALL_SCOPES })).body.error).toBe('unsupported_grant_type');
    expect((await requestToken(sim, { ...creds, scope: ALL_SCOPES })).body.error).toBe('invalid_request');
  });

  it('3.2 a scope the client was not granted (or no scope) → 400 invalid_scope', async () => {
    const creds = { grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret) };
    const unknown = await requestToken(sim, { ...creds, scope: 'core.supplier.read core.expense.write' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_scope');
    expect(String(unknown.body.error_description)).toContain('core.expense.write');
    expect((await requestToken(sim, creds)).body.error).toBe('invalid_scope');
  });

  it('3.2 changing the client\'s scopes breaks token requests that send the old list (config.clientScopes)', () =>
    withSimulator(start({ clientScopes: ['core.supplier.read'] }), async (narrow) => {
      const r = await requestToken(narrow, { grant_type: 'client_credentials', client_id: String(narrow.credentials.clientId), client_secret: String(narrow.credentials.clientSecret), scope: ALL_SCOPES });
      expect(r.body.error).toBe('invalid_scope');
    }));

  it('3.2 calls need Authorization: Bearer; missing or unknown token → 401 with the errors shape', async () => {
    const none = await api<Json>(sim, 'GET', '/api/suppliers');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: { authorization: [expect.stringContaining('Bearer')] } });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await api(sim, 'GET', '/api/suppliers', { token: 'not-a-token' });
    expect(bad.status).toBe(401);
  });

  it('brief: DELETE /invoices/{id} needs core.invoice.delete (write is not enough); reference data needs core.common.read', async () => {
    const writer = await mint(sim, 'core.invoice.read core.invoice.write');
    const refused = await api<Json>(sim, 'DELETE', '/api/invoices/1', { token: writer });
    expect(refused.status).toBe(403);
    expect(messages(refused, 'authorization')[0]).toContain('core.invoice.delete');
    expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
    const noCommon = await api<Json>(sim, 'GET', '/api/users', { token: writer });
    expect(noCommon.status).toBe(403);
    expect(messages(noCommon, 'authorization')[0]).toContain('core.common.read');
    expect((await api(sim, 'GET', '/api/users', { token: await mint(sim, 'core.common.read') })).status).toBe(200);
  });

  it('3.2 a token without the object scope → 403 (read scope does not allow writes)', async () => {
    const token = await mint(sim, 'core.supplier.read');
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(200);
    const po = await api<Json>(sim, 'GET', '/api/purchase_orders', { token });
    expect(po.status).toBe(403);
    expect(JSON.stringify(po.body)).toContain('core.purchase_order.read');
    const write = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'Nope B.V.' } });
    expect(write.status).toBe(403);
    expect(JSON.stringify(write.body)).toContain('core.supplier.write');
  });

  it('3.2/3.8 tokens live 24 h (86,399 s): expired → 401, a newly minted token works', async () => {
    const token = await mint(sim);
    await advanceClock(sim, 86_398_000);
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(200);
    await advanceClock(sim, 2_000);
    const expired = await api<Json>(sim, 'GET', '/api/suppliers?limit=1', { token });
    expect(expired.status).toBe(401);
    expect(JSON.stringify(expired.body)).toMatch(/expired/);
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token: await mint(sim) })).status).toBe(200);
  });

  it('3.2 "wait ~5 s after minting" is available as config.tokenActivationDelaySeconds', () =>
    withSimulator(start({ tokenActivationDelaySeconds: 5 }), async (slow) => {
      const token = await mint(slow);
      expect((await api(slow, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(401);
      await advanceClock(slow, 5_000);
      expect((await api(slow, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(200);
    }));

  it('fault expire: every issued token stops working at once', async () => {
    const token = await mint(sim);
    sim.faults.onExpireTokens();
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(401);
  });
});

describe('coupa §3.1 formats and headers', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start();
    token = await mint(sim);
  });
  afterAll(() => sim.close());

  it('3.1 JSON keys are hyphenated; world suppliers with a Coupa id exist, the deliberately missing ones do not', async () => {
    const r = await api<Json[]>(sim, 'GET', '/api/suppliers', { token });
    expect(r.status).toBe(200);
    expect(r.body.map((s) => s.id)).toEqual(coupaSuppliers.map((s) => s.coupaSupplierId).sort((a, b) => (a ?? 0) - (b ?? 0)));
    const first = r.body[0] ?? {};
    for (const key of ['created-at', 'updated-at', 'display-name', 'po-method', 'tax-id', 'on-hold']) expect(first).toHaveProperty([key]);
    expect(Object.keys(first).some((k) => k.includes('_'))).toBe(false);
    expect(first).toMatchObject({ name: firstSupplier.name, number: firstSupplier.code });
    expect(String(first['updated-at'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    const missing = world.suppliers.filter((s) => s.coupaSupplierId === null).map((s) => s.name);
    expect(missing.length).toBeGreaterThan(0);
    expect(r.body.some((s) => missing.includes(String(s.name)))).toBe(false);
  });

  /** A GET with exactly these headers (fetch adds no Accept of its own when one is given). */
  const rawGet = (path: string, headers: Record<string, string>): Promise<Response> => fetch(`${sim.baseUrl}${path}`, { headers });

  it('brief: XML is the default — no Accept header answers XML, not 406', async () => {
    const r = await getWithoutAccept(sim, '/api/suppliers?limit=1', token);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/application\/xml/);
    expect(r.text).toMatch(/<suppliers type="array">\s*<supplier>\s*<id type="integer">/);
  });

  it('3.1 Accept */* or application/xml answers XML: typed elements, nil, arrays of singular children', async () => {
    for (const accept of ['*/*', 'application/xml']) {
      const res = await rawGet(`/api/suppliers?number=${firstSupplier.code}`, { authorization: `Bearer ${token}`, accept });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/xml/);
      const xml = await res.text();
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<suppliers type="array">\n {2}<supplier>/);
      expect(xml).toContain(`<id type="integer">${String(firstSupplier.coupaSupplierId)}</id>`);
      expect(xml).toContain(`<number>${firstSupplier.code}</number>`);
      expect(xml).toContain('<on-hold type="boolean">false</on-hold>');
      expect(xml).toMatch(/<created-at type="dateTime">\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00<\/created-at>/);
      expect(xml).toMatch(/<remit-to-addresses type="array">\s*<remit-to-address>/);
      expect(xml).toContain('<account-number nil="true"/>');
    }
  });

  it('3.1/3.7 XML answers: errors as <errors><error>, a PO as <order-header> with decimals typed, no match → 404 (JSON: [])', async () => {
    const unauthorized = await rawGet('/api/suppliers', { accept: 'application/xml' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toMatch(/<errors>\s*<error>Send Authorization: Bearer/);
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('XML-1') });
    const po = await (await rawGet(`/api/purchase_orders/${String(created.body.id)}`, { authorization: `Bearer ${token}` })).text();
    expect(po).toMatch(/^<\?xml[^>]*>\n<order-header>/);
    expect(po).toMatch(/<order-lines type="array">\s*<order-line>/);
    expect(po).toContain('<price type="decimal">1234.565</price>');
    const none = await rawGet('/api/purchase_orders?po_number=NOPE', { authorization: `Bearer ${token}` });
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('<error>No results');
  });

  it('3.1 Accept of neither family → 406; a JSON body needs Accept: application/json too (same family)', async () => {
    const html = await rawGet('/api/suppliers', { authorization: `Bearer ${token}`, accept: 'text/html' });
    expect(html.status).toBe(406);
    const mixed = await fetch(`${sim.baseUrl}/api/suppliers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mixed Family B.V.' }),
    });
    expect(mixed.status).toBe(406);
    expect(await mixed.text()).toContain('same family');
    expect((await api<Json[]>(sim, 'GET', '/api/suppliers?name=Mixed%20Family%20B.V.', { token })).body).toEqual([]);
  });

  it('3.1 X-Coupa-API-Version (unconfirmed) is not needed by default', async () => {
    expect((await api(sim, 'GET', '/api/suppliers?limit=1', { token })).status).toBe(200);
  });

  it('3.1 config.requireApiVersionHeader=true makes a missing X-Coupa-API-Version an error', () =>
    withSimulator(start({ requireApiVersionHeader: true }), async (strict) => {
      const t = await mint(strict);
      const missing = await api<Json>(strict, 'GET', '/api/suppliers?limit=1', { token: t });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toContain('X-Coupa-API-Version');
      expect((await api(strict, 'GET', '/api/suppliers?limit=1', { token: t, headers: { 'X-Coupa-API-Version': '48' } })).status).toBe(200);
    }));

  it('3.1 DELETE of a supplier or a purchase order is not supported: 405 with the errors shape, the record stays', async () => {
    for (const resource of ['suppliers', 'purchase_orders']) {
      const r = await api<Json>(sim, 'DELETE', `/api/${resource}/${firstSupplier.coupaSupplierId ?? 0}`, { token });
      expect(r.status).toBe(405);
      expect(JSON.stringify(r.body)).toMatch(/DELETE is not supported/);
    }
    expect((await api(sim, 'GET', `/api/suppliers/${firstSupplier.coupaSupplierId ?? 0}`, { token })).status).toBe(200);
  });
});

describe('coupa §3.3 querying, paging and response shaping', () => {
  let sim: RunningSimulator;
  let token: string;
  const poIds: number[] = [];
  beforeAll(async () => {
    // The per-second limit is raised so the 55 setup writes are not queued.
    sim = await start({ rateLimitPerSecond: 10_000 });
    token = await mint(sim);
    for (let n = 1; n <= 55; n += 1) {
      const r = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo(`EX-${String(n).padStart(4, '0')}`) });
      expect(r.status).toBe(201);
      poIds.push(Number(r.body.id));
    }
  });
  afterAll(() => sim.close());

  it('3.3 limit/offset paging in ascending id order until fewer than limit come back', async () => {
    const seen: number[] = [];
    let offset = 0;
    let pages = 0;
    for (;;) {
      const r = await api<Json[]>(sim, 'GET', `/api/purchase_orders?limit=20&offset=${offset}&return_object=limited`, { token });
      seen.push(...r.body.map((p) => Number(p.id)));
      pages += 1;
      if (r.body.length < 20) break;
      offset += 20;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(poIds);
  });

  it('3.3 at most 50 records per GET: no limit → 50, limit=60 → clamped to 50; config limitAbove50=error refuses', async () => {
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?return_object=limited', { token })).body).toHaveLength(50);
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?limit=60&return_object=limited', { token })).body).toHaveLength(50);
    await withSimulator(start({ limitAbove50: 'error' }), async (strict) => {
      const r = await api<Json>(strict, 'GET', '/api/suppliers?limit=60', { token: await mint(strict) });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ errors: { query: [expect.stringContaining('limit 60')] } });
    });
  });

  it('3.3 updated_at[gt]=ISO 8601 (with %2B offset) returns only records changed after it; a bare date means midnight UTC', async () => {
    await advanceClock(sim, 10_000);
    const checkpoint = new Date(sim.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    await advanceClock(sim, 2_000);
    const changed = await api<Json>(sim, 'PUT', `/api/purchase_orders/${poIds[7] ?? 0}`, { token, body: { 'order-lines': [] } });
    expect(changed.status).toBe(200);
    const r = await api<Json[]>(sim, 'GET', `/api/purchase_orders?updated_at[gt]=${encodeURIComponent(checkpoint)}`, { token });
    expect(r.body.map((p) => p.id)).toEqual([poIds[7]]);
    const all = await api<Json[]>(sim, 'GET', `/api/purchase_orders?updated_at[gt]=2000-01-01&return_object=limited`, { token });
    expect(all.body).toHaveLength(50);
  });

  it('3.3 an unencoded "+" in a time arrives as a space → 400 telling to encode it as %2B', async () => {
    const r = await api<Json>(sim, 'GET', '/api/purchase_orders?updated_at[gt]=2026-10-30T16:00:00+00:00', { token });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('%2B');
  });

  it('3.3 po_number= exact match, [contains]/[starts_with]/[in] operators, supplier[name] association path', async () => {
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=EX-0003', { token })).body.map((p) => p.id)).toEqual([poIds[2]]);
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number[contains]=-005&return_object=limited', { token })).body).toHaveLength(6);
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number[in]=EX-0001,EX-0002,EX-9999&return_object=limited', { token })).body).toHaveLength(2);
    const bySupplier = await api<Json[]>(sim, 'GET', `/api/purchase_orders?supplier[name]=${encodeURIComponent(firstSupplier.name)}&limit=5&return_object=limited`, { token });
    expect(bySupplier.body).toHaveLength(5);
    const lines = await api<Json[]>(sim, 'GET', '/api/purchase_orders?order_lines[description][starts_with]=Site&limit=3&return_object=limited', { token });
    expect(lines.body).toHaveLength(3);
    expect((await api<Json[]>(sim, 'GET', `/api/suppliers?number=${firstSupplier.code}`, { token })).body.map((s) => s.id)).toEqual([firstSupplier.coupaSupplierId]);
  });

  it('3.3 exported=false lists what is not yet marked; PUT ?exported=true (its own request) takes a PO out of that list', async () => {
    const before = await api<Json[]>(sim, 'GET', '/api/purchase_orders?exported=false&po_number[starts_with]=EX-001&return_object=limited', { token });
    expect(before.body).toHaveLength(10);
    expect((await api(sim, 'PUT', `/api/purchase_orders/${poIds[10] ?? 0}?exported=true`, { token })).status).toBe(200);
    const after = await api<Json[]>(sim, 'GET', '/api/purchase_orders?exported=false&po_number[starts_with]=EX-001&return_object=limited', { token });
    expect(after.body.map((p) => p.id)).not.toContain(poIds[10]);
    expect(after.body).toHaveLength(9);
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?exported=true&return_object=limited', { token })).body).toEqual([{ id: poIds[10] }]);
  });

  it('3.3 no match → [] with 200 (JSON, not the XML 404)', async () => {
    const r = await api(sim, 'GET', '/api/purchase_orders?po_number=NOPE', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
  });

  it('brief: attribute names with hyphens (Coupa\'s own examples) work as the underscored ones do; an unknown attribute is refused', async () => {
    const dashed = await api<Json[]>(sim, 'GET', '/api/purchase_orders?po-number=EX-0001&return_object=limited', { token });
    expect(dashed.status).toBe(200);
    expect(dashed.body).toEqual([{ id: poIds[0] }]);
    const since = encodeURIComponent('2000-01-01T00:00:00+00:00');
    for (const name of ['updated-at', 'updated_at', 'created-at', 'created_at']) {
      const r = await api<Json[]>(sim, 'GET', `/api/purchase_orders?${name}[gt]=${since}&limit=3&return_object=limited`, { token });
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(3);
    }
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?order-lines[description][starts_with]=Site&limit=2&return_object=limited', { token })).body).toHaveLength(2);
    const unknown = await api<Json>(sim, 'GET', '/api/purchase_orders?colour=red', { token });
    expect(unknown.status).toBe(400);
    expect(messages(unknown, 'query')[0]).toContain('unknown attribute "colour"');
  });

  it('brief: order_by + dir sort the whole result before paging; dir alone reverses the id order; bad values refused', async () => {
    const desc = await api<Json[]>(sim, 'GET', '/api/purchase_orders?order_by=po_number&dir=desc&limit=3&fields=["po_number"]', { token });
    expect(desc.body).toEqual([{ 'po-number': 'EX-0055' }, { 'po-number': 'EX-0054' }, { 'po-number': 'EX-0053' }]);
    const byIdDesc = await api<Json[]>(sim, 'GET', '/api/purchase_orders?dir=desc&po_number[starts_with]=EX-00&limit=2&return_object=limited', { token });
    expect(byIdDesc.body).toEqual([{ id: poIds[54] }, { id: poIds[53] }]);
    const secondPage = await api<Json[]>(sim, 'GET', '/api/purchase_orders?order_by=po-number&dir=asc&po_number[starts_with]=EX-00&offset=50&return_object=limited', { token });
    expect(secondPage.body).toEqual(poIds.slice(50).map((id) => ({ id })));
    expect((await api(sim, 'GET', '/api/purchase_orders?order_by=po_number&dir=down', { token })).status).toBe(400);
    expect((await api(sim, 'GET', '/api/purchase_orders?order_by=colour', { token })).status).toBe(400);
  });

  it('brief: filter=<name> applies a named API filter of the instance; an unknown name is refused', async () => {
    const named = await api<Json[]>(sim, 'GET', '/api/purchase_orders?filter=not_exported&po_number[starts_with]=EX-000&return_object=limited', { token });
    expect(named.status).toBe(200);
    expect(named.body).toEqual(poIds.slice(0, 9).map((id) => ({ id })));
    const unknown = await api<Json>(sim, 'GET', '/api/purchase_orders?filter=no_such_filter', { token });
    expect(unknown.status).toBe(400);
    expect(messages(unknown, 'query')[0]).toContain('no_such_filter');
    await withSimulator(start({ apiFilters: { suppliers: { dutch: 'primary_address[country][code]=NL' } } }), async (custom) => {
      const t = await mint(custom);
      const dutch = await api<Json[]>(custom, 'GET', '/api/suppliers?filter=dutch&fields=["primary_address"]', { token: t });
      expect(dutch.body.length).toBeGreaterThan(0);
      expect(dutch.body.every((s) => JSON.stringify(s).includes('"NL"'))).toBe(true);
    });
  });

  it('3.3 contains, starts_with and ends_with are not used with date fields', async () => {
    for (const op of ['contains', 'starts_with', 'ends_with']) {
      const r = await api<Json>(sim, 'GET', `/api/purchase_orders?updated_at[${op}]=2026`, { token });
      expect(r.status).toBe(400);
      expect(messages(r, 'query')[0]).toContain('does not apply to dates');
    }
  });

  it('3.4 GET /api/purchase_order_lines lists order lines with their order, filterable by po_number', async () => {
    const lines = await api<Json[]>(sim, 'GET', '/api/purchase_order_lines?po_number=EX-0003', { token });
    expect(lines.status).toBe(200);
    expect(lines.body.map((l) => [l['order-header-id'], l['line-num']])).toEqual([[poIds[2], 1], [poIds[2], 2]]);
    const one = await api<Json>(sim, 'GET', `/api/purchase_order_lines/${String(lines.body[0]?.id)}`, { token });
    expect(one.body).toMatchObject({ 'po-number': 'EX-0003', description: 'Rebar 12mm', price: '1234.565' });
  });

  it('3.3 return_object=limited → ids only; shallow → one-deep associations reduced to id + natural keys', async () => {
    const limited = await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=EX-0001&return_object=limited', { token });
    expect(limited.body).toEqual([{ id: poIds[0] }]);
    const shallow = await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=EX-0001&return_object=shallow', { token });
    const po = shallow.body[0] ?? {};
    expect(po['po-number']).toBe('EX-0001');
    expect(po.supplier).toEqual({ id: firstSupplier.coupaSupplierId, name: firstSupplier.name, number: firstSupplier.code });
    expect(po['order-lines']).toEqual([
      { id: expect.any(Number), 'line-num': 1 },
      { id: expect.any(Number), 'line-num': 2 },
    ]);
  });

  it('3.3 fields=["id","po_number",{"order_lines":["id","line_num"]}] selects exactly those (hyphenated in the answer)', async () => {
    const fields = encodeURIComponent(JSON.stringify(['id', 'po_number', { order_lines: ['id', 'line_num'] }]));
    const r = await api<Json[]>(sim, 'GET', `/api/purchase_orders?po_number=EX-0002&fields=${fields}`, { token });
    expect(r.body).toEqual([{ id: poIds[1], 'po-number': 'EX-0002', 'order-lines': [{ id: expect.any(Number), 'line-num': 1 }, { id: expect.any(Number), 'line-num': 2 }] }]);
    const bad = await api(sim, 'GET', '/api/purchase_orders?fields=[id', { token });
    expect(bad.status).toBe(400);
  });

  it('3.3 return_object=none is for POST/PUT (empty body); on GET it is refused', async () => {
    const created = await api(sim, 'POST', '/api/purchase_orders?return_object=none', { token, body: externalPo('EX-NONE') });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=EX-NONE', { token })).body).toHaveLength(1);
    expect((await api(sim, 'GET', '/api/purchase_orders?return_object=none', { token })).status).toBe(400);
  });
});

describe('coupa §3.4 external purchase orders', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start({ rateLimitPerSecond: 10_000 });
    token = await mint(sim);
  });
  afterAll(() => sim.close());

  it('3.4 POST type ExternalOrderHeader → 201 with id, supplier reference, exact decimal-string amounts', async () => {
    const r = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-1001') });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      'po-number': 'PO-1001',
      type: 'ExternalOrderHeader',
      status: 'draft',
      version: 1,
      exported: false,
      currency: { code: 'EUR' },
      supplier: { id: firstSupplier.coupaSupplierId, name: firstSupplier.name, number: firstSupplier.code },
    });
    const lines = r.body['order-lines'] as Json[];
    // 3 × 1234.565 = 3703.695 → half-up to 3703.70; the price keeps its 3 decimals.
    expect(lines[0]).toMatchObject({ 'line-num': 1, price: '1234.565', quantity: '3.00', total: '3703.70', type: 'OrderQuantityLine', uom: { code: 'EA' } });
    expect(lines[1]).toMatchObject({ 'line-num': 2, price: '0.10', total: '0.10', type: 'OrderAmountLine' });
    const shown = await api<Json>(sim, 'GET', `/api/purchase_orders/${String(r.body.id)}`, { token });
    expect(shown.body).toEqual(r.body);
  });

  it('3.4 POST without type ExternalOrderHeader is refused (API creates external POs only)', async () => {
    const body = externalPo('PO-1002');
    delete body.type;
    const r = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: { purchase_order: [expect.stringContaining('ExternalOrderHeader')] } });
  });

  it('3.4/3.7 duplicate po-number → 400 {"errors":{"purchase_order":["Po number has already been taken"]}}', async () => {
    const r = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-1001') });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: { purchase_order: ['Po number has already been taken'] } });
    expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=PO-1001', { token })).body).toHaveLength(1);
  });

  it('3.4 po-number is at most 20 characters: 21 refused, 20 accepted', async () => {
    const long = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('P'.repeat(21)) });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ errors: { purchase_order: ['Po number is too long (maximum is 20 characters)'] } });
    expect((await api(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('P'.repeat(20)) })).status).toBe(201);
  });

  it('3.4 validation lists every problem: unknown supplier, line without description or price', async () => {
    const r = await api<{ errors: { purchase_order: string[] } }>(sim, 'POST', '/api/purchase_orders', {
      token,
      body: { type: 'ExternalOrderHeader', 'po-number': 'PO-BAD', supplier: { number: 'NO-SUCH' }, 'order-lines': [{ quantity: '1' }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.purchase_order).toEqual(
      expect.arrayContaining([expect.stringContaining('Supplier'), expect.stringContaining("description can't be blank"), expect.stringContaining("price can't be blank")]),
    );
    const amount = await api<{ errors: { purchase_order: string[] } }>(sim, 'POST', '/api/purchase_orders', {
      token,
      body: externalPo('PO-BADAMT', { 'order-lines': [{ description: 'x', price: '12,50', quantity: '1' }] }),
    });
    expect(amount.body.errors.purchase_order[0]).toMatch(/12,50/);
  });

  it('3.4/3.3 PUT updates one record: new version, exported reset, total recalculated; unknown supplier silently unchanged', async () => {
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-2001') });
    const id = String(created.body.id);
    expect((await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}?exported=true`, { token, body: { 'po-number': 'IGNORED' } })).body).toMatchObject({ exported: true, 'po-number': 'PO-2001', version: 1 });
    const line = (created.body['order-lines'] as Json[])[0] ?? {};
    const updated = await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}`, {
      token,
      body: { supplier: { number: 'NO-SUCH' }, 'order-lines': [{ id: line.id, quantity: '5' }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, exported: false, supplier: { id: firstSupplier.coupaSupplierId } });
    const lines = updated.body['order-lines'] as Json[];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ quantity: '5.00', total: '6172.83' });
    const renamed = await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}`, { token, body: { 'po-number': 'PO-1001' } });
    expect(renamed.status).toBe(400);
  });

  it('3.4 special actions are PUT sub-paths: /cancel sets status cancelled', async () => {
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-3001') });
    const r = await api<Json>(sim, 'PUT', `/api/purchase_orders/${String(created.body.id)}/cancel`, { token });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('cancelled');
  });

  it('brief: ship-to-user is required (and must exist) on an external PO; every line needs an account', async () => {
    const r = await api<Json>(sim, 'POST', '/api/purchase_orders', {
      token,
      body: externalPo('PO-REQ', { 'ship-to-user': undefined, 'order-lines': [{ description: 'No account', price: '1.00', quantity: '1' }] }),
    });
    expect(r.status).toBe(400);
    expect(messages(r, 'purchase_order')).toEqual(["Ship to user can't be blank", expect.stringContaining("Order line 1: account can't be blank")]);
    const unknownUser = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-REQ', { 'ship-to-user': { login: 'nobody' } }) });
    expect(messages(unknownUser, 'purchase_order')).toEqual([expect.stringContaining('Ship to user {"login":"nobody"} was not found')]);
    const ok = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-REQ', { 'ship-to-address': { 'location-code': 'HQ' } }) });
    expect(ok.status).toBe(201);
    expect(ok.body['ship-to-user']).toMatchObject({ login: 'inkoop', email: 'inkoop@maasland-hartley.nl' });
    expect(ok.body['ship-to-address']).toMatchObject({ 'location-code': 'HQ', city: 'Rotterdam' });
    expect((ok.body['order-lines'] as Json[])[0]).toMatchObject({ account, currency: { code: 'EUR' } });
  });

  it('brief: PO status is read-only — POST with "issued" makes a draft, PUT with "closed" changes nothing but the version', async () => {
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-RO', { status: 'issued' }) });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const put = await api<Json>(sim, 'PUT', `/api/purchase_orders/${String(created.body.id)}`, { token, body: { status: 'closed', version: 9 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ status: 'draft', version: 2 });
    await withSimulator(start({ readOnlyInput: 'error' }), async (strict) => {
      const refused = await api<Json>(strict, 'POST', '/api/purchase_orders', { token: await mint(strict), body: externalPo('PO-RO', { status: 'issued' }) });
      expect(refused.status).toBe(400);
      expect(messages(refused, 'purchase_order')).toEqual(['Status is read-only']);
    });
  });

  it('brief: status moves only through actions — issue, close, reopen, cancel; a cancelled PO is final and cannot be changed', async () => {
    const id = String((await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-LIFE') })).body.id);
    const act = (action: string): Promise<ApiResult<Json>> => api<Json>(sim, 'PUT', `/api/purchase_orders/${id}/${action}`, { token });
    const close = await act('close');
    expect(close.status).toBe(400);
    expect(messages(close, 'purchase_order')[0]).toContain('Cannot close a purchase order in status draft');
    expect((await act('issue')).body.status).toBe('issued');
    expect((await act('issue')).status).toBe(400);
    expect((await act('close')).body.status).toBe('closed');
    const closedPut = await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}`, { token, body: { 'payment-term': { code: 'Net 60' } } });
    expect(messages(closedPut, 'purchase_order')).toEqual(['A closed purchase order cannot be changed; reopen it first']);
    expect((await act('reopen')).body.status).toBe('issued');
    expect((await act('cancel')).body.status).toBe('cancelled');
    for (const action of ['reopen', 'issue', 'close']) expect((await act(action)).status).toBe(400);
    const cancelledPut = await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}`, { token, body: { 'payment-term': { code: 'Net 60' } } });
    expect(messages(cancelledPut, 'purchase_order')).toEqual(['A cancelled purchase order cannot be changed']);
    const unknown = await act('approve');
    expect(unknown.status).toBe(404);
    expect(messages(unknown, 'purchase_order')[0]).toContain('issue, issue_without_send');
  });

  it('brief: {id, _delete: true} in a PUT\'s order-lines removes that line (new version); an unknown line id is refused', async () => {
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-DEL') });
    const [first, second] = created.body['order-lines'] as Json[];
    const put = await api<Json>(sim, 'PUT', `/api/purchase_orders/${String(created.body.id)}`, { token, body: { 'order-lines': [{ id: second?.id, _delete: true }] } });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);
    expect((put.body['order-lines'] as Json[]).map((l) => l.id)).toEqual([first?.id]);
    expect((await api<Json>(sim, 'GET', `/api/purchase_order_lines/${String(second?.id)}`, { token })).status).toBe(404);
    const unknown = await api<Json>(sim, 'PUT', `/api/purchase_orders/${String(created.body.id)}`, { token, body: { 'order-lines': [{ id: second?.id, _delete: true }] } });
    expect(messages(unknown, 'purchase_order')[0]).toContain('is not on this document');
  });

  it('brief: DELETE /purchase_order_lines/{id} removes a line (new version, exported reset); a billed line or a cancelled order\'s line stays', async () => {
    const created = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-DLINE') });
    const id = String(created.body.id);
    await api(sim, 'PUT', `/api/purchase_orders/${id}?exported=true`, { token });
    const [first, second] = created.body['order-lines'] as Json[];
    const deleted = await api<Json>(sim, 'DELETE', `/api/purchase_order_lines/${String(second?.id)}`, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: second?.id, 'order-header-id': created.body.id, description: 'Site fee' });
    const po = await api<Json>(sim, 'GET', `/api/purchase_orders/${id}`, { token });
    expect(po.body).toMatchObject({ version: 2, exported: false });
    expect((po.body['order-lines'] as Json[]).map((l) => l.id)).toEqual([first?.id]);
    const billed = invoiceBody('INV-DLINE', { number: firstSupplier.code });
    (billed['invoice-lines'] as Json[])[0] = { ...((billed['invoice-lines'] as Json[])[0] ?? {}), 'order-line-id': first?.id };
    expect((await api(sim, 'POST', '/api/invoices', { token, body: billed })).status).toBe(201);
    const refused = await api<Json>(sim, 'DELETE', `/api/purchase_order_lines/${String(first?.id)}`, { token });
    expect(refused.status).toBe(400);
    expect(messages(refused, 'purchase_order_line')[0]).toContain('billed by invoice INV-DLINE');
    const viaPut = await api<Json>(sim, 'PUT', `/api/purchase_orders/${id}`, { token, body: { 'order-lines': [{ id: first?.id, _delete: true }] } });
    expect(messages(viaPut, 'purchase_order')[0]).toContain('billed by invoice INV-DLINE');
    const other = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-DLINE2') });
    await api(sim, 'PUT', `/api/purchase_orders/${String(other.body.id)}/cancel`, { token });
    const cancelledLine = await api<Json>(sim, 'DELETE', `/api/purchase_order_lines/${String((other.body['order-lines'] as Json[])[0]?.id)}`, { token });
    expect(cancelledLine.status).toBe(400);
    expect((await api(sim, 'DELETE', '/api/purchase_order_lines/99999999', { token })).status).toBe(404);
  });

  it('3.1 GET of an unknown id → 404 with the errors shape', async () => {
    const r = await api<Json>(sim, 'GET', '/api/purchase_orders/999999', { token });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ errors: { purchase_order: [expect.stringContaining('999999')] } });
  });
});

describe('coupa §3.5 invoices', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start({ rateLimitPerSecond: 10_000 });
    token = await mint(sim, `${ALL_SCOPES} core.invoice.delete`);
  });
  afterAll(() => sim.close());

  const post = (body: Json): Promise<ApiResult<Json>> => api<Json>(sim, 'POST', '/api/invoices', { token, body });
  const act = (id: unknown, action: string): Promise<ApiResult<Json>> => api<Json>(sim, 'PUT', `/api/invoices/${String(id)}/${action}`, { token });
  const lineWith = (body: Json, index: number, extra: Json): Json => {
    const lines = [...(body['invoice-lines'] as Json[])];
    lines[index] = { ...(lines[index] ?? {}), ...extra };
    return { ...body, 'invoice-lines': lines };
  };

  it('3.5 POST /api/invoices → 201 draft, gross total exact to the cent, line linked to a PO line shows po-number', async () => {
    const po = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-INV-1') });
    const poLine = (po.body['order-lines'] as Json[])[0] ?? {};
    const r = await post(lineWith(invoiceBody('INV-001', { number: firstSupplier.code }), 0, { 'order-line-id': poLine.id }));
    expect(r.status).toBe(201);
    // 3 × 100.005 = 300.015 → 300.02; + 19.99 + tax 63.00 = 383.01
    expect(r.body).toMatchObject({ 'invoice-number': 'INV-001', status: 'draft', 'document-type': 'Invoice', 'tax-amount': '63.00', 'gross-total': '383.01', 'total-with-taxes': '383.01' });
    const lines = r.body['invoice-lines'] as Json[];
    expect(lines[0]).toMatchObject({ total: '300.02', 'tax-amount': '63.00', 'order-line-id': poLine.id, 'po-number': 'PO-INV-1', 'order-line-num': 1, account });
    expect(lines[1]).toMatchObject({ total: '19.99', 'po-number': null });
  });

  it('3.5 duplicate (invoice-number, supplier) → error; the same number for another supplier is fine', async () => {
    const dup = await post(invoiceBody('INV-001', { name: firstSupplier.name }));
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ errors: { invoice: ['Invoice number has already been used for this supplier'] } });
    const other = await post(invoiceBody('INV-001', { id: secondSupplier.coupaSupplierId }, {}, `RT-${secondSupplier.code}`));
    expect(other.status).toBe(201);
    const found = await api<Json[]>(sim, 'GET', '/api/invoices?invoice_number=INV-001', { token });
    expect(found.body).toHaveLength(2);
  });

  it('brief: invoice-date is a datetime — a datetime input is accepted and returned as one (its instant, in UTC); a bare date is midnight UTC', async () => {
    const withOffset = await post(invoiceBody('INV-DT-1', { number: firstSupplier.code }, { 'invoice-date': '2026-10-20T10:00:00+02:00' }));
    expect(withOffset.status).toBe(201);
    expect(withOffset.body['invoice-date']).toBe('2026-10-20T08:00:00+00:00');
    const bare = await post(invoiceBody('INV-DT-2', { number: firstSupplier.code }, { 'invoice-date': '2026-10-21' }));
    expect(bare.body['invoice-date']).toBe('2026-10-21T00:00:00+00:00');
    const bad = await post(invoiceBody('INV-DT-3', { number: firstSupplier.code }, { 'invoice-date': '20-10-2026' }));
    expect(bad.status).toBe(400);
    expect(messages(bad, 'invoice')).toEqual([expect.stringContaining('Invoice date must be a date-time')]);
    const since = encodeURIComponent('2026-10-20T12:00:00+00:00');
    const filtered = await api<Json[]>(sim, 'GET', `/api/invoices?invoice-date[gt]=${since}&invoice_number[starts_with]=INV-DT&fields=["invoice_number"]`, { token });
    expect(filtered.body).toEqual([{ 'invoice-number': 'INV-DT-2' }]);
  });

  it('3.5 invoice-number ≤ 40; an unknown order-line-id is refused', async () => {
    const r = await post(invoiceBody('N'.repeat(41), { number: firstSupplier.code }));
    expect(r.status).toBe(400);
    expect(messages(r, 'invoice')).toEqual(['Invoice number is too long (maximum is 40 characters)']);
    const link = await post(lineWith(invoiceBody('INV-LINK', { number: firstSupplier.code }), 0, { 'order-line-id': 987654 }));
    expect(messages(link, 'invoice')[0]).toMatch(/987654/);
  });

  it('brief: the required invoice fields are required — remit-to (both), bill-to-address, account-type, line-level-taxation; lines need account, tax-amount, quantity', async () => {
    const r = await post({
      'invoice-number': 'INV-REQ',
      'invoice-date': '2026-10-20',
      supplier: { number: firstSupplier.code },
      'invoice-lines': [{ description: 'Concrete', price: '10.00' }],
    });
    expect(r.status).toBe(400);
    expect(messages(r, 'invoice')).toEqual([
      "Account type can't be blank",
      "Bill to address can't be blank",
      "Remit to address can't be blank",
      "Supplier remit to can't be blank",
      "Line level taxation can't be blank (true or false)",
      expect.stringContaining("Invoice line 1: account can't be blank"),
      expect.stringContaining("Invoice line 1: tax-amount can't be blank"),
      "Invoice line 1: quantity can't be blank on a InvoiceQuantityLine",
    ]);
    const noLines = await post(invoiceBody('INV-REQ', { number: firstSupplier.code }, { 'invoice-lines': [] }));
    expect(messages(noLines, 'invoice')).toEqual(['An invoice needs at least one line']);
    const unknownRefs = await post(invoiceBody('INV-REQ', { number: firstSupplier.code }, { 'account-type': { name: 'Other Ltd' }, 'bill-to-address': { 'location-code': 'MARS' } }));
    expect(messages(unknownRefs, 'invoice')).toEqual([expect.stringContaining('Account type {"name":"Other Ltd"} was not found'), expect.stringContaining('Bill to address {"location-code":"MARS"} was not found')]);
  });

  it('brief: remit-to is one of the invoice supplier\'s remit-to addresses; config invoiceRemitTo=either needs only one of the two', async () => {
    const foreign = await post(invoiceBody('INV-RT', { number: firstSupplier.code }, {}, `RT-${secondSupplier.code}`));
    expect(messages(foreign, 'invoice')).toEqual([
      expect.stringContaining(`Remit to address {"remit-to-code":"RT-${secondSupplier.code}"} was not found`),
      expect.stringContaining('Supplier remit to {"remit-to-code"'),
    ]);
    await withSimulator(start({ invoiceRemitTo: 'either' }), async (lenient) => {
      const t = await mint(lenient);
      const one = invoiceBody('INV-RT', { number: firstSupplier.code });
      delete one['supplier-remit-to'];
      const r = await api<Json>(lenient, 'POST', '/api/invoices', { token: t, body: one });
      expect(r.status).toBe(201);
      expect(r.body['supplier-remit-to']).toBeNull();
      delete one['remit-to-address'];
      const none = await api<Json>(lenient, 'POST', '/api/invoices', { token: t, body: { ...one, 'invoice-number': 'INV-RT-2' } });
      expect(messages(none, 'invoice')).toEqual([expect.stringContaining("Remit to address can't be blank")]);
    });
  });

  it('brief: bill-to-address, remit-to-address, supplier-remit-to, payment-term, supplier-note, line-level-taxation and header tax-amount are kept', async () => {
    const r = await post(
      invoiceBody('INV-KEEP', { number: firstSupplier.code }, { 'payment-term': { code: 'Net 45' }, 'supplier-note': 'Levering week 42', 'line-level-taxation': false, 'tax-amount': '70.00' }),
    );
    expect(r.status).toBe(201);
    const shown = await api<Json>(sim, 'GET', `/api/invoices/${String(r.body.id)}`, { token });
    expect(shown.body).toMatchObject({
      'bill-to-address': { 'location-code': 'HQ', city: 'Rotterdam' },
      'remit-to-address': { 'remit-to-code': `RT-${firstSupplier.code}`, city: firstSupplier.city },
      'supplier-remit-to': { 'remit-to-code': `RT-${firstSupplier.code}` },
      'account-type': { name: world.companyName },
      'payment-term': { code: 'Net 45' },
      'supplier-note': 'Levering week 42',
      'line-level-taxation': false,
      // Header-level taxation: the header tax is the invoice's tax (300.02 + 19.99 + 70.00).
      'tax-amount': '70.00',
      'gross-total': '390.01',
    });
  });

  it('brief: a line price of "abc", or none, is a 400 naming the line — never a 500', async () => {
    const abc = await post(lineWith(invoiceBody('INV-ABC', { number: firstSupplier.code }), 0, { price: 'abc' }));
    expect(abc.status).toBe(400);
    expect(messages(abc, 'invoice')).toEqual([expect.stringMatching(/^Invoice line 1: price .*abc.*not a number/)]);
    const body = invoiceBody('INV-ABC', { number: firstSupplier.code });
    delete ((body['invoice-lines'] as Json[])[1] ?? {}).price;
    const missing = await post(body);
    expect(missing.status).toBe(400);
    expect(messages(missing, 'invoice')).toEqual(["Invoice line 2: price can't be blank"]);
    const quantity = await post(lineWith(invoiceBody('INV-ABC', { number: firstSupplier.code }), 0, { quantity: 'x', 'tax-amount': 'y' }));
    expect(quantity.status).toBe(400);
    expect(messages(quantity, 'invoice')).toHaveLength(2);
    expect(sim.requests.summary().byStatus['500'] ?? 0).toBe(0);
  });

  it('brief: is-credit-note makes a credit note (document-type derived) and needs original-invoice-number/-date; document-type is not input', async () => {
    const missing = await post(invoiceBody('CN-001', { number: firstSupplier.code }, { 'is-credit-note': true }));
    expect(messages(missing, 'invoice')).toEqual(["Original invoice number can't be blank on a credit note", "Original invoice date can't be blank on a credit note"]);
    const credit = await post(
      invoiceBody('CN-001', { number: firstSupplier.code }, { 'is-credit-note': true, 'original-invoice-number': 'INV-001', 'original-invoice-date': '2026-10-20', 'document-type': 'Invoice' }),
    );
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({ 'is-credit-note': true, 'document-type': 'Credit Note', 'original-invoice-number': 'INV-001', 'original-invoice-date': '2026-10-20T00:00:00+00:00' });
    const plain = await post(invoiceBody('INV-DOCTYPE', { number: firstSupplier.code }, { 'document-type': 'Credit Note' }));
    expect(plain.body).toMatchObject({ 'is-credit-note': false, 'document-type': 'Invoice' });
  });

  it('brief: POST creates a draft and status is read-only — an invoice cannot be POSTed or PUT as approved', async () => {
    const r = await post(invoiceBody('INV-RO', { number: firstSupplier.code }, { status: 'approved', paid: true }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'draft', paid: false });
    const put = await api<Json>(sim, 'PUT', `/api/invoices/${String(r.body.id)}`, { token, body: { status: 'approved' } });
    expect(put.body.status).toBe('draft');
  });

  it('brief: submit → pending_approval, bypass_approvals → approved; an approved invoice cannot be changed but can be marked exported and voided', async () => {
    const id = (await post(invoiceBody('INV-FLOW', { number: firstSupplier.code }))).body.id;
    const submitted = await act(id, 'submit');
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('pending_approval');
    expect(messages(await act(id, 'submit'), 'invoice')[0]).toContain('Cannot submit a invoice in status pending_approval');
    expect((await act(id, 'restart_approvals')).body.status).toBe('pending_approval');
    expect((await act(id, 'bypass_approvals')).body.status).toBe('approved');
    const change = await api<Json>(sim, 'PUT', `/api/invoices/${String(id)}`, { token, body: { 'supplier-note': 'too late' } });
    expect(change.status).toBe(400);
    expect(change.body).toEqual({ errors: { invoice: ['An invoice in status approved cannot be changed'] } });
    expect((await api<Json>(sim, 'PUT', `/api/invoices/${String(id)}?exported=true`, { token })).body).toMatchObject({ exported: true, status: 'approved' });
    expect((await act(id, 'void')).body.status).toBe('voided');
    expect((await act(id, 'void')).status).toBe(400);
  });

  it('3.5 abandon a draft; dispute a pending invoice, fix and resubmit it; bypass_current_approval approves; unknown actions are 404', async () => {
    const draft = (await post(invoiceBody('INV-ABANDON', { number: firstSupplier.code }))).body.id;
    expect((await act(draft, 'abandon')).body.status).toBe('abandoned');
    expect((await api(sim, 'PUT', `/api/invoices/${String(draft)}`, { token, body: { 'supplier-note': 'x' } })).status).toBe(400);
    const id = (await post(invoiceBody('INV-DISPUTE', { number: firstSupplier.code }))).body.id;
    expect((await act(id, 'dispute')).status).toBe(400);
    await act(id, 'submit');
    expect((await act(id, 'dispute')).body.status).toBe('disputed');
    expect((await api<Json>(sim, 'PUT', `/api/invoices/${String(id)}`, { token, body: { 'supplier-note': 'Corrected' } })).body['supplier-note']).toBe('Corrected');
    expect((await act(id, 'submit')).body.status).toBe('pending_approval');
    expect((await act(id, 'bypass_current_approval')).body.status).toBe('approved');
    const unknown = await act(id, 'approve');
    expect(unknown.status).toBe(404);
    expect(messages(unknown, 'invoice')[0]).toContain('submit, abandon, void');
  });

  it('brief: DELETE /invoices/{id} removes a draft (its number is free again); a submitted invoice cannot be deleted', async () => {
    const draft = await post(invoiceBody('INV-DEL', { number: firstSupplier.code }));
    const deleted = await api<Json>(sim, 'DELETE', `/api/invoices/${String(draft.body.id)}`, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: draft.body.id, 'invoice-number': 'INV-DEL' });
    expect((await api(sim, 'GET', `/api/invoices/${String(draft.body.id)}`, { token })).status).toBe(404);
    const again = await post(invoiceBody('INV-DEL', { number: firstSupplier.code }));
    expect(again.status).toBe(201);
    await act(again.body.id, 'submit');
    const refused = await api<Json>(sim, 'DELETE', `/api/invoices/${String(again.body.id)}`, { token });
    expect(refused.status).toBe(400);
    expect(messages(refused, 'invoice')[0]).toContain('pending_approval cannot be deleted');
  });

  it('3.5 an invoice line may bill only a PO line of its own supplier, and not one of a cancelled order', async () => {
    const other = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-OTHER', { supplier: { id: secondSupplier.coupaSupplierId } }) });
    const otherLine = (other.body['order-lines'] as Json[])[0]?.id;
    const foreign = await post(lineWith(invoiceBody('INV-FOREIGN', { number: firstSupplier.code }), 0, { 'order-line-id': otherLine }));
    expect(messages(foreign, 'invoice')).toEqual([expect.stringContaining('PO-OTHER of another supplier')]);
    const own = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-GONE') });
    await api(sim, 'PUT', `/api/purchase_orders/${String(own.body.id)}/cancel`, { token });
    const cancelled = await post(lineWith(invoiceBody('INV-GONE', { number: firstSupplier.code }), 0, { 'order-line-id': (own.body['order-lines'] as Json[])[0]?.id }));
    expect(messages(cancelled, 'invoice')).toEqual([expect.stringContaining('cancelled purchase order PO-GONE')]);
  });

  it('brief: seeded demo data — the world\'s planted entries are approved (and paid) invoices in Coupa that refuse any change', async () => {
    const { coupaApprovedPurchaseEntryKey, coupaPaidPurchaseEntryKey } = world.deliberate;
    const entry = (key: string | null): WorldPurchaseEntry => {
      const found = world.purchaseEntries.find((e) => e.key === key);
      if (!found) throw new Error(`world seed 5 has no purchase entry ${String(key)}`);
      return found;
    };
    const inCoupa = async (e: WorldPurchaseEntry): Promise<Json> => {
      const r = await api<Json[]>(sim, 'GET', `/api/invoices?invoice_number=${encodeURIComponent(e.invoiceNumber)}`, { token });
      expect(r.body).toHaveLength(1);
      return r.body[0] ?? {};
    };
    const [approvedEntry, paidEntry] = [entry(coupaApprovedPurchaseEntryKey), entry(coupaPaidPurchaseEntryKey)];
    const [approved, paid] = [await inCoupa(approvedEntry), await inCoupa(paidEntry)];
    const supplier = world.suppliers.find((s) => s.key === approvedEntry.supplierKey);
    expect(approved).toMatchObject({ status: 'approved', paid: false, supplier: { id: supplier?.coupaSupplierId } });
    expect(paid).toMatchObject({ status: 'approved', paid: true, 'payment-date': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    // The Coupa copy carries the Exact entry's amounts to the cent (net + VAT).
    const exactGross = Decimal.sum(approvedEntry.lines.flatMap((l) => [Decimal.parse(l.amount), Decimal.parse(l.vatAmount)])).toMoneyString();
    expect(approved['gross-total']).toBe(exactGross);
    for (const invoice of [approved, paid]) {
      const put = await api<Json>(sim, 'PUT', `/api/invoices/${String(invoice.id)}`, { token, body: { 'supplier-note': 'changed' } });
      expect(put.status).toBe(400);
    }
    expect(messages(await api<Json>(sim, 'PUT', `/api/invoices/${String(paid.id)}`, { token, body: {} }), 'invoice')).toEqual(['A paid invoice cannot be changed']);
    expect(messages(await act(paid.id, 'void'), 'invoice')).toEqual(['A paid invoice cannot be voided']);
    expect((await api(sim, 'DELETE', `/api/invoices/${String(approved.id)}`, { token })).status).toBe(400);
  });
});

describe('coupa §3.6 suppliers', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start({ rateLimitPerSecond: 10_000 });
    token = await mint(sim);
  });
  afterAll(() => sim.close());

  it('3.6 suppliers: POST creates (supplier-status draft), name and number are unique, PUT deactivates', async () => {
    const created = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'Nieuwe Leverancier B.V.', number: '49999', 'po-email': 'po@nieuw.nl' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Nieuwe Leverancier B.V.', number: '49999', status: 'active', 'supplier-status': 'draft' });
    const dupName = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'Nieuwe Leverancier B.V.', number: '50000' } });
    expect(dupName.body).toEqual({ errors: { supplier: ['Name has already been taken'] } });
    const dupNumber = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'Other', number: firstSupplier.code } });
    expect(dupNumber.body).toEqual({ errors: { supplier: ['Number has already been taken'] } });
    const longName = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'x'.repeat(101) } });
    expect(longName.status).toBe(400);
    const deactivated = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, { token, body: { status: 'inactive' } });
    expect(deactivated.body).toMatchObject({ status: 'inactive', name: 'Nieuwe Leverancier B.V.' });
    const bad = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, { token, body: { status: 'gone' } });
    expect(JSON.stringify(bad.body)).toMatch(/active, inactive, onboarding/);
  });

  it('brief: primary-contact is kept and returned; seeded suppliers carry theirs', async () => {
    const contact = { email: 'j.jansen@grondwerk.nl', 'name-given': 'Jan', 'name-family': 'Jansen', 'phone-work': { number: '010-1234567' } };
    const created = await api<Json>(sim, 'POST', '/api/suppliers', { token, body: { name: 'Grondwerk Jansen B.V.', number: '49001', 'primary-contact': contact } });
    expect(created.status).toBe(201);
    expect(created.body['primary-contact']).toEqual(contact);
    expect((await api<Json>(sim, 'GET', `/api/suppliers/${String(created.body.id)}`, { token })).body['primary-contact']).toEqual(contact);
    const renamed = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, { token, body: { 'primary-contact': { ...contact, 'name-given': 'Johan' } } });
    expect(renamed.body['primary-contact']).toMatchObject({ 'name-given': 'Johan', email: contact.email });
    const bad = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, { token, body: { 'primary-contact': { email: 'not-an-address' } } });
    expect(messages(bad, 'supplier')).toEqual([expect.stringContaining('not an email address')]);
    const seeded = await api<Json>(sim, 'GET', `/api/suppliers/${String(firstSupplier.coupaSupplierId)}`, { token });
    expect(seeded.body['primary-contact']).toMatchObject({ email: firstSupplier.email });
  });

  it('brief: remit-to addresses are created and updated with the supplier (code unique per supplier) and an invoice can use a new one', async () => {
    const created = await api<Json>(sim, 'POST', '/api/suppliers', {
      token,
      body: { name: 'Remit Test B.V.', number: '49002', 'remit-to-addresses': [{ 'remit-to-code': 'RT-MAIN', street1: 'Kade 1', city: 'Delft', country: { code: 'NL' } }] },
    });
    expect(created.status).toBe(201);
    const [address] = created.body['remit-to-addresses'] as Json[];
    expect(address).toMatchObject({ id: expect.any(Number), 'remit-to-code': 'RT-MAIN', active: true });
    const updated = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, {
      token,
      body: { 'remit-to-addresses': [{ id: address?.id, street1: 'Kade 2' }, { 'remit-to-code': 'RT-MAIN', street1: 'Dock 3', city: 'Delft' }] },
    });
    expect(messages(updated, 'supplier')).toEqual(['Remit to code RT-MAIN is used twice on this supplier']);
    const moved = await api<Json>(sim, 'PUT', `/api/suppliers/${String(created.body.id)}`, { token, body: { 'remit-to-addresses': [{ id: address?.id, street1: 'Kade 2' }] } });
    expect((moved.body['remit-to-addresses'] as Json[])[0]).toMatchObject({ id: address?.id, street1: 'Kade 2', city: 'Delft' });
    const invoice = await api<Json>(sim, 'POST', '/api/invoices', { token, body: invoiceBody('RT-INV-1', { number: '49002' }, {}, 'RT-MAIN') });
    expect(invoice.status).toBe(201);
    expect(invoice.body['remit-to-address']).toMatchObject({ id: address?.id, street1: 'Kade 2' });
    // Moving the draft to another supplier drops this supplier's remit-to unless the new one's is sent.
    const moved2 = await api<Json>(sim, 'PUT', `/api/invoices/${String(invoice.body.id)}`, { token, body: { supplier: { number: firstSupplier.code } } });
    expect(messages(moved2, 'invoice')).toEqual(["Remit to address can't be blank", "Supplier remit to can't be blank"]);
    const remitTo = { 'remit-to-code': `RT-${firstSupplier.code}` };
    const switched = await api<Json>(sim, 'PUT', `/api/invoices/${String(invoice.body.id)}`, {
      token,
      body: { supplier: { number: firstSupplier.code }, 'remit-to-address': remitTo, 'supplier-remit-to': remitTo },
    });
    expect(switched.body).toMatchObject({ supplier: { number: firstSupplier.code }, 'remit-to-address': remitTo });
  });
});

describe('coupa §3.7 rate limit', () => {
  it('3.7 above N req/s (plus the queue) → 429 with Retry-After and the errors shape; queued calls are delayed, not refused', () =>
    withSimulator(start({ rateLimitPerSecond: 2, rateLimitQueue: 1 }), async (sim) => {
      const token = await mint(sim); // 1st request of this second
      const results = await Promise.all([1, 2, 3].map(() => api<Json>(sim, 'GET', '/api/suppliers?limit=1&return_object=limited', { token })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 429]);
      const limited = results.find((r) => r.status === 429);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited?.body).toEqual({ errors: { rate_limit: [expect.stringContaining('2 requests per second')] } });
    }));

  it('3.7 the instance limit comes with the credentials (25 by default, or as configured), so a client can pace at it', async () => {
    await withSimulator(start(), async (sim) => expect(sim.credentials.requestsPerSecond).toBe(25));
    await withSimulator(start({ rateLimitPerSecond: 250 }), async (sim) => expect(sim.credentials.requestsPerSecond).toBe(250));
  });

  it('3.7 defaults: 25 req/s with 20 queued; 46 simultaneous calls → exactly one 429', () =>
    withSimulator(start(), async (sim) => {
      const token = await mint(sim);
      const results = await Promise.all(Array.from({ length: 45 }, () => api(sim, 'GET', '/api/suppliers?limit=1&return_object=limited', { token })));
      expect(results.filter((r) => r.status === 429)).toHaveLength(1);
    }));
});

describe('coupa faults and persistence', () => {
  it('fault 5xx answers with Coupa\'s {"errors": {...}} shape', () =>
    withSimulator(start({}, { faults: 'coupa:5xx=1' }), async (sim) => {
      const r = await api<Json>(sim, 'GET', '/api/suppliers');
      expect([500, 502, 503]).toContain(r.status);
      expect(r.body).toEqual({ errors: { server: [expect.any(String)] } });
    }));

  it('fault drop-after-commit: the client gets no answer but the PO exists; a blind retry hits the duplicate rule', () =>
    withSimulator(start(), async (sim) => {
      const token = await mint(sim);
      sim.faults.set({ dropAfterCommitRate: 1 });
      await expect(api(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-DROP') })).rejects.toThrow();
      sim.faults.clear();
      expect((await api<Json[]>(sim, 'GET', '/api/purchase_orders?po_number=PO-DROP', { token })).body).toHaveLength(1);
      expect((await api(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-DROP') })).status).toBe(400);
    }));

  it('persistence: a restart on the same data dir keeps records, tokens and credentials and does not re-seed', async () => {
    const dir = tempDir();
    const first = await startCoupaSimulator({ dataDir: dir, seed: 5 });
    const token = await mint(first);
    const po = await api<Json>(first, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-KEEP') });
    const supplier = await api<Json>(first, 'POST', '/api/suppliers', { token, body: { name: 'Kept Supplier', number: '48888' } });
    const credentials = first.credentials;
    await first.close();

    await withSimulator(startCoupaSimulator({ dataDir: dir, seed: 5 }), async (second) => {
      expect(second.credentials).toEqual(credentials);
      const found = await api<Json[]>(second, 'GET', '/api/purchase_orders?po_number=PO-KEEP', { token });
      expect(found.status).toBe(200);
      expect(found.body).toEqual([po.body]);
      const suppliers = await api<Json[]>(second, 'GET', '/api/suppliers?return_object=limited', { token });
      expect(suppliers.body).toHaveLength(coupaSuppliers.length + 1);
      expect(suppliers.body.at(-1)).toEqual({ id: supplier.body.id });
      const next = await api<Json>(second, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-NEXT') });
      expect(Number(next.body.id)).toBeGreaterThan(Number(po.body.id));
      expect((await api(second, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-KEEP') })).status).toBe(400);
    });
  });
});
