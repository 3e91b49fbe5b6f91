/**
 * Procore connector: DMSA client-credentials token, company/project reads for mapping and
 * validation, and idempotent writes of commitments (purchase order contracts + schedule of
 * values) and direct costs through Procore's sync actions, keyed by origin_id.
 * Quirks and sources: README.md. Wire details: client.ts / wire.ts.
 */
import type { ConnectionTestResult, Connector, SourcePage, WriteCallOptions } from '../connector';
import type {
  ProcoreCommitment,
  ProcoreCommitmentChangeOrder,
  ProcoreDirectCost,
  ProcoreRequisition,
  ProcoreSourceDeletion,
  ProcoreVendorRecord,
} from '../../../src-shared/domain/records';
import type { BudgetWindowSnapshot, RequestBudget } from '../_kit';
import type { TokenSet } from '../../../src-shared/domain/auth';
import { PROCORE_WRITE_CONCURRENCY } from '../../../src-shared/domain/systems';
import type { ProcoreClientContext } from './client';
import { DEFAULT_PER_PAGE, ProcoreClient, ProcoreConfigError, SYNC_MAX_ITEMS, explainProcoreFailure } from './client';
import {
  costCodeFromWire,
  costCodeIndex,
  lineItemTypeFromWire,
  idFromWire,
  lineItemTypeIndex,
  moneyFromWire,
  projectFromWire,
  vendorFromWire,
} from './mappers';
import {
  DEFAULT_DIRECT_COST_STATUSES,
  DEFAULT_REQUISITION_STATUSES,
  readCommitmentChangeOrders,
  readCommitments,
  readDirectCosts,
  readRequisitions,
  listVendorRecords,
  readVendors,
  type ReadSettings,
} from './reads';
import type {
  CommitmentUpsert,
  CostCodeUpsert,
  DirectCostUpsert,
  FoundContractPayment,
  FoundRecord,
  FoundRequisition,
  PaymentWriteBack,
  ProcoreCostCode,
  ProcoreLineItemType,
  ProcoreProject,
  ProcoreReferenceData,
  ProcoreSettings,
  ProcoreVendor,
  StatusReadOptions,
  SyncedEntity,
  SyncedLink,
  UpsertResult,
  VendorUpsert,
  WriteBackResult,
} from './types';
import {
  findContractPaymentsByOrigin,
  findCostCodesByOrigin,
  findRequisitionsById,
  findRequisitionsByOrigin,
  findVendorsByOrigin,
  findVendorsById,
  markSynced,
  recordPayments,
  upsertCostCodes,
  upsertVendors,
} from './writebacks';
import type { WireLineItemTypeRecord } from './wire';
import type { UpsertOptions } from './upserts';
import { findByOrigin, upsertCommitments, upsertDirectCosts } from './upserts';

export { PROCORE_ENVIRONMENTS } from './types';
export type {
  CommitmentUpsert,
  CostCodeUpsert,
  DirectCostPaymentWriteBack,
  DirectCostUpsert,
  FoundContractPayment,
  FoundLine,
  FoundRecord,
  FoundRequisition,
  LineUpsert,
  PaymentWriteBack,
  ProcoreCostCode,
  ProcoreEnvironment,
  ProcoreLineItemType,
  ProcoreProject,
  ProcoreReferenceData,
  ProcoreSettings,
  ProcoreVendor,
  RequisitionPaymentWriteBack,
  StatusReadOptions,
  SyncedEntity,
  SyncedLink,
  UpsertFailure,
  UpsertResult,
  VendorUpsert,
  WriteBackFailure,
  WriteBackResult,
} from './types';
export { ProcoreConfigError } from './client';
export { ProcoreCursorError } from './cursor';
export { InvalidInputError, ProcoreResponseShapeError, flattenFieldErrors } from './mappers';
export { DEFAULT_DIRECT_COST_STATUSES, DEFAULT_REQUISITION_STATUSES } from './reads';

