import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startCoupaSimulator } from '../../src-main/sandbox/coupa/index';
import { generateWorld } from '../../src-main/sandbox/seed/world';

/**
 * Coupa simulator: the Accounts API (/api/accounts) and Account Types (/api/account_types) as
 * Compass documents them — accounts of a chart with code (segments joined by "-"), name, active,
 * account-type and segment-1…segment-20; queried like every other list (limit ≤ 50, offset,
 * operators, hyphens or underscores), read-only here, scope core.common.read.
 */
type Json = Record<string, unknown>;
const world = generateWorld(5, 1);
let sim: RunningSimulator;
let token: string;

async function mint(scope: string): Promise<string> {
  const res = await fetch(`${sim.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(sim.credentials.clientId), client_secret: String(sim.credentials.clientSecret), scope }),
  });
  return String(((await res.json()) as Json).access_token);
}

async function get<T = Json[]>(path: string, opts: { token?: string; accept?: string; method?: string } = {}): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: opts.method ?? 'GET',
    headers: { accept: opts.accept ?? 'application/json', authorization: `Bearer ${opts.token ?? token}`, ...(opts.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(opts.method === 'POST' ? { body: JSON.stringify({ code: 'X' }) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // XML
  }
  return { status: res.status, body: body as T, text };
}

async function all(query: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 50) {
    const page = await get(`/api/accounts?${query}${query ? '&' : ''}limit=50&offset=${offset}`);
    expect(page.status).toBe(200);
    out.push(...page.body);
    if (page.body.length < 50) return out;
  }
}

beforeAll(async () => {
  sim = await startCoupaSimulator({ dataDir: null, seed: 5, config: { rateLimitPerSecond: 10_000 } });
  token = await mint('core.common.read');
});
afterAll(() => sim.close());

describe('coupa Accounts API (/api/accounts) and Account Types (/api/account_types)', () => {
  it('an account has code = its segments joined by "-", name, active, account-type {id, name} and segment-1…segment-20 (unused ones null)', async () => {
    const [first] = (await get('/api/accounts?limit=1')).body;
    expect(first).toMatchObject({ id: 1, active: true, 'account-type': { id: 1, name: world.companyName } });
    expect(first!['code']).toBe(`${String(first!['segment-1'])}-${String(first!['segment-2'])}`);
    for (let n = 3; n <= 20; n += 1) expect(first![`segment-${n}`]).toBeNull();
  });

  it('the live chart holds every purchase GL × cost center the demo uses (the unmapped pair too), 50 per page, ascending id', async () => {
    const live = await all('account_type[id]=1');
    const codes = new Set(live.filter((a) => a['active'] === true).map((a) => String(a['code'])));
    for (const m of world.costMappings) expect(codes.has(`${m.glAccountCode}-${m.costCenterCode}`)).toBe(true);
    const gap = world.deliberate.unmappedPair;
    expect(codes.has(`${gap.glAccountCode}-${gap.costCenterCode}`)).toBe(true);
    expect(live.length).toBeGreaterThan(50);
    const ids = live.map((a) => Number(a['id']));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('filters as Compass shows (active=false, segment-1=…; hyphen or underscore names; account_type by name)', async () => {
    const inactive = (await get('/api/accounts?active=false&account_type[id]=1')).body;
    expect(inactive.map((a) => a['code'])).toEqual(['4000-KST-09']);
    const bySegment = (await get('/api/accounts?segment-1=4010&limit=50')).body;
    const byUnderscore = (await get('/api/accounts?segment_1=4010&limit=50')).body;
    expect(bySegment.length).toBeGreaterThan(0);
    expect(bySegment.every((a) => a['segment-1'] === '4010')).toBe(true);
    expect(byUnderscore).toEqual(bySegment);
    const retired = (await get(`/api/accounts?account_type[name]=${encodeURIComponent(`${world.companyName} (tot 2024)`)}`)).body;
    expect(retired.map((a) => a['code'])).toEqual(['4999-KST-01', '4999-KST-02']);
    expect((await get('/api/accounts?colour=red')).status).toBe(400);
  });

  it('account types list the charts with their active flag; accounts are read-only here and need core.common.read', async () => {
    const types = (await get('/api/account_types')).body;
    expect(types.map((t) => [t['id'], t['active']])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await get('/api/accounts', { method: 'POST' })).status).toBe(405);
    const narrow = await mint('core.supplier.read');
    expect((await get('/api/accounts', { token: narrow })).status).toBe(403);
    expect((await get('/api/accounts/1', { accept: 'application/xml' })).text).toContain('<account>');
  });
});
