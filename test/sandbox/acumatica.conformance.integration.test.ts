import { Ajv, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAcumaticaSimulator } from '../../src-main/sandbox/acumatica/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { fetchJson, useTempDirs, withSimulator } from './support';

// Conformance of the Acumatica simulator with shared/api/acumatica-intacct-coupa-monday.md §1 and
// with Acumatica's own contract (shared/vendor-specs/acumatica: Default 24.200.001 OpenAPI and
// 23.200.001 Swagger). Titles start with the fact-sheet section they check. Every entity response
// the suite receives is recorded and validated against the vendor schema by the last describe.

type Json = Record<string, unknown>;
const V = '24.200.001';
const V23 = '23.200.001';
/** The world the simulators seed by default (seed 1, scale 1) and its planted Acumatica differences. */
const world = generateWorld(1, 1);
const plants = world.deliberate.acumatica;

async function start(
  config: Record<string, unknown> = {},
  dataDir: string | null = null,
): Promise<RunningSimulator> {
  return startAcumaticaSimulator({ dataDir, config });
}

function creds(sim: RunningSimulator): { name: string; password: string; tenant: string } {
  return {
    name: String(sim.credentials.username),
    password: String(sim.credentials.password),
    tenant: String(sim.credentials.tenant),
  };
}

async function login(sim: RunningSimulator, body: Json = creds(sim)): Promise<Response> {
  return fetch(`${sim.baseUrl}/entity/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Signs in and returns the Cookie header that replays every session cookie. */
async function signIn(sim: RunningSimulator): Promise<string> {
  const res = await login(sim);
  expect(res.status).toBe(204);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

interface Received {
  version: string;
  entity: string;
  status: number;
  url: string;
  body: unknown;
}
/** Every JSON answer of an entity URL the suite received (validated against the OpenAPI at the end). */
const received: Promise<Received>[] = [];

async function entityFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const m = /^\/entity\/Default\/([^/]+)\/([^/]+)/.exec(new URL(url).pathname);
  if (m && (res.headers.get('content-type') ?? '').includes('json')) {
    const [, version = '', entity = ''] = m;
    received.push(
      res
        .clone()
        .text()
        .then((text) => ({ version, entity, status: res.status, url, body: JSON.parse(text) as unknown })),
    );
  }
  return res;
}

function api(sim: RunningSimulator, cookie: string, version = V) {
  const url = (path: string): string => `${sim.baseUrl}/entity/Default/${version}/${path}`;
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    entityFetch(url(path), { headers: { cookie, ...headers } });
  return {
    get,
    put: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      entityFetch(url(path), {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    post: (path: string, body: unknown) =>
      entityFetch(url(path), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    del: (path: string) => entityFetch(url(path), { method: 'DELETE', headers: { cookie } }),
    /** GET that must answer 200; the parsed body. */
    json: async <T = Json>(path: string): Promise<T> => {
      const res = await get(path);
      expect(res.status, `GET ${path}`).toBe(200);
      return (await res.json()) as T;
    },
    /** PUT that must answer 200; the parsed record. */
    saved: async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Json> => {
      const res = await entityFetch(url(path), {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const parsed = (await res.json()) as Json;
      expect(res.status, `PUT ${path}: ${JSON.stringify(parsed).slice(0, 600)}`).toBe(200);
      return parsed;
    },
  };
}

/**
 * Invokes an action the way a connector must (fact sheet 1.7): 204 = done; 202 = poll the
 * status Location until it answers 204. Returns the last answer and the processed record's URL.
 */
async function invoke(
  sim: RunningSimulator,
  cookie: string,
  path: string,
  body: unknown,
  version = V,
): Promise<{ status: number; location: string | null; polls: number; body: Json | null }> {
  let res = await api(sim, cookie, version).post(path, body);
  let polls = 0;
  while (res.status === 202 && polls < 10) {
    const location = res.headers.get('location');
    expect(location).toMatch(/\/status\//);
    polls += 1;
    res = await entityFetch(new URL(String(location), sim.baseUrl).href, { headers: { cookie } });
  }
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    polls,
    body: text ? (JSON.parse(text) as Json) : null,
  };
}

const w = (value: unknown): { value: unknown } => ({ value });
const val = (record: Json, field: string): unknown =>
  (record[field] as { value?: unknown } | undefined)?.value;
const lines = (record: Json, collection = 'Details'): Json[] => (record[collection] ?? []) as Json[];

async function firstVendorAndAccount(
  sim: RunningSimulator,
  cookie: string,
): Promise<{ vendor: string; account: string; subaccount: string }> {
  const a = api(sim, cookie);
  const vendors = await a.json<Json[]>("Vendor?$top=1&$filter=Status eq 'Active'");
  const accounts = await a.json<Json[]>(
    `Account?$top=1&$filter=${encodeURIComponent("Type eq 'Expense' and Active eq true")}`,
  );
  const subs = await a.json<Json[]>('Subaccount?$top=1&$filter=Active eq true');
  return {
    vendor: String(val(vendors[0] ?? {}, 'VendorID')),
    account: String(val(accounts[0] ?? {}, 'AccountCD')),
    subaccount: String(val(subs[0] ?? {}, 'SubaccountCD')),
  };
}

function billBody(vendor: string, account: string, vendorRef: string, amounts: string[]): Json {
  return {
    Type: w('Bill'),
    Vendor: w(vendor),
    VendorRef: w(vendorRef),
    Date: w('2026-10-15T00:00:00+00:00'),
    Description: w('Requisition 7'),
    Details: amounts.map((amount) => ({
      Account: w(account),
      ExtendedCost: w(Number(amount)),
      TransactionDescription: w(`line ${amount}`),
    })),
  };
}

const tempDir = useTempDirs('acumatica-sim-');

describe('Acumatica §1.1 endpoints and versions', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ endpointVersions: ['23.200.001', '24.200.001'] });
  });
  afterAll(() => sim.close());

  it('1.1 GET /entity lists the Default endpoint versions the instance serves', async () => {
    const body = await fetchJson<{ endpoints: { name: string; version: string }[] }>(`${sim.baseUrl}/entity`);
    expect(body.endpoints.map((e) => `${e.name}/${e.version}`)).toEqual([
      'Default/23.200.001',
      'Default/24.200.001',
    ]);
  });

  it('1.1 an endpoint version the instance does not publish answers 404; configured ones answer', async () => {
    const cookie = await signIn(sim);
    const unknown = await fetch(`${sim.baseUrl}/entity/Default/26.200.001/Vendor`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    const otherName = await fetch(`${sim.baseUrl}/entity/Custom/24.200.001/Vendor`, { headers: { cookie } });
    expect(otherName.status).toBe(404);
    const older = await api(sim, cookie, V23).get('Vendor?$top=1');
    expect(older.status).toBe(200);
  });

  it('1.1 endpointVersions config limits what is served (24.200.001 absent → 404)', () =>
    withSimulator(start({ endpointVersions: ['23.200.001'] }), async (only23) => {
      const cookie = await signIn(only23);
      expect(
        (await fetch(`${only23.baseUrl}/entity/Default/24.200.001/Vendor`, { headers: { cookie } })).status,
      ).toBe(404);
      expect(only23.credentials.endpointVersion).toBe('23.200.001');
    }));
});

describe('Acumatica §1.1 instance not at the web root', () => {
  it('1.1 with an instance name every URL lives under it (entity, auth, identity, discovery hrefs and action Locations); the web root answers 404', () =>
    withSimulator(start({ instanceName: 'AcumaticaERP', actionCompletion: 'immediate' }), async (sim) => {
      const site = `${sim.baseUrl}/AcumaticaERP`;
      const root = await fetch(`${sim.baseUrl}/entity/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(creds(sim)),
      });
      expect(root.status).toBe(404);
      const res = await fetch(`${site}/entity/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(creds(sim)),
      });
      expect(res.status).toBe(204);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const discovery = await fetchJson<{ endpoints: { href: string }[] }>(`${site}/entity`);
      expect(discovery.endpoints.map((e) => e.href)).toContain(`/AcumaticaERP/entity/Default/${V}/`);
      const oidc = await fetchJson<{ token_endpoint: string }>(
        `${site}/identity/.well-known/openid-configuration`,
      );
      expect(oidc.token_endpoint).toMatch(/\/AcumaticaERP\/identity\/connect\/token$/);
      const vendors = (await (
        await entityFetch(`${site}/entity/Default/${V}/Vendor?$top=1`, { headers: { cookie } })
      ).json()) as Json[];
      const bill = await entityFetch(`${site}/entity/Default/${V}/Bill`, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          Vendor: vendors[0]?.VendorID,
          Details: [{ Account: w(world.apAccounts[0]?.code), ExtendedCost: w(1) }],
        }),
      });
      const id = String(((await bill.json()) as Json).id);
      const released = await fetch(`${site}/entity/Default/${V}/Bill/ReleaseBill`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ entity: { id } }),
      });
      expect([released.status, released.headers.get('location')]).toEqual([
        204,
        `/AcumaticaERP/entity/Default/${V}/Bill/${id}`,
      ]);
      expect(
        (await fetch(`${site}/entity/auth/logout`, { method: 'POST', headers: { cookie } })).status,
      ).toBe(204);
    }));
});

describe('Acumatica §1.4 cookie session login', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 2 });
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    // Free every licensed seat between tests.
    await fetch(`${sim.baseUrl}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: 'expire=1' }),
    });
  });

  it('1.4 login → 204 with ASP.NET_SessionId and .ASPXAUTH cookies; the cookies authorise entity calls', async () => {
    const res = await login(sim);
    expect(res.status).toBe(204);
    const names = res.headers.getSetCookie().map((c) => c.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['ASP.NET_SessionId', '.ASPXAUTH']));
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect((await api(sim, cookie).get('Vendor?$top=1')).status).toBe(200);
  });

  it('1.9 an entity call without a session → 401', async () => {
    const res = await entityFetch(`${sim.baseUrl}/entity/Default/${V}/Vendor`);
    expect(res.status).toBe(401);
  });

  it('1.4 all cookies must be replayed: the session cookie alone → 401', async () => {
    const res = await login(sim);
    const sessionOnly = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c?.startsWith('ASP.NET_SessionId='))
      .join('; ');
    expect((await api(sim, sessionOnly).get('Vendor')).status).toBe(401);
  });

  it('1.4 wrong password → error body, no session cookie', async () => {
    const res = await login(sim, { ...creds(sim), password: 'wrong' });
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = (await res.json()) as Json;
    expect(body.exceptionMessage).toMatch(/Invalid credentials/);
    expect(body).toHaveProperty('exceptionType');
  });

  it('1.4 sending both tenant and company → 400', async () => {
    const res = await login(sim, { ...creds(sim), company: creds(sim).tenant });
    expect(res.status).toBe(400);
  });

  it('1.4/1.10 sign-in past the API-user limit fails with "API Login Limit"; logout frees the seat', async () => {
    const first = await signIn(sim);
    await signIn(sim);
    const third = await login(sim);
    expect(third.status).toBe(500);
    expect(((await third.json()) as Json).exceptionMessage).toMatch(/API Login Limit/);
    const out = await fetch(`${sim.baseUrl}/entity/auth/logout`, {
      method: 'POST',
      headers: { cookie: first },
    });
    expect(out.status).toBe(204);
    expect((await login(sim)).status).toBe(204);
    expect((await api(sim, first).get('Vendor')).status).toBe(401);
  });

  it('1.4 idle session expires after sessionIdleMinutes of simulator time and frees its seat', async () => {
    const cookie = await signIn(sim);
    await signIn(sim);
    await fetch(`${sim.baseUrl}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 19 * 60_000 }),
    });
    expect((await api(sim, cookie).get('Vendor?$top=1')).status).toBe(200); // activity slides the window
    await fetch(`${sim.baseUrl}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 20 * 60_000 }),
    });
    expect((await api(sim, cookie).get('Vendor?$top=1')).status).toBe(401);
    expect((await login(sim)).status).toBe(204);
  });
});