export interface ProcoreConnector extends Connector {
  readonly system: 'procore';
  /** The company's shared request budget (`procore:<companyId>`: hourly + spike), for the scheduler and status. */
  readonly budget: RequestBudget;
  /**
   * The hourly window: the server's figures when its X-Rate-Limit-* headers described the hourly
   * window (they win), else our own count; null when the budget has no hourly window.
   */
  hourlyBudget(): BudgetWindowSnapshot | null;
  /** §2.2 client credentials; token custody calls it (CLIENT_CREDENTIALS_POLICY). */
  requestToken(credentials: { clientId: string; clientSecret: string }): Promise<TokenSet>;
  listProjects(): Promise<ProcoreProject[]>;
  /** All company vendors with origin_id / origin_code / name, for suggested matching. */
  listVendors(): Promise<ProcoreVendor[]>;
  /**
   * Reference data for mapping and validation. Projects the app cannot see are absent from
   * `projects` (the flow parks their records), and their cost codes are not fetched.
   */
  loadReference(projectIds: readonly string[]): Promise<ProcoreReferenceData>;
  /** One result per input, in input order. Throws only when the session is dead (auth, config). */
  upsertCommitments(projectId: string, commitments: readonly CommitmentUpsert[], call?: WriteCallOptions): Promise<UpsertResult[]>;
  /** Live commitments of the project by origin id, with their lines (resolve before retrying). */
  findCommitmentsByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundRecord>>;
  upsertDirectCosts(projectId: string, costs: readonly DirectCostUpsert[], call?: WriteCallOptions): Promise<UpsertResult[]>;
  findDirectCostsByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundRecord>>;
  /**
   * Every live commitment or direct cost of the project that carries an origin id, with its
   * total (no lines): what a reconciliation compares. ⌈records / perPage⌉ calls.
   */
  listOriginTotals(projectId: string, entity: 'commitment' | 'direct-cost'): Promise<Map<string, { id: string; total: string }>>;

  // ---- flows F2 / F3: Procore as the source ----------------------------------------------------
  // Cursor reads walk every project the app sees; the cursor is one opaque string per stream
  // (a checkpoint per project) — store it after each page. null or '' = from the start.

  /** Purchase order and work order contracts with their SOV lines; soft-deleted ones as deletions. */
  readCommitments(cursor: string | null): AsyncIterable<SourcePage<ProcoreCommitment, ProcoreSourceDeletion>>;
  /** Commitment change orders (line detail where Procore's answer carries it). */
  readCommitmentChangeOrders(cursor: string | null): AsyncIterable<SourcePage<ProcoreCommitmentChangeOrder>>;
  /** Subcontractor invoices with their G703 lines (contract and change order items); default statuses approved, approved_as_noted. */
  readRequisitions(cursor: string | null, options?: StatusReadOptions): AsyncIterable<SourcePage<ProcoreRequisition>>;
  /** Direct costs with their lines; default status approved. */
  readDirectCosts(cursor: string | null, options?: StatusReadOptions): AsyncIterable<SourcePage<ProcoreDirectCost>>;
  /** Company vendors, active and (unless switched off) inactive. */
  readVendors(cursor: string | null, options?: { includeInactive?: boolean }): AsyncIterable<SourcePage<ProcoreVendorRecord>>;
  /** Every company vendor as it is now (no settle window): for listings the user asks for, not for syncing. */
  listVendorRecords(): Promise<ProcoreVendorRecord[]>;
  /** The project's live cost codes with their ERP links. */
  listCostCodes(projectId: string): Promise<ProcoreCostCode[]>;
  /** The company's line item types ("cost types"). */
  listLineItemTypes(): Promise<ProcoreLineItemType[]>;

  // ---- flows F2 / F3: write-backs (one result per item, in input order) ---------------------------

  /** Writes the ERP link (origin_id / origin_data, invoices also erp_status) onto invoices or direct costs. */
  markSynced(entity: SyncedEntity, links: readonly SyncedLink[], call?: WriteCallOptions): Promise<WriteBackResult[]>;
  /** Subcontractor invoices of a project by ERP link (origin id). */
  findRequisitionsByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundRequisition>>;
  /** Subcontractor invoices of a project by id, as they are now (payment date, ERP status). */
  findRequisitionsById(projectId: string, ids: readonly string[]): Promise<Map<string, FoundRequisition>>;
  /** Creates or updates company vendors from the ERP, keyed by origin id (or linking by procoreId). */
  upsertVendors(vendors: readonly VendorUpsert[], call?: WriteCallOptions): Promise<WriteBackResult[]>;
  findVendorsByOrigin(originIds: readonly string[]): Promise<Map<string, ProcoreVendorRecord>>;
  /** Company vendors by id as they are now, active or inactive (a vendor just edited included). */
  findVendorsById(ids: readonly string[]): Promise<Map<string, ProcoreVendorRecord>>;
  /** Creates or updates a project's cost codes from the ERP, keyed by origin id. */
  upsertCostCodes(projectId: string, costCodes: readonly CostCodeUpsert[], call?: WriteCallOptions): Promise<WriteBackResult[]>;
  findCostCodesByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, ProcoreCostCode>>;
  /** ERP payments: contract payments + invoice payment date, or a direct cost's payment date; voids reverse them. */
  recordPayments(payments: readonly PaymentWriteBack[], call?: WriteCallOptions): Promise<WriteBackResult[]>;
  findContractPaymentsByOrigin(
    projectId: string,
    commitmentId: string,
    originIds: readonly string[],
  ): Promise<Map<string, FoundContractPayment>>;
}

