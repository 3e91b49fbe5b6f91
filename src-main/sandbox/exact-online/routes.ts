import { SimBadJson, type SimRequest, type SimResponse } from '../_common/sim-server';
import type { SimClock } from '../_common/clock';
import type { ExactConfig } from './config';
import type { ExactUser } from './entities';
import type { AccessGrant, ExactOAuth } from './oauth';
import type { AccountWriter } from './accounts';
import type { PurchaseEntryWriter } from './purchase-entries';
import type { PurchaseOrderWriter } from './purchase-orders';
import type { SalesWriter } from './sales';
import { listStandard, listSync, parseKeyLiteral, shapeRecord, singleRecord, type QueryContext } from './query';
import type { ExactRateLimiter } from './rate-limit';
import { findEndpoint, type EndpointDef, type ExactRepository } from './repository';
import type { SyncLog } from './sync';
import { ExactApiError, exactDate, odataError, padAccountCode } from './wire';

/**
 * HTTP routing of the Exact simulator. Every /api/v1 call is authenticated (Bearer), charged
 * to the app's per-division budgets (headers on every answer, 429 with only the exhausted
 * window's headers), counted against the endpoint's hourly error budget when it fails, and
 * answered with the OData error envelope on errors (fact sheet §1.3–§1.8).
 */
export interface ExactRoutesDeps {
  config: ExactConfig;
  clock: SimClock;
  oauth: ExactOAuth;
  limiter: ExactRateLimiter;
  repo: ExactRepository;
  sync: SyncLog;
  writer: PurchaseOrderWriter;
  accounts: AccountWriter;
  sales: SalesWriter;
  entries: PurchaseEntryWriter;
  user: ExactUser;
  companyName: string;
}

const DIVISIONS_DEF: EndpointDef = { path: 'system/Divisions', collection: '', key: 'Code', type: 'System.Division' };

/** What each writable endpoint accepts (anything else answers 405 naming these). */
interface EndpointWrites {
  post?: (body: unknown) => Record<string, unknown>;
  put?: (id: string, body: unknown) => void;
  delete?: (id: string) => void;
}

function lineDefOf(path: string): EndpointDef {
  const def = findEndpoint(path);
  if (!def) throw new Error(`line endpoint ${path} is not defined`);
  return def;
}

export class ExactRoutes {
  private readonly writes: ReadonlyMap<string, EndpointWrites>;

  constructor(private readonly deps: ExactRoutesDeps) {
    const { writer, accounts, sales, entries } = deps;
    this.writes = new Map<string, EndpointWrites>([
      ['purchaseorder/PurchaseOrders', { post: (b) => writer.create(b), put: (id, b) => writer.update(id, b), delete: (id) => writer.delete(id) }],
      ['purchaseorder/PurchaseOrderLines', { put: (id, b) => writer.updateLine(id, b), delete: (id) => writer.deleteLine(id) }],
      ['purchaseentry/PurchaseEntries', { post: (b) => entries.create(b), put: (id, b) => entries.update(id, b) }],
      ['crm/Accounts', { post: (b) => accounts.create(b), put: (id, b) => accounts.update(id, b), delete: (id) => accounts.delete(id) }],
      ['salesinvoice/SalesInvoices', { put: (id, b) => sales.updateInvoice(id, b), delete: (id) => sales.deleteInvoice(id) }],
      ['salesorder/SalesOrders', { put: (id, b) => sales.updateOrder(id, b), delete: (id) => sales.deleteOrder(id) }],
      ['salesorder/SalesOrderLines', { put: (id, b) => sales.updateOrderLine(id, b) }],
    ]);
  }

