import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startProcoreSimulator } from '../../src-main/sandbox/procore/index';
import { generateWorld } from '../../src-main/sandbox/seed/world';

// Conformance of the Procore simulator for what flows F2 (→ Acumatica) and F3 (→ Sage Intacct)
// read and write back (shared/api/exact-online-procore.md Part 2, §2.4/§2.5), next to
// procore.conformance.integration.test.ts. Titles start with the fact-sheet section they check;
// "SDK" = Procore's OpenAPI-generated SDK the fact sheet cites as its source.

type Json = Record<string, unknown>;

interface Api {
  companyId: number;
  get(path: string): Promise<Response>;
  send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Response>;
  json<T = Json>(path: string): Promise<T>;
}

async function api(sim: RunningSimulator): Promise<Api> {
  const tokenRes = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: String(sim.credentials.clientId),
      client_secret: String(sim.credentials.clientSecret),
    }),
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const companyId = Number(sim.credentials.companyId);
  const headers = { authorization: `Bearer ${token}`, 'procore-company-id': String(companyId) };
  const url = (path: string): string => `${sim.baseUrl}/rest/v1.0/${path}`;
  return {
    companyId,
    get: (path) => fetch(url(path), { headers }),
    send: (method, path, body) =>
      fetch(url(path), {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    json: async <T = Json>(path: string): Promise<T> => {
      const res = await fetch(url(path), { headers });
      expect(res.status, `GET ${path}`).toBe(200);
      return (await res.json()) as T;
    },
  };
}

const cents = (amount: unknown): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(String(amount));
  if (!m) throw new Error(`not a two-decimal money string: ${String(amount)}`);
  const v = BigInt(m[2] as string) * 100n + BigInt(m[3] as string);
  return m[1] ? -v : v;
};

const sumCents = (items: Json[], field: string): bigint => items.reduce((s, i) => s + cents(i[field]), 0n);

