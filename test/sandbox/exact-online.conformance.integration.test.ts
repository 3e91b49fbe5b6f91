import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { parseExactConfig } from '../../src-main/sandbox/exact-online/config';
import { startExactSimulator } from '../../src-main/sandbox/exact-online/index';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { useTempDirs } from './support';

/**
 * Conformance of the Exact Online simulator with the fact sheet
 * shared/api/exact-online-procore.md, Part 1 (§ numbers in the test titles) and the
 * Exact items of Parts 3 and 4.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Limits high enough that read-only suites never meet them (the limit suites set their own). */
const NO_LIMITS = { minutelyLimit: 1_000_000, dailyLimit: 1_000_000, errorsPerHour: 1_000_000 };

// Before the afterAll below, so the simulators close before their data dirs go.
const tempDir = useTempDirs('exact-sim-');
const started: RunningSimulator[] = [];

async function start(config: Record<string, unknown> = {}, extra: { dataDir?: string | null; scale?: number; faults?: string } = {}): Promise<RunningSimulator> {
  const sim = await startExactSimulator({ dataDir: extra.dataDir ?? null, config: { allowAnyLoopbackPort: true, ...config }, ...(extra.scale ? { scale: extra.scale } : {}), ...(extra.faults ? { faults: extra.faults } : {}) });
  started.push(sim);
  return sim;
}

async function stop(sim: RunningSimulator): Promise<void> {
  const at = started.indexOf(sim);
  if (at >= 0) started.splice(at, 1);
  await sim.close();
}

afterAll(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

/** Moves simulator time to just after the next boundary of `unit` so a burst of calls stays inside one window. */
function alignTo(sim: RunningSimulator, unit: number): void {
  sim.clock.advance(unit - (sim.clock.now() % unit) + 5);
}

function authorizeUrl(sim: RunningSimulator, params: Record<string, string> = {}): string {
  const c = sim.credentials;
  const q = new URLSearchParams({ client_id: String(c.clientId), redirect_uri: String(c.redirectUri), response_type: 'code', state: 'st-1', ...params });
  return `${sim.baseUrl}/api/oauth2/auth?${q.toString()}`;
}

async function authorize(sim: RunningSimulator, params: Record<string, string> = {}): Promise<URL> {
  const res = await fetch(authorizeUrl(sim, params), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

async function tokenCall(sim: RunningSimulator, form: Record<string, string>): Promise<{ status: number; body: Json; headers: Headers }> {
  const c = sim.credentials;
  const res = await fetch(`${sim.baseUrl}/api/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: String(c.clientId), client_secret: String(c.clientSecret), ...form }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

async function exchange(sim: RunningSimulator, code: string, extra: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  return tokenCall(sim, { grant_type: 'authorization_code', code, redirect_uri: String(sim.credentials.redirectUri), ...extra });
}

async function login(sim: RunningSimulator): Promise<{ access: string; refresh: string }> {
  const code = (await authorize(sim)).searchParams.get('code') ?? '';
  const { status, body } = await exchange(sim, code);
  expect(status).toBe(200);
  return { access: body.access_token as string, refresh: body.refresh_token as string };
}

async function refresh(sim: RunningSimulator, refreshToken: string): Promise<{ status: number; body: Json; headers: Headers }> {
  return tokenCall(sim, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

async function api(sim: RunningSimulator, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const url = path.startsWith('http') ? path : `${sim.baseUrl}${path.startsWith('/api') ? '' : `/api/v1/${sim.credentials.division}/`}${path}`;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, headers: res.headers, text, json: isJson && text ? (JSON.parse(text) as Json) : {} };
}

function expectEnvelope(answer: ApiAnswer, status: number, message: string | RegExp): void {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.json)).toEqual(['error']);
  expect(answer.json.error.code).toBe('');
  expect(answer.json.error.message.lang).toBe('');
  if (typeof message === 'string') expect(answer.json.error.message.value).toBe(message);
  else expect(answer.json.error.message.value).toMatch(message);
}

/** Follows __next to the end; returns every row and the page sizes. */
async function readAll(sim: RunningSimulator, token: string, path: string): Promise<{ rows: Json[]; pages: number[]; nextLinks: string[] }> {
  const rows: Json[] = [];
  const pages: number[] = [];
  const nextLinks: string[] = [];
  let next: string | undefined = path;
  while (next) {
    const answer = await api(sim, token, next);
    expect(answer.status).toBe(200);
    rows.push(...(answer.json.d.results as Json[]));
    pages.push((answer.json.d.results as Json[]).length);
    next = answer.json.d.__next as string | undefined;
    if (next) nextLinks.push(next);
  }
  return { rows, pages, nextLinks };
}

const q = encodeURIComponent;
const dateMs = (v: string): number => Number(/^\/Date\((-?\d+)\)\/$/.exec(v)?.[1] ?? NaN);

// -------------------------------------------------------------------------------------------

describe('§1.2 OAuth authorize endpoint', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ ...NO_LIMITS, allowAnyLoopbackPort: false });
  });

  it('1.2 GET /api/oauth2/auth approves at once: 302 to redirect_uri?code=…&state=…', async () => {
    const location = await authorize(sim, { force_login: '1' });
    expect(`${location.origin}${location.pathname}`).toBe(sim.credentials.redirectUri);
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
  });

  it('1.2 RFC 9207: every authorization response, an error too, names the issuer in iss (config.issParameter)', async () => {
    expect((await authorize(sim)).searchParams.get('iss')).toBe(sim.baseUrl);
    expect((await authorize(sim, { response_type: 'token' })).searchParams.get('iss')).toBe(sim.baseUrl);
    const silent = await start({ ...NO_LIMITS, issParameter: false });
    expect((await authorize(silent)).searchParams.has('iss')).toBe(false);
    const named = await start({ ...NO_LIMITS, issuer: 'https://start.exactonline.nl' });
    expect((await authorize(named)).searchParams.get('iss')).toBe('https://start.exactonline.nl');
  });

  it('1.2 redirect URI must match the registered one exactly (other port, other path → 400)', async () => {
    for (const redirect of ['http://127.0.0.1:47914/callback', 'http://127.0.0.1:47913/callback/extra', 'https://127.0.0.1:47913/callback']) {
      const res = await fetch(authorizeUrl(sim, { redirect_uri: redirect }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('is not valid');
    }
  });

  it('1.2 an unknown client_id → 400 and no redirect', async () => {
    const res = await fetch(authorizeUrl(sim, { client_id: 'not-a-client' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('1.2 response_type other than code → redirect with error=unsupported_response_type and the state', async () => {
    const location = await authorize(sim, { response_type: 'token' });
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('1.2 config.allowAnyLoopbackPort accepts any 127.0.0.1 port with the registered path only', async () => {
    const loose = await start({ ...NO_LIMITS, allowAnyLoopbackPort: true });
    const ok = await authorize(loose, { redirect_uri: 'http://127.0.0.1:50123/callback' });
    expect(ok.port).toBe('50123');
    expect(ok.searchParams.get('code')).toBeTruthy();
    const wrongPath = await fetch(authorizeUrl(loose, { redirect_uri: 'http://127.0.0.1:50123/other' }), { redirect: 'manual' });
    expect(wrongPath.status).toBe(400);
    const otherHost = await fetch(authorizeUrl(loose, { redirect_uri: 'http://evil.example:50123/callback' }), { redirect: 'manual' });
    expect(otherHost.status).toBe(400);
  });

  it('1.2 config.consentPage serves an Approve form; approving redirects with a code, denying with error=access_denied', async () => {
    const consent = await start({ ...NO_LIMITS, consentPage: true });
    const page = await fetch(authorizeUrl(consent), { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/api/oauth2/auth">');
    expect(html).toContain('value="approve"');
    const form = (decision: string): URLSearchParams =>
      new URLSearchParams({ client_id: String(consent.credentials.clientId), redirect_uri: String(consent.credentials.redirectUri), response_type: 'code', state: 's9', decision });
    const approved = await fetch(`${consent.baseUrl}/api/oauth2/auth`, { method: 'POST', body: form('approve'), redirect: 'manual' });
    expect(approved.status).toBe(302);
    const approvedUrl = new URL(approved.headers.get('location') ?? '');
    expect(approvedUrl.searchParams.get('state')).toBe('s9');
    expect((await exchange(consent, approvedUrl.searchParams.get('code') ?? '')).status).toBe(200);
    const denied = await fetch(`${consent.baseUrl}/api/oauth2/auth`, { method: 'POST', body: form('deny'), redirect: 'manual' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
  });
});

describe('§1.2 OAuth token endpoint: code exchange and PKCE', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
  });

  it('1.2 code exchange returns {access_token, token_type "bearer", expires_in "600" as a STRING, refresh_token}', async () => {
    const code = (await authorize(sim)).searchParams.get('code') ?? '';
    const { status, body } = await exchange(sim, code);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe('600');
    expect(typeof body.expires_in).toBe('string');
    expect((await api(sim, body.access_token as string, '/api/v1/current/Me')).status).toBe(200);
  });

  it('1.2 the authorization code is single use: a second exchange → 400', async () => {
    const code = (await authorize(sim)).searchParams.get('code') ?? '';
    expect((await exchange(sim, code)).status).toBe(200);
    const again = await exchange(sim, code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('1.2 the authorization code is short lived (config.codeTtlMs, default 3 min): after it → 400', async () => {
    const code = (await authorize(sim)).searchParams.get('code') ?? '';
    sim.clock.advance(180_001);
    const late = await exchange(sim, code);
    expect(late.status).toBe(400);
    expect(late.body.error_description).toContain('expired');
  });

  it('1.2 the client secret is required at the token endpoint (body credentials)', async () => {
    const code = (await authorize(sim)).searchParams.get('code') ?? '';
    const res = await fetch(`${sim.baseUrl}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: String(sim.credentials.redirectUri), client_id: String(sim.credentials.clientId), client_secret: 'wrong' }).toString(),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Json).error).toBe('invalid_client');
  });

  it('1.2 PKCE (unconfirmed, default "optional"): a sent S256 challenge is verified at the token endpoint', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    const wrongCode = (await authorize(sim, pkce)).searchParams.get('code') ?? '';
    const wrong = await exchange(sim, wrongCode, { code_verifier: randomBytes(32).toString('base64url') });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_description).toContain('code_verifier');
    const missingCode = (await authorize(sim, pkce)).searchParams.get('code') ?? '';
    expect((await exchange(sim, missingCode)).status).toBe(400);
    const goodCode = (await authorize(sim, pkce)).searchParams.get('code') ?? '';
    expect((await exchange(sim, goodCode, { code_verifier: verifier })).status).toBe(200);
  });

  it('1.2 PKCE config "required" refuses an authorize request without code_challenge (redirect with error)', async () => {
    const strict = await start({ ...NO_LIMITS, pkce: 'required' });
    const location = await authorize(strict);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('1.2 PKCE config "ignored" accepts a code without checking the verifier', async () => {
    const lax = await start({ ...NO_LIMITS, pkce: 'ignored' });
    const code = (await authorize(lax, { code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })).searchParams.get('code') ?? '';
    expect((await exchange(lax, code)).status).toBe(200);
  });
});

