import { z } from 'zod';
import { mappingKeyOf, type MappingSetDefinition } from '../../../../src-shared/ipc/mapping-sets';
import type { World } from '../../../sandbox/seed/world-types';
import type { Store } from '../../../store/db';
import { DEFAULT_POLICY } from './policy';
import { currentMappingTables, parseMappingRows } from '../shared/mapping-tables';
export { InvalidMappingError } from '../shared/mapping-tables';

export const F3_FLOW = 'procore-intacct';
export const F3_MAPPING_SETS = { projects: 'projects', costs: 'costs', vendors: 'vendors' } as const;

/** A target column left unused: Intacct does not get that dimension. */
export const NONE = '-';

/** The lists behind F3's pickers (FlowRuntime.referenceData; pickers.ts reads them). */
export const F3_REFERENCE_LISTS = {
  procoreProjects: 'procore-projects',
  procoreVendors: 'procore-vendors',
  procoreCostCodes: 'procore-cost-codes',
  procoreCostTypes: 'procore-cost-types',
  intacctGlAccounts: 'intacct-gl-accounts',
  intacctDepartments: 'intacct-departments',
  intacctLocations: 'intacct-locations',
  intacctProjects: 'intacct-projects',
  intacctClasses: 'intacct-classes',
  intacctVendors: 'intacct-vendors',
} as const;

const pick = (list: string, system: 'procore' | 'sage-intacct') => ({ reference: { list, system } });

/** The three tables a finance team maintains for F3, as the Mappings screen and CSV files show them. */
export const F3_MAPPING_SET_DEFINITIONS: readonly MappingSetDefinition[] = [
  {
    flow: F3_FLOW,
    set: F3_MAPPING_SETS.projects,
    title: 'Projects',
    description: 'Procore project → Intacct project, location and class',
    keyPrefix: 'project',
    sourceFields: [{ name: 'procoreProjectId', label: 'Procore project id', ...pick(F3_REFERENCE_LISTS.procoreProjects, 'procore') }],
    targetFields: [
      { name: 'intacctProjectId', label: 'Intacct project (PROJECTID)', ...pick(F3_REFERENCE_LISTS.intacctProjects, 'sage-intacct') },
      { name: 'locationId', label: 'Location (LOCATIONID; - = none)', ...pick(F3_REFERENCE_LISTS.intacctLocations, 'sage-intacct') },
      { name: 'classId', label: 'Class (CLASSID; - = none)', ...pick(F3_REFERENCE_LISTS.intacctClasses, 'sage-intacct') },
    ],
  },
  {
    flow: F3_FLOW,
    set: F3_MAPPING_SETS.costs,
    title: 'GL coding',
    description: 'Procore cost code (+ cost type) → Intacct GL account and department',
    keyPrefix: 'cost',
    sourceFields: [
      { name: 'costCode', label: 'Procore cost code', ...pick(F3_REFERENCE_LISTS.procoreCostCodes, 'procore') },
      { name: 'costType', label: 'Cost type (empty = any)', optional: true, ...pick(F3_REFERENCE_LISTS.procoreCostTypes, 'procore') },
    ],
    targetFields: [
      { name: 'accountNo', label: 'GL account (ACCOUNTNO)', ...pick(F3_REFERENCE_LISTS.intacctGlAccounts, 'sage-intacct') },
      { name: 'departmentId', label: 'Department (DEPARTMENTID; - = none)', ...pick(F3_REFERENCE_LISTS.intacctDepartments, 'sage-intacct') },
    ],
  },
  {
    flow: F3_FLOW,
    set: F3_MAPPING_SETS.vendors,
    title: 'Vendors',
    description: 'Procore vendor → Intacct vendor (VENDORID)',
    keyPrefix: 'vendor',
    sourceFields: [{ name: 'procoreVendorId', label: 'Procore vendor id', ...pick(F3_REFERENCE_LISTS.procoreVendors, 'procore') }],
    targetFields: [{ name: 'intacctVendorId', label: 'Intacct vendor (VENDORID)', ...pick(F3_REFERENCE_LISTS.intacctVendors, 'sage-intacct') }],
    suggestsCounterpartyLinks: true,
    counterpartyNouns: { source: 'vendor', target: 'vendor' },
  },
];

const [PROJECTS, COSTS, VENDORS] = F3_MAPPING_SET_DEFINITIONS as [MappingSetDefinition, MappingSetDefinition, MappingSetDefinition];

/** Mapping keys (as parked records name what would fix them). */
export const f3Key = {
  project: (procoreProjectId: string): string => mappingKeyOf(PROJECTS, { procoreProjectId }),
  cost: (costCode: string, costType: string | null): string => mappingKeyOf(COSTS, { costCode, costType }),
  vendor: (procoreVendorId: string): string => mappingKeyOf(VENDORS, { procoreVendorId }),
};

export interface ProjectMapping {
  intacctProjectId: string;
  locationId: string | null;
  classId: string | null;
}

export interface CostMapping {
  costCode: string;
  /** null = any cost type (a row with the line's cost type wins). */
  costType: string | null;
  accountNo: string;
  departmentId: string | null;
}

