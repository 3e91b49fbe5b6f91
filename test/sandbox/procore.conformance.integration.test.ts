import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcoreSimulator } from '../../src-main/sandbox/procore/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { useTempDirs, withSimulator } from './support';

// Conformance of the Procore simulator with shared/api/exact-online-procore.md Part 2 (and the
// Procore items of Parts 3 and 4). Titles start with the fact-sheet section they check.

type Json = Record<string, unknown>;
const FIVE_THOUSAND_FOUR_HUNDRED_S = 5400 * 1000;

/** Generous limits so only the rate-limit tests meet a 429. */
const RELAXED = { spikeLimit: 100_000, hourlyLimit: 100_000 };

async function start(config: Json = RELAXED, dataDir: string | null = null): Promise<RunningSimulator> {
  return startProcoreSimulator({ dataDir, config });
}

async function tokenResponse(sim: RunningSimulator, fields: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: String(sim.credentials.clientId),
    client_secret: String(sim.credentials.clientSecret),
    ...fields,
  });
  return fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

async function token(sim: RunningSimulator): Promise<string> {
  const res = await tokenResponse(sim);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Api {
  companyId: number;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Response>;
  json<T = Json>(path: string): Promise<T>;
}

function api(sim: RunningSimulator, accessToken: string): Api {
  const companyId = Number(sim.credentials.companyId);
  const base = { authorization: `Bearer ${accessToken}`, 'procore-company-id': String(companyId) };
  const url = (path: string): string =>
    path.startsWith('http') ? path : `${sim.baseUrl}/rest/${path.startsWith('v1.') ? '' : 'v1.0/'}${path}`;
  return {
    companyId,
    get: (path, headers = {}) => fetch(url(path), { headers: { ...base, ...headers } }),
    send: (method, path, body) =>
      fetch(url(path), {
        method,
        headers: { ...base, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    json: async <T = Json>(path: string): Promise<T> => {
      const res = await fetch(url(path), { headers: base });
      expect(res.status, `GET ${path}`).toBe(200);
      return (await res.json()) as T;
    },
  };
}

/** Parses a Link header into rel -> page number. */
function links(res: Response): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (res.headers.get('link') ?? '').split(',').filter(Boolean)) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m) out[m[2] as string] = Number(new URL(m[1] as string).searchParams.get('page'));
  }
  return out;
}

const cents = (amount: unknown): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(String(amount));
  if (!m) throw new Error(`not a two-decimal money string: ${String(amount)}`);
  const v = BigInt(m[2] as string) * 100n + BigInt(m[3] as string);
  return m[1] ? -v : v;
};

const tempDir = useTempDirs('procore-sim-');

