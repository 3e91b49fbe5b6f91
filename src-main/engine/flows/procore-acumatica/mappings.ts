import { z } from 'zod';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { mappingKeyOf, type MappingSetDefinition } from '../../../../src-shared/ipc/mapping-sets';
import type { World } from '../../../sandbox/seed/world-types';
import type { Store } from '../../../store/db';
import { currentMappingTables, parseMappingRows } from '../shared/mapping-tables';
export { InvalidMappingError } from '../shared/mapping-tables';

/**
 * F2's mapping tables, as a finance team maintains them: Procore project → Acumatica project and
 * branch; Procore cost code (+ cost type, + project) → GL account and subaccount; on construction
 * connections Procore cost code → Acumatica project task and cost code; Procore vendor →
 * Acumatica vendor (confirmed links; a link also lives in the Procore vendor's origin_id).
 */
export const F2_FLOW = 'procore-acumatica';

export const F2_MAPPING_SETS = {
  projects: 'projects',
  costs: 'costs',
  costCodes: 'cost-codes',
  vendors: 'vendors',
} as const;

/** The lists behind F2's pickers (FlowRuntime.referenceData; pickers.ts reads them). */
export const F2_REFERENCE_LISTS = {
  procoreProjects: 'procore-projects',
  procoreVendors: 'procore-vendors',
  procoreCostCodes: 'procore-cost-codes',
  procoreCostTypes: 'procore-cost-types',
  acumaticaBranches: 'acumatica-branches',
  acumaticaAccounts: 'acumatica-accounts',
  acumaticaSubaccounts: 'acumatica-subaccounts',
  acumaticaProjects: 'acumatica-projects',
  acumaticaTasks: 'acumatica-tasks',
  acumaticaCostCodes: 'acumatica-cost-codes',
  acumaticaVendors: 'acumatica-vendors',
} as const;

const pick = (list: string, system: 'procore' | 'acumatica') => ({ reference: { list, system } });
const procoreProject = { name: 'procoreProjectId', label: 'Procore project id (empty = any)', optional: true, ...pick(F2_REFERENCE_LISTS.procoreProjects, 'procore') };
const procoreCostCode = { name: 'costCode', label: 'Procore cost code', ...pick(F2_REFERENCE_LISTS.procoreCostCodes, 'procore') };

export const F2_MAPPING_SET_DEFINITIONS: readonly MappingSetDefinition[] = [
  {
    flow: F2_FLOW,
    set: F2_MAPPING_SETS.projects,
    title: 'Projects',
    description: 'Procore project → Acumatica project and branch',
    keyPrefix: 'pa-project',
    sourceFields: [{ name: 'procoreProjectId', label: 'Procore project id', ...pick(F2_REFERENCE_LISTS.procoreProjects, 'procore') }],
    targetFields: [
      { name: 'acumaticaProject', label: 'Acumatica project (X = none)', ...pick(F2_REFERENCE_LISTS.acumaticaProjects, 'acumatica') },
      { name: 'branch', label: 'Branch', ...pick(F2_REFERENCE_LISTS.acumaticaBranches, 'acumatica') },
    ],
  },
  {
    flow: F2_FLOW,
    set: F2_MAPPING_SETS.costs,
    title: 'GL accounts',
    description: 'Procore cost code (+ cost type, + project) → GL account and subaccount',
    keyPrefix: 'pa-cost',
    sourceFields: [
      procoreCostCode,
      { name: 'costType', label: 'Cost type (empty = any)', optional: true, ...pick(F2_REFERENCE_LISTS.procoreCostTypes, 'procore') },
      procoreProject,
    ],
    targetFields: [
      { name: 'account', label: 'GL account', ...pick(F2_REFERENCE_LISTS.acumaticaAccounts, 'acumatica') },
      { name: 'subaccount', label: 'Subaccount', ...pick(F2_REFERENCE_LISTS.acumaticaSubaccounts, 'acumatica') },
    ],
  },
  {
    flow: F2_FLOW,
    set: F2_MAPPING_SETS.costCodes,
    title: 'Project tasks and cost codes',
    description: 'Procore cost code (+ project) → Acumatica project task and cost code (construction features)',
    keyPrefix: 'pa-costcode',
    sourceFields: [
      procoreCostCode,
      procoreProject,
    ],
    targetFields: [
      { name: 'task', label: 'Project task', ...pick(F2_REFERENCE_LISTS.acumaticaTasks, 'acumatica') },
      { name: 'acumaticaCostCode', label: 'Acumatica cost code', ...pick(F2_REFERENCE_LISTS.acumaticaCostCodes, 'acumatica') },
    ],
  },
  {
    flow: F2_FLOW,
    set: F2_MAPPING_SETS.vendors,
    title: 'Vendors',
    description: 'Procore vendor → Acumatica vendor (confirmed links)',
    keyPrefix: 'pa-vendor',
    sourceFields: [{ name: 'procoreVendorId', label: 'Procore vendor id', ...pick(F2_REFERENCE_LISTS.procoreVendors, 'procore') }],
    targetFields: [{ name: 'acumaticaVendorId', label: 'Acumatica vendor id', ...pick(F2_REFERENCE_LISTS.acumaticaVendors, 'acumatica') }],
    suggestsCounterpartyLinks: true,
    counterpartyNouns: { source: 'vendor', target: 'vendor' },
    createsCounterparty: { noun: 'vendor', system: 'acumatica' },
  },
];

