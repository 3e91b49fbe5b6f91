import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../src-main/auth/custody';
import type { TokenSet } from '../../src-main/auth/custody';
import type { KitClock } from '../../src-main/connectors/_kit';
import { createLogger, silentLogger } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import type {
  CoupaConnector,
  CoupaSettings,
  InvoiceInput,
  InvoiceLineInput,
  PurchaseOrderInput,
  PurchaseOrderLineInput,
  SupplierInput,
} from '../../src-main/connectors/coupa/index';
import { createCoupaConnector } from '../../src-main/connectors/coupa/index';
import type { SimClock } from '../../src-main/sandbox/_common/clock';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startCoupaSimulator } from '../../src-main/sandbox/coupa/index';
import { NeedsReauthError } from '../../src-shared/domain/auth';

// The Coupa connector against the real Coupa simulator (fresh, in memory, per test: data folders
// seeded before the simulator's correction have no reference data). Time is the simulator's:
// every wait the connector chooses (budget pacing, Retry-After, token activation) moves the
// simulator clock instead of sleeping, so the suite runs in seconds.

type Json = Record<string, unknown>;
type State = { suppliers: Json[]; purchase_orders: Json[]; invoices: Json[] };

interface Harness {
  sim: RunningSimulator;
  connector: CoupaConnector;
  clock: KitClock & { sleeps: number[] };
  /** How often the connector told custody a token was rejected. */
  unauthorized: { count: number };
  state(): Promise<State>;
  faults(spec: string): Promise<void>;
  /** Requests the simulator served since the last reset (path with query, status). */
  requests(): Promise<{ method: string; path: string; status: number }[]>;
  resetRequests(): Promise<void>;
  /** A raw call to the simulator's API with a valid token (to set up what Coupa users would do). */
  raw(method: string, path: string, body?: Json): Promise<Response>;
  token(): Promise<string>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.connector.close();
    await h.sim.close();
  }
});

const CHART = { accountType: { id: '1' } } as const;