describe('Acumatica §1.3 OAuth 2.0 token endpoint', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 1, tokenLifetimeSeconds: 3600 });
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    await fetch(`${sim.baseUrl}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: 'expire=1' }),
    });
  });

  const token = (form: Record<string, string>): Promise<Response> =>
    fetch(`${sim.baseUrl}/identity/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const passwordGrant = (extra: Record<string, string> = {}): Record<string, string> => ({
    grant_type: 'password',
    client_id: String(sim.credentials.clientId),
    client_secret: String(sim.credentials.clientSecret),
    username: String(sim.credentials.username),
    password: String(sim.credentials.password),
    scope: 'api',
    ...extra,
  });
  const bearerGet = (accessToken: string): Promise<Response> =>
    entityFetch(`${sim.baseUrl}/entity/Default/${V}/Vendor?$top=1`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });

  it('1.3 password grant → bearer token usable instead of the cookie; client_id carries @Tenant', async () => {
    expect(String(sim.credentials.clientId)).toMatch(/^[0-9a-f-]{36}@Company$/);
    const res = await token(passwordGrant());
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      refresh_token?: string;
    };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.refresh_token).toBeUndefined(); // no offline_access
    expect((await bearerGet(body.access_token)).status).toBe(200);
  });

  it('1.3 client id without the tenant suffix → invalid_client; wrong password → invalid_grant', async () => {
    const badClient = await token(
      passwordGrant({ client_id: String(sim.credentials.clientId).split('@')[0] ?? '' }),
    );
    expect(badClient.status).toBe(400);
    expect(((await badClient.json()) as Json).error).toBe('invalid_client');
    const badUser = await token(passwordGrant({ password: 'nope' }));
    expect(((await badUser.json()) as Json).error).toBe('invalid_grant');
  });

  it('1.3 client-credentials grant is unconfirmed → unsupported unless configured', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      client_id: String(sim.credentials.clientId),
      client_secret: String(sim.credentials.clientSecret),
      scope: 'api',
    });
    expect(((await res.json()) as Json).error).toBe('unsupported_grant_type');
  });

  it('1.3 offline_access gives a refresh token; refresh issues a new access token; the old refresh token is spent', async () => {
    const first = (await (await token(passwordGrant({ scope: 'api offline_access' }))).json()) as {
      refresh_token: string;
    };
    const refreshForm = {
      grant_type: 'refresh_token',
      client_id: String(sim.credentials.clientId),
      client_secret: String(sim.credentials.clientSecret),
      refresh_token: first.refresh_token,
    };
    const refreshed = await token(refreshForm);
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Json).access_token).toEqual(expect.any(String));
    const again = await token(refreshForm);
    expect(((await again.json()) as Json).error).toBe('invalid_grant');
  });

  it('1.3 one token = one server session: it holds a licensed seat and ends when the token expires', async () => {
    const a = ((await (await token(passwordGrant())).json()) as { access_token: string }).access_token;
    expect((await bearerGet(a)).status).toBe(200);
    const b = ((await (await token(passwordGrant())).json()) as { access_token: string }).access_token;
    const blocked = await bearerGet(b);
    expect(blocked.status).toBe(500);
    expect(((await blocked.json()) as Json).exceptionMessage).toMatch(/API Login Limit/);
    await fetch(`${sim.baseUrl}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 3600_000 }),
    });
    expect((await bearerGet(a)).status).toBe(401);
    const c = ((await (await token(passwordGrant())).json()) as { access_token: string }).access_token;
    expect((await bearerGet(c)).status).toBe(200);
  });
});

describe('Acumatica §1.5/§1.6 record shape and querying', () => {
  let sim: RunningSimulator;
  let cookie: string;
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
  });
  afterAll(() => sim.close());

  it('1.5 every ordinary field is wrapped as {"value": …}; id is a bare GUID', async () => {
    const [vendor] = (await (await api(sim, cookie).get('Vendor?$top=1')).json()) as Json[];
    expect(vendor?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(vendor?.VendorID).toEqual({ value: expect.any(String) });
    expect(vendor?.VendorName).toEqual({ value: expect.any(String) });
  });

  it('1.6 $top/$skip page to the end: every vendor exactly once, in a stable order', async () => {
    const all = (await (await api(sim, cookie).get('Vendor')).json()) as Json[];
    const seen: string[] = [];
    for (let skip = 0; ; skip += 4) {
      const page = (await (await api(sim, cookie).get(`Vendor?$top=4&$skip=${skip}`)).json()) as Json[];
      expect(page.length).toBeLessThanOrEqual(4);
      seen.push(...page.map((v) => String(val(v, 'VendorID'))));
      if (page.length < 4) break;
    }
    expect(seen).toEqual(all.map((v) => String(val(v, 'VendorID'))));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(4);
  });

  it('1.6 vendors exist only for suppliers with an Acumatica id (deliberate gaps stay missing)', async () => {
    const vendors = (await (await api(sim, cookie).get('Vendor')).json()) as Json[];
    const state = await fetchJson<{ Vendor: Json[] }>(`${sim.baseUrl}/_sandbox/state`);
    expect(vendors.length).toBe(state.Vendor.length);
    expect(vendors.every((v) => /^V\d+/.test(String(val(v, 'VendorID'))))).toBe(true);
  });

  it('1.6 $filter eq / and / startswith / substringof select the matching records', async () => {
    const all = (await (await api(sim, cookie).get('Vendor')).json()) as Json[];
    const target = all[2] ?? {};
    const id = String(val(target, 'VendorID'));
    const eq = (await (
      await api(sim, cookie).get(
        `Vendor?$filter=${encodeURIComponent(`VendorID eq '${id}' and Status eq 'Active'`)}`,
      )
    ).json()) as Json[];
    expect(eq.map((v) => val(v, 'VendorID'))).toEqual([id]);
    const prefix = id.slice(0, 3);
    const sw = (await (
      await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`startswith(VendorID,'${prefix}')`)}`)
    ).json()) as Json[];
    expect(sw.length).toBe(all.filter((v) => String(val(v, 'VendorID')).startsWith(prefix)).length);
    const name = String(val(target, 'VendorName'));
    const sub = (await (
      await api(sim, cookie).get(
        `Vendor?$filter=${encodeURIComponent(`substringof('${name.slice(1, 6).replace(/'/g, "''")}',VendorName)`)}`,
      )
    ).json()) as Json[];
    expect(sub.map((v) => val(v, 'VendorID'))).toContain(id);
  });

  it("1.6 LastModifiedDateTime gt datetimeoffset'…' returns only records changed after the instant", async () => {
    const before = (await (await api(sim, cookie).get('Vendor?$top=1')).json()) as Json[];
    const stamp = String(val(before[0] ?? {}, 'LastModifiedDateTime'));
    const none = (await (
      await api(sim, cookie).get(
        `Vendor?$filter=${encodeURIComponent(`LastModifiedDateTime gt datetimeoffset'${stamp}'`)}`,
      )
    ).json()) as Json[];
    expect(none).toEqual([]);
    const ge = (await (
      await api(sim, cookie).get(
        `Vendor?$filter=${encodeURIComponent(`LastModifiedDateTime ge datetimeoffset'${stamp}'`)}`,
      )
    ).json()) as Json[];
    expect(ge.length).toBeGreaterThan(0);
  });

  it('1.6 filtering on a detail field, an unknown field or bad syntax → 400 with a readable message', async () => {
    for (const filter of ['Details/Amount gt 5', "Nope eq 'x'", 'VendorID eq']) {
      const res = await api(sim, cookie).get(`Bill?$filter=${encodeURIComponent(filter)}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).exceptionMessage).toEqual(expect.any(String));
    }
  });

  it('1.6 $select returns only the listed fields; v4 returns Details only with $expand', async () => {
    const [vendor] = (await (await api(sim, cookie).get('Vendor?$top=1&$select=VendorID')).json()) as Json[];
    expect(vendor).toHaveProperty('VendorID');
    expect(vendor).not.toHaveProperty('VendorName');
    const plain = (await (await api(sim, cookie).get('PurchaseOrder?$top=1')).json()) as Json[];
    expect(plain[0]).not.toHaveProperty('Details');
    const expanded = (await (
      await api(sim, cookie).get('PurchaseOrder?$top=1&$expand=Details')
    ).json()) as Json[];
    expect((expanded[0]?.Details as Json[]).length).toBeGreaterThan(0);
  });
});

describe('Acumatica §1.7 PUT = upsert and detail-line rules', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5, closedPeriods: ['01-2026'] });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  it('1.7 PUT without id or keys creates a bill: 200 + record; Amount is the exact sum of the lines; lines are keyed by id (BillDetail has no LineNbr)', async () => {
    const res = await api(sim, cookie).put(
      'Bill',
      billBody(ref.vendor, ref.account, 'INV-SUM', ['0.10', '0.20', '1234.55']),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/"Amount":\{"value":1234\.85\}/); // not 1234.8500000000001
    const bill = JSON.parse(text) as Json;
    expect(val(bill, 'Type')).toBe('Bill');
    expect(val(bill, 'ReferenceNbr')).toMatch(/^\d{6}$/);
    expect(val(bill, 'Status')).toBe('Balanced');
    expect(val(bill, 'Balance')).toBe(1234.85);
    const ids = lines(bill).map((l) => String(l.id));
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id)) && new Set(ids).size === 3).toBe(true);
    expect(lines(bill).filter((l) => 'LineNbr' in l)).toEqual([]);
  });

  it('1.7 Qty × UnitCost is rounded once to the cent per line', async () => {
    const body = {
      Vendor: w(ref.vendor),
      VendorRef: w('INV-QTY'),
      Details: [{ Account: w(ref.account), Qty: w(3), UnitCost: w(33.335) }],
    };
    const bill = (await (await api(sim, cookie).put('Bill', body)).json()) as Json;
    expect(val((bill.Details as Json[])[0] ?? {}, 'ExtendedCost')).toBe(100.01);
    expect(val(bill, 'Amount')).toBe(100.01);
  });

  it('1.7/1.11 PUT again by key fields with lines WITHOUT id appends them: the bill now has duplicate lines', async () => {
    const created = (await (
      await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DUP', ['100.00', '50.00']))
    ).json()) as Json;
    const again = {
      ...billBody(ref.vendor, ref.account, 'INV-DUP', ['100.00', '50.00']),
      ReferenceNbr: created.ReferenceNbr,
    };
    const res = await api(sim, cookie).put('Bill', again);
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Json;
    expect(updated.id).toBe(created.id);
    expect((updated.Details as Json[]).length).toBe(4);
    expect(val(updated, 'Amount')).toBe(300);
    const listed = (await (
      await api(sim, cookie).get(`Bill?$filter=${encodeURIComponent("VendorRef eq 'INV-DUP'")}`)
    ).json()) as Json[];
    expect(listed.length).toBe(1); // one bill, duplicated lines
  });

  it('1.7 lines with id are updated in place; "delete": true removes a line', async () => {
    const created = (await (
      await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-EDIT', ['10.00', '20.00']))
    ).json()) as Json;
    const [l1, l2] = created.Details as Json[];
    const res = await api(sim, cookie).put('Bill?$expand=Details', {
      id: created.id,
      Details: [
        { id: l1?.id, ExtendedCost: w(15.5) },
        { id: l2?.id, delete: true },
      ],
    });
    const updated = (await res.json()) as Json;
    expect((updated.Details as Json[]).map((l) => [l.id, val(l, 'ExtendedCost')])).toEqual([[l1?.id, 15.5]]);
    expect(val(updated, 'Amount')).toBe(15.5);
  });

  it('1.7 $filter on PUT identifies the target (vendor + vendor ref lookup before insert)', async () => {
    await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-FLT', ['5.00']));
    const filter = encodeURIComponent(`Vendor eq '${ref.vendor}' and VendorRef eq 'INV-FLT'`);
    const res = await api(sim, cookie).put(`Bill?$filter=${filter}`, { Description: w('changed') });
    expect(res.status).toBe(200);
    const bills = (await (await api(sim, cookie).get(`Bill?$filter=${filter}`)).json()) as Json[];
    expect(bills.map((b) => val(b, 'Description'))).toEqual(['changed']);
  });

  it('1.7 If-None-Match: * on an existing record → 412; If-Match: * with no match → 412', async () => {
    const created = (await (
      await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-412', ['1.00']))
    ).json()) as Json;
    const insertOnly = await api(sim, cookie).put(
      'Bill',
      { id: created.id, Description: w('x') },
      { 'if-none-match': '*' },
    );
    expect(insertOnly.status).toBe(412);
    const updateOnly = await api(sim, cookie).put(
      'Bill',
      billBody(ref.vendor, ref.account, 'INV-412b', ['1.00']),
      { 'if-match': '*' },
    );
    expect(updateOnly.status).toBe(412);
  });

  it('1.7 GET /Bill/{Type}/{ReferenceNbr} and /Bill/{id} read one record', async () => {
    const created = (await (
      await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-GET', ['2.00']))
    ).json()) as Json;
    const byKeys = await api(sim, cookie).get(`Bill/Bill/${String(val(created, 'ReferenceNbr'))}`);
    expect(((await byKeys.json()) as Json).id).toBe(created.id);
    const byId = await api(sim, cookie).get(`Bill/${String(created.id)}?$expand=Details`);
    expect(((await byId.json()) as Json).Details).toHaveLength(1);
    expect((await api(sim, cookie).get('Bill/Bill/999999')).status).toBe(404);
  });

  it('1.2 DELETE /Bill/{id} removes an unreleased bill; 1.7 ReleaseBill refuses a bill on hold', async () => {
    const doomed = (await (
      await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DEL', ['3.00']))
    ).json()) as Json;
    const del = await api(sim, cookie).del(`Bill/${String(doomed.id)}`);
    expect(del.status).toBe(204);
    expect((await api(sim, cookie).get(`Bill/${String(doomed.id)}`)).status).toBe(404);
    const held = (await (
      await api(sim, cookie).put('Bill', {
        ...billBody(ref.vendor, ref.account, 'INV-HOLD', ['3.00']),
        Hold: w(true),
      })
    ).json()) as Json;
    expect(val(held, 'Status')).toBe('On Hold');
    const release = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: held.id } });
    expect(release.status).toBe(500);
    expect(((await release.json()) as Json).exceptionMessage).toMatch(/on hold/);
    expect((await api(sim, cookie).post('Bill/NoSuchAction', { entity: { id: held.id } })).status).toBe(404);
  });

  it('1.7/1.8 ReleaseBill → Open; released Checks lower Balance, Closed at zero, visible via $expand=Applications', async () => {
    const created = await api(sim, cookie).saved(
      'Bill',
      billBody(ref.vendor, ref.account, 'INV-PAY', ['100.00']),
    );
    expect((await invoke(sim, cookie, 'Bill/ReleaseBill', { entity: { id: created.id } })).status).toBe(204);
    const nbr = String(val(created, 'ReferenceNbr'));
    const pay = async (amount: number): Promise<Response> => {
      const res = await api(sim, cookie).put('Check', {
        Vendor: w(ref.vendor),
        Details: [{ DocType: w('Bill'), ReferenceNbr: w(nbr), AmountPaid: w(amount) }],
      });
      if (res.status !== 200) return res;
      const check = (await res.clone().json()) as Json;
      expect((await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: check.id } })).status).toBe(
        204,
      );
      return res;
    };
    expect((await pay(40)).status).toBe(200);
    let bill = await api(sim, cookie).json(`Bill/${String(created.id)}?$expand=Applications`);
    expect([val(bill, 'Status'), val(bill, 'Balance')]).toEqual(['Open', 60]);
    expect((await pay(60.01)).status).toBe(422);
    expect((await pay(60)).status).toBe(200);
    bill = await api(sim, cookie).json(`Bill/${String(created.id)}?$expand=Applications`);
    expect([val(bill, 'Status'), val(bill, 'Balance')]).toEqual(['Closed', 0]);
    expect(lines(bill, 'Applications').map((a) => [val(a, 'AmountPaid'), val(a, 'Status')])).toEqual([
      [40, 'Closed'],
      [60, 'Closed'],
    ]);
  });
});

describe('Acumatica §1.9 error envelopes', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5, closedPeriods: ['01-2026'] });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  async function billCount(): Promise<number> {
    return ((await (await api(sim, cookie).get('Bill')).json()) as Json[]).length;
  }

  it('1.9 unknown vendor → 422, the entity echoed with Vendor.error "\'Vendor\' cannot be found in the system."; nothing stored', async () => {
    const before = await billCount();
    const res = await api(sim, cookie).put('Bill', billBody('NOPE', ref.account, 'INV-E1', ['1.00']));
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expect(body.Vendor).toEqual({ value: 'NOPE', error: "'Vendor' cannot be found in the system." });
    expect(body.error).toEqual(expect.any(String));
    expect(await billCount()).toBe(before);
  });

  it('1.9/1.11 a bad line account → 422 with the error on the detail line (clients must walk Details)', async () => {
    const res = await api(sim, cookie).put('Bill', billBody(ref.vendor, '99999-NOPE', 'INV-E2', ['1.00']));
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    const [line] = body.Details as Json[];
    expect((line?.Account as Json).error).toBe("'Account' cannot be found in the system.");
    expect(line?.error).toEqual(expect.any(String));
  });

  it('1.9 a date in a closed financial period → 422 on PostPeriod', async () => {
    const res = await api(sim, cookie).put('Bill', {
      ...billBody(ref.vendor, ref.account, 'INV-E3', ['1.00']),
      Date: w('2026-01-20'),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { PostPeriod: { error: string } }).PostPeriod.error).toMatch(
      /01-2026.*closed/,
    );
  });

  it('1.9 invalid data (an unwrapped field) → 400 {message, exceptionMessage, exceptionType, stackTrace}', async () => {
    const res = await api(sim, cookie).put('Bill', { Vendor: ref.vendor });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(Object.keys(body).sort()).toEqual(['exceptionMessage', 'exceptionType', 'message', 'stackTrace']);
    expect(body.exceptionMessage).toMatch(/Vendor.*\{"value"/);
  });

  it('1.7 POST to the entity collection is not the create verb', async () => {
    const res = await api(sim, cookie).post('Bill', billBody(ref.vendor, ref.account, 'INV-POST', ['1.00']));
    expect(res.status).toBe(405);
    expect(await billCount()).toBe(0);
  });
});

describe('Acumatica §1.7 actions answer 202/204 with Location', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  const newBill = (vendorRef: string, extra: Json = {}): Promise<Json> =>
    api(sim, cookie).saved('Bill', { ...billBody(ref.vendor, ref.account, vendorRef, ['10.00']), ...extra });
  const status = async (id: unknown): Promise<unknown> =>
    val(await api(sim, cookie).json(`Bill/${String(id)}`), 'Status');

  it('1.7 by default an action answers 202 + Location of its status; the effect lands when a poll answers 204 + Location of the record', async () => {
    const bill = await newBill('ACT-POLL');
    const started = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: bill.id } });
    expect(started.status).toBe(202);
    const statusUrl = String(started.headers.get('location'));
    expect(statusUrl).toMatch(new RegExp(`^/entity/Default/${V}/Bill/ReleaseBill/status/[0-9a-f-]{36}$`));
    expect(await status(bill.id)).toBe('Balanced'); // still running
    const first = await entityFetch(new URL(statusUrl, sim.baseUrl).href, { headers: { cookie } });
    expect([first.status, first.headers.get('location')]).toEqual([202, statusUrl]);
    const done = await entityFetch(new URL(statusUrl, sim.baseUrl).href, { headers: { cookie } });
    expect(done.status).toBe(204);
    expect(done.headers.get('location')).toBe(`/entity/Default/${V}/Bill/${String(bill.id)}`);
    const processed = await entityFetch(new URL(String(done.headers.get('location')), sim.baseUrl).href, {
      headers: { cookie },
    });
    expect(val((await processed.json()) as Json, 'Status')).toBe('Open');
  });

  it('1.7 a long operation belongs to its session: polled from another session → 404 "Process Not Found"', async () => {
    const bill = await newBill('ACT-SESSION');
    const started = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: bill.id } });
    const other = await signIn(sim);
    const foreign = await entityFetch(new URL(String(started.headers.get('location')), sim.baseUrl).href, {
      headers: { cookie: other },
    });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as Json).message).toMatch(/Process Not Found/);
  });

  it('1.7 an unpolled operation still completes once actionDurationMs of simulator time has passed', async () => {
    const bill = await newBill('ACT-LATE');
    const started = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: bill.id } });
    expect(started.status).toBe(202);
    await fetch(`${sim.baseUrl}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 60_000 }),
    });
    expect(await status(bill.id)).toBe('Open');
    const poll = await entityFetch(new URL(String(started.headers.get('location')), sim.baseUrl).href, {
      headers: { cookie },
    });
    expect(poll.status).toBe(204);
  });

  it("1.7 a failure while the operation runs is the status poll's 500; nothing changes", async () => {
    const bill = await newBill('ACT-FAIL');
    const started = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: bill.id } });
    expect(started.status).toBe(202);
    await api(sim, cookie).saved('Bill', { id: bill.id, Hold: w(true) }); // held before the release ran
    let poll = await entityFetch(new URL(String(started.headers.get('location')), sim.baseUrl).href, {
      headers: { cookie },
    });
    if (poll.status === 202)
      poll = await entityFetch(new URL(String(started.headers.get('location')), sim.baseUrl).href, {
        headers: { cookie },
      });
    expect(poll.status).toBe(500);
    expect(((await poll.json()) as Json).exceptionMessage).toMatch(/on hold/);
    expect(await status(bill.id)).toBe('On Hold');
  });

  it('1.7 actionCompletion "immediate" answers 204 + Location of the processed record at once', () =>
    withSimulator(start({ actionCompletion: 'immediate' }), async (fast) => {
      const c = await signIn(fast);
      const r = await firstVendorAndAccount(fast, c);
      const bill = await api(fast, c).saved('Bill', billBody(r.vendor, r.account, 'ACT-NOW', ['5.00']));
      const res = await api(fast, c).post('Bill/ReleaseBill', {
        entity: { Type: w('Bill'), ReferenceNbr: bill.ReferenceNbr },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('location')).toBe(`/entity/Default/${V}/Bill/${String(bill.id)}`);
      expect(val(await api(fast, c).json(`Bill/${String(bill.id)}`), 'Status')).toBe('Open');
    }));

  it('1.7 actionCompletion "alternate" gives 202, 204, 202… so one run meets both answers', () =>
    withSimulator(start({ actionCompletion: 'alternate' }), async (mixed) => {
      const c = await signIn(mixed);
      const r = await firstVendorAndAccount(mixed, c);
      const statuses: number[] = [];
      for (const n of [1, 2, 3]) {
        const bill = await api(mixed, c).saved(
          'Bill',
          billBody(r.vendor, r.account, `ACT-ALT-${n}`, ['5.00']),
        );
        statuses.push((await api(mixed, c).post('Bill/ReleaseBill', { entity: { id: bill.id } })).status);
      }
      expect(statuses).toEqual([202, 204, 202]);
    }));

  it('1.7 refusals come at once: bill on hold → 500; a contract action not modelled → 500 saying so; an unknown action → 404', async () => {
    const held = await newBill('ACT-HOLD', { Hold: w(true) });
    const refused = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: held.id } });
    expect(refused.status).toBe(500);
    expect(((await refused.json()) as Json).exceptionMessage).toMatch(/on hold/);
    const reverse = await api(sim, cookie).post('Bill/ReverseBill', { entity: { id: held.id } });
    expect(reverse.status).toBe(500);
    expect(((await reverse.json()) as Json).exceptionMessage).toMatch(/not modelled by this sandbox/);
    expect((await api(sim, cookie).post('Bill/Explode', { entity: { id: held.id } })).status).toBe(404);
  });
});

