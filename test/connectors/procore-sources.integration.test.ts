import { afterEach, describe, expect, it } from 'vitest';
import type { KitClock } from '../../src-main/connectors/_kit';
import { requestCounters, silentLogger } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider, SourcePage } from '../../src-main/connectors/connector';
import type { ProcoreConnector, ProcoreSettings } from '../../src-main/connectors/procore/index';
import { createProcoreConnector } from '../../src-main/connectors/procore/index';
import type { SimClock } from '../../src-main/sandbox/_common/clock';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startProcoreSimulator } from '../../src-main/sandbox/procore/index';
import type {
  ProcoreRequisition,
  ProcoreSourceDeletion,
} from '../../src-shared/domain/records';

// The Procore connector's F2/F3 side against the real Procore simulator: the cursor reads of
// commitments, change orders, subcontractor invoices, direct costs and vendors (fact sheet
// §2.4/§2.5), and the write-backs (ERP link, vendors, cost codes, payments). Time is a manual
// clock shared by simulator and connector: every wait moves it, and tests set it to put two
// changes in the same second.

type Json = Record<string, unknown>;
type State = Record<string, Json[]>;

let nextCompanyId = 562_949_953_200_000 + (process.pid % 1000) * 100;

/** Simulator time the test sets; the connector's waits move it forward. */
function manualClock(start: number): SimClock & { set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    offsetMs: () => now - Date.now(),
    set: (ms) => {
      now = ms;
    },
  };
}

interface Harness {
  sim: RunningSimulator;
  connector: ProcoreConnector;
  clock: ReturnType<typeof manualClock>;
  sleeps: number[];
  /** Called after each wait of the connector (e.g. to clear a fault before its retry). */
  onSleep: (() => void) | null;
  state(): Promise<State>;
  faults(spec: string): Promise<void>;
  /** Procore's REST API as another user of the company (edits records between reads). */
  rest(method: 'GET' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Json>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.connector.close();
    await h.sim.close();
  }
});

/** 2026-12-01T10:00:00.250Z: a quarter second past a whole second. */
const START = Date.UTC(2026, 11, 1, 10, 0, 0, 250);

async function harness(options: { sim?: Json; settings?: Partial<ProcoreSettings> } = {}): Promise<Harness> {
  const companyId = nextCompanyId++;
  const clock = manualClock(START);
  const sim = await startProcoreSimulator({
    dataDir: null,
    seed: 1,
    scale: 1,
    clock,
    config: { spikeLimit: 100_000, hourlyLimit: 100_000, companyId, ...options.sim },
  });
  const sleeps: number[] = [];
  const kitClock: KitClock = {
    now: () => clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(Math.max(0, ms));
      h.onSleep?.();
    },
  };
  const credentials = { clientId: String(sim.credentials.clientId), clientSecret: String(sim.credentials.clientSecret) };
  const ref: { connector?: ProcoreConnector; token?: string } = {};
  const fresh = async (): Promise<string> => {
    ref.token = (await (ref.connector as ProcoreConnector).requestToken(credentials)).accessToken;
    return ref.token;
  };
  const tokens: AccessTokenProvider = {
    getAccessToken: async () => ref.token ?? fresh(),
    handleUnauthorized: () => fresh(),
  };
  const connector = createProcoreConnector(
    { baseUrl: sim.baseUrl, allowedHosts: ['127.0.0.1'], logger: silentLogger, now: clock.now, tokens },
    {
      companyId: String(companyId),
      apiBaseUrl: sim.baseUrl,
      authBaseUrl: sim.baseUrl,
      rateLimits: { hourly: 100_000, spikePer10s: 100_000 },
      clock: kitClock,
      ...options.settings,
    },
  );
  ref.connector = connector;
  let restToken: string | null = null;
  const h: Harness = {
    sim,
    connector,
    clock,
    sleeps,
    onSleep: null,
    state: async () => (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as State,
    faults: async (spec) => {
      const res = await fetch(`${sim.baseUrl}/_sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec === '' ? { clear: true } : { spec }),
      });
      expect(res.status).toBe(200);
    },
    rest: async (method, path, body) => {
      restToken ??= (
        (await (
          await fetch(`${sim.baseUrl}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
          })
        ).json()) as { access_token: string }
      ).access_token;
      const res = await fetch(`${sim.baseUrl}/rest/v1.0/${path}`, {
        method,
        headers: { authorization: `Bearer ${restToken}`, 'procore-company-id': String(companyId), 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(300);
      return (text ? JSON.parse(text) : {}) as Json;
    },
  };
  open.push(h);
  return h;
}

async function drain<R, D = never>(pages: AsyncIterable<SourcePage<R, D>>): Promise<{
  pages: SourcePage<R, D>[];
  records: R[];
  deletions: D[];
  cursor: string | null;
}> {
  const all: SourcePage<R, D>[] = [];
  for await (const page of pages) all.push(page);
  return {
    pages: all,
    records: all.flatMap((p) => p.records),
    deletions: all.flatMap((p) => p.deletions),
    cursor: all.length === 0 ? null : (all[all.length - 1] as SourcePage<R, D>).cursorAfter,
  };
}

