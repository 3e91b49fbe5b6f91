import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../../../src-shared/domain/records';
import type { SourcePage } from '../../../connectors/connector';
import type { FoundTarget, WriteOptions, WriteOutcome } from '../../sync/types';
import type { PlannedCommitment, PlannedDirectCost, ProcoreReference } from './model';

/**
 * What F1 needs from each side. The Exact Online and Procore connectors satisfy these through
 * small adapters (adapters.ts), so the flow is tested against simulators and stays unaware of
 * wire shapes.
 */
export interface ExactSource {
  readPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<PurchaseOrder>>;
  readDeletedPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceDeletion>>;
  readPurchaseInvoices(cursor: string | null): AsyncIterable<SourcePage<PurchaseInvoice>>;
}

export interface ProcoreTarget {
  loadReference(projectIds: readonly string[]): Promise<ProcoreReference>;
  upsertCommitments(projectId: string, commitments: readonly PlannedCommitment[], options?: WriteOptions): Promise<WriteOutcome[]>;
  upsertDirectCosts(projectId: string, costs: readonly PlannedDirectCost[], options?: WriteOptions): Promise<WriteOutcome[]>;
  findCommitmentsByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>>;
  findDirectCostsByOrigin(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>>;
}
