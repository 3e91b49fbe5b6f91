import type { PlanResult } from './plan-bills';
import type { CostCodeRecord, PlannedCostCode } from './model';
import type { F2Policy } from './policy';

/**
 * Acumatica cost codes into Procore, pure: a code Acumatica has is added to the cost code list
 * of every mapped Procore project that lacks it (keyed "<code>@<project>": Procore's origin_id is
 * unique per company), so every Procore charge can reference a code both systems know. Codes
 * the flow added follow Acumatica's description; codes Procore already had are left alone.
 */

/** Procore projects the flow codes to, with the full codes each already has. */
export type ProcoreCostCodeLists = ReadonlyMap<string, { name: string; codes: ReadonlySet<string> }>;

export const costCodeOriginId = (code: string, projectId: string): string => `${code}@${projectId}`;

/** The records of Acumatica cost codes: one per mapped Procore project that lacks the code, or got it from this flow. */
export function costCodeRecords(
  codes: readonly { code: string; description: string; lastModified: string | null }[],
  projects: ProcoreCostCodeLists,
  addedBefore: (originId: string) => boolean,
): CostCodeRecord[] {
  const out: CostCodeRecord[] = [];
  for (const c of codes)
    for (const [projectId, project] of projects) {
      const originId = costCodeOriginId(c.code, projectId);
      if (project.codes.has(c.code) && !addedBefore(originId)) continue;
      out.push({ sourceId: `cost-code:${originId}`, code: c.code, description: c.description, lastModified: c.lastModified, projectId, projectName: project.name });
    }
  return out;
}

export function planCostCode(rec: CostCodeRecord, policy: F2Policy): PlanResult<PlannedCostCode> {
  if (!policy.costCodesToProcore) return { ok: true, writes: [] };
  const originId = costCodeOriginId(rec.code, rec.projectId);
  return {
    ok: true,
    writes: [
      {
        entity: 'cost-code',
        originId,
        sourceId: rec.sourceId,
        containerId: rec.projectId,
        total: '0.00',
        currency: policy.currency,
        projectId: rec.projectId,
        costCode: { originId, code: rec.code, name: rec.description || rec.code, originData: `Acumatica cost code ${rec.code}` },
        label: `Cost code ${rec.code} ${rec.description} in Procore project ${rec.projectName}`,
      },
    ],
  };
}