describe('§1.2 OAuth lifetimes, rotation and limits', () => {
  // Each test logs in afresh, so one simulator serves them all (clock moves only forward).
  const initial = 'sandbox-initial-refresh-token-0001';
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ ...NO_LIMITS, initialRefreshToken: initial });
  });

  it('1.2 config.initialRefreshToken is accepted once without a browser, then rotates (runs first: before the clock jumps 30 days)', async () => {
    const first = await refresh(sim, initial);
    expect(first.status).toBe(200);
    expect((await refresh(sim, initial)).status).toBe(401);
  });

  it('1.2 access token lives 600 s: at expiry the API answers 401 with the OData envelope', async () => {
    const { access } = await login(sim);
    sim.clock.advance(599_000);
    expect((await api(sim, access, '/api/v1/current/Me')).status).toBe(200);
    sim.clock.advance(1_000);
    const expired = await api(sim, access, '/api/v1/current/Me');
    expectEnvelope(expired, 401, /expired/);
  });

  it('1.2 refreshing more than 30 s before expiry → 400 access_denied "Rate limit exceeded: access_token not expired" + header Reason: TooEarlyToRefreshTokens; inside the last 30 s it succeeds', async () => {
    const { refresh: rt } = await login(sim);
    const early = await refresh(sim, rt);
    expect(early.status).toBe(400);
    expect(early.body).toEqual({ error: 'access_denied', error_description: 'Rate limit exceeded: access_token not expired' });
    expect(early.headers.get('reason')).toBe('TooEarlyToRefreshTokens');
    sim.clock.advance(569_000); // 31 s left: still too early
    expect((await refresh(sim, rt)).status).toBe(400);
    sim.clock.advance(2_000); // 29 s left: inside the window
    const ok = await refresh(sim, rt);
    expect(ok.status).toBe(200);
    expect(ok.body.expires_in).toBe('600');
  });

  it('1.2 / Part 3.1 rotation: each refresh returns a new refresh token and the old one → 401 unauthorized_client "Old refresh token used."', async () => {
    const first = await login(sim);
    sim.clock.advance(590_000);
    const second = await refresh(sim, first.refresh);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh);
    expect(second.body.access_token).not.toBe(first.access);
    const reuse = await refresh(sim, first.refresh);
    expect(reuse.status).toBe(401);
    expect(reuse.body).toEqual({ error: 'unauthorized_client', error_description: 'Old refresh token used.' });
    // The rotated token keeps working through the next window.
    sim.clock.advance(590_000);
    expect((await refresh(sim, second.body.refresh_token as string)).status).toBe(200);
  });

  it('1.2 a refresh token unused for 30 days → 400 invalid_request "The refresh token expired at … and it is now …"', async () => {
    const { refresh: first } = await login(sim);
    sim.clock.advance(30 * DAY - 1_000);
    const justInTime = await refresh(sim, first); // 1 s before its expiry: still good
    expect(justInTime.status).toBe(200);
    sim.clock.advance(30 * DAY);
    const late = await refresh(sim, justInTime.body.refresh_token as string);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_request');
    expect(late.body.error_description).toMatch(/^The refresh token expired at \S+ and it is now \S+\.$/);
  });

  it('1.2 / Part 3.2 token-endpoint calls per app per day are capped (failed calls count too), reset at the next UTC day', async () => {
    const own = await start({ ...NO_LIMITS, tokenCallsPerDay: 6 }); // the documented 200, scaled down to keep the test fast
    alignTo(own, DAY);
    const { refresh: rt } = await login(own); // 1 call
    for (let i = 0; i < 5; i += 1) expect((await refresh(own, rt)).status).toBe(400); // too early, still counted
    const capped = await refresh(own, rt);
    expect(capped.status).toBe(429);
    expect(capped.body).toEqual({ error: 'access_denied', error_description: 'Rate limit exceeded: the maximum of 6 token requests per day was reached.' });
    own.clock.advance(DAY);
    // New day: the call is counted afresh (now it is past expiry too, so it succeeds).
    expect((await refresh(own, rt)).status).toBe(200);
  });

  it('1.2 / 1.7 documented defaults: 600 s tokens, 30 s refresh window, 30-day refresh tokens, 200 token calls/day, 60/min, 5000/day, 10 errors/h, 60/1000 rows', () => {
    expect(parseExactConfig({})).toMatchObject({
      accessTokenTtlMs: 600_000,
      refreshWindowMs: 30_000,
      refreshTokenTtlMs: 30 * DAY,
      tokenCallsPerDay: 200,
      minutelyLimit: 60,
      dailyLimit: 5000,
      errorsPerHour: 10,
      pageSize: 60,
      syncPageSize: 1000,
      codeTtlMs: 180_000,
      pkce: 'optional',
    });
    expect(() => parseExactConfig({ minutelyLimt: 5 })).toThrow(/Invalid Exact sandbox config/);
  });
});

describe('§1.3 Divisions and current/Me', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    token = (await login(sim)).access;
  });

  it('1.3 GET /api/v1/current/Me → {"d":{"results":[{UserID, CurrentDivision, …, ServerTime "/Date(ms)/"}]}}', async () => {
    const me = await api(sim, token, '/api/v1/current/Me');
    expect(me.status).toBe(200);
    const rows = me.json.d.results as Json[];
    expect(rows).toHaveLength(1);
    const row = rows[0] as Json;
    for (const field of ['UserID', 'CurrentDivision', 'FullName', 'Email', 'UserName', 'LanguageCode', 'Legislation', 'DivisionCustomer', 'DivisionCustomerName', 'ServerTime', 'ServerUtcOffset']) {
      expect(row).toHaveProperty(field);
    }
    expect(row.CurrentDivision).toBe(sim.credentials.division);
    expect(row.UserID).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(dateMs(row.ServerTime as string) - sim.clock.now())).toBeLessThan(5_000);
    expect(row.__metadata.type).toBe('Exact.Web.Api.System.Me');
  });

  it('1.3 system/Divisions lists the division of the user', async () => {
    const answer = await api(sim, token, 'system/Divisions');
    expect(answer.status).toBe(200);
    expect((answer.json.d.results as Json[]).map((d) => d.Code)).toEqual([sim.credentials.division]);
  });

  it('1.3 another division in the URL → 403 "Forbidden - WrongDivision"', async () => {
    const other = Number(sim.credentials.division) + 1;
    expectEnvelope(await api(sim, token, `/api/v1/${other}/financial/GLAccounts`), 403, 'Forbidden - WrongDivision');
  });

  it('1.2 API request header: no or a bad Bearer token → 401 with the OData envelope', async () => {
    const res = await fetch(`${sim.baseUrl}/api/v1/current/Me`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as Json).error.message.value).toBeTruthy();
    expectEnvelope(await api(sim, 'not-a-token', 'financial/GLAccounts'), 401, /invalid/);
  });
});

