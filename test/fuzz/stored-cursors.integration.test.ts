import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkcePair } from '../../src-main/auth/pkce';
import { DEFAULT_CURSOR_SETTLE_SECONDS } from '../../src-main/connectors/procore';
import { F5_MAPPING_SETS } from '../../src-main/engine/flows/exact-coupa/mappings';
import { F5_FLOW } from '../../src-main/engine/flows/exact-coupa/model';
import { loadF3Mappings } from '../../src-main/engine/flows/procore-intacct/mappings';
import { DEFAULT_POLICY as F3_DEFAULT_POLICY } from '../../src-main/engine/flows/procore-intacct/policy';
import { findFlow } from '../../src-main/engine/flows/registry';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import type { RunningSimulator } from '../../src-main/sandbox';
import type { BookRow } from '../support/crash-harness';
import { CRASH_SPECS } from '../support/flow-crash-specs';
import { trackUnhandledRejections } from '../support/unhandled';
import { expectSameBooks, openOnSandbox, runUntilSucceeded, type SandboxFlow } from './sandbox-flow';

/**
 * Issue 18, "cursors never move past an unhandled record", read straight from the store
 * (`cursors` table) for every flow and every stream that writes to the flow's target. Two
 * sandboxes of the flow after a clean run: A meets the faults, B is the reference. Stream by
 * stream, in the order a run reads them, one record is changed at the source the way its users
 * change it (Exact Online's and Procore's own APIs), in A and in B alike. B syncs it. A syncs it
 * while the target is cut off at the first write (sandbox fault `cut`: the write commits, its
 * answer is lost, and every later call fails, so no look-up in that run can settle it): the run
 * must end failed, that stream's stored cursor must be exactly what it was, and so must every
 * other cursor except the ones named below. With the faults cleared A's next runs move the
 * cursor past the change, and A's target holds B's records, compared one by one.
 */

type Json = Record<string, unknown>;
type Cursors = Record<string, string>;

interface Touch {
  /** The stream that reads the change (its cursor must hold). */
  stream: string;
  /** What changes, in words (test names). */
  what: string;
  /** Source ids this touch may change, in A (the same ids exist in B: same seed). */
  candidates(f: SandboxFlow): string[] | Promise<string[]>;
  apply(f: SandboxFlow, sourceId: string): Promise<void>;
  /**
   * Procore's changes are read once they are 5 s old (the connector's settle time, for changes
   * that commit late): the runs wait that long after the change.
   */
  settles?: boolean;
  /**
   * Streams run before this one whose cursor may move in the run cut off at its write: they read
   * again what the steps before changed or wrote (a vendor renamed in Acumatica, links written
   * back to Procore), with nothing to write (the run writes nothing anywhere, checked). Whether
   * that is read in this run or was read before depends on when it settled (5 s); no other
   * stream's cursor may move.
   */
  mayMove?: readonly string[];
  /**
   * A write-back stream (into the flow's source system, or the other way): the system it writes,
   * cut off instead of the flow's target, and the records it owns there, compared with the
   * reference's as well as the target's books.
   */
  cuts?: { system: string; books(f: SandboxFlow): BookRow[] };
}

interface FlowCase {
  flow: keyof typeof CRASH_SPECS;
  /** Every stream with a stored cursor after a clean run, in the order a run reads them. */
  streams: readonly string[];
  touches: Touch[];
  /** Settings both sandboxes get before their first run (a write-back switched on). */
  setup?(f: SandboxFlow): void;
}

// ---------------------------------------------------------------------------------- Exact Online