describe('Procore simulator', () => {
  let sim: RunningSimulator;
  let a: Api;
  let projects: Json[];
  let projectId: number;
  let otherProjectId: number;
  let vendorId: number;
  let otherVendorId: number;
  let costCodeId: number;
  let otherProjectCostCodeId: number;
  let lineItemTypeId: number;

  beforeAll(async () => {
    sim = await start();
    a = api(sim, await token(sim));
    projects = await a.json<Json[]>(`projects?company_id=${a.companyId}`);
    projectId = projects[0]?.['id'] as number;
    otherProjectId = projects[1]?.['id'] as number;
    const vendors = await a.json<Json[]>(`vendors?company_id=${a.companyId}&per_page=2`);
    vendorId = vendors[0]?.['id'] as number;
    otherVendorId = vendors[1]?.['id'] as number;
    costCodeId = (await a.json<Json[]>(`cost_codes?project_id=${projectId}&per_page=1`))[0]?.['id'] as number;
    otherProjectCostCodeId = (
      await a.json<Json[]>(`cost_codes?project_id=${otherProjectId}&per_page=1`)
    )[0]?.['id'] as number;
    lineItemTypeId = (await a.json<Json[]>(`line_item_types?company_id=${a.companyId}`))[0]?.['id'] as number;
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('2.2 OAuth 2.0 client credentials (DMSA)', () => {
    it('2.2 client_credentials → bearer token, expires_in 5400 (number), created_at epoch s, no refresh token', async () => {
      const res = await tokenResponse(sim);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(body['token_type']).toBe('bearer');
      expect(body['expires_in']).toBe(5400);
      expect(body['created_at']).toBe(Math.floor(sim.clock.now() / 1000));
      expect(typeof body['access_token']).toBe('string');
      expect(body).not.toHaveProperty('refresh_token');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });

    it('2.2 the form may also come as multipart (curl -F) or JSON', async () => {
      const form = new FormData();
      form.set('grant_type', 'client_credentials');
      form.set('client_id', String(sim.credentials.clientId));
      form.set('client_secret', String(sim.credentials.clientSecret));
      const multipart = await fetch(`${sim.baseUrl}/oauth/token`, { method: 'POST', body: form });
      expect(multipart.status).toBe(200);
      const viaJson = await fetch(`${sim.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret,
        }),
      });
      expect(viaJson.status).toBe(200);
      const t = ((await viaJson.json()) as { access_token: string }).access_token;
      expect((await api(sim, t).get(`projects?company_id=${a.companyId}`)).status).toBe(200);
    });

    it('2.2 wrong client secret → 401 invalid_client (Doorkeeper body)', async () => {
      const res = await tokenResponse(sim, { client_secret: 'not-the-secret' });
      expect(res.status).toBe(401);
      const body = (await res.json()) as Json;
      expect(body['error']).toBe('invalid_client');
      expect(String(body['error_description'])).toMatch(/Client authentication failed/);
      expect(JSON.stringify(body)).not.toContain('not-the-secret');
    });

    it('2.2 unsupported grant → 400 unsupported_grant_type; missing grant → 400 invalid_request', async () => {
      expect(((await (await tokenResponse(sim, { grant_type: 'password' })).json()) as Json)['error']).toBe(
        'unsupported_grant_type',
      );
      const res = await fetch(`${sim.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: String(sim.credentials.clientId),
          client_secret: String(sim.credentials.clientSecret),
        }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json)['error']).toBe('invalid_request');
    });

    it('2.2 GET /oauth/token/info describes the bearer token', async () => {
      const t = await token(sim);
      const res = await fetch(`${sim.baseUrl}/oauth/token/info`, {
        headers: { authorization: `Bearer ${t}` },
      });
      expect(res.status).toBe(200);
      const info = (await res.json()) as Json;
      expect(info['expires_in']).toBeGreaterThan(5390);
      expect((info['application'] as Json)['uid']).toBe(sim.credentials.clientId);
      const bad = await fetch(`${sim.baseUrl}/oauth/token/info`, {
        headers: { authorization: 'Bearer nope' },
      });
      expect(bad.status).toBe(401);
      expect(((await bad.json()) as Json)['error']).toBe('invalid_token');
    });

    it('2.2/2.7 a token is refused with 401 once 5400 s of simulator time have passed', async () => {
      const own = await start();
      try {
        const t = await token(own);
        const o = api(own, t);
        own.clock.advance(FIVE_THOUSAND_FOUR_HUNDRED_S - 2000);
        expect((await o.get(`projects?company_id=${o.companyId}`)).status).toBe(200);
        await fetch(`${own.baseUrl}/_sandbox/clock`, {
          method: 'POST',
          body: JSON.stringify({ advanceMs: 2000 }),
        });
        const res = await o.get(`projects?company_id=${o.companyId}`);
        expect(res.status).toBe(401);
        expect(((await res.json()) as Json)['errors']).toBe('The access token expired');
        expect(res.headers.get('www-authenticate')).toContain('invalid_token');
        expect((await api(own, await token(own)).get(`projects?company_id=${o.companyId}`)).status).toBe(200);
      } finally {
        await own.close();
      }
    });

    it('fault expire=1 invalidates every issued token; a new token works', async () => {
      const t = await token(sim);
      const o = api(sim, t);
      expect((await o.get(`projects?company_id=${o.companyId}`)).status).toBe(200);
      await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify({ spec: 'procore:expire=1' }),
      });
      const res = await o.get(`projects?company_id=${o.companyId}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json)['errors']).toBe('The access token is invalid');
      a = api(sim, await token(sim)); // the shared client needs a fresh token too
      expect((await a.get(`projects?company_id=${a.companyId}`)).status).toBe(200);
    });
  });

  describe('2.3 company/project scoping', () => {
    it('2.7 no bearer token → 401 {"errors":"The access token is invalid"}', async () => {
      const res = await fetch(`${sim.baseUrl}/rest/v1.0/projects?company_id=${a.companyId}`, {
        headers: { 'procore-company-id': String(a.companyId) },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json)['errors']).toBe('The access token is invalid');
    });

    it('Part 3 #6 missing Procore-Company-Id on a list endpoint (projects) → bare 404', async () => {
      const res = await a.get(`projects?company_id=${a.companyId}`, { 'procore-company-id': '' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json)['errors']).toBe('Not Found');
    });

    it('2.3 missing Procore-Company-Id on a show endpoint → 400 "Missing Procore-Company-Id header!"', async () => {
      const res = await a.get(`vendors/${vendorId}?company_id=${a.companyId}`, { 'procore-company-id': '' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json)['errors']).toMatch(/^Missing Procore-Company-Id header!/);
    });

    it('2.3 with the list quirk switched off, lists also answer the explicit 400', async () => {
      const own = await start({ ...RELAXED, missingCompanyHeaderListsAnswer404: false });
      try {
        const o = api(own, await token(own));
        const res = await o.get(`projects?company_id=${o.companyId}`, { 'procore-company-id': '' });
        expect(res.status).toBe(400);
      } finally {
        await own.close();
      }
    });

    it('2.7 a company the app is not installed in → 403 "App is not connected to this company"', async () => {
      const res = await a.get(`projects?company_id=${a.companyId}`, { 'procore-company-id': '12345' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as Json)['errors']).toBe('App is not connected to this company');
      const query = await a.get(`projects?company_id=12345`);
      expect(query.status).toBe(403);
    });

    it('2.1 ids above 2^32 arrive as plain JSON numbers and round-trip in paths', async () => {
      const res = await a.get(`projects?company_id=${a.companyId}`);
      const text = await res.text();
      expect(projectId).toBeGreaterThan(2 ** 32);
      expect(Number.isSafeInteger(projectId)).toBe(true);
      expect(text).toContain(`"id":${projectId}`);
      const shown = await a.json(`projects/${projectId}?company_id=${a.companyId}`);
      expect(shown['id']).toBe(projectId);
      expect((shown['company'] as Json)['id']).toBe(a.companyId);
    });

    it('2.3 project-scoped lists need project_id; an unknown project → 404', async () => {
      const missing = await a.get('purchase_order_contracts');
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as Json)['errors']).toEqual({ project_id: ['is missing'] });
      expect((await a.get('purchase_order_contracts?project_id=999')).status).toBe(404);
    });
  });

  describe('2.4 pagination, filtering, sorting', () => {
    it('2.4 Total / Per-Page / Link: page 1 has only next+last, middle pages all four, last page no next', async () => {
      const first = await a.get(`cost_codes?project_id=${projectId}&per_page=10`);
      const total = Number(first.headers.get('total'));
      expect(total).toBeGreaterThan(20);
      expect(first.headers.get('per-page')).toBe('10');
      const lastPage = Math.ceil(total / 10);
      expect(links(first)).toEqual({ next: 2, last: lastPage });
      const ids = new Set<number>(((await first.json()) as Json[]).map((c) => c['id'] as number));
      let page = 2;
      for (;;) {
        const res = await a.get(`cost_codes?project_id=${projectId}&per_page=10&page=${page}`);
        const rels = links(res);
        for (const c of (await res.json()) as Json[]) ids.add(c['id'] as number);
        if (page === lastPage) {
          expect(rels).toEqual({ first: 1, prev: page - 1 });
          break;
        }
        expect(rels).toEqual({ first: 1, prev: page - 1, next: page + 1, last: lastPage });
        page = rels['next'] as number;
      }
      expect(ids.size).toBe(total);
    });

    it('2.4 default per_page is 100; larger per_page is clamped to maxPerPage; bad page → 400', async () => {
      const res = await a.get(`cost_codes?project_id=${projectId}`);
      expect(res.headers.get('per-page')).toBe('100');
      const clamped = await a.get(`cost_codes?project_id=${projectId}&per_page=5000`);
      expect(clamped.headers.get('per-page')).toBe('1000');
      expect((await a.get(`cost_codes?project_id=${projectId}&page=0`)).status).toBe(400);
    });

    it('2.4 filters[updated_at]=a...b (ISO, date-only and offset forms) is inclusive', async () => {
      const all = await a.json<Json[]>(`requisitions?project_id=${projectId}&per_page=1000`);
      const sample = all[0] as Json;
      const at = sample['updated_at'] as string; // e.g. 2026-05-02T15:17:47Z
      const exact = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[updated_at]=${at}...${at}`,
      );
      expect(exact.map((r) => r['id'])).toContain(sample['id']);
      expect(exact.every((r) => r['updated_at'] === at)).toBe(true);
      const day = at.slice(0, 10);
      const byDay = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[updated_at]=${day}...${day}`,
      );
      expect(byDay.map((r) => r['id'])).toContain(sample['id']);
      expect(byDay.length).toBe(all.filter((r) => String(r['updated_at']).startsWith(day)).length);
      // The same instant written with a +02:00 offset.
      const ms = Date.parse(at) + 2 * 3600_000;
      const local = `${new Date(ms).toISOString().slice(0, 19)}+02:00`;
      const offset = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[updated_at]=${encodeURIComponent(`${local}...${local}`)}`,
      );
      expect(offset.map((r) => r['id'])).toContain(sample['id']);
      const after = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[updated_at]=2099-01-01...`,
      );
      expect(after).toEqual([]);
      const bad = await a.get(`requisitions?project_id=${projectId}&filters[updated_at]=yesterday...today`);
      expect(bad.status).toBe(400);
    });

    it('2.4 filters[id][] arrays, filters[origin_id], ANDed; an unknown filter → 400', async () => {
      const vendors = await a.json<Json[]>(`vendors?company_id=${a.companyId}&per_page=3`);
      const [v1, v2] = vendors as [Json, Json];
      const byIds = await a.json<Json[]>(
        `vendors?company_id=${a.companyId}&filters[id][]=${v1['id']}&filters[id][]=${v2['id']}`,
      );
      expect(byIds.map((v) => v['id']).sort()).toEqual([v1['id'], v2['id']].sort());
      const sync = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: [{ id: v1['id'], origin_id: 'ERP-FILTER-1' }],
      });
      expect(((await sync.json()) as Json)['errors']).toEqual([]);
      const byOrigin = await a.json<Json[]>(
        `vendors?company_id=${a.companyId}&filters[origin_id]=ERP-FILTER-1`,
      );
      expect(byOrigin.map((v) => v['id'])).toEqual([v1['id']]);
      const anded = await a.json<Json[]>(
        `vendors?company_id=${a.companyId}&filters[origin_id]=ERP-FILTER-1&filters[id][]=${v2['id']}`,
      );
      expect(anded).toEqual([]);
      const unknown = await a.get(`vendors?company_id=${a.companyId}&filters[colour]=red`);
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(await unknown.json())).toContain('filters[colour]');
    });

    it('2.4 sort=-field sorts descending, sort=field ascending', async () => {
      const desc = await a.json<Json[]>(`vendors?company_id=${a.companyId}&sort=-name`);
      const names = desc.map((v) => String(v['name']));
      expect(names).toEqual([...names].sort().reverse());
      const asc = await a.json<Json[]>(`vendors?company_id=${a.companyId}&sort=name`);
      expect(asc.map((v) => v['name'])).toEqual([...names].reverse());
    });
  });

  describe('2.5 sync (bulk upsert) actions', () => {
    it('2.5 create / origin_id create / origin_id update / id update / unknown id / id+origin_id in one batch, always 200', async () => {
      const res = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: [
          { name: 'Sync Nieuw B.V.' },
          { name: 'Sync Origin B.V.', origin_id: 'EXACT-SUP-1' },
          { id: 999, name: 'Ghost' },
          { id: otherVendorId, origin_id: 'EXACT-SUP-2' },
        ],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { entities: Json[]; errors: Json[] };
      expect(body.entities.map((e) => e['name'])).toEqual([
        'Sync Nieuw B.V.',
        'Sync Origin B.V.',
        expect.any(String),
      ]);
      expect(body.entities[0]?.['id']).toBeGreaterThan(2 ** 32);
      expect(body.entities[2]?.['id']).toBe(otherVendorId);
      expect(body.entities[2]?.['origin_id']).toBe('EXACT-SUP-2');
      expect(body.errors).toEqual([
        { id: 999, name: 'Ghost', errors: { id: ['Entity with this ID not found'] } },
      ]);
      const createdId = body.entities[1]?.['id'];

      const again = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: [
          { origin_id: 'EXACT-SUP-1', name: 'Sync Origin Hernoemd B.V.' },
          { id: createdId, city: 'Utrecht' },
        ],
      });
      const second = (await again.json()) as { entities: Json[]; errors: Json[] };
      expect(second.errors).toEqual([]);
      expect(second.entities.map((e) => e['id'])).toEqual([createdId, createdId]);
      const shown = await a.json(`vendors/${String(createdId)}?company_id=${a.companyId}`);
      expect(shown).toMatchObject({
        name: 'Sync Origin Hernoemd B.V.',
        city: 'Utrecht',
        origin_id: 'EXACT-SUP-1',
      });
      const matches = await a.json<Json[]>(
        `vendors?company_id=${a.companyId}&filters[origin_id]=EXACT-SUP-1`,
      );
      expect(matches).toHaveLength(1); // updated, not created twice
    });

    it('2.5 per-item validation errors do not stop the other items of the batch', async () => {
      const res = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: [
          { name: 'Batch Een B.V.', origin_id: 'BATCH-1' },
          { name: 'Batch Twee B.V.', origin_id: 'BATCH-2', country_code: 'Netherlands' },
          { name: '', origin_id: 'BATCH-3' },
          { name: 'Batch Vier B.V.', origin_id: 'BATCH-4' },
        ],
      });
      const body = (await res.json()) as { entities: Json[]; errors: Json[] };
      expect(res.status).toBe(200);
      expect(body.entities.map((e) => e['origin_id'])).toEqual(['BATCH-1', 'BATCH-4']);
      expect(body.errors.map((e) => e['origin_id'])).toEqual(['BATCH-2', 'BATCH-3']);
      expect((body.errors[0]?.['errors'] as Json)['country_code']).toBeDefined();
      expect((body.errors[1]?.['errors'] as Json)['name']).toEqual(["can't be blank"]);
      expect(await a.json<Json[]>(`vendors?company_id=${a.companyId}&filters[origin_id]=BATCH-3`)).toEqual(
        [],
      );
    });

    it('2.5 more than 1000 updates in one call → 400, nothing written', async () => {
      const updates = Array.from({ length: 1001 }, (_, i) => ({
        name: `Overflow ${i}`,
        origin_id: `OVER-${i}`,
      }));
      const res = await a.send('PATCH', 'vendors/sync', { company_id: a.companyId, updates });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('at most 1000');
      expect(await a.json<Json[]>(`vendors?company_id=${a.companyId}&filters[origin_id]=OVER-0`)).toEqual([]);
      const ok = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: updates.slice(0, 1000),
      });
      expect(((await ok.json()) as { entities: Json[] }).entities).toHaveLength(1000);
    });

    it('2.5 origin_id is unique per company and type: duplicate direct create → 409; id+taken origin_id → item error', async () => {
      const make = (origin: string) =>
        a.send('POST', 'purchase_order_contracts', {
          project_id: projectId,
          purchase_order_contract: { title: 'PO dup', vendor_id: vendorId, origin_id: origin },
        });
      expect((await make('EXACT-PO-DUP')).status).toBe(201);
      const dup = await make('EXACT-PO-DUP');
      expect(dup.status).toBe(409);
      expect(((await dup.json()) as Json)['errors']).toEqual({ origin_id: ['has already been taken'] });
      // Unique across projects of the company, but another type may reuse it.
      const elsewhere = await a.send('POST', 'purchase_order_contracts', {
        project_id: otherProjectId,
        purchase_order_contract: { title: 'x', origin_id: 'EXACT-PO-DUP' },
      });
      expect(elsewhere.status).toBe(409);
      const wo = await a.send('POST', 'work_order_contracts', {
        project_id: projectId,
        work_order_contract: { title: 'WO', origin_id: 'EXACT-PO-DUP' },
      });
      expect(wo.status).toBe(201);
      const other = (await (await make('EXACT-PO-OTHER')).json()) as Json;
      const sync = await a.send('PATCH', 'purchase_order_contracts/sync', {
        project_id: projectId,
        updates: [{ id: other['id'], origin_id: 'EXACT-PO-DUP' }],
      });
      const body = (await sync.json()) as { errors: Json[] };
      expect(sync.status).toBe(200);
      expect(body.errors[0]?.['errors']).toEqual({ origin_id: ['has already been taken'] });
    });

    it('2.5 commitment + SOV via sync: grand_total is the exact sum of line amounts (decimal strings to the cent)', async () => {
      const po = await a.send('PATCH', 'purchase_order_contracts/sync', {
        project_id: projectId,
        updates: [{ origin_id: 'EXACT-PO-4711', title: 'PO 4711', vendor_id: vendorId, status: 'Draft' }],
      });
      const contract = ((await po.json()) as { entities: Json[] }).entities[0] as Json;
      expect(contract['grand_total']).toBe('0.00');
      const amounts = ['0.10', '0.20', '12345678.91', '1999.99'];
      const lines = await a.send(
        'PATCH',
        `purchase_order_contracts/${String(contract['id'])}/line_items/sync?project_id=${projectId}`,
        {
          updates: [
            ...amounts.map((amount, i) => ({
              origin_id: `EXACT-POL-4711-${i}`,
              amount,
              description: `line ${i}`,
              cost_code_id: costCodeId,
              line_item_type_id: lineItemTypeId,
            })),
            {
              origin_id: 'EXACT-POL-4711-Q',
              quantity: '3',
              unit_cost: '0.335',
              cost_code_id: costCodeId,
              line_item_type_id: lineItemTypeId,
            },
          ],
        },
      );
      const lineBody = (await lines.json()) as { entities: Json[]; errors: Json[] };
      expect(lineBody.errors).toEqual([]);
      expect(lineBody.entities[4]?.['amount']).toBe('1.01'); // 3 × 0.335 = 1.005 → half up
      const shown = await a.json(
        `purchase_order_contracts/${String(contract['id'])}?project_id=${projectId}`,
      );
      expect(shown['grand_total']).toBe('12347680.21');
      const listed = await a.json<Json[]>(
        `purchase_order_contracts/${String(contract['id'])}/line_items?project_id=${projectId}`,
      );
      expect(cents(shown['grand_total'])).toBe(listed.reduce((sum, l) => sum + cents(l['amount']), 0n));
      for (const l of listed) expect(typeof l['amount']).toBe('string');
      // Updating a line by origin_id changes the total, not the list order.
      await a.send(
        'PATCH',
        `purchase_order_contracts/${String(contract['id'])}/line_items/sync?project_id=${projectId}`,
        {
          updates: [{ origin_id: 'EXACT-POL-4711-0', amount: '0.11' }],
        },
      );
      const relisted = await a.json<Json[]>(
        `purchase_order_contracts/${String(contract['id'])}/line_items?project_id=${projectId}`,
      );
      expect(relisted.map((l) => l['id'])).toEqual(listed.map((l) => l['id']));
      expect(
        (await a.json(`purchase_order_contracts/${String(contract['id'])}?project_id=${projectId}`))[
          'grand_total'
        ],
      ).toBe('12347680.22');
      // Amount with fractions of a cent is refused, not rounded silently.
      const bad = await a.send('POST', `purchase_order_contracts/${String(contract['id'])}/line_items`, {
        project_id: projectId,
        line_item: { amount: '1.005', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
      });
      expect(bad.status).toBe(422);
    });

    it('2.5 cost code sync: full_code includes the parent prefix, duplicates are item errors, origin_id updates', async () => {
      const res = await a.send('PATCH', `cost_codes/sync?project_id=${projectId}`, {
        updates: [
          { code: '99', name: 'ERP Costs', origin_id: 'GL-99' },
          { code: '01-100', name: 'Twin of a seeded code' },
        ],
      });
      const body = (await res.json()) as { entities: Json[]; errors: Json[] };
      expect(res.status).toBe(200);
      expect(body.entities.map((c) => c['full_code'])).toEqual(['99']);
      expect((body.errors[0]?.['errors'] as Json)['code']).toBeDefined();
      const child = await a.send('PATCH', 'cost_codes/sync', {
        project_id: projectId,
        updates: [
          { code: '100', name: 'ERP child', parent_id: body.entities[0]?.['id'], origin_id: 'GL-99-100' },
        ],
      });
      const childBody = (await child.json()) as { entities: Json[] };
      expect(childBody.entities[0]).toMatchObject({ code: '100', full_code: '99-100' });
      const renamed = await a.send('PATCH', `cost_codes/sync?project_id=${projectId}`, {
        updates: [{ origin_id: 'GL-99', name: 'ERP Costs renamed' }],
      });
      expect(((await renamed.json()) as { entities: Json[] }).entities[0]).toMatchObject({
        id: body.entities[0]?.['id'],
        name: 'ERP Costs renamed',
      });
    });

    it('2.5 line item type sync takes csv_import_code and base_type', async () => {
      const res = await a.send('PATCH', 'line_item_types/sync', {
        company_id: a.companyId,
        updates: [
          {
            name: 'Subcontract ERP',
            csv_import_code: 'SE',
            base_type: 'commitment',
            origin_id: 'ERP-LIT-SE',
          },
          { name: 'Bad', csv_import_code: 'XB', base_type: 'labour' },
        ],
      });
      const body = (await res.json()) as { entities: Json[]; errors: Json[] };
      expect(body.entities[0]).toMatchObject({
        code: 'SE',
        base_type: 'commitment',
        origin_id: 'ERP-LIT-SE',
      });
      expect((body.errors[0]?.['errors'] as Json)['base_type']).toBeDefined();
      const listed = await a.json<Json[]>(`line_item_types?project_id=${projectId}&filters[code]=SE`);
      expect(listed.map((t) => t['id'])).toEqual([body.entities[0]?.['id']]);
    });

    it('2.5 seeded commitments: every money field is a decimal string and grand_total = sum of SOV lines', async () => {
      const list = await a.json<Json[]>(`purchase_order_contracts?project_id=${projectId}&per_page=1000`);
      const wos = await a.json<Json[]>(`work_order_contracts?project_id=${projectId}&per_page=1000`);
      const all = [...list, ...wos].filter((c) => c['origin_id'] === null);
      expect(all.length).toBeGreaterThan(0);
      for (const c of all) {
        const kind = list.includes(c) ? 'purchase_order_contracts' : 'work_order_contracts';
        for (const field of [
          'grand_total',
          'revised_contract',
          'approved_change_orders',
          'pending_change_orders',
          'remaining_balance_outstanding',
        ])
          expect(c[field], field).toMatch(/^-?\d+\.\d{2}$/);
        const lines = await a.json<Json[]>(`${kind}/${String(c['id'])}/line_items?project_id=${projectId}`);
        expect(cents(c['grand_total'])).toBe(lines.reduce((s, l) => s + cents(l['amount']), 0n));
        expect(cents(c['revised_contract'])).toBe(
          cents(c['grand_total']) + cents(c['approved_change_orders']),
        );
      }
    });
  });

  describe('2.5 commitments: locking, deletes, change orders', () => {
    let approved: Json;
    beforeAll(async () => {
      const all = await a.json<Json[]>(
        `purchase_order_contracts?project_id=${projectId}&filters[status]=Approved`,
      );
      const wos = await a.json<Json[]>(
        `work_order_contracts?project_id=${projectId}&filters[status]=Approved`,
      );
      approved = (all[0] ?? wos[0]) as Json;
      expect(approved).toBeDefined();
    });

    const kindOf = (c: Json): string =>
      String(c['number']).startsWith('SC') ? 'work_order_contract' : 'purchase_order_contract';

    it('2.5 an Approved commitment locks vendor and SOV (422) and cannot be deleted (422)', async () => {
      const kind = kindOf(approved);
      const id = String(approved['id']);
      const vendor = await a.send('PATCH', `${kind}s/${id}`, {
        project_id: projectId,
        [kind]: { vendor_id: otherVendorId },
      });
      expect(vendor.status).toBe(422);
      expect(((await vendor.json()) as { errors: Json }).errors['vendor_id']).toBeDefined();
      const line = await a.send('POST', `${kind}s/${id}/line_items`, {
        project_id: projectId,
        line_item: { amount: '10.00', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
      });
      expect(line.status).toBe(422);
      const del = await a.send('DELETE', `${kind}s/${id}?project_id=${projectId}`);
      expect(del.status).toBe(422);
      // Other attributes stay editable.
      const title = await a.send('PATCH', `${kind}s/${id}`, {
        project_id: projectId,
        [kind]: { description: 'note' },
      });
      expect(title.status).toBe(200);
      expect((await a.json(`${kind}s/${id}?project_id=${projectId}`))['vendor']).toEqual(approved['vendor']);
    });

    it('2.4/2.5 a Draft commitment deletes softly: hidden by default, listed with filters[include_deleted]=only', async () => {
      const created = (await (
        await a.send('POST', 'purchase_order_contracts', {
          project_id: projectId,
          purchase_order_contract: { title: 'to delete', origin_id: 'DEL-1' },
        })
      ).json()) as Json;
      expect(created['status']).toBe('Draft');
      expect(
        (await a.send('DELETE', `purchase_order_contracts/${String(created['id'])}?project_id=${projectId}`))
          .status,
      ).toBe(204);
      expect(
        (await a.get(`purchase_order_contracts/${String(created['id'])}?project_id=${projectId}`)).status,
      ).toBe(404);
      const live = await a.json<Json[]>(
        `purchase_order_contracts?project_id=${projectId}&filters[id][]=${String(created['id'])}`,
      );
      expect(live).toEqual([]);
      const deleted = await a.json<Json[]>(
        `purchase_order_contracts?project_id=${projectId}&filters[include_deleted]=only`,
      );
      expect(deleted.map((c) => c['id'])).toContain(created['id']);
      expect(deleted.every((c) => c['deleted_at'] !== null)).toBe(true);
    });

    it('2.5 status enums per kind: an unknown status → 422', async () => {
      const res = await a.send('POST', 'purchase_order_contracts', {
        project_id: projectId,
        purchase_order_contract: { title: 'x', status: 'Complete' },
      });
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).toContain('status');
      const unknown = await a.send('POST', 'purchase_order_contracts', {
        project_id: projectId,
        purchase_order_contract: { title: 'x', colour: 'red' },
      });
      expect(unknown.status).toBe(406);
    });

    it('2.5 commitment change orders: list per project, create; an approved CCO adds to revised_contract', async () => {
      const draft = (await (
        await a.send('POST', 'purchase_order_contracts', {
          project_id: projectId,
          purchase_order_contract: { title: 'CO base', vendor_id: vendorId },
        })
      ).json()) as Json;
      await a.send('POST', `purchase_order_contracts/${String(draft['id'])}/line_items`, {
        project_id: projectId,
        line_item: { amount: '1000.00', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
      });
      const co = await a.send('POST', `projects/${projectId}/commitment_change_orders`, {
        change_order: {
          contract_id: draft['id'],
          title: 'Meerwerk',
          number: '001',
          status: 'approved',
          line_items: [{ amount: '250.55', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId }],
        },
      });
      expect(co.status).toBe(201);
      const created = (await co.json()) as Json;
      expect(created['grand_total']).toBe('250.55');
      const shown = await a.json(`purchase_order_contracts/${String(draft['id'])}?project_id=${projectId}`);
      expect(shown).toMatchObject({
        grand_total: '1000.00',
        approved_change_orders: '250.55',
        revised_contract: '1250.55',
      });
      const listed = await a.json<Json[]>(
        `projects/${projectId}/commitment_change_orders?filters[contract_id]=${String(draft['id'])}`,
      );
      expect(listed.map((c) => c['id'])).toEqual([created['id']]);
      const wrongProject = await a.send('POST', `projects/${otherProjectId}/commitment_change_orders`, {
        change_order: { contract_id: draft['id'], title: 'x' },
      });
      expect(wrongProject.status).toBe(422);
    });
  });

  describe('2.5 requisitions (subcontractor invoices)', () => {
    it('2.5 list with status filter; statuses from the documented enum; amounts are strings', async () => {
      const all = await a.json<Json[]>(`requisitions?project_id=${projectId}&per_page=1000`);
      expect(all.length).toBeGreaterThan(0);
      const enumValues = [
        'draft',
        'under_review',
        'revise_and_resubmit',
        'approved',
        'approved_as_noted',
        'pending_owner_approval',
      ];
      for (const r of all) {
        expect(enumValues).toContain(r['status']);
        expect(r['total_claimed_amount']).toMatch(/^\d+\.\d{2}$/);
      }
      const approved = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[status]=approved&per_page=1000`,
      );
      expect(approved.length).toBe(all.filter((r) => r['status'] === 'approved').length);
      const first = all[0] as Json;
      const byCommitment = await a.json<Json[]>(
        `requisitions?project_id=${projectId}&filters[commitment_id]=${String(first['commitment_id'])}`,
      );
      expect(byCommitment.every((r) => r['commitment_id'] === first['commitment_id'])).toBe(true);
    });

    it('2.5 contract items add up to the invoice; PATCH writes erp_status/origin_id back', async () => {
      const r = (
        await a.json<Json[]>(`requisitions?project_id=${projectId}&filters[status]=approved`)
      )[0] as Json;
      const items = await a.json<Json[]>(`requisitions/${String(r['id'])}/contract_items`);
      expect(items.length).toBeGreaterThan(0);
      expect(
        items.reduce(
          (s, i) => s + cents(i['work_completed_this_period']) + cents(i['materials_presently_stored']),
          0n,
        ),
      ).toBe(cents(r['total_claimed_amount']));
      const res = await a.send('PATCH', `requisitions/${String(r['id'])}`, {
        project_id: projectId,
        requisition: { erp_status: 'synced', origin_id: 'ACU-BILL-000123', origin_data: 'posted 2026-11-01' },
      });
      expect(res.status).toBe(200);
      const shown = await a.json(`requisitions/${String(r['id'])}`);
      expect(shown).toMatchObject({ erp_status: 'synced', origin_id: 'ACU-BILL-000123', status: 'approved' });
      const bad = await a.send('PATCH', `requisitions/${String(r['id'])}`, {
        requisition: { status: 'paid' },
      });
      expect(bad.status).toBe(422);
    });
  });

  describe('2.5 direct costs', () => {
    it('2.5 invoice_number is required when direct_cost_type is invoice (422)', async () => {
      const res = await a.send('POST', `projects/${projectId}/direct_costs`, {
        item: { direct_cost_type: 'invoice', direct_cost_date: '2026-10-01', vendor_id: vendorId },
      });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Json }).errors['invoice_number']).toBeDefined();
      const expense = await a.send('POST', `projects/${projectId}/direct_costs`, {
        item: { direct_cost_type: 'expense', direct_cost_date: '2026-10-01' },
      });
      expect(expense.status).toBe(201);
    });

    it('2.5 a line needs cost_code_id + line_item_type_id, and the cost code must belong to the project (422)', async () => {
      const dc = (await (
        await a.send('POST', `projects/${projectId}/direct_costs`, {
          item: { direct_cost_type: 'invoice', invoice_number: 'INV-77', direct_cost_date: '2026-10-01' },
        })
      ).json()) as Json;
      const path = `projects/${projectId}/direct_costs/${String(dc['id'])}/line_items`;
      const foreign = await a.send('POST', path, {
        line_item: {
          amount: '5.00',
          cost_code_id: otherProjectCostCodeId,
          line_item_type_id: lineItemTypeId,
        },
      });
      expect(foreign.status).toBe(422);
      expect(((await foreign.json()) as { errors: Json }).errors['cost_code_id']).toBeDefined();
      const uncoded = await a.send('POST', path, { line_item: { amount: '5.00' } });
      expect(uncoded.status).toBe(422);
      const ok = await a.send('POST', path, {
        line_item: { amount: '5.00', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
      });
      expect(ok.status).toBe(201);
      expect((await a.json(`projects/${projectId}/direct_costs/${String(dc['id'])}`))['grand_total']).toBe(
        '5.00',
      );
    });

    it('2.5 v1.1 POST takes direct_cost with nested line_items; one bad line rolls back the whole cost', async () => {
      const good = await a.send('POST', `v1.1/projects/${projectId}/direct_costs`, {
        direct_cost: {
          direct_cost_type: 'invoice',
          invoice_number: 'INV-V11',
          direct_cost_date: '2026-10-02',
          origin_id: 'EXACT-PE-1',
          line_items: [
            { amount: '100.10', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
            { amount: '0.25', cost_code_id: costCodeId, line_item_type_id: lineItemTypeId },
          ],
        },
      });
      expect(good.status).toBe(201);
      const body = (await good.json()) as Json;
      expect(body['grand_total']).toBe('100.35');
      expect((body['line_items'] as Json[]).length).toBe(2);
      const bad = await a.send('POST', `v1.1/projects/${projectId}/direct_costs`, {
        direct_cost: {
          direct_cost_type: 'invoice',
          invoice_number: 'INV-V11-B',
          direct_cost_date: '2026-10-02',
          origin_id: 'EXACT-PE-2',
          line_items: [
            { amount: '1.00', cost_code_id: otherProjectCostCodeId, line_item_type_id: lineItemTypeId },
          ],
        },
      });
      expect(bad.status).toBe(422);
      expect(((await bad.json()) as { errors: Json }).errors['line_items[0].cost_code_id']).toBeDefined();
      expect(
        await a.json<Json[]>(`projects/${projectId}/direct_costs?filters[origin_id]=EXACT-PE-2`),
      ).toEqual([]);
    });

    it('2.5 direct cost and line sync actions upsert by origin_id', async () => {
      const sync = await a.send('PATCH', `projects/${projectId}/direct_costs/sync`, {
        updates: [
          {
            origin_id: 'EXACT-PE-9',
            direct_cost_type: 'invoice',
            invoice_number: 'F-9',
            direct_cost_date: '2026-10-03',
          },
        ],
      });
      const dc = ((await sync.json()) as { entities: Json[] }).entities[0] as Json;
      const lineSync = async (amount: string) =>
        (await (
          await a.send('PATCH', `projects/${projectId}/direct_costs/line_items/sync`, {
            updates: [
              {
                origin_id: 'EXACT-PEL-9-1',
                direct_cost_id: dc['id'],
                amount,
                cost_code_id: costCodeId,
                line_item_type_id: lineItemTypeId,
              },
            ],
          })
        ).json()) as { entities: Json[]; errors: Json[] };
      const first = await lineSync('10.00');
      const second = await lineSync('12.34');
      expect(second.entities[0]?.['id']).toBe(first.entities[0]?.['id']);
      expect((await a.json(`projects/${projectId}/direct_costs/${String(dc['id'])}`))['grand_total']).toBe(
        '12.34',
      );
      const typeChange = await a.send('PATCH', `projects/${projectId}/direct_costs/sync`, {
        updates: [{ origin_id: 'EXACT-PE-9', direct_cost_type: 'expense' }],
      });
      expect(((await typeChange.json()) as { errors: Json[] }).errors[0]?.['errors']).toHaveProperty(
        'direct_cost_type',
      );
    });
  });

  describe('2.7 errors and fault injection', () => {
    it('2.7 every answer carries x-request-id; unknown paths → 404 {"errors": …}', async () => {
      const res = await a.get('no_such_thing');
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(((await res.json()) as Json)['errors']).toBe('Not Found');
    });

    it("2.7 a 5xx fault answers in Procore's error shape with x-request-id", async () => {
      await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify({ spec: '5xx=1' }),
      });
      try {
        const res = await a.get(`projects?company_id=${a.companyId}`);
        expect([500, 502, 503]).toContain(res.status);
        expect(typeof ((await res.json()) as Json)['errors']).toBe('string');
        expect(res.headers.get('x-request-id')).toBeTruthy();
      } finally {
        await fetch(`${sim.baseUrl}/_sandbox/faults`, {
          method: 'PUT',
          body: JSON.stringify({ clear: true }),
        });
      }
    });

    it('drop-after-commit on a sync PATCH: the client gets no answer but the entity exists on the next GET', async () => {
      await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify({ spec: 'drop=1' }),
      });
      try {
        await expect(
          a.send('PATCH', 'purchase_order_contracts/sync', {
            project_id: projectId,
            updates: [{ origin_id: 'EXACT-PO-DROPPED', title: 'dropped' }],
          }),
        ).rejects.toThrow();
      } finally {
        await fetch(`${sim.baseUrl}/_sandbox/faults`, {
          method: 'PUT',
          body: JSON.stringify({ clear: true }),
        });
      }
      const found = await a.json<Json[]>(
        `purchase_order_contracts?project_id=${projectId}&filters[origin_id]=EXACT-PO-DROPPED`,
      );
      expect(found).toHaveLength(1);
      // The retry with the same origin_id updates that record instead of creating a twin.
      const retry = await a.send('PATCH', 'purchase_order_contracts/sync', {
        project_id: projectId,
        updates: [{ origin_id: 'EXACT-PO-DROPPED', title: 'dropped' }],
      });
      expect(((await retry.json()) as { entities: Json[] }).entities[0]?.['id']).toBe(found[0]?.['id']);
    });
  });
});