describe('Acumatica §1.8 AP payments (Check): release, void, and the bill balance', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  async function releasedBill(vendorRef: string, amount: string): Promise<Json> {
    const bill = await api(sim, cookie).saved('Bill', billBody(ref.vendor, ref.account, vendorRef, [amount]));
    expect((await invoke(sim, cookie, 'Bill/ReleaseBill', { entity: { id: bill.id } })).status).toBe(204);
    return bill;
  }
  const readBill = (bill: Json): Promise<Json> =>
    api(sim, cookie).json(`Bill/${String(bill.id)}?$expand=Applications`);
  const paying = (bill: Json, amount: number, extra: Json = {}): Json => ({
    Vendor: w(ref.vendor),
    Details: [{ DocType: w('Bill'), ReferenceNbr: bill.ReferenceNbr, AmountPaid: w(amount) }],
    ...extra,
  });

  it('1.8 a new payment is Balanced (On Hold with Hold) and leaves the bill balance alone; the bill lists it as Balanced', async () => {
    const bill = await releasedBill('PAY-NEW', '300.00');
    const check = await api(sim, cookie).saved('Check', paying(bill, 120));
    expect([
      val(check, 'Type'),
      val(check, 'Status'),
      val(check, 'PaymentAmount'),
      val(check, 'UnappliedBalance'),
    ]).toEqual(['Payment', 'Balanced', 120, 0]);
    expect(lines(check).map((l) => [val(l, 'AmountPaid'), val(l, 'Balance')])).toEqual([[120, 180]]);
    const held = await api(sim, cookie).saved('Check', { ...paying(bill, 10), Hold: w(true) });
    expect(val(held, 'Status')).toBe('On Hold');
    const after = await readBill(bill);
    expect([val(after, 'Status'), val(after, 'Balance')]).toEqual(['Open', 300]);
    expect(
      lines(after, 'Applications').map((a) => [
        val(a, 'ReferenceNbr'),
        val(a, 'AmountPaid'),
        val(a, 'Status'),
      ]),
    ).toEqual([
      [val(check, 'ReferenceNbr'), 120, 'Balanced'],
      [val(held, 'ReferenceNbr'), 10, 'On Hold'],
    ]);
  });

  it('1.8 ReleaseCheck lowers the balance, closes the payment and moves its applications to History (with the vendor ref)', async () => {
    const bill = await releasedBill('PAY-REL', '250.00');
    const check = await api(sim, cookie).saved('Check', paying(bill, 250, { PaymentRef: w('CHK-7781') }));
    expect(
      (
        await invoke(sim, cookie, 'Check/ReleaseCheck', {
          entity: { Type: w('Payment'), ReferenceNbr: check.ReferenceNbr },
        })
      ).status,
    ).toBe(204);
    const released = await api(sim, cookie).json(`Check/${String(check.id)}?$expand=Details,History`);
    expect([val(released, 'Status'), lines(released).length]).toEqual(['Closed', 0]);
    expect(
      lines(released, 'History').map((h) => [
        val(h, 'ReferenceNbr'),
        val(h, 'AmountPaid'),
        val(h, 'Balance'),
        val(h, 'VendorRef'),
      ]),
    ).toEqual([[val(bill, 'ReferenceNbr'), 250, 0, 'PAY-REL']]);
    const after = await readBill(bill);
    expect([val(after, 'Status'), val(after, 'Balance')]).toEqual(['Closed', 0]);
    expect((await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: check.id } })).status).toBe(500); // already released
  });

  it('1.8 unreleased payments cannot together pay more than the balance; only released, same-vendor bills can be paid', async () => {
    const bill = await releasedBill('PAY-OVER', '100.00');
    await api(sim, cookie).saved('Check', paying(bill, 70));
    const over = await api(sim, cookie).put('Check', paying(bill, 31));
    expect(over.status).toBe(422);
    expect(val(lines((await over.json()) as Json)[0] ?? {}, 'AmountPaid')).toBe(31);
    const open = await api(sim, cookie).saved(
      'Bill',
      billBody(ref.vendor, ref.account, 'PAY-UNREL', ['5.00']),
    );
    const unreleased = await api(sim, cookie).put('Check', paying(open, 5));
    expect(((lines((await unreleased.json()) as Json)[0] ?? {}).ReferenceNbr as Json).error).toMatch(
      /not released/,
    );
  });

  it('1.8 VoidCheck creates a Balanced "Voided Payment" (same number, negative amount); releasing it restores the bill and voids the payment', async () => {
    const bill = await releasedBill('PAY-VOID', '80.00');
    const check = await api(sim, cookie).saved('Check', paying(bill, 80));
    const early = await api(sim, cookie).post('Check/VoidCheck', { entity: { id: check.id } });
    expect(early.status).toBe(500); // not released yet: delete it instead
    await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: check.id } });
    const voided = await invoke(sim, cookie, 'Check/VoidCheck', { entity: { id: check.id } });
    expect(voided.status).toBe(204);
    const voiding = (await (
      await entityFetch(new URL(String(voided.location), sim.baseUrl).href + '?$expand=Details', {
        headers: { cookie },
      })
    ).json()) as Json;
    expect([
      val(voiding, 'Type'),
      val(voiding, 'ReferenceNbr'),
      val(voiding, 'Status'),
      val(voiding, 'PaymentAmount'),
    ]).toEqual(['Voided Payment', val(check, 'ReferenceNbr'), 'Balanced', -80]);
    expect(val(await readBill(bill), 'Balance')).toBe(0); // not yet: the void must be released
    expect((await api(sim, cookie).post('Check/VoidCheck', { entity: { id: check.id } })).status).toBe(500); // a void is pending
    expect(
      (
        await invoke(sim, cookie, 'Check/ReleaseCheck', {
          entity: { Type: w('Voided Payment'), ReferenceNbr: check.ReferenceNbr },
        })
      ).status,
    ).toBe(204);
    const after = await readBill(bill);
    expect([val(after, 'Status'), val(after, 'Balance')]).toEqual(['Open', 80]);
    expect(
      lines(after, 'Applications').map((a) => [val(a, 'DocType'), val(a, 'AmountPaid'), val(a, 'Status')]),
    ).toEqual([
      ['Payment', 80, 'Voided'],
      ['Voided Payment', -80, 'Closed'],
    ]);
    expect(
      val(await api(sim, cookie).json(`Check/Payment/${String(val(check, 'ReferenceNbr'))}`), 'Status'),
    ).toBe('Voided');
  });

  it('1.8 an unreleased payment can be edited and deleted (its application leaves the bill); a released one cannot', async () => {
    const bill = await releasedBill('PAY-DEL', '40.00');
    const check = await api(sim, cookie).saved('Check', paying(bill, 15));
    const line = lines(check)[0] ?? {};
    const edited = await api(sim, cookie).saved('Check?$expand=Details', {
      id: check.id,
      Details: [{ id: line.id, AmountPaid: w(25) }],
      PaymentAmount: w(25),
    });
    expect(val(edited, 'PaymentAmount')).toBe(25);
    expect((await api(sim, cookie).del(`Check/${String(check.id)}`)).status).toBe(204);
    expect(lines(await readBill(bill), 'Applications')).toEqual([]);
    const paid = await api(sim, cookie).saved('Check', paying(bill, 40));
    await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: paid.id } });
    expect((await api(sim, cookie).del(`Check/${String(paid.id)}`)).status).toBe(400);
    const change = await api(sim, cookie).put('Check', { id: paid.id, PaymentAmount: w(1) });
    expect(change.status).toBe(422);
    expect(
      (await api(sim, cookie).saved('Check', { id: paid.id, PaymentRef: w('EFT-1') })).PaymentRef,
    ).toEqual({ value: 'EFT-1' });
  });

  it('1.8 vendor status: Hold Payments refuses payments but not bills; On Hold and Inactive refuse both', async () => {
    const vendor = (status: string): Promise<Json> =>
      api(sim, cookie).saved('Vendor', {
        VendorID: w(`VH-${status.replace(/\s/g, '')}`),
        VendorName: w(`Vendor ${status}`),
        Status: w(status),
      });
    for (const [status, billOk, payOk] of [
      ['Hold Payments', true, false],
      ['On Hold', false, false],
      ['Inactive', false, false],
    ] as const) {
      const id = String(val(await vendor(status), 'VendorID'));
      const bill = await api(sim, cookie).put('Bill', billBody(id, ref.account, `VS-${id}`, ['1.00']));
      expect(bill.status === 200, `bill for a vendor ${status}`).toBe(billOk);
      const pay = await api(sim, cookie).put('Check', {
        Type: w('Prepayment'),
        Vendor: w(id),
        PaymentAmount: w(1),
      });
      expect(pay.status === 200, `payment to a vendor ${status}`).toBe(payOk);
      if (!payOk) expect((((await pay.json()) as Json).Vendor as Json).error).toMatch(/inactive|on hold/);
    }
  });

  it('1.8 a prepayment releases to Open with its whole amount unapplied', async () => {
    const pre = await api(sim, cookie).saved('Check', {
      Type: w('Prepayment'),
      Vendor: w(ref.vendor),
      PaymentAmount: w(500),
    });
    await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: pre.id } });
    const after = await api(sim, cookie).json(`Check/${String(pre.id)}`);
    expect([val(after, 'Status'), val(after, 'UnappliedBalance')]).toEqual(['Open', 500]);
    const wrongType = await api(sim, cookie).put('Check', {
      Type: w('Voided Payment'),
      Vendor: w(ref.vendor),
      PaymentAmount: w(1),
    });
    expect(wrongType.status).toBe(422);
  });
});

