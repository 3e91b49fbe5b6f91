import type { ProcoreConnector } from '../../../connectors/procore';
import type { FoundTarget } from '../../sync/types';
import type { ProcoreTarget } from './ports';

/**
 * The Procore connector as F1's target port. Plans already carry every field the connector's
 * upserts take (they are supersets), so only lookups need reshaping.
 */
export function procoreTarget(procore: ProcoreConnector): ProcoreTarget {
  const found = (records: Awaited<ReturnType<ProcoreConnector['findCommitmentsByOrigin']>>): Map<string, FoundTarget> =>
    new Map([...records].map(([originId, r]) => [originId, { targetId: r.id, total: r.grandTotal, lines: r.lines }]));
  return {
    loadReference: (projectIds) => procore.loadReference(projectIds),
    upsertCommitments: (projectId, commitments, options) => procore.upsertCommitments(projectId, commitments, options),
    upsertDirectCosts: (projectId, costs, options) => procore.upsertDirectCosts(projectId, costs, options),
    findCommitmentsByOrigin: async (projectId, originIds) => found(await procore.findCommitmentsByOrigin(projectId, originIds)),
    findDirectCostsByOrigin: async (projectId, originIds) => found(await procore.findDirectCostsByOrigin(projectId, originIds)),
  };
}