describe('2.6 rate limits', () => {
  it('2.6 X-Rate-Limit-* in Unix seconds on every answer; spike limit → 429 + Retry-After; recovers after the window', () =>
    withSimulator(start({ spikeLimit: 3, spikeWindowSeconds: 10, hourlyLimit: 1000 }), async (sim) => {
      const o = api(sim, await token(sim));
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await o.get(`projects?company_id=${o.companyId}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-rate-limit-limit')).toBe('3');
        const reset = Number(res.headers.get('x-rate-limit-reset'));
        expect(reset).toBeGreaterThan(sim.clock.now() / 1000);
        expect(reset).toBeLessThanOrEqual(Math.ceil(sim.clock.now() / 1000) + 10);
        remaining.push(String(res.headers.get('x-rate-limit-remaining')));
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await o.get(`projects?company_id=${o.companyId}`);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(10);
      expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
      sim.clock.advance(retryAfter * 1000);
      const again = await o.get(`projects?company_id=${o.companyId}`);
      expect(again.status).toBe(200);
      expect(again.headers.get('x-rate-limit-remaining')).toBe('2');
    }));

  it('2.6 headers describe the window closest to exhaustion (here the hourly one); hourly 429 waits for the hour', () =>
    withSimulator(start({ spikeLimit: 100, hourlyLimit: 2 }), async (sim) => {
      const o = api(sim, await token(sim));
      const first = await o.get(`projects?company_id=${o.companyId}`);
      expect(first.headers.get('x-rate-limit-limit')).toBe('2');
      await o.get(`projects?company_id=${o.companyId}`);
      const limited = await o.get(`projects?company_id=${o.companyId}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3500);
      sim.clock.advance(3600 * 1000);
      expect((await o.get(`projects?company_id=${o.companyId}`)).status).toBe(200);
    }));

  it('2.6 a 429 fault answers with Retry-After and the rate-limit headers', () =>
    withSimulator(start(RELAXED), async (sim) => {
      const o = api(sim, await token(sim));
      sim.faults.set({ rateLimitRate: 1 });
      const res = await o.get(`projects?company_id=${o.companyId}`);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
    }));
});

