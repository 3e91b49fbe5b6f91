import type { PlannedCostCode, TaskRecord } from './model';
import type { F3Policy } from './policy';
import type { PlanResult } from './plan';

/**
 * Intacct's dimensions into Procore, pure: each active task of a mapped Intacct project is a
 * cost code of the Procore project (Construction: task = cost code), so budgets and lines in
 * Procore use the codes accounting posts to. A code Procore lacks is created (origin id
 * `<task>@<Procore project>`); one this flow created is renamed with its task. A code that
 * exists without our origin id is left alone: it may be Procore's own, or another integration's.
 */
export const costCodeOriginId = (taskId: string, procoreProjectId: string): string => `${taskId}@${procoreProjectId}`;

export function planTask(task: TaskRecord, policy: F3Policy): PlanResult<PlannedCostCode> {
  const originId = costCodeOriginId(task.taskId, task.procoreProjectId);
  const existing = task.procoreCostCode;
  if (existing && (existing.originId !== originId || existing.name === task.name)) return { ok: true, writes: [] };
  return {
    ok: true,
    writes: [
      {
        entity: 'procore-cost-code',
        originId,
        sourceId: task.sourceId,
        containerId: task.procoreProjectId,
        total: '0.00',
        currency: policy.currency,
        projectId: task.procoreProjectId,
        costCode: { originId, code: task.taskId, name: task.name, originData: `Sage Intacct task ${task.taskId} of project ${task.intacctProjectId}` },
        // What Procore held when planned: renaming it there again makes a new plan (see PlannedProcoreVendor).
        ...(existing ? { seen: existing.name } : {}),
      },
    ],
  };
}
