import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimulatorStartOptions } from '../../src-main/sandbox/_common/simulator';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startCoupaSimulator } from '../../src-main/sandbox/coupa/index';
import { useTempDirs, withSimulator } from './support';

/**
 * Coupa simulator conformance, one describe per group of facts in
 * shared/api/acumatica-intacct-coupa-monday.md §3. Titles name the fact they check.
 */

const ALL_SCOPES =
  'core.purchase_order.read core.purchase_order.write core.invoice.read core.invoice.write core.supplier.read core.supplier.write';

type Json = Record<string, unknown>;

interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

async function requestToken(sim: RunningSimulator, fields: Record<string, string>): Promise<ApiResult<Json>> {
  const res = await fetch(`${sim.baseUrl}/oauth2/token`, {
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

function externalPo(poNumber: string, extra: Json = {}): Json {
  return {
    type: 'ExternalOrderHeader',
    'po-number': poNumber,
    supplier: { number: firstSupplier.code },
    currency: { code: 'EUR' },
    'order-lines': [
      { 'line-num': 1, description: 'Rebar 12mm', price: '1234.565', quantity: '3', uom: { code: 'EA' } },
      { 'line-num': 2, description: 'Site fee', price: '0.10', type: 'OrderAmountLine' },
    ],
    ...extra,
  };
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

  it('3.1 without Accept: application/json the answer is not JSON (XML is Coupa\'s default)', async () => {
    const res = await fetch(`${sim.baseUrl}/api/suppliers`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toMatch(/xml/);
    expect(await res.text()).toContain('<errors><error>');
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

  it('3.1 DELETE is not supported for any resource: 405 with the errors shape, the record stays', async () => {
    for (const resource of ['suppliers', 'purchase_orders', 'invoices']) {
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

  it('3.1/3.3 query names use underscores: a dashed name or an unknown attribute is refused, not ignored', async () => {
    const dashed = await api<Json>(sim, 'GET', '/api/purchase_orders?po-number=EX-0001', { token });
    expect(dashed.status).toBe(400);
    expect(JSON.stringify(dashed.body)).toContain('po_number');
    const unknown = await api<Json>(sim, 'GET', '/api/purchase_orders?colour=red', { token });
    expect(unknown.status).toBe(400);
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
    sim = await start();
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

  it('3.1 GET of an unknown id → 404 with the errors shape', async () => {
    const r = await api<Json>(sim, 'GET', '/api/purchase_orders/999999', { token });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ errors: { purchase_order: [expect.stringContaining('999999')] } });
  });
});

describe('coupa §3.5–3.6 invoices and suppliers', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start();
    token = await mint(sim);
  });
  afterAll(() => sim.close());

  const invoice = (number: string, supplier: Json, extra: Json = {}): Json => ({
    'invoice-number': number,
    'invoice-date': '2026-10-20',
    supplier,
    currency: { code: 'EUR' },
    'invoice-lines': [
      { 'line-num': 1, description: 'Concrete', price: '100.005', quantity: '3', type: 'InvoiceQuantityLine', 'tax-amount': '63.00' },
      { 'line-num': 2, description: 'Transport', price: '19.99', type: 'InvoiceAmountLine' },
    ],
    ...extra,
  });

  it('3.5 POST /api/invoices → 201, gross total exact to the cent, line linked to a PO line shows po-number', async () => {
    const po = await api<Json>(sim, 'POST', '/api/purchase_orders', { token, body: externalPo('PO-INV-1') });
    const poLine = (po.body['order-lines'] as Json[])[0] ?? {};
    const body = invoice('INV-001', { number: firstSupplier.code });
    (body['invoice-lines'] as Json[])[0] = { ...((body['invoice-lines'] as Json[])[0] ?? {}), 'order-line-id': poLine.id };
    const r = await api<Json>(sim, 'POST', '/api/invoices', { token, body });
    expect(r.status).toBe(201);
    // 3 × 100.005 = 300.015 → 300.02; + 19.99 + tax 63.00 = 383.01
    expect(r.body).toMatchObject({ 'invoice-number': 'INV-001', 'invoice-date': '2026-10-20', status: 'draft', 'document-type': 'Invoice', 'gross-total': '383.01' });
    const lines = r.body['invoice-lines'] as Json[];
    expect(lines[0]).toMatchObject({ total: '300.02', 'tax-amount': '63.00', 'order-line-id': poLine.id, 'po-number': 'PO-INV-1', 'order-line-num': 1 });
    expect(lines[1]).toMatchObject({ total: '19.99', 'po-number': null });
  });

  it('3.5 duplicate (invoice-number, supplier) → error; the same number for another supplier is fine', async () => {
    const dup = await api<Json>(sim, 'POST', '/api/invoices', { token, body: invoice('INV-001', { name: firstSupplier.name }) });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ errors: { invoice: ['Invoice number has already been used for this supplier'] } });
    expect((await api(sim, 'POST', '/api/invoices', { token, body: invoice('INV-001', { id: secondSupplier.coupaSupplierId }) })).status).toBe(201);
    const found = await api<Json[]>(sim, 'GET', '/api/invoices?invoice_number=INV-001', { token });
    expect(found.body).toHaveLength(2);
  });

  it('3.5 invoice-number ≤ 40, invoice-date is a date only, unknown order-line-id refused', async () => {
    const r = await api<{ errors: { invoice: string[] } }>(sim, 'POST', '/api/invoices', {
      token,
      body: invoice('N'.repeat(41), { number: firstSupplier.code }, { 'invoice-date': '2026-10-20T10:00:00Z' }),
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.invoice).toEqual(
      expect.arrayContaining(['Invoice number is too long (maximum is 40 characters)', 'Invoice date must be a date (YYYY-MM-DD) without a time']),
    );
    const link = await api<{ errors: { invoice: string[] } }>(sim, 'POST', '/api/invoices', {
      token,
      body: invoice('INV-LINK', { number: firstSupplier.code }, { 'invoice-lines': [{ description: 'x', price: '1.00', 'order-line-id': 987654 }] }),
    });
    expect(link.body.errors.invoice[0]).toMatch(/987654/);
  });

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
