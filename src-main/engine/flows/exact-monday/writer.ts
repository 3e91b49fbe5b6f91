import { amountOfCell, changedCells, type FoundItem, type ItemCreate, type ItemUpdate, type WriteResult } from '../../../connectors/monday';
import type { Store } from '../../../store/db';
import type { FoundTarget, TargetWriter, WriteOptions, WriteOutcome } from '../../sync/types';
import { F4_FLOW, ITEM_ENTITY, type PlannedItem } from './model';
import type { MondayTarget } from './ports';

/**
 * F4's target writer: one board's planned items per call (the runner groups by container).
 *
 * Idempotency is monday's key column (the Exact document id), looked up BEFORE every create:
 * an item whose id this data folder confirmed is updated by id; every other item is looked up
 * by its key first (one call per 100 keys) and updated when found, created only when not. A
 * second workstation, or a create whose answer was lost, therefore never makes a second item.
 * Updates send every mapped column (so a hand edit of a synced column is put right); archives
 * archive (never delete).
 */
export function mondayWriter(monday: MondayTarget, store: Store): TargetWriter<PlannedItem> {
  /** The item this folder confirmed for the plan's document, on the same board. */
  const confirmed = (plan: PlannedItem) => {
    const record = store.targetRecords.get(F4_FLOW, ITEM_ENTITY, plan.originId);
    return record && record.containerId === plan.containerId && record.targetId !== '' ? record : undefined;
  };

  return {
    system: 'monday',

    async write(plans, options: WriteOptions = {}) {
      if (plans.length === 0) return [];
      const call = options.signal ? { signal: options.signal } : {};
      const boardId = plans[0]!.containerId;
      const outcomes = new Map<string, WriteOutcome>();

      const updates: { plan: PlannedItem; update: ItemUpdate }[] = [];
      const archives: { plan: PlannedItem; itemId: string }[] = [];
      const unknown: PlannedItem[] = [];
      for (const plan of plans) {
        const known = confirmed(plan);
        if (!known) unknown.push(plan);
        else if (plan.action === 'archive') archives.push({ plan, itemId: known.targetId });
        else {
          const before = known.payload as unknown as PlannedItem;
          updates.push({ plan, update: { itemId: known.targetId, ...(before.name !== plan.name ? { name: plan.name } : {}), cells: plan.cells } });
        }
      }

      // Before any create: the items this folder does not know, looked up by their key.
      const creates = new Map<string, PlannedItem[]>();
      for (const [keyColumnId, group] of groupBy(unknown, (p) => p.keyColumnId)) {
        const found = await monday.findItemsByKey(boardId, keyColumnId, group.map((p) => p.originId));
        for (const plan of group) {
          const item = found.get(plan.originId);
          if (plan.action === 'archive') {
            if (item) archives.push({ plan, itemId: item.itemId });
            // Nothing on the board to archive: what the policy wants already holds.
            else outcomes.set(plan.originId, { originId: plan.originId, ok: true, targetId: '' });
          } else if (item) updates.push({ plan, update: { itemId: item.itemId, ...(item.name !== plan.name ? { name: plan.name } : {}), cells: changedCells(item, plan.cells) } });
          else {
            const key = `${plan.groupId}\u0000${plan.keyColumnId}`;
            creates.set(key, [...(creates.get(key) ?? []), plan]);
          }
        }
      }

      if (updates.length > 0) {
        const results = await monday.updateItems(boardId, updates.map((u) => u.update), call);
        record(outcomes, updates.map((u) => u.plan), results);
      }
      for (const group of creates.values()) {
        const first = group[0]!;
        const items: ItemCreate[] = group.map((p) => ({ key: p.originId, name: p.name, cells: p.cells }));
        const results = await monday.createItems({ boardId, groupId: first.groupId, keyColumnId: first.keyColumnId }, items, call);
        record(outcomes, group, results);
      }
      if (archives.length > 0) {
        const results = await monday.archiveItems(archives.map((a) => a.itemId), call);
        record(outcomes, archives.map((a) => a.plan), results);
      }
      return plans.map((p) => outcomes.get(p.originId) ?? { originId: p.originId, ok: false, retryable: true, message: 'monday.com gave no result for this item; it is looked up by its key before anything is written again' });
    },

    /**
     * Crash recovery: the items of a board's unconfirmed intents, each reported as holding its
     * plan only when it holds every planned column (and name), or is archived for an archive.
     * Anything else is re-planned and written again, which is safe: creates look the key up first.
     */
    async lookup(_entity, boardId, originIds) {
      const plans = latestUnconfirmed(store, boardId, originIds);
      const byKey = new Map<string, PlannedItem[]>();
      const archivedIds = new Map<string, PlannedItem>();
      for (const plan of plans.values()) {
        const known = confirmed(plan);
        if (plan.action === 'archive' && known) archivedIds.set(known.targetId, plan);
        // Archived items are not found by key (monday skips them): an archive is checked by id.
        else byKey.set(plan.keyColumnId, [...(byKey.get(plan.keyColumnId) ?? []), plan]);
      }
      const found = new Map<string, FoundTarget>();
      for (const [keyColumnId, group] of byKey) {
        const items = await monday.findItemsByKey(boardId, keyColumnId, group.map((p) => p.originId));
        for (const plan of group) {
          const item = items.get(plan.originId);
          if (item) found.set(plan.originId, asFound(plan, item));
        }
      }
      if (archivedIds.size > 0) {
        const items = await monday.readItems([...archivedIds.keys()]);
        for (const [itemId, plan] of archivedIds) {
          const item = items.get(itemId);
          if (item) found.set(plan.originId, asFound(plan, item));
        }
      }
      return found;
    },
  };
}