const [PROJECTS, COSTS, COST_CODES, VENDORS] = F2_MAPPING_SET_DEFINITIONS as [
  MappingSetDefinition,
  MappingSetDefinition,
  MappingSetDefinition,
  MappingSetDefinition,
];

/** Mapping keys of parked records (what the Mappings screen lists as unmapped, and what re-queues them). */
export const f2Key = {
  project: (procoreProjectId: string): string => mappingKeyOf(PROJECTS, { procoreProjectId }),
  cost: (costCode: string, costType: string | null, procoreProjectId: string | null): string =>
    mappingKeyOf(COSTS, { costCode, costType, procoreProjectId }),
  costCode: (costCode: string, procoreProjectId: string | null): string => mappingKeyOf(COST_CODES, { costCode, procoreProjectId }),
  vendor: (procoreVendorId: string): string => mappingKeyOf(VENDORS, { procoreVendorId }),
};

export interface CostRow {
  costCode: string;
  costType: string | null;
  procoreProjectId: string | null;
  account: string;
  subaccount: string;
}

export interface CostCodeRow {
  costCode: string;
  procoreProjectId: string | null;
  task: string;
  acumaticaCostCode: string;
}

export interface F2Mappings {
  version: number;
  /** Procore project id → Acumatica project and branch. */
  projects: ReadonlyMap<string, { acumaticaProject: string; branch: string }>;
  costs: readonly CostRow[];
  costCodes: readonly CostCodeRow[];
  /** Procore vendor id → Acumatica VendorID (links confirmed by a person). */
  vendors: ReadonlyMap<string, string>;
}

/** The row of the cost table for a line: the most specific one (project and cost type beat "any"). */
export function findCostRow(rows: readonly CostRow[], costCode: string, costType: string | null, projectId: string): CostRow | undefined {
  let best: CostRow | undefined;
  let bestScore = -1;
  for (const row of rows) {
    if (row.costCode !== costCode) continue;
    if (row.costType !== null && row.costType !== costType) continue;
    if (row.procoreProjectId !== null && row.procoreProjectId !== projectId) continue;
    const score = (row.procoreProjectId !== null ? 2 : 0) + (row.costType !== null ? 1 : 0);
    if (score > bestScore) {
      best = row;
      bestScore = score;
    }
  }
  return best;
}

export function findCostCodeRow(rows: readonly CostCodeRow[], costCode: string, projectId: string): CostCodeRow | undefined {
  return rows.find((r) => r.costCode === costCode && r.procoreProjectId === projectId) ?? rows.find((r) => r.costCode === costCode && r.procoreProjectId === null);
}

