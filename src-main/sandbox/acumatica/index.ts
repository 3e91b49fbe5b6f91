import { createHash } from 'node:crypto';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import {
  launchSimulator,
  type RunningSimulator,
  type SimulatorFactory,
  type SimulatorStartOptions,
} from '../_common/simulator';
import { buildContract, type CustomFieldConfig } from './contract';
import { EntityApi, jsonResponse, type Tables } from './entity-api';
import { EntityTable } from './entity-table';
import { LICENCE_LIMIT_MESSAGE, acumaticaError, notFound } from './errors';
import { toJsonText } from './json-text';
import { LicenceQueue } from './licence-queue';
import { ACTION_COMPLETIONS, type ActionCompletion } from './long-operations';
import { AcumaticaAuth } from './sessions';
import { projectWorld } from './world-projection';

/**
 * Acumatica contract-based REST API simulator (fact sheet section 1).
 *
 * Config (`SimulatorStartOptions.config`), defaults in brackets:
 *   endpointVersions   versions of the Default endpoint this instance serves [23.200.001, 24.200.001]
 *   maxApiUsers        licensed concurrent API sessions [2, the trial limit of 1.10]
 *   sessionIdleMinutes idle expiry of cookie sessions [20, third-party figure of 1.4]
 *   tokenLifetimeSeconds  OAuth access-token lifetime [3600]
 *   requestsPerMinute / maxConcurrentRequests  licence request limits [none: trial licence]
 *   maxQueuedRequests  queue length past which requests get 429 [20]
 *   throttleRealDelayFactor  real-time share of the computed throttle delay [1]
 *   allowClientCredentials, refreshTokenReuse [false, false]; loginLimitStatus [500]
 *   sessionCookieName / authCookieName [ASP.NET_SessionId / .ASPXAUTH]
 *   branch [HEADOFFICE]; branches (every branch of the tenant) [[branch]]
 *   closedPeriods ["MM-YYYY", …] [none]
 *   actionCompletion  how actions answer: 'polled' (202 + status Location), 'immediate' (204 +
 *                     Location) or 'alternate' [polled]; see long-operations.ts
 *   actionPendingPolls status polls answered 202 before a polled action completes [1]
 *   actionDurationMs  simulator time after which a polled action completes unpolled [60000]
 *   instanceName      the site's application path when it is not at the web root, e.g.
 *                     "AcumaticaERP" → /AcumaticaERP/entity/…, /AcumaticaERP/identity/… [none]
 *   customFields      screen fields outside the contract, per entity, for $custom / "custom":
 *                     {"Bill": {"Document.UsrProcoreID": "CustomStringField"}} [none]
 */
export function startAcumaticaSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('acumatica', createAcumatica, opts);
}

