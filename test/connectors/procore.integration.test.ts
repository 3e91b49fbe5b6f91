import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../src-main/auth/custody';
import type { TokenSet } from '../../src-main/auth/custody';
import type { KitClock } from '../../src-main/connectors/_kit';
import { requestCounters, silentLogger } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import type {
  CommitmentUpsert,
  DirectCostUpsert,
  LineUpsert,
  ProcoreConnector,
  ProcoreSettings,
} from '../../src-main/connectors/procore/index';
import { createProcoreConnector } from '../../src-main/connectors/procore/index';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startProcoreSimulator } from '../../src-main/sandbox/procore/index';
import { NeedsReauthError } from '../../src-shared/domain/auth';

// The Procore connector against the real Procore simulator (fact sheet Part 2). Time is the
// simulator's: every wait the connector chooses (budget pacing, Retry-After) moves the
// simulator clock instead of sleeping, so the suite runs in seconds.

type Json = Record<string, unknown>;
type State = Record<string, Json[]>;

/** Each harness gets its own company id, so its rate-limit budget (`procore:<id>`) is its own. */
let nextCompanyId = 562_949_953_100_000 + (process.pid % 1000) * 100;

interface Harness {
  sim: RunningSimulator;
  connector: ProcoreConnector;
  companyId: string;
  clock: KitClock & { sleeps: number[]; onSleep: (() => void) | null };
  /** How often the connector told custody a token was rejected. */
  unauthorized: { count: number };
  state(): Promise<State>;
  faults(spec: string): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const harness of open.splice(0)) {
    await harness.connector.close();
    await harness.sim.close();
  }
});

const RELAXED_SIM = { spikeLimit: 100_000, hourlyLimit: 100_000 };

async function harness(
  options: { sim?: Json; settings?: Partial<ProcoreSettings>; companyId?: string } = {},
): Promise<Harness> {
  const simCompanyId = nextCompanyId++;
  const sim = await startProcoreSimulator({
    dataDir: null,
    seed: 1,
    scale: 1,
    config: { ...RELAXED_SIM, companyId: simCompanyId, ...options.sim },
  });
  const sleeps: number[] = [];
  const clock: Harness['clock'] = {
    sleeps,
    onSleep: null,
    now: () => sim.clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      sim.clock.advance(Math.max(0, ms));
      clock.onSleep?.();
    },
  };
  const credentials = {
    clientId: String(sim.credentials.clientId),
    clientSecret: String(sim.credentials.clientSecret),
  };
  let stored: TokenSet | null = null;
  // Custody asks the connector for tokens; the connector asks custody: tie the knot lazily.
  const connectorRef: { current?: ProcoreConnector } = {};
  const custodian = new TokenCustodian({
    connectionId: `procore-test-${simCompanyId}`,
    vault: {
      load: async () => stored,
      save: async (tokens) => {
        stored = tokens;
      },
      clear: async () => {
        stored = null;
      },
    },
    refresh: () => (connectorRef.current as ProcoreConnector).requestToken(credentials),
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
  const companyId = options.companyId ?? String(simCompanyId);
  const connector = createProcoreConnector(
    { baseUrl: sim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, now: clock.now, tokens },
    {
      companyId,
      apiBaseUrl: sim.baseUrl,
      authBaseUrl: sim.baseUrl,
      rateLimits: { hourly: 100_000, spikePer10s: 100_000 },
      clock,
      ...options.settings,
    },
  );
  connectorRef.current = connector;
  const h: Harness = {
    sim,
    connector,
    companyId,
    clock,
    unauthorized,
    state: async () => (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as State,
    faults: async (spec) => {
      const res = await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec === '' ? { clear: true } : { spec }),
      });
      expect(res.status).toBe(200);
    },
  };
  open.push(h);
  return h;
}

const calls = (): number => requestCounters.get('procore').total;

/** Two projects with their cost codes, one line item type and one vendor from the seed world. */
async function world(h: Harness): Promise<{
  projectId: string;
  otherProjectId: string;
  costCodes: string[];
  otherProjectCostCode: string;
  lineItemTypeId: string;
  vendorId: string;
}> {
  const state = await h.state();
  const projectIds = (state['projects'] ?? []).map((p) => String(p['id']));
  const codesOf = (projectId: string): string[] =>
    (state['cost_codes'] ?? [])
      .filter((c) => String(c['project_id']) === projectId)
      .map((c) => String(c['id']));
  const [projectId = '', otherProjectId = ''] = projectIds;
  return {
    projectId,
    otherProjectId,
    costCodes: codesOf(projectId),
    otherProjectCostCode: codesOf(otherProjectId)[0] ?? '',
    lineItemTypeId: String(state['line_item_types']?.[0]?.['id']),
    vendorId: String(state['vendors']?.find((v) => v['is_active'] !== false)?.['id']),
  };
}

