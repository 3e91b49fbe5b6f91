/**
 * Acumatica connector (contract-based REST API, Default endpoint): sign-in (OAuth token or
 * cookie session), reference reads for validation, AP bills (create with lookup before insert,
 * update by line id, release), vendors and cost codes both ways, commitments and change orders
 * for reconciliation, and AP payments for the payment status. System-level reads and writes;
 * the F2 flow decides what to send. Quirks, sources and calls per operation: README.md.
 */
import type { TokenSet } from '../../../src-shared/domain/auth';
import type { ConnectionTestResult, Connector, ConnectorContext, WriteCallOptions } from '../connector';
import { HttpStatusError, systemClock, type RequestBudget } from '../_kit';
import { AcumaticaClient } from './client';
import { AcumaticaConfigError } from './errors';
import { MAX_QUEUED_BEFORE_429 } from './licence';
import {
  accountFromWire,
  andFilters,
  anyOf,
  branchFromWire,
  changeOrderFromWire,
  chunk,
  commitmentFromWire,
  costCodeFromWire,
  modifiedSinceFilter,
  odataString,
  parseScreenField,
  paymentFromWire,
  projectFromWire,
  serverMessage,
  subaccountFromWire,
  taskFromWire,
  vendorFromWire,
  type BillWriteSettings,
} from './mappers';
import type {
  AcumaticaAuth,
  AcumaticaBranch,
  AcumaticaChangeOrder,
  AcumaticaCommitment,
  AcumaticaCostCode,
  AcumaticaEndpoints,
  AcumaticaPayment,
  AcumaticaReference,
  AcumaticaSettings,
  AcumaticaVendor,
  ActionResult,
  BillInput,
  BillKey,
  BillUpdate,
  BillUpdateResult,
  BillWriteResult,
  CommitmentQuery,
  CostCodeInput,
  CostCodeWriteResult,
  FoundBill,
  SubcontractInput,
  SubcontractWriteResult,
  VendorInput,
  VendorWriteResult,
} from './types';
import type {
  WireAccount,
  WireChangeOrder,
  WireCheck,
  WireCompaniesStructureRow,
  WireCostCode,
  WireOrder,
  WireProject,
  WireProjectTask,
  WireSubaccount,
  WireVendor,
} from './wire';
import {
  createBills,
  createSubcontract,
  findBills,
  listBills,
  releaseBills,
  updateBills,
  upsertCostCodes,
  upsertVendors,
  type BillWriteOptions,
  type WriteEnv,
} from './writes';

export type * from './types';
export type { BillWriteOptions } from './writes';
export {
  AcumaticaConfigError,
  AcumaticaEndpointVersionError,
  AcumaticaLoginLimitError,
  AcumaticaResponseShapeError,
  isSessionFatal,
} from './errors';
export { InvalidInputError, VENDOR_CREDIT_TYPE, billTypeFor, codingProblems, signedBillAmount } from './mappers';

export interface AcumaticaConnector extends Connector {
  readonly system: 'acumatica';
  /** The connection's request budget (`acumatica:<instance>:<tenant>`, per-minute quota), for the status screen. */
  readonly budget: RequestBudget;

  /** OAuth resource-owner password grant (1.3) for token custody; scope default "api offline_access". */
  requestTokens(input: {
    clientId: string;
    clientSecret: string;
    username: string;
    password: string;
    scope?: string;
  }): Promise<TokenSet>;
  /** OAuth refresh grant (1.3). A spent or revoked refresh token → NeedsReauthError. */
  refreshTokens(input: { clientId: string; clientSecret: string; refreshToken: string }): Promise<TokenSet>;

  /** The endpoints the instance publishes (GET /entity). */
  listEndpointVersions(): Promise<AcumaticaEndpoints>;
  /** Accounts, subaccounts, branches, projects with tasks, cost codes, with their active flags. */
  readReference(): Promise<AcumaticaReference>;

