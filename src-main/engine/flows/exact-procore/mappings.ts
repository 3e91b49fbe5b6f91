import { z } from 'zod';
import type { MappingSetDefinition } from '../../../../src-shared/ipc/mapping-sets';
import type { World } from '../../../sandbox/seed/world-types';
import type { Store } from '../../../store/db';
import type { CostMappingRow, ExactProcoreMappings } from './model';
import { currentMappingTables, parseMappingRows } from '../shared/mapping-tables';
export { InvalidMappingError } from '../shared/mapping-tables';

export const F1_FLOW = 'exact-procore';
export const F1_MAPPING_SETS = {
  projects: 'projects',
  costs: 'costs',
  vendors: 'vendors',
} as const;

/** The reference lists behind F1's pickers (FlowRuntime.referenceData; reference.ts reads them). */
export const F1_REFERENCE_LISTS = {
  procoreProjects: 'procore-projects',
  procoreVendors: 'procore-vendors',
  procoreCostCodes: 'procore-cost-codes',
  procoreLineItemTypes: 'procore-line-item-types',
  exactProjects: 'exact-projects',
  exactGlAccounts: 'exact-gl-accounts',
  exactCostCenters: 'exact-cost-centers',
  exactCostUnits: 'exact-cost-units',
  exactSuppliers: 'exact-suppliers',
} as const;

/** The three tables a finance team maintains for F1, as the Mappings screen and CSV files show them. */
export const F1_MAPPING_SET_DEFINITIONS: readonly MappingSetDefinition[] = [
  {
    flow: F1_FLOW,
    set: F1_MAPPING_SETS.projects,
    title: 'Projects',
    description: 'Exact Online project → Procore project',
    keyPrefix: 'project',
    sourceFields: [{ name: 'projectCode', label: 'Exact project code', reference: { list: F1_REFERENCE_LISTS.exactProjects, system: 'exact-online' } }],
    targetFields: [{ name: 'procoreProjectId', label: 'Procore project', reference: { list: F1_REFERENCE_LISTS.procoreProjects, system: 'procore' } }],
  },
  {
    flow: F1_FLOW,
    set: F1_MAPPING_SETS.costs,
    title: 'Cost codes',
    description: 'GL account + cost center (+ cost unit) → Procore cost code + cost type',
    keyPrefix: 'cost',
    sourceFields: [
      { name: 'glAccountCode', label: 'GL account', reference: { list: F1_REFERENCE_LISTS.exactGlAccounts, system: 'exact-online' } },
      { name: 'costCenterCode', label: 'Cost center', reference: { list: F1_REFERENCE_LISTS.exactCostCenters, system: 'exact-online' } },
      { name: 'costUnitCode', label: 'Cost unit (empty = any)', optional: true, reference: { list: F1_REFERENCE_LISTS.exactCostUnits, system: 'exact-online' } },
    ],
    targetFields: [
      { name: 'costCode', label: 'Procore cost code', reference: { list: F1_REFERENCE_LISTS.procoreCostCodes, system: 'procore' } },
      { name: 'lineItemTypeCode', label: 'Cost type', reference: { list: F1_REFERENCE_LISTS.procoreLineItemTypes, system: 'procore' } },
    ],
  },
  {
    flow: F1_FLOW,
    set: F1_MAPPING_SETS.vendors,
    title: 'Vendors',
    description: 'Exact Online supplier → Procore vendor',
    keyPrefix: 'vendor',
    sourceFields: [{ name: 'supplierCode', label: 'Exact supplier code', reference: { list: F1_REFERENCE_LISTS.exactSuppliers, system: 'exact-online' } }],
    targetFields: [{ name: 'procoreVendorId', label: 'Procore vendor', reference: { list: F1_REFERENCE_LISTS.procoreVendors, system: 'procore' } }],
    suggestsCounterpartyLinks: true,
    counterpartyNouns: { source: 'supplier', target: 'vendor' },
    createsCounterparty: { noun: 'vendor', system: 'procore' },
  },
];

