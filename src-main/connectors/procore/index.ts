/**
 * Procore connector: DMSA client-credentials token, company/project reads for mapping and
 * validation, and idempotent writes of commitments (purchase order contracts + schedule of
 * values) and direct costs through Procore's sync actions, keyed by origin_id.
 * Quirks and sources: README.md. Wire details: client.ts / wire.ts.
 */
import type { ConnectionTestResult, Connector, WriteCallOptions } from '../connector';
import type { BudgetWindowSnapshot, RequestBudget } from '../_kit';
import type { TokenSet } from '../../../src-shared/domain/auth';
import { PROCORE_WRITE_CONCURRENCY } from '../../../src-shared/domain/systems';
import type { ProcoreClientContext } from './client';
import { ProcoreClient, ProcoreConfigError, SYNC_MAX_ITEMS, explainProcoreFailure } from './client';
import { costCodeIndex, lineItemTypeIndex, projectFromWire, vendorFromWire } from './mappers';
import type {
  CommitmentUpsert,
  DirectCostUpsert,
  FoundRecord,
  ProcoreProject,
  ProcoreReferenceData,
  ProcoreSettings,
  ProcoreVendor,
  UpsertResult,
} from './types';
import type { UpsertOptions } from './upserts';
import { findByOrigin, upsertCommitments, upsertDirectCosts } from './upserts';

export { PROCORE_ENVIRONMENTS } from './types';
export type {
  CommitmentUpsert,
  DirectCostUpsert,
  FoundLine,
  FoundRecord,
  LineUpsert,
  ProcoreEnvironment,
  ProcoreProject,
  ProcoreReferenceData,
  ProcoreSettings,
  ProcoreVendor,
  UpsertFailure,
  UpsertResult,
} from './types';
export { ProcoreConfigError } from './client';
export { InvalidInputError, ProcoreResponseShapeError, flattenFieldErrors } from './mappers';

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

export function createProcoreConnector(
  ctx: ProcoreClientContext,
  settings: ProcoreSettings,
): ProcoreConnector {
  // Checked before the client exists: a refused setting leaves no connection pool behind.
  const writeConcurrency = writeConcurrencyOf(settings);
  const client = new ProcoreClient(ctx, settings);
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

    close: () => client.close(),
  };
}
