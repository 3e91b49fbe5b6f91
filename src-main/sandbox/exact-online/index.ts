import { createRng } from '../_common/rng';
import { launchSimulator, type RunningSimulator, type SimulatorContext, type SimulatorStartOptions } from '../_common/simulator';
import type { SimSystem } from '../_common/sim-server';
import { parseExactConfig } from './config';
import { AccountWriter } from './accounts';
import { accountSyncRow, entitySyncRow, projectWorld, purchaseOrderSyncRow, salesInvoiceSyncRow, seededGuid, type ExactProjection, type ExactUser } from './entities';
import { ExactOAuth } from './oauth';
import { PurchaseEntryWriter } from './purchase-entries';
import { PurchaseOrderWriter } from './purchase-orders';
import { ExactRateLimiter } from './rate-limit';
import { ENDPOINTS, ExactRepository } from './repository';
import { ExactRoutes } from './routes';
import { SalesWriter } from './sales';
import { SyncLog } from './sync';
import { odataError, type ExactRecord } from './wire';

/**
 * Exact Online simulator (fact sheet Part 1 and the Part 4 checklist). One loopback server
 * stands for every regional host: /api/oauth2/auth, /api/oauth2/token and /api/v1/… .
 * Config switches: see config.ts. Behaviour notes and choices: README.md in this folder.
 */
export function startExactSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('exact', createExactSystem, opts);
}

const SERVER_ERROR_TEXT: Record<500 | 502 | 503, string> = {
  500: 'An internal error occurred. Please try again later.',
  502: 'Bad gateway.',
  503: 'The service is temporarily unavailable. Please try again later.',
};

export function createExactSystem(ctx: SimulatorContext): SimSystem & { credentials(): Record<string, string | number> } {
  const config = parseExactConfig(ctx.config);
  const idRng = createRng(ctx.seed ^ 0xe8ac7);
  const clientId = config.clientId ?? seededGuid(idRng);
  const clientSecret = config.clientSecret ?? `sandbox-exact-secret-${ctx.seed}`;
  const user: ExactUser = {
    userId: seededGuid(idRng),
    divisionCustomerId: seededGuid(idRng),
    fullName: 'Sandra Boekhouder',
    email: 'finance@sandbox.example',
    userName: 'finance@sandbox.example',
  };
  const division = config.division;

  const repo = new ExactRepository(ctx.store);
  const sync = new SyncLog(ctx.store);
  if (ctx.freshStore) ctx.store.transaction(() => seed(projectWorld(ctx.world, division, user), repo, sync));

  const oauth = new ExactOAuth(ctx.store, ctx.clock, config, { clientId, clientSecret, userId: user.userId, division });
  const limiter = new ExactRateLimiter(ctx.store, ctx.clock, config);
  const writer = new PurchaseOrderWriter(ctx.store, repo, sync, ctx.clock, division, user.userId);
  const accounts = new AccountWriter(ctx.store, repo, sync, ctx.clock, division, user.userId);
  const sales = new SalesWriter(ctx.store, repo, sync, ctx.clock, division, user.userId);
  const entries = new PurchaseEntryWriter(ctx.store, repo, ctx.clock, division);
  const routes = new ExactRoutes({ config, clock: ctx.clock, oauth, limiter, repo, sync, writer, accounts, sales, entries, user, companyName: ctx.world.companyName });

  return {
    name: 'exact',
    handle: (req) => routes.handle(req),
    rateLimitedResponse: () =>
      odataError(429, `Too many requests: the limit of ${config.minutelyLimit} calls per minute was reached.`, limiter.minutelyHeaders(0, ctx.clock.now())),
    serverErrorResponse: (status) => odataError(status, SERVER_ERROR_TEXT[status]),
    expireTokens: () => oauth.expireAccessTokens(),
    inspect: () => {
      const out: Record<string, unknown[]> = {};
      for (const def of ENDPOINTS) out[def.collection] = repo.sortedRecords(def).slice();
      return { ...out, ...sync.dump() };
    },
    credentials: () => ({ clientId, clientSecret, redirectUri: config.redirectUri, division }),
  };
}

/** Writes the projected world and its first sync rows, Timestamps in world order. */
function seed(p: ExactProjection, repo: ExactRepository, sync: SyncLog): void {
  const put = (path: string, records: readonly ExactRecord[]): void => {
    const def = ENDPOINTS.find((e) => e.path === path);
    if (!def) throw new Error(`endpoint ${path} is not defined`);
    for (const record of records) repo.put(def, record);
  };
  put('financial/GLAccounts', p.GLAccounts);
  put('hrm/Costcenters', p.Costcenters);
  put('hrm/Costunits', p.Costunits);
  put('crm/Accounts', p.Accounts);
  put('crm/BankAccounts', p.BankAccounts);
  put('logistics/Items', p.Items);
  put('project/Projects', p.Projects);
  put('purchaseorder/PurchaseOrders', p.PurchaseOrders);
  put('purchaseorder/PurchaseOrderLines', p.PurchaseOrderLines);
  put('purchaseentry/PurchaseEntries', p.PurchaseEntries);
  put('purchaseentry/PurchaseEntryLines', p.PurchaseEntryLines);
  put('salesorder/SalesOrders', p.SalesOrders);
  put('salesorder/SalesOrderLines', p.SalesOrderLines);
  put('salesinvoice/SalesInvoices', p.SalesInvoices);
  put('salesinvoice/SalesInvoiceLines', p.SalesInvoiceLines);

  for (const gl of p.GLAccounts) sync.append('Financial/GLAccounts', (ts) => entitySyncRow(gl, 'ID', ts));
  const banks = groupBy(p.BankAccounts, 'Account');
  for (const account of p.Accounts) sync.append('CRM/Accounts', (ts) => accountSyncRow(account, banks.get(String(account.ID)) ?? [], ts));
  const poLines = groupBy(p.PurchaseOrderLines, 'PurchaseOrderID');
  for (const po of p.PurchaseOrders) {
    for (const line of poLines.get(String(po.PurchaseOrderID)) ?? []) sync.append('PurchaseOrder/PurchaseOrders', (ts) => purchaseOrderSyncRow(po, line, ts));
  }
  const soLines = groupBy(p.SalesOrderLines, 'OrderID');
  for (const so of p.SalesOrders) {
    sync.append('SalesOrder/SalesOrderHeaders', (ts) => entitySyncRow(so, 'OrderID', ts));
    for (const line of soLines.get(String(so.OrderID)) ?? []) sync.append('SalesOrder/SalesOrderLines', (ts) => entitySyncRow(line, 'ID', ts));
  }
  const siLines = groupBy(p.SalesInvoiceLines, 'InvoiceID');
  for (const si of p.SalesInvoices) {
    for (const line of siLines.get(String(si.InvoiceID)) ?? []) sync.append('SalesInvoice/SalesInvoices', (ts) => salesInvoiceSyncRow(si, line, ts));
  }
}

function groupBy(records: readonly ExactRecord[], field: string): Map<string, ExactRecord[]> {
  const out = new Map<string, ExactRecord[]>();
  for (const r of records) {
    const key = String(r[field]);
    const list = out.get(key) ?? [];
    list.push(r);
    out.set(key, list);
  }
  return out;
}