type World = Awaited<ReturnType<typeof world>>;

function line(w: World, originId: string, amount: string, costCode = w.costCodes[0] ?? ''): LineUpsert {
  return {
    originId,
    description: `Line ${originId}`,
    amount,
    quantity: null,
    unitCost: null,
    uom: null,
    costCodeId: costCode,
    lineItemTypeId: w.lineItemTypeId,
  };
}

function commitment(w: World, originId: string, lines: LineUpsert[]): CommitmentUpsert {
  return {
    originId,
    projectId: w.projectId,
    vendorId: w.vendorId,
    title: `PO ${originId}`,
    number: originId.slice(-12),
    description: 'From Exact Online',
    status: 'Draft',
    contractDate: '2026-03-01',
    originCode: originId.slice(-12),
    lines,
  };
}

const withOrigin = (records: Json[] | undefined, originId: string): Json[] =>
  (records ?? []).filter((r) => r['origin_id'] === originId);

describe('Procore connector: token and connection', () => {
  it('gets a client-credentials token (5400 s, no refresh token) and refuses a wrong secret plainly', async () => {
    const h = await harness();
    const before = h.clock.now();
    const tokens = await h.connector.requestToken({
      clientId: String(h.sim.credentials.clientId),
      clientSecret: String(h.sim.credentials.clientSecret),
    });
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    expect(tokens.refreshToken).toBeNull();
    expect(tokens.accessTokenExpiresAt - before).toBeGreaterThanOrEqual(5400 * 1000);
    expect(tokens.accessTokenExpiresAt - before).toBeLessThan(5400 * 1000 + 5000);

    const wrong = h.connector.requestToken({
      clientId: String(h.sim.credentials.clientId),
      clientSecret: 'not-the-secret-xyz',
    });
    await expect(wrong).rejects.toBeInstanceOf(NeedsReauthError);
    await expect(wrong).rejects.toThrow(/invalid_client/);
    await expect(wrong).rejects.not.toThrow(/not-the-secret-xyz/);
  });

  it('testConnection: ok for the right company, plain problems for a wrong or missing company id', async () => {
    const h = await harness();
    const ok = await h.connector.testConnection();
    expect(ok).toEqual({
      ok: true,
      detail: expect.stringMatching(/Connected to Procore company \d+; 6 projects visible/),
    });

    const wrong = await harness({ companyId: '123' });
    expect(await wrong.connector.testConnection()).toEqual({
      ok: false,
      problem:
        'Procore says the app is not connected to company 123; ask a company admin to install the app in that company.',
    });

    const missing = await harness({ companyId: '  ' });
    const before = calls();
    expect(await missing.connector.testConnection()).toEqual({
      ok: false,
      problem: 'The Procore company id is missing; enter the id of the company the app is installed in.',
    });
    expect(calls()).toBe(before); // refused before any network I/O

    const malformed = await harness({ companyId: 'acme' });
    const result = await malformed.connector.testConnection();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/company id "acme" is not a number/);
  });
});