describe('§1.4 OData conventions on standard endpoints', () => {
  let sim: RunningSimulator;
  let token: string;
  const world = generateWorld(1, 1);
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    token = (await login(sim)).access;
  });

  it('1.4 collection envelope d.results with __metadata {uri, type}; line collections as __deferred', async () => {
    const answer = await api(sim, token, 'purchaseorder/PurchaseOrders?$top=3');
    const rows = answer.json.d.results as Json[];
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.__metadata.uri).toBe(`${sim.baseUrl}/api/v1/${sim.credentials.division}/purchaseorder/PurchaseOrders(guid'${row.PurchaseOrderID}')`);
      expect(row.__metadata.type).toBe('Exact.Web.Api.Models.PurchaseOrder');
      expect(row.PurchaseOrderLines).toEqual({ __deferred: { uri: `${row.__metadata.uri}/PurchaseOrderLines` } });
    }
    const deferred = await api(sim, token, (rows[0] as Json).PurchaseOrderLines.__deferred.uri as string);
    expect(deferred.status).toBe(200);
    expect((deferred.json.d.results as Json[]).length).toBe((rows[0] as Json).PurchaseOrderLineCount);
  });

  it('1.4 $expand=PurchaseOrderLines inlines the lines as {results:[…]}; $select with Lines/Field narrows them', async () => {
    const answer = await api(sim, token, `purchaseorder/PurchaseOrders?$top=2&$expand=PurchaseOrderLines&$select=${q('PurchaseOrderID,PurchaseOrderLines/ItemCode,PurchaseOrderLines/AmountDC')}`);
    const row = (answer.json.d.results as Json[])[0] as Json;
    expect(Object.keys(row).sort()).toEqual(['PurchaseOrderID', 'PurchaseOrderLines', '__metadata']);
    const line = (row.PurchaseOrderLines.results as Json[])[0] as Json;
    expect(Object.keys(line).sort()).toEqual(['AmountDC', 'ItemCode', '__metadata']);
  });

  it('1.4 standard endpoints page at 60 rows; following __next ($skiptoken, absolute URL) reaches every row once', async () => {
    const count = await api(sim, token, 'purchaseorder/PurchaseOrderLines/$count');
    expect(count.text).toMatch(/^\d+$/);
    const total = Number(count.text);
    expect(total).toBeGreaterThan(120);
    const { rows, pages, nextLinks } = await readAll(sim, token, 'purchaseorder/PurchaseOrderLines?$select=ID,PurchaseOrderID');
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.ID)).size).toBe(total);
    expect(pages.slice(0, -1).every((n) => n === 60)).toBe(true);
    expect(pages.at(-1)).toBeLessThanOrEqual(60);
    for (const link of nextLinks) {
      expect(link.startsWith(`${sim.baseUrl}/api/v1/`)).toBe(true);
      expect(decodeURIComponent(link)).toMatch(/\$skiptoken=guid'[0-9a-f-]{36}'/);
    }
  });

  it('1.4 $top lowers the page size; $orderby sorts; $skip skips', async () => {
    const asc = await api(sim, token, `purchaseorder/PurchaseOrders?$select=OrderNumber&$orderby=${q('OrderNumber desc')}&$top=5`);
    const numbers = (asc.json.d.results as Json[]).map((r) => r.OrderNumber as number);
    expect(numbers).toHaveLength(5);
    expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);
    expect(asc.json.d.__next).toBeUndefined();
    const skipped = await api(sim, token, `purchaseorder/PurchaseOrders?$select=OrderNumber&$orderby=${q('OrderNumber desc')}&$top=2&$skip=3`);
    expect((skipped.json.d.results as Json[]).map((r) => r.OrderNumber)).toEqual(numbers.slice(3, 5));
  });

  it('1.4 single entity Entity(guid\'…\') → {"d":{…}} without results', async () => {
    const po = world.purchaseOrders[0]!;
    const answer = await api(sim, token, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`);
    expect(answer.status).toBe(200);
    expect(answer.json.d.results).toBeUndefined();
    expect(answer.json.d.OrderNumber).toBe(po.orderNumber);
    expectEnvelope(await api(sim, token, `purchaseorder/PurchaseOrders(guid'00000000-0000-0000-0000-000000000000')`), 404, /does not exist/);
  });

  it('1.4 $filter literal guid\'…\' on a guid field', async () => {
    const po = world.purchaseOrders[1]!;
    const answer = await api(sim, token, `purchaseorder/PurchaseOrderLines?$filter=${q(`PurchaseOrderID eq guid'${po.exactId}'`)}`);
    expect((answer.json.d.results as Json[]).map((l) => l.ID).sort()).toEqual(po.lines.map((l) => l.exactId).sort());
    // A plain string is not a guid literal (OData type rules).
    expectEnvelope(await api(sim, token, `purchaseorder/PurchaseOrderLines?$filter=${q(`PurchaseOrderID eq 'abc'`)}`), 400, /incompatible/);
    expectEnvelope(await api(sim, token, `purchaseorder/PurchaseOrderLines?$filter=${q(`PurchaseOrderID eq guid'nope'`)}`), 400, /not a GUID/);
  });

  it('1.4 $filter literal datetime\'…\' (date and date-time) against /Date(ms)/ fields; Pitfall 5: ge keeps the boundary row', async () => {
    const cutoff = [...world.purchaseEntries].sort((a, b) => a.modifiedAt - b.modifiedAt)[Math.floor(world.purchaseEntries.length / 2)]!.modifiedAt;
    const iso = new Date(cutoff).toISOString().replace(/\.\d{3}Z$/, '');
    const expected = world.purchaseEntries.filter((e) => e.modifiedAt >= cutoff).length;
    const { rows } = await readAll(sim, token, `purchaseentry/PurchaseEntries?$select=EntryID,Modified&$filter=${q(`Modified ge datetime'${iso}'`)}`);
    expect(rows).toHaveLength(expected);
    expect(rows.every((r) => dateMs(r.Modified as string) >= cutoff)).toBe(true);
    const strictlyAfter = await readAll(sim, token, `purchaseentry/PurchaseEntries?$select=EntryID&$filter=${q(`Modified gt datetime'${iso}'`)}`);
    expect(strictlyAfter.rows.length).toBe(world.purchaseEntries.filter((e) => e.modifiedAt > cutoff).length);
    const dateOnly = await api(sim, token, `purchaseentry/PurchaseEntries/$count?$filter=${q(`EntryDate ge datetime'2000-01-01'`)}`);
    expect(Number(dateOnly.text)).toBe(world.purchaseEntries.length);
  });

  it('1.4 strings, booleans, and/or, parentheses, trim() and substringof()', async () => {
    const supplier = world.suppliers[0]!;
    const padded = await api(sim, token, `crm/Accounts?$filter=${q(`Code eq '${supplier.code.padStart(18, ' ')}'`)}`);
    expect((padded.json.d.results as Json[]).map((a) => a.ID)).toEqual([supplier.exactId]);
    const unpadded = await api(sim, token, `crm/Accounts?$filter=${q(`Code eq '${supplier.code}'`)}`);
    expect(unpadded.json.d.results).toEqual([]);
    const trimmed = await api(sim, token, `crm/Accounts?$filter=${q(`trim(Code) eq '${supplier.code}'`)}`);
    expect((trimmed.json.d.results as Json[]).map((a) => a.Name)).toEqual([supplier.name]);
    const suppliers = await readAll(sim, token, `crm/Accounts?$select=ID&$filter=${q('IsSupplier eq true')}`);
    expect(suppliers.rows).toHaveLength(world.suppliers.length);
    const word = supplier.name.split(' ')[0]!;
    const sub = await readAll(sim, token, `crm/Accounts?$select=Name&$filter=${q(`substringof('${word.replace(/'/g, "''")}', Name) eq true and (IsSupplier eq true or IsSales eq true)`)}`);
    expect(sub.rows.length).toBe(world.suppliers.filter((s) => s.name.toLowerCase().includes(word.toLowerCase())).length + world.customers.filter((c) => c.name.toLowerCase().includes(word.toLowerCase())).length);
  });

  it('1.4 CRM account Code is 18 characters, right-aligned with leading spaces', async () => {
    const answer = await api(sim, token, `crm/Accounts?$select=Code&$filter=${q('IsSupplier eq true')}`);
    for (const row of answer.json.d.results as Json[]) {
      expect(row.Code).toHaveLength(18);
      expect(row.Code).toMatch(/^ +\S+$/);
    }
  });

  it('1.4 mandatory filtering: crm/Accounts and logistics/Items without $filter → 400 "This endpoint has mandatory filtering applied. …"', async () => {
    for (const path of ['crm/Accounts', 'crm/Accounts?$select=ID', 'logistics/Items', `crm/Accounts?$filter=${q("City eq 'Utrecht'")}`]) {
      expectEnvelope(await api(sim, token, path), 400, /^This endpoint has mandatory filtering applied\. A GET request for this endpoint must have a \$filter parameter with one of the following fields in the url: /);
    }
    expect((await api(sim, token, `logistics/Items?$filter=${q(`Code eq '${world.items[0]!.code}'`)}`)).status).toBe(200);
  });

  it('1.4 filtering on an unknown field → 400 "Filtering on these fields is not supported: …"; a bad $select field → 400', async () => {
    expectEnvelope(await api(sim, token, `financial/GLAccounts?$filter=${q("Bogus eq 1 and Code eq '1'")}`), 400, 'Filtering on these fields is not supported: Bogus');
    expectEnvelope(await api(sim, token, `financial/GLAccounts?$select=ID,Bogus`), 400, /Bogus/);
    expectEnvelope(await api(sim, token, `financial/GLAccounts?$filter=${q('Code eq')}`), 400, /\$filter/);
  });

  it('1.4 dates in JSON use "/Date(ms)/" and equal the world instants', async () => {
    const po = world.purchaseOrders[2]!;
    const row = (await api(sim, token, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`)).json.d as Json;
    expect(row.Modified).toBe(`/Date(${po.modifiedAt})/`);
    expect(row.OrderDate).toBe(`/Date(${Date.parse(`${po.orderDate}T00:00:00Z`)})/`);
  });

  it('1.4 /$count returns a bare integer and honours $filter', async () => {
    const all = await api(sim, token, 'financial/GLAccounts/$count');
    expect(all.text).toBe(String(world.glAccounts.length));
    const pl = await api(sim, token, `financial/GLAccounts/$count?$filter=${q("BalanceType eq 'W'")}`);
    expect(Number(pl.text)).toBe(world.glAccounts.filter((g) => g.balanceType === 'W').length);
  });
});

