import { launchSimulator, type RunningSimulator, type SimulatorFactory, type SimulatorStartOptions } from '../_common/simulator';
import type { World } from '../seed/world-types';
import { IntacctCompany } from './company';
import { IntacctFunctions, requestWrites } from './functions';
import { IntacctGateway, gatewayFailure } from './gateway';
import { ERR } from './errors';
import { ObjectTable, buildSchemas } from './objects';
import { projectWorld } from './world-projection';

/**
 * Sage Intacct XML gateway simulator (fact sheet section 2; README.md in this folder).
 *
 * Config (`SimulatorStartOptions.config`), defaults in brackets:
 *   sessionTimeoutMinutes   sliding API-session lifetime [60; the real one is a company setting]
 *   requestsPerMinute / maxConcurrentRequests  gateway limits [none / 2; both unconfirmed, 2.11]
 *   rateLimitHttpStatus     [429] (Intacct may also say it in a 200 body, 2.5)
 *   cdnTimeoutRate          probability of an HTTP 524 after the request committed [0] (2.1)
 *   uniqueIdDefault         uniqueid when <uniqueid> is omitted [true, as the docs say; 2.3]
 *   duplicateControlIdErrorNo [SANDBOX-DUPLICATE-CONTROLID] (Intacct documents none, 2.3)
 *   authorizedSenderIds     the company's Web Services authorizations [the sandbox sender]
 *   customFields            custom fields per object, e.g. {"VENDOR": ["PROCORE_VENDOR_ID"]}
 *                           [APBILL: PROCORE_ID, VENDOR: PROCORE_VENDOR_ID, PODOCUMENT: PROCORE_ID]
 *   multiEntity             require LOCATIONID on lines at top level [false]
 *   resultIdTtlMinutes      readMore resultId lifetime [30, unconfirmed]
 *   processingDelayMs       real time spent per request [0]
 */
export function startIntacctSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('intacct', createIntacct, opts);
}

/** The world's one currency (World['currency']), without generating the world on a restart. */
const COMPANY_CURRENCY: World['currency'] = 'EUR';

const DEFAULT_CUSTOM_FIELDS: Record<string, string[]> = { APBILL: ['PROCORE_ID'], VENDOR: ['PROCORE_VENDOR_ID'], PODOCUMENT: ['PROCORE_ID'] };

const createIntacct: SimulatorFactory = (ctx) => {
  const cfg = readConfig(ctx.config);
  const credentials = {
    senderId: 'mlconnector-sandbox',
    senderPassword: `sender-${ctx.seed}`,
    companyId: 'ML-SANDBOX',
    userId: 'xml_gateway',
    userPassword: `sandbox-${ctx.seed}`,
  };
  const tables: Record<string, ObjectTable> = {};
  for (const schema of Object.values(buildSchemas(cfg.customFields))) tables[schema.name] = new ObjectTable(ctx.store, schema);
  ctx.store.transaction(() => projectWorld(ctx.store, ctx.freshStore, () => ctx.world, tables));

  const company = new IntacctCompany(
    ctx.store,
    tables,
    { currency: COMPANY_CURRENCY, multiEntity: cfg.multiEntity, readByQueryMaxPageSize: 1000, queryMaxPageSize: 2000, resultIdTtlMs: cfg.resultIdTtlMinutes * 60_000 },
    () => ctx.clock.now(),
  );
  const gateway = new IntacctGateway(ctx.store, ctx.clock, new IntacctFunctions(company), {
    ...credentials,
    authorizedSenderIds: cfg.authorizedSenderIds ?? [credentials.senderId],
    sessionTimeoutMs: cfg.sessionTimeoutMinutes * 60_000,
    uniqueIdDefault: cfg.uniqueIdDefault,
    duplicateControlIdErrorNo: cfg.duplicateControlIdErrorNo,
    requestsPerMinute: cfg.requestsPerMinute,
    maxConcurrentRequests: cfg.maxConcurrentRequests,
    rateLimitHttpStatus: cfg.rateLimitHttpStatus,
    cdnTimeoutRate: cfg.cdnTimeoutRate,
    seed: ctx.seed,
    processingDelayMs: cfg.processingDelayMs,
    isEntity: (locationId) => tables.LOCATION?.byBusinessId(locationId)?.fields.STATUS === 'active',
  });

  return {
    name: 'intacct',
    credentials: () => ({ ...credentials }),
    handle: (req) => gateway.handle(req),
    isWrite: (req) => req.method === 'POST' && requestWrites(req.text()),
    rateLimitedResponse: () => gateway.rateLimited(),
    // Gateway trouble: a control block with only status, the text in description.
    serverErrorResponse: (status) => gatewayFailure(status, ERR.SERVICE, `The Intacct service is temporarily unavailable (HTTP ${status}). Retry later.`),
    expireTokens: () => gateway.expireSessions(),
    inspect() {
      const out: Record<string, unknown[]> = {};
      for (const [name, table] of Object.entries(tables)) {
        const container = table.schema.lines?.container;
        out[name] = table.all().map((r) => (container && r.lines ? { ...r.fields, [container]: r.lines } : { ...r.fields }));
      }
      return out;
    },
  };
};