const DEFAULT_IDS_PER_READ = 100;
export const DEFAULT_WRITE_CONCURRENCY = PROCORE_WRITE_CONCURRENCY.default;
/** More parallel calls buy nothing under Procore's spike window (25 per 10 s by default). */
export const MAX_WRITE_CONCURRENCY = PROCORE_WRITE_CONCURRENCY.max;

/** `settings.writeConcurrency`, checked: a whole number from 1 to 16 (default 4). */
function writeConcurrencyOf(settings: ProcoreSettings): number {
  const value = settings.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_WRITE_CONCURRENCY))
    throw new ProcoreConfigError(
      `The Procore write concurrency (calls in flight at once) must be a whole number from 1 to ${MAX_WRITE_CONCURRENCY}, got ${String(value)}.`,
    );
  return value;
}

/** `settings.readConcurrency`, checked like the write concurrency. */
function readConcurrencyOf(settings: ProcoreSettings): number {
  const value = settings.readConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_WRITE_CONCURRENCY))
    throw new ProcoreConfigError(
      `The Procore read concurrency (sub-reads in flight at once) must be a whole number from 1 to ${MAX_WRITE_CONCURRENCY}, got ${String(value)}.`,
    );
  return value;
}

/** Default of `settings.cursorSettleSeconds`. */
export const DEFAULT_CURSOR_SETTLE_SECONDS = 5;

function settleMsOf(settings: ProcoreSettings): number {
  const value = settings.cursorSettleSeconds ?? DEFAULT_CURSOR_SETTLE_SECONDS;
  if (!(Number.isFinite(value) && value >= 0 && value <= 3600))
    throw new ProcoreConfigError(
      `The Procore cursor settle time must be from 0 to 3600 seconds, got ${String(value)}.`,
    );
  return Math.round(value * 1000);
}