describe('Procore connector: reads', () => {
  it('lists projects and loads reference data completely, following Link pages with the minimal calls', async () => {
    // Small pages force several pages per list; the call count must equal the page count.
    const h = await harness({ settings: { perPage: 7 } });
    const state = await h.state();
    await h.connector.testConnection(); // token first, so the count below is API calls only
    const stateProjects = state['projects'] ?? [];

    let before = calls();
    const projects = await h.connector.listProjects();
    expect(calls() - before).toBe(Math.ceil(stateProjects.length / 7));
    expect(projects.map((p) => p.id).sort()).toEqual(stateProjects.map((p) => String(p['id'])).sort());
    const first = stateProjects[0] as Json;
    expect(projects.find((p) => p.id === String(first['id']))).toEqual({
      id: String(first['id']),
      name: first['name'],
      projectNumber: first['project_number'],
      active: first['active'],
      originId: first['origin_id'],
    });

    const projectIds = projects.map((p) => p.id);
    before = calls();
    const reference = await h.connector.loadReference([...projectIds, '999999999999']);
    const codeCount = (projectId: string): number =>
      (state['cost_codes'] ?? []).filter((c) => String(c['project_id']) === projectId).length;
    const pages = (n: number): number => Math.max(1, Math.ceil(n / 7));
    const vendors = state['vendors'] ?? [];
    const minimal =
      pages(stateProjects.length) +
      projectIds.reduce((sum, id) => sum + pages(codeCount(id)), 0) +
      pages((state['line_item_types'] ?? []).length) +
      pages(vendors.length);
    expect(calls() - before).toBe(minimal);

    expect([...reference.projects.keys()].sort()).toEqual([...projectIds].sort()); // the unknown id is absent
    for (const projectId of projectIds) {
      const expected = new Map(
        (state['cost_codes'] ?? [])
          .filter((c) => String(c['project_id']) === projectId)
          .map((c) => [String(c['full_code']), String(c['id'])]),
      );
      expect(reference.projects.get(projectId)?.costCodes).toEqual(expected);
    }
    expect(reference.lineItemTypes).toEqual(
      new Map((state['line_item_types'] ?? []).map((t) => [String(t['code']), String(t['id'])])),
    );
    expect(reference.vendors).toEqual(
      new Map(
        vendors.filter((v) => v['is_active'] !== false).map((v) => [String(v['id']), String(v['name'])]),
      ),
    );

    const listed = await h.connector.listVendors();
    expect(listed).toHaveLength(vendors.length);
    const withCode = vendors.find((v) => v['origin_code']) ?? (vendors[0] as Json);
    expect(listed.find((v) => v.id === String(withCode['id']))).toMatchObject({
      name: withCode['name'],
      originId: withCode['origin_id'] ?? null,
      originCode: withCode['origin_code'] ?? null,
    });
  });
});