  handle(req: SimRequest): SimResponse {
    const path = req.path.replace(/\/+$/, '');
    if (path.toLowerCase() === '/api/oauth2/auth' && (req.method === 'GET' || req.method === 'POST')) return this.deps.oauth.handleAuthorize(req);
    if (path.toLowerCase() === '/api/oauth2/token') return this.deps.oauth.handleToken(req);
    if (!path.toLowerCase().startsWith('/api/v1/')) return odataError(404, `No resource at ${path}.`);

    const grant = this.deps.oauth.authenticate(req.headers.authorization);
    if (!grant) {
      // The body of Exact's 401 is unconfirmed (§1.8); clients must rely on the status only.
      return odataError(401, 'Access token is missing, invalid or expired.', { 'WWW-Authenticate': 'Bearer' });
    }
    const rest = path.slice('/api/v1/'.length);
    const slash = rest.indexOf('/');
    const first = slash < 0 ? rest : rest.slice(0, slash);
    const resource = slash < 0 ? '' : rest.slice(slash + 1);
    const isCurrent = first.toLowerCase() === 'current';
    const division = isCurrent ? grant.division : /^\d+$/.test(first) ? Number(first) : NaN;
    if (Number.isNaN(division)) return odataError(400, `"${first}" is not a division number.`);
    const endpoint = `${isCurrent ? 'current' : 'division'}/${resource.replace(/\(.*$/, '').replace(/\/\$count$/, '').toLowerCase()}`;
    const budgetKey = `${grant.clientId}:${division}`;

    const admission = this.deps.limiter.admit(budgetKey, endpoint);
    if (!admission.ok) {
      if (admission.kind === 'error-budget') {
        return odataError(
          this.deps.config.errorBlockStatus,
          `Too many errors: more than ${this.deps.config.errorsPerHour} failed calls to ${resource.replace(/\(.*$/, '')} within the hour. ` +
            `This endpoint is blocked for this app until ${new Date(admission.blockedUntil).toISOString()}.`,
        );
      }
      return odataError(
        429,
        admission.kind === 'daily'
          ? `Too many requests: the daily limit of ${this.deps.config.dailyLimit} calls for this division was reached.`
          : `Too many requests: the limit of ${this.deps.config.minutelyLimit} calls per minute was reached.`,
        admission.headers,
      );
    }

    let response: SimResponse;
    try {
      response = this.dispatch(req, grant, isCurrent, division, resource);
    } catch (err) {
      if (err instanceof ExactApiError) response = odataError(err.status, err.message, err.headers);
      else if (err instanceof SimBadJson) response = odataError(400, err.message);
      else throw err;
    }
    if (response.status >= 400) this.deps.limiter.recordError(budgetKey, endpoint);
    return { ...response, headers: { ...admission.headers, ...response.headers } };
  }

  private dispatch(req: SimRequest, grant: AccessGrant, isCurrent: boolean, division: number, resource: string): SimResponse {
    const ctx: QueryContext = { req, origin: `http://${req.headers.host ?? '127.0.0.1'}`, division };
    if (isCurrent) {
      if (resource.toLowerCase() === 'me' && req.method === 'GET') return this.me(ctx, grant);
      throw new ExactApiError(404, `No resource current/${resource}.`);
    }
    if (division !== grant.division) throw new ExactApiError(403, 'Forbidden - WrongDivision');

    if (resource.toLowerCase() === 'system/divisions') {
      this.requireMethod(req, ['GET']);
      return listStandard(ctx, this.deps.repo, DIVISIONS_DEF, { pageSize: this.deps.config.pageSize, rows: [this.divisionRecord(division)], lineDefOf });
    }
    if (resource.toLowerCase().startsWith('sync/')) {
      const feed = this.deps.sync.feed(resource.slice('sync/'.length));
      if (!feed) throw new ExactApiError(404, `No sync endpoint ${resource}.`);
      this.requireMethod(req, ['GET']);
      const deferBankAccounts = feed.name === 'CRM/Accounts' && this.deps.config.syncAccountBankAccounts === 'deferred';
      return listSync(ctx, this.deps.sync, feed, this.deps.config.syncPageSize, deferBankAccounts ? (row) => this.deferredBankAccounts(ctx, row) : undefined);
    }

    const match = /^([A-Za-z]+\/[A-Za-z]+)(?:\(([^)]*)\))?(?:\/(\$count|[A-Za-z]+))?$/.exec(resource);
    const def = match ? findEndpoint(match[1] as string) : undefined;
    if (!match || !def) throw new ExactApiError(404, `No resource ${resource} in this sandbox.`);
    const keyText = match[2];
    const suffix = match[3];

    if (keyText === undefined) {
      if (suffix === '$count') {
        this.requireMethod(req, ['GET']);
        return listStandard(ctx, this.deps.repo, def, { pageSize: this.deps.config.pageSize, rows: this.deps.repo.sortedRecords(def), lineDefOf, countOnly: true });
      }
      if (suffix !== undefined) throw new ExactApiError(404, `No resource ${resource} in this sandbox.`);
      if (req.method === 'POST') {
        const created = this.writesOf(def, 'post').post(req.json());
        const shaped = shapeRecord(ctx, this.deps.repo, def, created, { fields: null, nested: new Map() }, new Set(def.navigation ? [def.navigation.property] : []), lineDefOf);
        return { status: 201, body: { d: shaped } };
      }
      this.requireMethod(req, ['GET', 'POST']);
      return listStandard(ctx, this.deps.repo, def, { pageSize: this.deps.config.pageSize, rows: this.deps.repo.sortedRecords(def), lineDefOf });
    }