describe('persistence across a restart', () => {
  it('written records and issued tokens survive close + start on the same data dir; the world is not re-seeded', async () => {
    const dataDir = tempDir();
    const first = await start(RELAXED, dataDir);
    const t = await token(first);
    const o = api(first, t);
    const projectId = ((await o.json<Json[]>(`projects?company_id=${o.companyId}`))[0] as Json)[
      'id'
    ] as number;
    const vendorsBefore = Number((await o.get(`vendors?company_id=${o.companyId}`)).headers.get('total'));
    const sync = await o.send('PATCH', 'purchase_order_contracts/sync', {
      project_id: projectId,
      updates: [{ origin_id: 'EXACT-PO-PERSIST', title: 'kept' }],
    });
    const created = ((await sync.json()) as { entities: Json[] }).entities[0] as Json;
    await o.send('POST', 'vendors', {
      company_id: o.companyId,
      vendor: { name: 'Persist B.V.', origin_id: 'PERSIST-V' },
    });
    await first.close();

    await withSimulator(start(RELAXED, dataDir), async (second) => {
      const p = api(second, t); // the token issued before the restart still works
      const found = await p.json<Json[]>(
        `purchase_order_contracts?project_id=${projectId}&filters[origin_id]=EXACT-PO-PERSIST`,
      );
      expect(found.map((c) => c['id'])).toEqual([created['id']]);
      expect(Number((await p.get(`vendors?company_id=${p.companyId}`)).headers.get('total'))).toBe(
        vendorsBefore + 1,
      );
      // New ids continue the sequence instead of reusing one.
      const next = (await (
        await p.send('POST', 'vendors', { company_id: p.companyId, vendor: { name: 'Na herstart B.V.' } })
      ).json()) as Json;
      expect(next['id']).toBeGreaterThan(created['id'] as number);
    });
  });
});