  /** Bills by vendor + vendor ref (the idempotency key), one list per key in input order. */
  findBills(keys: readonly { vendorId: string; vendorRef: string }[]): Promise<FoundBill[][]>;
  /** Bills changed at or after an instant (status and balance: paid = Closed with balance 0). */
  listBills(query?: { modifiedSince?: string; vendorId?: string; withLines?: boolean }): Promise<FoundBill[]>;
  /** New AP bills, looked up first; one result per input, in order. */
  createBills(bills: readonly BillInput[], call?: BillWriteOptions): Promise<BillWriteResult[]>;
  /** Changes to existing bills; lines only by their Acumatica id. */
  updateBills(updates: readonly BillUpdate[], call?: WriteCallOptions): Promise<BillUpdateResult[]>;
  /** ReleaseBill per bill; ok once the operation completed (202 polled, or 204). */
  releaseBills(keys: readonly BillKey[], call?: WriteCallOptions): Promise<ActionResult[]>;

  /** Vendors, with MainContact and its address (changed at or after `modifiedSince` when given). */
  listVendors(query?: { modifiedSince?: string }): Promise<AcumaticaVendor[]>;
  upsertVendors(vendors: readonly VendorInput[], call?: WriteCallOptions): Promise<VendorWriteResult[]>;
  upsertCostCodes(codes: readonly CostCodeInput[], call?: WriteCallOptions): Promise<CostCodeWriteResult[]>;
  /** Cost codes (changed at or after `modifiedSince` when given), with when each last changed. */
  listCostCodes(query?: { modifiedSince?: string }): Promise<AcumaticaCostCode[]>;

  listSubcontracts(query?: CommitmentQuery): Promise<AcumaticaCommitment[]>;
  listPurchaseOrders(query?: CommitmentQuery): Promise<AcumaticaCommitment[]>;
  /**
   * Subcontracts and purchase orders of each (project, vendor ref): Procore commitment numbers
   * repeat across projects, so the project decides. One list per key, in input order.
   */
  findCommitments(keys: readonly { project: string; vendorRef: string }[]): Promise<AcumaticaCommitment[][]>;
  listChangeOrders(query?: { modifiedSince?: string; projectId?: string }): Promise<AcumaticaChangeOrder[]>;
  /** A subcontract from a Procore commitment (looked up by vendor + vendor ref + project first). */
  createSubcontract(input: SubcontractInput): Promise<SubcontractWriteResult>;

  /** AP payments (Check) changed at or after an instant, with the bills they pay. */
  listChecks(query?: { modifiedSince?: string }): Promise<AcumaticaPayment[]>;
}

const DEFAULTS = {
  endpointName: 'Default',
  maxInFlight: 6,
  writeConcurrency: 4,
  pageSize: 500,
  lookupChunkSize: 20,
  polling: { firstDelayMs: 250, maxDelayMs: 2_000, timeoutMs: 300_000 },
};

const wholeNumber = (
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  what: string,
): number => {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AcumaticaConfigError(
      `Acumatica ${what} must be a whole number from ${min} to ${max}, got ${String(value)}.`,
    );
  return n;
};