/**
 * First start of a sandbox: the mappings a finance team would have set up, from the sandbox
 * world — minus its deliberate gaps (an unmapped GL/cost-center pair, a supplier without a
 * Procore vendor), which the user fixes in Mappings.
 */
export function seedF1SandboxMappings(store: Store, worldOf: () => World): void {
  if (store.mappings.getSet(F1_FLOW, F1_MAPPING_SETS.costs)) return;
  const world = worldOf();
  const [projects, costs, vendors] = F1_MAPPING_SET_DEFINITIONS as [MappingSetDefinition, MappingSetDefinition, MappingSetDefinition];
  store.transaction(() => {
    const projectSet = store.mappings.ensureSet(F1_FLOW, projects.set, projects.description);
    store.mappings.createVersion(
      projectSet.id,
      world.projects.map((p) => ({ sourceKey: { projectCode: p.code }, target: { procoreProjectId: String(p.procoreId) } })),
      'sandbox defaults',
    );
    const costSet = store.mappings.ensureSet(F1_FLOW, costs.set, costs.description);
    store.mappings.createVersion(
      costSet.id,
      world.costMappings.map((m) => ({
        sourceKey: { glAccountCode: m.glAccountCode, costCenterCode: m.costCenterCode, costUnitCode: m.costUnitCode },
        target: { costCode: m.costCode, lineItemTypeCode: m.lineItemTypeCode },
      })),
      'sandbox defaults',
    );
    const vendorSet = store.mappings.ensureSet(F1_FLOW, vendors.set, vendors.description);
    store.mappings.createVersion(
      vendorSet.id,
      world.suppliers
        .filter((s) => s.procoreVendorId !== null)
        .map((s) => ({ sourceKey: { supplierCode: s.code }, target: { procoreVendorId: String(s.procoreVendorId) } })),
      'sandbox defaults',
    );
  });
}

const code = z.string().trim().min(1);
const projectRow = z.object({ sourceKey: z.object({ projectCode: code }), target: z.object({ procoreProjectId: code }) });
const costRow = z.object({
  sourceKey: z.object({ glAccountCode: code, costCenterCode: code, costUnitCode: code.nullable().default(null) }),
  target: z.object({ costCode: code, lineItemTypeCode: code }),
});
const vendorRow = z.object({ sourceKey: z.object({ supplierCode: code }), target: z.object({ procoreVendorId: code }) });

/** The current version of F1's three mapping tables, validated, plus the version ids used. */
export function loadF1Mappings(store: Store): { mappings: ExactProcoreMappings; versions: Record<string, number | null> } {
  const tables = currentMappingTables(store, F1_FLOW);
  const projects = parseMappingRows(F1_MAPPING_SETS.projects, tables.rows(F1_MAPPING_SETS.projects), projectRow);
  const costs = parseMappingRows(F1_MAPPING_SETS.costs, tables.rows(F1_MAPPING_SETS.costs), costRow);
  const vendors = parseMappingRows(F1_MAPPING_SETS.vendors, tables.rows(F1_MAPPING_SETS.vendors), vendorRow);
  return {
    mappings: {
      version: tables.version(),
      projects: new Map(projects.map((r) => [r.sourceKey.projectCode, r.target.procoreProjectId])),
      costs: costs.map(
        (r): CostMappingRow => ({
          glAccountCode: r.sourceKey.glAccountCode,
          costCenterCode: r.sourceKey.costCenterCode,
          costUnitCode: r.sourceKey.costUnitCode,
          costCode: r.target.costCode,
          lineItemTypeCode: r.target.lineItemTypeCode,
        }),
      ),
      vendors: new Map(vendors.map((r) => [r.sourceKey.supplierCode, r.target.procoreVendorId])),
    },
    versions: tables.versions,
  };
}