    const id = parseKeyLiteral(keyText);
    if (suffix !== undefined) {
      // Entity(guid'…')/Lines: the deferred line collection of one header.
      const nav = def.navigation;
      if (!nav || nav.property.toLowerCase() !== suffix.toLowerCase()) throw new ExactApiError(404, `${def.path} has no collection ${suffix}.`);
      this.requireMethod(req, ['GET']);
      if (!this.deps.repo.get(def, id)) throw new ExactApiError(404, `${def.path}(${keyText}) does not exist.`);
      const lineDef = lineDefOf(nav.linesPath);
      const rows = this.deps.repo.linesOf(lineDef, id).sort((a, b) => (String(a[lineDef.key]).toLowerCase() < String(b[lineDef.key]).toLowerCase() ? -1 : 1));
      return listStandard(ctx, this.deps.repo, lineDef, { pageSize: this.deps.config.pageSize, rows, lineDefOf });
    }
    if (req.method === 'PUT') {
      this.writesOf(def, 'put').put(id, req.json());
      return { status: 204 };
    }
    if (req.method === 'DELETE') {
      this.writesOf(def, 'delete').delete(id);
      return { status: 204 };
    }
    this.requireMethod(req, ['GET', 'PUT', 'DELETE']);
    const record = this.deps.repo.get(def, id);
    if (!record) throw new ExactApiError(404, `${def.path}(${keyText}) does not exist.`);
    return { status: 200, body: singleRecord(ctx, this.deps.repo, def, record, lineDefOf) };
  }

  private requireMethod(req: SimRequest, allowed: string[]): void {
    if (!allowed.includes(req.method)) throw new ExactApiError(405, `${req.method} is not supported here; use ${allowed.join(' or ')}.`);
  }

  private writesOf<M extends keyof EndpointWrites>(def: EndpointDef, method: M): Required<Pick<EndpointWrites, M>> {
    const writes = this.writes.get(def.path);
    if (!writes?.[method]) {
      const supported = [...this.writes].filter(([, w]) => w[method]).map(([path]) => path);
      throw new ExactApiError(405, `The sandbox supports ${method.toUpperCase()} only on ${supported.join(', ')}.`);
    }
    return writes as Required<Pick<EndpointWrites, M>>;
  }

  /** config.syncAccountBankAccounts = 'deferred': the row links to its bank accounts instead of holding them. */
  private deferredBankAccounts(ctx: QueryContext, row: Record<string, unknown>): Record<string, unknown> {
    if (!('BankAccounts' in row)) return row;
    return { ...row, BankAccounts: { __deferred: { uri: `${ctx.origin}/api/v1/${ctx.division}/crm/Accounts(guid'${String(row.ID)}')/BankAccounts` } } };
  }

  private me(ctx: QueryContext, grant: AccessGrant): SimResponse {
    const { user, config, companyName } = this.deps;
    const [firstName, ...lastNames] = user.fullName.split(' ');
    return {
      status: 200,
      body: {
        d: {
          results: [
            {
              __metadata: { uri: `${ctx.origin}/api/v1/current/Me(guid'${user.userId}')`, type: 'Exact.Web.Api.System.Me' },
              UserID: user.userId,
              CurrentDivision: grant.division,
              AccountingDivision: grant.division,
              FullName: user.fullName,
              FirstName: firstName,
              LastName: lastNames.join(' '),
              Initials: `${firstName?.[0] ?? ''}.`,
              Email: user.email,
              UserName: user.userName,
              LanguageCode: 'nl-NL',
              Language: 'NL',
              Legislation: 1,
              DivisionCustomer: user.divisionCustomerId,
              DivisionCustomerCode: padAccountCode('1'),
              DivisionCustomerName: companyName,
              DivisionCustomerVatNumber: null,
              EmployeeID: null,
              IsClientUser: false,
              IsStarterUser: false,
              PackageCode: 'NL-SANDBOX',
              ServerTime: exactDate(this.deps.clock.now()),
              ServerUtcOffset: config.serverUtcOffset,
            },
          ],
        },
      },
    };
  }

  private divisionRecord(division: number): Record<string, unknown> {
    return {
      Code: division,
      Description: this.deps.companyName,
      HID: division,
      Customer: this.deps.user.divisionCustomerId,
      CustomerName: this.deps.companyName,
      Currency: 'EUR',
      Country: 'NL',
      Current: true,
      Main: true,
      Blocked: false,
    };
  }
}