describe('§1.5 Endpoints and fields projected from the world', () => {
  let sim: RunningSimulator;
  let token: string;
  const world = generateWorld(1, 1);
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    token = (await login(sim)).access;
  });

  it('1.5 PO lines carry Item + ItemCode, CostCenter as code + CostCenterDescription, and no GLAccount; amounts round-trip to the cent', async () => {
    const po = world.purchaseOrders[3]!;
    const answer = await api(sim, token, `purchaseorder/PurchaseOrders(guid'${po.exactId}')?$expand=PurchaseOrderLines`);
    const header = answer.json.d as Json;
    const lines = header.PurchaseOrderLines.results as Json[];
    expect(lines).toHaveLength(po.lines.length);
    for (const line of lines) {
      const wl = po.lines.find((l) => l.exactId === line.ID)!;
      const item = world.items.find((i) => i.key === wl.itemKey)!;
      expect(line.Item).toBe(item.exactId);
      expect(line.ItemCode).toBe(item.code);
      expect(line.CostCenter).toBe(wl.costCenterCode);
      expect(line.CostCenterDescription).toBe(world.costCenters.find((c) => c.code === wl.costCenterCode)!.description);
      expect(line).not.toHaveProperty('GLAccount');
      expect(Decimal.fromJsonNumber(line.AmountDC as number).toMoneyString()).toBe(wl.amount);
    }
    const sum = Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
    expect(Decimal.fromJsonNumber(header.AmountDC as number).toMoneyString()).toBe(sum);
  });

  it('1.5 purchase entry lines carry GLAccount guid + GLAccountCode, net AmountDC and VAT fields', async () => {
    const pe = world.purchaseEntries[0]!;
    const answer = await api(sim, token, `purchaseentry/PurchaseEntries(guid'${pe.exactId}')?$expand=PurchaseEntryLines`);
    const header = answer.json.d as Json;
    expect(header.YourRef).toBe(pe.invoiceNumber);
    for (const line of header.PurchaseEntryLines.results as Json[]) {
      const wl = pe.lines.find((l) => l.exactId === line.ID)!;
      expect(line.GLAccountCode).toBe(wl.glAccountCode);
      expect(line.GLAccount).toBe(world.glAccounts.find((g) => g.code === wl.glAccountCode)!.exactId);
      expect(Decimal.fromJsonNumber(line.AmountDC as number).toMoneyString()).toBe(wl.amount);
      expect(Decimal.fromJsonNumber(line.VATAmountDC as number).toMoneyString()).toBe(wl.vatAmount);
    }
  });

  it('1.5 reference endpoints: hrm/Costcenters, hrm/Costunits, financial/GLAccounts, logistics/Items (GLCosts), project/Projects, sales', async () => {
    expect((await readAll(sim, token, 'hrm/Costcenters')).rows.map((r) => r.Code).sort()).toEqual(world.costCenters.map((c) => c.code).sort());
    expect((await readAll(sim, token, 'hrm/Costunits')).rows).toHaveLength(world.costUnits.length);
    expect((await readAll(sim, token, 'project/Projects')).rows).toHaveLength(world.projects.length);
    const item = world.items[0]!;
    const items = await api(sim, token, `logistics/Items?$filter=${q(`ID eq guid'${item.exactId}'`)}`);
    expect((items.json.d.results as Json[])[0]!.GLCostsCode).toBe(item.glAccountCode);
    expect((await readAll(sim, token, 'salesinvoice/SalesInvoices?$select=InvoiceID')).rows).toHaveLength(world.salesInvoices.length);
    expect((await readAll(sim, token, 'salesorder/SalesOrders?$select=OrderID')).rows).toHaveLength(world.salesOrders.length);
  });

  it('1.5 deliberate problems survive the projection (cancelled PO status 40, non-ASCII supplier name)', async () => {
    const cancelled = world.purchaseOrders.find((p) => p.key === world.deliberate.cancelledPurchaseOrderKey)!;
    expect((await api(sim, token, `purchaseorder/PurchaseOrders(guid'${cancelled.exactId}')`)).json.d.OrderStatus).toBe(40);
    const nonAscii = world.suppliers.find((s) => s.key === world.deliberate.nonAsciiSupplierKey)!;
    const answer = await api(sim, token, `crm/Accounts?$filter=${q(`ID eq guid'${nonAscii.exactId}'`)}`);
    expect((answer.json.d.results as Json[])[0]!.Name).toBe(nonAscii.name);
  });
});