describe('Acumatica §1.8 bill lines: coding, tax details, schema fields', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  const project = world.projects[0]?.acumaticaProjectId ?? '';
  const costCode =
    world.costCodes.find((c) => c.code !== plants.missingCostCode && c.code.startsWith('03'))?.code ?? '';
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  const billWith = (vendorRef: string, line: Json, extra: Json = {}): Json => ({
    Vendor: w(ref.vendor),
    VendorRef: w(vendorRef),
    Details: [{ Account: w(ref.account), ExtendedCost: w(100), ...line }],
    ...extra,
  });
  const lineError = async (res: Response, field: string): Promise<unknown> => {
    expect(res.status).toBe(422);
    return ((lines((await res.json()) as Json)[0] ?? {})[field] as Json | undefined)?.error;
  };

  it('1.8 /ProjectTask and /CostCode are served: one task per cost-code division per project ("01" default), the company cost codes', async () => {
    const tasks = await api(sim, cookie).json<Json[]>(
      `ProjectTask?$filter=${encodeURIComponent(`ProjectID eq '${project}'`)}`,
    );
    expect(tasks.map((t) => val(t, 'ProjectTaskID'))).toEqual([
      ...new Set(world.costCodes.map((c) => c.code.slice(0, 2))),
    ]);
    expect(tasks.filter((t) => val(t, 'Default') === true).map((t) => val(t, 'ProjectTaskID'))).toEqual([
      '01',
    ]);
    expect(val(await api(sim, cookie).json(`ProjectTask/${project}/03`), 'Description')).toBe('Concrete');
    const codes = (await api(sim, cookie).json<Json[]>('CostCode')).map((c) => val(c, 'CostCodeID'));
    expect(codes).toContain(costCode);
    expect(codes).toContain(plants.onlyCostCode.code);
    expect(codes).not.toContain(plants.missingCostCode);
  });

  it("1.8 a task or cost code that does not exist is refused on the line: \"'Project Task' / 'Cost Code' cannot be found in the system.\"", async () => {
    const put = (vendorRef: string, line: Json): Promise<Response> =>
      api(sim, cookie).put('Bill', billWith(vendorRef, line));
    expect(
      await lineError(
        await put('TASK-1', { Project: w(project), ProjectTask: w('77'), CostCode: w(costCode) }),
        'ProjectTask',
      ),
    ).toBe("'Project Task' cannot be found in the system.");
    expect(
      await lineError(
        await put('TASK-2', { Project: w(project), ProjectTask: w('03'), CostCode: w('00-404') }),
        'CostCode',
      ),
    ).toBe("'Cost Code' cannot be found in the system.");
    expect(
      await lineError(
        await put('TASK-3', {
          Project: w(project),
          ProjectTask: w('03'),
          CostCode: w(plants.missingCostCode),
        }),
        'CostCode',
      ),
    ).toBe("'Cost Code' cannot be found in the system.");
    expect(await lineError(await put('TASK-4', { ProjectTask: w('03') }), 'ProjectTask')).toBe(
      "'Project Task' cannot be found in the system.",
    ); // non-project line
    expect(await lineError(await put('TASK-5', { Project: w('P99-NOPE') }), 'Project')).toBe(
      "'Project' cannot be found in the system.",
    );
  });

  it('1.8 PUT /CostCode adds the missing cost code (cost codes aligned both ways); lines coded to it are then accepted', async () => {
    const before = await api(sim, cookie).put(
      'Bill',
      billWith('CC-1', { Project: w(project), CostCode: w(plants.missingCostCode) }),
    );
    expect(before.status).toBe(422);
    const name = world.costCodes.find((c) => c.code === plants.missingCostCode)?.name;
    const created = await api(sim, cookie).saved('CostCode', {
      CostCodeID: w(plants.missingCostCode),
      Description: w(name),
    });
    expect(val(created, 'LastModifiedDateTime')).toEqual(expect.any(String));
    const after = await api(sim, cookie).saved(
      'Bill',
      billWith('CC-1', { Project: w(project), CostCode: w(plants.missingCostCode) }),
    );
    expect(val(lines(after)[0] ?? {}, 'CostCode')).toBe(plants.missingCostCode);
    expect((await api(sim, cookie).put('CostCode', { Description: w('no id') })).status).toBe(422);
  });

  it("1.8 a project line without a task gets the project's default task; a valid task and cost code are kept", async () => {
    const bill = await api(sim, cookie).saved(
      'Bill',
      billWith('TASK-OK', { Project: w(project), CostCode: w(costCode) }),
    );
    expect([val(lines(bill)[0] ?? {}, 'ProjectTask'), val(lines(bill)[0] ?? {}, 'CostCode')]).toEqual([
      '01',
      costCode,
    ]);
  });

  it("1.8 line Description is the account's description (read-only); free text goes in TransactionDescription", async () => {
    const accounts = await api(sim, cookie).json<Json[]>(
      `Account?$filter=${encodeURIComponent(`AccountCD eq '${ref.account}'`)}`,
    );
    const bill = await api(sim, cookie).saved(
      'Bill',
      billWith('DESC-1', {
        Description: w('my own words'),
        TransactionDescription: w('Requisition 7, line 2'),
      }),
    );
    const line = lines(bill)[0] ?? {};
    expect(val(line, 'Description')).toBe(val(accounts[0] ?? {}, 'Description'));
    expect(val(line, 'TransactionDescription')).toBe('Requisition 7, line 2');
  });

  it('1.8 TaxDetails add their tax to TaxTotal and Amount; IsTaxValid and the POReceipt*/LC* line fields are schema fields, accepted', async () => {
    const po = await api(sim, cookie).saved('PurchaseOrder', {
      VendorID: w(ref.vendor),
      Details: [{ Account: w(ref.account), ExtendedCost: w(100) }],
    });
    const bill = await api(sim, cookie).saved(
      'Bill',
      billWith(
        'TAX-1',
        {
          POOrderType: w('Normal'),
          POOrderNbr: po.OrderNbr,
          POLine: w(1),
          POReceiptType: w('Receipt'),
          POReceiptNbr: w('R000001'),
          POReceiptLine: w(1),
          LCType: w('LC'),
          LCNbr: w('LC0001'),
          LCLineNbr: w(1),
        },
        { IsTaxValid: w(true), TaxDetails: [{ TaxID: w('NL21'), TaxRate: w(21), TaxableAmount: w(100) }] },
      ),
    );
    expect([val(bill, 'TaxTotal'), val(bill, 'Amount'), val(bill, 'IsTaxValid')]).toEqual([21, 121, true]);
    expect(lines(bill, 'TaxDetails').map((t) => [val(t, 'TaxID'), val(t, 'TaxAmount')])).toEqual([
      ['NL21', 21],
    ]);
    expect(val(lines(bill)[0] ?? {}, 'POReceiptNbr')).toBe('R000001');
    const noTaxId = await api(sim, cookie).put(
      'Bill',
      billWith('TAX-2', {}, { TaxDetails: [{ TaxAmount: w(3) }] }),
    );
    expect(noTaxId.status).toBe(422);
  });

  it('1.8 a line billed against an order needs that order of the same vendor and its line', async () => {
    const [otherVendor] = (
      await api(sim, cookie).json<Json[]>(
        `Vendor?$filter=${encodeURIComponent(`VendorID ne '${ref.vendor}'`)}&$top=1`,
      )
    ).map((v) => val(v, 'VendorID'));
    const theirs = await api(sim, cookie).saved('PurchaseOrder', {
      VendorID: w(otherVendor),
      Details: [{ Account: w(ref.account), ExtendedCost: w(5) }],
    });
    const ours = await api(sim, cookie).saved('Subcontract', {
      VendorID: w(ref.vendor),
      Details: [{ Account: w(ref.account), ExtendedCost: w(5) }],
    });
    const link = (vendorRef: string, order: Json): Promise<Response> =>
      api(sim, cookie).put('Bill', billWith(vendorRef, order));
    expect(await lineError(await link('PO-1', { POOrderNbr: w('PO999999') }), 'POOrderNbr')).toBe(
      "'PO Number' cannot be found in the system.",
    );
    expect(await lineError(await link('PO-2', { POOrderNbr: theirs.OrderNbr }), 'POOrderNbr')).toMatch(
      /another vendor/,
    );
    expect(
      await lineError(
        await link('PO-3', { POOrderType: w('Subcontract'), POOrderNbr: ours.SubcontractNbr, POLine: w(9) }),
        'POLine',
      ),
    ).toBe("'PO Line' cannot be found in the system.");
    const linked = await api(sim, cookie).saved(
      'Bill',
      billWith('PO-4', { POOrderType: w('Subcontract'), POOrderNbr: ours.SubcontractNbr, POLine: w(1) }),
    );
    expect(val(lines(linked)[0] ?? {}, 'POOrderNbr')).toBe(val(ours, 'SubcontractNbr'));
  });

  it('1.1/1.8 the 23.200.001 endpoint has no landed-cost line fields: refused there with a message naming the version', async () => {
    const res = await api(sim, cookie, V23).put('Bill', billWith('LC-23', { LCNbr: w('LC0001') }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).exceptionMessage).toMatch(
      /'LCNbr' is not a field of BillDetail in the Default\/23\.200\.001 endpoint \(it exists from Default\/24\.200\.001 on\)/,
    );
    const bill = await api(sim, cookie, V23).saved('Bill?$expand=Details', billWith('LC-23b', {}));
    expect(Object.keys(lines(bill)[0] ?? {})).not.toContain('LCNbr');
  });

  it('1.8 the planted inactive account and subaccount are listed as inactive and refused on bill lines', async () => {
    const account = await api(sim, cookie).json(`Account/${plants.inactiveAccountCode}`);
    const sub = await api(sim, cookie).json(`Subaccount/${plants.inactiveSubaccountCode}`);
    expect([val(account, 'Active'), val(sub, 'Active')]).toEqual([false, false]);
    expect(
      await lineError(
        await api(sim, cookie).put('Bill', billWith('INACT-1', { Account: w(plants.inactiveAccountCode) })),
        'Account',
      ),
    ).toMatch(/inactive/);
    expect(
      await lineError(
        await api(sim, cookie).put(
          'Bill',
          billWith('INACT-2', { Subaccount: w(plants.inactiveSubaccountCode) }),
        ),
        'Subaccount',
      ),
    ).toMatch(/inactive/);
  });

  it("1.7 PX-CbApiBusinessDate sets the business date a new bill defaults to; the vendor's 30D terms set its due date", async () => {
    const bill = await api(sim, cookie).saved(
      'Bill',
      {
        Vendor: w(ref.vendor),
        VendorRef: w('BIZ-DATE'),
        Details: [{ Account: w(ref.account), ExtendedCost: w(1) }],
      },
      { 'PX-CbApiBusinessDate': '2026-11-03' },
    );
    expect([val(bill, 'Date'), val(bill, 'DueDate'), val(bill, 'PostPeriod')]).toEqual([
      '2026-11-03T00:00:00.000+00:00',
      '2026-12-03T00:00:00.000+00:00',
      '112026',
    ]);
  });
});

