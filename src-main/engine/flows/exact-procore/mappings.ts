import { z } from 'zod';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { Store } from '../../../store/db';
import type { CostMappingRow, ExactProcoreMappings } from './model';

export const F1_FLOW = 'exact-procore';
export const F1_MAPPING_SETS = {
  projects: 'projects',
  costs: 'costs',
  vendors: 'vendors',
} as const;

const code = z.string().trim().min(1);
const projectRow = z.object({ sourceKey: z.object({ projectCode: code }), target: z.object({ procoreProjectId: code }) });
const costRow = z.object({
  sourceKey: z.object({ glAccountCode: code, costCenterCode: code, costUnitCode: code.nullable().default(null) }),
  target: z.object({ costCode: code, lineItemTypeCode: code }),
});
const vendorRow = z.object({ sourceKey: z.object({ supplierCode: code }), target: z.object({ procoreVendorId: code }) });

export class InvalidMappingError extends Error {
  constructor(set: string, index: number, problem: string) {
    super(`Mapping "${set}" row ${index + 1} is not valid: ${problem}`);
    this.name = 'InvalidMappingError';
  }
}

function parseRows<T>(set: string, rows: readonly { sourceKey: JsonValue; target: JsonValue }[], schema: z.ZodType<T>): T[] {
  return rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) throw new InvalidMappingError(set, i, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
    return parsed.data;
  });
}

/** The current version of F1's three mapping tables, validated, plus the version ids used. */
export function loadF1Mappings(store: Store): { mappings: ExactProcoreMappings; versions: Record<string, number | null> } {
  const versions: Record<string, number | null> = {};
  const current = (set: string): { sourceKey: JsonValue; target: JsonValue }[] => {
    const s = store.mappings.getSet(F1_FLOW, set);
    const v = s ? store.mappings.currentVersion(s.id) : undefined;
    versions[set] = v?.id ?? null;
    return v ? store.mappings.rows(v.id) : [];
  };
  const projects = parseRows(F1_MAPPING_SETS.projects, current(F1_MAPPING_SETS.projects), projectRow);
  const costs = parseRows(F1_MAPPING_SETS.costs, current(F1_MAPPING_SETS.costs), costRow);
  const vendors = parseRows(F1_MAPPING_SETS.vendors, current(F1_MAPPING_SETS.vendors), vendorRow);
  const ids = Object.values(versions).filter((v): v is number => v !== null);
  return {
    mappings: {
      version: ids.length ? Math.max(...ids) : 0,
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
    versions,
  };
}