/**
 * First start on the sandbox: what the demo's finance team set up. Every Procore project maps to
 * its Acumatica project on branch HEADOFFICE; every cost code to its job-cost account
 * (subaccount CON, equipment costs EQP) and to the project task of its division and the same
 * cost code; every vendor both systems know is linked. The deliberate differences live in
 * Acumatica (an inactive account, a missing cost code), not in these tables.
 */
export function seedF2SandboxMappings(store: Store, worldOf: () => World): void {
  if (store.mappings.getSet(F2_FLOW, F2_MAPPING_SETS.costs)) return;
  const world = worldOf();
  store.transaction(() => {
    const version = (definition: MappingSetDefinition, rows: { sourceKey: JsonValue; target: JsonValue }[]) =>
      store.mappings.createVersion(store.mappings.ensureSet(F2_FLOW, definition.set, definition.description).id, rows, 'sandbox defaults');
    version(
      PROJECTS,
      world.projects.map((p) => ({ sourceKey: { procoreProjectId: String(p.procoreId) }, target: { acumaticaProject: p.acumaticaProjectId, branch: 'HEADOFFICE' } })),
    );
    version(
      COSTS,
      world.apAccounts.flatMap((a) => [
        { sourceKey: { costCode: a.costCode, costType: null, procoreProjectId: null }, target: { account: a.code, subaccount: 'CON' } },
        { sourceKey: { costCode: a.costCode, costType: 'E', procoreProjectId: null }, target: { account: a.code, subaccount: 'EQP' } },
      ]),
    );
    version(
      COST_CODES,
      world.costCodes.map((c) => ({ sourceKey: { costCode: c.code, procoreProjectId: null }, target: { task: c.code.slice(0, 2), acumaticaCostCode: c.code } })),
    );
    version(
      VENDORS,
      world.suppliers
        .filter((s) => s.procoreVendorId !== null && s.acumaticaVendorId !== null)
        .map((s) => ({ sourceKey: { procoreVendorId: String(s.procoreVendorId) }, target: { acumaticaVendorId: s.acumaticaVendorId } })),
    );
  });
}

const code = z.string().trim().min(1);
const optional = code.nullable().default(null);
const projectRow = z.object({ sourceKey: z.object({ procoreProjectId: code }), target: z.object({ acumaticaProject: code, branch: code }) });
const costRow = z.object({
  sourceKey: z.object({ costCode: code, costType: optional, procoreProjectId: optional }),
  target: z.object({ account: code, subaccount: code }),
});
const costCodeRow = z.object({ sourceKey: z.object({ costCode: code, procoreProjectId: optional }), target: z.object({ task: code, acumaticaCostCode: code }) });
const vendorRow = z.object({ sourceKey: z.object({ procoreVendorId: code }), target: z.object({ acumaticaVendorId: code }) });

/** The current version of F2's tables, validated, plus the version ids used (recorded on audit entries). */
export function loadF2Mappings(store: Store): { mappings: F2Mappings; versions: Record<string, number | null> } {
  const tables = currentMappingTables(store, F2_FLOW);
  const projects = parseMappingRows(F2_MAPPING_SETS.projects, tables.rows(F2_MAPPING_SETS.projects), projectRow);
  const costs = parseMappingRows(F2_MAPPING_SETS.costs, tables.rows(F2_MAPPING_SETS.costs), costRow);
  const costCodes = parseMappingRows(F2_MAPPING_SETS.costCodes, tables.rows(F2_MAPPING_SETS.costCodes), costCodeRow);
  const vendors = parseMappingRows(F2_MAPPING_SETS.vendors, tables.rows(F2_MAPPING_SETS.vendors), vendorRow);
  return {
    mappings: {
      version: tables.version(),
      projects: new Map(projects.map((r) => [r.sourceKey.procoreProjectId, r.target])),
      costs: costs.map((r) => ({ ...r.sourceKey, ...r.target })),
      costCodes: costCodes.map((r) => ({ ...r.sourceKey, ...r.target })),
      vendors: new Map(vendors.map((r) => [r.sourceKey.procoreVendorId, r.target.acumaticaVendorId])),
    },
    versions: tables.versions,
  };
}