const createAcumatica: SimulatorFactory = (ctx) => {
  const cfg = readConfig(ctx.config);
  const clientGuid = createHash('sha1').update(`acumatica-client:${ctx.seed}`).digest('hex');
  const credentials = {
    username: 'admin',
    password: `sandbox-${ctx.seed}`,
    tenant: 'Company',
    endpointVersion: cfg.endpointVersions[cfg.endpointVersions.length - 1] ?? '24.200.001',
    clientId: `${clientGuid.slice(0, 8)}-${clientGuid.slice(8, 12)}-${clientGuid.slice(12, 16)}-${clientGuid.slice(16, 20)}-${clientGuid.slice(20, 32)}@Company`,
    clientSecret: `sandbox-secret-${ctx.seed}`,
  };

  const tables: Tables = {};
  for (const schema of Object.values(buildContract(cfg.customFields)))
    tables[schema.name] = new EntityTable(ctx.store, schema);
  const api = new EntityApi(
    ctx.store,
    tables,
    {
      branch: cfg.branch,
      branches: cfg.branches,
      // The world's currency, read only when seeding: a restart over a seeded store need not build the world.
      get currency() {
        return ctx.store.getMeta<string>('currency') ?? 'EUR';
      },
      closedPeriods: cfg.closedPeriods,
      seed: ctx.seed,
      operations: {
        completion: cfg.actionCompletion,
        pendingPolls: cfg.actionPendingPolls,
        durationMs: cfg.actionDurationMs,
      },
    },
    () => ctx.clock.now(),
  );
  if (ctx.freshStore) {
    ctx.store.transaction(() => {
      ctx.store.setMeta('currency', ctx.world.currency);
      projectWorld(ctx.world, tables, api);
    });
  }

  const auth = new AcumaticaAuth(ctx.store, ctx.clock, {
    ...credentials,
    maxApiUsers: cfg.maxApiUsers,
    branches: cfg.branches,
    sessionIdleMs: cfg.sessionIdleMinutes * 60_000,
    tokenLifetimeMs: cfg.tokenLifetimeSeconds * 1000,
    sessionCookieName: cfg.sessionCookieName,
    authCookieName: cfg.authCookieName,
    allowClientCredentials: cfg.allowClientCredentials,
    refreshTokenReuse: cfg.refreshTokenReuse,
    loginLimitStatus: cfg.loginLimitStatus,
  });
  const queue = new LicenceQueue(ctx.clock, {
    requestsPerMinute: cfg.requestsPerMinute,
    maxConcurrent: cfg.maxConcurrentRequests,
    maxQueued: cfg.maxQueuedRequests,
    realDelayFactor: cfg.throttleRealDelayFactor,
  });

  const rateLimited = (): SimResponse =>
    acumaticaError(429, LICENCE_LIMIT_MESSAGE, 'PX.Api.ContractBased.ApiLicenseLimitException');

  /** `/{instanceName}` when the site is not at the web root (1.1), else ''. */
  const site = cfg.instanceName ? `/${cfg.instanceName}` : '';

  /** The request path below the site, or null when it is not under the site at all. */
  function sitePath(req: SimRequest): string | null {
    const path = req.path.replace(/\/+$/, '');
    if (!site) return path;
    // IIS matches the application path case-insensitively.
    return path.toLowerCase().startsWith(`${site.toLowerCase()}/`) ? path.slice(site.length) : null;
  }

  function route(req: SimRequest): SimResponse {
    const path = sitePath(req);
    if (path === null) return notFound(req.url.pathname);
    if (req.method === 'POST' && path === '/entity/auth/login') return auth.login(req);
    if (req.method === 'POST' && path === '/identity/connect/token') return auth.token(req);
    if (req.method === 'GET' && path === '/identity/.well-known/openid-configuration') {
      const issuer = `http://${req.headers.host ?? '127.0.0.1'}${site}/identity`;
      return jsonResponse(200, {
        issuer,
        token_endpoint: `${issuer}/connect/token`,
        authorization_endpoint: `${issuer}/connect/authorize`,
        grant_types_supported: [
          'password',
          'refresh_token',
          'authorization_code',
          ...(cfg.allowClientCredentials ? ['client_credentials'] : []),
        ],
        scopes_supported: ['api', 'offline_access', 'api:concurrent_access'],
      });
    }
    if (req.method === 'GET' && path === '/entity') {
      // Discovery (1.1): the ERP version plus the endpoints this instance serves.
      return jsonResponse(200, {
        version: { acumaticaBuildVersion: '24.200.0123', databaseVersion: '24.200.0123' },
        endpoints: cfg.endpointVersions.map((version) => ({
          name: 'Default',
          version,
          href: `${site}/entity/Default/${version}/`,
        })),
      });
    }
    const segments = path.split('/').filter(Boolean);
    if (segments[0] !== 'entity' || segments.length < 4) return notFound(req.url.pathname);
    const [, endpointName, version, ...rest] = segments;
    // An endpoint name/version the instance does not publish is a plain 404 (1.1).
    if (endpointName !== 'Default' || !version || !cfg.endpointVersions.includes(version))
      return notFound(req.url.pathname);
    const who = auth.authenticate(req);
    if (!who.ok) return who.response;
    return api.handle(req, { site, version, sessionKey: who.session.key, branch: who.session.branch }, rest);
  }

  return {
    name: 'acumatica',
    credentials: () => ({ ...credentials }),
    async handle(req) {
      // Logout never waits in the licence queue (1.10), so a client can always free its seat.
      if (req.method === 'POST' && sitePath(req) === '/entity/auth/logout') return auth.logout(req);
      const admission = await queue.admit();
      if (!admission.admitted) return rateLimited();
      try {
        const response = route(req);
        // The page faults act on lists only (the entity API's list applies them): a record's answer has no page.
        if (!response.spoiled && (req.responseFault === 'duplicates' || req.responseFault === 'repeat-cursor')) delete req.responseFault;
        if (admission.delayMs > 0)
          response.headers = {
            ...response.headers,
            'x-sandbox-throttle-delay-ms': String(admission.delayMs),
          };
        return response;
      } finally {
        admission.release();
      }
    },
    rateLimitedResponse: rateLimited,
    serverErrorResponse(status) {
      // 500 = the JSON error body; 502/503 come from IIS as an HTML page (1.9).
      if (status === 500)
        return acumaticaError(
          500,
          'An unexpected error occurred on the server (sandbox fault).',
          'System.Exception',
        );
      const title = status === 502 ? 'Bad Gateway' : 'Service Unavailable';
      return {
        status,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${status} ${title}</h1></body></html>`,
      };
    },
    expireTokens: () => auth.expireAll(),
    inspect() {
      const out: Record<string, unknown[]> = {};
      const latest = cfg.endpointVersions[cfg.endpointVersions.length - 1] ?? '24.200.001';
      for (const [name, table] of Object.entries(tables)) {
        // Exactly what a client of the newest served version reads with everything expanded.
        out[name] = table.collection
          .all()
          .map(
            (record, i) =>
              JSON.parse(toJsonText(api.renderFull(table.schema, record, i + 1, latest))) as unknown,
          );
      }
      return out;
    },
  };
};

interface AcumaticaConfig {
  endpointVersions: string[];
  maxApiUsers: number;
  sessionIdleMinutes: number;
  tokenLifetimeSeconds: number;
  requestsPerMinute: number | null;
  maxConcurrentRequests: number | null;
  maxQueuedRequests: number;
  throttleRealDelayFactor: number;
  allowClientCredentials: boolean;
  refreshTokenReuse: boolean;
  loginLimitStatus: number;
  sessionCookieName: string;
  authCookieName: string;
  branch: string;
  branches: string[];
  closedPeriods: Set<string>;
  actionCompletion: ActionCompletion;
  actionPendingPolls: number;
  actionDurationMs: number;
  customFields: CustomFieldConfig;
  instanceName: string;
}

function readConfig(config: Record<string, unknown>): AcumaticaConfig {
  const num = (key: string, fallback: number): number => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`acumatica config '${key}' must be a number >= 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const optionalNum = (key: string): number | null =>
    config[key] === undefined || config[key] === null ? null : num(key, 0);
  const str = (key: string, fallback: string): string => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !v) throw new Error(`acumatica config '${key}' must be a non-empty string`);
    return v;
  };
  const strings = (key: string, fallback: string[]): string[] => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw new Error(`acumatica config '${key}' must be a list of strings`);
    return v as string[];
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T))
      throw new Error(
        `acumatica config '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
      );
    return v as T;
  };
  const closed = strings('closedPeriods', []).map((p) => {
    const m = /^(\d{2})-?(\d{4})$/.exec(p);
    if (!m) throw new Error(`acumatica config 'closedPeriods': '${p}' is not a period like 01-2026`);
    return `${m[1]}${m[2]}`;
  });
  return {
    endpointVersions: strings('endpointVersions', ['23.200.001', '24.200.001']),
    maxApiUsers: num('maxApiUsers', 2),
    sessionIdleMinutes: num('sessionIdleMinutes', 20),
    tokenLifetimeSeconds: num('tokenLifetimeSeconds', 3600),
    requestsPerMinute: optionalNum('requestsPerMinute'),
    maxConcurrentRequests: optionalNum('maxConcurrentRequests'),
    maxQueuedRequests: num('maxQueuedRequests', 20),
    throttleRealDelayFactor: num('throttleRealDelayFactor', 1),
    allowClientCredentials: config.allowClientCredentials === true,
    refreshTokenReuse: config.refreshTokenReuse === true,
    loginLimitStatus: num('loginLimitStatus', 500),
    sessionCookieName: str('sessionCookieName', 'ASP.NET_SessionId'),
    authCookieName: str('authCookieName', '.ASPXAUTH'),
    branch: str('branch', 'HEADOFFICE'),
    branches: [...new Set([str('branch', 'HEADOFFICE'), ...strings('branches', [])])],
    closedPeriods: new Set(closed),
    actionCompletion: oneOf('actionCompletion', ACTION_COMPLETIONS, 'polled'),
    actionPendingPolls: num('actionPendingPolls', 1),
    actionDurationMs: num('actionDurationMs', 60_000),
    customFields: customFieldConfig(config.customFields),
    instanceName: config.instanceName === undefined ? '' : str('instanceName', '').replace(/^\/+|\/+$/g, ''),
  };
}

function customFieldConfig(value: unknown): CustomFieldConfig {
  if (value === undefined) return {};
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (
    !isRecord(value) ||
    !Object.values(value).every(
      (fields) => isRecord(fields) && Object.values(fields).every((t) => typeof t === 'string'),
    )
  ) {
    throw new Error(
      `acumatica config 'customFields' must look like {"Bill": {"Document.UsrField": "CustomStringField"}}`,
    );
  }
  return value as CustomFieldConfig;
}
