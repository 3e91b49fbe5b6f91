import { launchSimulator, type RunningSimulator, type SimulatorFactory, type SimulatorStartOptions } from '../_common/simulator';
import type { World } from '../seed/world-types';
import { IntacctFunctions, intacctTimestamp } from './functions';
import { IntacctGateway, gatewayFailure } from './gateway';
import { ObjectTable, SCHEMAS } from './objects';

/**
 * Sage Intacct XML gateway simulator (fact sheet section 2).
 *
 * Config (`SimulatorStartOptions.config`), defaults in brackets:
 *   sessionTimeoutMinutes   sliding API-session lifetime [60; the real one is a company setting]
 *   requestsPerMinute / maxConcurrentRequests  gateway limits [none / 2; both unconfirmed, 2.11]
 *   rateLimitHttpStatus     [429] (Intacct may also say it in a 200 body, 2.5)
 *   uniqueIdDefault         uniqueid when <uniqueid> is omitted [true, as the docs say; 2.3]
 *   duplicateControlIdErrorNo [XL03000009] (exact error unconfirmed, 2.3)
 *   abortedStatus           result status of rolled-back functions ["aborted", unconfirmed]
 *   multiEntity             require LOCATIONID on bill lines [false]
 *   resultIdTtlMinutes      readMore resultId lifetime [30, unconfirmed]
 *   processingDelayMs       real time spent per request [0]
 */
export function startIntacctSimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('intacct', createIntacct, opts);
}

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
  for (const schema of Object.values(SCHEMAS)) tables[schema.name] = new ObjectTable(ctx.store, schema);
  if (ctx.freshStore) ctx.store.transaction(() => projectWorld(ctx.world, tables));

  const functions = new IntacctFunctions(
    ctx.store,
    tables,
    { currency: ctx.world.currency, multiEntity: cfg.multiEntity, readByQueryMaxPageSize: 1000, queryMaxPageSize: 2000, resultIdTtlMs: cfg.resultIdTtlMinutes * 60_000 },
    () => ctx.clock.now(),
  );
  const gateway = new IntacctGateway(ctx.store, ctx.clock, functions, {
    ...credentials,
    sessionTimeoutMs: cfg.sessionTimeoutMinutes * 60_000,
    uniqueIdDefault: cfg.uniqueIdDefault,
    duplicateControlIdErrorNo: cfg.duplicateControlIdErrorNo,
    abortedStatus: cfg.abortedStatus,
    requestsPerMinute: cfg.requestsPerMinute,
    maxConcurrentRequests: cfg.maxConcurrentRequests,
    rateLimitHttpStatus: cfg.rateLimitHttpStatus,
    processingDelayMs: cfg.processingDelayMs,
  });

  return {
    name: 'intacct',
    credentials: () => ({ ...credentials }),
    handle: (req) => gateway.handle(req),
    rateLimitedResponse: () => gateway.rateLimited(),
    // Service trouble arrives as a gateway failure with the text in description2 (2.12).
    serverErrorResponse: (status) =>
      gatewayFailure(status, 'GW-0500', 'Internal error', `The Intacct service is temporarily unavailable (HTTP ${status}). Retry later. [Support ID: sandbox-fault]`),
    expireTokens: () => gateway.expireSessions(),
    inspect() {
      const out: Record<string, unknown[]> = {};
      for (const [name, table] of Object.entries(tables)) {
        out[name] = table.all().map((r) => (r.lines ? { ...r.fields, APBILLITEMS: r.lines } : { ...r.fields }));
      }
      return out;
    },
  };
};

/**
 * First start: vendors for suppliers with an Intacct id (null ids stay missing on purpose),
 * GL accounts (AP expense accounts + ledger), departments, one location per project city,
 * projects. No bills: the F3 flow writes those.
 */
function projectWorld(world: World, tables: Record<string, ObjectTable>): void {
  const stamp = intacctTimestamp(world.asOf);
  const put = (object: string, fields: Record<string, string>): void => {
    const table = tables[object];
    if (table) table.put({ fields: { RECORDNO: table.nextRecordNo(), ...fields, WHENCREATED: stamp, WHENMODIFIED: stamp } });
  };
  for (const s of world.suppliers) {
    if (s.intacctVendorId === null) continue;
    put('VENDOR', {
      VENDORID: s.intacctVendorId,
      NAME: s.name,
      STATUS: 'active',
      TAXID: s.vatNumber,
      CURRENCY: world.currency,
      TERMNAME: 'Net 30',
      ONHOLD: 'false',
      'DISPLAYCONTACT.PRINTAS': s.name,
      'DISPLAYCONTACT.COMPANYNAME': s.name,
      'DISPLAYCONTACT.EMAIL1': s.email,
      'DISPLAYCONTACT.MAILADDRESS.CITY': s.city,
      'DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE': s.country,
    });
  }
  const seen = new Set<string>();
  const account = (code: string, title: string, balanceSheet: boolean): void => {
    if (seen.has(code)) return;
    seen.add(code);
    put('GLACCOUNT', { ACCOUNTNO: code, TITLE: title, ACCOUNTTYPE: balanceSheet ? 'balancesheet' : 'incomestatement', NORMALBALANCE: 'debit', CLOSINGTYPE: balanceSheet ? 'non-closing account' : 'closing account', STATUS: 'active' });
  };
  for (const a of world.apAccounts) account(a.code, a.description, false);
  for (const g of world.glAccounts) account(g.code, g.description, g.balanceType === 'B');
  for (const d of world.departments) put('DEPARTMENT', { DEPARTMENTID: d.code, TITLE: d.name, STATUS: 'active' });
  const locationOfCity = new Map<string, string>();
  for (const p of world.projects) {
    if (locationOfCity.has(p.city)) continue;
    const id = String(100 * (locationOfCity.size + 1));
    locationOfCity.set(p.city, id);
    put('LOCATION', { LOCATIONID: id, NAME: p.city, STATUS: 'active' });
  }
  for (const p of world.projects) put('PROJECT', { PROJECTID: p.intacctProjectId, NAME: p.name, STATUS: 'active', LOCATIONID: locationOfCity.get(p.city) ?? '' });
}

interface IntacctConfig {
  sessionTimeoutMinutes: number;
  requestsPerMinute: number | null;
  maxConcurrentRequests: number | null;
  rateLimitHttpStatus: number;
  uniqueIdDefault: boolean;
  duplicateControlIdErrorNo: string;
  abortedStatus: string;
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
  return {
    sessionTimeoutMinutes: num('sessionTimeoutMinutes', 60),
    requestsPerMinute: optional('requestsPerMinute', null),
    maxConcurrentRequests: optional('maxConcurrentRequests', 2),
    rateLimitHttpStatus: num('rateLimitHttpStatus', 429),
    uniqueIdDefault: config.uniqueIdDefault !== false,
    duplicateControlIdErrorNo: str('duplicateControlIdErrorNo', 'XL03000009'),
    abortedStatus: str('abortedStatus', 'aborted'),
    multiEntity: config.multiEntity === true,
    resultIdTtlMinutes: num('resultIdTtlMinutes', 30),
    processingDelayMs: num('processingDelayMs', 0),
  };
}
