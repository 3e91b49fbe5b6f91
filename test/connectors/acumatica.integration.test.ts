import { Ajv } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NeedsReauthError, type TokenSet } from '../../src-shared/domain/auth';
import { Decimal } from '../../src-shared/domain/money';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import { redactString, silentLogger, type KitClock } from '../../src-main/connectors/_kit';
import {
  AcumaticaEndpointVersionError,
  AcumaticaLoginLimitError,
  createAcumaticaConnector,
  type AcumaticaAuth,
  type AcumaticaConnector,
  type AcumaticaSettings,
  type BillInput,
  type BillWriteResult,
} from '../../src-main/connectors/acumatica';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startAcumaticaSimulator } from '../../src-main/sandbox/acumatica/index';
import { generateWorld } from '../../src-main/sandbox/seed/world';

/**
 * The Acumatica connector against the Acumatica simulator (an independent reading of fact sheet
 * §1 and the vendor's OpenAPI). Every request the connector sends passes a recording proxy; the
 * last describe validates each JSON body against Acumatica's own contract with ajv. Simulator time
 * moves instead of sleeping: the connector's clock sleeps by advancing it.
 */

type Json = Record<string, unknown>;
const V = '24.200.001';
const V23 = '23.200.001';
const world = generateWorld(1, 1);
const plants = world.deliberate.acumatica;

// ---- fixtures from the demo tenant ---------------------------------------------------------------

const COST_CODE = '03-300';
const ACCOUNT = world.apAccounts.find((a) => a.costCode === COST_CODE)?.code ?? '';
const VENDOR = 'V000001';
const PROJECT = 'P26001';

function billInput(vendorRef: string, amounts: string[], extra: Partial<BillInput> = {}): BillInput {
  return {
    vendorId: VENDOR,
    vendorRef,
    originId: `procore:requisition:${vendorRef}`,
    date: '2026-01-15',
    description: `Subcontractor invoice ${vendorRef}`,
    lines: amounts.map((amount, i) => ({
      amount,
      description: `Progress ${vendorRef} item ${i + 1}`,
      account: ACCOUNT,
      subaccount: 'CON',
      project: PROJECT,
      task: '03',
      costCode: COST_CODE,
    })),
    ...extra,
  };
}

// ---- harness: simulator + recording proxy + connectors ------------------------------------------

interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: string;
}
/** Every request the connectors sent (through the proxies), validated against the contract at the end. */
const recorded: Recorded[] = [];

interface Harness {
  sim: RunningSimulator;
  /** The proxy's URL: what the connector talks to. */
  url: string;
  close(): Promise<void>;
}

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** Forwards to the simulator and records each request; an upstream reset resets the client too. */
async function startRecordingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      recorded.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        contentType: String(req.headers['content-type'] ?? ''),
        body: body.toString('utf8'),
      });
      const forward = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

async function harness(
  config: Json = {},
  options: { faults?: string; latencyMs?: number } = {},
): Promise<Harness> {
  const sim = await startAcumaticaSimulator({
    dataDir: null,
    config: { maxApiUsers: 10, ...config },
    ...options,
  });
  const proxy = await startRecordingProxy(sim.baseUrl);
  const h: Harness = {
    sim,
    url: proxy.url,
    close: async () => {
      await proxy.close();
      await sim.close();
    },
  };
  harnesses.push(h);
  return h;
}

/** Sleeping moves simulator time: waits (budget, back-off, polling) take no wall time. */
function simClock(sim: RunningSimulator): KitClock {
  return { now: () => sim.clock.now(), sleep: async (ms) => sim.clock.advance(Math.max(0, Math.ceil(ms))) };
}

const opened: AcumaticaConnector[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
});

function loginOf(h: Harness): AcumaticaAuth {
  return {
    login: { username: String(h.sim.credentials.username), password: String(h.sim.credentials.password) },
  };
}

function connect(
  h: Harness,
  settings: Partial<AcumaticaSettings> = {},
  auth: AcumaticaAuth = loginOf(h),
): AcumaticaConnector {
  const connector = createAcumaticaConnector(
    {
      baseUrl: h.url,
      allowedHosts: ['127.0.0.1'],
      logger: silentLogger,
      now: () => h.sim.clock.now(),
      ...auth,
    },
    {
      tenant: 'Company',
      endpointVersion: V,
      branches: ['HEADOFFICE'],
      construction: true,
      clock: simClock(h.sim),
      retry: { random: () => 0.5 },
      actionPolling: { firstDelayMs: 20, maxDelayMs: 50 },
      ...settings,
    },
  );
  opened.push(connector);
  return connector;
}

/** The simulator's request log, as "METHOD path" lines since the last reset. */
function wireLog(h: Harness): { method: string; path: string; status: number }[] {
  return h.sim.requests.recent(5000).map((r) => ({ method: r.method, path: r.path, status: r.status }));
}

/** The test acting as an Acumatica user (payments, holds): straight to the simulator, not recorded. */
async function asUser(h: Harness): Promise<{
  put(entity: string, body: Json): Promise<Json>;
  get(path: string): Promise<Json>;
  invoke(path: string, body: Json): Promise<number>;
}> {
  const res = await fetch(`${h.sim.baseUrl}/entity/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: h.sim.credentials.username,
      password: h.sim.credentials.password,
      tenant: 'Company',
    }),
  });
  expect(res.status).toBe(204);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const base = `${h.sim.baseUrl}/entity/Default/${V}`;
  const json = { cookie, 'content-type': 'application/json' };
  return {
    async put(entity, body) {
      const r = await fetch(`${base}/${entity}`, {
        method: 'PUT',
        headers: json,
        body: JSON.stringify(body),
      });
      const parsed = (await r.json()) as Json;
      expect(r.status, JSON.stringify(parsed).slice(0, 400)).toBe(200);
      return parsed;
    },
    async get(path) {
      const r = await fetch(`${base}/${path}`, { headers: { cookie } });
      expect(r.status).toBe(200);
      return (await r.json()) as Json;
    },
    async invoke(path, body) {
      let r = await fetch(`${base}/${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
      while (r.status === 202)
        r = await fetch(new URL(String(r.headers.get('location')), h.sim.baseUrl), { headers: { cookie } });
      return r.status;
    },
  };
}

const w = (value: unknown): { value: unknown } => ({ value });
const state = async (h: Harness, entity: string): Promise<Json[]> =>
  ((await (await fetch(`${h.sim.baseUrl}/_sandbox/state`)).json()) as Record<string, Json[]>)[entity] ?? [];
const val = (record: Json, field: string): unknown =>
  (record[field] as { value?: unknown } | undefined)?.value;