export function createProcoreConnector(
  ctx: ProcoreClientContext,
  settings: ProcoreSettings,
): ProcoreConnector {
  // Checked before the client exists: a refused setting leaves no connection pool behind.
  const writeConcurrency = writeConcurrencyOf(settings);
  const readSettings: Omit<ReadSettings, 'now'> = {
    perPage: settings.perPage ?? DEFAULT_PER_PAGE,
    settleMs: settleMsOf(settings),
    readConcurrency: readConcurrencyOf(settings),
  };
  const client = new ProcoreClient(ctx, settings);
  const clock = settings.clock;
  const reads: ReadSettings = { ...readSettings, now: ctx.now ?? (() => (clock ? clock.now() : Date.now())) };
  const options: UpsertOptions = {
    companyId: client.companyId,
    chunkSize: settings.syncChunkSize ?? SYNC_MAX_ITEMS,
    idsPerRead: settings.idsPerRead ?? DEFAULT_IDS_PER_READ,
    writeConcurrency,
  };

  const listProjects = async (): Promise<ProcoreProject[]> =>
    (await client.listProjects()).map(projectFromWire);

  return {
    system: 'procore',
    budget: client.budget,
    hourlyBudget: () => client.hourlyBudget(),
    requestToken: (credentials) => client.requestToken(credentials),

    async testConnection(): Promise<ConnectionTestResult> {
      try {
        const projects = await listProjects();
        if (projects.length === 0)
          return {
            ok: true,
            detail: `Connected to Procore company ${client.companyId}, but the app sees no projects yet; a company admin must give the app access to the projects to sync.`,
          };
        return {
          ok: true,
          detail: `Connected to Procore company ${client.companyId}; ${projects.length} projects visible.`,
        };
      } catch (error) {
        return { ok: false, problem: explainProcoreFailure(error, client.companyId, 'listing the projects') };
      }
    },

    listProjects,

    async listVendors() {
      return (await client.listVendors()).map(vendorFromWire);
    },

    async loadReference(projectIds) {
      const visible = new Map((await listProjects()).map((project) => [project.id, project]));
      const projects: ProcoreReferenceData['projects'] = new Map();
      for (const projectId of new Set(projectIds)) {
        const project = visible.get(projectId);
        if (!project) continue;
        projects.set(projectId, {
          name: project.name,
          costCodes: costCodeIndex(await client.listCostCodes(projectId), projectId),
        });
      }
      const lineItemTypes = lineItemTypeIndex(await client.listLineItemTypes());
      const vendors = new Map(
        (await client.listVendors())
          .map(vendorFromWire)
          .filter((vendor) => vendor.active)
          .map((vendor) => [vendor.id, vendor.name]),
      );
      return { projects, lineItemTypes, vendors };
    },

    upsertCommitments: (projectId, commitments, call) => upsertCommitments(client, projectId, commitments, { ...options, ...call }),

    findCommitmentsByOrigin: (projectId, originIds) =>
      findByOrigin(
        originIds,
        (filter) => client.listCommitments(projectId, filter),
        (id) => client.listCommitmentLines(projectId, id),
        'commitment',
      ),

    upsertDirectCosts: (projectId, costs, call) => upsertDirectCosts(client, projectId, costs, { ...options, ...call }),

    findDirectCostsByOrigin: (projectId, originIds) =>
      findByOrigin(
        originIds,
        (filter) => client.listDirectCosts(projectId, filter),
        (id) => client.listDirectCostLines(projectId, id),
        'direct cost',
      ),

    readCommitments: (cursor) => readCommitments(client, cursor, reads),
    readCommitmentChangeOrders: (cursor) => readCommitmentChangeOrders(client, cursor, reads),
    readRequisitions: (cursor, options) =>
      readRequisitions(client, cursor, options?.statuses ?? DEFAULT_REQUISITION_STATUSES, reads),
    readDirectCosts: (cursor, options) =>
      readDirectCosts(client, cursor, options?.statuses ?? DEFAULT_DIRECT_COST_STATUSES, reads),
    readVendors: (cursor, options) => readVendors(client, cursor, options?.includeInactive ?? true, reads),
    listVendorRecords: () => listVendorRecords(client, reads),

    async listCostCodes(projectId) {
      return (await client.listCostCodeRecords(projectId, {}))
        .filter((code) => !code.deleted_at)
        .map((code) => costCodeFromWire(code, projectId));
    },
    async listLineItemTypes() {
      return ((await client.listLineItemTypes()) as WireLineItemTypeRecord[]).map(lineItemTypeFromWire);
    },

    markSynced: (entity, links, call) => markSynced(client, entity, links, call ?? {}),
    findRequisitionsByOrigin: (projectId, originIds) => findRequisitionsByOrigin(client, projectId, originIds),
    findRequisitionsById: (projectId, ids) => findRequisitionsById(client, projectId, ids),
    upsertVendors: (vendors, call) => upsertVendors(client, vendors, call ?? {}),
    findVendorsByOrigin: (originIds) => findVendorsByOrigin(client, originIds),
    findVendorsById: (ids) => findVendorsById(client, ids),
    upsertCostCodes: (projectId, costCodes, call) => upsertCostCodes(client, projectId, costCodes, call ?? {}),
    findCostCodesByOrigin: (projectId, originIds) => findCostCodesByOrigin(client, projectId, originIds),
    recordPayments: (payments, call) => recordPayments(client, payments, call ?? {}),
    findContractPaymentsByOrigin: (projectId, commitmentId, originIds) =>
      findContractPaymentsByOrigin(client, projectId, commitmentId, originIds),

    async listOriginTotals(projectId, entity) {
      const records = entity === 'commitment' ? await client.listCommitments(projectId, {}) : await client.listDirectCosts(projectId, {});
      const totals = new Map<string, { id: string; total: string }>();
      for (const r of records) {
        if (!r.origin_id || r.deleted_at) continue;
        const what = `${entity} ${r.origin_id}`;
        totals.set(r.origin_id, { id: idFromWire(r.id, what), total: moneyFromWire(r.grand_total ?? (r as { amount?: string | null }).amount, `the grand_total of ${what}`).toMoneyString() });
      }
      return totals;
    },

    close: () => client.close(),
  };
}