interface IntacctConfig {
  sessionTimeoutMinutes: number;
  requestsPerMinute: number | null;
  maxConcurrentRequests: number | null;
  rateLimitHttpStatus: number;
  cdnTimeoutRate: number;
  uniqueIdDefault: boolean;
  duplicateControlIdErrorNo: string;
  authorizedSenderIds: string[] | null;
  customFields: Record<string, string[]>;
  multiEntity: boolean;
  resultIdTtlMinutes: number;
  processingDelayMs: number;
}

function readConfig(config: Record<string, unknown>): IntacctConfig {
  const num = (key: string, fallback: number): number => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`intacct config '${key}' must be a number >= 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const optional = (key: string, fallback: number | null): number | null => (config[key] === null ? null : config[key] === undefined ? fallback : num(key, 0));
  const str = (key: string, fallback: string): string => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !v) throw new Error(`intacct config '${key}' must be a non-empty string`);
    return v;
  };
  const strings = (key: string, value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string' && s !== '')) throw new Error(`intacct config '${key}' must be a list of non-empty strings`);
    return value;
  };
  const cdnTimeoutRate = num('cdnTimeoutRate', 0);
  if (cdnTimeoutRate > 1) throw new Error(`intacct config 'cdnTimeoutRate' is a rate in [0, 1], got ${cdnTimeoutRate}`);
  const custom = config.customFields;
  if (custom !== undefined && (typeof custom !== 'object' || custom === null || Array.isArray(custom))) throw new Error("intacct config 'customFields' must be an object of object name → field names");
  return {
    sessionTimeoutMinutes: num('sessionTimeoutMinutes', 60),
    requestsPerMinute: optional('requestsPerMinute', null),
    maxConcurrentRequests: optional('maxConcurrentRequests', 2),
    rateLimitHttpStatus: num('rateLimitHttpStatus', 429),
    cdnTimeoutRate,
    uniqueIdDefault: config.uniqueIdDefault !== false,
    duplicateControlIdErrorNo: str('duplicateControlIdErrorNo', 'SANDBOX-DUPLICATE-CONTROLID'),
    authorizedSenderIds: config.authorizedSenderIds === undefined ? null : strings('authorizedSenderIds', config.authorizedSenderIds),
    customFields: custom === undefined ? DEFAULT_CUSTOM_FIELDS : Object.fromEntries(Object.entries(custom).map(([object, fields]) => [object.toUpperCase(), strings(`customFields.${object}`, fields).map((f) => f.toUpperCase())])),
    multiEntity: config.multiEntity === true,
    resultIdTtlMinutes: num('resultIdTtlMinutes', 30),
    processingDelayMs: num('processingDelayMs', 0),
  };
}