describe('Acumatica §1.4/§1.7 current branch', () => {
  it('1.7 PX-CbApiBranch, else the branch signed in with, sets the branch of new documents; an unknown branch is refused', () =>
    withSimulator(start({ maxApiUsers: 5, branches: ['NORTH'] }), async (sim) => {
      const cookie = await signIn(sim);
      const ref = await firstVendorAndAccount(sim, cookie);
      const body = (vendorRef: string): Json => billBody(ref.vendor, ref.account, vendorRef, ['1.00']);
      expect(val(await api(sim, cookie).saved('Bill', body('BR-1')), 'BranchID')).toBe('HEADOFFICE');
      const north = await api(sim, cookie).saved('Bill', body('BR-2'), { 'PX-CbApiBranch': 'north' });
      expect([val(north, 'BranchID'), val(lines(north)[0] ?? {}, 'Branch')]).toEqual(['NORTH', 'NORTH']);
      const unknown = await api(sim, cookie).put('Bill', body('BR-3'), { 'PX-CbApiBranch': 'SOUTH' });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as Json).exceptionMessage).toMatch(/Branch 'SOUTH' cannot be found/);
      const northLogin = await login(sim, { ...creds(sim), branch: 'NORTH' });
      expect(northLogin.status).toBe(204);
      const northCookie = northLogin.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      expect(val(await api(sim, northCookie).saved('Bill', body('BR-4')), 'BranchID')).toBe('NORTH');
      expect((await login(sim, { ...creds(sim), branch: 'SOUTH' })).status).toBe(500);
    }));
});