describe('Procore connector: commitments', () => {
  it('creates commitments with lines to the cent, then updates them in place on a second sync', async () => {
    const h = await harness();
    const w = await world(h);
    await h.connector.testConnection();
    const batch = [
      commitment(w, 'po-a', [line(w, 'po-a-1', '1000.10'), line(w, 'po-a-2', '0.20', w.costCodes[1])]),
      commitment(w, 'po-b', [line(w, 'po-b-1', '99999999.99')]),
      commitment(w, 'po-c', [
        line(w, 'po-c-1', '0.01'),
        line(w, 'po-c-2', '-0.01'),
        line(w, 'po-c-3', '12.5'),
      ]),
    ];

    let before = calls();
    const created = await h.connector.upsertCommitments(w.projectId, batch);
    // Minimal plan: 1 header sync + 1 line sync per commitment + 1 read-back of the totals.
    expect(calls() - before).toBe(1 + 3 + 1);
    expect(created.map((r) => [r.originId, r.ok, r.ok && r.grandTotal])).toEqual([
      ['po-a', true, '1000.30'],
      ['po-b', true, '99999999.99'],
      ['po-c', true, '12.50'],
    ]);

    let state = await h.state();
    for (const result of created) {
      if (!result.ok) throw new Error(result.message);
      const records = withOrigin(state['purchase_order_contracts'], result.originId);
      expect(records).toHaveLength(1);
      expect(String(records[0]?.['id'])).toBe(result.targetId);
      expect(records[0]?.['grand_total']).toBe(result.grandTotal);
      for (const [lineOrigin, lineId] of result.lineIds) {
        const lines = withOrigin(state['line_items'], lineOrigin);
        expect(lines.map((l) => String(l['id']))).toEqual([lineId]);
        expect(String(lines[0]?.['contract_id'])).toBe(result.targetId);
      }
    }
    expect(created[0]?.ok && created[0].lineIds.size).toBe(2);

    // Second sync: one amount changed. Same records, no duplicates, new total.
    const changed = structuredClone(batch);
    (changed[1]?.lines[0] as LineUpsert).amount = '88888888.88';
    before = calls();
    const updated = await h.connector.upsertCommitments(w.projectId, changed);
    expect(calls() - before).toBe(5);
    expect(updated.map((r) => r.ok && r.targetId)).toEqual(created.map((r) => r.ok && r.targetId));
    expect(updated[1]?.ok && updated[1].grandTotal).toBe('88888888.88');
    state = await h.state();
    for (const originId of ['po-a', 'po-b', 'po-c'])
      expect(withOrigin(state['purchase_order_contracts'], originId)).toHaveLength(1);
    for (const originId of ['po-a-1', 'po-a-2', 'po-b-1', 'po-c-1', 'po-c-2', 'po-c-3'])
      expect(withOrigin(state['line_items'], originId)).toHaveLength(1);
    expect(withOrigin(state['line_items'], 'po-b-1')[0]?.['amount']).toBe('88888888.88');
  });

  it('reports each refused item on its own and still writes the others', async () => {
    const h = await harness();
    const w = await world(h);
    const results = await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'ok-1', [line(w, 'ok-1-1', '10.00')]),
      commitment(w, 'bad-code', [
        line(w, 'bad-code-1', '5.00'),
        line(w, 'bad-code-2', '7.00', w.otherProjectCostCode),
      ]),
      { ...commitment(w, 'bad-vendor', [line(w, 'bad-vendor-1', '1.00')]), vendorId: '1' },
      commitment(w, 'bad-amount', [line(w, 'bad-amount-1', '1.005')]),
      commitment(w, 'ok-2', [line(w, 'ok-2-1', '20.00')]),
    ]);
    expect(results.map((r) => [r.originId, r.ok])).toEqual([
      ['ok-1', true],
      ['bad-code', false],
      ['bad-vendor', false],
      ['bad-amount', false],
      ['ok-2', true],
    ]);
    const [, badCode, badVendor, badAmount] = results;
    // The header was saved but one line was refused: the result says which and keeps the id.
    expect(badCode).toMatchObject({ ok: false, retryable: false, targetId: expect.stringMatching(/^\d+$/) });
    expect(!badCode?.ok && badCode?.message).toMatch(
      /^Procore saved commitment bad-code but refused 1 of its lines \(line 2 \(Line bad-code-2\): Cost code id: .+\)\.$/,
    );
    expect(!badCode?.ok && Object.keys(badCode?.fieldErrors ?? {})).toEqual([
      'lines[bad-code-2].cost_code_id',
    ]);
    expect(badVendor).toMatchObject({ ok: false, retryable: false, targetId: null });
    expect(!badVendor?.ok && badVendor?.message).toMatch(
      /^Procore refused commitment bad-vendor: Vendor id: .*vendor 1 .*\.$/,
    );
    expect(!badVendor?.ok && badVendor?.fieldErrors['vendor_id']).toHaveLength(1);
    // Refused locally: fractions of a cent are never rounded silently, and nothing is sent.
    expect(!badAmount?.ok && badAmount?.message).toMatch(/fractions of a cent/);
    const state = await h.state();
    expect(withOrigin(state['purchase_order_contracts'], 'bad-vendor')).toHaveLength(0);
    expect(withOrigin(state['purchase_order_contracts'], 'bad-amount')).toHaveLength(0);
    expect(withOrigin(state['purchase_order_contracts'], 'ok-2')[0]?.['grand_total']).toBe('20.00');
  });

  it('marks every item not retryable when Procore refuses the whole call (unknown project)', async () => {
    const h = await harness();
    const w = await world(h);
    const elsewhere = { ...w, projectId: '999999999999' };
    const results = await h.connector.upsertCommitments(elsewhere.projectId, [
      commitment(elsewhere, 'po-x', [line(w, 'po-x-1', '1.00')]),
      commitment(elsewhere, 'po-y', []),
    ]);
    expect(results.map((r) => [r.originId, r.ok, !r.ok && r.retryable])).toEqual([
      ['po-x', false, false],
      ['po-y', false, false],
    ]);
    expect(!results[0]?.ok && results[0]?.message).toMatch(
      /^Procore refused the whole commitment sync call: /,
    );
  });

  it('reports a total mismatch as an error (a line Procore holds that this sync did not send)', async () => {
    const h = await harness();
    const w = await world(h);
    await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'po-m', [line(w, 'po-m-1', '10.00'), line(w, 'po-m-2', '5.00')]),
    ]);
    const [result] = await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'po-m', [line(w, 'po-m-1', '10.00')]),
    ]);
    expect(result).toMatchObject({ ok: false, retryable: false, targetId: expect.stringMatching(/^\d+$/) });
    expect(!result?.ok && result?.message).toBe(
      "Procore's total for commitment po-m is 15.00 but the lines sent add up to 10.00; Procore may hold lines this sync did not send.",
    );
  });

  it('chunks more than 1000 commitments into sync calls of at most 1000', async () => {
    const h = await harness();
    const w = await world(h);
    await h.connector.testConnection();
    const batch = Array.from({ length: 1001 }, (_, i) =>
      commitment(w, `bulk-${String(i).padStart(4, '0')}`, []),
    );
    const before = calls();
    const results = await h.connector.upsertCommitments(w.projectId, batch);
    expect(results.every((r) => r.ok)).toBe(true);
    // 2 header syncs (1000 + 1) and ceil(1001 / 100) read-backs; no line calls for empty SOVs.
    expect(calls() - before).toBe(2 + 11);
    const state = await h.state();
    const bulk = (state['purchase_order_contracts'] ?? []).filter((c) =>
      String(c['origin_id']).startsWith('bulk-'),
    );
    expect(bulk).toHaveLength(1001);
    expect(new Set(bulk.map((c) => c['origin_id'])).size).toBe(1001);
  });

  it('after a dropped answer (committed, response lost) finds the commitment by origin id', async () => {
    const h = await harness({ settings: { retry: { maxAttempts: 2 } } });
    const w = await world(h);
    await h.connector.testConnection();
    await h.faults('procore:drop=1');
    const [lost] = await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'po-drop', [line(w, 'po-drop-1', '42.42')]),
    ]);
    expect(lost).toMatchObject({ ok: false, retryable: true, targetId: null });
    expect(!lost?.ok && lost?.message).toMatch(/may or may not have been saved, so look it up by origin id/);
    await h.faults('');

    const before = calls();
    const found = await h.connector.findCommitmentsByOrigin(w.projectId, ['po-drop']);
    expect(calls() - before).toBe(2); // one filtered list + its lines
    const state = await h.state();
    const stored = withOrigin(state['purchase_order_contracts'], 'po-drop');
    expect(stored).toHaveLength(1); // both attempts were dropped after commit: still one record
    expect(found.get('po-drop')).toEqual({
      id: String(stored[0]?.['id']),
      status: 'Draft',
      grandTotal: '0.00',
      lines: [],
    });

    // Resolving, then writing again, completes the same commitment.
    const [done] = await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'po-drop', [line(w, 'po-drop-1', '42.42')]),
    ]);
    expect(done).toMatchObject({ ok: true, targetId: String(stored[0]?.['id']), grandTotal: '42.42' });

    // Several ids: one paged listing of the project, filtered here, plus lines per found record.
    const many = await h.connector.findCommitmentsByOrigin(w.projectId, ['po-drop', 'unknown-origin']);
    expect([...many.keys()]).toEqual(['po-drop']);
    expect(many.get('po-drop')?.lines).toEqual([
      { id: (done?.ok && done.lineIds.get('po-drop-1')) || '', originId: 'po-drop-1', amount: '42.42' },
    ]);
  });

  it('retries a sync whose answer was dropped after commit and leaves exactly one entity', async () => {
    const h = await harness();
    const w = await world(h);
    await h.connector.testConnection();
    await h.faults('procore:drop=1');
    h.clock.onSleep = () => {
      h.sim.faults.clear(); // the retry's answer arrives
    };
    const results = await h.connector.upsertCommitments(w.projectId, [
      commitment(w, 'po-retry', [line(w, 'po-retry-1', '300.00')]),
    ]);
    expect(results[0]).toMatchObject({ ok: true, grandTotal: '300.00' });
    expect(h.clock.sleeps.length).toBeGreaterThanOrEqual(1); // the kit did retry
    const state = await h.state();
    expect(withOrigin(state['purchase_order_contracts'], 'po-retry')).toHaveLength(1);
    expect(withOrigin(state['line_items'], 'po-retry-1')).toHaveLength(1);
  });
});