export interface F3Mappings {
  version: number;
  /** Procore project id → Intacct project and dimensions. */
  projects: ReadonlyMap<string, ProjectMapping>;
  costs: readonly CostMapping[];
  /** Procore vendor id → Intacct VENDORID (the finance team's links). */
  vendors: ReadonlyMap<string, string>;
}

/** The row for a cost code and cost type: the exact one, else the "any cost type" one. */
export function findCostMapping(rows: readonly CostMapping[], costCode: string, costType: string | null): CostMapping | undefined {
  let any: CostMapping | undefined;
  for (const row of rows) {
    if (row.costCode !== costCode) continue;
    if (costType !== null && row.costType === costType) return row;
    if (row.costType === null) any = row;
  }
  return any;
}

/** The sandbox Intacct company's inactive GL account (sandbox/sage-intacct README: planted for validation). */
const SANDBOX_INACTIVE_ACCOUNT = '59990';
const DEPARTMENT_OF_COST_CODE: Record<string, string> = { '01-310': 'PM', '01-540': 'EQP', '01-542': 'EQP' };
const CLASSES = ['COM', 'RES', 'INF'];

/**
 * First start of a sandbox: the tables a finance team would have set up from the demo world,
 * with its deliberate gaps: a supplier Procore knows but Intacct does not stays unlinked, and
 * one cost code is coded to an account that is inactive in Intacct (the least-used cost code on
 * commitments that post), so the demo parks "Cost code … maps to GL 59990, which is inactive".
 */
export function seedF3SandboxMappings(store: Store, worldOf: () => World): void {
  if (store.mappings.getSet(F3_FLOW, F3_MAPPING_SETS.costs)) return;
  const world = worldOf();
  const locationOfCity = new Map<string, string>();
  // The sandbox company's locations: one per project city, numbered in project order (as its projection does).
  for (const p of world.projects) if (!locationOfCity.has(p.city)) locationOfCity.set(p.city, String(100 * (locationOfCity.size + 1)));
  const uses = new Map<string, number>();
  for (const c of world.commitments)
    if (DEFAULT_POLICY.commitmentStatuses.includes(c.status)) for (const l of c.lines) uses.set(l.costCode, (uses.get(l.costCode) ?? 0) + 1);
  const planted = [...uses].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0];
  store.transaction(() => {
    const projectSet = store.mappings.ensureSet(F3_FLOW, PROJECTS.set, PROJECTS.description);
    store.mappings.createVersion(
      projectSet.id,
      world.projects.map((p, i) => ({
        sourceKey: { procoreProjectId: String(p.procoreId) },
        target: { intacctProjectId: p.intacctProjectId, locationId: locationOfCity.get(p.city) ?? NONE, classId: CLASSES[i % CLASSES.length]! },
      })),
      'sandbox defaults',
    );
    const costSet = store.mappings.ensureSet(F3_FLOW, COSTS.set, COSTS.description);
    store.mappings.createVersion(
      costSet.id,
      world.apAccounts.map((a) => ({
        sourceKey: { costCode: a.costCode, costType: null },
        target: { accountNo: a.costCode === planted ? SANDBOX_INACTIVE_ACCOUNT : a.code, departmentId: DEPARTMENT_OF_COST_CODE[a.costCode] ?? 'CON' },
      })),
      'sandbox defaults',
    );
    const vendorSet = store.mappings.ensureSet(F3_FLOW, VENDORS.set, VENDORS.description);
    store.mappings.createVersion(
      vendorSet.id,
      world.suppliers
        .filter((s) => s.procoreVendorId !== null && s.intacctVendorId !== null)
        .map((s) => ({ sourceKey: { procoreVendorId: String(s.procoreVendorId) }, target: { intacctVendorId: s.intacctVendorId! } })),
      'sandbox defaults',
    );
  });
}

const code = z.string().trim().min(1);
const optional = code.transform((v) => (v === NONE ? null : v));
const projectRow = z.object({
  sourceKey: z.object({ procoreProjectId: code }),
  target: z.object({ intacctProjectId: code, locationId: optional, classId: optional }),
});
const costRow = z.object({
  sourceKey: z.object({ costCode: code, costType: code.nullable().default(null) }),
  target: z.object({ accountNo: code, departmentId: optional }),
});
const vendorRow = z.object({ sourceKey: z.object({ procoreVendorId: code }), target: z.object({ intacctVendorId: code }) });

/** The current version of F3's three tables, validated, plus the version ids used. */
export function loadF3Mappings(store: Store): { mappings: F3Mappings; versions: Record<string, number | null> } {
  const tables = currentMappingTables(store, F3_FLOW);
  const projects = parseMappingRows(PROJECTS.set, tables.rows(PROJECTS.set), projectRow);
  const costs = parseMappingRows(COSTS.set, tables.rows(COSTS.set), costRow);
  const vendors = parseMappingRows(VENDORS.set, tables.rows(VENDORS.set), vendorRow);
  return {
    mappings: {
      version: tables.version(),
      projects: new Map(projects.map((r) => [r.sourceKey.procoreProjectId, r.target])),
      costs: costs.map((r) => ({ costCode: r.sourceKey.costCode, costType: r.sourceKey.costType, accountNo: r.target.accountNo, departmentId: r.target.departmentId })),
      vendors: new Map(vendors.map((r) => [r.sourceKey.procoreVendorId, r.target.intacctVendorId])),
    },
    versions: tables.versions,
  };
}
