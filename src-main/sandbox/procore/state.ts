import type { SimCollection, SimStore } from '../_common/sim-store';
import { conflict } from './http';
import type {
  ChangeOrderItemRecord,
  ChangeOrderRecord,
  CommitmentKind,
  CommitmentLineRecord,
  CommitmentRecord,
  ContractItemRecord,
  ContractPaymentRecord,
  CostCodeRecord,
  DirectCostLineRecord,
  DirectCostRecord,
  LineItemTypeRecord,
  ProjectRecord,
  RequisitionRecord,
  Stamped,
  VendorRecord,
} from './records';

type GroupKeys<T> = Record<string, (record: T) => number | null>;

/**
 * A durable collection plus the in-memory indexes its routes filter on (by parent id, by
 * origin_id), rebuilt from the store on start, so no request scans a whole collection.
 */
export class Table<T extends Stamped & { origin_id?: string | null; deleted_at?: string | null }> {
  private readonly groups = new Map<string, Map<number, Set<number>>>();
  /** origin_id -> id over live (not deleted) records: origin_id is unique per object type (§2.5). */
  private readonly byOrigin = new Map<string, number>();

  constructor(
    private readonly collection: SimCollection<T>,
    private readonly groupKeys: GroupKeys<T>,
  ) {
    for (const name of Object.keys(groupKeys)) this.groups.set(name, new Map());
    for (const record of collection.all()) this.index(record);
  }

  get name(): string {
    return this.collection.name;
  }

  get(id: number): T | undefined {
    return this.collection.get(id);
  }

  all(): T[] {
    return this.collection.all();
  }

  get size(): number {
    return this.collection.size;
  }

  /** Records whose `group` key equals `key`, in insertion order. */
  inGroup(group: string, key: number): T[] {
    const ids = this.groups.get(group)?.get(key);
    if (!ids) return [];
    const out: T[] = [];
    for (const id of ids) {
      const record = this.collection.get(id);
      if (record) out.push(record);
    }
    return out;
  }

  idByOrigin(originId: string): number | undefined {
    return this.byOrigin.get(originId);
  }

  /** 409 when another live record of this type already has `originId` (§2.5 ERP external ids). */
  assertOriginFree(originId: unknown, selfId: number | null): void {
    if (typeof originId !== 'string' || originId === '') return;
    const owner = this.byOrigin.get(originId);
    if (owner !== undefined && owner !== selfId) throw conflict({ origin_id: ['has already been taken'] });
  }

  put(record: T): T {
    const previous = this.collection.get(record.id);
    this.collection.put(record.id, record);
    if (!previous) this.index(record);
    else this.reindex(previous, record);
    return record;
  }

  /**
   * Moves a record's updated_at to `now` (something it is computed from changed, e.g. one of
   * its lines). Skipped when the stored record already says `now`: that write would store the
   * same record again (several lines of one sync call touch their header in the same second).
   */
  touch(record: T, now: string): void {
    const current = this.collection.get(record.id) ?? record;
    if (current.updated_at !== now) this.put({ ...current, updated_at: now });
  }

  delete(id: number): void {
    const previous = this.collection.get(id);
    if (!previous) return;
    this.unindex(previous);
    this.collection.delete(id);
  }

  private index(record: T): void {
    for (const [name, key] of Object.entries(this.groupKeys)) {
      const value = key(record);
      if (value === null) continue;
      const group = this.groups.get(name) as Map<number, Set<number>>;
      let ids = group.get(value);
      if (!ids) group.set(value, (ids = new Set()));
      ids.add(record.id);
    }
    if (record.origin_id && !record.deleted_at) this.byOrigin.set(record.origin_id, record.id);
  }