describe('Procore connector: direct costs', () => {
  it('round-trips direct costs with lines and finds them by origin id', async () => {
    const h = await harness();
    const w = await world(h);
    await h.connector.testConnection();
    const cost = (originId: string, lines: LineUpsert[]): DirectCostUpsert => ({
      originId,
      projectId: w.projectId,
      vendorId: w.vendorId,
      invoiceNumber: `INV-${originId}`,
      date: '2026-03-05',
      description: `Invoice ${originId}`,
      status: 'pending',
      lines,
    });
    const batch = [
      cost('inv-1', [line(w, 'inv-1-a', '1234.56'), line(w, 'inv-1-b', '0.44')]),
      cost('inv-2', [line(w, 'inv-2-a', '10.00', w.otherProjectCostCode)]),
      cost('inv-3', [line(w, 'inv-3-a', '0.01')]),
    ];
    const before = calls();
    const results = await h.connector.upsertDirectCosts(w.projectId, batch);
    // 1 header sync + 1 line sync for all lines of the project + 1 read-back.
    expect(calls() - before).toBe(3);
    expect(results.map((r) => [r.originId, r.ok, r.ok ? r.grandTotal : r.message])).toEqual([
      ['inv-1', true, '1235.00'],
      [
        'inv-2',
        false,
        expect.stringMatching(
          /^Procore saved direct cost inv-2 but refused 1 of its lines \(line 1 \(Line inv-2-a\): Cost code id: /,
        ),
      ],
      ['inv-3', true, '0.01'],
    ]);

    const state = await h.state();
    const stored = withOrigin(state['direct_costs'], 'inv-1');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      direct_cost_type: 'invoice',
      invoice_number: 'INV-inv-1',
      status: 'pending',
      grand_total: '1235.00',
    });

    const found = await h.connector.findDirectCostsByOrigin(w.projectId, ['inv-1', 'inv-3', 'inv-9']);
    const first = results[0];
    if (!first?.ok) throw new Error('inv-1 should be ok');
    expect(found.get('inv-1')).toEqual({
      id: first.targetId,
      status: 'pending',
      grandTotal: '1235.00',
      lines: [
        { id: first.lineIds.get('inv-1-a'), originId: 'inv-1-a', amount: '1234.56' },
        { id: first.lineIds.get('inv-1-b'), originId: 'inv-1-b', amount: '0.44' },
      ],
    });
    expect([...found.keys()].sort()).toEqual(['inv-1', 'inv-3']);

    // Again with the same data: same records, nothing duplicated.
    const again = await h.connector.upsertDirectCosts(w.projectId, [batch[0] as DirectCostUpsert]);
    expect(again[0]).toMatchObject({ ok: true, targetId: first.targetId, grandTotal: '1235.00' });
    expect(withOrigin((await h.state())['direct_cost_line_items'], 'inv-1-a')).toHaveLength(1);
  });
});