describe('§1.6 Sync API and deletes', () => {
  // One simulator for the suite: the read-only tests run before the writing ones.
  let sim: RunningSimulator;
  let access: string;
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    access = (await login(sim)).access;
  });

  it('1.6 $select is mandatory on sync endpoints → 400 "Please add a $select or a $top=1 statement to the query string."', async () => {
    expectEnvelope(await api(sim, access, `sync/PurchaseOrder/PurchaseOrders?$filter=${q('Timestamp gt 1L')}`), 400, 'Please add a $select or a $top=1 statement to the query string.');
    const one = await api(sim, access, `sync/Financial/GLAccounts?$top=1&$filter=${q('Timestamp gt 1L')}`);
    expect(one.json.d.results).toHaveLength(1);
    expectEnvelope(await api(sim, access, `sync/Financial/GLAccounts?$select=ID&$filter=${q("Code eq '1'")}`), 400, 'Filtering on these fields is not supported: Code');
  });

  it('1.6 sync pages hold 1000 rows, Timestamp gt NL resumes, __next carries the skiptoken, Timestamps strictly increase', async () => {
    const big = await start(NO_LIMITS, { scale: 4 });
    const bigAccess = (await login(big)).access;
    const lineCount = Number((await api(big, bigAccess, 'purchaseorder/PurchaseOrderLines/$count')).text);
    expect(lineCount).toBeGreaterThan(1000);
    const { rows, pages, nextLinks } = await readAll(big, bigAccess, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp,ID,PurchaseOrderID&$filter=${q('Timestamp gt 1L')}`);
    expect(pages[0]).toBe(1000);
    expect(rows).toHaveLength(lineCount);
    expect(decodeURIComponent(nextLinks[0]!)).toMatch(/\$skiptoken=\d+L/);
    const stamps = rows.map((r) => r.Timestamp as number);
    expect(stamps.every((t, i) => i === 0 || t > stamps[i - 1]!)).toBe(true);
    const middle = stamps[500]!;
    const resumed = await readAll(big, bigAccess, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q(`Timestamp gt ${middle}L`)}`);
    expect(resumed.rows.map((r) => r.Timestamp)).toEqual(stamps.slice(501));
  });

  it('1.6 PO sync rows are line level: one row per line, header fields repeated, PurchaseOrderID shared', async () => {
    const world = generateWorld(1, 1);
    const { rows } = await readAll(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=${q('Timestamp,ID,PurchaseOrderID,OrderNumber,Supplier,ItemCode,Quantity,AmountDC,CostCenter')}&$filter=${q('Timestamp gt 0L')}`);
    expect(rows).toHaveLength(world.purchaseOrders.reduce((n, p) => n + p.lines.length, 0));
    const po = world.purchaseOrders[5]!;
    const mine = rows.filter((r) => r.PurchaseOrderID === po.exactId);
    expect(mine.map((r) => r.ID).sort()).toEqual(po.lines.map((l) => l.exactId).sort());
    expect(new Set(mine.map((r) => r.OrderNumber))).toEqual(new Set([po.orderNumber]));
    expect(new Set(mine.map((r) => r.Supplier))).toEqual(new Set([world.suppliers.find((s) => s.key === po.supplierKey)!.exactId]));
  });

  it('1.6 other sync feeds: GLAccounts, CRM/Accounts, SalesInvoices (line level), SalesOrderHeaders, SalesOrderLines', async () => {
    const world = generateWorld(1, 1);
    const read = async (feed: string, select: string): Promise<Json[]> => (await readAll(sim, access, `sync/${feed}?$select=${select}&$filter=${q('Timestamp gt 1L')}`)).rows;
    expect(await read('Financial/GLAccounts', 'Timestamp,ID,Code')).toHaveLength(world.glAccounts.length);
    expect(await read('CRM/Accounts', 'Timestamp,ID,Code')).toHaveLength(world.suppliers.length + world.customers.length);
    expect(await read('SalesInvoice/SalesInvoices', 'Timestamp,ID,InvoiceID')).toHaveLength(world.salesInvoices.reduce((n, s) => n + s.lines.length, 0));
    expect(await read('SalesOrder/SalesOrderHeaders', 'Timestamp,ID')).toHaveLength(world.salesOrders.length);
    expect(await read('SalesOrder/SalesOrderLines', 'Timestamp,ID,OrderID')).toHaveLength(world.salesOrders.reduce((n, s) => n + s.lines.length, 0));
  });

  it('1.6 an edited PO (PUT line Quantity) appears again with higher Timestamps; amounts recomputed to the cent; Modified bumped', async () => {
    const world = generateWorld(1, 1);
    const edit = world.deliberate.editedAfterSync;
    const po = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const line = po.lines.find((l) => l.key === edit.lineKey)!;
    const before = await readAll(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q('Timestamp gt 1L')}`);
    const lastBefore = Math.max(...before.rows.map((r) => r.Timestamp as number));
    sim.clock.advance(MINUTE);
    const put = await api(sim, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`, { method: 'PUT', body: { PurchaseOrderLines: [{ ID: line.exactId, Quantity: Number(edit.newQuantity) }] } });
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const after = await readAll(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=${q('Timestamp,ID,PurchaseOrderID,Quantity,AmountDC,Modified')}&$filter=${q(`Timestamp gt ${lastBefore}L`)}`);
    expect(after.rows.map((r) => r.ID).sort()).toEqual(po.lines.map((l) => l.exactId).sort());
    const changed = after.rows.find((r) => r.ID === line.exactId)!;
    const expectedAmount = Decimal.parse(edit.newQuantity).times(Decimal.parse(line.unitPrice), 2).toMoneyString();
    expect(Decimal.fromJsonNumber(changed.Quantity as number).equals(Decimal.parse(edit.newQuantity))).toBe(true);
    expect(Decimal.fromJsonNumber(changed.AmountDC as number).toMoneyString()).toBe(expectedAmount);
    expect(dateMs(changed.Modified as string)).toBeGreaterThan(po.modifiedAt);
    // The feed keeps the older version too: both rows exist for that line, the newer one is higher.
    const all = await readAll(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp,ID&$filter=${q('Timestamp gt 1L')}`);
    expect(all.rows.filter((r) => r.ID === line.exactId)).toHaveLength(2);
    const header = (await api(sim, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')?$expand=PurchaseOrderLines`)).json.d as Json;
    const total = Decimal.sum(po.lines.map((l) => (l.exactId === line.exactId ? Decimal.parse(expectedAmount) : Decimal.parse(l.amount))));
    expect(Decimal.fromJsonNumber(header.AmountDC as number).toMoneyString()).toBe(total.toMoneyString());
    expect(dateMs(header.Modified as string)).toBe(dateMs(changed.Modified as string));
  });

  it('1.6 DELETE PurchaseOrders(guid) → 204, then a sync/Deleted row {Timestamp, ID, EntityKey, EntityType 22, DeletedBy, DeletedDate, Division}', async () => {
    const po = generateWorld(1, 1).purchaseOrders[7]!;
    const del = await api(sim, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await api(sim, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`)).status).toBe(404);
    const deleted = await api(sim, access, `sync/Deleted?$select=${q('Timestamp,ID,EntityKey,EntityType,DeletedBy,DeletedDate,Division')}&$filter=${q('Timestamp gt 1L and EntityType eq 22')}`);
    const rows = deleted.json.d.results as Json[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ EntityKey: po.exactId, EntityType: 22, Division: sim.credentials.division });
    expect(rows[0]!.DeletedDate).toMatch(/^\/Date\(\d+\)\/$/);
    const other = await api(sim, access, `sync/Deleted?$select=ID&$filter=${q('Timestamp gt 1L and EntityType eq 2')}`);
    expect(other.json.d.results).toEqual([]);
  });

  it('1.5 POST purchaseorder/PurchaseOrders → 201 {"d":{…}} with amounts computed; the new lines enter the sync feed', async () => {
    const world = generateWorld(1, 1);
    const supplier = world.suppliers[1]!;
    const item = world.items[0]!;
    const created = await api(sim, access, 'purchaseorder/PurchaseOrders', {
      method: 'POST',
      body: { Supplier: supplier.exactId, Description: 'Sandbox order', PurchaseOrderLines: [{ Item: item.exactId, QuantityInPurchaseUnits: 3, UnitPrice: 19.99, CostCenter: world.costCenters[0]!.code }] },
    });
    expect(created.status).toBe(201);
    const d = created.json.d as Json;
    expect(d.AmountDC).toBe(59.97);
    expect(d.Source).toBe(11);
    expect(d.OrderNumber).toBe(Math.max(...world.purchaseOrders.map((p) => p.orderNumber)) + 1);
    const feed = await api(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=ID,PurchaseOrderID&$filter=${q('Timestamp gt 1L')}`);
    expect((feed.json.d.results as Json[]).some((r) => r.PurchaseOrderID === d.PurchaseOrderID)).toBe(true);
    const bad = await api(sim, access, 'purchaseorder/PurchaseOrders', { method: 'POST', body: { Supplier: supplier.exactId, PurchaseOrderLines: [] } });
    expectEnvelope(bad, 400, /PurchaseOrderLines/);
  });

  it('1.5 POST purchaseentry/PurchaseEntries books an entry or a credit note (Type 31) with lines, an OrderNumber, header amounts = net + VAT, Modified now', async () => {
    const world = generateWorld(1, 1);
    const po = world.purchaseOrders[0]!;
    const supplier = world.suppliers.find((s) => s.key === po.supplierKey)!;
    const gl = world.glAccounts[0]!;
    const before = sim.clock.now();
    const created = await api(sim, access, 'purchaseentry/PurchaseEntries', {
      method: 'POST',
      body: {
        Supplier: supplier.exactId,
        YourRef: 'CN-0001',
        EntryDate: '2026-11-02',
        Description: 'Credit on invoice F2026-00001',
        Type: 31,
        OrderNumber: po.orderNumber,
        PurchaseEntryLines: [
          { GLAccount: gl.exactId, AmountFC: -100.5, VATAmountFC: -21.11, CostCenter: world.costCenters[0]!.code, Description: 'Returned goods' },
          { GLAccount: gl.exactId, AmountFC: -0.5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const d = created.json.d as Json;
    expect(d).toMatchObject({ YourRef: 'CN-0001', Type: 31, OrderNumber: po.orderNumber, AmountDC: -122.11, VATAmountDC: -21.11, Supplier: supplier.exactId, Status: 20 });
    expect(d.EntryNumber).toBe(Math.max(...world.purchaseEntries.map((e) => e.entryNumber)) + 1);
    expect(dateMs(d.Modified as string)).toBeGreaterThanOrEqual(before);
    const lines = await api(sim, access, `purchaseentry/PurchaseEntryLines?$select=AmountDC,GLAccountCode,CostCenter,LineNumber&$filter=${q(`EntryID eq guid'${String(d.EntryID)}'`)}`);
    expect((lines.json.d.results as Json[]).map((l) => [l.LineNumber, l.AmountDC, l.GLAccountCode, l.CostCenter]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1, -100.5, gl.code, world.costCenters[0]!.code],
      [2, -0.5, gl.code, null],
    ]);
    // Found again from a Modified ge cursor (how the connector reads entries).
    const since = await api(sim, access, `purchaseentry/PurchaseEntries?$select=EntryID&$filter=${q(`Modified ge datetime'${new Date(before).toISOString().slice(0, 19)}'`)}`);
    expect((since.json.d.results as Json[]).map((e) => e.EntryID)).toContain(d.EntryID);

    const otherSupplier = world.suppliers.find((s) => s.key !== po.supplierKey)!;
    const refused = await api(sim, access, 'purchaseentry/PurchaseEntries', {
      method: 'POST',
      body: { Supplier: otherSupplier.exactId, YourRef: 'X', EntryDate: '2026-11-02', OrderNumber: po.orderNumber, PurchaseEntryLines: [{ GLAccount: gl.exactId, AmountFC: 1 }] },
    });
    expectEnvelope(refused, 400, /of another supplier/);
    const noLines = await api(sim, access, 'purchaseentry/PurchaseEntries', { method: 'POST', body: { Supplier: supplier.exactId, YourRef: 'X', EntryDate: '2026-11-02', PurchaseEntryLines: [] } });
    expectEnvelope(noLines, 400, /at least one line/);
  });

  it('1.6 DELETE PurchaseOrderLines(guid) → 204; the other lines enter the feed again with the order\'s new Modified; the last line cannot go', async () => {
    const world = generateWorld(1, 1);
    const po = world.purchaseOrders.find((p) => p.lines.length >= 2 && p.orderStatus === 10)!;
    const [gone, ...kept] = po.lines;
    const before = await api(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q('Timestamp gt 1L')}`);
    const last = Math.max(...(before.json.d.results as Json[]).map((r) => Number(r.Timestamp)));
    expect((await api(sim, access, `purchaseorder/PurchaseOrderLines(guid'${gone!.exactId}')`, { method: 'DELETE' })).status).toBe(204);
    const feed = await api(sim, access, `sync/PurchaseOrder/PurchaseOrders?$select=ID,PurchaseOrderID,Modified&$filter=${q(`Timestamp gt ${last}L`)}`);
    const rows = feed.json.d.results as Json[];
    expect(rows.map((r) => r.ID).sort()).toEqual(kept.map((l) => l.exactId).sort());
    expect(new Set(rows.map((r) => r.Modified)).size).toBe(1);
    expect(dateMs(rows[0]!.Modified as string)).toBeGreaterThan(po.modifiedAt);
    expect((await api(sim, access, `purchaseorder/PurchaseOrderLines(guid'${gone!.exactId}')`)).status).toBe(404);
    const single = world.purchaseOrders.find((p) => p.lines.length === 1);
    if (single) expectEnvelope(await api(sim, access, `purchaseorder/PurchaseOrderLines(guid'${single.lines[0]!.exactId}')`, { method: 'DELETE' }), 400, /only line of the purchase order/);
  });

  it('1.5 PUT purchaseentry/PurchaseEntries(guid) changes header fields and lines by ID, recomputes the header, bumps Modified', async () => {
    const world = generateWorld(1, 1);
    const entry = world.purchaseEntries[5]!;
    const line = entry.lines[0]!;
    const changed = await api(sim, access, `purchaseentry/PurchaseEntries(guid'${entry.exactId}')`, {
      method: 'PUT',
      body: { Description: 'Corrected', PurchaseEntryLines: [{ ID: line.exactId, AmountFC: 12.34 }] },
    });
    expect(changed.status).toBe(204);
    const read = await api(sim, access, `purchaseentry/PurchaseEntries(guid'${entry.exactId}')?$select=Description,AmountDC,Modified`);
    const d = read.json.d as Json;
    const otherLines = entry.lines.slice(1).reduce((sum, l) => sum + Math.round(Number(l.amount) * 100), 0);
    const vat = entry.lines.reduce((sum, l) => sum + Math.round(Number(l.vatAmount) * 100), 0);
    expect(d.Description).toBe('Corrected');
    expect(Math.round(Number(d.AmountDC) * 100)).toBe(1234 + otherLines + vat);
    expect(dateMs(d.Modified as string)).toBeGreaterThan(entry.modifiedAt);
    const refused = await api(sim, access, `purchaseentry/PurchaseEntries(guid'${entry.exactId}')`, { method: 'PUT', body: { Supplier: world.suppliers[0]!.exactId } });
    expectEnvelope(refused, 400, /cannot be set/);
  });
});

describe('§1.7 Rate limits', () => {
  it('1.7 every API answer carries the six X-RateLimit-* headers; resets are epoch ms (top of the minute, 00:00 UTC)', async () => {
    const sim = await start();
    const { access } = await login(sim);
    const answer = await api(sim, access, 'financial/GLAccounts?$select=ID');
    const h = answer.headers;
    expect(h.get('x-ratelimit-limit')).toBe('5000');
    expect(h.get('x-ratelimit-minutely-limit')).toBe('60');
    expect(Number(h.get('x-ratelimit-remaining'))).toBe(4999);
    expect(Number(h.get('x-ratelimit-minutely-remaining'))).toBe(59);
    const minutelyReset = Number(h.get('x-ratelimit-minutely-reset'));
    const dailyReset = Number(h.get('x-ratelimit-reset'));
    expect(minutelyReset % MINUTE).toBe(0);
    expect(minutelyReset).toBeGreaterThan(sim.clock.now());
    expect(minutelyReset - sim.clock.now()).toBeLessThanOrEqual(MINUTE);
    expect(dailyReset % DAY).toBe(0);
    expect(dailyReset - sim.clock.now()).toBeLessThanOrEqual(DAY);
    // Errors carry them too.
    const error = await api(sim, access, 'crm/Accounts');
    expect(error.headers.get('x-ratelimit-minutely-remaining')).toBe('58');
  });

  it('1.7 / Part 3.4 the 61st call in a minute → 429 with ONLY the minutely headers; the next minute works again', async () => {
    const sim = await start();
    const { access } = await login(sim);
    alignTo(sim, MINUTE);
    for (let i = 0; i < 60; i += 1) expect((await api(sim, access, '/api/v1/current/Me')).status).toBe(200);
    const limited = await api(sim, access, '/api/v1/current/Me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-minutely-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-minutely-limit')).toBe('60');
    expect(limited.headers.get('x-ratelimit-minutely-reset')).toBeTruthy();
    expect(limited.headers.get('x-ratelimit-limit')).toBeNull();
    expect(limited.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(limited.headers.get('x-ratelimit-reset')).toBeNull();
    expect(limited.json.error.message.value).toBeTruthy();
    sim.clock.advance(MINUTE);
    expect((await api(sim, access, '/api/v1/current/Me')).status).toBe(200);
  });

  it('1.7 daily exhaustion → 429 with ONLY the daily headers until 00:00 UTC', async () => {
    const sim = await start({ dailyLimit: 5 });
    alignTo(sim, DAY);
    const { access } = await login(sim);
    for (let i = 0; i < 5; i += 1) expect((await api(sim, access, '/api/v1/current/Me')).status).toBe(200);
    const limited = await api(sim, access, '/api/v1/current/Me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('5');
    expect(Number(limited.headers.get('x-ratelimit-reset')) % DAY).toBe(0);
    expect(limited.headers.get('x-ratelimit-minutely-remaining')).toBeNull();
    sim.clock.advance(MINUTE);
    expect((await api(sim, access, '/api/v1/current/Me')).status).toBe(429); // a new minute does not help
    sim.clock.advance(DAY);
    const nextDay = await login(sim);
    expect((await api(sim, nextDay.access, '/api/v1/current/Me')).status).toBe(200);
  });

  it('1.7 token endpoint calls do not count against the API limits', async () => {
    const sim = await start();
    const { access, refresh: rt } = await login(sim);
    for (let i = 0; i < 3; i += 1) await refresh(sim, rt); // too early, counted on the token budget only
    const answer = await api(sim, access, '/api/v1/current/Me');
    expect(answer.headers.get('x-ratelimit-minutely-remaining')).toBe('59');
  });

  it('1.7 error budget: more than 10 errors per endpoint per hour blocks that endpoint (429 by default) for the rest of the hour; other endpoints unaffected', async () => {
    const sim = await start();
    alignTo(sim, HOUR);
    const { access } = await login(sim);
    for (let i = 0; i < 11; i += 1) expect((await api(sim, access, 'crm/Accounts')).status).toBe(400);
    const blocked = await api(sim, access, `crm/Accounts?$filter=${q('IsSupplier eq true')}`);
    expectEnvelope(blocked, 429, /Too many errors/);
    expect((await api(sim, access, 'financial/GLAccounts?$select=ID')).status).toBe(200);
    sim.clock.advance(HOUR);
    const fresh = await login(sim);
    expect((await api(sim, fresh.access, `crm/Accounts?$filter=${q('IsSupplier eq true')}`)).status).toBe(200);
  });

  it('1.7 error budget block status is configurable (errorBlockStatus 403); exactly 10 errors do not block', async () => {
    const sim = await start({ errorBlockStatus: 403 });
    alignTo(sim, HOUR);
    const { access } = await login(sim);
    for (let i = 0; i < 10; i += 1) await api(sim, access, 'logistics/Items');
    expect((await api(sim, access, `logistics/Items?$filter=${q("Code eq 'x'")}`)).status).toBe(200);
    await api(sim, access, 'logistics/Items'); // the 11th error
    expectEnvelope(await api(sim, access, `logistics/Items?$filter=${q("Code eq 'x'")}`), 403, /Too many errors/);
  });
});

describe('§1.8 Error bodies and fault injection', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    token = (await login(sim)).access;
  });
  afterEach(async () => {
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ clear: true }) });
  });

  it('1.8 REST errors use {"error":{"code":"","message":{"lang":"","value":"…"}}}; OAuth errors use {error, error_description}', async () => {
    expectEnvelope(await api(sim, token, 'nosuch/Thing'), 404, /nosuch/);
    const oauth = await tokenCall(sim, { grant_type: 'password' });
    expect(oauth.status).toBe(400);
    expect(Object.keys(oauth.body).sort()).toEqual(['error', 'error_description']);
  });

  it('fault 5xx answers with the OData envelope and status 500/502/503', async () => {
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'exact:5xx=1' }) });
    for (let i = 0; i < 3; i += 1) {
      const answer = await api(sim, token, 'financial/GLAccounts');
      expect([500, 502, 503]).toContain(answer.status);
      expect(answer.json.error.message.value).toBeTruthy();
      expect(answer.json.error.code).toBe('');
    }
  });

  it('fault 429 answers like the minutely limit (only minutely headers)', async () => {
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'exact:429=1' }) });
    const answer = await api(sim, token, 'financial/GLAccounts');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('x-ratelimit-minutely-remaining')).toBe('0');
    expect(answer.headers.get('x-ratelimit-remaining')).toBeNull();
  });

  it('fault drop-after-commit on a PUT: the client gets no answer but the change is committed (and in the sync feed)', async () => {
    const world = generateWorld(1, 1);
    const po = world.purchaseOrders[9]!;
    const line = po.lines[0]!;
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'exact:drop=1' }) });
    await expect(api(sim, token, `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { method: 'PUT', body: { Quantity: 7 } })).rejects.toThrow();
    await fetch(`${sim.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ clear: true }) });
    const after = (await api(sim, token, `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`)).json.d as Json;
    expect(after.Quantity).toBe(7);
    expect(Decimal.fromJsonNumber(after.AmountDC as number).toMoneyString()).toBe(Decimal.parse('7').times(Decimal.parse(line.unitPrice), 2).toMoneyString());
    const rows = await readAll(sim, token, `sync/PurchaseOrder/PurchaseOrders?$select=ID,Quantity&$filter=${q('Timestamp gt 1L')}`);
    expect(rows.rows.filter((r) => r.ID === line.exactId).map((r) => r.Quantity)).toContain(7);
  });

  it('fault expire=1 kills every access token now (401); an immediate refresh is then allowed', async () => {
    const own = await start(NO_LIMITS);
    const { access, refresh: rt } = await login(own);
    await fetch(`${own.baseUrl}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ spec: 'exact:expire=1' }) });
    expect((await api(own, access, '/api/v1/current/Me')).status).toBe(401);
    const renewed = await refresh(own, rt);
    expect(renewed.status).toBe(200);
    expect((await api(own, renewed.body.access_token as string, '/api/v1/current/Me')).status).toBe(200);
  });
});