  /** Moves an updated record only where a key changed, so group order stays creation order. */
  private reindex(previous: T, record: T): void {
    for (const [name, key] of Object.entries(this.groupKeys)) {
      const before = key(previous);
      const after = key(record);
      if (before === after) continue;
      const group = this.groups.get(name) as Map<number, Set<number>>;
      if (before !== null) group.get(before)?.delete(record.id);
      if (after !== null) {
        let ids = group.get(after);
        if (!ids) group.set(after, (ids = new Set()));
        ids.add(record.id);
      }
    }
    if (previous.origin_id && this.byOrigin.get(previous.origin_id) === record.id)
      this.byOrigin.delete(previous.origin_id);
    if (record.origin_id && !record.deleted_at) this.byOrigin.set(record.origin_id, record.id);
  }

  private unindex(record: T): void {
    for (const [name, key] of Object.entries(this.groupKeys)) {
      const value = key(record);
      if (value !== null) this.groups.get(name)?.get(value)?.delete(record.id);
    }
    if (record.origin_id && this.byOrigin.get(record.origin_id) === record.id)
      this.byOrigin.delete(record.origin_id);
  }
}

/** The simulator's durable state: every collection with its indexes, and the id sequence. */
export class ProcoreState {
  readonly projects: Table<ProjectRecord>;
  readonly costCodes: Table<CostCodeRecord>;
  readonly lineItemTypes: Table<LineItemTypeRecord>;
  readonly vendors: Table<VendorRecord>;
  readonly commitments: Record<CommitmentKind, Table<CommitmentRecord>>;
  readonly commitmentLines: Table<CommitmentLineRecord>;
  readonly changeOrders: Table<ChangeOrderRecord>;
  readonly requisitions: Table<RequisitionRecord>;
  readonly contractItems: Table<ContractItemRecord>;
  readonly changeOrderItems: Table<ChangeOrderItemRecord>;
  readonly contractPayments: Table<ContractPaymentRecord>;
  readonly directCosts: Table<DirectCostRecord>;
  readonly directCostLines: Table<DirectCostLineRecord>;

  constructor(readonly store: SimStore) {
    const byProject = { project: (r: { project_id: number }) => r.project_id };
    this.projects = new Table(store.collection('projects'), {});
    this.costCodes = new Table(store.collection('cost_codes'), byProject);
    this.lineItemTypes = new Table(store.collection('line_item_types'), {});
    this.vendors = new Table(store.collection('vendors'), {});
    this.commitments = {
      purchase_order_contract: new Table(store.collection('purchase_order_contracts'), byProject),
      work_order_contract: new Table(store.collection('work_order_contracts'), byProject),
    };
    this.commitmentLines = new Table(store.collection('line_items'), { contract: (r) => r.contract_id });
    this.changeOrders = new Table(store.collection('commitment_change_orders'), {
      ...byProject,
      contract: (r) => r.contract_id,
    });
    this.requisitions = new Table(store.collection('requisitions'), {
      ...byProject,
      commitment: (r) => r.commitment_id,
    });
    this.contractItems = new Table(store.collection('requisition_contract_items'), {
      requisition: (r) => r.requisition_id,
      line: (r) => r.line_item_id,
    });
    this.changeOrderItems = new Table(store.collection('requisition_change_order_items'), {
      requisition: (r) => r.requisition_id,
      changeOrderLine: (r) => r.change_order_line_id,
    });
    this.contractPayments = new Table(store.collection('contract_payments'), {
      contract: (r) => r.contract_id,
    });
    this.directCosts = new Table(store.collection('direct_costs'), byProject);
    this.directCostLines = new Table(store.collection('direct_cost_line_items'), {
      ...byProject,
      directCost: (r) => r.direct_cost_id,
    });
  }

  /** Commitment of either kind by id (ids are unique across all kinds). */
  commitment(id: number): CommitmentRecord | undefined {
    return this.commitments.purchase_order_contract.get(id) ?? this.commitments.work_order_contract.get(id);
  }

  /** Next id for a created record: above every seeded id, above 2^32 like Procore's (§2.1). */
  nextId(): number {
    const next = this.store.getMeta<number>('next_id');
    if (next === undefined) throw new Error('Procore simulator id sequence was not initialised');
    this.store.setMeta('next_id', next + 1);
    return next;
  }

  initIdSequence(first: number): void {
    if (this.store.getMeta<number>('next_id') === undefined) this.store.setMeta('next_id', first);
  }
}
