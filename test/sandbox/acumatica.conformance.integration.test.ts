import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAcumaticaSimulator } from '../../src-main/sandbox/acumatica/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { fetchJson, useTempDirs, withSimulator } from './support';

// Conformance of the Acumatica simulator with shared/api/acumatica-intacct-coupa-monday.md §1.
// Titles start with the fact-sheet section they check.

type Json = Record<string, unknown>;
const V = '24.200.001';

async function start(config: Record<string, unknown> = {}, dataDir: string | null = null): Promise<RunningSimulator> {
  return startAcumaticaSimulator({ dataDir, config });
}

function creds(sim: RunningSimulator): { name: string; password: string; tenant: string } {
  return { name: String(sim.credentials.username), password: String(sim.credentials.password), tenant: String(sim.credentials.tenant) };
}

async function login(sim: RunningSimulator, body: Json = creds(sim)): Promise<Response> {
  return fetch(`${sim.baseUrl}/entity/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
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

function api(sim: RunningSimulator, cookie: string) {
  const url = (path: string): string => `${sim.baseUrl}/entity/Default/${V}/${path}`;
  return {
    get: (path: string) => fetch(url(path), { headers: { cookie } }),
    put: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url(path), { method: 'PUT', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    post: (path: string, body: unknown) =>
      fetch(url(path), { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
}

const w = (value: unknown): { value: unknown } => ({ value });
const val = (record: Json, field: string): unknown => (record[field] as { value?: unknown } | undefined)?.value;

async function firstVendorAndAccount(sim: RunningSimulator, cookie: string): Promise<{ vendor: string; account: string; subaccount: string }> {
  const a = api(sim, cookie);
  const vendors = (await (await a.get('Vendor?$top=1')).json()) as Json[];
  const accounts = (await (await a.get('Account?$top=1')).json()) as Json[];
  const subs = (await (await a.get('Subaccount?$top=1')).json()) as Json[];
  return { vendor: String(val(vendors[0] ?? {}, 'VendorID')), account: String(val(accounts[0] ?? {}, 'AccountCD')), subaccount: String(val(subs[0] ?? {}, 'SubaccountCD')) };
}

function billBody(vendor: string, account: string, vendorRef: string, amounts: string[]): Json {
  return {
    Type: w('Bill'),
    Vendor: w(vendor),
    VendorRef: w(vendorRef),
    Date: w('2026-10-15T00:00:00+00:00'),
    Description: w('Requisition 7'),
    Details: amounts.map((amount) => ({ Account: w(account), ExtendedCost: w(Number(amount)), TransactionDescription: w(`line ${amount}`) })),
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
    expect(body.endpoints.map((e) => `${e.name}/${e.version}`)).toEqual(['Default/23.200.001', 'Default/24.200.001']);
  });

  it('1.1 an endpoint version the instance does not publish answers 404; configured ones answer', async () => {
    const cookie = await signIn(sim);
    const unknown = await fetch(`${sim.baseUrl}/entity/Default/26.200.001/Vendor`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    const otherName = await fetch(`${sim.baseUrl}/entity/Custom/24.200.001/Vendor`, { headers: { cookie } });
    expect(otherName.status).toBe(404);
    const older = await fetch(`${sim.baseUrl}/entity/Default/23.200.001/Vendor?$top=1`, { headers: { cookie } });
    expect(older.status).toBe(200);
  });

  it('1.1 endpointVersions config limits what is served (24.200.001 absent → 404)', () =>
    withSimulator(start({ endpointVersions: ['23.200.001'] }), async (only23) => {
      const cookie = await signIn(only23);
      expect((await fetch(`${only23.baseUrl}/entity/Default/24.200.001/Vendor`, { headers: { cookie } })).status).toBe(404);
      expect(only23.credentials.endpointVersion).toBe('23.200.001');
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
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'expire=1' }) });
  });

  it('1.4 login → 204 with ASP.NET_SessionId and .ASPXAUTH cookies; the cookies authorise entity calls', async () => {
    const res = await login(sim);
    expect(res.status).toBe(204);
    const names = res.headers.getSetCookie().map((c) => c.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['ASP.NET_SessionId', '.ASPXAUTH']));
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await api(sim, cookie).get('Vendor?$top=1')).status).toBe(200);
  });

  it('1.9 an entity call without a session → 401', async () => {
    const res = await fetch(`${sim.baseUrl}/entity/Default/${V}/Vendor`);
    expect(res.status).toBe(401);
  });

  it('1.4 all cookies must be replayed: the session cookie alone → 401', async () => {
    const res = await login(sim);
    const sessionOnly = res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => c?.startsWith('ASP.NET_SessionId=')).join('; ');
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
    const out = await fetch(`${sim.baseUrl}/entity/auth/logout`, { method: 'POST', headers: { cookie: first } });
    expect(out.status).toBe(204);
    expect((await login(sim)).status).toBe(204);
    expect((await api(sim, first).get('Vendor')).status).toBe(401);
  });

  it('1.4 idle session expires after sessionIdleMinutes of simulator time and frees its seat', async () => {
    const cookie = await signIn(sim);
    await signIn(sim);
    await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 19 * 60_000 }) });
    expect((await api(sim, cookie).get('Vendor?$top=1')).status).toBe(200); // activity slides the window
    await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 20 * 60_000 }) });
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
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'expire=1' }) });
  });

  const token = (form: Record<string, string>): Promise<Response> =>
    fetch(`${sim.baseUrl}/identity/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
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
    fetch(`${sim.baseUrl}/entity/Default/${V}/Vendor?$top=1`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('1.3 password grant → bearer token usable instead of the cookie; client_id carries @Tenant', async () => {
    expect(String(sim.credentials.clientId)).toMatch(/^[0-9a-f-]{36}@Company$/);
    const res = await token(passwordGrant());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; refresh_token?: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.refresh_token).toBeUndefined(); // no offline_access
    expect((await bearerGet(body.access_token)).status).toBe(200);
  });

  it('1.3 client id without the tenant suffix → invalid_client; wrong password → invalid_grant', async () => {
    const badClient = await token(passwordGrant({ client_id: String(sim.credentials.clientId).split('@')[0] ?? '' }));
    expect(badClient.status).toBe(400);
    expect(((await badClient.json()) as Json).error).toBe('invalid_client');
    const badUser = await token(passwordGrant({ password: 'nope' }));
    expect(((await badUser.json()) as Json).error).toBe('invalid_grant');
  });

  it('1.3 client-credentials grant is unconfirmed → unsupported unless configured', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret), scope: 'api' });
    expect(((await res.json()) as Json).error).toBe('unsupported_grant_type');
  });

  it('1.3 offline_access gives a refresh token; refresh issues a new access token; the old refresh token is spent', async () => {
    const first = (await (await token(passwordGrant({ scope: 'api offline_access' }))).json()) as { refresh_token: string };
    const refreshForm = { grant_type: 'refresh_token', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret), refresh_token: first.refresh_token };
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
    await fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 3600_000 }) });
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
    const eq = (await (await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`VendorID eq '${id}' and Status eq 'Active'`)}`)).json()) as Json[];
    expect(eq.map((v) => val(v, 'VendorID'))).toEqual([id]);
    const prefix = id.slice(0, 3);
    const sw = (await (await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`startswith(VendorID,'${prefix}')`)}`)).json()) as Json[];
    expect(sw.length).toBe(all.filter((v) => String(val(v, 'VendorID')).startsWith(prefix)).length);
    const name = String(val(target, 'VendorName'));
    const sub = (await (await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`substringof('${name.slice(1, 6).replace(/'/g, "''")}',VendorName)`)}`)).json()) as Json[];
    expect(sub.map((v) => val(v, 'VendorID'))).toContain(id);
  });

  it("1.6 LastModifiedDateTime gt datetimeoffset'…' returns only records changed after the instant", async () => {
    const before = (await (await api(sim, cookie).get('Vendor?$top=1')).json()) as Json[];
    const stamp = String(val(before[0] ?? {}, 'LastModifiedDateTime'));
    const none = (await (await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`LastModifiedDateTime gt datetimeoffset'${stamp}'`)}`)).json()) as Json[];
    expect(none).toEqual([]);
    const ge = (await (await api(sim, cookie).get(`Vendor?$filter=${encodeURIComponent(`LastModifiedDateTime ge datetimeoffset'${stamp}'`)}`)).json()) as Json[];
    expect(ge.length).toBeGreaterThan(0);
  });

  it('1.6 filtering on a detail field, an unknown field or bad syntax → 400 with a readable message', async () => {
    for (const filter of ["Details/Amount gt 5", "Nope eq 'x'", "VendorID eq"]) {
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
    const expanded = (await (await api(sim, cookie).get('PurchaseOrder?$top=1&$expand=Details')).json()) as Json[];
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

  it('1.7 PUT without id or keys creates a bill: 200 + record; Amount is the exact sum of the lines', async () => {
    const res = await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-SUM', ['0.10', '0.20', '1234.55']));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/"Amount":\{"value":1234\.85\}/); // not 1234.8500000000001
    const bill = JSON.parse(text) as Json;
    expect(val(bill, 'Type')).toBe('Bill');
    expect(val(bill, 'ReferenceNbr')).toMatch(/^\d{6}$/);
    expect(val(bill, 'Status')).toBe('Balanced');
    expect(val(bill, 'Balance')).toBe(1234.85);
    expect((bill.Details as Json[]).map((l) => val(l, 'LineNbr'))).toEqual([1, 2, 3]);
  });

  it('1.7 Qty × UnitCost is rounded once to the cent per line', async () => {
    const body = { Vendor: w(ref.vendor), VendorRef: w('INV-QTY'), Details: [{ Account: w(ref.account), Qty: w(3), UnitCost: w(33.335) }] };
    const bill = (await (await api(sim, cookie).put('Bill', body)).json()) as Json;
    expect(val((bill.Details as Json[])[0] ?? {}, 'ExtendedCost')).toBe(100.01);
    expect(val(bill, 'Amount')).toBe(100.01);
  });

  it('1.7/1.11 PUT again by key fields with lines WITHOUT id appends them: the bill now has duplicate lines', async () => {
    const created = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DUP', ['100.00', '50.00']))).json()) as Json;
    const again = { ...billBody(ref.vendor, ref.account, 'INV-DUP', ['100.00', '50.00']), ReferenceNbr: created.ReferenceNbr };
    const res = await api(sim, cookie).put('Bill', again);
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Json;
    expect(updated.id).toBe(created.id);
    expect((updated.Details as Json[]).length).toBe(4);
    expect(val(updated, 'Amount')).toBe(300);
    const listed = (await (await api(sim, cookie).get(`Bill?$filter=${encodeURIComponent("VendorRef eq 'INV-DUP'")}`)).json()) as Json[];
    expect(listed.length).toBe(1); // one bill, duplicated lines
  });

  it('1.7 lines with id are updated in place; "delete": true removes a line', async () => {
    const created = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-EDIT', ['10.00', '20.00']))).json()) as Json;
    const [l1, l2] = created.Details as Json[];
    const res = await api(sim, cookie).put('Bill?$expand=Details', { id: created.id, Details: [{ id: l1?.id, ExtendedCost: w(15.5) }, { id: l2?.id, delete: true }] });
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
    const created = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-412', ['1.00']))).json()) as Json;
    const insertOnly = await api(sim, cookie).put('Bill', { id: created.id, Description: w('x') }, { 'if-none-match': '*' });
    expect(insertOnly.status).toBe(412);
    const updateOnly = await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-412b', ['1.00']), { 'if-match': '*' });
    expect(updateOnly.status).toBe(412);
  });

  it('1.7 GET /Bill/{Type}/{ReferenceNbr} and /Bill/{id} read one record', async () => {
    const created = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-GET', ['2.00']))).json()) as Json;
    const byKeys = await api(sim, cookie).get(`Bill/Bill/${String(val(created, 'ReferenceNbr'))}`);
    expect(((await byKeys.json()) as Json).id).toBe(created.id);
    const byId = await api(sim, cookie).get(`Bill/${String(created.id)}?$expand=Details`);
    expect(((await byId.json()) as Json).Details).toHaveLength(1);
    expect((await api(sim, cookie).get('Bill/Bill/999999')).status).toBe(404);
  });

  it('1.2 DELETE /Bill/{id} removes an unreleased bill; 1.7 ReleaseBill refuses a bill on hold', async () => {
    const doomed = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DEL', ['3.00']))).json()) as Json;
    const del = await fetch(`${sim.baseUrl}/entity/Default/${V}/Bill/${String(doomed.id)}`, { method: 'DELETE', headers: { cookie } });
    expect(del.status).toBe(204);
    expect((await api(sim, cookie).get(`Bill/${String(doomed.id)}`)).status).toBe(404);
    const held = (await (await api(sim, cookie).put('Bill', { ...billBody(ref.vendor, ref.account, 'INV-HOLD', ['3.00']), Hold: w(true) })).json()) as Json;
    expect(val(held, 'Status')).toBe('On Hold');
    const release = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: held.id } });
    expect(release.status).toBe(500);
    expect(((await release.json()) as Json).exceptionMessage).toMatch(/on hold/);
    expect((await api(sim, cookie).post('Bill/NoSuchAction', { entity: { id: held.id } })).status).toBe(404);
  });

  it('1.7/1.8 ReleaseBill → Open; a Check applied to it lowers Balance, Closed at zero, visible via $expand=Applications', async () => {
    const created = (await (await api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-PAY', ['100.00']))).json()) as Json;
    const release = await api(sim, cookie).post('Bill/ReleaseBill', { entity: { id: created.id } });
    expect(release.status).toBe(204);
    const nbr = String(val(created, 'ReferenceNbr'));
    const pay = (amount: number): Promise<Response> =>
      api(sim, cookie).put('Check', { Vendor: w(ref.vendor), Details: [{ DocType: w('Bill'), ReferenceNbr: w(nbr), AmountPaid: w(amount) }] });
    expect((await pay(40)).status).toBe(200);
    let bill = (await (await api(sim, cookie).get(`Bill/${String(created.id)}?$expand=Applications`)).json()) as Json;
    expect([val(bill, 'Status'), val(bill, 'Balance')]).toEqual(['Open', 60]);
    expect((await pay(60.01)).status).toBe(422);
    expect((await pay(60)).status).toBe(200);
    bill = (await (await api(sim, cookie).get(`Bill/${String(created.id)}?$expand=Applications`)).json()) as Json;
    expect([val(bill, 'Status'), val(bill, 'Balance')]).toEqual(['Closed', 0]);
    expect((bill.Applications as Json[]).map((a) => val(a, 'AmountPaid'))).toEqual([40, 60]);
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

  it("1.9 unknown vendor → 422, the entity echoed with Vendor.error \"'Vendor' cannot be found in the system.\"; nothing stored", async () => {
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
    const res = await api(sim, cookie).put('Bill', { ...billBody(ref.vendor, ref.account, 'INV-E3', ['1.00']), Date: w('2026-01-20') });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { PostPeriod: { error: string } }).PostPeriod.error).toMatch(/01-2026.*closed/);
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

describe('Acumatica §1.10 licence request limits', () => {
  it('1.10 past half of the per-minute quota each request is delayed by window-left / requests-left', () =>
    withSimulator(start({ maxApiUsers: 5, requestsPerMinute: 4, throttleRealDelayFactor: 0.0005 }), async (sim) => {
      const cookie = await signIn(sim); // request 1 of the minute
      const second = await api(sim, cookie).get('Vendor?$top=1'); // 1 used < 2 → no delay
      expect(second.headers.get('x-sandbox-throttle-delay-ms')).toBeNull();
      const third = await api(sim, cookie).get('Vendor?$top=1'); // 2 used ≥ 50 % → delay ≈ 60 s / 2
      const delay = Number(third.headers.get('x-sandbox-throttle-delay-ms'));
      expect(delay).toBeGreaterThan(25_000);
      expect(delay).toBeLessThanOrEqual(30_000);
      expect(third.status).toBe(200); // late, not failed
    }));

  it('1.10 more than maxQueuedRequests waiting → 429 "number of requests exceeded the limit imposed by the licence"', () =>
    withSimulator(start({ maxApiUsers: 5, requestsPerMinute: 2, maxConcurrentRequests: 1, maxQueuedRequests: 2, throttleRealDelayFactor: 0.002 }), async (sim) => {
      const cookie = await signIn(sim);
      const responses = await Promise.all(Array.from({ length: 6 }, () => api(sim, cookie).get('Vendor?$top=1')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      const declined = responses.filter((r) => r.status === 429);
      expect(declined.length).toBeGreaterThan(0);
      expect(((await declined[0]?.json()) as Json).exceptionMessage).toMatch(/exceeded the limit imposed by the licen/);
    }));
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
        if (res.status === 500) expect(((await res.json()) as Json).exceptionMessage).toEqual(expect.any(String));
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
      await expect(api(sim, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-DROP', ['42.00']))).rejects.toThrow();
      sim.faults.clear();
      const found = (await (await api(sim, cookie).get(`Bill?$filter=${encodeURIComponent(`Vendor eq '${ref.vendor}' and VendorRef eq 'INV-DROP'`)}`)).json()) as Json[];
      expect(found.map((b) => val(b, 'Amount'))).toEqual([42]);
    }));

  it('fault expire: every session ends at once (401 on the next call)', () =>
    withSimulator(start(), async (sim) => {
      const cookie = await signIn(sim);
      await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'acumatica:expire=1' }) });
      expect((await api(sim, cookie).get('Vendor')).status).toBe(401);
    }));

  it('persistence: a restart on the same data dir keeps bills and sessions and does not re-seed', async () => {
    const dir = tempDir();
    const first = await start({}, dir);
    const cookie = await signIn(first);
    const ref = await firstVendorAndAccount(first, cookie);
    const created = (await (await api(first, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-KEEP', ['9.99']))).json()) as Json;
    const vendorCount = ((await (await api(first, cookie).get('Vendor')).json()) as Json[]).length;
    await first.close();

    await withSimulator(start({}, dir), async (second) => {
      const bill = (await (await api(second, cookie).get(`Bill/${String(created.id)}`)).json()) as Json;
      expect([val(bill, 'VendorRef'), val(bill, 'Amount')]).toEqual(['INV-KEEP', 9.99]);
      expect(((await (await api(second, cookie).get('Vendor')).json()) as Json[]).length).toBe(vendorCount);
      const next = (await (await api(second, cookie).put('Bill', billBody(ref.vendor, ref.account, 'INV-NEXT', ['1.00']))).json()) as Json;
      expect(val(next, 'ReferenceNbr')).not.toBe(val(bill, 'ReferenceNbr'));
    });
  });
});