describe('Acumatica §1.6 $custom and custom fields', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  beforeAll(async () => {
    sim = await start({
      maxApiUsers: 5,
      customFields: {
        Bill: {
          'Document.UsrProcoreID': 'CustomStringField',
          'Details/Transactions.UsrCommitmentLine': 'CustomIntField',
        },
        Vendor: { 'VendorCurrent.UsrProcoreVendorID': 'CustomIntField' },
      },
    });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  const customBill = (vendorRef: string, procoreId: string): Json => ({
    ...billBody(ref.vendor, ref.account, vendorRef, ['12.00']),
    custom: {
      Document: {
        UsrProcoreID: { type: 'CustomStringField', value: procoreId },
        PayDate: { type: 'CustomDateTimeField', value: '2026-11-30' },
      },
    },
  });

  it('1.6 PUT keeps custom fields; the PUT answer, single GETs and lists return them when asked with $custom', async () => {
    const custom = 'Document.UsrProcoreID,Document.PayDate,Document.InvoiceNbr';
    const saved = await api(sim, cookie).saved(`Bill?$custom=${custom}`, customBill('CUS-1', 'pc-901'));
    expect(saved.custom).toEqual({
      Document: {
        UsrProcoreID: { type: 'CustomStringField', value: 'pc-901' },
        PayDate: { type: 'CustomDateTimeField', value: '2026-11-30T00:00:00.000+00:00' },
        InvoiceNbr: { type: 'CustomStringField', value: 'CUS-1' }, // a screen field mapped to VendorRef
      },
    });
    expect(
      (await api(sim, cookie).json(`Bill/${String(saved.id)}?$custom=Document.UsrProcoreID`)).custom,
    ).toEqual({ Document: { UsrProcoreID: { type: 'CustomStringField', value: 'pc-901' } } });
    const listed = await api(sim, cookie).json<Json[]>(
      `Bill?$filter=${encodeURIComponent("VendorRef eq 'CUS-1'")}&$custom=Document.UsrProcoreID`,
    );
    expect(listed.map((b) => b.custom)).toEqual([
      { Document: { UsrProcoreID: { type: 'CustomStringField', value: 'pc-901' } } },
    ]);
    expect((await api(sim, cookie).json(`Bill/${String(saved.id)}`)).custom).toEqual({}); // not asked for
  });

  it("1.6 a detail line's custom field needs the detail in $expand; $filter reads custom fields with cf.String(f='View.Field')", async () => {
    const body = customBill('CUS-2', 'pc-902');
    (body.Details as Json[])[0] = {
      ...((body.Details as Json[])[0] ?? {}),
      custom: { Transactions: { UsrCommitmentLine: { type: 'CustomIntField', value: 4 } } },
    };
    const saved = await api(sim, cookie).saved('Bill', body);
    const expanded = await api(sim, cookie).json(
      `Bill/${String(saved.id)}?$expand=Details&$custom=Details/Transactions.UsrCommitmentLine,Details/Transactions.TranDesc`,
    );
    expect(lines(expanded)[0]?.custom).toEqual({
      Transactions: {
        UsrCommitmentLine: { type: 'CustomIntField', value: 4 },
        TranDesc: { type: 'CustomStringField', value: 'line 12.00' },
      },
    });
    const notExpanded = await api(sim, cookie).json(
      `Bill/${String(saved.id)}?$custom=Details/Transactions.UsrCommitmentLine`,
    );
    expect(notExpanded).not.toHaveProperty('Details');
    const found = await api(sim, cookie).json<Json[]>(
      `Bill?$filter=${encodeURIComponent("cf.String(f='Document.UsrProcoreID') eq 'pc-902'")}`,
    );
    expect(found.map((b) => b.id)).toEqual([saved.id]);
  });

  it('1.6 an unknown custom field → 400 that says how to declare one; $adHocSchema lists the custom fields with their types', async () => {
    const res = await api(sim, cookie).get('Bill?$custom=Document.UsrNope');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).exceptionMessage).toMatch(/customFields/);
    const put = await api(sim, cookie).put('Bill', {
      ...billBody(ref.vendor, ref.account, 'CUS-3', ['1.00']),
      custom: { Document: { UsrNope: { type: 'CustomStringField', value: 'x' } } },
    });
    expect(put.status).toBe(400);
    const schema = await api(sim, cookie).json('Bill/$adHocSchema');
    expect((schema.custom as Json).Document).toMatchObject({
      UsrProcoreID: { type: 'CustomStringField' },
      PayDate: { type: 'CustomDateTimeField' },
    });
    expect(schema.VendorRef).toEqual({});
    expect((await api(sim, cookie).json('Vendor/$adHocSchema')).custom).toEqual({
      VendorCurrent: { UsrProcoreVendorID: { type: 'CustomIntField' } },
    });
  });
});

describe('Acumatica §1.8 vendors: linked contacts', () => {
  let sim: RunningSimulator;
  let cookie: string;
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
  });
  afterAll(() => sim.close());

  it('1.8 MainContact / PrimaryContact / RemittanceContact (with Address) are written and read back with $expand', async () => {
    const address = {
      AddressLine1: w('Havenweg 12'),
      City: w('Rotterdam'),
      Country: w('NL'),
      PostalCode: w('3011 AA'),
    };
    const saved = await api(sim, cookie).saved('Vendor', {
      VendorID: w('V900001'),
      VendorName: w('Nieuwe Sloop B.V.'),
      MainContact: { Email: w('ap@nieuwesloop.nl'), Phone1: w('+31 10 123 4567'), Address: address },
      PrimaryContact: { FirstName: w('Eva'), LastName: w('de Wit'), Email: w('eva@nieuwesloop.nl') },
      RemittanceContact: { Email: w('betalingen@nieuwesloop.nl'), Address: address },
    });
    expect((saved.MainContact as Json).Email).toEqual({ value: 'ap@nieuwesloop.nl' });
    const plain = await api(sim, cookie).json('Vendor/V900001');
    expect(plain).not.toHaveProperty('MainContact');
    const read = await api(sim, cookie).json(
      'Vendor/V900001?$expand=MainContact,MainContact/Address,PrimaryContact,RemittanceContact/Address',
    );
    expect(val(read.MainContact as Json, 'CompanyName')).toBe('Nieuwe Sloop B.V.');
    expect(val((read.MainContact as Json).Address as Json, 'City')).toBe('Rotterdam');
    expect(val(read.PrimaryContact as Json, 'LastName')).toBe('de Wit');
    expect(val((read.RemittanceContact as Json).Address as Json, 'PostalCode')).toBe('3011 AA');
    const byEmail = await api(sim, cookie).json<Json[]>(
      `Vendor?$filter=${encodeURIComponent("MainContact/Email eq 'ap@nieuwesloop.nl'")}`,
    );
    expect(byEmail.map((v) => val(v, 'VendorID'))).toEqual(['V900001']);
  });

  it('1.8 a seeded vendor carries its e-mail and city on MainContact; contract sub-entities the sandbox does not model are refused saying so', async () => {
    const supplier = world.suppliers.find((s) => s.acumaticaVendorId !== null);
    const read = await api(sim, cookie).json(
      `Vendor/${String(supplier?.acumaticaVendorId)}?$expand=MainContact/Address`,
    );
    expect(val(read.MainContact as Json, 'Email')).toBe(supplier?.email);
    expect(val((read.MainContact as Json).Address as Json, 'City')).toBe(supplier?.city);
    const res = await api(sim, cookie).put('Vendor', {
      VendorID: w('V900002'),
      VendorName: w('X'),
      Attributes: [],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).exceptionMessage).toMatch(
      /'Attributes' of Vendor is part of the Default endpoint but not modelled/,
    );
  });
});