describe('Procore simulator: what F2/F3 read and write back', () => {
  let sim: RunningSimulator;
  let a: Api;
  let state: Record<string, Json[]>;

  beforeAll(async () => {
    sim = await startProcoreSimulator({ dataDir: null, config: { spikeLimit: 100_000, hourlyLimit: 100_000 } });
    a = await api(sim);
    state = (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Record<string, Json[]>;
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('demo world: records for F2/F3 to post', () => {
    it('has approved and not-approved invoices, change-order items with retainage, approved direct costs, approved and pending CCOs, linked and unlinked vendors', () => {
      const statuses = new Set((state['requisitions'] ?? []).map((r) => r['status']));
      expect(statuses).toContain('approved');
      expect([...statuses].some((s) => s !== 'approved' && s !== 'approved_as_noted')).toBe(true);
      const coItems = state['change_order_items'] ?? [];
      expect(coItems.length).toBeGreaterThan(0);
      expect(coItems.some((i) => cents(i['work_completed_retainage_retained_this_period']) !== 0n)).toBe(true);
      expect((state['direct_costs'] ?? []).some((d) => d['status'] === 'approved')).toBe(true);
      const ccoStatuses = new Set((state['commitment_change_orders'] ?? []).map((c) => c['status']));
      expect(ccoStatuses).toContain('approved');
      expect(ccoStatuses).toContain('pending');
      const vendors = state['vendors'] ?? [];
      expect(vendors.some((v) => v['origin_id'] !== null && v['synced_to_erp'] === true)).toBe(true);
      expect(vendors.some((v) => v['origin_id'] === null && v['synced_to_erp'] === false)).toBe(true);
    });

    it('change-order items bill only approved change orders, on the latest invoice of the commitment', () => {
      const ccos = new Map((state['commitment_change_orders'] ?? []).map((c) => [c['id'], c]));
      const requisitions = state['requisitions'] ?? [];
      for (const item of state['change_order_items'] ?? []) {
        expect(ccos.get(item['change_order_package_id'])?.['status']).toBe('approved');
        const invoice = requisitions.find((r) => r['id'] === item['requisition_id']) as Json;
        const latest = Math.max(
          ...requisitions.filter((r) => r['commitment_id'] === invoice['commitment_id']).map((r) => Number(r['number'])),
        );
        expect(invoice['number']).toBe(latest);
      }
    });

    it('vendors linked to the ERP carry their Acumatica vendor id as origin_id (the world is unchanged)', () => {
      const world = generateWorld(1, 1);
      const acumaticaIds = new Set(world.suppliers.map((s) => s.acumaticaVendorId));
      for (const vendor of state['vendors'] ?? [])
        if (vendor['origin_id'] !== null) expect(acumaticaIds).toContain(vendor['origin_id']);
    });
  });

  describe('2.5 requisition change_order_items (G703 change-order lines)', () => {
    it('2.5 contract items + change order items add up to total_claimed_amount; SDK columns are present', async () => {
      const item = (state['change_order_items'] ?? [])[0] as Json;
      const invoice = await a.json(`requisitions/${String(item['requisition_id'])}`);
      const projectId = String(invoice['project_id']);
      const contract = await a.json<Json[]>(
        `requisitions/${String(invoice['id'])}/contract_items?project_id=${projectId}`,
      );
      const changeOrder = await a.json<Json[]>(
        `requisitions/${String(invoice['id'])}/change_order_items?project_id=${projectId}`,
      );
      expect(changeOrder.length).toBeGreaterThan(0);
      expect(
        sumCents(contract, 'work_completed_this_period') +
          sumCents(contract, 'materials_presently_stored') +
          sumCents(changeOrder, 'work_completed_this_period') +
          sumCents(changeOrder, 'materials_presently_stored'),
      ).toBe(cents(invoice['total_claimed_amount']));
      for (const i of changeOrder) {
        expect(i).toMatchObject({ item_type: 'change_order_item' });
        for (const field of [
          'cost_code_id',
          'line_item_id',
          'change_order_package_id',
          'scheduled_value',
          'work_completed_from_previous_application',
          'total_completed_and_stored_to_date',
          'work_completed_retainage_retained_this_period',
          'work_completed_retainage_released_this_period',
          'materials_stored_retainage_currently_retained',
        ])
          expect(i, field).toHaveProperty(field);
        const co = await a.json(`projects/${projectId}/commitment_change_orders/${String(i['change_order_package_id'])}`);
        const line = (co['line_items'] as Json[]).find((l) => l['id'] === i['line_item_id']) as Json;
        expect(i['scheduled_value']).toBe(line['amount']);
      }
      for (const i of contract) expect(i).toMatchObject({ item_type: 'contract_item' });
      const shown = await a.json(`requisitions/${String(invoice['id'])}/change_order_items/${String(changeOrder[0]?.['id'])}?project_id=${projectId}`);
      expect(shown['id']).toBe(changeOrder[0]?.['id']);
    });

    it('2.5 the invoice summary splits change-order items into additive and deductive totals', async () => {
      const items = state['change_order_items'] ?? [];
      const invoiceId = items[0]?.['requisition_id'];
      const mine = items.filter((i) => i['requisition_id'] === invoiceId);
      const invoice = await a.json(`requisitions/${String(invoiceId)}`);
      const summary = invoice['summary'] as Json;
      const positive = mine.filter((i) => cents(i['work_completed_this_period']) >= 0n);
      const negative = mine.filter((i) => cents(i['work_completed_this_period']) < 0n);
      expect(cents(summary['positive_new_change_order_item_total'])).toBe(sumCents(positive, 'work_completed_this_period'));
      expect(cents(summary['negative_new_change_order_item_total'])).toBe(sumCents(negative, 'work_completed_this_period'));
    });
  });

  describe('2.5 contract payments (payments issued against a commitment)', () => {
    let projectId: string;
    let commitmentId: string;
    let invoice: Json;

    beforeAll(() => {
      invoice = (state['requisitions'] ?? []).find((r) => r['status'] === 'approved') as Json;
      projectId = String(invoice['project_id']);
      commitmentId = String(invoice['commitment_id']);
    });

    it('2.5 create, list, show; draw_request_number links the invoice; total_payments follows', async () => {
      const kind = invoice['commitment_type'] === 'WorkOrderContract' ? 'work_order_contracts' : 'purchase_order_contracts';
      const before = await a.json(`${kind}/${commitmentId}?project_id=${projectId}`);
      const created = await a.send('POST', 'contract_payments', {
        project_id: Number(projectId),
        contract_id: Number(commitmentId),
        contract_payment: {
          amount: '1234.56',
          date: '2026-11-02',
          check_number: 'CHK-1',
          draw_request_number: invoice['number'],
          origin_id: 'ERP-PAY-1',
        },
      });
      expect(created.status).toBe(201);
      const payment = (await created.json()) as Json;
      expect(payment).toMatchObject({
        amount: '1234.56',
        requisition_id: invoice['id'],
        contract_id: Number(commitmentId),
        origin_id: 'ERP-PAY-1',
        payment_number: 1,
      });
      const listed = await a.json<Json[]>(`contract_payments?project_id=${projectId}&contract_id=${commitmentId}`);
      expect(listed.map((p) => p['id'])).toEqual([payment['id']]);
      const shown = await a.json(`contract_payments/${String(payment['id'])}?project_id=${projectId}&contract_id=${commitmentId}`);
      expect(shown['check_number']).toBe('CHK-1');
      const after = await a.json(`${kind}/${commitmentId}?project_id=${projectId}`);
      expect(cents(after['total_payments']) - cents(before['total_payments'])).toBe(123456n);
      expect(cents(after['remaining_balance_outstanding'])).toBe(cents(after['revised_contract']) - cents(after['total_payments']));
    });

    it('2.5 a payment synced with an ERP locks all but origin_id / origin_data (SDK); deleting it is allowed', async () => {
      const [payment] = await a.json<Json[]>(`contract_payments?project_id=${projectId}&contract_id=${commitmentId}`);
      const path = `contract_payments/${String(payment?.['id'])}`;
      const locked = await a.send('PATCH', path, {
        project_id: Number(projectId),
        contract_id: Number(commitmentId),
        contract_payment: { amount: '1.00' },
      });
      expect(locked.status).toBe(422);
      expect(((await locked.json()) as { errors: Json }).errors['amount']).toBeDefined();
      const note = await a.send('PATCH', path, {
        project_id: Number(projectId),
        contract_id: Number(commitmentId),
        contract_payment: { origin_data: 'check cleared' },
      });
      expect(note.status).toBe(200);
      const del = await a.send('DELETE', `${path}?project_id=${projectId}&contract_id=${commitmentId}`);
      expect(del.status).toBe(200);
      expect((await a.get(`${path}?project_id=${projectId}&contract_id=${commitmentId}`)).status).toBe(404);
    });

    it('2.5 amount and date are required; an unknown invoice number → 422; a duplicate origin_id → 409', async () => {
      const body = (payment: Json): Json => ({
        project_id: Number(projectId),
        contract_id: Number(commitmentId),
        contract_payment: payment,
      });
      const missing = await a.send('POST', 'contract_payments', body({ check_number: 'X' }));
      expect(missing.status).toBe(422);
      const errors = ((await missing.json()) as { errors: Json }).errors;
      expect(errors['amount']).toBeDefined();
      expect(errors['date']).toBeDefined();
      const noInvoice = await a.send('POST', 'contract_payments', body({ amount: '1.00', date: '2026-11-02', draw_request_number: 999 }));
      expect(noInvoice.status).toBe(422);
      expect((await a.send('POST', 'contract_payments', body({ amount: '1.00', date: '2026-11-02', origin_id: 'DUP' }))).status).toBe(201);
      expect((await a.send('POST', 'contract_payments', body({ amount: '1.00', date: '2026-11-02', origin_id: 'DUP' }))).status).toBe(409);
    });

    it('2.4 the list documents no filters: filters[…] → 400; a commitment of another project → 404', async () => {
      expect((await a.get(`contract_payments?project_id=${projectId}&contract_id=${commitmentId}&filters[origin_id]=DUP`)).status).toBe(400);
      const other = (state['projects'] ?? []).find((p) => String(p['id']) !== projectId) as Json;
      expect((await a.get(`contract_payments?project_id=${String(other['id'])}&contract_id=${commitmentId}`)).status).toBe(404);
      expect((await a.get(`contract_payments?project_id=${projectId}`)).status).toBe(400);
    });
  });

  describe('2.5 commitment change orders: the documented list filters', () => {
    it('2.5 filters id / contract_id work; updated_at, origin_id and status are not filters of this list (400)', async () => {
      const cco = (state['commitment_change_orders'] ?? [])[0] as Json;
      const base = `projects/${String(cco['project_id'])}/commitment_change_orders`;
      const byContract = await a.json<Json[]>(`${base}?filters[contract_id]=${String(cco['contract_id'])}`);
      expect(byContract.every((c) => c['contract_id'] === cco['contract_id'])).toBe(true);
      expect((await a.json<Json[]>(`${base}?filters[id]=${String(cco['id'])}`)).map((c) => c['id'])).toEqual([cco['id']]);
      for (const filter of ['filters[updated_at]=2026-01-01...2026-12-31', 'filters[origin_id]=X', 'filters[status]=approved'])
        expect((await a.get(`${base}?${filter}`)).status, filter).toBe(400);
    });
  });

  describe('2.5 vendors: active list and the inactive list', () => {
    it('2.5 GET /vendors lists active vendors only; a deactivated vendor moves to /companies/{id}/vendors/inactive', async () => {
      const active = await a.json<Json[]>(`vendors?company_id=${a.companyId}&per_page=1000`);
      expect(active.every((v) => v['is_active'] === true)).toBe(true);
      const vendor = active[0] as Json;
      const sync = await a.send('PATCH', 'vendors/sync', {
        company_id: a.companyId,
        updates: [{ id: vendor['id'], is_active: false }],
      });
      expect(((await sync.json()) as { entities: Json[] }).entities).toHaveLength(1);
      const activeAfter = await a.json<Json[]>(`vendors?company_id=${a.companyId}&per_page=1000`);
      expect(activeAfter.map((v) => v['id'])).not.toContain(vendor['id']);
      const inactive = await a.json<Json[]>(`companies/${a.companyId}/vendors/inactive`);
      expect(inactive.map((v) => v['id'])).toEqual([vendor['id']]);
      const filtered = await a.json<Json[]>(
        `companies/${a.companyId}/vendors/inactive?filters[updated_at]=2000-01-01T00:00:00Z...2000-01-02T00:00:00Z`,
      );
      expect(filtered).toEqual([]);
      expect((await a.get(`companies/${a.companyId + 1}/vendors/inactive`)).status).toBe(403);
    });
  });
});