const okBill = (r: BillWriteResult | undefined): Extract<BillWriteResult, { ok: true }> => {
  if (!r?.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
};

/** Token custody for the tests: refresh on 401, single-flight (as src-main/auth does). */
class TestTokens implements AccessTokenProvider {
  set: TokenSet | null = null;
  renewals = 0;
  #renewing: Promise<TokenSet> | null = null;
  constructor(private readonly refresh: (set: TokenSet) => Promise<TokenSet>) {}
  async getAccessToken(): Promise<string> {
    if (!this.set) throw new Error('not signed in');
    return this.set.accessToken;
  }
  async handleUnauthorized(rejected: string): Promise<string> {
    if (!this.set) throw new Error('not signed in');
    if (this.set.accessToken !== rejected) return this.set.accessToken; // renewed meanwhile
    this.#renewing ??= (async () => {
      this.renewals += 1;
      this.set = await this.refresh(this.set as TokenSet);
      return this.set;
    })().finally(() => {
      this.#renewing = null;
    });
    return (await this.#renewing).accessToken;
  }
}

// ---- sign-in and sessions ------------------------------------------------------------------------

describe('Acumatica connector: sign-in, sessions, endpoint versions (fact sheet 1.1, 1.3, 1.4)', () => {
  it('cookie login: one sign-in serves every call (all cookies replayed); close() logs out and frees the seat', async () => {
    const h = await harness({ maxApiUsers: 1 });
    const c = connect(h);
    h.sim.requests.reset();
    await c.listVendors();
    await c.readReference();
    await c.findBills([{ vendorId: VENDOR, vendorRef: 'NOPE' }]);
    const log = wireLog(h);
    expect(log.filter((r) => r.path.endsWith('/entity/auth/login'))).toHaveLength(1);
    expect(log.filter((r) => r.path.includes('/entity/Default/')).length).toBeGreaterThan(5);
    // The only seat is taken: another sign-in is refused until close() logs out.
    const blocked = connect(h);
    await expect(blocked.listVendors()).rejects.toBeInstanceOf(AcumaticaLoginLimitError);
    await c.close();
    expect(wireLog(h).filter((r) => r.path.endsWith('/entity/auth/logout'))).toHaveLength(1);
    expect((await connect(h).listVendors()).length).toBeGreaterThan(0);
  });

  it('API Login Limit is a clear, actionable error; testConnection says the same', async () => {
    const h = await harness({ maxApiUsers: 1 });
    await asUser(h); // holds the only seat
    const c = connect(h);
    const error = await c.readReference().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcumaticaLoginLimitError);
    expect((error as Error).message).toMatch(/API Login Limit/);
    expect((error as Error).message).toMatch(/Sign out API sessions/);
    const test = await c.testConnection();
    expect(test.ok).toBe(false);
    expect(test.ok ? '' : test.problem).toMatch(/every web-services API user seat/);
  });

  it('a wrong password is NeedsReauthError (connect again), never a retry loop', async () => {
    const h = await harness();
    const c = connect(h, {}, { login: { username: 'admin', password: 'wrong-password' } });
    h.sim.requests.reset();
    const error = await c.listVendors().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsReauthError);
    expect((error as Error).message).toMatch(/Enter them again under Connections/);
    expect(wireLog(h)).toHaveLength(1);
  });

  it('a password read lazily (from the keychain) is asked for at the first sign-in only, and redacted from logs', async () => {
    const h = await harness();
    let reads = 0;
    const password = String(h.sim.credentials.password);
    const c = connect(h, {}, { login: { username: 'admin', password: async () => ((reads += 1), password) } });
    expect(reads).toBe(0);
    await c.listVendors();
    await c.listVendors();
    expect(reads).toBe(1);
    expect(redactString(`the password is ${password}`)).not.toContain(password);
  });

  it('an idle-expired cookie session is signed in again once, transparently', async () => {
    const h = await harness();
    const c = connect(h);
    await c.listVendors();
    h.sim.clock.advance(21 * 60_000); // sessionIdleMinutes 20 (1.4)
    h.sim.requests.reset();
    expect((await c.listVendors()).length).toBeGreaterThan(0);
    expect(wireLog(h).map((r) => r.status)).toEqual([401, 204, 200]);
  });

  it('OAuth: password grant (client id with @Tenant), bearer calls, a 401 after expiry renews the token once; close() ends the bearer session', async () => {
    const h = await harness({ maxApiUsers: 1 });
    const clientId = String(h.sim.credentials.clientId);
    const clientSecret = String(h.sim.credentials.clientSecret);
    let connector: AcumaticaConnector | null = null;
    const tokens = new TestTokens((set) =>
      (connector as AcumaticaConnector).refreshTokens({
        clientId,
        clientSecret,
        refreshToken: set.refreshToken ?? '',
      }),
    );
    connector = connect(h, {}, { tokens });
    await expect(
      connector.requestTokens({
        clientId: clientId.split('@')[0] ?? '',
        clientSecret,
        username: 'admin',
        password: 'x',
      }),
    ).rejects.toThrow(/must end with @Company/);
    tokens.set = await connector.requestTokens({
      clientId,
      clientSecret,
      username: String(h.sim.credentials.username),
      password: String(h.sim.credentials.password),
    });
    expect(tokens.set.refreshToken).toBeTruthy();
    expect((await connector.listVendors()).length).toBeGreaterThan(0);
    await fetch(`${h.sim.baseUrl}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: 'expire=1' }),
    });
    expect((await connector.readReference()).accounts.size).toBeGreaterThan(0);
    expect(tokens.renewals).toBe(1);
    // The bearer session holds the only seat until close() logs it out.
    await expect(connect(h).listVendors()).rejects.toBeInstanceOf(AcumaticaLoginLimitError);
    await connector.close();
    expect((await connect(h).listVendors()).length).toBeGreaterThan(0);
  });

  it('OAuth: a refused refresh becomes NeedsReauthError', async () => {
    const h = await harness();
    const c = connect(h, {}, { tokens: new TestTokens(async (s) => s) });
    await expect(
      c.refreshTokens({
        clientId: String(h.sim.credentials.clientId),
        clientSecret: String(h.sim.credentials.clientSecret),
        refreshToken: 'spent',
      }),
    ).rejects.toBeInstanceOf(NeedsReauthError);
  });

  it('a missing endpoint version: "endpoint version 24.200.001 is not available on this instance; available: 23.200.001" (calls and Test connection)', async () => {
    const h = await harness({ endpointVersions: [V23] });
    const c = connect(h);
    const error = await c.readReference().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcumaticaEndpointVersionError);
    expect((error as Error).message).toMatch(
      /^endpoint version 24\.200\.001 is not available on this instance; available: 23\.200\.001/,
    );
    const test = await c.testConnection();
    expect(test).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^endpoint version 24\.200\.001 is not available on this instance; available: 23\.200\.001/,
      ),
    });
    expect(await c.listEndpointVersions()).toEqual({
      buildVersion: '24.200.0123',
      endpoints: [{ name: 'Default', version: V23 }],
    });
  });

  it('testConnection reports the user, tenant, endpoint and the versions the instance publishes', async () => {
    const h = await harness();
    const test = await connect(h).testConnection();
    expect(test).toEqual({
      ok: true,
      detail: expect.stringMatching(
        /Signed in to tenant Company as admin \(cookie session\); endpoint Default\/24\.200\.001; the instance publishes 23\.200\.001, 24\.200\.001/,
      ),
    });
  });

  it('the 23.200.001 endpoint works too (a bill written there; no 24.200.001-only fields are sent)', async () => {
    const h = await harness();
    const c = connect(h, { endpointVersion: V23 });
    const [result] = await c.createBills([billInput('V23-1', ['10.00'])]);
    expect(okBill(result).amount).toBe('10.00');
  });
});

// ---- reference data ------------------------------------------------------------------------------

describe('Acumatica connector: reference reads (1.6, 1.8)', () => {
  it('accounts, subaccounts, projects with tasks, cost codes with their active flags; the planted gaps show', async () => {
    const h = await harness();
    const ref = await connect(h).readReference();
    expect(ref.accounts.get(plants.inactiveAccountCode)?.active).toBe(false);
    expect(ref.accounts.get(ACCOUNT)?.active).toBe(true);
    expect(ref.subaccounts.get(plants.inactiveSubaccountCode)?.active).toBe(false);
    expect(ref.subaccounts.get('CON')?.active).toBe(true);
    expect(ref.costCodes.has(plants.missingCostCode)).toBe(false);
    expect(ref.costCodes.get(plants.onlyCostCode.code)?.description).toBe(plants.onlyCostCode.name);
    const project = ref.projects.get(PROJECT);
    expect(project?.active).toBe(true);
    expect(project?.tasks.get('03')?.active).toBe(true);
    expect([...(project?.tasks.values() ?? [])].filter((t) => t.isDefault).map((t) => t.taskId)).toEqual([
      '01',
    ]);
    expect(ref.projects.size).toBe(world.projects.length);
    expect(ref.branches).toEqual(
      new Map([['HEADOFFICE', { code: 'HEADOFFICE', name: 'HEADOFFICE', active: true }]]),
    );
  });

  it('$top and $skip reach the wire and page to the end: every account exactly once', async () => {
    const h = await harness();
    const c = connect(h, { pageSize: 7 });
    h.sim.requests.reset();
    const ref = await c.readReference();
    const accountCalls = wireLog(h).filter((r) => /\/Account\?/.test(r.path));
    expect(accountCalls.length).toBe(Math.floor(ref.accounts.size / 7) + 1);
    expect(accountCalls[0]?.path).toMatch(/\$top=7&\$skip=0/);
    expect(accountCalls[1]?.path).toMatch(/\$top=7&\$skip=7/);
    const all = await state(h, 'Account');
    expect(ref.accounts.size).toBe(all.length);
  });

  it('pages spoiled (sandbox faults dupes, repeat): a record sent twice is read once, a $skip answered with the page before is asked again; endless repeats stop in words', async () => {
    const clean = await connect(await harness(), { pageSize: 7 }).readReference();
    const h = await harness();
    const c = connect(h, { pageSize: 7 });
    h.sim.faults.set({ duplicateRate: 0.3, repeatCursorRate: 0.3 });
    h.sim.requests.reset();
    const ref = await c.readReference();
    expect(ref.accounts).toEqual(clean.accounts);
    expect(ref).toEqual(clean);
    const fired = new Set(h.sim.requests.recent(5000).map((r) => r.fault));
    expect(fired).toContain('duplicates');
    expect(fired).toContain('repeat-cursor');

    const stuck = await harness();
    stuck.sim.faults.set({ repeatCursorRate: 1 });
    await expect(connect(stuck, { pageSize: 7 }).readReference()).rejects.toThrow(/answered offset 7 with records it had already sent 4 times in a row; the read stopped so that no record is skipped/);
  });

  it('without a branches setting the branches are read from CompaniesStructure; an instance without it → null (not checked)', async () => {
    const h = await harness();
    const c = createAcumaticaConnector(
      { baseUrl: h.url, allowedHosts: ['127.0.0.1'], logger: silentLogger, ...loginOf(h) },
      { tenant: 'Company', endpointVersion: V, clock: simClock(h.sim) },
    );
    opened.push(c);
    h.sim.requests.reset();
    expect((await c.readReference()).branches).toBeNull();
    expect(
      wireLog(h)
        .filter((r) => r.method === 'PUT')
        .map((r) => [r.path, r.status]),
    ).toEqual([[`/entity/Default/${V}/CompaniesStructure?$expand=Results`, 404]]);
  });
});

// ---- AP bills ------------------------------------------------------------------------------------

describe('Acumatica connector: AP bills (1.7, 1.8, 1.9)', () => {
  it('creates a bill with coded lines to the cent: free text in TransactionDescription, the origin kept, line ids in input order', async () => {
    const h = await harness();
    const c = connect(h);
    const amounts = ['1234.56', '0.01', '99999.99'];
    const [result] = await c.createBills([billInput('INV-1001', amounts)]);
    const bill = okBill(result);
    expect(bill.existed).toBe(false);
    expect(bill.type).toBe('Bill');
    expect(bill.amount).toBe(Decimal.sum(amounts.map(Decimal.parse)).toMoneyString());
    expect(bill.amount).toBe('101234.56');
    expect(bill.lineIds).toHaveLength(3);
    const [found] = await c.findBills([{ vendorId: VENDOR, vendorRef: 'INV-1001' }]);
    expect(found).toHaveLength(1);
    const one = found?.[0];
    expect(one?.originId).toBe('procore:requisition:INV-1001');
    expect(one?.lines.map((l) => l.id)).toEqual(bill.lineIds);
    expect(
      one?.lines.map((l) => [
        l.amount,
        l.description,
        l.account,
        l.subaccount,
        l.project,
        l.task,
        l.costCode,
      ]),
    ).toEqual(
      amounts.map((a, i) => [a, `Progress INV-1001 item ${i + 1}`, ACCOUNT, 'CON', PROJECT, '03', COST_CODE]),
    );
    // A line's Description is the account's description (read-only), not our text.
    const stored = (await state(h, 'Bill'))[0] as Json;
    const line = (stored.Details as Json[])[0] as Json;
    expect(val(line, 'Description')).toBe(world.apAccounts.find((a) => a.code === ACCOUNT)?.description);
    expect(val(line, 'TransactionDescription')).toBe('Progress INV-1001 item 1');
  });

  it('idempotent by vendor + vendor ref: a second create finds the bill and writes nothing (1 lookup, 0 PUT)', async () => {
    const h = await harness();
    const c = connect(h);
    const first = okBill((await c.createBills([billInput('INV-2001', ['500.00'])]))[0]);
    h.sim.requests.reset();
    const [again] = await c.createBills([billInput('INV-2001', ['500.00'])]);
    expect(okBill(again)).toMatchObject({ existed: true, id: first.id, referenceNbr: first.referenceNbr });
    expect(wireLog(h).map((r) => r.method)).toEqual(['GET']);
    expect(await state(h, 'Bill')).toHaveLength(1);
  });

  it('a batch: ⌈n/lookupChunkSize⌉ lookups + n PUTs; one result per input in input order', async () => {
    const h = await harness();
    const c = connect(h, { lookupChunkSize: 2 });
    const refs = ['B-1', 'B-2', 'B-3', 'B-4', 'B-5'];
    h.sim.requests.reset();
    const results = await c.createBills(refs.map((r, i) => billInput(r, [`${i + 1}00.00`])));
    expect(results.map((r) => [r.vendorRef, okBill(r).amount])).toEqual(
      refs.map((r, i) => [r, `${i + 1}00.00`]),
    );
    const log = wireLog(h).filter((r) => r.path.includes('/Bill'));
    expect(log.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(log.filter((r) => r.method === 'PUT')).toHaveLength(5);
  });

  it('updates by line id: an amount changed, a line deleted, a line appended; no line duplicated', async () => {
    const h = await harness();
    const c = connect(h);
    const created = okBill((await c.createBills([billInput('INV-3001', ['100.00', '200.00', '300.00'])]))[0]);
    const [lineA, lineB, lineC] = created.lineIds;
    const base = billInput('INV-3001', ['0'])['lines'][0] as BillInput['lines'][number];
    const [updated] = await c.updateBills([
      {
        id: created.id,
        type: created.type,
        lines: [
          {
            kind: 'update',
            lineId: lineB as string,
            line: { ...base, amount: '250.50', description: 'Corrected' },
          },
          { kind: 'delete', lineId: lineC as string },
          { kind: 'add', line: { ...base, amount: '0.49', description: 'Added' } },
        ],
      },
    ]);
    if (!updated?.ok) throw new Error(JSON.stringify(updated));
    expect(updated.amount).toBe('350.99');
    expect(
      updated.lines.map((l) => [l.id === lineA || l.id === lineB ? l.id : 'new', l.amount, l.description]),
    ).toEqual([
      [lineA, '100.00', 'Progress INV-3001 item 1'],
      [lineB, '250.50', 'Corrected'],
      ['new', '0.49', 'Added'],
    ]);
    expect(updated.addedLineIds).toEqual([updated.lines[2]?.id]);
  });

  it('422 with errors on several lines → one plain-language sentence naming every one, not retryable', async () => {
    const h = await harness();
    const c = connect(h);
    const bill = billInput('INV-4001', ['10.00', '20.00', '30.00']);
    bill.lines[0] = { ...(bill.lines[0] as BillInput['lines'][number]), account: plants.inactiveAccountCode };
    bill.lines[1] = {
      ...(bill.lines[1] as BillInput['lines'][number]),
      subaccount: plants.inactiveSubaccountCode,
    };
    bill.lines[2] = { ...(bill.lines[2] as BillInput['lines'][number]), costCode: plants.missingCostCode };
    const [result] = await c.createBills([bill]);
    if (result?.ok !== false) throw new Error('expected a refusal');
    expect(result.retryable).toBe(false);
    expect(result.message).toBe(
      `Bill INV-4001 of vendor ${VENDOR} was refused by Acumatica: ` +
        `line 1 account: The account '${plants.inactiveAccountCode}' is inactive; ` +
        `line 2 subaccount: The subaccount '${plants.inactiveSubaccountCode}' is inactive; ` +
        `line 3 cost code: 'Cost Code' cannot be found in the system.`,
    );
    expect(result.problems.map((p) => p.path)).toEqual([
      'Details[1].Account',
      'Details[2].Subaccount',
      'Details[3].CostCode',
    ]);
    expect(await state(h, 'Bill')).toHaveLength(0);
  });

  it('with the reference read this run, the same bill is refused before any call (every coding problem named)', async () => {
    const h = await harness();
    const c = connect(h);
    const reference = await c.readReference();
    const bill = billInput('INV-4002', ['10.00', '20.00']);
    bill.lines[0] = { ...(bill.lines[0] as BillInput['lines'][number]), account: plants.inactiveAccountCode };
    bill.lines[1] = {
      ...(bill.lines[1] as BillInput['lines'][number]),
      costCode: plants.missingCostCode,
      task: '77',
    };
    h.sim.requests.reset();
    const [result] = await c.createBills([bill], { reference });
    if (result?.ok !== false) throw new Error('expected a refusal');
    expect(result.retryable).toBe(false);
    expect(result.message).toMatch(
      new RegExp(`account ${plants.inactiveAccountCode} is inactive in Acumatica`),
    );
    expect(result.message).toMatch(/task 77 does not exist on project P26001/);
    expect(result.message).toMatch(
      new RegExp(`cost code ${plants.missingCostCode} does not exist in Acumatica`),
    );
    expect(wireLog(h)).toHaveLength(0);
  });

  it('a negative total is written as a Debit Adj. (it reduces the payable) with the signs turned; its amount is positive', async () => {
    const h = await harness();
    const c = connect(h);
    const [result] = await c.createBills([billInput('CR-1', ['-300.00', '100.00'])]);
    const bill = okBill(result);
    expect([bill.type, bill.amount]).toEqual(['Debit Adj.', '200.00']);
    const [found] = await c.findBills([{ vendorId: VENDOR, vendorRef: 'CR-1' }]);
    expect(found?.[0]?.lines.map((l) => l.amount)).toEqual(['300.00', '-100.00']);
  });

  it('release: 202 then polled (with the same session) until 204; the bill is Open only after the operation completed', async () => {
    const h = await harness({ actionCompletion: 'polled', actionPendingPolls: 2 });
    const c = connect(h);
    const bill = okBill((await c.createBills([billInput('REL-1', ['75.00'])]))[0]);
    h.sim.requests.reset();
    const [released] = await c.releaseBills([{ type: bill.type, referenceNbr: bill.referenceNbr }]);
    expect(released).toEqual({ key: { type: 'Bill', referenceNbr: bill.referenceNbr }, ok: true });
    const log = wireLog(h);
    expect(log.map((r) => r.status)).toEqual([202, 202, 202, 204]);
    expect(log.slice(1).every((r) => /\/Bill\/ReleaseBill\/status\//.test(r.path))).toBe(true);
    const [found] = await c.findBills([{ vendorId: VENDOR, vendorRef: 'REL-1' }]);
    expect([found?.[0]?.status, found?.[0]?.released]).toEqual(['Open', true]);
  });

  it('release: 204 at once is handled too; one run meets both (alternate); a bill on hold is refused in words', async () => {
    const h = await harness({ actionCompletion: 'alternate' });
    const c = connect(h);
    const results = await c.createBills([
      billInput('ALT-1', ['1.00']),
      billInput('ALT-2', ['2.00']),
      billInput('ALT-3', ['3.00'], { hold: true }),
    ]);
    const keys = results.map((r) => ({ type: okBill(r).type, referenceNbr: okBill(r).referenceNbr }));
    h.sim.requests.reset();
    const released = await c.releaseBills(keys);
    expect(released.slice(0, 2).every((r) => r.ok)).toBe(true);
    const statuses = wireLog(h)
      .filter((r) => r.method === 'POST')
      .map((r) => r.status);
    expect(statuses.slice(0, 2).sort()).toEqual([202, 204]);
    expect(released[2]).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(
        /^Acumatica did not release Bill \d+: The document is on hold and cannot be released\.$/,
      ),
    });
  });

  it('an instance below the web root: every URL and the action Location carry /AcumaticaERP', async () => {
    const h = await harness({ instanceName: 'AcumaticaERP', actionCompletion: 'polled' });
    const c = connect(h, { instanceUrl: `${h.url}/AcumaticaERP` });
    const bill = okBill((await c.createBills([billInput('SITE-1', ['5.00'])]))[0]);
    const [released] = await c.releaseBills([{ type: bill.type, referenceNbr: bill.referenceNbr }]);
    expect(released?.ok).toBe(true);
    expect(wireLog(h).every((r) => r.path.startsWith('/AcumaticaERP/'))).toBe(true);
  });

  it('retainage through the bill screen fields, and the origin in a customization field (lookup reads it back)', async () => {
    const h = await harness({
      customFields: {
        Bill: {
          'Document.RetainageApply': 'CustomBooleanField',
          'Document.DefRetainagePct': 'CustomDecimalField',
          'Document.UsrProcoreOrigin': 'CustomStringField',
          'Details/Transactions.RetainagePct': 'CustomDecimalField',
        },
      },
    });
    const c = connect(h, { retainage: 'screen-fields', originField: 'Document.UsrProcoreOrigin' });
    const input = billInput('RET-1', ['1000.00'], { retainagePercent: '10' });
    input.lines[0] = { ...(input.lines[0] as BillInput['lines'][number]), retainagePercent: '5' };
    okBill((await c.createBills([input]))[0]);
    const [found] = await c.findBills([{ vendorId: VENDOR, vendorRef: 'RET-1' }]);
    expect(found?.[0]?.originId).toBe('procore:requisition:RET-1');
    const user = await asUser(h);
    const rows = (await user.get(
      `Bill?$filter=VendorRef eq 'RET-1'&$expand=Details&$custom=Document.RetainageApply,Document.DefRetainagePct,Details/Transactions.RetainagePct`,
    )) as unknown as Json[];
    const custom = (rows[0]?.custom ?? {}) as Record<string, Record<string, Json>>;
    expect([custom.Document?.RetainageApply?.value, custom.Document?.DefRetainagePct?.value]).toEqual([
      true,
      10,
    ]);
    const lineCustom = ((rows[0]?.Details as Json[])[0]?.custom ?? {}) as Record<
      string,
      Record<string, Json>
    >;
    expect(lineCustom.Transactions?.RetainagePct?.value).toBe(5);
    // Without the setting a retainage % is refused locally, in words.
    const plain = connect(h);
    const [refused] = await plain.createBills([billInput('RET-2', ['1.00'], { retainagePercent: '10' })]);
    expect(refused).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(/does not apply retainage/),
    });
  });
});

// ---- vendors and cost codes ----------------------------------------------------------------------

describe('Acumatica connector: vendors and cost codes both ways (1.8)', () => {
  it('reads vendors with MainContact (e-mail, city); modifiedSince narrows to changed ones', async () => {
    const h = await harness();
    const c = connect(h);
    const vendors = await c.listVendors();
    expect(vendors).toHaveLength(world.suppliers.filter((s) => s.acumaticaVendorId).length);
    const supplier = world.suppliers[0];
    const v = vendors.find((x) => x.vendorId === supplier?.acumaticaVendorId);
    expect([v?.name, v?.mainContact?.email, v?.mainContact?.address?.city, v?.active]).toEqual([
      supplier?.name,
      supplier?.email,
      supplier?.city,
      true,
    ]);
    h.sim.clock.advance(60_000);
    const since = new Date(h.sim.clock.now()).toISOString();
    expect(await c.listVendors({ modifiedSince: since })).toEqual([]);
    await c.upsertVendors([{ vendorId: 'V000002', name: 'Holcrete Readymix Ltd (renamed)' }]);
    expect((await c.listVendors({ modifiedSince: since })).map((x) => x.vendorId)).toEqual(['V000002']);
  });

  it('creates a vendor with MainContact and address, updates it; create of an existing id and update of a missing one are refused in words', async () => {
    const h = await harness();
    const c = connect(h);
    const [created] = await c.upsertVendors([
      {
        vendorId: 'PC-7001',
        name: 'Procore Plumbing B.V.',
        mode: 'create',
        terms: '30D',
        mainContact: {
          email: 'ap@plumbing.example',
          phone: '+31 20 555 0100',
          address: { line1: 'Damrak 1', city: 'Amsterdam', country: 'NL' },
        },
      },
    ]);
    expect(created).toMatchObject({ vendorId: 'PC-7001', ok: true });
    await c.upsertVendors([
      {
        vendorId: 'PC-7001',
        name: 'Procore Plumbing B.V.',
        mainContact: { email: 'billing@plumbing.example' },
      },
    ]);
    const v = (await c.listVendors()).find((x) => x.vendorId === 'PC-7001');
    expect([v?.mainContact?.email, v?.mainContact?.phone, v?.mainContact?.address?.city]).toEqual([
      'billing@plumbing.example',
      '+31 20 555 0100',
      'Amsterdam',
    ]);
    const [again, missing] = await c.upsertVendors([
      { vendorId: 'PC-7001', name: 'x', mode: 'create' },
      { vendorId: 'PC-9999', name: 'y', mode: 'update' },
    ]);
    expect(again).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(/already has a vendor with this id/),
    });
    expect(missing).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(/has no vendor with this id/),
    });
    const [bad] = await c.upsertVendors([{ vendorId: 'PC-7002', name: 'z', status: 'Dormant' as 'Active' }]);
    expect(bad).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(
        /^Vendor PC-7002 \(z\) was refused by Acumatica: status: 'Dormant' is not a vendor status/,
      ),
    });
  });

  it('adds the cost code Acumatica lacks; the reference then has it and bills coded to it are accepted', async () => {
    const h = await harness();
    const c = connect(h);
    expect(
      await c.upsertCostCodes([
        { code: plants.missingCostCode, description: 'Temporary Facilities and Controls' },
      ]),
    ).toEqual([{ code: plants.missingCostCode, ok: true }]);
    expect((await c.readReference()).costCodes.has(plants.missingCostCode)).toBe(true);
    const bill = billInput('CC-1', ['12.00']);
    bill.lines[0] = {
      ...(bill.lines[0] as BillInput['lines'][number]),
      costCode: plants.missingCostCode,
      task: '01',
    };
    expect((await c.createBills([bill]))[0]?.ok).toBe(true);
  });

  it('lists cost codes changed at or after an instant, each with when it last changed', async () => {
    const h = await harness();
    const c = connect(h);
    const all = await c.listCostCodes();
    expect(all.length).toBe((await state(h, 'CostCode')).length);
    expect(all.every((code) => code.lastModified !== null)).toBe(true);
    const since = new Date(h.sim.clock.now()).toISOString();
    await c.upsertCostCodes([{ code: plants.missingCostCode, description: 'Temporary Facilities and Controls' }]);
    expect((await c.listCostCodes({ modifiedSince: since })).map((code) => code.code)).toEqual([plants.missingCostCode]);
    expect(wireLog(h).some((r) => r.path.includes('/CostCode?') && decodeURIComponent(r.path).includes('LastModifiedDateTime ge datetimeoffset'))).toBe(true);
  });
});

// ---- commitments ---------------------------------------------------------------------------------

describe('Acumatica connector: commitments reconciliation (1.8)', () => {
  it('subcontracts with their lines (task read from `Task`), the line keyed 1,000.00 higher than Procore shows', async () => {
    const h = await harness();
    const c = connect(h);
    const subcontracts = await c.listSubcontracts();
    expect(subcontracts.every((s) => s.kind === 'subcontract')).toBe(true);
    const planted = world.commitments.find((x) => x.key === plants.subcontractLineDifference?.commitmentKey);
    const project = world.projects.find((p) => p.key === planted?.projectKey)?.acumaticaProjectId ?? '';
    const [matches] = await c.findCommitments([{ project, vendorRef: planted?.number ?? '' }]);
    expect(matches).toHaveLength(1);
    const sc = matches?.[0];
    expect(sc?.project).toBe(project);
    const procoreLine = planted?.lines.find((l) => l.key === plants.subcontractLineDifference?.lineKey);
    const line = sc?.lines[0];
    expect(
      Decimal.parse(line?.amount ?? '0')
        .minus(Decimal.parse(procoreLine?.amount ?? '0'))
        .toMoneyString(),
    ).toBe('1000.00');
    expect(line?.task).toBe(procoreLine?.costCode.slice(0, 2));
  });

  it('Procore numbers repeat across projects: the project decides which subcontract matches', async () => {
    const h = await harness();
    const c = connect(h);
    const withSameNumber = await c.listSubcontracts({ vendorRefs: ['SC-001'] });
    expect(withSameNumber.length).toBeGreaterThan(1);
    const [inP2] = await c.findCommitments([{ project: 'P26002', vendorRef: 'SC-001' }]);
    expect(inP2?.map((s) => s.vendorId)).toEqual(['V000010']);
  });

  it('purchase orders (ProjectTask on lines) and change orders (ProjectTaskID); the approved change order never entered is missing', async () => {
    const h = await harness();
    const c = connect(h);
    const orders = await c.listPurchaseOrders({ vendorId: 'V000002' });
    expect(orders.length).toBeGreaterThan(0);
    expect(orders[0]?.lines.every((l) => l.task !== null && l.costCode !== null)).toBe(true);
    const changeOrders = await c.listChangeOrders();
    const approved = world.commitments.flatMap((x) =>
      x.changeOrders.filter((co) => co.status === 'approved').map((co) => ({ commitment: x, co })),
    );
    // Commitment numbers repeat across projects: a change order is known by project + external ref.
    const entered = new Set(changeOrders.map((co) => `${co.projectId}|${co.externalRef}`));
    const projectOf = (key: string): string =>
      world.projects.find((p) => p.key === key)?.acumaticaProjectId ?? '';
    const missing = approved.filter(
      ({ commitment, co }) =>
        world.suppliers.find((s) => s.key === commitment.supplierKey)?.acumaticaVendorId &&
        !entered.has(`${projectOf(commitment.projectKey)}|${commitment.number}/${co.number}`),
    );
    expect(missing.map(({ co }) => co.key)).toEqual([plants.changeOrderMissingKey]);
    expect(changeOrders.every((co) => co.released && co.lines.every((l) => l.task !== null))).toBe(true);
  });

  it('creates a subcontract from a Procore commitment once: the second call finds it by vendor + vendor ref + project', async () => {
    const h = await harness();
    const c = connect(h);
    const input = {
      vendorId: 'V000005',
      vendorRef: 'SC-900',
      project: PROJECT,
      date: '2026-02-01',
      description: 'Structural steel',
      retainagePercent: '5',
      lines: [
        { amount: '12000.00', description: 'Steel frame', account: ACCOUNT, task: '03', costCode: COST_CODE },
        { amount: '3000.50', description: 'Erection', account: ACCOUNT, task: '03', costCode: COST_CODE },
      ],
    };
    const first = await c.createSubcontract(input);
    expect(first).toMatchObject({ ok: true, existed: false, total: '15000.50' });
    const second = await c.createSubcontract(input);
    expect(second).toMatchObject({ ok: true, existed: true, id: first.ok ? first.id : '' });
    const [found] = await c.findCommitments([{ project: PROJECT, vendorRef: 'SC-900' }]);
    expect(found?.[0]?.retainageTotal).toBe('750.03');
    // Only fields of the Default endpoint's Subcontract (it has no Hold).
    const put = recorded.filter((r) => r.method === 'PUT' && r.path.includes('/Subcontract') && r.body.includes('SC-900'));
    expect(put).toHaveLength(1);
    expect(Object.keys(JSON.parse(put[0]!.body) as Record<string, unknown>).sort()).toEqual(['ApplyRetainage', 'Date', 'Description', 'Details', 'RetainagePct', 'VendorID', 'VendorRef']);
  });
});

// ---- AP payments ---------------------------------------------------------------------------------

describe('Acumatica connector: AP payment status (Check, 1.8)', () => {
  it('released payments pay bills; a void takes effect only once the Voided Payment is released', async () => {
    const h = await harness({ actionCompletion: 'immediate' });
    const c = connect(h);
    const bill = okBill((await c.createBills([billInput('PAY-1', ['400.00'])]))[0]);
    expect((await c.releaseBills([{ type: bill.type, referenceNbr: bill.referenceNbr }]))[0]?.ok).toBe(true);
    const since = new Date(h.sim.clock.now()).toISOString();
    const user = await asUser(h);
    const check = await user.put('Check', {
      Vendor: w(VENDOR),
      PaymentRef: w('CHK-1'),
      Details: [{ DocType: w('Bill'), ReferenceNbr: w(bill.referenceNbr), AmountPaid: w(400) }],
    });
    const number = String(val(check, 'ReferenceNbr'));
    let payments = await c.listChecks({ modifiedSince: since });
    expect(
      payments.map((p) => [
        p.referenceNbr,
        p.released,
        p.effective,
        p.applications.map((a) => [a.referenceNbr, a.amountPaid, a.released]),
      ]),
    ).toEqual([[number, false, false, [[bill.referenceNbr, '400.00', false]]]]);
    expect((await c.findBills([{ vendorId: VENDOR, vendorRef: 'PAY-1' }]))[0]?.[0]?.balance).toBe('400.00');

    expect(
      await user.invoke('Check/ReleaseCheck', { entity: { Type: w('Payment'), ReferenceNbr: w(number) } }),
    ).toBe(204);
    payments = await c.listChecks({ modifiedSince: since });
    const paid = payments.find((p) => p.referenceNbr === number && p.type === 'Payment');
    expect([paid?.status, paid?.released, paid?.voided, paid?.effective]).toEqual([
      'Closed',
      true,
      false,
      true,
    ]);
    expect(paid?.applications).toEqual([
      {
        docType: 'Bill',
        referenceNbr: bill.referenceNbr,
        vendorRef: 'PAY-1',
        amountPaid: '400.00',
        balance: '0.00',
        released: true,
      },
    ]);
    const closed = (await c.findBills([{ vendorId: VENDOR, vendorRef: 'PAY-1' }]))[0]?.[0];
    expect([closed?.status, closed?.balance]).toEqual(['Closed', '0.00']);

    expect(
      await user.invoke('Check/VoidCheck', { entity: { Type: w('Payment'), ReferenceNbr: w(number) } }),
    ).toBe(204);
    payments = await c.listChecks({ modifiedSince: since });
    const pendingVoid = payments.find((p) => p.isVoidingDocument);
    expect([pendingVoid?.released, payments.find((p) => p.type === 'Payment')?.effective]).toEqual([
      false,
      true,
    ]);

    expect(
      await user.invoke('Check/ReleaseCheck', {
        entity: { Type: w('Voided Payment'), ReferenceNbr: w(number) },
      }),
    ).toBe(204);
    payments = await c.listChecks({ modifiedSince: since });
    const original = payments.find((p) => p.type === 'Payment');
    expect([original?.status, original?.voided, original?.effective]).toEqual(['Voided', true, false]);
    const reopened = (await c.findBills([{ vendorId: VENDOR, vendorRef: 'PAY-1' }]))[0]?.[0];
    expect([reopened?.status, reopened?.balance]).toEqual(['Open', '400.00']);
    expect((await c.listBills({ modifiedSince: since })).map((b) => b.vendorRef)).toEqual(['PAY-1']);
  });
});

// ---- faults --------------------------------------------------------------------------------------

describe('Acumatica connector: licence limits and faults (1.10, ARCHITECTURE §6)', () => {
  it('429s from the licence queue are repeated (writes too: declined = not processed); every bill exactly once', async () => {
    const h = await harness({}, { faults: '429=0.3' });
    const c = connect(h);
    const refs = Array.from({ length: 8 }, (_, i) => `Q-${i + 1}`);
    const results = await c.createBills(refs.map((r) => billInput(r, ['10.00'])));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(wireLog(h).some((r) => r.status === 429)).toBe(true);
    const bills = await state(h, 'Bill');
    expect(bills.map((b) => val(b, 'VendorRef')).sort()).toEqual([...refs].sort());
  });

  it('paced: with at most the queue length in flight, a burst of writes draws no 429 (a raw burst of the same size does)', async () => {
    const config = {
      requestsPerMinute: 40,
      maxConcurrentRequests: 1,
      maxQueuedRequests: 2,
      throttleRealDelayFactor: 0.01,
    };
    // The simulator does refuse a burst that overfills its queue once half the minute's quota is used.
    const raw = await harness(config);
    const user = await asUser(raw);
    for (let i = 0; i < 22; i += 1) await user.get('Vendor?$top=1');
    const burst = await Promise.allSettled(
      Array.from({ length: 12 }, () => fetch(`${raw.sim.baseUrl}/entity/Default/${V}/Vendor?$top=1`)),
    );
    expect(burst.some((r) => r.status === 'fulfilled' && r.value.status === 429)).toBe(true);

    const h = await harness(config);
    const c = connect(h, { writeConcurrency: 12, licence: { maxInFlight: 2, requestsPerMinute: 40 } });
    await c.listVendors();
    const refs = Array.from({ length: 30 }, (_, i) => `P-${i + 1}`);
    const results = await c.createBills(refs.map((r) => billInput(r, ['1.00'])));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(wireLog(h).filter((r) => r.status === 429)).toEqual([]);
    // Never more than the quota in any minute of simulator time.
    const times = h.sim.requests.recent(5000).map((r) => Date.parse(r.at));
    for (const t of times)
      expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(40);
  });

  it('5xx: reads are repeated until they get through; a write whose outcome is unknown comes back retryable; afterwards it is created once', async () => {
    const h = await harness();
    const c = connect(h);
    await c.listVendors(); // signed in before the faults
    h.sim.faults.set({ serverErrorRate: 0.4 });
    h.sim.requests.reset();
    const reference = await c.readReference();
    expect(reference.accounts.size).toBe((await state(h, 'Account')).length);
    expect(wireLog(h).some((r) => r.status >= 500)).toBe(true);
    h.sim.faults.set({ serverErrorRate: 1 });
    const [failed] = await c.createBills([billInput('FIVE-1', ['9.99'])]);
    expect(failed).toMatchObject({ ok: false, retryable: true });
    h.sim.faults.clear();
    const [created] = await c.createBills([billInput('FIVE-1', ['9.99'])]);
    expect(okBill(created).existed).toBe(false);
    expect(await state(h, 'Bill')).toHaveLength(1);
  });

  it('dropped answer after Acumatica committed: found by the lookup, reported ok, never created twice', async () => {
    const h = await harness();
    const c = connect(h);
    await c.listVendors();
    h.sim.faults.set({ dropAfterCommitRate: 1 });
    h.sim.requests.reset();
    const [result] = await c.createBills([billInput('DROP-1', ['123.45', '0.55'])]);
    h.sim.faults.clear();
    expect(okBill(result)).toMatchObject({ existed: false, amount: '124.00' });
    expect(okBill(result).lineIds).toHaveLength(2);
    expect(wireLog(h).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'PUT 0', 'GET 200']);
    const [again] = await c.createBills([billInput('DROP-1', ['123.45', '0.55'])]);
    expect(okBill(again).existed).toBe(true);
    expect(await state(h, 'Bill')).toHaveLength(1);
  });

  it('a stopped run starts no further call; unwritten bills come back retryable', async () => {
    const h = await harness();
    const c = connect(h);
    const stop = new AbortController();
    stop.abort();
    h.sim.requests.reset();
    const results = await c.createBills([billInput('S-1', ['1.00']), billInput('S-2', ['1.00'])], {
      signal: stop.signal,
    });
    expect(results.map((r) => [r.ok, r.ok ? null : r.retryable])).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(wireLog(h)).toHaveLength(0);
  });
});

// ---- the vendor's contract -----------------------------------------------------------------------

const SPEC_DIR = join(process.cwd(), '..', 'shared', 'vendor-specs', 'acumatica');
const SPECS: Record<string, { file: string; refBase: string }> = {
  [V]: { file: 'Default_24.200.001.openapi.json', refBase: '#/components/schemas/' },
  [V23]: { file: 'Default_23.200.001.swagger.json', refBase: '#/definitions/' },
};

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

describe('Acumatica connector: every request body it sent conforms to the vendor contract', () => {
  it('each PUT/POST body validates (ajv) against its Default 24.200.001 / 23.200.001 schema, with no member the schema lacks; each entity path is in the spec', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
    const docs = new Map<string, Json>();
    for (const [version, { file }] of Object.entries(SPECS)) {
      const path = join(SPEC_DIR, file);
      if (!existsSync(path))
        throw new Error(`The Acumatica vendor contract is missing: ${path} (read at run time).`);
      const doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
      ajv.addSchema(doc, version);
      docs.set(version, doc);
    }
    const resolve = (doc: Json, node: SchemaNode): SchemaNode =>
      node.$ref
        ? resolve(
            doc,
            node.$ref
              .slice(2)
              .split('/')
              .reduce<unknown>((at, part) => (at as Json)[part], doc) as SchemaNode,
          )
        : node;
    const propertiesOf = (doc: Json, node: SchemaNode): Record<string, SchemaNode> | null => {
      const n = resolve(doc, node);
      if (n.allOf)
        return Object.assign({}, ...n.allOf.map((part) => propertiesOf(doc, part) ?? {})) as Record<
          string,
          SchemaNode
        >;
      return n.properties ?? null;
    };
    const unknownMembers = (doc: Json, node: SchemaNode, data: unknown, at: string, out: string[]): void => {
      const n = resolve(doc, node);
      if (Array.isArray(data)) {
        if (n.items)
          data.forEach((item, i) => unknownMembers(doc, n.items as SchemaNode, item, `${at}[${i}]`, out));
        return;
      }
      if (!data || typeof data !== 'object') return;
      const properties = propertiesOf(doc, n);
      if (!properties) return; // a free object such as `custom`
      for (const [key, child] of Object.entries(data)) {
        const property = properties[key];
        // `"delete": true` on a detail line is a system member the OpenAPI's Entity omits (fact sheet 1.5, 1.7).
        if (key === 'delete' && child === true && /\]$/.test(at)) continue;
        if (!property) out.push(`${at}.${key}`);
        else unknownMembers(doc, property, child, `${at}.${key}`, out);
      }
    };
    const specPath = (doc: Json, entityPath: string): string | null => {
      const paths = Object.keys(doc.paths as Json);
      if (paths.includes(entityPath)) return entityPath;
      const [entity = '', ...rest] = entityPath.slice(1).split('/');
      if (rest.length >= 1 && paths.includes(`/${entity}/{ids}`)) return `/${entity}/{ids}`;
      return null;
    };

    const problems: string[] = [];
    let validated = 0;
    const seenSchemas = new Set<string>();
    for (const r of recorded) {
      const path = new URL(r.path, 'http://x').pathname;
      const login = /\/entity\/auth\/login$/.test(path);
      const m = /\/entity\/Default\/([^/]+)(\/.*)$/.exec(path);
      if (login) {
        // The sign-in is outside the endpoint's OpenAPI: check the Credentials shape (1.4).
        const body = JSON.parse(r.body) as Json;
        const allowed = new Set(['name', 'password', 'tenant', 'branch', 'locale']);
        if (!Object.entries(body).every(([k, v]) => allowed.has(k) && typeof v === 'string') || !body.tenant)
          problems.push(`login body ${Object.keys(body).join(',')}`);
        continue;
      }
      if (!m || /\/status\//.test(path)) continue;
      const [, version = '', entityPath = ''] = m;
      const doc = docs.get(version);
      if (!doc) {
        problems.push(`${r.method} ${path}: no contract for version ${version}`);
        continue;
      }
      if (!specPath(doc, entityPath))
        problems.push(`${r.method} ${path}: ${entityPath} is not a path of Default/${version}`);
      if (r.method === 'GET' || r.method === 'DELETE') continue;
      expect(r.contentType).toMatch(/^application\/json/);
      const segments = entityPath.slice(1).split('/');
      const schemaName = r.method === 'POST' ? (segments[1] ?? '') : (segments[0] ?? '');
      const key = `${version}${SPECS[version]?.refBase ?? ''}${schemaName}`;
      const validate = ajv.getSchema(key);
      if (!validate) {
        problems.push(`${r.method} ${path}: no schema ${schemaName}`);
        continue;
      }
      const body = JSON.parse(r.body) as unknown;
      if (!validate(body)) problems.push(`${r.method} ${path}: ${ajv.errorsText(validate.errors)}`);
      const unknown: string[] = [];
      unknownMembers(
        doc,
        { $ref: `${SPECS[version]?.refBase ?? ''}${schemaName}` },
        body,
        schemaName,
        unknown,
      );
      if (unknown.length)
        problems.push(`${r.method} ${path}: members not in the contract: ${unknown.join(', ')}`);
      validated += 1;
      seenSchemas.add(`${version} ${schemaName}`);
    }
    expect(problems).toEqual([]);
    expect(validated).toBeGreaterThan(50);
    expect([...seenSchemas].sort()).toEqual(
      expect.arrayContaining([
        `${V} Bill`,
        `${V} ReleaseBill`,
        `${V} Vendor`,
        `${V} CostCode`,
        `${V} Subcontract`,
        `${V23} Bill`,
      ]),
    );
  });
});