/** Someone else signed in to Exact Online (the simulator's own OAuth, PKCE), changing documents through its REST API. */
async function exactApi(sim: RunningSimulator): Promise<(method: string, path: string, body?: unknown) => Promise<void>> {
  const c = sim.credentials as { clientId: string; clientSecret: string; redirectUri: string; division: number };
  const pkce = createPkcePair();
  const auth = new URL(`${sim.baseUrl}/api/oauth2/auth`);
  auth.search = new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: 'touch', code_challenge: pkce.challenge, code_challenge_method: pkce.method }).toString();
  const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error('the Exact Online simulator gave no code');
  const token = await fetch(`${sim.baseUrl}/api/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: c.redirectUri, client_id: c.clientId, client_secret: c.clientSecret, code_verifier: pkce.verifier }).toString(),
  });
  const access = ((await token.json()) as Json)['access_token'];
  if (typeof access !== 'string') throw new Error(`Exact Online sign-in: HTTP ${token.status}`);
  return async (method, path, body) => {
    const res = await fetch(`${sim.baseUrl}/api/v1/${c.division}/${path}`, {
      method,
      headers: { authorization: `Bearer ${access}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`Exact Online ${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  };
}

const exactRows = (f: SandboxFlow, collection: string) => f.simulator('exact').store.collection<Json>(collection).all();
const exactIds = (f: SandboxFlow, collection: string, key: string) => new Set(exactRows(f, collection).map((r) => String(r[key])));
const exactCall = async (f: SandboxFlow, method: string, path: string, body?: unknown) => (await exactApi(f.simulator('exact')))(method, path, body);

/** Source ids the flow wrote to its target and holds no open parked record for, among `ids`. */
function written(f: SandboxFlow, flow: string, ids: ReadonlySet<string>): string[] {
  const rows = f.store.db
    .prepare('SELECT DISTINCT source_id AS id FROM target_records t WHERE flow = ? AND NOT EXISTS (SELECT 1 FROM parked p WHERE p.flow = t.flow AND p.source_id = t.source_id AND p.resolved_at IS NULL) ORDER BY source_id')
    .all(flow) as { id: string }[];
  return rows.map((r) => r.id).filter((id) => ids.has(id));
}

const exactPurchaseOrderLine = (flow: string, stream = 'purchase-orders'): Touch => ({
  stream,
  what: 'a purchase order line’s quantity',
  candidates: (f) => written(f, flow, exactIds(f, 'PurchaseOrders', 'PurchaseOrderID')),
  async apply(f, id) {
    const line = exactRows(f, 'PurchaseOrderLines').find((l) => String(l['PurchaseOrderID']) === id)!;
    await exactCall(f, 'PUT', `purchaseorder/PurchaseOrderLines(guid'${String(line['ID'])}')`, { QuantityInPurchaseUnits: Number(line['QuantityInPurchaseUnits']) + 1 });
  },
});

const exactDeletedPurchaseOrder = (flow: string): Touch => ({
  stream: 'deleted-purchase-orders',
  what: 'a purchase order deleted',
  candidates: (f) => written(f, flow, exactIds(f, 'PurchaseOrders', 'PurchaseOrderID')).reverse(),
  apply: (f, id) => exactCall(f, 'DELETE', `purchaseorder/PurchaseOrders(guid'${id}')`),
});

const exactDate = (v: unknown) => new Date(Number(/\d+/.exec(String(v))![0])).toISOString().slice(0, 10);

/** A new purchase entry, a copy of one the flow wrote under another invoice number (Coupa takes no change to an invoice it holds). */
const exactNewPurchaseEntry = (flow: string): Touch => ({
  stream: 'purchase-invoices',
  what: 'a new purchase entry',
  candidates: (f) => written(f, flow, exactIds(f, 'PurchaseEntries', 'EntryID')),
  async apply(f, id) {
    const entry = exactRows(f, 'PurchaseEntries').find((e) => String(e['EntryID']) === id)!;
    const keep = (row: Json, fields: readonly string[]) => Object.fromEntries(fields.filter((k) => row[k] !== null && row[k] !== undefined).map((k) => [k, row[k]]));
    const lines = exactRows(f, 'PurchaseEntryLines')
      .filter((l) => String(l['EntryID']) === id)
      .map((l) => keep(l, ['GLAccount', 'AmountFC', 'VATAmountFC', 'VATCode', 'CostCenter', 'CostUnit', 'Project', 'Description', 'Quantity']));
    await exactCall(f, 'POST', 'purchaseentry/PurchaseEntries', {
      ...keep(entry, ['Supplier', 'Description', 'Currency', 'Journal', 'Type']),
      YourRef: `${String(entry['YourRef'] ?? 'INV')}-2`,
      EntryDate: exactDate(entry['EntryDate']),
      PurchaseEntryLines: lines,
    });
  },
});

const exactPurchaseEntry = (flow: string): Touch => ({
  stream: 'purchase-invoices',
  what: 'a purchase entry line’s amount',
  candidates: (f) => written(f, flow, exactIds(f, 'PurchaseEntries', 'EntryID')),
  async apply(f, id) {
    const line = exactRows(f, 'PurchaseEntryLines').find((l) => String(l['EntryID']) === id)!;
    await exactCall(f, 'PUT', `purchaseentry/PurchaseEntries(guid'${id}')`, { PurchaseEntryLines: [{ ID: line['ID'], AmountFC: Number(line['AmountFC']) + 1 }] });
  },
});

const exactSupplierName = (flow: string): Touch => ({
  stream: 'suppliers',
  what: 'a supplier’s name',
  candidates: (f) => written(f, flow, exactIds(f, 'Accounts', 'ID')),
  async apply(f, id) {
    const account = exactRows(f, 'Accounts').find((r) => String(r['ID']) === id)!;
    await exactCall(f, 'PUT', `crm/Accounts(guid'${id}')`, { Name: `${String(account['Name'])} (renamed)` });
  },
});

const exactSalesInvoiceDueDate = (flow: string): Touch => ({
  stream: 'sales-invoices',
  what: 'a sales invoice’s due date',
  candidates: (f) => written(f, flow, exactIds(f, 'SalesInvoices', 'InvoiceID')),
  async apply(f, id) {
    const invoice = exactRows(f, 'SalesInvoices').find((r) => String(r['InvoiceID']) === id)!;
    const due = new Date(Number(/\d+/.exec(String(invoice['DueDate'] ?? invoice['InvoiceDate']))![0]) + 86_400_000).toISOString().slice(0, 10);
    await exactCall(f, 'PUT', `salesinvoice/SalesInvoices(guid'${id}')`, { DueDate: due });
  },
});

/** Sales invoice Status "processed" (sandbox/exact-online/sales.ts). */
const EXACT_PROCESSED = 50;

const exactDeletedSalesInvoice = (flow: string): Touch => ({
  stream: 'deleted-sales-invoices',
  what: 'a sales invoice deleted',
  // Exact deletes only an invoice not yet processed.
  candidates: (f) => written(f, flow, new Set(exactRows(f, 'SalesInvoices').filter((r) => r['Status'] !== EXACT_PROCESSED).map((r) => String(r['InvoiceID'])))).reverse(),
  apply: (f, id) => exactCall(f, 'DELETE', `salesinvoice/SalesInvoices(guid'${id}')`),
});

const exactSalesOrderDeliveryDate = (flow: string): Touch => ({
  stream: 'sales-orders',
  what: 'a sales order’s delivery date',
  candidates: (f) => written(f, flow, exactIds(f, 'SalesOrders', 'OrderID')),
  async apply(f, id) {
    const order = exactRows(f, 'SalesOrders').find((r) => String(r['OrderID']) === id)!;
    const date = new Date(Number(/\d+/.exec(String(order['DeliveryDate'] ?? order['OrderDate']))![0]) + 86_400_000).toISOString().slice(0, 10);
    await exactCall(f, 'PUT', `salesorder/SalesOrders(guid'${id}')`, { DeliveryDate: date });
  },
});

const exactDeletedSalesOrder = (flow: string): Touch => ({
  stream: 'deleted-sales-orders',
  what: 'a sales order deleted',
  // Exact deletes only an order without deliveries or invoices (Status 12 open, 45 cancelled: sales.ts).
  candidates: (f) => written(f, flow, new Set(exactRows(f, 'SalesOrders').filter((r) => [12, 45].includes(Number(r['Status']))).map((r) => String(r['OrderID'])))).reverse(),
  apply: (f, id) => exactCall(f, 'DELETE', `salesorder/SalesOrders(guid'${id}')`),
});

// ---------------------------------------------------------------------------------------- Procore

/** The Procore connector's default settle time (DEFAULT_CURSOR_SETTLE_SECONDS). */
const PROCORE_SETTLE_MS = DEFAULT_CURSOR_SETTLE_SECONDS * 1000;

/** Someone working in Procore (client credentials), changing records through its REST API. */
async function procoreCall(f: SandboxFlow, method: string, path: string, body: Json): Promise<void> {
  const sim = f.simulator('procore');
  const c = sim.credentials as { clientId: string; clientSecret: string; companyId: number };
  const token = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }).toString(),
  });
  const access = String(((await token.json()) as Json)['access_token']);
  const res = await fetch(`${sim.baseUrl}/rest/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${access}`, 'procore-company-id': String(c.companyId), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`Procore ${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
}

const procoreRow = (f: SandboxFlow, collection: string, id: string) => f.simulator('procore').store.collection<Json>(collection).get(Number(id))!;

const procoreIds = (f: SandboxFlow, collection: string, prefix = '') => new Set(f.simulator('procore').store.collection<Json>(collection).all().map((r) => `${prefix}${String(r['id'])}`));
const unprefixed = (id: string) => id.slice(id.indexOf(':') + 1);

const procoreVendorName = (flow: string, prefix: string): Touch => ({
  stream: 'vendors',
  what: 'a vendor’s name',
  settles: true,
  candidates: (f) => written(f, flow, procoreIds(f, 'vendors', prefix)),
  async apply(f, id) {
    const vendor = procoreRow(f, 'vendors', unprefixed(id));
    await procoreCall(f, 'PATCH', `/vendors/${unprefixed(id)}`, { company_id: f.simulator('procore').credentials['companyId'], vendor: { name: `${String(vendor['name'])} (renamed)` } });
  },
});

/** The latest subcontractor invoice of each commitment: the only one Procore lets change. */
function latestRequisitions(f: SandboxFlow, prefix: string): Set<string> {
  const all = f.simulator('procore').store.collection<Json>('requisitions').all();
  return new Set(all.filter((r) => !all.some((o) => o['commitment_id'] === r['commitment_id'] && Number(o['number']) > Number(r['number']))).map((r) => `${prefix}${String(r['id'])}`));
}

const procoreRequisitionDate = (flow: string, stream: string, prefix: string): Touch => ({
  stream,
  what: 'a subcontractor invoice’s billing date',
  settles: true,
  candidates: (f) => written(f, flow, latestRequisitions(f, prefix)),
  async apply(f, id) {
    const r = procoreRow(f, 'requisitions', unprefixed(id));
    const next = new Date(Date.parse(String(r['billing_date'])) + 86_400_000).toISOString().slice(0, 10);
    await procoreCall(f, 'PATCH', `/requisitions/${unprefixed(id)}?project_id=${String(r['project_id'])}`, { requisition: { billing_date: next } });
  },
});

/** A purchase order's title in Procore (F3 writes it as the Intacct document's description). */
const procoreCommitmentTitle = (flow: string): Touch => ({
  stream: 'commitments',
  what: 'a purchase order’s title',
  settles: true,
  candidates: (f) => written(f, flow, procoreIds(f, 'purchase_order_contracts')),
  async apply(f, id) {
    const c = procoreRow(f, 'purchase_order_contracts', id);
    await procoreCall(f, 'PATCH', `/purchase_order_contracts/${id}?project_id=${String(c['project_id'])}`, { purchase_order_contract: { title: `${String(c['title'])} (revised)` } });
  },
});

/**
 * A subcontractor invoice approved in Procore (F2 posts approved ones; a bill Acumatica released
 * takes no later change, so F2's new work is a newly approved invoice).
 */
const procoreApprovedRequisition = (stream: string, prefix: string): Touch => ({
  stream,
  what: 'a subcontractor invoice approved',
  settles: true,
  candidates: (f) => [...latestRequisitions(f, prefix)].filter((id) => !String(procoreRow(f, 'requisitions', unprefixed(id))['status']).startsWith('approved')).sort(),
  async apply(f, id) {
    const r = procoreRow(f, 'requisitions', unprefixed(id));
    await procoreCall(f, 'PATCH', `/requisitions/${unprefixed(id)}?project_id=${String(r['project_id'])}`, { requisition: { status: 'approved' } });
  },
});

const procoreApprovedDirectCost = (prefix: string): Touch => ({
  stream: 'direct-costs',
  what: 'a direct cost approved',
  settles: true,
  candidates: (f) =>
    f
      .simulator('procore')
      .store.collection<Json>('direct_costs')
      .all()
      .filter((d) => d['status'] !== 'approved' && !d['deleted_at'] && d['direct_cost_type'] === 'invoice')
      .map((d) => `${prefix}${String(d['id'])}`)
      .sort(),
  async apply(f, id) {
    const d = procoreRow(f, 'direct_costs', unprefixed(id));
    await procoreCall(f, 'PATCH', `/projects/${String(d['project_id'])}/direct_costs/${unprefixed(id)}`, { item: { status: 'approved' } });
  },
});

// ------------------------------------------------------------------------------- write-back streams

/** What a sandbox holds now (its `_sandbox/state` dump). */
async function stateOf(f: SandboxFlow, system: string): Promise<Record<string, Json[]>> {
  return (await (await fetch(`${f.simulator(system).baseUrl}/_sandbox/state`)).json()) as Record<string, Json[]>;
}

const pick = (row: Json, fields: readonly string[]) => Object.fromEntries(fields.map((k) => [k, row[k] ?? null]));
const sortedRows = (rows: BookRow[]) => rows.sort((x, y) => x.key.localeCompare(y.key));

/**
 * What F2 and F3 write back to Procore, without the ids Procore gave: vendors and cost codes by
 * their ERP origin, contract payments by theirs, and each subcontractor invoice's payment date and
 * ERP status.
 */
function procoreWriteBacks(f: SandboxFlow): BookRow[] {
  const rows = (name: string) => f.simulator('procore').store.collection<Json>(name).all();
  return sortedRows([
    ...rows('vendors')
      .filter((v) => v['origin_id'])
      .map((v) => ({ key: `vendor ${String(v['origin_id'])}`, value: pick(v, ['name', 'is_active', 'email_address', 'business_phone', 'origin_code', 'deleted_at']) })),
    ...rows('cost_codes')
      .filter((c) => c['origin_id'])
      .map((c) => ({ key: `cost code ${String(c['project_id'])}/${String(c['origin_id'])}`, value: pick(c, ['full_code', 'name', 'deleted_at']) })),
    ...rows('contract_payments').map((p) => ({ key: `contract payment ${String(p['origin_id'])}`, value: pick(p, ['amount', 'date', 'requisition_id', 'draw_request_number', 'deleted_at']) })),
    ...rows('requisitions').map((r) => ({ key: `subcontractor invoice ${String(r['id'])}`, value: pick(r, ['payment_date', 'erp_status']) })),
  ]);
}

/** What F5 writes back to Exact: its supplier accounts, by code. */
function exactSuppliers(f: SandboxFlow): BookRow[] {
  return sortedRows(
    exactRows(f, 'Accounts')
      .filter((a) => a['IsSupplier'])
      .map((a) => ({ key: `supplier ${String(a['Code']).trim()}`, value: pick(a, ['Name', 'Blocked', 'Status', 'VATNumber', 'Email']) })),
  );
}

/** Someone working in Acumatica (the simulator's own sign-in, one session), through its REST API. */
async function acumaticaCall(f: SandboxFlow, work: (call: (method: 'PUT' | 'POST', path: string, body: Json) => Promise<Json>) => Promise<void>): Promise<void> {
  const sim = f.simulator('acumatica');
  const c = sim.credentials as { username: string; password: string; tenant: string; endpointVersion: string };
  const login = await fetch(`${sim.baseUrl}/entity/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: c.username, password: c.password, tenant: c.tenant }) });
  if (login.status !== 204) throw new Error(`Acumatica sign-in: HTTP ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((x) => x.split(';')[0])
    .join('; ');
  const base = `${sim.baseUrl}/entity/Default/${c.endpointVersion}`;
  try {
    await work(async (method, path, body) => {
      let res = await fetch(`${base}/${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      // An action runs as a long operation: polled until it ends.
      while (res.status === 202) res = await fetch(new URL(String(res.headers.get('location')), sim.baseUrl), { headers: { cookie } });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`Acumatica ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return text ? (JSON.parse(text) as Json) : {};
    });
  } finally {
    await fetch(`${sim.baseUrl}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
  }
}

const acu = (record: Json, field: string): unknown => (record[field] as { value?: unknown } | undefined)?.value ?? null;
const acuValue = (value: unknown) => ({ value });

/** A cost code new in Acumatica: F2 adds it to each mapped Procore project. */
const acumaticaNewCostCode: Touch = {
  stream: 'cost-codes',
  what: 'a cost code added in Acumatica',
  cuts: { system: 'procore', books: procoreWriteBacks },
  candidates: () => ['99-990'],
  apply: (f, code) => acumaticaCall(f, async (call) => void (await call('PUT', 'CostCode', { CostCodeID: acuValue(code), Description: acuValue('Winterwerk') }))),
};

/** A check released in Acumatica paying a bill F2 posted: F2 records the payment on the Procore invoice. */
const acumaticaReleasedCheck: Touch = {
  stream: 'payments',
  what: 'a bill paid in Acumatica',
  cuts: { system: 'procore', books: procoreWriteBacks },
  async candidates(f) {
    const bills = (await stateOf(f, 'acumatica'))['Bill'] ?? [];
    return bills
      .filter((b) => String(acu(b, 'note') ?? '').startsWith('ml-connector origin: procore:requisition:') && acu(b, 'Type') === 'Bill' && acu(b, 'Status') === 'Open')
      .map((b) => String(acu(b, 'ReferenceNbr')))
      .sort();
  },
  async apply(f, referenceNbr) {
    const bill = ((await stateOf(f, 'acumatica'))['Bill'] ?? []).find((b) => acu(b, 'ReferenceNbr') === referenceNbr)!;
    await acumaticaCall(f, async (call) => {
      const check = await call('PUT', 'Check', {
        Vendor: acuValue(acu(bill, 'Vendor')),
        PaymentRef: acuValue(`CUT-${referenceNbr}`),
        Details: [{ DocType: acuValue('Bill'), ReferenceNbr: acuValue(referenceNbr), AmountPaid: acuValue(acu(bill, 'Balance') ?? acu(bill, 'Amount')) }],
      });
      await call('POST', 'Check/ReleaseCheck', { entity: { Type: acuValue('Payment'), ReferenceNbr: acuValue(acu(check, 'ReferenceNbr')) } });
    });
  },
};

/** Someone working in Sage Intacct: one function under a login (the XML gateway). */
async function intacctCall(f: SandboxFlow, body: string): Promise<void> {
  const sim = f.simulator('intacct');
  const c = sim.credentials as Record<string, unknown>;
  const xml = `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${String(c['senderId'])}</senderid><password>${String(c['senderPassword'])}</password><controlid>touch</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><login><userid>${String(c['userId'])}</userid><companyid>${String(c['companyId'])}</companyid><password>${String(c['userPassword'])}</password></login></authentication><content><function controlid="touch-${Date.now()}">${body}</function></content></operation></request>`;
  const text = await (await fetch(`${sim.baseUrl}/ia/xml/xmlgw.phtml`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml })).text();
  if (!/<result><status>success<\/status>/.test(text)) throw new Error(`Intacct refused: ${text.slice(text.indexOf('<operation'), 1500)}`);
}

const intacctRows = async (f: SandboxFlow, object: string) => (await stateOf(f, 'intacct'))[object] ?? [];
const xmlText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An Intacct vendor renamed (Intacct owns vendor names): F3 renames its Procore vendor. */
const intacctVendorName: Touch = {
  stream: 'vendors',
  what: 'a vendor renamed in Intacct',
  cuts: { system: 'procore', books: procoreWriteBacks },
  candidates: async (f) =>
    (await intacctRows(f, 'VENDOR'))
      .map((v) => String(v['VENDORID']))
      // Paired with a Procore vendor (the pair's last snapshot).
      .filter((id) => Boolean((f.store.snapshots.latest('procore-intacct', 'vendors', id)?.payload as { procore?: unknown } | undefined)?.procore))
      .sort(),
  async apply(f, vendorId) {
    const vendor = (await intacctRows(f, 'VENDOR')).find((v) => String(v['VENDORID']) === vendorId)!;
    await intacctCall(f, `<update><VENDOR><VENDORID>${xmlText(vendorId)}</VENDORID><NAME>${xmlText(`${String(vendor['NAME'])} Holding`)}</NAME></VENDOR></update>`);
  },
};

/** A payment in Intacct of a bill F3 posted: F3 records it on the Procore pay application (two calls). */
const intacctBillPaid: Touch = {
  stream: 'payments',
  what: 'a bill paid in Intacct',
  cuts: { system: 'procore', books: procoreWriteBacks },
  candidates: async (f) =>
    (await intacctRows(f, 'APBILL'))
      .filter((b) => String(b['PROCORE_ID'] ?? '').startsWith('procore-payapp-') && Number(b['TOTALDUE']) > 100)
      .map((b) => String(b['RECORDNO']))
      .sort((x, y) => Number(x) - Number(y)),
  async apply(f, recordNo) {
    const bill = (await intacctRows(f, 'APBILL')).find((b) => String(b['RECORDNO']) === recordNo)!;
    await intacctCall(
      f,
      `<create><APPYMT><PAYMENTMETHOD>EFT</PAYMENTMETHOD><FINANCIALENTITY>BNK-EUR</FINANCIALENTITY><VENDORID>${xmlText(String(bill['VENDORID']))}</VENDORID><PAYMENTDATE>11/20/2026</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>${recordNo}</RECORDKEY><TRX_PAYMENTAMOUNT>${String(bill['TOTALDUE'])}</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>`,
    );
  },
};

/**
 * A task added in Intacct to a project F3 maps (the accountants' own tool, the XML API's
 * `<create><TASK>`): F3 adds it to each mapped Procore project as a cost code. F3 reads Intacct's
 * tasks whole, at most once per `referenceEveryHours` (24 h), and its stored cursor is the time
 * of that read: the change is met a day later, so the stored time is set back a day in both
 * sandboxes (what a day's wait does to it) before either runs.
 */
const intacctNewTask: Touch = {
  stream: 'intacct-tasks',
  what: 'a task added in Intacct',
  cuts: { system: 'procore', books: procoreWriteBacks },
  candidates: (f) => [...new Set([...loadF3Mappings(f.store).mappings.projects.values()].map((m) => m.intacctProjectId))].sort(),
  async apply(f, projectId) {
    await intacctCall(f, `<create><TASK><TASKID>01-960</TASKID><NAME>Winter works</NAME><PROJECTID>${xmlText(projectId)}</PROJECTID><DESCRIPTION>Frost protection of the site</DESCRIPTION></TASK></create>`);
    const row = f.store.db.prepare("SELECT value FROM cursors WHERE flow = 'procore-intacct' AND stream = 'intacct-tasks'").get() as { value: string };
    const dayBefore = new Date(Date.parse(row.value) - (F3_DEFAULT_POLICY.referenceEveryHours + 1) * 3_600_000).toISOString();
    f.store.db.prepare("UPDATE cursors SET value = ? WHERE flow = 'procore-intacct' AND stream = 'intacct-tasks'").run(dayBefore);
  },
};

/** Coupa → Exact (setting suppliersFromCoupa): a supplier created in Coupa, created in Exact under its number. */
const coupaNewSupplier: Touch = {
  stream: 'coupa-suppliers',
  what: 'a supplier created in Coupa',
  cuts: { system: 'exact', books: exactSuppliers },
  candidates: () => ['40991'],
  async apply(f, number) {
    const sim = f.simulator('coupa');
    const c = sim.credentials as { clientId: string; clientSecret: string };
    const token = await fetch(`${sim.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'core.supplier.read core.supplier.write' }).toString(),
    });
    const access = String(((await token.json()) as Json)['access_token']);
    const res = await fetch(`${sim.baseUrl}/api/suppliers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nieuwe Leverancier Coupa B.V.', number, status: 'active', 'tax-id': 'NL000099991B01', 'primary-contact': { email: 'info@nieuw.example' } }),
    });
    if (res.status !== 201) throw new Error(`Coupa POST suppliers: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  },
};

/**
 * A supplier deleted in Exact after F5 wrote it to Coupa: F5 sets it inactive in Coupa. Exact
 * deletes only an account no document uses, and every seeded supplier has documents: a new one is
 * entered (like one F5 wrote), synced, then deleted.
 */
const exactDeletedSupplier: Touch = {
  stream: 'deleted-suppliers',
  what: 'a supplier deleted in Exact',
  candidates: () => ['40992'],
  async apply(f, code) {
    const model = exactRows(f, 'Accounts').find((r) => written(f, 'exact-coupa', new Set([String(r['ID'])])).length > 0 && r['IsSupplier'] && r['Email'])!;
    const keep = Object.fromEntries(['Country', 'City', 'PaymentConditionPurchase', 'PurchaseCurrency'].filter((k) => model[k] !== null && model[k] !== undefined).map((k) => [k, model[k]]));
    await exactCall(f, 'POST', 'crm/Accounts', { ...keep, Code: code, Name: 'Tijdelijke Leverancier B.V.', IsSupplier: true, Status: model['Status'], Email: 'tijdelijk@leverancier.example' });
    const synced = await f.run();
    expect(synced.status, synced.error ?? '').toBe('succeeded');
    const account = exactRows(f, 'Accounts').find((r) => String(r['Code']).trim() === code)!;
    await exactCall(f, 'DELETE', `crm/Accounts(guid'${String(account['ID'])}')`);
  },
};

/** Coupa → Exact on (F5's setting), in both sandboxes before their first run. */
function suppliersFromCoupa(f: SandboxFlow): void {
  const set = f.store.mappings.getSet(F5_FLOW, F5_MAPPING_SETS.settings)!;
  const rows = f.store.mappings.rows(f.store.mappings.currentVersion(set.id)!.id);
  f.store.mappings.createVersion(
    set.id,
    rows.map((r) => ((r.sourceKey as { setting: string }).setting === 'suppliersFromCoupa' ? { sourceKey: r.sourceKey, target: { value: 'yes' } } : r)),
    'stored cursors: Coupa → Exact on',
  );
}

// ------------------------------------------------------------------------------------- the flows

const CASES: readonly FlowCase[] = [
  // Exact's flows apart, between Procore's: every sandbox in this process shares one Exact
  // per-minute budget (60 calls, keyed by client id and division), and a flow that finds it
  // spent waits for the next minute (40-50 s).
  {
    flow: 'exact-procore',
    streams: ['purchase-orders', 'deleted-purchase-orders', 'purchase-invoices'],
    touches: [exactPurchaseOrderLine('exact-procore'), exactDeletedPurchaseOrder('exact-procore'), exactPurchaseEntry('exact-procore')],
  },
  {
    flow: 'procore-intacct',
    streams: ['vendors', 'commitments', 'pay-applications', 'payments', 'intacct-tasks'],
    touches: [
      // F3 writes vendor links to Procore (not to Intacct): the vendors stream reads them back.
      { ...procoreCommitmentTitle('procore-intacct'), mayMove: ['vendors'] },
      { ...procoreRequisitionDate('procore-intacct', 'pay-applications', ''), mayMove: ['vendors', 'commitments'] },
      // Write-backs into Procore, with Procore cut off at the first write.
      intacctVendorName,
      // The vendor links of the steps before come back on Procore's vendor list once settled (5 s).
      { ...intacctBillPaid, mayMove: ['vendors'] },
      { ...intacctNewTask, mayMove: ['vendors'] },
    ],
  },
  {
    flow: 'exact-monday',
    streams: ['purchase-orders', 'deleted-purchase-orders', 'sales-invoices', 'deleted-sales-invoices', 'sales-orders', 'deleted-sales-orders'],
    touches: [
      exactPurchaseOrderLine('exact-monday'),
      exactDeletedPurchaseOrder('exact-monday'),
      exactSalesInvoiceDueDate('exact-monday'),
      exactSalesOrderDeliveryDate('exact-monday'),
      // F4's other two deletion streams, with STORED_CURSORS_ALL=1: their runs spend Exact's
      // per-minute budget and the file waits ~45 s for the next minute. Exact's sync/Deleted feed
      // holds every type's deletions: the deletion streams before them may read past their rows.
      ...(process.env['STORED_CURSORS_ALL']
        ? [
            { ...exactDeletedSalesInvoice('exact-monday'), mayMove: ['deleted-purchase-orders'] },
            { ...exactDeletedSalesOrder('exact-monday'), mayMove: ['deleted-purchase-orders', 'deleted-sales-invoices'] },
          ]
        : []),
    ],
  },
  {
    flow: 'procore-acumatica',
    streams: ['vendors', 'cost-codes', 'subcontractor-invoices', 'direct-costs', 'payments'],
    touches: [
      procoreVendorName('procore-acumatica', 'vendor:'),
      // The vendor renamed in Acumatica in the step before comes back on Acumatica's vendor list;
      // the invoice's bill link written back to Procore comes back on Procore's invoice list.
      { ...procoreApprovedRequisition('subcontractor-invoices', 'requisition:'), mayMove: ['vendors'] },
      { ...procoreApprovedDirectCost('direct-cost:'), mayMove: ['vendors', 'subcontractor-invoices'] },
      // Write-backs into Procore, with Procore cut off at the first write.
      // Acumatica's lists are read up to 5 s behind the clock (cursor.ts): a cursor of Acumatica's
      // may pass what the step before changed there (the vendor renamed, the cost code added); the
      // direct cost's bill link written back to Procore comes back on Procore's list once settled.
      { ...acumaticaNewCostCode, mayMove: ['vendors'] },
      { ...acumaticaReleasedCheck, mayMove: ['vendors', 'cost-codes', 'subcontractor-invoices', 'direct-costs'] },
    ],
  },
  {
    flow: 'exact-coupa',
    streams: ['suppliers', 'purchase-orders', 'deleted-purchase-orders', 'purchase-invoices', 'deleted-suppliers', 'coupa-suppliers'],
    setup: suppliersFromCoupa,
    touches: [
      exactSupplierName('exact-coupa'),
      exactPurchaseOrderLine('exact-coupa'),
      exactDeletedPurchaseOrder('exact-coupa'),
      exactNewPurchaseEntry('exact-coupa'),
      // Exact's sync/Deleted feed holds every type's deletions: the purchase orders' may read past the supplier's.
      { ...exactDeletedSupplier, mayMove: ['deleted-purchase-orders'] },
      // Coupa → Exact, with Exact cut off at the first write.
      coupaNewSupplier,
    ],
  },
];

function cursorsOf(f: SandboxFlow, flow: string): Cursors {
  const rows = f.store.db.prepare('SELECT stream, connection_id AS owner, value FROM cursors WHERE flow = ? ORDER BY stream, connection_id').all(flow) as { stream: string; owner: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.stream, r.value]));
}