async function harness(
  options: {
    sim?: Json;
    settings?: Partial<CoupaSettings>;
    connect?: boolean;
    onLog?: (line: Json) => void;
    /**
     * Wait for real instead of moving the simulator clock. Needed where calls are in flight
     * while others wait: a jump of the shared clock would let the simulator see those calls
     * arrive a second "later" than the budget counted them.
     */
    realTime?: boolean;
    /** A simulator clock that moves only when the connector waits (records then share instants). */
    frozenClock?: boolean;
  } = {},
): Promise<Harness> {
  let frozenAt = Date.UTC(2026, 10, 2, 9, 0, 0);
  const frozen: SimClock = {
    now: () => frozenAt,
    advance: (ms) => {
      frozenAt += ms;
    },
    offsetMs: () => frozenAt - Date.now(),
  };
  const sim = await startCoupaSimulator({
    dataDir: null,
    seed: 1,
    scale: 1,
    ...(options.sim ? { config: options.sim } : {}),
    ...(options.frozenClock ? { clock: frozen } : {}),
  });
  const sleeps: number[] = [];
  const clock: Harness['clock'] = {
    sleeps,
    now: () => sim.clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      if (options.realTime) await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
      else sim.clock.advance(Math.max(0, ms));
    },
  };
  const secret = String(sim.credentials.clientSecret);
  let stored: TokenSet | null = null;
  const ref: { current?: CoupaConnector } = {};
  const custodian = new TokenCustodian({
    connectionId: `coupa-test-${sim.baseUrl}`,
    vault: {
      load: async () => stored,
      save: async (tokens) => {
        stored = tokens;
      },
      clear: async () => {
        stored = null;
      },
    },
    refresh: () => (ref.current as CoupaConnector).requestToken(secret),
    policy: CLIENT_CREDENTIALS_POLICY,
    now: clock.now,
  });
  const unauthorized = { count: 0 };
  const tokens: AccessTokenProvider = {
    getAccessToken: () => custodian.getAccessToken(),
    handleUnauthorized: (rejected) => {
      unauthorized.count += 1;
      return custodian.handleUnauthorized(rejected);
    },
  };
  const connector = createCoupaConnector(
    {
      baseUrl: sim.baseUrl,
      allowedHosts: ['127.0.0.1'],
      logger: options.onLog ? createLogger({ sink: (line) => options.onLog?.(JSON.parse(line) as Json) }) : silentLogger,
      now: clock.now,
      tokens,
    },
    {
      instanceUrl: sim.baseUrl,
      clientId: String(sim.credentials.clientId),
      chartOfAccounts: CHART,
      defaultShipToUserLogin: 'inkoop',
      defaultBillToLocationCode: 'HQ',
      clock,
      ...options.settings,
    },
  );
  ref.current = connector;
  const sandbox = (path: string, init?: RequestInit): Promise<Response> => fetch(`${sim.baseUrl}/_sandbox/${path}`, init);
  const h: Harness = {
    sim,
    connector,
    clock,
    unauthorized,
    state: async () => (await (await sandbox('state')).json()) as State,
    faults: async (spec) => {
      const res = await sandbox('faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec === '' ? { clear: true } : { clear: true, spec }),
      });
      expect(res.status).toBe(200);
    },
    requests: async () => ((await (await sandbox('requests')).json()) as { recent: { method: string; path: string; status: number }[] }).recent,
    resetRequests: async () => {
      await sandbox('requests', { method: 'DELETE' });
    },
    token: () => custodian.getAccessToken(),
    raw: async (method, path, body) =>
      fetch(`${sim.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await custodian.getAccessToken()}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
  };
  open.push(h);
  // Mint the token now, so the request counts and faults below concern the API calls.
  if (options.connect !== false) await custodian.getAccessToken();
  return h;
}

/** The requests of the API (token calls and the sandbox endpoints left out). */
const apiCalls = (requests: { path: string }[]): string[] => requests.map((r) => r.path).filter((p) => p.startsWith('/api/'));

const SUPPLIER = { number: '40001' } as const;

function poLine(lineNum: number, price: string, quantity: string | null, extra: Partial<PurchaseOrderLineInput> = {}): PurchaseOrderLineInput {
  return { lineNum, description: `Line ${lineNum}`, quantity, price, glAccount: '7000', costCenter: 'KP100', ...extra };
}

function po(poNumber: string, lines: PurchaseOrderLineInput[], extra: Partial<PurchaseOrderInput> = {}): PurchaseOrderInput {
  return { poNumber, supplier: SUPPLIER, currency: 'EUR', lines, ...extra };
}

function invLine(lineNum: number, price: string, tax: string, extra: Partial<InvoiceLineInput> = {}): InvoiceLineInput {
  return { lineNum, description: `Invoice line ${lineNum}`, quantity: null, price, taxAmount: tax, glAccount: '7000', costCenter: 'KP100', ...extra };
}

function invoice(invoiceNumber: string, lines: InvoiceLineInput[], extra: Partial<InvoiceInput> = {}): InvoiceInput {
  return { invoiceNumber, invoiceDate: '2026-03-01', supplier: SUPPLIER, currency: 'EUR', lines, ...extra };
}

const byNumber = (records: Json[], key: string, value: string): Json[] => records.filter((r) => r[key] === value);

describe('Coupa connector: token and connection', () => {
  it('mints a client-credentials token at /oauth2/token and at /oauth2/access_tokens, scopes in the form', async () => {
    for (const tokenPath of [undefined, '/oauth2/access_tokens']) {
      const h = await harness({ connect: false, settings: tokenPath ? { tokenPath } : {} });
      const before = h.clock.now();
      const tokens = await h.connector.requestToken(String(h.sim.credentials.clientSecret));
      expect(tokens.refreshToken).toBeNull();
      expect(tokens.accessToken.split('.')).toHaveLength(3); // a JWT
      // §3.2: about 24 h, counted from our clock.
      expect(tokens.accessTokenExpiresAt - before).toBeGreaterThanOrEqual(86_399_000);
      const calls = await h.requests();
      expect(calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([`POST ${tokenPath ?? '/oauth2/token'} 200`]);
    }
  });

  it('falls back to /oauth2/access_tokens when /oauth2/token is not there (path not configured)', async () => {
    const h = await harness({ connect: false });
    // An instance serving only the Swagger's token path: the simulator behind a proxy that hides the other.
    const proxy = createServer((req, res) => {
      if (req.url === '/oauth2/token') return void res.writeHead(404).end();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(
          ['accept', 'authorization', 'content-type'].flatMap((name) => (req.headers[name] ? [[name, String(req.headers[name])]] : [])),
        );
        fetch(`${h.sim.baseUrl}${req.url ?? ''}`, { method: req.method ?? 'GET', headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) })
          .then(async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' }).end(await answer.text()))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = createCoupaConnector(
      { baseUrl: '', allowedHosts: ['127.0.0.1'], logger: silentLogger, tokens: { getAccessToken: async () => '', handleUnauthorized: async () => '' } },
      { instanceUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, clientId: String(h.sim.credentials.clientId), clock: h.clock },
    );
    try {
      const tokens = await proxied.requestToken(String(h.sim.credentials.clientSecret));
      expect(tokens.accessToken.split('.')).toHaveLength(3);
      expect((await h.requests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /oauth2/access_tokens 200']);
    } finally {
      await proxied.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('refuses a wrong secret and an ungranted scope as NeedsReauthError naming what to fix', async () => {
    const h = await harness({ connect: false });
    const wrong = h.connector.requestToken('not-the-secret');
    await expect(wrong).rejects.toBeInstanceOf(NeedsReauthError);
    await expect(wrong).rejects.toThrow(/client id or secret.*invalid_client/);

    const narrow = await harness({ connect: false, sim: { clientScopes: ['core.purchase_order.read'] } });
    const refused = narrow.connector.requestToken(String(narrow.sim.credentials.clientSecret));
    await expect(refused).rejects.toBeInstanceOf(NeedsReauthError);
    await expect(refused).rejects.toThrow(/refused the scopes.*core\.invoice\.write.*OAuth2\/OpenID Connect Clients/);
  });

  it('testConnection names the instance and what the scopes allow, or the missing scope', async () => {
    const h = await harness();
    const ok = await h.connector.testConnection();
    expect(ok).toEqual({
      ok: true,
      detail: expect.stringMatching(/^Connected to Coupa 127\.0\.0\.1:\d+; this connection may read purchase orders, write purchase orders, .*read reference data/),
    });
    expect(ok.ok && ok.detail).not.toContain('Missing');

    // A client without core.common.read: Coupa answers 403 on reference data.
    const scopes = ['core.purchase_order.read', 'core.invoice.read'];
    const narrow = await harness({ sim: { clientScopes: scopes }, settings: { scopes } });
    const problem = await narrow.connector.testConnection();
    expect(problem).toEqual({ ok: false, problem: expect.stringMatching(/lacks the scope core\.common\.read.*Add it to the client in Coupa/) });
  });

  it('sends Accept: application/json (without it the answer is XML and a JSON body is refused)', async () => {
    const h = await harness();
    // The connector reads and writes JSON: it could not parse Coupa's default XML.
    expect((await h.connector.listUsers()).map((u) => u.login)).toEqual(['inkoop', 'crediteuren']);
    expect(await h.connector.upsertSuppliers([{ number: '50100', name: 'Accept B.V.' }])).toMatchObject([{ ok: true }]);
    // Control: the same calls without Accept get XML, and a JSON body is refused.
    const authorization = `Bearer ${await h.token()}`;
    const bare = await fetch(`${h.sim.baseUrl}/api/users`, { headers: { authorization } });
    expect(bare.headers.get('content-type')).toContain('xml');
    const post = await fetch(`${h.sim.baseUrl}/api/suppliers`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'No Accept B.V.' }),
    });
    expect(post.status).toBe(406);
  });
});

describe('Coupa connector: reads and lookups', () => {
  it('reads the reference data for the mapping screens', async () => {
    const h = await harness();
    expect(await h.connector.listAccountTypes()).toEqual([
      { id: '1', name: 'Maasland & Hartley Bouw B.V.', currency: 'EUR', active: true },
      { id: '2', name: 'Maasland & Hartley Bouw B.V. (tot 2024)', currency: 'EUR', active: false },
    ]);
    const addresses = await h.connector.listAddresses();
    expect(addresses[0]).toMatchObject({ id: '1', locationCode: 'HQ', city: 'Rotterdam', active: true });
    expect(addresses.length).toBeGreaterThan(1); // the project sites
    expect(await h.connector.listUsers()).toEqual([
      { id: '1', login: 'inkoop', fullName: 'Inge Koopman', email: 'inkoop@maasland-hartley.nl', active: true },
      { id: '2', login: 'crediteuren', fullName: 'Cas de Boer', email: 'crediteuren@maasland-hartley.nl', active: true },
    ]);
  });

  it("reads every account of one chart (Accounts API), page by page, active and inactive, segments in order", async () => {
    const h = await harness();
    await h.token();
    await h.resetRequests();
    const live = await h.connector.listAccounts({ id: '1' });
    const requests = (await h.requests()).filter((r) => r.path.startsWith('/api/accounts'));
    // 202 accounts: five pages of at most 50, each asking for the chart.
    expect(requests.map((r) => new URL(r.path, 'http://x').searchParams.get('offset'))).toEqual(['0', '50', '100', '150', '200']);
    expect(requests.every((r) => new URL(r.path, 'http://x').searchParams.get('account_type[id]') === '1')).toBe(true);
    expect(live).toHaveLength(202);
    expect(new Set(live.map((a) => a.id)).size).toBe(202);
    expect(live.find((a) => a.code === '4000-KST-10')).toMatchObject({ active: true, accountTypeId: '1', segments: ['4000', 'KST-10', ...Array<null>(18).fill(null)] });
    expect(live.filter((a) => !a.active).map((a) => a.code)).toEqual(['4000-KST-09']);
    const retired = await h.connector.listAccounts({ name: 'Maasland & Hartley Bouw B.V. (tot 2024)' });
    expect(retired.map((a) => a.code)).toEqual(['4999-KST-01', '4999-KST-02']);
  });

  it('pages with limit 50 and offset, and looks up 50 keys per call with hyphenated filter names', async () => {
    const h = await harness();
    const seeded = (await h.state()).suppliers;
    const extra: SupplierInput[] = Array.from({ length: 60 - seeded.length + 5 }, (_, i) => ({
      number: `90${String(i).padStart(3, '0')}`,
      name: `Paging supplier ${i}`,
    }));
    const created = await h.connector.upsertSuppliers(extra);
    expect(created.every((r) => r.ok)).toBe(true);
    const total = seeded.length + extra.length;
    await h.resetRequests();

    const all = await h.connector.listSuppliers();
    expect(all).toHaveLength(total);
    expect(new Set(all.map((s) => s.id)).size).toBe(total);
    const reads = apiCalls(await h.requests());
    expect(reads).toHaveLength(Math.ceil(total / 50));
    for (const path of reads) expect(path).toMatch(/limit=50/);

    await h.resetRequests();
    const numbers = [...extra.map((s) => s.number), 'no-such-number'];
    const found = await h.connector.findSuppliersByNumber(numbers);
    expect([...found.keys()].sort()).toEqual(extra.map((s) => s.number).sort());
    const lookups = apiCalls(await h.requests());
    expect(lookups).toHaveLength(Math.ceil(numbers.length / 50));
    expect(decodeURIComponent(lookups[0] ?? '')).toMatch(/number\[in\]=90000,90001,/);
    expect(lookups[0]).toMatch(/limit=50&offset=0/);
  });

  it('reads suppliers changed since a cursor, page by page, without skipping or repeating ones that share an instant', async () => {
    // Coupa's updated-at has whole seconds; here 70 suppliers change at the very same instant.
    const h = await harness({ frozenClock: true, sim: { rateLimitPerSecond: 10_000 }, settings: { requestsPerSecond: 1000 } });
    const pages: { n: number; cursor: string }[] = [];
    for await (const page of h.connector.readSuppliers(null)) pages.push({ n: page.records.length, cursor: page.cursorAfter });
    const seeded = (await h.state()).suppliers.length;
    expect(pages.reduce((sum, p) => sum + p.n, 0)).toBe(seeded);
    const cursor = pages.at(-1)?.cursor ?? '';
    expect(cursor).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    h.sim.clock.advance(60_000);
    const batch: SupplierInput[] = Array.from({ length: 70 }, (_, i) => ({ number: `91${String(i).padStart(3, '0')}`, name: `Tied ${i}` }));
    expect((await h.connector.upsertSuppliers(batch)).every((r) => r.ok)).toBe(true);
    const stamps = new Set(byNumber((await h.state()).suppliers, 'name', 'Tied 0').map((s) => s['updated-at']));
    const changed = (await h.state()).suppliers.filter((s) => String(s['name']).startsWith('Tied '));
    expect(new Set(changed.map((s) => s['updated-at']))).toEqual(stamps); // one instant for all 70

    await h.resetRequests();
    const since: string[] = [];
    const cursors: string[] = [];
    for await (const page of h.connector.readSuppliers(cursor)) {
      since.push(...page.records.map((s) => s.number ?? ''));
      cursors.push(page.cursorAfter);
    }
    // `>=` re-reads the suppliers at the old cursor instant (the engine dedupes by id); none is
    // lost, and within the read none comes twice although 70 share the instant of page 2.
    expect(new Set(since).size).toBe(since.length);
    expect(since).toHaveLength(seeded + 70);
    expect(cursors.at(-1)).toBe([...stamps][0]);
    const reads = apiCalls(await h.requests()).map(decodeURIComponent);
    expect(reads[0]).toContain(`updated-at[gt_or_eq]=${cursor}`);
    // Page 2 starts at the shared instant, past the tied suppliers page 1 already gave.
    expect(reads[1]).toContain(`updated-at[gt_or_eq]=${String([...stamps][0])}`);
    expect(reads[1]).toContain(`offset=${50 - seeded}`);
  });
});

describe('Coupa connector: purchase orders', () => {
  it('creates an external PO with coded lines, totals to the cent, and finds it by po-number', async () => {
    const h = await harness();
    await h.resetRequests();
    const [result] = await h.connector.upsertPurchaseOrders([
      po('EX-20240001', [
        poLine(1, '19.99', '3'),
        poLine(2, '10.005', '0.333', { uom: 'EA', costCenter: null }),
        poLine(3, '1234.50', null, { needByDate: '2026-04-01' }),
      ], { shipToAddressCode: 'HQ' }),
    ]);
    expect(result).toMatchObject({ ok: true, action: 'created', issued: false });
    if (!result?.ok) throw new Error('not written');
    expect(result.purchaseOrder).toMatchObject({
      poNumber: 'EX-20240001',
      status: 'draft',
      version: 1,
      currency: 'EUR',
      shipToUserLogin: 'inkoop',
      shipToAddressCode: 'HQ',
      supplier: { id: '101', number: '40001' },
      total: '1297.80', // 59.97 + 3.33 (3.331665) + 1234.50
    });
    expect(result.purchaseOrder.lines.map((l) => [l.lineNum, l.type, l.total, l.accountCode])).toEqual([
      [1, 'quantity', '59.97', '7000-KP100'],
      [2, 'quantity', '3.33', '7000'],
      [3, 'amount', '1234.50', '7000-KP100'],
    ]);
    // 1 lookup + 1 POST.
    expect((await h.requests()).map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /api/purchase_orders', 'POST /api/purchase_orders']);

    const stored = byNumber((await h.state()).purchase_orders, 'po-number', 'EX-20240001')[0] ?? {};
    expect(stored['type']).toBe('ExternalOrderHeader');
    const lines = stored['order-lines'] as Json[];
    expect(lines[0]?.['account']).toEqual({ code: '7000-KP100', 'segment-1': '7000', 'segment-2': 'KP100', 'account-type': { id: 1 } });

    const found = await h.connector.findPurchaseOrdersByNumber(['EX-20240001', 'EX-missing']);
    expect([...found.keys()]).toEqual(['EX-20240001']);
    expect(found.get('EX-20240001')).toEqual(result.purchaseOrder);
  });

  it('updates a changed PO as a new version: lines by id, a removed line deleted with _delete; unchanged costs no write', async () => {
    const h = await harness();
    const first = await h.connector.upsertPurchaseOrders([po('EX-2', [poLine(1, '100', '2'), poLine(2, '50', '1'), poLine(3, '7.5', '4')])]);
    const before = first[0]?.ok ? first[0].purchaseOrder : null;
    await h.resetRequests();
    const [second] = await h.connector.upsertPurchaseOrders([
      po('EX-2', [poLine(1, '110', '2'), poLine(3, '7.5', '4'), poLine(4, '1.01', '1')]),
    ]);
    expect(second).toMatchObject({ ok: true, action: 'updated' });
    if (!second?.ok || !before) throw new Error('not written');
    expect(second.purchaseOrder.version).toBe(2);
    expect(second.purchaseOrder.total).toBe('251.01');
    // Line 1 and 3 kept their ids (updated in place); line 2 is gone; line 4 is new.
    const ids = new Map(second.purchaseOrder.lines.map((l) => [l.lineNum, l.id]));
    expect([...ids.keys()]).toEqual([1, 3, 4]);
    expect(ids.get(1)).toBe(before.lines[0]?.id);
    expect(ids.get(3)).toBe(before.lines[2]?.id);
    expect((await h.requests()).map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /api/purchase_orders', `PUT /api/purchase_orders/${second.id}`]);

    await h.resetRequests();
    const [third] = await h.connector.upsertPurchaseOrders([po('EX-2', [poLine(1, '110.00', '2'), poLine(3, '7.50', '4.0'), poLine(4, '1.01', '1')])]);
    expect(third).toMatchObject({ ok: true, action: 'unchanged' });
    expect(third?.ok && third.purchaseOrder.version).toBe(2);
    expect(apiCalls(await h.requests())).toHaveLength(1); // the lookup only
  });

  it('codes lines with the chart of accounts a call passes (a flow policy owns it), and refuses a wrong one before sending', async () => {
    const h = await harness();
    const chart = { accountType: { name: 'Maasland & Hartley Bouw B.V.' }, glAccountSegment: 2, costCenterSegment: 1, codeSeparator: '.' };
    const [result] = await h.connector.upsertPurchaseOrders([po('EX-CHART-1', [poLine(1, '10', '1')])], { chartOfAccounts: chart });
    expect(result).toMatchObject({ ok: true, action: 'created' });
    const stored = byNumber((await h.state()).purchase_orders, 'po-number', 'EX-CHART-1')[0] ?? {};
    const account = (stored['order-lines'] as Json[])[0]?.['account'] as Json;
    expect(account).toMatchObject({ code: 'KP100.7000', 'segment-1': 'KP100', 'segment-2': '7000' });
    expect(account['account-type']).toMatchObject({ name: chart.accountType.name });
    // Invoices take it the same way.
    const [inv] = await h.connector.upsertInvoices([invoice('INV-CHART-1', [invLine(1, '10.00', '0.00')])], { chartOfAccounts: chart });
    expect(inv).toMatchObject({ ok: true });
    if (!inv?.ok) throw new Error('not written');
    expect(inv.invoice.lines[0]?.accountCode).toBe('KP100.7000');

    await h.resetRequests();
    await expect(
      h.connector.upsertPurchaseOrders([po('EX-CHART-2', [poLine(1, '10', '1')])], { chartOfAccounts: { accountType: { id: '1' }, glAccountSegment: 3, costCenterSegment: 3 } }),
    ).rejects.toThrow(/chart of accounts setting is wrong: The GL account and the cost center cannot use the same account segment/);
    expect(apiCalls(await h.requests())).toEqual([]);
  });

  it('cancels a PO (once; absent ones are reported), and a cancelled PO is final for updates', async () => {
    const h = await harness();
    await h.connector.upsertPurchaseOrders([po('EX-3', [poLine(1, '10', '1')])]);
    const cancelled = await h.connector.cancelPurchaseOrders(['EX-3', 'EX-never-synced']);
    expect(cancelled).toEqual([
      { key: 'EX-3', ok: true, id: expect.any(String), outcome: 'done', status: 'cancelled' },
      { key: 'EX-never-synced', ok: true, id: null, outcome: 'absent', status: null },
    ]);
    expect(await h.connector.cancelPurchaseOrders(['EX-3'])).toMatchObject([{ ok: true, outcome: 'already' }]);
    const [changed] = await h.connector.upsertPurchaseOrders([po('EX-3', [poLine(1, '12', '1')])]);
    expect(changed).toMatchObject({ ok: false, retryable: false, code: 'po-cancelled', message: expect.stringMatching(/cancelled in Coupa.*final/) });
  });

  it('issues per the connection setting (default off), and issues drafts on request', async () => {
    const off = await harness();
    const [draft] = await off.connector.upsertPurchaseOrders([po('EX-4', [poLine(1, '10', '1')])]);
    expect(draft).toMatchObject({ ok: true, issued: false, purchaseOrder: { status: 'draft' } });
    expect(await off.connector.issuePurchaseOrders(['EX-4'])).toMatchObject([{ ok: true, outcome: 'done', status: 'issued' }]);
    expect(await off.connector.issuePurchaseOrders(['EX-4'])).toMatchObject([{ ok: true, outcome: 'already' }]);

    const on = await harness({ settings: { issuePurchaseOrders: 'issue' } });
    const [issued] = await on.connector.upsertPurchaseOrders([po('EX-5', [poLine(1, '10', '1')])]);
    expect(issued).toMatchObject({ ok: true, issued: true, purchaseOrder: { status: 'issued' } });
    // A change of an issued PO is a new version; it is not issued again (Coupa refuses that).
    const [changed] = await on.connector.upsertPurchaseOrders([po('EX-5', [poLine(1, '11', '1')])]);
    expect(changed).toMatchObject({ ok: true, action: 'updated', issued: false, purchaseOrder: { status: 'issued', version: 2 } });
  });

  it('refuses bad items locally, one result each, and writes the rest', async () => {
    const h = await harness();
    const results = await h.connector.upsertPurchaseOrders([
      po('EX-TOO-LONG-NUMBER-0001', [poLine(1, '1', '1')]),
      po('EX-6', [poLine(1, '1,50', '1')]),
      po('EX-7', [poLine(1, '2', '1')]),
      po('EX-7', [poLine(1, '3', '1')]),
      po('EX-8', [poLine(1, '2', '1')], { supplier: { number: 'no-such-supplier' } }),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : `${r.code}${r.retryable ? ' retryable' : ''}`))).toEqual([
      'invalid',
      'invalid',
      'ok',
      'invalid',
      'invalid',
    ]);
    expect(results[0]).toMatchObject({ message: expect.stringMatching(/longer than Coupa's 20 characters/) });
    expect(results[1]).toMatchObject({ message: expect.stringMatching(/Line 1: price.*thousands separators/) });
    expect(results[4]).toMatchObject({ coupaMessages: [expect.stringMatching(/Supplier .* was not found/)] });
    expect((await h.state()).purchase_orders.map((p) => p['po-number'])).toEqual(['EX-7']);
  });
});

describe('Coupa connector: listing for reconciliation', () => {
  it('lists the POs under a po-number prefix (exact case kept) and every invoice of some suppliers, page by page', async () => {
    const h = await harness();
    const written = await h.connector.upsertPurchaseOrders([po('EX-1', [poLine(1, '10.00', '1')]), po('ex-2', [poLine(1, '20.00', '1')]), po('ZZ-3', [poLine(1, '30.00', '1')])]);
    expect(written.every((r) => r.ok)).toBe(true);
    expect((await h.connector.listPurchaseOrders({ poNumberPrefix: 'EX-' })).map((p) => [p.poNumber, p.total])).toEqual([['EX-1', '10.00']]);
    expect((await h.connector.listPurchaseOrders({ poNumberPrefix: '' })).map((p) => p.poNumber)).toEqual(['EX-1', 'ex-2', 'ZZ-3']);
    const invoices = await h.connector.upsertInvoices([invoice('INV-L1', [invLine(1, '100.00', '21.00')]), invoice('INV-L2', [invLine(1, '50.00', '0.00')])]);
    expect(invoices.every((r) => r.ok)).toBe(true);
    await h.resetRequests();
    const listed = await h.connector.listInvoicesOfSuppliers([SUPPLIER.number, '49999']);
    expect(listed.filter((i) => i.invoiceNumber.startsWith('INV-L')).map((i) => [i.invoiceNumber, i.supplier?.number, i.gross])).toEqual([
      ['INV-L1', SUPPLIER.number, '121.00'],
      ['INV-L2', SUPPLIER.number, '50.00'],
    ]);
    expect(listed.every((i) => i.supplier?.number === SUPPLIER.number)).toBe(true);
    // Both numbers in one query (supplier[number][in]), one page.
    const calls = (await h.requests()).filter((r) => r.path.startsWith('/api/invoices'));
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0]!.path, 'http://x').searchParams.get('supplier[number][in]')).toBe(`${SUPPLIER.number},49999`);
    expect(await h.connector.listInvoicesOfSuppliers(['49999'])).toEqual([]);
  });
});

describe('Coupa connector: invoices', () => {
  it('creates a draft and submits it; the date stays the calendar day; found by number + supplier', async () => {
    const h = await harness();
    await h.resetRequests();
    const [result] = await h.connector.upsertInvoices([
      invoice('INV-1', [invLine(1, '100.00', '21.00'), invLine(2, '33.33', '7.00', { quantity: '3', price: '11.11' })]),
    ]);
    expect(result).toMatchObject({ ok: true, draft: 'created', submission: 'submitted' });
    if (!result?.ok) throw new Error('not written');
    expect(result.invoice).toMatchObject({
      invoiceNumber: 'INV-1',
      invoiceDate: '2026-03-01',
      status: 'pending_approval',
      isCreditNote: false,
      remitToCode: 'RT-40001', // the supplier's only remit-to address
      billToLocationCode: 'HQ',
      net: '133.33',
      tax: '28.00',
      gross: '161.33',
    });
    // invoice lookup, supplier read for its remit-to, POST draft, PUT submit.
    expect((await h.requests()).map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'GET /api/invoices',
      'GET /api/suppliers',
      'POST /api/invoices',
      `PUT /api/invoices/${result.id}/submit`,
    ]);
    const stored = byNumber((await h.state()).invoices, 'invoice-number', 'INV-1')[0] ?? {};
    expect(stored['invoice-date']).toBe('2026-03-01T00:00:00+00:00');
    expect(stored['account-type']).toMatchObject({ id: 1 });

    const found = await h.connector.findInvoices([
      { invoiceNumber: 'INV-1', supplier: SUPPLIER },
      { invoiceNumber: 'INV-1', supplier: { number: '40002' } },
    ]);
    expect(found[0]).toEqual(result.invoice);
    expect(found[1]).toBeNull();

    // Again: already submitted, nothing written.
    await h.resetRequests();
    const [again] = await h.connector.upsertInvoices([
      invoice('INV-1', [invLine(1, '100.00', '21.00'), invLine(2, '33.33', '7.00', { quantity: '3', price: '11.11' })], { remitToCode: 'RT-40001' }),
    ]);
    expect(again).toMatchObject({ ok: true, draft: 'found', submission: 'already' });
    expect(apiCalls(await h.requests())).toHaveLength(1);
  });

  it('writes a credit note with the original invoice, and links lines to PO lines', async () => {
    const h = await harness();
    await h.connector.upsertPurchaseOrders([po('EX-10', [poLine(1, '250', '2'), poLine(2, '80', '1')])]);
    const [credit, linked] = await h.connector.upsertInvoices([
      invoice('CN-1', [invLine(1, '-50.00', '-10.50')], {
        creditNote: { originalInvoiceNumber: 'INV-0', originalInvoiceDate: '2026-02-01' },
      }),
      invoice('INV-10', [
        invLine(1, '250', '52.50', { quantity: '2', orderLine: { poNumber: 'EX-10', lineNum: 1 } }),
        invLine(2, '80', '16.80', { orderLine: { poNumber: 'EX-10', lineNum: 2 } }),
      ]),
    ]);
    expect(credit).toMatchObject({ ok: true, invoice: { isCreditNote: true, originalInvoiceNumber: 'INV-0', originalInvoiceDate: '2026-02-01', gross: '-60.50' } });
    const state = await h.state();
    expect(byNumber(state.invoices, 'invoice-number', 'CN-1')[0]?.['document-type']).toBe('Credit Note');
    expect(linked).toMatchObject({ ok: true });
    if (!linked?.ok) throw new Error('not written');
    const poLines = (byNumber(state.purchase_orders, 'po-number', 'EX-10')[0]?.['order-lines'] as Json[]).map((l) => String(l['id']));
    expect(linked.invoice.lines.map((l) => [l.orderLineId, l.poNumber])).toEqual([
      [poLines[0], 'EX-10'],
      [poLines[1], 'EX-10'],
    ]);

    const [unknown] = await h.connector.upsertInvoices([invoice('INV-11', [invLine(1, '1', '0.00', { orderLine: { poNumber: 'EX-404', lineNum: 1 } })])]);
    expect(unknown).toMatchObject({ ok: false, retryable: false, code: 'not-found', message: expect.stringMatching(/PO EX-404 is not in Coupa; sync the purchase order first/) });
  });

  it('never changes an approved or paid invoice: a recognisable, non-retryable refusal', async () => {
    const h = await harness();
    const seeded = (await h.state()).invoices;
    const approved = seeded.find((i) => i['status'] === 'approved' && i['paid'] === false) as Json;
    const paid = seeded.find((i) => i['paid'] === true) as Json;
    const input = (record: Json): InvoiceInput =>
      invoice(String(record['invoice-number']), [invLine(1, '1.00', '0.00')], {
        supplier: { id: String((record['supplier'] as Json)['id']) },
      });
    // The paid one also names a PO Coupa does not have: the lock is what the flow must hear.
    const paidInput = { ...input(paid), lines: [invLine(1, '1.00', '0.00', { orderLine: { poNumber: 'EX-404', lineNum: 1 } })] };
    await h.resetRequests();
    const [a, p] = await h.connector.upsertInvoices([input(approved), paidInput]);
    expect(a).toMatchObject({ ok: false, retryable: false, code: 'invoice-approved', sameAsCoupa: false, id: String(approved['id']) });
    expect(a?.ok === false && a.message).toMatch(/already approved in Coupa \(it differs in .*\); Coupa does not allow changing an approved invoice/);
    expect(p).toMatchObject({ ok: false, retryable: false, code: 'invoice-paid', id: String(paid['id']), sameAsCoupa: false });
    expect((await h.requests()).filter((r) => r.method !== 'GET')).toEqual([]);

    // One of ours approved in Coupa afterwards: a change is refused just the same.
    const [mine] = await h.connector.upsertInvoices([invoice('INV-20', [invLine(1, '10.00', '2.10')])]);
    expect((await h.raw('PUT', `/api/invoices/${mine?.ok ? mine.id : ''}/bypass_approvals`)).status).toBe(200);
    const [changed] = await h.connector.upsertInvoices([invoice('INV-20', [invLine(1, '12.00', '2.52')])]);
    expect(changed).toMatchObject({ ok: false, retryable: false, code: 'invoice-approved', sameAsCoupa: false });
    const [same] = await h.connector.upsertInvoices([invoice('INV-20', [invLine(1, '10.00', '2.10')])]);
    expect(same).toMatchObject({ ok: false, code: 'invoice-approved', sameAsCoupa: true });
  });

  it('brings a draft left by an earlier run up to date and submits it', async () => {
    const h = await harness();
    // A draft as a crashed run would have left it (created, never submitted).
    const draft = await h.raw('POST', '/api/invoices', {
      'invoice-number': 'INV-30',
      'invoice-date': '2026-03-01',
      supplier: { number: '40001' },
      'account-type': { id: 1 },
      'bill-to-address': { 'location-code': 'HQ' },
      'remit-to-address': { 'remit-to-code': 'RT-40001' },
      'supplier-remit-to': { 'remit-to-code': 'RT-40001' },
      'line-level-taxation': true,
      'invoice-lines': [
        { 'line-num': 1, type: 'InvoiceAmountLine', description: 'old', price: '5', 'tax-amount': '0.00', account: { code: '7000-KP100' } },
      ],
    });
    expect(draft.status, await draft.clone().text()).toBe(201);
    const [result] = await h.connector.upsertInvoices([invoice('INV-30', [invLine(1, '10.00', '2.10')])]);
    expect(result).toMatchObject({ ok: true, draft: 'updated', submission: 'submitted', invoice: { gross: '12.10', status: 'pending_approval' } });
    expect(byNumber((await h.state()).invoices, 'invoice-number', 'INV-30')).toHaveLength(1);
  });

  it('marks what it wrote as exported when asked (its own PUT), and on request', async () => {
    const h = await harness({ settings: { markExportedAfterWrite: true } });
    const [order] = await h.connector.upsertPurchaseOrders([po('EX-40', [poLine(1, '10', '1')])]);
    expect(order).toMatchObject({ ok: true, purchaseOrder: { exported: true } });
    const [inv] = await h.connector.upsertInvoices([invoice('INV-40', [invLine(1, '10.00', '0.00')])]);
    expect(inv).toMatchObject({ ok: true, invoice: { exported: true, status: 'pending_approval' } });
    // A new PO version resets exported (§3.3); the write marks it again.
    const [changed] = await h.connector.upsertPurchaseOrders([po('EX-40', [poLine(1, '11', '1')])]);
    expect(changed).toMatchObject({ ok: true, action: 'updated', purchaseOrder: { exported: true, version: 2 } });

    const plain = await harness();
    const [other] = await plain.connector.upsertPurchaseOrders([po('EX-41', [poLine(1, '10', '1')])]);
    expect(other).toMatchObject({ ok: true, purchaseOrder: { exported: false } });
    expect(await plain.connector.markExported('purchase-orders', [other?.ok ? other.id : '', '999999'])).toEqual([
      { id: other?.ok ? other.id : '', ok: true },
      expect.objectContaining({ id: '999999', ok: false, retryable: false, code: 'not-found' }),
    ]);
    expect(byNumber((await plain.state()).purchase_orders, 'po-number', 'EX-41')[0]?.['exported']).toBe(true);
  });
});

describe('Coupa connector: suppliers', () => {
  it('creates and updates suppliers with primary contact and remit-to; unchanged costs no write', async () => {
    const h = await harness();
    const input: SupplierInput = {
      number: '50001',
      name: 'Nieuwe Leverancier B.V.',
      poEmail: 'orders@nieuw.nl',
      primaryContact: { email: 'jan@nieuw.nl', firstName: 'Jan', lastName: 'Jansen' },
      primaryAddress: { street1: 'Kade 1', city: 'Delft', countryCode: 'nl' },
      remitTos: [{ code: 'RT-50001', street1: 'Postbus 1', city: 'Delft', countryCode: 'NL' }],
    };
    const [created] = await h.connector.upsertSuppliers([input]);
    expect(created).toMatchObject({
      ok: true,
      action: 'created',
      supplier: {
        number: '50001',
        primaryContact: { email: 'jan@nieuw.nl', firstName: 'Jan', lastName: 'Jansen' },
        remitTos: [{ code: 'RT-50001', active: true }],
      },
    });
    const [same] = await h.connector.upsertSuppliers([input]);
    expect(same).toMatchObject({ ok: true, action: 'unchanged', matchedBy: 'number' });

    const [updated] = await h.connector.upsertSuppliers([
      { ...input, primaryContact: { email: 'piet@nieuw.nl', firstName: 'Piet', lastName: 'Jansen' }, remitTos: [{ code: 'RT-50001', street1: 'Postbus 2', city: 'Delft', countryCode: 'NL' }, { code: 'RT-50001-B', street1: 'Bank 1', city: 'Delft', countryCode: 'NL' }] },
    ]);
    expect(updated).toMatchObject({ ok: true, action: 'updated', supplier: { primaryContact: { email: 'piet@nieuw.nl' } } });
    const stored = byNumber((await h.state()).suppliers, 'number', '50001');
    expect(stored).toHaveLength(1);
    expect((stored[0]?.['remit-to-addresses'] as Json[]).map((r) => [r['remit-to-code'], r['street1']])).toEqual([
      ['RT-50001', 'Postbus 2'],
      ['RT-50001-B', 'Bank 1'],
    ]);
  });

  it('sets suppliers inactive with one look-up for the batch and one update per active supplier, keeping the name Coupa has; creates none; an inactive one costs no write', async () => {
    const h = await harness();
    await h.connector.upsertSuppliers([
      { number: '50201', name: 'Actief B.V.' },
      { number: '50202', name: 'Al Inactief B.V.', status: 'inactive' },
    ]);
    await h.resetRequests();
    const results = await h.connector.deactivateSuppliers(['50201', '50202', '50299']);
    expect(results).toMatchObject([
      { key: '50201', ok: true, action: 'updated', supplier: { name: 'Actief B.V.', status: 'inactive' } },
      { key: '50202', ok: true, action: 'unchanged' },
      { key: '50299', ok: true, id: null, action: 'unchanged', supplier: null },
    ]);
    const calls = (await h.requests()).filter((r) => r.path.startsWith('/api/suppliers'));
    expect(calls.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(byNumber((await h.state()).suppliers, 'number', '50299')).toEqual([]);
    await h.resetRequests();
    expect((await h.connector.deactivateSuppliers(['50201'])).map((r) => r.ok && r.action)).toEqual(['unchanged']);
    expect((await h.requests()).filter((r) => r.path.startsWith('/api/suppliers')).map((r) => r.method)).toEqual(['GET']);
  });

  it('matches by number, then by name (linking a supplier without number), and refuses a number conflict', async () => {
    const h = await harness();
    expect((await h.raw('POST', '/api/suppliers', { name: 'Zonder Nummer B.V.' })).status).toBe(201);
    const matches = await h.connector.matchSuppliers([
      { number: '40001', name: 'whatever' },
      { number: '50002', name: 'Zonder Nummer B.V.' },
      { number: '50003', name: 'Unknown' },
    ]);
    expect(matches.map((m) => [m.matchedBy, m.supplier?.name ?? null])).toEqual([
      ['number', 'Van den Berg Betonmortel B.V.'],
      ['name', 'Zonder Nummer B.V.'],
      [null, null],
    ]);
    const [linked, conflict] = await h.connector.upsertSuppliers([
      { number: '50002', name: 'Zonder Nummer B.V.' },
      { number: '50004', name: 'Van den Berg Betonmortel B.V.' },
    ]);
    expect(linked).toMatchObject({ ok: true, action: 'updated', matchedBy: 'name', supplier: { number: '50002' } });
    expect(conflict).toMatchObject({ ok: false, retryable: false, code: 'supplier-conflict', message: expect.stringMatching(/with number 40001, not 50004/) });
  });
});

describe('Coupa connector: rate limit, faults and tokens', () => {
  it('paces 75 calls at 25/s with no 429; unpaced, the simulator refuses some and the kit waits them out', async () => {
    const h = await harness({ realTime: true });
    await h.resetRequests();
    await Promise.all(Array.from({ length: 75 }, () => h.connector.listAccountTypes()));
    const paced = await h.requests();
    expect(paced).toHaveLength(75);
    expect(paced.filter((r) => r.status === 429)).toEqual([]);
    expect(h.clock.sleeps.length).toBeGreaterThan(0); // the budget held calls back

    // Control: a budget far above the limit; Coupa's queue of 20 overflows and answers 429.
    const fast = await harness({ settings: { requestsPerSecond: 1000 } });
    await fast.resetRequests();
    const answers = await Promise.all(Array.from({ length: 60 }, () => fast.connector.listAccountTypes()));
    expect(answers.every((a) => a.length === 2)).toBe(true); // the sandbox's two charts of accounts
    expect((await fast.requests()).filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it('rides out a 429 storm on reads and writes, writing each PO once', async () => {
    const h = await harness();
    await h.faults('coupa:storm=3000');
    const results = await h.connector.upsertPurchaseOrders([po('EX-50', [poLine(1, '10', '1')]), po('EX-51', [poLine(1, '20', '1')])]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect((await h.requests()).filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const state = await h.state();
    expect(byNumber(state.purchase_orders, 'po-number', 'EX-50')).toHaveLength(1);
    expect(byNumber(state.purchase_orders, 'po-number', 'EX-51')).toHaveLength(1);
  });

  it('survives 5xx answers: every PO and invoice ends written exactly once, to the cent', async () => {
    const h = await harness();
    await h.faults('coupa:5xx=0.3');
    const orders = Array.from({ length: 12 }, (_, i) => po(`EX-6${String(i).padStart(2, '0')}`, [poLine(1, `${i + 1}.25`, '2')]));
    const invoices = Array.from({ length: 8 }, (_, i) => invoice(`INV-6${i}`, [invLine(1, `${i + 1}.00`, '0.21')], { remitToCode: 'RT-40001' }));
    let poResults = await h.connector.upsertPurchaseOrders(orders);
    let invResults = await h.connector.upsertInvoices(invoices);
    for (let pass = 0; pass < 5 && [...poResults, ...invResults].some((r) => !r.ok); pass += 1) {
      expect([...poResults, ...invResults].every((r) => r.ok || r.retryable)).toBe(true);
      poResults = await h.connector.upsertPurchaseOrders(orders);
      invResults = await h.connector.upsertInvoices(invoices);
    }
    await h.faults('');
    expect([...poResults, ...invResults].every((r) => r.ok)).toBe(true);
    const state = await h.state();
    for (const [i, order] of orders.entries()) {
      const stored = byNumber(state.purchase_orders, 'po-number', order.poNumber);
      expect(stored).toHaveLength(1);
      expect((stored[0]?.['order-lines'] as Json[])[0]?.['total']).toBe((2 * (i + 1) + 0.5).toFixed(2));
    }
    for (const inv of invoices) {
      const stored = byNumber(state.invoices, 'invoice-number', inv.invoiceNumber);
      expect(stored.map((s) => s['status'])).toEqual(['pending_approval']);
    }
    expect((await h.requests()).some((r) => r.status >= 500)).toBe(true);
  });

  it('resolves answers dropped after Coupa committed by lookup: never created twice, nothing issued or submitted twice', async () => {
    const h = await harness({ settings: { issuePurchaseOrders: 'issue' } });
    await h.faults('coupa:drop=1');
    const [order] = await h.connector.upsertPurchaseOrders([po('EX-70', [poLine(1, '10', '3')])]);
    const [inv] = await h.connector.upsertInvoices([invoice('INV-70', [invLine(1, '30.00', '6.30')], { remitToCode: 'RT-40001' })]);
    const [supplier] = await h.connector.upsertSuppliers([{ number: '50070', name: 'Drop B.V.' }]);
    await h.faults('');
    expect(order).toMatchObject({ ok: true, action: 'created', issued: true, purchaseOrder: { status: 'issued', total: '30.00' } });
    expect(inv).toMatchObject({ ok: true, draft: 'created', submission: 'submitted', invoice: { status: 'pending_approval' } });
    expect(supplier).toMatchObject({ ok: true, action: 'created' });
    const state = await h.state();
    expect(byNumber(state.purchase_orders, 'po-number', 'EX-70')).toHaveLength(1);
    expect(byNumber(state.invoices, 'invoice-number', 'INV-70')).toHaveLength(1);
    expect(byNumber(state.suppliers, 'number', '50070')).toHaveLength(1);
    // Each write went out once; its lost answer was resolved by a read.
    const writes = (await h.requests())
      .filter((r) => r.method !== 'GET' && r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path.split('?')[0]?.replace(/\/\d+/g, '/:id')}`);
    expect(writes).toEqual([
      'POST /api/purchase_orders',
      'PUT /api/purchase_orders/:id/issue',
      'POST /api/invoices',
      'PUT /api/invoices/:id/submit',
      'POST /api/suppliers',
    ]);
  });

  it('a run stopped after the draft was created leaves it unsubmitted; the next run finds and submits it', async () => {
    const controller = new AbortController();
    // Stop the run the moment Coupa answered the draft's POST: the submit step must not start.
    const h = await harness({
      onLog: (line) => {
        if (line['msg'] === 'http' && line['method'] === 'POST' && String(line['url']).endsWith('/api/invoices')) controller.abort();
      },
    });
    const input = invoice('INV-80', [invLine(1, '5.00', '0.00')], { remitToCode: 'RT-40001' });
    const [stopped] = await h.connector.upsertInvoices([input], { signal: controller.signal });
    expect(stopped).toMatchObject({ ok: false, retryable: true, code: 'stopped', id: expect.stringMatching(/^\d+$/) });
    expect(byNumber((await h.state()).invoices, 'invoice-number', 'INV-80').map((i) => i['status'])).toEqual(['draft']);
    const [next] = await h.connector.upsertInvoices([input]);
    expect(next).toMatchObject({ ok: true, draft: 'found', submission: 'submitted' });
    expect(byNumber((await h.state()).invoices, 'invoice-number', 'INV-80').map((i) => i['status'])).toEqual(['pending_approval']);
  });

  it('renews an expired token once through custody and repeats the call', async () => {
    const h = await harness();
    h.sim.clock.advance(60_000); // a token in use for a while, not one just minted
    await h.faults('coupa:expire=1');
    await h.faults('');
    await h.resetRequests();
    expect(await h.connector.listUsers()).toHaveLength(2);
    expect(h.unauthorized.count).toBe(1);
    expect((await h.requests()).map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`)).toEqual([
      'GET /api/users 401',
      'POST /oauth2/token 200',
      'GET /api/users 200',
    ]);
  });

  it('waits for a freshly minted token to become active instead of minting another', async () => {
    const h = await harness({ sim: { tokenActivationDelaySeconds: 5 } });
    await h.resetRequests();
    expect(await h.connector.listUsers()).toHaveLength(2);
    expect(h.unauthorized.count).toBe(0);
    expect((await h.requests()).map((r) => r.status)).toEqual([401, 200]);
  });

  it('starts nothing once the run is stopped: every item comes back retryable', async () => {
    const h = await harness();
    const controller = new AbortController();
    controller.abort();
    await h.resetRequests();
    const results = await h.connector.upsertPurchaseOrders([po('EX-90', [poLine(1, '1', '1')])], { signal: controller.signal });
    expect(results).toMatchObject([{ ok: false, retryable: true, code: 'stopped' }]);
    expect(await h.requests()).toEqual([]);
  });
});