// -------------------------------------------------------------------------------------------
// What flows F4 (Exact → monday) and F5 (Exact ↔ Coupa) read and write.

/** ISO 13616 check of an IBAN (mod 97 = 1), written here independently of the simulator. */
function ibanIsValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const digits = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(digits) % 97n === 1n;
}

describe('§1.5/§1.6 Sales invoices and sales orders (read by F4)', () => {
  let sim: RunningSimulator;
  let access: string;
  const world = generateWorld(1, 1);
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    access = (await login(sim)).access;
  });
  const feed = async (name: string, select: string, after = 1): Promise<Json[]> =>
    (await readAll(sim, access, `sync/${name}?$select=${q(select)}&$filter=${q(`Timestamp gt ${after}L`)}`)).rows;
  const newestTimestamp = async (): Promise<number> => {
    const rows = await feed('Deleted', 'Timestamp');
    const all = [...rows, ...(await feed('SalesInvoice/SalesInvoices', 'Timestamp')), ...(await feed('SalesOrder/SalesOrderLines', 'Timestamp')), ...(await feed('SalesOrder/SalesOrderHeaders', 'Timestamp'))];
    return Math.max(...all.map((r) => r.Timestamp as number));
  };

  it('1.6 sync/SalesInvoice/SalesInvoices rows are line level: header fields repeated, GLAccount guid + description, CostCenter code, line VAT adding up to the invoice VAT', async () => {
    const rows = await feed('SalesInvoice/SalesInvoices', 'Timestamp,ID,InvoiceID,InvoiceNumber,InvoiceTo,InvoiceToName,InvoiceDate,DueDate,Status,Type,AmountFC,AmountFCExclVat,VATAmountFC,VATCode,VATPercentage,GLAccount,GLAccountDescription,CostCenter,CostCenterDescription,LineNumber,Modified');
    for (const si of world.salesInvoices) {
      const mine = rows.filter((r) => r.InvoiceID === si.exactId);
      expect(mine.map((r) => r.ID).sort()).toEqual(si.lines.map((l) => l.exactId).sort());
      const customer = world.customers.find((c) => c.key === si.customerKey)!;
      for (const row of mine) {
        const line = si.lines.find((l) => l.exactId === row.ID)!;
        expect(row).toMatchObject({ InvoiceNumber: si.invoiceNumber, InvoiceTo: customer.exactId, InvoiceToName: customer.name, Status: si.status, Type: 8020, VATCode: '2', VATPercentage: 0.21, CostCenter: line.costCenterCode });
        expect(row.GLAccount).toBe(world.glAccounts.find((g) => g.code === line.glAccountCode)!.exactId);
        expect(Decimal.fromJsonNumber(row.AmountFC as number).toMoneyString()).toBe(line.amount);
        expect(Decimal.fromJsonNumber(row.AmountFCExclVat as number).toMoneyString()).toBe(si.amountExclVat);
        expect(dateMs(row.DueDate as string)).toBe(Date.parse(`${si.dueDate}T00:00:00Z`));
      }
      const vat = Decimal.sum(mine.map((r) => Decimal.fromJsonNumber(r.VATAmountFC as number)));
      expect(vat.toMoneyString()).toBe(si.vatAmount);
    }
  });

  it('1.6 sync/SalesOrder/SalesOrderHeaders (ID = OrderID, DeliveryDate, AmountFCExclVat) and SalesOrderLines (OrderID, Item whose GLRevenueCode is the line\'s revenue account)', async () => {
    const headers = await feed('SalesOrder/SalesOrderHeaders', 'Timestamp,ID,OrderID,OrderNumber,OrderedBy,OrderedByName,OrderDate,DeliveryDate,Status,AmountFCExclVat,Currency');
    const lines = await feed('SalesOrder/SalesOrderLines', 'Timestamp,ID,OrderID,LineNumber,Item,ItemCode,Description,Quantity,UnitPrice,AmountFC,VATAmount,CostCenter');
    expect(headers).toHaveLength(world.salesOrders.length);
    const itemIds = [...new Set(lines.map((l) => l.Item as string))];
    const items = (await readAll(sim, access, `logistics/Items?$select=ID,Code,GLRevenueCode,IsSalesItem&$filter=${q(itemIds.map((id) => `ID eq guid'${id}'`).join(' or '))}`)).rows;
    expect(items.every((i) => i.IsSalesItem === true)).toBe(true);
    for (const so of world.salesOrders) {
      const header = headers.find((h) => h.OrderID === so.exactId)!;
      expect(header.ID).toBe(so.exactId);
      expect(header).toMatchObject({ OrderNumber: so.orderNumber, Status: so.status, Currency: 'EUR' });
      expect(Decimal.fromJsonNumber(header.AmountFCExclVat as number).toMoneyString()).toBe(so.amount);
      expect(dateMs(header.DeliveryDate as string)).toBeGreaterThan(dateMs(header.OrderDate as string));
      for (const l of so.lines) {
        const row = lines.find((r) => r.ID === l.exactId)!;
        expect(row.OrderID).toBe(so.exactId);
        expect(items.find((i) => i.ID === row.Item)!.GLRevenueCode).toBe(l.glAccountCode);
        expect(Decimal.fromJsonNumber(row.AmountFC as number).toMoneyString()).toBe(l.amount);
      }
    }
    // The standard endpoint expands the same lines.
    const so = world.salesOrders[0]!;
    const one = await api(sim, access, `salesorder/SalesOrders?$filter=${q(`OrderID eq guid'${so.exactId}'`)}&$expand=SalesOrderLines&$select=OrderID,DeliveryDate,SalesOrderLines/ID,SalesOrderLines/Item`);
    expect((one.json.d.results[0].SalesOrderLines.results as Json[]).map((l) => l.ID).sort()).toEqual(so.lines.map((l) => l.exactId).sort());
  });

  it('1.6 PUT SalesInvoices(guid) re-sends every line of the invoice on the feed with the new Modified; a processed invoice (Status 50) → 400', async () => {
    const open = world.salesInvoices.find((s) => s.status !== 50 && s.lines.length > 1)!;
    const before = await newestTimestamp();
    sim.clock.advance(MINUTE);
    const put = await api(sim, access, `salesinvoice/SalesInvoices(guid'${open.exactId}')`, { method: 'PUT', body: { YourRef: 'PO-77' } });
    expect(put.status).toBe(204);
    const after = await feed('SalesInvoice/SalesInvoices', 'Timestamp,ID,InvoiceID,YourRef,Modified', before);
    expect(after.map((r) => r.ID).sort()).toEqual(open.lines.map((l) => l.exactId).sort());
    expect(new Set(after.map((r) => r.YourRef))).toEqual(new Set(['PO-77']));
    expect(new Set(after.map((r) => r.Modified)).size).toBe(1);
    expect(dateMs(after[0]!.Modified as string)).toBeGreaterThan(open.modifiedAt);
    const processed = world.salesInvoices.find((s) => s.status === 50)!;
    expectEnvelope(await api(sim, access, `salesinvoice/SalesInvoices(guid'${processed.exactId}')`, { method: 'PUT', body: { YourRef: 'x' } }), 400, /processed/);
    expectEnvelope(await api(sim, access, `salesinvoice/SalesInvoices(guid'${open.exactId}')`, { method: 'PUT', body: { AmountFC: 1 } }), 400, /AmountFC/);
  });

  it('1.6 PUT SalesOrders(guid) appends one header row; PUT SalesOrderLines(guid) appends that line\'s row only', async () => {
    const so = world.salesOrders.find((s) => s.lines.length > 1)!;
    let before = await newestTimestamp();
    expect((await api(sim, access, `salesorder/SalesOrders(guid'${so.exactId}')`, { method: 'PUT', body: { Description: 'Nieuwe omschrijving' } })).status).toBe(204);
    expect((await feed('SalesOrder/SalesOrderHeaders', 'Timestamp,ID,Description', before)).map((r) => [r.ID, r.Description])).toEqual([[so.exactId, 'Nieuwe omschrijving']]);
    expect(await feed('SalesOrder/SalesOrderLines', 'Timestamp', before)).toEqual([]);
    before = await newestTimestamp();
    const line = so.lines[1]!;
    expect((await api(sim, access, `salesorder/SalesOrderLines(guid'${line.exactId}')`, { method: 'PUT', body: { Description: 'Regel gewijzigd' } })).status).toBe(204);
    expect((await feed('SalesOrder/SalesOrderLines', 'Timestamp,ID,OrderID,Description', before)).map((r) => [r.ID, r.OrderID, r.Description])).toEqual([[line.exactId, so.exactId, 'Regel gewijzigd']]);
    expect(await feed('SalesOrder/SalesOrderHeaders', 'Timestamp', before)).toEqual([]);
  });

  it('1.6 DELETE SalesInvoices → sync/Deleted EntityType 13; DELETE SalesOrders → 32 for the order and 33 per line; EntityType filters combine with or', async () => {
    const before = await newestTimestamp();
    const si = world.salesInvoices.find((s) => s.status !== 50)!;
    const so = world.salesOrders.find((s) => s.status === 12)!;
    expect((await api(sim, access, `salesinvoice/SalesInvoices(guid'${si.exactId}')`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(sim, access, `salesorder/SalesOrders(guid'${so.exactId}')`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(sim, access, `salesinvoice/SalesInvoices(guid'${si.exactId}')`)).status).toBe(404);
    const deleted = await feed('Deleted', 'Timestamp,EntityKey,EntityType,DeletedDate', before);
    expect(deleted.filter((r) => r.EntityType === 13).map((r) => r.EntityKey)).toEqual([si.exactId]);
    expect(deleted.filter((r) => r.EntityType === 32).map((r) => r.EntityKey)).toEqual([so.exactId]);
    expect(deleted.filter((r) => r.EntityType === 33).map((r) => r.EntityKey).sort()).toEqual(so.lines.map((l) => l.exactId).sort());
    const headersOnly = await readAll(sim, access, `sync/Deleted?$select=EntityKey,EntityType&$filter=${q(`Timestamp gt ${before}L and (EntityType eq 13 or EntityType eq 32)`)}`);
    expect(headersOnly.rows.map((r) => r.EntityType).sort()).toEqual([13, 32]);
    const processed = world.salesInvoices.find((s) => s.status === 50)!;
    expectEnvelope(await api(sim, access, `salesinvoice/SalesInvoices(guid'${processed.exactId}')`, { method: 'DELETE' }), 400, /processed/);
    const complete = world.salesOrders.find((s) => s.status === 21)!;
    expectEnvelope(await api(sim, access, `salesorder/SalesOrders(guid'${complete.exactId}')`, { method: 'DELETE' }), 400, /cannot be deleted/);
  });
});