const moved = (before: Cursors, after: Cursors) => [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((s) => before[s] !== after[s]).sort();

const unhandled = trackUnhandledRejections();

describe.each(CASES.map((c) => [c.flow, c] as const))('%s: a stream whose record the target could not confirm keeps its stored cursor', (flowId, c) => {
  const plugin = findFlow(flowId)! as AnyFlowPlugin;
  const target = CRASH_SPECS[flowId].target;
  let a: SandboxFlow;
  let b: SandboxFlow;
  const touched = new Set<string>();

  beforeAll(async () => {
    [a, b] = [await openOnSandbox(plugin), await openOnSandbox(plugin)];
    for (const f of [a, b]) {
      c.setup?.(f);
      expect((await f.run()).status).toBe('succeeded');
      // F2 and F3 write links back to Procore: a second run reads them back. (Exact's flows skip
      // it: every sandbox of this process shares one Exact per-minute budget, keyed by client and
      // division, and the connector waits for the next minute when it runs out.)
      if (c.touches.some((t) => t.settles)) expect((await f.run()).status).toBe('succeeded');
    }
    expectSameBooks(await b.books(), await a.books());
    expect(Object.keys(cursorsOf(a, flowId)).length).toBeGreaterThan(0);
  }, 120_000);
  afterAll(async () => {
    await a?.setFaults(null);
    await a?.close();
    await b?.close();
  });

  it.each(c.touches.map((t) => [t.stream, t.what, t] as const))('%s: %s', async (_stream, _what, t) => {
    const id = (await t.candidates(a)).find((candidate) => !touched.has(candidate));
    expect(id, `no ${t.what} to change`).toBeDefined();
    touched.add(id!);
    await t.apply(a, id!);
    await t.apply(b, id!);
    if (t.settles) await new Promise((resolve) => setTimeout(resolve, PROCORE_SETTLE_MS + 500));

    // The reference syncs the change: it is work for the target.
    const ref = await b.run();
    expect(ref.status, ref.error ?? '').toBe('succeeded');
    expect(ref.counts.created + ref.counts.updated + ref.counts.deleted, JSON.stringify(ref.counts)).toBeGreaterThan(0);

    // A meets it with the target cut off at the first write.
    const before = cursorsOf(a, flowId);
    await a.setFaults(`${t.cuts?.system ?? target}:cut=1`);
    const faulted = await a.run().finally(() => a.setFaults(null));
    expect(faulted.status).toBe('failed');
    expect(faulted.error).toMatch(/\w/);
    // Nothing was written anywhere (a stream before this one with something to write would show).
    expect(faulted.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    const held = cursorsOf(a, flowId);
    expect(Object.keys(held).sort()).toEqual([...c.streams].sort());
    expect(held[t.stream], `the ${t.stream} cursor`).toBe(before[t.stream]);
    // This stream and every one after it: exactly as stored before; before it, only the echoes named.
    const after = c.streams.slice(c.streams.indexOf(t.stream));
    const movedNow = moved(before, held);
    expect(movedNow.filter((s) => after.includes(s))).toEqual([]);
    expect(movedNow.filter((s) => !(t.mayMove ?? []).includes(s))).toEqual([]);
    console.info(`${flowId}, ${t.what}: ${after.length - movedNow.filter((s) => after.includes(s)).length} of ${after.length} cursors from ${t.stream} on held; moved before it: ${movedNow.join(', ') || 'none'}`);

    // Faults cleared: the next run (or the one after, once recovery settled the cut-off write)
    // reads the change and moves the cursor past it; A's target holds B's records.
    await runUntilSucceeded(a, 2);
    expect(cursorsOf(a, flowId)[t.stream], `the ${t.stream} cursor after the change`).not.toBe(before[t.stream]);
    expectSameBooks(await b.books(), await a.books());
    if (t.cuts) expectSameBooks(t.cuts.books(b), t.cuts.books(a));
    expect(unhandled).toEqual([]);
  }, 120_000);
});