describe('Procore connector: tokens and rate limits', () => {
  it('renews an expired token once through custody and repeats the call', async () => {
    const h = await harness();
    await h.connector.listProjects();
    await h.faults('procore:expire=1');
    const before = requestCounters.get('procore');
    const projects = await h.connector.listProjects();
    expect(projects).toHaveLength(6);
    expect(h.unauthorized.count).toBe(1);
    const after = requestCounters.get('procore');
    // 401, token call, repeated list.
    expect(after.total - before.total).toBe(3);
    expect(after.byStatusClass['4xx'] - before.byStatusClass['4xx']).toBe(1);
  });

  it('honours Retry-After on a 429 and then succeeds', async () => {
    const h = await harness();
    await h.connector.listProjects();
    await h.faults('procore:429=1');
    h.clock.onSleep = () => h.sim.faults.clear();
    const before = requestCounters.get('procore');
    await h.connector.listProjects();
    const after = requestCounters.get('procore');
    expect(after.byStatusClass['4xx'] - before.byStatusClass['4xx']).toBe(1);
    expect(after.total - before.total).toBe(2);
    // The spike window is 10 s: the wait is the server's Retry-After (seconds), not a jittered guess.
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(h.clock.sleeps[0] ?? 0).toBeLessThanOrEqual(10_000);
    expect((h.clock.sleeps[0] ?? 0) % 1000).toBe(0);
  });

  it('paces by the X-Rate-Limit headers when the server spike limit is lower than configured', async () => {
    const h = await harness({ sim: { spikeLimit: 3 } });
    const before = requestCounters.get('procore');
    for (let i = 0; i < 4; i += 1) await h.connector.listProjects();
    const after = requestCounters.get('procore');
    // 1 token call + 4 lists, and not a single 429: the headers made the budget wait instead.
    expect(after.total - before.total).toBe(5);
    expect(after.byStatusClass['4xx'] - before.byStatusClass['4xx']).toBe(0);
    expect(h.clock.sleeps.length).toBeGreaterThanOrEqual(1);
  });
});
