import { randomUUID } from 'node:crypto';
import {
  launchSimulator,
  type RunningSimulator,
  type SimulatorFactory,
  type SimulatorStartOptions,
} from '../_common/simulator';
import { SimBadJson, type SimRequest, type SimResponse } from '../_common/sim-server';
import { makeNowIso, type ProcoreApp } from './app';
import { ProcoreAuth } from './auth';
import { readProcoreConfig } from './config';
import { projectWorld } from './entities';
import { ProcoreHttpError } from './http';
import { ProcoreRateLimiter } from './rate-limit';
import { Router } from './router';
import { changeOrderRoutes } from './routes/change-orders';
import { commitmentRoutes } from './routes/commitments';
import { companyRoutes } from './routes/company';
import { contractPaymentRoutes } from './routes/contract-payments';
import { costCodeRoutes } from './routes/cost-codes';
import { directCostRoutes } from './routes/direct-costs';
import { projectRoutes } from './routes/projects';
import { requisitionRoutes } from './routes/requisitions';
import { vendorRoutes } from './routes/vendors';
import { ProcoreState } from './state';
import { Views } from './views';

export type { ProcoreSimConfig } from './config';

const SERVER_ERROR_TEXT = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
} as const;

/**
 * The sandbox company's client credentials: fixed per seed, like its demo data, so a process
 * other than the one running the simulator (an e2e test acting as a Procore admin) can sign in.
 */
export function procoreSandboxCredentials(seed: number): { clientId: string; clientSecret: string } {
  return { clientId: `procore-sandbox-client-${seed}`, clientSecret: `procore-sandbox-secret-${seed}` };
}

/**
 * The Procore simulator (fact sheet Part 2): DMSA OAuth, company/project scoping, paging and
 * filters, sync actions, both rate-limit windows, and the financial resources the flows use.
 * Config keys: see ProcoreSimConfig (config.ts).
 */
export const createProcoreSystem: SimulatorFactory = (ctx) => {
  const config = readProcoreConfig(ctx.config, ctx.seed);
  const now = (): number => ctx.clock.now();
  const state = new ProcoreState(ctx.store);
  if (ctx.freshStore) ctx.store.transaction(() => projectWorld(ctx.world, state));
  const credentials = procoreSandboxCredentials(ctx.seed);
  const company = { id: config.companyId, name: ctx.world.companyName };
  const app: ProcoreApp = {
    state,
    views: new Views(state, company),
    config,
    store: ctx.store,
    company,
    nowIso: makeNowIso(now),
  };
  const auth = new ProcoreAuth(ctx.store, credentials, config.tokenLifetimeSeconds, now);
  const limiter = new ProcoreRateLimiter(config, now);
  const router = new Router([
    ...companyRoutes(app),
    ...projectRoutes(app),
    ...costCodeRoutes(app),
    ...vendorRoutes(app),
    ...commitmentRoutes(app),
    ...changeOrderRoutes(app),
    ...requisitionRoutes(app),
    ...contractPaymentRoutes(app),
    ...directCostRoutes(app),
  ]);

  const errorBody = (status: number, errors: string, headers: Record<string, string> = {}): SimResponse =>
    new ProcoreHttpError(status, errors, headers).toResponse();

  function handleRest(req: SimRequest, version: 'v1.0' | 'v1.1', path: string): SimResponse {
    const token = auth.check(req);
    if (!token.ok) {
      const text = token.reason === 'expired' ? 'The access token expired' : 'The access token is invalid';
      return errorBody(401, text, {
        ...limiter.peek(),
        'WWW-Authenticate': `Bearer realm="Doorkeeper", error="invalid_token", error_description="${text}"`,
      });
    }
    const rate = limiter.take();
    if (!rate.allowed) return errorBody(429, 'Rate limit exceeded', rate.headers);
    const withRate = (r: SimResponse): SimResponse => ({ ...r, headers: { ...rate.headers, ...r.headers } });

    const match = router.match(req.method, path, version);
    if (match === null || match === 'method-not-allowed') return withRate(errorBody(404, 'Not Found'));
    const companyHeader = req.headers['procore-company-id'];
    if (companyHeader === undefined || companyHeader === '') {
      if (match.route.list && config.missingCompanyHeaderListsAnswer404)
        return withRate(errorBody(404, 'Not Found'));
      return withRate(errorBody(400, 'Missing Procore-Company-Id header!'));
    }
    if (String(companyHeader).trim() !== String(company.id))
      return withRate(errorBody(403, 'App is not connected to this company'));
    try {
      return withRate(match.route.handle({ req, params: match.params, version }));
    } catch (err) {
      if (err instanceof ProcoreHttpError) return withRate(err.toResponse());
      if (err instanceof SimBadJson) return withRate(errorBody(400, err.message));
      throw err;
    }
  }

  function route(req: SimRequest): SimResponse {
    if (req.path === '/oauth/token' && req.method === 'POST') return auth.token(req);
    if (req.path === '/oauth/token/info' && req.method === 'GET') return auth.info(req);
    if (req.path === '/oauth/revoke' && req.method === 'POST') return auth.revoke(req);
    const rest = /^\/rest\/(v1\.[01])(\/.*)$/.exec(req.path);
    if (!rest) return errorBody(404, 'Not Found');
    return handleRest(req, rest[1] as 'v1.0' | 'v1.1', rest[2] as string);
  }

  const withRequestId = (r: SimResponse): SimResponse => ({
    ...r,
    headers: { ...r.headers, 'x-request-id': randomUUID() },
  });

  return {
    name: 'procore',
    handle: (req) => withRequestId(route(req)),
    rateLimitedResponse: () => withRequestId(errorBody(429, 'Rate limit exceeded', limiter.refusalHeaders())),
    serverErrorResponse: (status) =>
      withRequestId(
        errorBody(status, SERVER_ERROR_TEXT[status], status === 503 ? { 'Retry-After': '1' } : {}),
      ),
    expireTokens: () => auth.expireAll(),
    inspect: () => ({
      projects: state.projects.all().map((p) => app.views.project(p)),
      cost_codes: state.costCodes.all().map((c) => app.views.costCode(c)),
      line_item_types: state.lineItemTypes.all(),
      vendors: state.vendors.all().map((v) => app.views.vendor(v)),
      purchase_order_contracts: state.commitments.purchase_order_contract
        .all()
        .map((c) => app.views.commitment(c)),
      work_order_contracts: state.commitments.work_order_contract.all().map((c) => app.views.commitment(c)),
      line_items: state.commitmentLines.all().map((l) => app.views.commitmentLine(l)),
      commitment_change_orders: state.changeOrders.all().map((c) => app.views.changeOrder(c)),
      requisitions: state.requisitions.all().map((r) => app.views.requisition(r)),
      contract_items: state.contractItems.all().map((i) => app.views.contractItem(i)),
      change_order_items: state.changeOrderItems.all().map((i) => app.views.changeOrderItem(i)),
      contract_payments: state.contractPayments.all().map((p) => app.views.contractPayment(p)),
      direct_costs: state.directCosts.all().map((d) => app.views.directCost(d)),
      direct_cost_line_items: state.directCostLines.all().map((l) => app.views.directCostLine(l)),
    }),
    credentials: () => ({ ...credentials, companyId: company.id }),
  };
};

export function startProcoreSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('procore', createProcoreSystem, opts);
}