describe('one data folder served by two processes at once (e.g. `serve --sandbox` beside `sync --sandbox`)', () => {
  it('each simulator sees the other one’s writes: a sync by origin_id updates that record instead of creating a second', async () => {
    const dataDir = tempDir();
    const first = await start(RELAXED, dataDir);
    try {
      await withSimulator(start(RELAXED, dataDir), async (second) => {
        const a = api(first, await token(first));
        const b = api(second, await token(second));
        const created = await a.send('PATCH', 'vendors/sync', {
          company_id: a.companyId,
          updates: [{ origin_id: 'EXACT-SUPPLIER-TWICE', name: 'Tweemaal Bouw B.V.' }],
        });
        expect(((await created.json()) as Json)['errors']).toEqual([]);
        // The second simulator loaded the folder before that write: it must not miss it.
        const again = await b.send('PATCH', 'vendors/sync', {
          company_id: b.companyId,
          updates: [{ origin_id: 'EXACT-SUPPLIER-TWICE', name: 'Tweemaal Bouw B.V. (gewijzigd)' }],
        });
        expect(((await again.json()) as Json)['errors']).toEqual([]);
        for (const side of [a, b]) {
          const found = await side.json<Json[]>(`vendors?company_id=${side.companyId}&filters[origin_id]=EXACT-SUPPLIER-TWICE`);
          expect(found.map((v) => v['name'])).toEqual(['Tweemaal Bouw B.V. (gewijzigd)']);
        }
      });
    } finally {
      await first.close();
    }
  });
});