describe('§1.5/§1.6 Suppliers: crm/Accounts writes, sync/CRM/Accounts and bank accounts (F5)', () => {
  let sim: RunningSimulator;
  let access: string;
  const world = generateWorld(1, 1);
  beforeAll(async () => {
    sim = await start(NO_LIMITS);
    access = (await login(sim)).access;
  });
  const accountsFeed = async (after = 1): Promise<Json[]> =>
    (await readAll(sim, access, `sync/CRM/Accounts?$select=${q('Timestamp,ID,Code,Name,IsSupplier,City,Blocked,Modified,BankAccounts')}&$filter=${q(`Timestamp gt ${after}L`)}`)).rows;

  it('crm/BankAccounts: every supplier has one main bank account with a valid IBAN; standard GET links them as __deferred, $expand inlines them', async () => {
    const banks = (await readAll(sim, access, 'crm/BankAccounts?$select=ID,Account,BankAccount,BICCode,Main,BankAccountHolderName')).rows;
    expect(banks).toHaveLength(world.suppliers.length);
    for (const supplier of world.suppliers) {
      const mine = banks.filter((b) => b.Account === supplier.exactId);
      expect(mine).toHaveLength(1);
      expect(ibanIsValid(mine[0]!.BankAccount as string)).toBe(true);
      expect(mine[0]).toMatchObject({ Main: true, BankAccountHolderName: supplier.name });
    }
    const supplier = world.suppliers[2]!;
    const deferred = await api(sim, access, `crm/Accounts?$filter=${q(`ID eq guid'${supplier.exactId}'`)}`);
    expect(deferred.json.d.results[0].BankAccounts.__deferred.uri).toMatch(/crm\/Accounts\(guid'[^']+'\)\/BankAccounts$/);
    const viaLink = await api(sim, access, deferred.json.d.results[0].BankAccounts.__deferred.uri as string);
    expect((viaLink.json.d.results as Json[]).map((b) => b.Account)).toEqual([supplier.exactId]);
    const expanded = await api(sim, access, `crm/Accounts?$filter=${q(`ID eq guid'${supplier.exactId}'`)}&$expand=BankAccounts&$select=ID,BankAccounts/BankAccount`);
    expect(expanded.json.d.results[0].BankAccounts.results).toEqual([expect.objectContaining({ BankAccount: banks.find((b) => b.Account === supplier.exactId)!.BankAccount })]);
  });

  it('1.6 sync/CRM/Accounts rows carry the account with its BankAccounts inline; config syncAccountBankAccounts "deferred" links them instead', async () => {
    const rows = await accountsFeed();
    const supplier = world.suppliers[0]!;
    const row = rows.find((r) => r.ID === supplier.exactId)!;
    expect(row.Code).toBe(supplier.code.padStart(18, ' '));
    expect(ibanIsValid((row.BankAccounts.results as Json[])[0]!.BankAccount as string)).toBe(true);
    const customer = rows.find((r) => r.ID === world.customers[0]!.exactId)!;
    expect(customer.BankAccounts.results).toEqual([]);
    const deferredSim = await start({ ...NO_LIMITS, syncAccountBankAccounts: 'deferred' });
    const token = (await login(deferredSim)).access;
    const deferred = await readAll(deferredSim, token, `sync/CRM/Accounts?$select=ID,BankAccounts&$filter=${q('Timestamp gt 1L')}`);
    expect(deferred.rows[0]!.BankAccounts.__deferred.uri).toContain(`crm/Accounts(guid'${deferred.rows[0]!.ID as string}')/BankAccounts`);
  });

  it('1.5 POST crm/Accounts → 201 {"d":…} with the Code padded to 18; the account enters sync/CRM/Accounts and the IsSupplier filter', async () => {
    const before = Math.max(...(await accountsFeed()).map((r) => r.Timestamp as number));
    const created = await api(sim, access, 'crm/Accounts', {
      method: 'POST',
      body: { Code: '70001', Name: 'Nieuwe Leverancier B.V.', IsSupplier: true, AddressLine1: 'Havenweg 1', Postcode: '3011 AA', City: 'Rotterdam', Country: 'NL', Email: 'ap@nieuw.example', Phone: '+31 10 123 4567', VATNumber: 'NL001234567B01', ChamberOfCommerce: '12345678' },
    });
    expect(created.status).toBe(201);
    const d = created.json.d as Json;
    expect(d.Code).toBe('70001'.padStart(18, ' '));
    expect(d).toMatchObject({ Name: 'Nieuwe Leverancier B.V.', IsSupplier: true, City: 'Rotterdam', Blocked: false });
    expect(d.BankAccounts.results).toEqual([]);
    const after = await accountsFeed(before);
    expect(after.map((r) => r.ID)).toEqual([d.ID]);
    const byCode = await api(sim, access, `crm/Accounts?$select=ID&$filter=${q(`Code eq '${'70001'.padStart(18, ' ')}' and IsSupplier eq true`)}`);
    expect(byCode.json.d.results.map((r: Json) => r.ID)).toEqual([d.ID]);
    // Without a Code, Exact numbers the account itself.
    const numbered = await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Name: 'Zonder code', IsSupplier: true } });
    expect(numbered.status).toBe(201);
    expect(Number((numbered.json.d.Code as string).trim())).toBeGreaterThan(70001);
  });

  it('1.5 POST crm/Accounts validation: a code in use (padded or not) → 400 and nothing created; no Name, bad Country/Email, read-only or bank fields → 400 naming them', async () => {
    const taken = world.suppliers[1]!;
    const count = async (): Promise<number> => Number((await api(sim, access, `crm/Accounts/$count?$filter=${q('IsSupplier eq true or IsSales eq true')}`)).text);
    const before = await count();
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: taken.code, Name: 'Dubbel' } }), 400, /already exists/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: `  ${taken.code}`, Name: 'Dubbel' } }), 400, /already exists/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '70100' } }), 400, /Name/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '70101', Name: 'X', Country: 'Nederland' } }), 400, /Country/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '70102', Name: 'X', Email: 'geen-adres' } }), 400, /Email/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '70103', Name: 'X', ID: 'x', BankAccounts: [] } }), 400, /ID, BankAccounts/);
    expectEnvelope(await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '1234567890123456789', Name: 'X' } }), 400, /18 characters/);
    expect(await count()).toBe(before);
  });

  it('1.5 PUT crm/Accounts(guid) → 204, Modified bumped and a new sync row; a taken Code → 400; an unknown account → 404; DELETE of a used account → 400, of an unused one → 204 + sync/Deleted EntityType 2', async () => {
    const supplier = world.suppliers[3]!;
    const before = Math.max(...(await accountsFeed()).map((r) => r.Timestamp as number));
    sim.clock.advance(MINUTE);
    const put = await api(sim, access, `crm/Accounts(guid'${supplier.exactId}')`, { method: 'PUT', body: { City: 'Utrecht', Blocked: true } });
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const rows = await accountsFeed(before);
    expect(rows.map((r) => [r.ID, r.City, r.Blocked])).toEqual([[supplier.exactId, 'Utrecht', true]]);
    expect(dateMs(rows[0]!.Modified as string)).toBeGreaterThan(before);
    expect(ibanIsValid((rows[0]!.BankAccounts.results as Json[])[0]!.BankAccount as string)).toBe(true); // untouched
    expectEnvelope(await api(sim, access, `crm/Accounts(guid'${supplier.exactId}')`, { method: 'PUT', body: { Code: world.suppliers[0]!.code } }), 400, /already exists/);
    expectEnvelope(await api(sim, access, `crm/Accounts(guid'${supplier.exactId}')`, { method: 'PUT', body: { BankAccounts: [] } }), 400, /BankAccounts/);
    expectEnvelope(await api(sim, access, `crm/Accounts(guid'00000000-0000-4000-8000-000000000000')`, { method: 'PUT', body: { City: 'X' } }), 404, /does not exist/);

    const used = world.purchaseOrders[0]!.supplierKey;
    const usedId = world.suppliers.find((s) => s.key === used)!.exactId;
    expectEnvelope(await api(sim, access, `crm/Accounts(guid'${usedId}')`, { method: 'DELETE' }), 400, /cannot be deleted/);
    const spare = await api(sim, access, 'crm/Accounts', { method: 'POST', body: { Code: '79999', Name: 'Tijdelijk', IsSupplier: true } });
    const spareId = spare.json.d.ID as string;
    const deletedBefore = Math.max(before, ...(await accountsFeed()).map((r) => r.Timestamp as number));
    expect((await api(sim, access, `crm/Accounts(guid'${spareId}')`, { method: 'DELETE' })).status).toBe(204);
    const deleted = await readAll(sim, access, `sync/Deleted?$select=EntityKey,EntityType&$filter=${q(`Timestamp gt ${deletedBefore}L and EntityType eq 2`)}`);
    expect(deleted.rows).toEqual([expect.objectContaining({ EntityKey: spareId, EntityType: 2 })]);
  });
});