const calls = (): number => requestCounters.get('procore').total;
const ids = (records: { sourceId: string }[]): string[] => records.map((r) => r.sourceId).sort();
const cents = (amount: string): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!m) throw new Error(`not money: ${amount}`);
  const v = BigInt(m[2] as string) * 100n + BigInt(m[3] as string);
  return m[1] ? -v : v;
};
const SECOND = 1000;

/** Sets an approved invoice's erp_status as a Procore user would: its updated_at moves to now. */
async function touchInvoice(h: Harness, invoice: Json, value: string): Promise<void> {
  await h.rest('PATCH', `requisitions/${String(invoice['id'])}`, {
    project_id: invoice['project_id'],
    requisition: { erp_status: value },
  });
}

describe('Procore connector (F2/F3): subcontractor invoices', () => {
  it('reads every approved invoice once, across projects and pages of 4, and resumes from any page', async () => {
    const h = await harness({ settings: { perPage: 4 } });
    const state = await h.state();
    const approved = (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved' || r['status'] === 'approved_as_noted');
    const read = await drain(h.connector.readRequisitions(null));
    expect(ids(read.records)).toEqual(approved.map((r) => String(r['id'])).sort());
    expect(read.pages.length).toBeGreaterThan(6); // pages of 4 over 6 projects
    // A run stopped after any page resumes from that page's cursor and misses nothing after it.
    for (const [index, page] of read.pages.entries()) {
      const resumed = await drain(h.connector.readRequisitions(page.cursorAfter));
      const handedOver = read.pages.slice(0, index + 1).flatMap((p) => p.records);
      const union = new Set([...ids(handedOver), ...ids(resumed.records)]);
      expect(union.size, `resumed after page ${index + 1}`).toBe(approved.length);
    }
  });

  it('maps each invoice with its G703 lines, retainage and vendor, at the documented call cost', async () => {
    const h = await harness();
    const state = await h.state();
    const approved = (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved' || r['status'] === 'approved_as_noted');
    const before = calls();
    const read = await drain(h.connector.readRequisitions(null));
    expect(ids(read.records)).toEqual(approved.map((r) => String(r['id'])).sort());
    for (const invoice of read.records) {
      const wire = approved.find((r) => String(r['id']) === invoice.sourceId) as Json;
      expect(invoice.totalClaimed).toBe(wire['total_claimed_amount']);
      const billed = invoice.lines.reduce((s, l) => s + cents(l.billedThisPeriod), 0n);
      expect(billed).toBe(cents(invoice.totalClaimed));
      expect(cents(invoice.netPayable)).toBe(cents(invoice.totalClaimed) - cents(invoice.retainageThisPeriod) + cents(invoice.retainageReleasedThisPeriod));
      expect(invoice.vendor?.name).toBe(wire['vendor_name']);
      expect(invoice.commitmentNumber).toMatch(/^(SC|PO)-\d{3}$/);
      for (const line of invoice.lines) expect(line.costCode).toMatch(/^\d{2}-\d{3}$/);
    }
    const withChangeOrders = read.records.filter((r) => r.lines.some((l) => l.itemType === 'change-order'));
    expect(withChangeOrders.length).toBeGreaterThan(0);
    const coItems = state['change_order_items'] ?? [];
    for (const invoice of withChangeOrders)
      for (const line of invoice.lines.filter((l) => l.itemType === 'change-order')) {
        const wire = coItems.find((i) => String(i['id']) === line.sourceLineId) as Json;
        expect(line.changeOrderId).toBe(String(wire['change_order_package_id']));
        expect(line.retainageRetainedThisPeriod).toBe(wire['work_completed_retainage_retained_this_period']);
      }
    // token (1) + projects (1) + one invoice list per project + 2 item lists per approved invoice
    // + per project with approved invoices: cost codes (1), commitments (1); line item types once.
    const projects = (state['projects'] ?? []).length;
    const projectsWithApproved = new Set(approved.map((r) => String(r['project_id']))).size;
    expect(calls() - before).toBe(1 + 1 + projects + 2 * approved.length + 2 * projectsWithApproved + 1);
    // Resuming from the stored cursor finds nothing new.
    const again = await drain(h.connector.readRequisitions(read.cursor));
    expect(again.records).toEqual([]);
  });

  it('passes over other statuses, and returns them when asked for', async () => {
    const h = await harness();
    const state = await h.state();
    const wanted = ['under_review', 'revise_and_resubmit'];
    const read = await drain(h.connector.readRequisitions(null, { statuses: wanted }));
    expect(ids(read.records)).toEqual(
      (state['requisitions'] ?? []).filter((r) => wanted.includes(String(r['status']))).map((r) => String(r['id'])).sort(),
    );
    expect(read.records.every((r) => wanted.includes(r.status))).toBe(true);
  });

  it('resumes without loss at a shared updated_at: a change committed later in the same second is read, one already read is not', async () => {
    const h = await harness();
    const first = await drain(h.connector.readRequisitions(null));
    const approved = (await h.state())['requisitions']?.filter((r) => r['status'] === 'approved') ?? [];
    const [a, b] = approved as [Json, Json];
    const second = Date.UTC(2026, 11, 1, 11, 0, 0);
    h.clock.set(second + 100);
    await touchInvoice(h, a, 'queued');
    h.clock.set(second + 10 * SECOND);
    const afterA = await drain(h.connector.readRequisitions(first.cursor));
    expect(ids(afterA.records)).toEqual([String(a['id'])]);
    // B's change carries the same second (its transaction committed after the read); A is
    // changed again within that second too. Both must come through, and nothing else.
    h.clock.set(second + 600);
    await touchInvoice(h, b, 'queued');
    await touchInvoice(h, a, 'posting');
    h.clock.set(second + 20 * SECOND);
    const afterB = await drain(h.connector.readRequisitions(afterA.cursor));
    expect(ids(afterB.records)).toEqual([String(a['id']), String(b['id'])].sort());
    expect(afterB.records.find((r) => r.sourceId === String(a['id']))?.erpStatus).toBe('posting');
    const quiet = await drain(h.connector.readRequisitions(afterB.cursor));
    expect(quiet.records).toEqual([]);
  });

  it('reads a change only once it has settled (cursorSettleSeconds behind the clock)', async () => {
    const h = await harness({ settings: { cursorSettleSeconds: 5 } });
    const first = await drain(h.connector.readRequisitions(null));
    const invoice = ((await h.state())['requisitions'] ?? []).find((r) => r['status'] === 'approved') as Json;
    await touchInvoice(h, invoice, 'queued');
    h.clock.advance(2 * SECOND);
    const early = await drain(h.connector.readRequisitions(first.cursor));
    expect(early.records).toEqual([]);
    h.clock.advance(5 * SECOND);
    const later = await drain(h.connector.readRequisitions(early.cursor ?? first.cursor));
    expect(ids(later.records)).toEqual([String(invoice['id'])]);
  });

  it('a record changed while its project is being walked is not lost (the project is read again next time)', async () => {
    const h = await harness({ settings: { perPage: 2 } });
    const state = await h.state();
    const approved = (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved');
    const counts = new Map<string, number>();
    for (const r of state['requisitions'] ?? []) counts.set(String(r['project_id']), (counts.get(String(r['project_id'])) ?? 0) + 1);
    const busiest = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] as string;
    const pages = h.connector.readRequisitions(null)[Symbol.asyncIterator]();
    const seen: ProcoreRequisition[] = [];
    let cursor: string | null = null;
    let touched: Json | null = null;
    for (let page = await pages.next(); !page.done; page = await pages.next()) {
      seen.push(...page.value.records);
      cursor = page.value.cursorAfter;
      // After the first page of the busiest project, a Procore user edits an invoice it already returned.
      const first = page.value.records[0];
      if (!touched && first && first.projectId === busiest) {
        touched = approved.find((r) => String(r['id']) === first.sourceId) as Json;
        h.clock.advance(SECOND);
        await touchInvoice(h, touched, 'edited during the read');
      }
    }
    expect(touched).not.toBeNull();
    h.clock.advance(10 * SECOND);
    const next = await drain(h.connector.readRequisitions(cursor));
    const union = new Set([...ids(seen), ...ids(next.records)]);
    expect([...union].sort()).toEqual(approved.map((r) => String(r['id'])).concat(
      (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved_as_noted').map((r) => String(r['id'])),
    ).sort());
    expect(next.records.find((r) => r.sourceId === String(touched?.['id']))?.erpStatus).toBe('edited during the read');
    // The other projects' checkpoints moved: only the busiest project is read again.
    expect(new Set(next.records.map((r) => r.projectId))).toEqual(new Set([busiest]));
  });

  it('returns a row it cannot read as unreadable, with the reason, and goes on with the page', async () => {
    const h = await harness();
    const state = await h.state();
    const item = (state['contract_items'] ?? []).find((i) =>
      (state['requisitions'] ?? []).some((r) => r['id'] === i['requisition_id'] && r['status'] === 'approved'),
    ) as Json;
    // A contract item coded to a cost code the project does not have (written behind the API).
    const items = h.sim.store.collection<Json>('requisition_contract_items');
    const stored = items.get(Number(item['id'])) as Json;
    h.sim.store.transaction(() => items.put(Number(item['id']), { ...stored, cost_code_id: 999_999_999 }));
    const read = await drain(h.connector.readRequisitions(null));
    const unreadable = read.pages.flatMap((p) => p.unreadable ?? []);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ sourceId: String(item['requisition_id']) });
    expect(unreadable[0]?.label).toMatch(/^Subcontractor invoice #\d+/);
    // The item is named by its place and description of work, never by Procore's ids (the item's or the code's).
    expect(unreadable[0]?.problem).toMatch(/^contract item \d+ \(.+\) of Subcontractor invoice #\d+.* is coded to a cost code the project no longer has\. Correct it in Procore/);
    expect(unreadable[0]?.problem).not.toMatch(/\d{6,}/);
    expect(String((unreadable[0]?.raw as Json)['id'])).toBe(String(item['requisition_id']));
    const approved = (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved' || r['status'] === 'approved_as_noted');
    expect(read.records).toHaveLength(approved.length - 1);
  });

  it('rides out a 429 storm (waiting, not failing): the read completes with every record', async () => {
    const h = await harness();
    const expected = ids((await drain(h.connector.readRequisitions(null))).records);
    await h.faults('procore:storm=30000');
    const stormy = await drain(h.connector.readRequisitions(null));
    expect(ids(stormy.records)).toEqual(expected);
    expect(h.sleeps.reduce((s, ms) => s + ms, 0)).toBeGreaterThanOrEqual(30_000 - SECOND);
  });

  it('under 5xx faults a failed read resumes from the last page handed over and loses nothing', async () => {
    const h = await harness({ settings: { perPage: 5 } });
    const expected = ids((await drain(h.connector.readRequisitions(null))).records);
    await h.faults('procore:5xx=0.15');
    const before5xx = requestCounters.get('procore').byStatusClass['5xx'];
    const handedOver: ProcoreRequisition[] = [];
    let cursor: string | null = null;
    let failures = 0;
    // What the engine does: store each page's cursor, and after a failed run start again from it.
    for (let run = 0; run < 200; run += 1) {
      try {
        for await (const page of h.connector.readRequisitions(cursor)) {
          handedOver.push(...page.records);
          cursor = page.cursorAfter;
        }
        break;
      } catch {
        failures += 1;
      }
    }
    await h.faults('');
    expect(requestCounters.get('procore').byStatusClass['5xx']).toBeGreaterThan(before5xx);
    expect(failures).toBeGreaterThan(0);
    expect([...new Set(ids(handedOver))].sort()).toEqual(expected);
    expect((await drain(h.connector.readRequisitions(cursor))).records).toEqual([]);
  });

  it('refuses a cursor of another stream before any call', async () => {
    const h = await harness();
    const vendors = await drain(h.connector.readVendors(null));
    const before = calls();
    await expect(drain(h.connector.readRequisitions(vendors.cursor))).rejects.toThrow(/not a Procore requisitions cursor/);
    expect(calls()).toBe(before);
  });
});

describe('Procore connector (F2/F3): commitments, change orders, direct costs, vendors, reference', () => {
  it('reads purchase order and work order contracts with their SOV to the cent, and soft deletions', async () => {
    const h = await harness();
    const state = await h.state();
    const read = await drain(h.connector.readCommitments(null));
    const wire = [...(state['purchase_order_contracts'] ?? []), ...(state['work_order_contracts'] ?? [])];
    expect(ids(read.records)).toEqual(wire.map((c) => String(c['id'])).sort());
    for (const c of read.records) {
      const w = wire.find((x) => String(x['id']) === c.sourceId) as Json;
      expect(c.grandTotal).toBe(w['grand_total']);
      expect(c.revisedContract).toBe(w['revised_contract']);
      expect(c.commitmentType).toBe(String(c.number).startsWith('SC') ? 'work-order' : 'purchase-order');
      expect(c.lines.reduce((s, l) => s + cents(l.amount), 0n)).toBe(cents(c.grandTotal));
      expect(c.lines.every((l) => l.lineItemTypeCode !== null)).toBe(true);
    }
    // A Procore user deletes a Draft purchase order: the next read says so.
    const draft = (state['purchase_order_contracts'] ?? []).find((c) => c['status'] === 'Draft') as Json;
    h.clock.advance(SECOND);
    await h.rest('DELETE', `purchase_order_contracts/${String(draft['id'])}?project_id=${String((draft['project'] as Json)['id'])}`);
    h.clock.advance(10 * SECOND);
    const next = await drain(h.connector.readCommitments(read.cursor));
    expect(next.records).toEqual([]);
    expect(next.deletions).toEqual([
      expect.objectContaining<Partial<ProcoreSourceDeletion>>({ entity: 'procore-commitment', sourceId: String(draft['id']) }),
    ]);
  });

  it('reads commitment change orders (no updated_at filter on that list: filtered by the connector) with their lines', async () => {
    const h = await harness();
    const state = await h.state();
    const read = await drain(h.connector.readCommitmentChangeOrders(null));
    const wire = state['commitment_change_orders'] ?? [];
    expect(ids(read.records)).toEqual(wire.map((c) => String(c['id'])).sort());
    expect(new Set(read.records.map((c) => c.status))).toEqual(new Set(wire.map((c) => c['status'])));
    for (const co of read.records) {
      expect(co.lines?.reduce((s, l) => s + cents(l.amount), 0n)).toBe(cents(co.grandTotal));
      expect(co.commitmentId).toBe(String(wire.find((w) => String(w['id']) === co.sourceId)?.['contract_id']));
    }
    const pending = wire.find((c) => c['status'] === 'pending') as Json;
    h.clock.advance(SECOND);
    await h.rest('PATCH', `projects/${String(pending['project_id'])}/commitment_change_orders/${String(pending['id'])}`, {
      change_order: { status: 'approved' },
    });
    h.clock.advance(10 * SECOND);
    const next = await drain(h.connector.readCommitmentChangeOrders(read.cursor));
    expect(next.records.map((c) => [c.sourceId, c.status])).toEqual([[String(pending['id']), 'approved']]);
  });

  it('reads approved direct costs with their lines; unreadable money is reported, not rounded', async () => {
    const h = await harness();
    const state = await h.state();
    const approved = (state['direct_costs'] ?? []).filter((d) => d['status'] === 'approved');
    const line = (state['direct_cost_line_items'] ?? []).find((l) => l['direct_cost_id'] === approved[0]?.['id']) as Json;
    const lines = h.sim.store.collection<Json>('direct_cost_line_items');
    h.sim.store.transaction(() => lines.put(Number(line['id']), { ...(lines.get(Number(line['id'])) as Json), amount: '10.005' }));
    const read = await drain(h.connector.readDirectCosts(null));
    expect(ids(read.records)).toEqual(approved.slice(1).map((d) => String(d['id'])).sort());
    const unreadable = read.pages.flatMap((p) => p.unreadable ?? []);
    expect(unreadable.map((u) => u.sourceId)).toEqual([String(approved[0]?.['id'])]);
    expect(unreadable[0]?.problem).toMatch(/10\.005 has fractions of a cent/);
    for (const d of read.records) expect(d.lines.reduce((s, l) => s + cents(l.amount), 0n)).toBe(cents(d.grandTotal));
  });

  it('reads active and inactive vendors, and a deactivation as a change', async () => {
    const h = await harness();
    const state = await h.state();
    const read = await drain(h.connector.readVendors(null));
    expect(ids(read.records)).toEqual((state['vendors'] ?? []).map((v) => String(v['id'])).sort());
    expect(read.records.some((v) => v.originId !== null)).toBe(true);
    const vendor = read.records[0] as (typeof read.records)[number];
    h.clock.advance(SECOND);
    await h.rest('PATCH', 'vendors/sync', { company_id: Number(h.sim.credentials.companyId), updates: [{ id: Number(vendor.sourceId), is_active: false }] });
    h.clock.advance(10 * SECOND);
    const next = await drain(h.connector.readVendors(read.cursor));
    expect(next.records.map((v) => [v.sourceId, v.active])).toEqual([[vendor.sourceId, false]]);
  });

  it('lists every vendor as it is now, one edited a second ago included (the sync read holds it back for its settle window)', async () => {
    const h = await harness();
    const read = await drain(h.connector.readVendors(null));
    const vendor = read.records[0] as (typeof read.records)[number];
    h.clock.advance(SECOND);
    await h.rest('PATCH', 'vendors/sync', { company_id: Number(h.sim.credentials.companyId), updates: [{ id: Number(vendor.sourceId), is_active: false }] });
    // Within the settle window the sync read does not hand the change over yet…
    expect((await drain(h.connector.readVendors(read.cursor))).records).toEqual([]);
    // …a listing the user asked for shows it.
    const listed = await h.connector.listVendorRecords();
    expect(ids(listed)).toEqual(ids(read.records));
    expect(listed.find((v) => v.sourceId === vendor.sourceId)?.active).toBe(false);
  });

  it('lists a project\'s cost codes and the line item types', async () => {
    const h = await harness();
    const state = await h.state();
    const projectId = String(state['projects']?.[0]?.['id']);
    const codes = await h.connector.listCostCodes(projectId);
    expect(codes.map((c) => c.id).sort()).toEqual(
      (state['cost_codes'] ?? []).filter((c) => String(c['project_id']) === projectId).map((c) => String(c['id'])).sort(),
    );
    expect(codes.every((c) => c.fullCode !== '' && c.parentId === null)).toBe(true);
    const types = await h.connector.listLineItemTypes();
    expect(types.map((t) => t.code).sort()).toEqual((state['line_item_types'] ?? []).map((t) => String(t['code'])).sort());
  });
});


describe('Procore connector (F2/F3): write-backs', () => {
  const approvedInvoices = (state: State): Json[] => (state['requisitions'] ?? []).filter((r) => r['status'] === 'approved');

  it('markSynced writes the ERP link onto invoices (one PATCH each) and direct costs (one sync call), found again by origin id', async () => {
    const h = await harness();
    const state = await h.state();
    const [i1, i2] = approvedInvoices(state) as [Json, Json];
    const before = calls();
    const results = await h.connector.markSynced('requisition', [
      { projectId: String(i1['project_id']), id: String(i1['id']), originId: 'ACU-BILL-1', originData: 'AP bill 000001', erpStatus: 'synced' },
      { projectId: String(i2['project_id']), id: String(i2['id']), originId: 'ACU-BILL-2', originData: null },
      { projectId: String(i2['project_id']), id: 'not-an-id', originId: 'ACU-BILL-3', originData: null },
    ]);
    expect(calls() - before).toBe(1 + 2); // token + one PATCH per valid invoice
    expect(results.map((r) => [r.key, r.ok])).toEqual([[String(i1['id']), true], [String(i2['id']), true], ['not-an-id', false]]);
    expect(results[2]).toMatchObject({ ok: false, retryable: false });
    const found = await h.connector.findRequisitionsByOrigin(String(i1['project_id']), ['ACU-BILL-1']);
    expect(found.get('ACU-BILL-1')).toMatchObject({ id: String(i1['id']), originData: 'AP bill 000001', erpStatus: 'synced', status: 'approved' });
    // The same ERP id on a second invoice: Procore keeps origin_id unique, the item says so plainly.
    const clash = await h.connector.markSynced('requisition', [
      { projectId: String(i2['project_id']), id: String(i2['id']), originId: 'ACU-BILL-1', originData: null },
    ]);
    expect(clash[0]).toMatchObject({ ok: false, retryable: false });
    expect(clash[0]?.ok === false && clash[0].message).toMatch(/ERP id ACU-BILL-1 is already on another record/);

    const costs = (state['direct_costs'] ?? []).filter((d) => d['status'] === 'approved' && d['project_id'] === state['direct_costs']?.[0]?.['project_id']);
    const projectId = String(costs[0]?.['project_id']);
    const beforeCosts = calls();
    const linked = await h.connector.markSynced(
      'direct-cost',
      costs.slice(0, 2).map((d, n) => ({ projectId, id: String(d['id']), originId: `ACU-DC-${n}`, originData: 'posted' })),
    );
    expect(calls() - beforeCosts).toBe(1);
    expect(linked.every((r) => r.ok)).toBe(true);
    const foundCosts = await h.connector.findDirectCostsByOrigin(projectId, ['ACU-DC-0', 'ACU-DC-1']);
    expect([...foundCosts.values()].map((f) => f.id).sort()).toEqual(costs.slice(0, 2).map((d) => String(d['id'])).sort());
  });

  it('markSynced after a dropped answer (Procore committed) repeats the PATCH safely and ends ok', async () => {
    const h = await harness();
    const invoice = approvedInvoices(await h.state())[0] as Json;
    await h.connector.listProjects();
    await h.faults('procore:drop=1');
    h.onSleep = () => h.sim.faults.clear(); // the retry (after the kit's wait) gets its answer
    const results = await h.connector.markSynced('requisition', [
      { projectId: String(invoice['project_id']), id: String(invoice['id']), originId: 'ACU-DROP-1', originData: null },
    ]);
    expect(h.sleeps.length).toBeGreaterThan(0); // the PATCH was repeated
    expect(results[0]).toMatchObject({ ok: true, procoreId: String(invoice['id']) });
    const shown = await h.rest('GET', `requisitions/${String(invoice['id'])}`);
    expect(shown['origin_id']).toBe('ACU-DROP-1');
  });

  it('upsertVendors creates, updates and links vendors by origin id; bad input is refused without a call; a dropped answer leaves one vendor', async () => {
    const h = await harness();
    const existing = ((await h.state())['vendors'] ?? []).find((v) => v['origin_id'] === null) as Json;
    const before = calls();
    const results = await h.connector.upsertVendors([
      { originId: 'V009001', originCode: 'V009001', name: 'Nieuwbouw Pieters B.V.', countryCode: 'nl', emailAddress: 'ap@pieters.nl' },
      { originId: 'V009002', procoreId: String(existing['id']), name: String(existing['name']) },
      { originId: 'V009003', name: 'Bad Country Ltd', countryCode: 'Netherlands' },
      { originId: 'V009004', name: '   ' },
    ]);
    expect(calls() - before).toBe(1 + 1);
    expect(results.map((r) => [r.key, r.ok])).toEqual([['V009001', true], ['V009002', true], ['V009003', false], ['V009004', false]]);
    expect(results[1]).toMatchObject({ ok: true, procoreId: String(existing['id']) });
    expect(results[2]?.ok === false && results[2].message).toMatch(/two-letter ISO code/);
    const update = await h.connector.upsertVendors([{ originId: 'V009001', name: 'Nieuwbouw Pieters Holding B.V.' }]);
    expect(update[0]).toMatchObject({ ok: true, procoreId: results[0]?.ok ? results[0].procoreId : '' });
    const found = await h.connector.findVendorsByOrigin(['V009001', 'V009002']);
    expect(found.get('V009001')).toMatchObject({ name: 'Nieuwbouw Pieters Holding B.V.', countryCode: 'NL', originCode: 'V009001' });
    expect(found.get('V009002')?.sourceId).toBe(String(existing['id']));
    // By Procore id, as it is now: a vendor edited a moment ago (the stream's settle window would leave it out) and an unknown id.
    const byId = await h.connector.findVendorsById([String(existing['id']), '999']);
    expect([...byId.keys()]).toEqual([String(existing['id'])]);
    expect(byId.get(String(existing['id']))).toMatchObject({ originId: 'V009002', name: String(existing['name']) });

    await h.faults('procore:drop=1');
    h.onSleep = () => h.sim.faults.clear();
    const dropped = await h.connector.upsertVendors([{ originId: 'V009010', name: 'Dropped Answer B.V.' }]);
    expect(dropped[0]?.ok).toBe(true);
    expect(h.sleeps.length).toBeGreaterThan(0);
    const vendors = [...((await h.state())['vendors'] ?? [])].filter((v) => v['origin_id'] === 'V009010');
    expect(vendors).toHaveLength(1);
  });

  it('upsertCostCodes creates and updates project cost codes by origin id; an origin id of another project is refused', async () => {
    const h = await harness();
    const [p1, p2] = ((await h.state())['projects'] ?? []).map((p) => String(p['id'])) as [string, string];
    const created = await h.connector.upsertCostCodes(p1, [
      { originId: `ACU-51000@${p1}`, code: '51-000', name: 'Subcontract costs' },
      { originId: `ACU-99000@${p1}`, code: '99-000', name: 'Contingency' },
    ]);
    expect(created.every((r) => r.ok)).toBe(true);
    const renamed = await h.connector.upsertCostCodes(p1, [{ originId: `ACU-99000@${p1}`, code: '99-000', name: 'Contingency (ERP)' }]);
    expect(renamed[0]).toMatchObject({ ok: true, procoreId: created[1]?.ok ? created[1].procoreId : '' });
    const found = await h.connector.findCostCodesByOrigin(p1, [`ACU-51000@${p1}`, `ACU-99000@${p1}`]);
    expect(found.get(`ACU-99000@${p1}`)).toMatchObject({ fullCode: '99-000', name: 'Contingency (ERP)' });
    expect((await h.connector.listCostCodes(p1)).some((c) => c.originId === `ACU-51000@${p1}`)).toBe(true);
    const elsewhere = await h.connector.upsertCostCodes(p2, [{ originId: `ACU-51000@${p1}`, code: '51-000', name: 'Subcontract costs' }]);
    expect(elsewhere[0]).toMatchObject({ ok: false, retryable: false });
  });

  it('recordPayments: a check becomes a contract payment and the invoice payment date; a second check moves it; a voided check reverses it', async () => {
    const h = await harness();
    const invoice = approvedInvoices(await h.state())[0] as Json;
    const base = {
      target: 'requisition' as const,
      projectId: String(invoice['project_id']),
      requisitionId: String(invoice['id']),
      requisitionNumber: Number(invoice['number']),
      commitmentId: String(invoice['commitment_id']),
      voided: false,
    };
    const before = calls();
    const first = await h.connector.recordPayments([
      { ...base, paymentOriginId: 'CHK-100', amount: '1000.00', date: '2026-11-05', checkNumber: '100', erpStatus: 'paid' },
    ]);
    expect(calls() - before).toBe(1 + 3); // token + payments list + create + invoice PATCH
    expect(first[0]).toMatchObject({ key: 'CHK-100', ok: true });
    let shown = await h.rest('GET', `requisitions/${base.requisitionId}`);
    expect(shown).toMatchObject({ payment_date: '2026-11-05', erp_status: 'paid' });
    await h.connector.recordPayments([{ ...base, paymentOriginId: 'CHK-101', amount: '250.10', date: '2026-11-20' }]);
    expect((await h.rest('GET', `requisitions/${base.requisitionId}`))['payment_date']).toBe('2026-11-20');
    const payments = await h.connector.findContractPaymentsByOrigin(base.projectId, base.commitmentId, ['CHK-100', 'CHK-101']);
    expect([...payments.values()].map((p) => [p.originId, p.amount, p.requisitionId])).toEqual([
      ['CHK-100', '1000.00', base.requisitionId],
      ['CHK-101', '250.10', base.requisitionId],
    ]);
    // The same check again (a replay) records nothing twice.
    await h.connector.recordPayments([{ ...base, paymentOriginId: 'CHK-100', amount: '1000.00', date: '2026-11-05' }]);
    expect((await h.connector.findContractPaymentsByOrigin(base.projectId, base.commitmentId, ['CHK-100'])).size).toBe(1);
    const voided = await h.connector.recordPayments([{ ...base, paymentOriginId: 'CHK-101', amount: '250.10', date: '2026-11-20', voided: true }]);
    expect(voided[0]).toMatchObject({ ok: true });
    shown = await h.rest('GET', `requisitions/${base.requisitionId}`);
    expect(shown['payment_date']).toBe('2026-11-05');
    expect((await h.connector.findContractPaymentsByOrigin(base.projectId, base.commitmentId, ['CHK-101'])).size).toBe(0);
    await h.connector.recordPayments([{ ...base, paymentOriginId: 'CHK-100', amount: '1000.00', date: '2026-11-05', voided: true }]);
    expect((await h.rest('GET', `requisitions/${base.requisitionId}`))['payment_date']).toBeNull();
  });

  it('recordPayments after a dropped create: the item is retryable, the lookup finds the payment, the retry adds none', async () => {
    const h = await harness();
    const invoice = approvedInvoices(await h.state())[1] as Json;
    const payment = {
      target: 'requisition' as const,
      paymentOriginId: 'CHK-DROP',
      projectId: String(invoice['project_id']),
      requisitionId: String(invoice['id']),
      requisitionNumber: Number(invoice['number']),
      commitmentId: String(invoice['commitment_id']),
      amount: '99.99',
      date: '2026-11-07',
      voided: false,
    };
    await h.connector.listProjects();
    // Drop only the create (a POST): the list before it is a GET, which the drop fault skips.
    await h.faults('procore:drop=1');
    const lost = await h.connector.recordPayments([payment]);
    await h.faults('');
    expect(lost[0]).toMatchObject({ ok: false, retryable: true });
    expect(lost[0]?.ok === false && lost[0].message).toMatch(/look it up by origin id/);
    const found = await h.connector.findContractPaymentsByOrigin(payment.projectId, payment.commitmentId, ['CHK-DROP']);
    expect(found.get('CHK-DROP')?.amount).toBe('99.99');
    const retried = await h.connector.recordPayments([payment]);
    expect(retried[0]).toMatchObject({ ok: true, procoreId: found.get('CHK-DROP')?.id });
    expect((await h.connector.findContractPaymentsByOrigin(payment.projectId, payment.commitmentId, ['CHK-DROP'])).size).toBe(1);
    expect((await h.rest('GET', `requisitions/${payment.requisitionId}`))['payment_date']).toBe('2026-11-07');
  });

  it('recordPayments sets and clears a direct cost payment_date (one sync call per project)', async () => {
    const h = await harness();
    const cost = ((await h.state())['direct_costs'] ?? []).find((d) => d['status'] === 'approved') as Json;
    const projectId = String(cost['project_id']);
    const item = { target: 'direct-cost' as const, paymentOriginId: 'CHK-DC-1', projectId, directCostId: String(cost['id']) };
    const paid = await h.connector.recordPayments([{ ...item, paymentDate: '2026-11-09' }]);
    expect(paid[0]).toMatchObject({ ok: true, procoreId: String(cost['id']) });
    expect((await h.rest('GET', `projects/${projectId}/direct_costs/${String(cost['id'])}`))['payment_date']).toBe('2026-11-09');
    await h.connector.recordPayments([{ ...item, paymentDate: null }]);
    expect((await h.rest('GET', `projects/${projectId}/direct_costs/${String(cost['id'])}`))['payment_date']).toBeNull();
  });

  it('write-backs: a 429 is waited out and the retry-safe sync repeated; persistent 5xx ends the payment retryable, nothing repeated blindly', async () => {
    const h = await harness();
    const invoice = approvedInvoices(await h.state())[2] as Json;
    await h.connector.listProjects();
    await h.faults('procore:429=1');
    h.onSleep = () => h.sim.faults.clear();
    const limited = await h.connector.upsertVendors([{ originId: 'V009100', name: 'Rate Limited B.V.' }]);
    expect(limited[0]?.ok).toBe(true);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(SECOND); // Procore's Retry-After, in whole seconds

    h.onSleep = null;
    await h.faults('procore:5xx=1');
    const failed = await h.connector.recordPayments([
      {
        target: 'requisition',
        paymentOriginId: 'CHK-5XX',
        projectId: String(invoice['project_id']),
        requisitionId: String(invoice['id']),
        requisitionNumber: Number(invoice['number']),
        commitmentId: String(invoice['commitment_id']),
        amount: '10.00',
        date: '2026-11-10',
        voided: false,
      },
    ]);
    await h.faults('');
    expect(failed[0]).toMatchObject({ ok: false, retryable: true });
  });

  it('a stopped run (aborted signal) starts no call; every item comes back retryable', async () => {
    const h = await harness();
    await h.connector.listProjects();
    const controller = new AbortController();
    controller.abort();
    const before = calls();
    const results = await h.connector.upsertVendors([{ originId: 'V009200', name: 'Stopped B.V.' }], { signal: controller.signal });
    const payments = await h.connector.recordPayments(
      [{ target: 'direct-cost', paymentOriginId: 'X', projectId: '1', directCostId: '2', paymentDate: null }],
      { signal: controller.signal },
    );
    expect(calls()).toBe(before);
    expect([...results, ...payments].every((r) => !r.ok && r.retryable)).toBe(true);
  });
});
