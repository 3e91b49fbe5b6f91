import type { CommitmentUpsert, DirectCostUpsert, LineUpsert, ProcoreReferenceData } from '../../../connectors/procore';

/**
 * F1 (Exact Online → Procore): the mapping tables a finance team maintains, the Procore
 * reference data each run loads, and the planned writes. All ids are strings (Procore ids can
 * exceed 32 bits; strings never lose digits).
 */

export interface CostMappingRow {
  glAccountCode: string;
  costCenterCode: string;
  /** null = any cost unit (a row with a cost unit wins over one without). */
  costUnitCode: string | null;
  costCode: string;
  lineItemTypeCode: string;
}

export interface ExactProcoreMappings {
  version: number;
  /** Exact project code → Procore project id. */
  projects: ReadonlyMap<string, string>;
  costs: readonly CostMappingRow[];
  /** Exact supplier code (trimmed) → Procore vendor id. */
  vendors: ReadonlyMap<string, string>;
}

/** Procore's projects with their cost codes, line item types and active vendors (read each run). */
export type ProcoreReference = ProcoreReferenceData;

export interface FlowPolicy {
  /** Currency of the Procore company; records in another currency are parked. */
  currency: string;
  /** Status given to commitments created from Exact POs (Procore locks Approved ones). */
  commitmentStatus: string;
  /** What an Exact cancellation (OrderStatus 40) or deletion does to the commitment. */
  cancelled: 'close-and-zero' | 'leave';
  /** Status given to direct costs created from purchase invoices. */
  directCostStatus: 'draft' | 'pending' | 'approved';
}

export const DEFAULT_POLICY: FlowPolicy = {
  currency: 'EUR',
  commitmentStatus: 'Draft',
  cancelled: 'close-and-zero',
  directCostStatus: 'pending',
};

/** A planned line is exactly what the Procore connector writes for a commitment or direct cost line. */
export type PlannedLine = LineUpsert;

/** What the engine adds to a Procore write: its source, container, currency and total. */
interface PlanBookkeeping {
  /** = projectId: the container the generic runner groups lookups by. */
  containerId: string;
  currency: string;
  /** Exact record guid this write comes from (several writes when lines span projects). */
  sourceId: string;
  /** Sum of line amounts, to the cent. */
  total: string;
}

/** A commitment as the Procore connector writes it, plus the engine's bookkeeping. */
export type PlannedCommitment = CommitmentUpsert & PlanBookkeeping & { entity: 'commitment' };

/** A direct cost as the Procore connector writes it, plus the engine's bookkeeping. */
export type PlannedDirectCost = DirectCostUpsert &
  PlanBookkeeping & { entity: 'direct-cost'; status: FlowPolicy['directCostStatus'] };

export type PlannedWrite = PlannedCommitment | PlannedDirectCost;