/** What recovery compares: the planned marker when the item holds the plan, none when it does not. */
function asFound(plan: PlannedItem, item: FoundItem): FoundTarget {
  const holds =
    plan.action === 'archive'
      ? item.state === 'archived'
      : item.state !== 'archived' && item.state !== 'deleted' && item.name === plan.name && changedCells(item, plan.cells).length === 0;
  const amountCell = plan.cells.find((c) => c.columnType === 'numbers' && c.value.kind === 'number' && c.value.amount === plan.total);
  const held = amountCell ? amountOfCell(item.columnValues.get(amountCell.columnId) ?? { type: 'numbers', text: '', value: null }) : null;
  return { targetId: item.itemId, total: holds ? plan.total : (held?.toMoneyString() ?? plan.total), lines: holds ? plan.lines : [] };
}

/** The newest unconfirmed plan per document on this board (what recovery must resolve). */
function latestUnconfirmed(store: Store, boardId: string, originIds: readonly string[]): Map<string, PlannedItem> {
  const wanted = new Set(originIds);
  const plans = new Map<string, { id: number; plan: PlannedItem }>();
  for (const intent of store.outbox.listUnconfirmed(F4_FLOW)) {
    const plan = intent.payload as unknown as PlannedItem;
    if (plan.entity !== ITEM_ENTITY || plan.containerId !== boardId || !wanted.has(plan.originId)) continue;
    const seen = plans.get(plan.originId);
    if (!seen || seen.id < intent.id) plans.set(plan.originId, { id: intent.id, plan });
  }
  return new Map([...plans].map(([origin, { plan }]) => [origin, plan]));
}

function record(outcomes: Map<string, WriteOutcome>, plans: readonly PlannedItem[], results: readonly WriteResult[]): void {
  plans.forEach((plan, i) => {
    const result = results[i];
    if (!result) return;
    outcomes.set(
      plan.originId,
      result.ok
        ? { originId: plan.originId, ok: true, targetId: result.itemId }
        : { originId: plan.originId, ok: false, retryable: result.retryable, message: result.message, details: { code: result.code } },
    );
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