export function createAcumaticaConnector(
  ctx: ConnectorContext & AcumaticaAuth,
  settings: AcumaticaSettings,
): AcumaticaConnector {
  const hasTokens = 'tokens' in ctx && ctx.tokens !== undefined;
  const hasLogin = 'login' in ctx && ctx.login !== undefined;
  if (hasTokens === hasLogin)
    throw new AcumaticaConfigError(
      'An Acumatica connection signs in with either an OAuth token or a user name and password, not both or neither.',
    );
  const instance = (settings.instanceUrl ?? ctx.baseUrl).trim();
  let instanceUrl: URL;
  try {
    instanceUrl = new URL(instance.endsWith('/') ? instance : `${instance}/`);
  } catch {
    throw new AcumaticaConfigError(
      `"${instance}" is not an Acumatica instance URL (e.g. https://acme.acumatica.com or https://erp.acme.nl/AcumaticaERP).`,
    );
  }
  if (!settings.tenant?.trim())
    throw new AcumaticaConfigError('The Acumatica tenant (company) name is empty.');
  if (!/^\d+\.\d+\.\d+$/.test(settings.endpointVersion ?? ''))
    throw new AcumaticaConfigError(
      `"${settings.endpointVersion}" is not an endpoint version like 24.200.001.`,
    );
  const rpm = settings.licence?.requestsPerMinute ?? null;
  if (rpm !== null && !(Number.isInteger(rpm) && rpm > 0))
    throw new AcumaticaConfigError(
      `The licence's requests per minute must be a positive whole number, got ${rpm}.`,
    );
  const clock = settings.clock ?? systemClock;
  const polling = { ...DEFAULTS.polling, ...settings.actionPolling };
  const client = new AcumaticaClient(ctx, {
    instanceUrl: instanceUrl.href,
    tenant: settings.tenant.trim(),
    endpointName: settings.endpointName ?? DEFAULTS.endpointName,
    endpointVersion: settings.endpointVersion,
    branch: settings.branch?.trim() || null,
    requestsPerMinute: rpm,
    maxInFlight: wholeNumber(
      settings.licence?.maxInFlight,
      DEFAULTS.maxInFlight,
      1,
      MAX_QUEUED_BEFORE_429,
      'requests in flight',
    ),
    pageSize: wholeNumber(settings.pageSize, DEFAULTS.pageSize, 1, 10_000, 'page size'),
    polling,
    clock,
    retry: settings.retry,
  });
  const bills: BillWriteSettings = {
    construction: settings.construction === true,
    retainage: settings.retainage ?? 'not-used',
    originField: settings.originField ? parseScreenField(settings.originField) : null,
  };
  const env: WriteEnv = {
    client,
    bills,
    writeConcurrency: wholeNumber(
      settings.writeConcurrency,
      DEFAULTS.writeConcurrency,
      1,
      MAX_QUEUED_BEFORE_429,
      'write concurrency',
    ),
    lookupChunkSize: wholeNumber(
      settings.lookupChunkSize,
      DEFAULTS.lookupChunkSize,
      1,
      100,
      'lookup chunk size',
    ),
  };
  const tenantSuffix = `@${settings.tenant.trim().toLowerCase()}`;
  const checkClientId = (clientId: string): void => {
    if (!clientId.toLowerCase().endsWith(tenantSuffix))
      throw new AcumaticaConfigError(
        `The OAuth client id must end with @${settings.tenant.trim()} (Acumatica adds the tenant to the id on the Connected Applications form, SM303010).`,
      );
  };

  async function listEndpointVersions(): Promise<AcumaticaEndpoints> {
    const found = await client.discovery();
    return {
      buildVersion: found.version?.acumaticaBuildVersion ?? null,
      endpoints: (found.endpoints ?? []).flatMap((e) =>
        e.name && e.version ? [{ name: e.name, version: e.version }] : [],
      ),
    };
  }

  /** Branches from the CompaniesStructure inquiry (no Branch entity in Default); null when it cannot be read. */
  async function readBranches(): Promise<Map<string, AcumaticaBranch> | null> {
    if (settings.branches)
      return new Map(settings.branches.map((code) => [code, { code, name: code, active: true }]));
    try {
      // Inquiries are read with PUT and their results expanded; nothing is stored, so a repeat is safe.
      const result = await client.put<{ Results?: WireCompaniesStructureRow[] }>(
        'CompaniesStructure',
        {},
        {
          query: { $expand: 'Results' },
          retrySafe: true,
        },
      );
      const rows = (result?.Results ?? [])
        .map(branchFromWire)
        .filter((b): b is AcumaticaBranch => b !== null);
      return new Map(rows.map((b) => [b.code, b]));
    } catch (error) {
      if (error instanceof HttpStatusError && [400, 403, 404].includes(error.status)) return null;
      throw error;
    }
  }

  async function readReference(): Promise<AcumaticaReference> {
    const [accounts, subaccounts, projects, tasks, costCodes, branches] = await Promise.all([
      client.listAll<WireAccount>('Account', { $select: 'AccountCD,Description,Type,AccountGroup,Active' }),
      client.listAll<WireSubaccount>('Subaccount', { $select: 'SubaccountCD,Description,Active' }),
      client.listAll<WireProject>('Project', { $select: 'ProjectID,Description,Status,Hold,ExternalRefNbr' }),
      client.listAll<WireProjectTask>('ProjectTask', {
        $select: 'ProjectID,ProjectTaskID,Description,Status,Default',
      }),
      client.listAll<WireCostCode>('CostCode', { $select: 'CostCodeID,Description' }),
      readBranches(),
    ]);
    const reference: AcumaticaReference = {
      accounts: new Map(),
      subaccounts: new Map(),
      branches,
      projects: new Map(),
      costCodes: new Map(),
    };
    for (const a of accounts.map(accountFromWire)) if (a) reference.accounts.set(a.code, a);
    for (const s of subaccounts.map(subaccountFromWire)) if (s) reference.subaccounts.set(s.code, s);
    for (const p of projects.map(projectFromWire)) if (p) reference.projects.set(p.projectId, p);
    for (const t of tasks.map(taskFromWire))
      if (t) reference.projects.get(t.projectId)?.tasks.set(t.task.taskId, t.task);
    for (const c of costCodes.map(costCodeFromWire)) if (c) reference.costCodes.set(c.code, c);
    return reference;
  }

  async function listCommitments(
    entity: 'Subcontract' | 'PurchaseOrder',
    query: CommitmentQuery,
  ): Promise<AcumaticaCommitment[]> {
    const kind = entity === 'Subcontract' ? 'subcontract' : 'purchase-order';
    const base = [
      query.modifiedSince ? modifiedSinceFilter(query.modifiedSince) : null,
      query.vendorId ? `VendorID eq ${odataString(query.vendorId)}` : null,
    ];
    // Several vendor refs: one filtered call per chunk, so the URL stays short.
    const refChunks = query.vendorRefs ? chunk([...new Set(query.vendorRefs)], env.lookupChunkSize) : [null];
    const out: AcumaticaCommitment[] = [];
    for (const refs of refChunks) {
      if (refs && refs.length === 0) continue;
      const filter = andFilters([...base, refs ? anyOf('VendorRef', refs) : null]);
      const rows = await client.listAll<WireOrder>(entity, {
        ...(filter ? { $filter: filter } : {}),
        $expand: 'Details',
      });
      for (const row of rows) {
        const c = commitmentFromWire(row, kind);
        if (c) out.push(c);
      }
    }
    return out;
  }

  async function testConnection(): Promise<ConnectionTestResult> {
    try {
      await client.ensureSignedIn();
      const endpoints = await listEndpointVersions();
      const name = settings.endpointName ?? DEFAULTS.endpointName;
      const versions = endpoints.endpoints
        .filter((e) => e.name.toLowerCase() === name.toLowerCase())
        .map((e) => e.version);
      if (!versions.includes(settings.endpointVersion))
        return {
          ok: false,
          problem: `endpoint version ${settings.endpointVersion} is not available on this instance; available: ${versions.join(', ') || 'none'}. Choose one of them in the connection settings.`,
        };
      // One cheap entity read proves the session has rights to the endpoint.
      await client.get('Vendor', { $top: 1, $select: 'VendorID' });
      const who = hasLogin
        ? `as ${(ctx as { login: { username: string } }).login.username} (cookie session)`
        : 'with an OAuth token';
      return {
        ok: true,
        detail:
          `Signed in to tenant ${settings.tenant} ${who}; endpoint ${name}/${settings.endpointVersion}; ` +
          `the instance publishes ${versions.join(', ')}${endpoints.buildVersion ? ` (Acumatica ${endpoints.buildVersion})` : ''}.`,
      };
    } catch (error) {
      if (error instanceof HttpStatusError)
        return {
          ok: false,
          problem: `Acumatica answered ${serverMessage(error.status, error.response.text)} (${error.method} ${new URL(error.url).pathname}).`,
        };
      return { ok: false, problem: error instanceof Error ? error.message : String(error) };
    }
  }

  return {
    system: 'acumatica',
    budget: client.budget,
    testConnection,
    close: () => client.close(),

    async requestTokens(input) {
      checkClientId(input.clientId);
      return client.token({
        grant_type: 'password',
        client_id: input.clientId,
        client_secret: input.clientSecret,
        username: input.username,
        password: input.password,
        // Not api:concurrent_access: one token = one session, closed with the token (1.3, 1.11).
        scope: input.scope ?? 'api offline_access',
      });
    },
    async refreshTokens(input) {
      checkClientId(input.clientId);
      return client.token({
        grant_type: 'refresh_token',
        client_id: input.clientId,
        client_secret: input.clientSecret,
        refresh_token: input.refreshToken,
      });
    },

    listEndpointVersions,
    readReference,

    findBills: (keys) => findBills(env, keys),
    listBills: (query = {}) => listBills(env, query),
    createBills: (input, call) => createBills(env, input, call),
    updateBills: (input, call) => updateBills(env, input, call),
    releaseBills: (keys, call) => releaseBills(env, keys, call),

    async listVendors(query = {}) {
      const rows = await client.listAll<WireVendor>('Vendor', {
        ...(query.modifiedSince ? { $filter: modifiedSinceFilter(query.modifiedSince) } : {}),
        $expand: 'MainContact,MainContact/Address',
      });
      return rows.map(vendorFromWire).filter((v): v is AcumaticaVendor => v !== null);
    },
    upsertVendors: (vendors, call) => upsertVendors(env, vendors, call),
    upsertCostCodes: (codes, call) => upsertCostCodes(env, codes, call),
    async listCostCodes(query = {}) {
      const rows = await client.listAll<WireCostCode>('CostCode', {
        ...(query.modifiedSince ? { $filter: modifiedSinceFilter(query.modifiedSince) } : {}),
      });
      return rows.map(costCodeFromWire).filter((c): c is AcumaticaCostCode => c !== null);
    },

    listSubcontracts: (query = {}) => listCommitments('Subcontract', query),
    listPurchaseOrders: (query = {}) => listCommitments('PurchaseOrder', query),
    async findCommitments(keys) {
      const refs = keys.map((k) => k.vendorRef);
      const all = [
        ...(await listCommitments('Subcontract', { vendorRefs: refs })),
        ...(await listCommitments('PurchaseOrder', { vendorRefs: refs })),
      ];
      const same = (a: string | null, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();
      return keys.map((k) =>
        all.filter((c) => same(c.vendorRef, k.vendorRef) && c.projects.some((p) => same(p, k.project))),
      );
    },
    async listChangeOrders(query = {}) {
      const filter = andFilters([
        query.modifiedSince ? modifiedSinceFilter(query.modifiedSince) : null,
        query.projectId ? `ProjectID eq ${odataString(query.projectId)}` : null,
      ]);
      const rows = await client.listAll<WireChangeOrder>('ChangeOrder', {
        ...(filter ? { $filter: filter } : {}),
        $expand: 'Commitments',
      });
      return rows.map(changeOrderFromWire).filter((c): c is AcumaticaChangeOrder => c !== null);
    },
    createSubcontract: (input) => createSubcontract(env, input),

    async listChecks(query = {}) {
      const rows = await client.listAll<WireCheck>('Check', {
        ...(query.modifiedSince ? { $filter: modifiedSinceFilter(query.modifiedSince) } : {}),
        $expand: 'Details,History',
      });
      return rows.map(paymentFromWire).filter((p): p is AcumaticaPayment => p !== null);
    },
  };
}
