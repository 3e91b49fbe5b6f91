import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { SubcontractLineInput } from '../../../connectors/acumatica';
import { f2Key, type F2Mappings } from './mappings';
import { codeLine, resolveVendor, type PlanResult } from './plan-bills';
import type { CommitmentRecord, F2Reference, PlannedSubcontract } from './model';
import type { F2Policy } from './policy';

/**
 * Creating the Acumatica subcontract of a Procore commitment (a setting; off by default: the
 * commitments are reconciled read-only). Only approved work order contracts that Acumatica does
 * not have (by project + vendor ref) are planned; one that exists with other amounts is a
 * reconciliation difference for a person, never overwritten.
 */
export const SUBCONTRACTS_CONTAINER = 'subcontracts';

/** "P26006/SC-001": Procore commitment numbers repeat across projects. */
export const subcontractKey = (acumaticaProject: string, number: string): string => `${acumaticaProject}/${number}`.toUpperCase();

export function planCommitment(
  rec: CommitmentRecord,
  m: F2Mappings,
  ref: F2Reference,
  policy: F2Policy,
  /** Keys (subcontractKey) of the subcontracts and purchase orders Acumatica holds. */
  existing: ReadonlySet<string>,
  previous: ReadonlyMap<string, PlannedSubcontract> = new Map(),
): PlanResult<PlannedSubcontract> {
  const c = rec.commitment;
  const last = [...previous.values()].find((p) => p.entity === 'subcontract');
  if (last) return { ok: true, writes: [last] };
  if (!policy.createSubcontracts || c.commitmentType !== 'work-order' || !['Approved', 'Complete'].includes(c.status)) return { ok: true, writes: [] };
  const label = `Work order contract ${c.number} (${c.title})`;
  const project = m.projects.get(c.projectId);
  if (!project || project.acumaticaProject === 'X')
    return { ok: false, issues: [{ code: 'unmapped-project', message: `${label}: Procore project ${c.projectId} is not linked to an Acumatica project`, mappingKeys: [f2Key.project(c.projectId)] }] };
  if (existing.has(subcontractKey(project.acumaticaProject, c.number))) return { ok: true, writes: [] };
  const issues: ValidationIssue[] = [];
  const vendor = resolveVendor(c.vendor, m, ref, label);
  if (typeof vendor !== 'string') issues.push(vendor);
  const lines: SubcontractLineInput[] = [];
  for (const l of c.lines) {
    const coding = codeLine({ m, ref, policy: { ...policy, construction: true }, projectId: c.projectId }, l.costCode, l.lineItemTypeCode);
    if (Array.isArray(coding)) issues.push(...coding);
    else
      lines.push({
        amount: l.amount,
        description: l.description,
        account: coding.account,
        subaccount: coding.subaccount,
        ...(coding.project ? { project: coding.project } : {}),
        ...(coding.task ? { task: coding.task } : {}),
        ...(coding.costCode ? { costCode: coding.costCode } : {}),
      });
  }
  if (issues.length || typeof vendor !== 'string') return { ok: false, issues: issues.map((i) => ({ ...i, message: `${label}: ${i.message}` })) };
  return {
    ok: true,
    writes: [
      {
        entity: 'subcontract',
        originId: subcontractKey(project.acumaticaProject, c.number),
        sourceId: rec.sourceId,
        containerId: SUBCONTRACTS_CONTAINER,
        total: c.grandTotal,
        currency: policy.currency,
        subcontract: {
          vendorId: vendor,
          vendorRef: c.number,
          project: project.acumaticaProject,
          date: c.contractDate ?? c.sourceVersion.slice(0, 10),
          description: c.title,
          branch: project.branch,
          ...(c.retainagePercent ? { retainagePercent: c.retainagePercent } : {}),
          lines,
        },
        label,
      },
    ],
  };
}