describe('Persistence across a restart', () => {
  it('close + start on the same dataDir keeps writes, tokens, sync Timestamps and counters, and does not re-seed', async () => {
    const dir = tempDir();
    const first = await start({}, { dataDir: dir });
    alignTo(first, MINUTE);
    const { access, refresh: rt } = await login(first);
    const world = generateWorld(1, 1);
    const po = world.purchaseOrders[4]!;
    expect((await api(first, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`, { method: 'PUT', body: { Description: 'Changed before restart' } })).status).toBe(204);
    const feedBefore = await readAll(first, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q('Timestamp gt 1L')}`);
    const maxBefore = Math.max(...feedBefore.rows.map((r) => r.Timestamp as number));
    const offset = first.clock.offsetMs();
    await stop(first);

    const { createSimClock } = await import('../../src-main/sandbox/_common/clock');
    const second = await startExactSimulator({ dataDir: dir, clock: createSimClock(offset), config: { allowAnyLoopbackPort: true } });
    started.push(second);
    const header = await api(second, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`);
    expect(header.status).toBe(200); // the access token survived the restart
    expect(header.json.d.Description).toBe('Changed before restart');
    expect(header.headers.get('x-ratelimit-minutely-remaining')).toBe('57'); // 2 calls before the restart + this one
    const feedAfter = await readAll(second, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q('Timestamp gt 1L')}`);
    expect(feedAfter.rows).toHaveLength(feedBefore.rows.length); // not re-seeded
    expect((await api(second, access, `purchaseorder/PurchaseOrders(guid'${po.exactId}')`, { method: 'PUT', body: { YourRef: 'after' } })).status).toBe(204);
    const newer = await api(second, access, `sync/PurchaseOrder/PurchaseOrders?$select=Timestamp&$filter=${q(`Timestamp gt ${maxBefore}L`)}`);
    expect((newer.json.d.results as Json[]).length).toBe(po.lines.length);
    // Rotation state survived too: the refresh token works once, in its window.
    second.clock.advance(590_000);
    expect((await refresh(second, rt)).status).toBe(200);
    expect((await refresh(second, rt)).status).toBe(401);
  });
});
