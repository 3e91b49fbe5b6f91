import type { AuditEntry, JsonValue } from '../../src-shared/domain/audit';
import { sumByCurrency, type MoneyTotal, type RecordComparison, type RecordLabel } from '../../src-shared/domain/labels';
import { Decimal } from '../../src-shared/domain/money';
import { MONEY_GROUP_LIMIT, type FlowMoney } from '../../src-shared/ipc';
import { findFlow, FLOWS } from '../engine/flows/registry';
import { nameOnlyLabel } from '../engine/sync/run-stream';
import type { Store } from '../store/db';
import type { ParkedRecord } from '../store/repos/parked';

/**
 * Records as finance names them, for every screen, command and export (issue 17, decision 0022):
 * the label stored with the record, or — for rows from before labels were stored — the flow's
 * reading of the record's snapshot; the record view (source beside target) from the flow; and
 * money per flow, project and counterparty, synced and waiting.
 */

/** A parked record's label: stored, else read from its snapshot by its flow, else its stream and id. */
export function parkedLabel(store: Store, record: ParkedRecord): RecordLabel {
  if (record.label) return record.label;
  const snapshot = record.snapshotId === null ? undefined : store.snapshots.get(record.snapshotId);
  const described = snapshot ? describeSafely(record.flow, { stream: record.stream }, snapshot.payload) : null;
  return described ?? nameOnlyLabel(`${record.stream} ${record.sourceId}`);
}

/** An audit entry's label: stored, else read from its snapshot by its flow (the detail view has it). */
export function auditEntryLabel(entry: AuditEntry): RecordLabel | null {
  if (entry.label) return entry.label;
  return entry.sourceSnapshot === null ? null : describeSafely(entry.flow, { entity: entry.entity }, entry.sourceSnapshot);
}

function describeSafely(flowId: string, ref: { stream?: string; entity?: string }, payload: JsonValue): RecordLabel | null {
  try {
    return findFlow(flowId)?.describeRecord?.(ref, payload) ?? null;
  } catch {
    return null;
  }
}

/** A parked record beside what the target holds for it (its earlier writes, if any). */
export function parkedComparison(store: Store, record: ParkedRecord, source: AuditEntry['sourceSnapshot']): RecordComparison | null {
  const plugin = findFlow(record.flow);
  if (!plugin?.compareRecord) return null;
  const targets = store.targetRecords.bySource(record.flow, record.sourceId).map((t) => ({ entity: t.entity, targetId: t.targetId, payload: t.payload, label: t.targetLabel }));
  try {
    return plugin.compareRecord({ stream: record.stream }, source, targets, record.label);
  } catch {
    return null;
  }
}

/** An audit entry's source snapshot beside the payload it sent (or would have sent). */
export function auditComparison(entry: AuditEntry): RecordComparison | null {
  const plugin = findFlow(entry.flow);
  if (!plugin?.compareRecord || (entry.sourceSnapshot === null && entry.targetPayload === null)) return null;
  const targets = entry.targetPayload === null ? [] : [{ entity: entry.entity, targetId: entry.targetId, payload: entry.targetPayload, label: entry.targetLabel }];
  try {
    return plugin.compareRecord({ entity: entry.entity }, entry.sourceSnapshot, targets, entry.label);
  } catch {
    return null;
  }
}

/** Value and age of a set of parked records. */
export function waitingMoney(store: Store, records: readonly ParkedRecord[]): { totals: MoneyTotal[]; oldestParkedAt: string | null } {
  return {
    totals: sumByCurrency(records.map((r) => parkedLabel(store, r))),
    oldestParkedAt: records.reduce<string | null>((oldest, r) => (oldest === null || r.parkedAt < oldest ? r.parkedAt : oldest), null),
  };
}

interface Group {
  name: string;
  synced: { amount: string | null; currency: string | null }[];
  waiting: { amount: string | null; currency: string | null }[];
}

/** Projects in code order (how finance lists them); counterparties largest first. */
function groupsOut(groups: Map<string, Group>, order: 'name' | 'value'): FlowMoney['byProject'] {
  return [...groups.values()]
    .map((g) => ({ name: g.name, synced: sumByCurrency(g.synced), documents: g.synced.length, waiting: sumByCurrency(g.waiting), waitingRecords: g.waiting.length }))
    .sort((a, b) => (order === 'value' ? largest(b).compare(largest(a)) : 0) || (a.name === '' ? 1 : b.name === '' ? -1 : a.name.localeCompare(b.name)))
    .slice(0, MONEY_GROUP_LIMIT);
}

/** What a group weighs for ordering: its synced and waiting money in its first currency. */
function largest(group: { synced: MoneyTotal[]; waiting: MoneyTotal[] }): Decimal {
  return Decimal.parse(group.synced[0]?.amount ?? '0').plus(Decimal.parse(group.waiting[0]?.amount ?? '0'));
}

/**
 * Money of one flow from the store: the documents it wrote and confirmed (their written totals),
 * the records waiting in Pending validation (their source amounts), and both by project and by
 * counterparty as the records' labels name them.
 */
export function flowMoney(store: Store, flowId: string): FlowMoney {
  const plugin = findFlow(flowId);
  const targets = store.targetRecords.moneyOfFlow(flowId);
  const parked = store.parked.listOpen(flowId);
  const byProject = new Map<string, Group>();
  const byCounterparty = new Map<string, Group>();
  const add = (groups: Map<string, Group>, name: string | null, side: 'synced' | 'waiting', money: { amount: string | null; currency: string | null }) => {
    const key = name ?? '';
    const group = groups.get(key) ?? { name: key, synced: [], waiting: [] };
    group[side].push(money);
    groups.set(key, group);
  };
  for (const t of targets) {
    const money = { amount: t.total, currency: t.currency };
    // Each target document is booked on one project (a record split over projects has several).
    add(byProject, t.targetLabel?.project ?? t.label?.project ?? null, 'synced', money);
    add(byCounterparty, t.label?.counterparty ?? t.targetLabel?.counterparty ?? null, 'synced', money);
  }
  for (const record of parked) {
    const label = parkedLabel(store, record);
    add(byProject, label.project, 'waiting', label);
    add(byCounterparty, label.counterparty, 'waiting', label);
  }
  const waiting = waitingMoney(store, parked);
  return {
    flow: flowId,
    title: plugin?.title ?? flowId,
    synced: { totals: sumByCurrency(targets.map((t) => ({ amount: t.total, currency: t.currency }))), documents: targets.length },
    waiting: { totals: waiting.totals, records: parked.length, oldestParkedAt: waiting.oldestParkedAt },
    byProject: groupsOut(byProject, 'name'),
    byCounterparty: groupsOut(byCounterparty, 'value'),
  };
}

/** Every flow of the registry (or one). */
export function moneySummary(store: Store, flow?: string): FlowMoney[] {
  return FLOWS.filter((f) => flow === undefined || f.id === flow).map((f) => flowMoney(store, f.id));
}