describe('Acumatica §1.8 commitments: purchase orders, subcontracts, change orders, external commitments', () => {
  let sim: RunningSimulator;
  let cookie: string;
  let ref: { vendor: string; account: string; subaccount: string };
  const project = world.projects[0]?.acumaticaProjectId ?? '';
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5, actionCompletion: 'immediate' });
    cookie = await signIn(sim);
    ref = await firstVendorAndAccount(sim, cookie);
  });
  afterAll(() => sim.close());

  it('1.8 every work order contract of a supplier Acumatica knows is a subcontract (VendorRef = commitment number); lines name their task `Task`', async () => {
    const subcontracts = await api(sim, cookie).json<Json[]>('Subcontract?$expand=Details');
    const vendorOf = new Map(world.suppliers.map((s) => [s.key, s.acumaticaVendorId]));
    const expected = world.commitments.filter(
      (c) => c.kind === 'work_order_contract' && vendorOf.get(c.supplierKey),
    );
    expect(subcontracts.length).toBe(expected.length);
    const line = lines(subcontracts[0] ?? {})[0] ?? {};
    expect(line).toHaveProperty('Task');
    expect(line).not.toHaveProperty('ProjectTask');
  });

  it('1.8 planted reconciliation differences: one subcontract line carries another amount, one approved change order is missing', async () => {
    const diff = plants.subcontractLineDifference;
    const commitment = world.commitments.find((c) => c.key === diff?.commitmentKey);
    const project = world.projects.find((p) => p.key === commitment?.projectKey)?.acumaticaProjectId;
    const found = await api(sim, cookie).json<Json[]>(
      `Subcontract?$expand=Details&$filter=${encodeURIComponent(`VendorRef eq '${String(commitment?.number)}'`)}`,
    );
    const subcontract = found.find((s) => lines(s).some((l) => val(l, 'Project') === project));
    const procoreLine = commitment?.lines.find((l) => l.key === diff?.lineKey);
    const acumaticaLine = lines(subcontract ?? {}).find(
      (l) => val(l, 'LineDescription') === procoreLine?.description,
    );
    expect(String(val(acumaticaLine ?? {}, 'ExtendedCost'))).toBe(String(Number(diff?.acumaticaAmount)));
    expect(diff?.acumaticaAmount).not.toBe(procoreLine?.amount);

    // Commitment numbers repeat across projects: a change order is known by project + external ref.
    const projectOf = new Map(world.projects.map((p) => [p.key, p.acumaticaProjectId]));
    const refOf = (c: (typeof world.commitments)[number], co: { number: string }): string =>
      `${String(projectOf.get(c.projectKey))} ${c.number}/${co.number}`;
    const missing = world.commitments
      .flatMap((c) => c.changeOrders.map((co) => ({ c, co })))
      .find(({ co }) => co.key === plants.changeOrderMissingKey);
    if (!missing) throw new Error('world 1/1 plants a change order missing in Acumatica');
    const changeOrders = await api(sim, cookie).json<Json[]>('ChangeOrder?$expand=Commitments');
    const refs = changeOrders.map(
      (co) => `${String(val(co, 'ProjectID'))} ${String(val(co, 'ExternalRefNbr'))}`,
    );
    expect(refs).not.toContain(refOf(missing.c, missing.co));
    const approved = world.commitments.flatMap((c) =>
      c.changeOrders.filter((co) => co.status === 'approved').map((co) => refOf(c, co)),
    );
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((r) => approved.includes(r))).toBe(true);
    expect(
      changeOrders.every((co) => val(co, 'Status') === 'Closed' && lines(co, 'Commitments').length === 1),
    ).toBe(true);
  });

  it('1.8 PUT /PurchaseOrder creates a purchase order numbered after the seeded ones; totals are the exact line sums', async () => {
    const seeded = (await api(sim, cookie).json<Json[]>('PurchaseOrder?$select=OrderNbr')).map((p) =>
      String(val(p, 'OrderNbr')),
    );
    const po = await api(sim, cookie).saved('PurchaseOrder', {
      VendorID: w(ref.vendor),
      VendorRef: w('PO-900'),
      Project: w(project),
      Details: [
        {
          Account: w(ref.account),
          OrderQty: w(3),
          UnitCost: w(10.005),
          CostCode: w(world.costCodes[0]?.code),
        },
        { Account: w(ref.account), ExtendedCost: w(0.1) },
      ],
    });
    expect(seeded).not.toContain(val(po, 'OrderNbr'));
    expect(val(po, 'OrderNbr')).toMatch(/^PO\d{6}$/);
    expect([val(po, 'Status'), val(po, 'LineTotal'), val(po, 'OrderTotal')]).toEqual(['Open', 30.12, 30.12]);
    expect(lines(po).map((l) => [val(l, 'LineNbr'), val(l, 'ProjectTask')])).toEqual([
      [1, '01'],
      [2, '01'],
    ]);
  });

  it('1.8 a subcontract is written with retainage; PutOnHold / ReleaseFromHold move it between On Hold and Open', async () => {
    const sc = await api(sim, cookie).saved('Subcontract', {
      VendorID: w(ref.vendor),
      VendorRef: w('SC-900'),
      ApplyRetainage: w(true),
      RetainagePct: w(5),
      Details: [
        {
          Account: w(ref.account),
          Project: w(project),
          Task: w('03'),
          CostCode: w('03-300'),
          ExtendedCost: w(1000.1),
        },
      ],
    });
    expect([
      val(sc, 'SubcontractTotal'),
      val(sc, 'RetainageTotal'),
      val(lines(sc)[0] ?? {}, 'RetainageAmount'),
    ]).toEqual([1000.1, 50.01, 50.01]);
    expect(
      (await invoke(sim, cookie, 'Subcontract/PutOnHold', { entity: { SubcontractNbr: sc.SubcontractNbr } }))
        .status,
    ).toBe(204);
    expect(
      val(await api(sim, cookie).json(`Subcontract/${String(val(sc, 'SubcontractNbr'))}`), 'Status'),
    ).toBe('On Hold');
    expect((await invoke(sim, cookie, 'Subcontract/ReleaseFromHold', { entity: { id: sc.id } })).status).toBe(
      204,
    );
    expect(val(await api(sim, cookie).json(`Subcontract/${String(sc.id)}`), 'Status')).toBe('Open');
  });

  it('1.8 a change order starts On Hold; once released its commitment line becomes a line of the subcontract', async () => {
    const sc = await api(sim, cookie).saved('Subcontract', {
      VendorID: w(ref.vendor),
      VendorRef: w('SC-901'),
      Details: [{ Account: w(ref.account), Project: w(project), Task: w('03'), ExtendedCost: w(500) }],
    });
    const co = await api(sim, cookie).saved('ChangeOrder', {
      ProjectID: w(project),
      Description: w('Meerwerk extra fundering'),
      Commitments: [
        {
          POType: w('Subcontract'),
          PONbr: sc.SubcontractNbr,
          Account: w(ref.account),
          ProjectTaskID: w('03'),
          CostCode: w('03-300'),
          Amount: w(125.25),
        },
      ],
    });
    expect([
      val(co, 'Status'),
      val(co, 'CommitmentsChangeTotal'),
      val(lines(co, 'Commitments')[0] ?? {}, 'Vendor'),
    ]).toEqual(['On Hold', 125.25, ref.vendor]);
    expect(
      (await invoke(sim, cookie, 'ChangeOrder/ReleaseChangeOrder', { entity: { id: co.id } })).status,
    ).toBe(500); // must be Open first
    await invoke(sim, cookie, 'ChangeOrder/RemoveChangeOrderFromHold', { entity: { RefNbr: co.RefNbr } });
    expect(
      (await invoke(sim, cookie, 'ChangeOrder/ReleaseChangeOrder', { entity: { id: co.id } })).status,
    ).toBe(204);
    const after = await api(sim, cookie).json(`Subcontract/${String(sc.id)}?$expand=Details`);
    expect([val(after, 'SubcontractTotal'), lines(after).length]).toEqual([625.25, 2]);
    expect(val(await api(sim, cookie).json(`ChangeOrder/${String(val(co, 'RefNbr'))}`), 'Status')).toBe(
      'Closed',
    );
    const badLine = await api(sim, cookie).put('ChangeOrder', {
      ProjectID: w(project),
      Commitments: [{ POType: w('Subcontract'), PONbr: w('SC999999'), Amount: w(1) }],
    });
    expect(badLine.status).toBe(422);
  });

  it('1.8 an external commitment: revised = original + change orders, open = revised − invoiced; bad task → 422', async () => {
    const ec = await api(sim, cookie).saved('ExternalCommitment', {
      ExternalRefNbr: w('PROCORE-SC-001'),
      ProjectID: w(project),
      ProjectTaskID: w('03'),
      CostCode: w('03-300'),
      OriginalCommittedAmount: w(1000),
      CommittedCOAmount: w(250.5),
      CommittedInvoicedAmount: w(400),
      RelatedDocument: w('SC-001'),
    });
    expect([val(ec, 'RevisedCommittedAmount'), val(ec, 'CommittedOpenAmount')]).toEqual([1250.5, 850.5]);
    expect(val(await api(sim, cookie).json('ExternalCommitment/PROCORE-SC-001'), 'RelatedDocument')).toBe(
      'SC-001',
    );
    const bad = await api(sim, cookie).put('ExternalCommitment', {
      ExternalRefNbr: w('PROCORE-SC-002'),
      ProjectID: w(project),
      ProjectTaskID: w('77'),
    });
    expect(bad.status).toBe(422);
    expect((((await bad.json()) as Json).ProjectTaskID as Json).error).toBe(
      "'Project Task' cannot be found in the system.",
    );
  });
});

describe('Acumatica demo tenant (world projection)', () => {
  let sim: RunningSimulator;
  let cookie: string;
  beforeAll(async () => {
    sim = await start({ maxApiUsers: 5 });
    cookie = await signIn(sim);
  });
  afterAll(() => sim.close());

  it('GL accounts carry their real type (revenue = Income, payables = Liability) and there is a cash and an AP account', async () => {
    const accounts = await api(sim, cookie).json<Json[]>('Account');
    const typeOf = (code: string): unknown =>
      val(accounts.find((a) => val(a, 'AccountCD') === code) ?? {}, 'Type');
    expect([typeOf('8000'), typeOf('1600'), typeOf('1300'), typeOf('4000'), typeOf('20000')]).toEqual([
      'Income',
      'Liability',
      'Asset',
      'Expense',
      'Liability',
    ]);
    expect(accounts.filter((a) => val(a, 'CashAccount') === true).map((a) => val(a, 'AccountCD'))).toEqual([
      '10200',
    ]);
  });

  it('an approved subcontract with approved change orders totals its original lines plus those change orders', async () => {
    const vendorOf = new Map(world.suppliers.map((s) => [s.key, s.acumaticaVendorId]));
    const commitment = world.commitments.find(
      (c) =>
        c.kind === 'work_order_contract' &&
        vendorOf.get(c.supplierKey) &&
        c.key !== plants.subcontractLineDifference?.commitmentKey &&
        c.changeOrders.some((co) => co.status === 'approved' && co.key !== plants.changeOrderMissingKey),
    );
    if (!commitment) throw new Error('world 1/1 has no subcontract with an approved change order');
    const project = world.projects.find((p) => p.key === commitment.projectKey)?.acumaticaProjectId;
    const found = await api(sim, cookie).json<Json[]>(
      `Subcontract?$expand=Details&$filter=${encodeURIComponent(`VendorRef eq '${commitment.number}'`)}`,
    );
    const subcontract = found.find((s) => lines(s).some((l) => val(l, 'Project') === project)) ?? {};
    const cents = (amount: string): number => Math.round(Number(amount) * 100);
    const expected =
      commitment.lines.reduce((sum, l) => sum + cents(l.amount), 0) +
      commitment.changeOrders
        .filter((co) => co.status === 'approved' && co.key !== plants.changeOrderMissingKey)
        .reduce((sum, co) => sum + cents(co.amount), 0);
    expect(Math.round(Number(val(subcontract, 'SubcontractTotal')) * 100)).toBe(expected);
  });
});

describe('Acumatica §1.10 licence request limits', () => {
  it('1.10 past half of the per-minute quota each request is delayed by window-left / requests-left', () =>
    withSimulator(
      start({ maxApiUsers: 5, requestsPerMinute: 4, throttleRealDelayFactor: 0.0005 }),
      async (sim) => {
        const cookie = await signIn(sim); // request 1 of the minute
        const second = await api(sim, cookie).get('Vendor?$top=1'); // 1 used < 2 → no delay
        expect(second.headers.get('x-sandbox-throttle-delay-ms')).toBeNull();
        const third = await api(sim, cookie).get('Vendor?$top=1'); // 2 used ≥ 50 % → delay ≈ 60 s / 2
        const delay = Number(third.headers.get('x-sandbox-throttle-delay-ms'));
        expect(delay).toBeGreaterThan(25_000);
        expect(delay).toBeLessThanOrEqual(30_000);
        expect(third.status).toBe(200); // late, not failed
      },
    ));

  it('1.10 more than maxQueuedRequests waiting → 429 "number of requests exceeded the limit imposed by the licence"', () =>
    withSimulator(
      start({
        maxApiUsers: 5,
        requestsPerMinute: 2,
        maxConcurrentRequests: 1,
        maxQueuedRequests: 2,
        throttleRealDelayFactor: 0.002,
      }),
      async (sim) => {
        const cookie = await signIn(sim);
        const responses = await Promise.all(
          Array.from({ length: 6 }, () => api(sim, cookie).get('Vendor?$top=1')),
        );
        const statuses = responses.map((r) => r.status);
        expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
        const declined = responses.filter((r) => r.status === 429);
        expect(declined.length).toBeGreaterThan(0);
        expect(((await declined[0]?.json()) as Json).exceptionMessage).toMatch(
          /exceeded the limit imposed by the licen/,
        );
      },
    ));
});

describe('Acumatica faults and persistence', () => {
  it('fault 5xx answers in Acumatica shapes (500 JSON error body, 502/503 IIS HTML)', () =>
    withSimulator(start(), async (sim) => {
      const cookie = await signIn(sim);
      sim.faults.set({ serverErrorRate: 1 });
      const seen = new Set<number>();
      for (let i = 0; i < 3; i += 1) {
        const res = await api(sim, cookie).get('Vendor');
        seen.add(res.status);
        if (res.status === 500)
          expect(((await res.json()) as Json).exceptionMessage).toEqual(expect.any(String));
        else expect(await res.text()).toMatch(/<html>/);
      }
      expect([...seen].sort()).toEqual([500, 502, 503]);
      sim.faults.set({ serverErrorRate: 0, rateLimitRate: 1 });
      const limited = await api(sim, cookie).get('Vendor');
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as Json).exceptionMessage).toMatch(/licen/);
    }));

  it('fault drop-after-commit: the client gets no response but the bill is stored (once)', () =>
    withSimulator(start(), async (sim) => {
      const cookie = await signIn(sim);
      const ref = await firstVendorAndAccount(sim, cookie);
      sim.faults.set({ dropAfterCommitRate: 1 });
      await expect(
        api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DROP', ['42.00'])),
      ).rejects.toThrow();
      sim.faults.clear();
      const found = (await (
        await api(sim, cookie).get(
          `Bill?$filter=${encodeURIComponent(`Vendor eq '${ref.vendor}' and VendorRef eq 'INV-DROP'`)}`,
        )
      ).json()) as Json[];
      expect(found.map((b) => val(b, 'Amount'))).toEqual([42]);
    }));

  it('fault expire: every session ends at once (401 on the next call)', () =>
    withSimulator(start(), async (sim) => {
      const cookie = await signIn(sim);
      await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify({ spec: 'acumatica:expire=1' }),
      });
      expect((await api(sim, cookie).get('Vendor')).status).toBe(401);
    }));

  it('persistence: a restart on the same data dir keeps bills and sessions and does not re-seed', async () => {
    const dir = tempDir();
    const first = await start({}, dir);
    const cookie = await signIn(first);
    const ref = await firstVendorAndAccount(first, cookie);
    const created = (await (
      await api(first, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-KEEP', ['9.99']))
    ).json()) as Json;
    const vendorCount = ((await (await api(first, cookie).get('Vendor')).json()) as Json[]).length;
    await first.close();

    await withSimulator(start({}, dir), async (second) => {
      const bill = (await (await api(second, cookie).get(`Bill/${String(created.id)}`)).json()) as Json;
      expect([val(bill, 'VendorRef'), val(bill, 'Amount')]).toEqual(['INV-KEEP', 9.99]);
      expect(((await (await api(second, cookie).get('Vendor')).json()) as Json[]).length).toBe(vendorCount);
      const next = (await (
        await api(second, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-NEXT', ['1.00']))
      ).json()) as Json;
      expect(val(next, 'ReferenceNbr')).not.toBe(val(bill, 'ReferenceNbr'));
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The vendor's contract: every entity response above (and a pass over every served entity on both
// endpoint versions) validated with ajv against components.schemas.<Entity> of the Default
// 24.200.001 OpenAPI / definitions.<Entity> of the 23.200.001 Swagger, read at run time, plus a
// check that every returned key is a property of its schema (the schemas allow extra keys).

const SPEC_DIR = join(process.cwd(), '..', 'shared', 'vendor-specs', 'acumatica');
const SPECS: Record<string, { file: string; refBase: string }> = {
  [V]: { file: 'Default_24.200.001.openapi.json', refBase: '#/components/schemas/' },
  [V23]: { file: 'Default_23.200.001.swagger.json', refBase: '#/definitions/' },
};
const SERVED = [
  'Account',
  'Bill',
  'ChangeOrder',
  'Check',
  'CostCode',
  'ExternalCommitment',
  'Project',
  'ProjectTask',
  'PurchaseOrder',
  'Subaccount',
  'Subcontract',
  'Vendor',
];

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  type?: string;
}

/** The specs, loaded and compiled once for this file (the 24.200.001 OpenAPI is ~2.6 MB). */
const contract = (() => {
  let loaded: { ajv: Ajv; docs: Map<string, Json> } | undefined;
  const validators = new Map<string, ValidateFunction>();
  const load = (): { ajv: Ajv; docs: Map<string, Json> } => {
    if (loaded) return loaded;
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
    const docs = new Map<string, Json>();
    for (const [version, { file }] of Object.entries(SPECS)) {
      const path = join(SPEC_DIR, file);
      if (!existsSync(path))
        throw new Error(
          `The Acumatica vendor contract is missing: ${path} (the schema conformance test reads it at run time).`,
        );
      const doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
      ajv.addSchema(doc, version);
      docs.set(version, doc);
    }
    return (loaded = { ajv, docs });
  };
  return {
    validator(version: string, schema: string): ValidateFunction {
      const key = `${version}${SPECS[version]?.refBase ?? ''}${schema}`;
      let validate = validators.get(key);
      if (!validate) {
        validate = load().ajv.getSchema(key);
        if (!validate) throw new Error(`No schema ${schema} in the Default/${version} contract`);
        validators.set(key, validate);
      }
      return validate;
    },
    /** Keys of `value` (recursively) that are not properties of the schema they are checked against. */
    unknownKeys(version: string, schema: string, value: unknown): string[] {
      const doc = load().docs.get(version) ?? {};
      const resolve = (node: SchemaNode): SchemaNode => {
        if (!node.$ref) return node;
        const target = node.$ref
          .slice(2)
          .split('/')
          .reduce<unknown>((at, part) => (at as Json | undefined)?.[part], doc);
        return resolve(target as SchemaNode);
      };
      const propertiesOf = (node: SchemaNode): Record<string, SchemaNode> | null => {
        const n = resolve(node);
        if (n.allOf)
          return Object.assign({}, ...n.allOf.map((part) => propertiesOf(part) ?? {})) as Record<
            string,
            SchemaNode
          >;
        return n.properties ?? null;
      };
      const walk = (node: SchemaNode, data: unknown, path: string, out: string[]): void => {
        const n = resolve(node);
        if (Array.isArray(data)) {
          if (n.items) data.forEach((item, i) => walk(n.items as SchemaNode, item, `${path}[${i}]`, out));
          return;
        }
        if (!data || typeof data !== 'object') return;
        const properties = propertiesOf(n);
        if (!properties) return; // a free object such as `custom`
        for (const [key, child] of Object.entries(data)) {
          const property = properties[key];
          if (!property) out.push(`${path}.${key}`);
          else walk(property, child, `${path}.${key}`, out);
        }
      };
      const out: string[] = [];
      walk({ $ref: `${SPECS[version]?.refBase ?? ''}${schema}` }, value, schema, out);
      return out;
    },
  };
})();

/** What is wrong with one response against the contract of its endpoint version (empty = conforms). */
function contractProblems(r: Received): string[] {
  const where = `${r.status} ${r.url.replace(/^http:\/\/[^/]+/, '')}`;
  if (r.status >= 400 && r.status !== 422) {
    const validate = contract.validator(r.version, 'HttpError');
    return validate(r.body) ? [] : [`${where}: ${JSON.stringify(validate.errors)}`];
  }
  const validate = contract.validator(r.version, r.entity);
  const problems: string[] = [];
  for (const record of Array.isArray(r.body) ? r.body : [r.body]) {
    if (!validate(record)) problems.push(`${where}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    problems.push(
      ...contract
        .unknownKeys(r.version, r.entity, record)
        .map((key) => `${where}: '${key}' is not in the schema`),
    );
  }
  return problems;
}

describe('Acumatica contract: every entity response matches the vendor OpenAPI of its endpoint version', () => {
  it('reads every served entity on both versions: lists, one record with every detail and linked entity expanded, $adHocSchema, errors', () =>
    withSimulator(
      start({ maxApiUsers: 5, customFields: { Bill: { 'Document.UsrProcoreID': 'CustomStringField' } } }),
      async (sim) => {
        const cookie = await signIn(sim);
        const ref = await firstVendorAndAccount(sim, cookie);
        const project = world.projects[0]?.acumaticaProjectId ?? '';
        await api(sim, cookie).saved('ExternalCommitment', {
          ExternalRefNbr: w('EC-1'),
          ProjectID: w(project),
          ProjectTaskID: w('03'),
          OriginalCommittedAmount: w(10),
        });
        const bill = await api(sim, cookie).saved('Bill', {
          ...billBody(ref.vendor, ref.account, 'OAS-1', ['10.00']),
          TaxDetails: [{ TaxID: w('NL21'), TaxAmount: w(2.1) }],
          custom: { Document: { UsrProcoreID: { type: 'CustomStringField', value: 'x' } } },
        });
        await invoke(sim, cookie, 'Bill/ReleaseBill', { entity: { id: bill.id } });
        const check = await api(sim, cookie).saved('Check', {
          Vendor: w(ref.vendor),
          Details: [{ ReferenceNbr: bill.ReferenceNbr, AmountPaid: w(5) }],
        });
        await invoke(sim, cookie, 'Check/ReleaseCheck', { entity: { id: check.id } });
        await invoke(sim, cookie, 'Check/VoidCheck', { entity: { id: check.id } });
        const expand: Record<string, string> = {
          Bill: 'Details,Applications,TaxDetails',
          Check: 'Details,History',
          Vendor:
            'MainContact,MainContact/Address,PrimaryContact,RemittanceContact,RemittanceContact/Address,ShippingContact',
          PurchaseOrder: 'Details,TaxDetails',
          Subcontract: 'Details,TaxDetails,VendorAddressInfo,VendorContactInfo',
          ChangeOrder: 'Commitments',
        };
        for (const version of [V, V23]) {
          const a = api(sim, cookie, version);
          for (const entity of SERVED) {
            const all = await a.json<Json[]>(
              `${entity}?$top=3${expand[entity] ? `&$expand=${expand[entity]}` : ''}`,
            );
            expect(all.length, `${entity} on ${version}`).toBeGreaterThan(0);
            await a.json(
              `${entity}/${String(all[0]?.id)}?$expand=${expand[entity] ?? ''}${entity === 'Bill' ? '&$custom=Document.UsrProcoreID,Document.PayDate' : ''}`,
            );
            await a.json(`${entity}/$adHocSchema`);
          }
          expect((await a.put('Bill', billBody('NOPE', ref.account, 'OAS-422', ['1.00']))).status).toBe(422);
          expect((await a.get('Bill/Bill/999999')).status).toBe(404);
          expect((await a.get("Bill?$filter=Nope eq 'x'")).status).toBe(400);
        }
      },
    ));

  it('every response body validates against components.schemas.<Entity> (HttpError for errors) and has no key outside the schema', async () => {
    const responses = await Promise.all(received);
    for (const version of [V, V23]) {
      expect(
        new Set(responses.filter((r) => r.version === version && r.status === 200).map((r) => r.entity)),
        version,
      ).toEqual(new Set(SERVED));
    }
    const checked = responses.filter((r) => r.version in SPECS);
    expect(checked.length).toBeGreaterThan(300);
    expect(checked.flatMap(contractProblems)).toEqual([]);
  });

  it('the check catches what the contract forbids (a LineNbr on a bill line, a string amount, an unknown linked field)', () => {
    const base: Received = {
      version: V,
      entity: 'Bill',
      status: 200,
      url: 'http://x/entity/Default/24.200.001/Bill',
      body: {},
    };
    expect(
      contractProblems({ ...base, body: { id: 'a', Details: [{ id: 'b', LineNbr: { value: 1 } }] } }),
    ).toEqual([expect.stringContaining("'Bill.Details[0].LineNbr' is not in the schema")]);
    expect(contractProblems({ ...base, body: { Amount: { value: '12.50' } } })[0]).toMatch(/must be number/);
    expect(
      contractProblems({
        ...base,
        entity: 'Vendor',
        body: { MainContact: { Address: { Planet: { value: 'Mars' } } } },
      }),
    ).toEqual([expect.stringContaining("'Vendor.MainContact.Address.Planet' is not in the schema")]);
    expect(
      contractProblems({ ...base, version: V23, body: { Details: [{ LCNbr: { value: 'x' } }] } }),
    ).toEqual([expect.stringContaining("'Bill.Details[0].LCNbr' is not in the schema")]);
  });
});
