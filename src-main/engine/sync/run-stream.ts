import type { JsonValue } from '../../../src-shared/domain/audit';
import { targetReference, type RecordLabel, type TargetLabel } from '../../../src-shared/domain/labels';
import { SYSTEM_IDS, SYSTEM_TITLES, type SystemId } from '../../../src-shared/domain/systems';
import { FLAGGED_REASON_PREFIX, type ValidationIssue } from '../../../src-shared/domain/validation';
import type { UnreadableSourceRow } from '../../connectors/connector';
import type { Store } from '../../store/db';
import { CanonicalJson, type AuditAppendInput, type JsonInput } from '../../store';
import {
  RunInterruptedError,
  type PlannedTargetWrite,
  type RunCounts,
  type RunGuard,
  type StreamSpec,
  type TargetWriter,
  type WriteOutcome,
} from './types';

/**
 * Runs one stream of one flow to the end of its source, page by page, keeping the engine's
 * contract (ARCHITECTURE.md §6):
 *   snapshot each record → plan with the current mappings → park it (with a reason in finance
 *   words) or persist an outbox intent with a deterministic key → write the batch → confirm
 *   (target id, last confirmed state, audit) in one transaction → advance the cursor only when
 *   every record of the page is confirmed or parked.
 * A record whose plan equals what the target already has is "unchanged" and not written.
 */
export interface StreamRunContext<P extends PlannedTargetWrite> {
  store: Store;
  flow: string;
  runId: string;
  /** Connection whose cursor this is (the source connection). */
  cursorOwner: string;
  writer: TargetWriter<P>;
  /** Mapping version recorded on audit entries and parked records. */
  mappingVersion: number | null;
  mappingVersions: JsonValue;
  counts: RunCounts;
  onProgress?: (counts: RunCounts) => void;
  /** Safe points: a cancelled run, or one that lost its lease, stops there (flow-run.ts). */
  guard?: RunGuard;
}

/** A plan checked and serialised once: its text is stored (outbox, target record, audit) and its sha256 compared. */
const planJsonOf = (plan: PlannedTargetWrite): CanonicalJson => CanonicalJson.of(plan, `planned ${plan.entity} ${plan.originId}`);

/** Records of one container are written together (and looked up together by recovery). */
export function containerKey(plan: PlannedTargetWrite): string {
  return `${plan.entity}\u0000${plan.containerId}`;
}

function intentKey(flow: string, plan: PlannedTargetWrite, hash: string): string {
  return `${flow}:${plan.entity}:${plan.originId}:${hash.slice(0, 24)}`;
}

export async function runStream<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(
  spec: StreamSpec<R, P, D>,
  ctx: StreamRunContext<P>,
): Promise<void> {
  const { store, flow } = ctx;
  const cursor = store.cursors.get(flow, spec.name, ctx.cursorOwner)?.value ?? null;
  // Source pages are gathered into batches of about WRITE_BATCH_RECORDS before writing: a
  // source's page size (Exact: 60 purchase entries) says nothing about the target's batch size
  // (Procore: 1,000 per sync call, per project), and writing page by page multiplied the calls.
  const records = new Map<string, R>();
  const unreadable = new Map<string, UnreadableSourceRow>();
  const deletions = new Map<string, D>();
  let batchCursor: string | null = null;
  const flush = async (cursorAfter: string): Promise<void> => {
    await processPage(spec, ctx, { records: [...records.values()], deletions: [...deletions.values()], unreadable: [...unreadable.values()] });
    // Every record of the batch is confirmed or parked: only now may the cursor move.
    store.cursors.set(flow, spec.name, ctx.cursorOwner, cursorAfter);
    store.runs.updateCounts(ctx.runId, { ...ctx.counts });
    ctx.onProgress?.(ctx.counts);
    records.clear();
    unreadable.clear();
    deletions.clear();
    batchCursor = null;
  };
  for await (const page of spec.read(cursor)) {
    // Between source pages is a safe point: nothing of this batch is planned or written yet.
    ctx.guard?.checkpoint();
    // A record delivered again on a later page (a newer version) replaces the earlier one.
    for (const record of page.records) {
      records.delete(record.sourceId);
      unreadable.delete(record.sourceId);
      records.set(record.sourceId, record);
    }
    for (const row of page.unreadable ?? []) {
      records.delete(row.sourceId);
      unreadable.delete(row.sourceId);
      unreadable.set(row.sourceId, row);
    }
    page.deletions.forEach((deletion, i) => {
      const key = spec.deletionSourceId?.(deletion) ?? `${page.cursorAfter}#${i}`;
      deletions.delete(key);
      deletions.set(key, deletion);
    });
    batchCursor = page.cursorAfter;
    if (records.size + unreadable.size + deletions.size >= WRITE_BATCH_RECORDS) await flush(batchCursor);
  }
  if (batchCursor !== null) await flush(batchCursor);
}

/**
 * Source records planned and written together. A target batches per container (Procore: up to
 * 1,000 per sync call, per project), and every batch pays part-filled calls in each container
 * it touches, so the batch spans several target calls' worth of records; the bound keeps a
 * batch's records and plans in memory (a few MB) and the cursor moving on long initial syncs.
 */
export const WRITE_BATCH_RECORDS = 5000;

/**
 * Plans, parks, writes and confirms one page of records (also used by replay and by retrying
 * parked records, which pass a page of stored snapshots and move no cursor).
 */
export async function processPage<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(
  spec: StreamSpec<R, P, D>,
  ctx: StreamRunContext<P>,
  page: { records: readonly R[]; deletions: readonly D[]; unreadable?: readonly UnreadableSourceRow[] },
): Promise<void> {
  const { store, flow } = ctx;
  const pending: PendingWrite<R, P>[] = [];
  ctx.guard?.checkpoint();

  // One transaction for the page's bookkeeping (snapshots, parked records, intents, audit):
  // nothing is sent before it commits, so a crash inside it loses only work the next run redoes
  // from the unmoved cursor, and the page pays for one durable commit instead of several per record.
  store.transaction(() => {
    for (const record of page.records) {
      ctx.counts.read += 1;
      const recordJson = CanonicalJson.of(record, `snapshot of ${flow}/${spec.name}/${record.sourceId}`);
      const { id: snapshotId, isNew } = store.snapshots.recordReturningId(flow, spec.name, record.sourceId, recordJson);
      const label = recordLabel(spec, record);
      if (isNew) audit(ctx, { entity: spec.entity, sourceId: record.sourceId, step: 'fetched', status: 'ok', message: `${spec.label(record)} read from the source`, sourceSnapshot: recordJson, label });
      const previous = previousPlans<P>(store, flow, record.sourceId);
      const outcome = spec.plan(record, previous);
      if (!outcome.ok) {
        park(ctx, spec, record.sourceId, outcome.issues, snapshotId, recordJson, spec.label(record), label);
        continue;
      }
      const flags = outcome.flags ?? [];
      let changed = false;
      for (const plan of outcome.writes) {
        const planJson = planJsonOf(plan);
        const hash = planJson.sha256;
        const knownHash = store.targetRecords.payloadHash(flow, plan.entity, plan.originId);
        if (knownHash === hash) continue;
        changed = true;
        const intent = store.outbox.insertIntentReturningStatus({
          runId: ctx.runId,
          flow,
          sourceId: record.sourceId,
          idempotencyKey: intentKey(flow, plan, hash),
          targetSystem: ctx.writer.system,
          operation: `${knownHash !== undefined ? 'update' : 'create'}-${plan.entity}`,
          payload: planJson,
        });
        if (intent.status === 'failed') store.outbox.reopen(intent.id, planJson, ctx.runId);
        pending.push({ plan, planJson, hash, intentId: intent.id, record, recordJson, snapshotId, isUpdate: knownHash !== undefined, label, flags });
      }
      if (!changed) {
        ctx.counts.unchanged += 1;
        // The target already holds this plan: its flags (if any) still need review, otherwise nothing waits.
        if (flags.length > 0) flagRecord(ctx, spec.name, record.sourceId, flags, snapshotId, label, null);
        else resolveParked(ctx, spec.name, record.sourceId, 'unchanged and valid');
        if (isNew) audit(ctx, { entity: spec.entity, sourceId: record.sourceId, step: 'unchanged', status: 'ok', message: `${spec.label(record)} already matches ${systemTitle(ctx.writer.system)}`, label });
      }
    }

    for (const row of page.unreadable ?? []) {
      ctx.counts.read += 1;
      parkUnreadable(ctx, spec, row);
    }

    for (const deletion of page.deletions) {
      if (!spec.planDeletion || !spec.deletionSourceId) continue;
      const sourceId = spec.deletionSourceId(deletion);
      ctx.counts.read += 1;
      const targets = store.targetRecords.bySource(flow, sourceId);
      const written = targets.map((t) => t.payload as unknown as P);
      // What the record was called when it was written (a deletion carries no document).
      const label = targets.find((t) => t.label !== null)?.label ?? store.parked.getOpen(flow, spec.recordStream ?? spec.name, sourceId)?.label ?? null;
      const plans = written.length ? spec.planDeletion(deletion, written) : [];
      if (plans.length === 0) {
        audit(ctx, { entity: spec.entity, sourceId, step: 'deleted', status: 'skipped', message: written.length ? `Deleted at the source; the policy leaves ${systemTitle(ctx.writer.system)} as it is` : 'Deleted at the source before it was ever synced', sourceSnapshot: deletion as unknown as JsonValue, label });
        resolveParked(ctx, spec.recordStream ?? spec.name, sourceId, 'deleted at the source');
        continue;
      }
      let toWrite = 0;
      for (const plan of plans) {
        const planJson = planJsonOf(plan);
        const hash = planJson.sha256;
        if (store.targetRecords.payloadHash(flow, plan.entity, plan.originId) === hash) continue;
        toWrite += 1;
        const intent = store.outbox.insertIntentReturningStatus({ runId: ctx.runId, flow, sourceId, idempotencyKey: intentKey(flow, plan, hash), targetSystem: ctx.writer.system, operation: `delete-${plan.entity}`, payload: planJson });
        pending.push({ plan, planJson, hash, intentId: intent.id, record: null, recordJson: null, snapshotId: null, isUpdate: true, label, flags: [] });
      }
      // Already closed in the target (a run killed before it read the deletion to its end): its older entry waits for nothing.
      if (toWrite === 0) {
        const done = plans[0]!;
        const targetId = targets.find((t) => t.entity === done.entity && t.originId === done.originId)?.targetId ?? '';
        resolveParked(ctx, spec.recordStream ?? spec.name, sourceId, spec.deletedMessage ? spec.deletedMessage(done, targetId) : 'deleted at the source');
      }
    }
  });

  if (pending.length > 0) await writeAndConfirm(ctx, spec, pending);
}

type PendingWrite<R, P> = {
  plan: P;
  planJson: CanonicalJson;
  hash: string;
  intentId: number;
  record: R | null;
  recordJson: CanonicalJson | null;
  snapshotId: number | null;
  isUpdate: boolean;
  label: RecordLabel | null;
  /** Issues the record is written with ("created, needs review"). */
  flags: ValidationIssue[];
};

/**
 * Writes a batch one container at a time (e.g. one Procore project and entity): the target's
 * batch calls are per container anyway, and confirming each container before the next one is
 * sent keeps what a crash leaves unconfirmed — and recovery must look up — to one container's
 * records. Later containers' intents stay unattempted, which recovery retires without a lookup.
 */
async function writeAndConfirm<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(
  ctx: StreamRunContext<P>,
  spec: StreamSpec<R, P, D>,
  pending: PendingWrite<R, P>[],
): Promise<void> {
  const containers = new Map<string, PendingWrite<R, P>[]>();
  for (const p of pending) {
    const key = containerKey(p.plan);
    const group = containers.get(key);
    if (group) group.push(p);
    else containers.set(key, [p]);
  }
  let interrupted: string | null = null;
  // A record written in several containers is counted as flagged once.
  const flaggedRecords = new Set<string>();
  for (const group of containers.values()) {
    // Before each container: a stop leaves later containers' intents unattempted (recovery
    // retires them without a lookup), and a process that lost its lease never writes.
    if (ctx.guard?.signal?.aborted) break;
    ctx.guard?.checkpoint();
    interrupted ??= await writeContainer(ctx, spec, group, flaggedRecords);
    ctx.store.runs.updateCounts(ctx.runId, { ...ctx.counts });
    ctx.onProgress?.(ctx.counts);
  }
  ctx.guard?.checkpoint();
  if (interrupted) throw new RunInterruptedError(interrupted);
}

/** Writes and confirms one container's records; returns why the run must stop after the batch, or null. */
async function writeContainer<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(
  ctx: StreamRunContext<P>,
  spec: StreamSpec<R, P, D>,
  pending: PendingWrite<R, P>[],
  flaggedRecords: Set<string>,
): Promise<string | null> {
  const { store, flow } = ctx;
  store.transaction(() => {
    for (const p of pending) store.outbox.recordAttempt(p.intentId);
  });
  let outcomes: WriteOutcome[];
  try {
    outcomes = await ctx.writer.write(
      pending.map((p) => p.plan),
      ctx.guard?.signal ? { signal: ctx.guard.signal } : {},
    );
  } catch (err) {
    // Outcome unknown (timeout, dropped response, 5xx after retries): recovery looks these up.
    store.transaction(() => {
      for (const p of pending) store.outbox.markUnknown(p.intentId, (err as Error).message);
    });
    throw new RunInterruptedError(`Writing to ${ctx.writer.system} did not complete: ${(err as Error).message}`);
  }
  const byOrigin = new Map(outcomes.map((o) => [o.originId, o]));
  let interrupted: string | null = null;
  store.transaction(() => {
    for (const p of pending) {
      const outcome = byOrigin.get(p.plan.originId);
      const label = p.record ? spec.label(p.record) : p.label ? `${p.label.documentType}${p.label.number ? ` ${p.label.number}` : ''}` : `${spec.entity} ${p.plan.sourceId}`;
      const system = systemTitle(ctx.writer.system);
      if (!outcome) {
        store.outbox.markUnknown(p.intentId, 'the target returned no result for this record');
        interrupted ??= `${system} returned no result for ${label}`;
        continue;
      }
      if (outcome.ok) {
        const targetLabel = describeTarget(ctx, spec, p.plan, outcome.targetId);
        store.outbox.markConfirmedWithoutReadBack(p.intentId, outcome.targetId);
        confirmTarget(ctx, p.plan, p.hash, outcome.targetId, p.planJson, { label: p.label, targetLabel });
        const deleted = p.record === null;
        if (deleted) ctx.counts.deleted += 1;
        else if (p.isUpdate) ctx.counts.updated += 1;
        else ctx.counts.created += 1;
        const flagged = p.flags.length > 0;
        const { seq } = audit(ctx, {
          entity: spec.entity,
          sourceId: p.plan.sourceId,
          step: deleted ? 'deleted' : p.isUpdate ? 'updated' : 'written',
          status: 'ok',
          targetId: outcome.targetId,
          amount: p.plan.total,
          currency: p.plan.currency,
          message:
            deleted && spec.deletedMessage
              ? spec.deletedMessage(p.plan, outcome.targetId)
              : `${label} ${deleted ? 'closed in' : p.isUpdate ? 'updated in' : 'written to'} ${system} as ${targetReference(targetLabel)}${flagged ? `; needs review: ${reasonOf(p.flags)}` : ''}`,
          sourceSnapshot: p.recordJson,
          targetPayload: p.planJson,
          label: p.label,
          targetLabel,
          ...(flagged ? { result: { mappingVersions: ctx.mappingVersions, flags: p.flags as unknown as JsonValue } } : {}),
        });
        if (p.record && flagged) {
          flagRecord(ctx, spec.name, p.record.sourceId, p.flags, p.snapshotId, p.label, seq);
          if (!flaggedRecords.has(p.record.sourceId)) ctx.counts.flagged += 1;
          flaggedRecords.add(p.record.sourceId);
        } else if (p.record) resolveParked(ctx, spec.name, p.record.sourceId, 'written');
        // A deletion settles the record's own older Pending entry (a conflict parked before it was deleted).
        else resolveParked(ctx, spec.recordStream ?? spec.name, p.plan.sourceId, spec.deletedMessage ? spec.deletedMessage(p.plan, outcome.targetId) : `deleted at the source; closed in ${system}`);
      } else if (outcome.retryable) {
        store.outbox.markUnknown(p.intentId, outcome.message);
        interrupted ??= `${system} could not take ${label} right now: ${outcome.message}`;
      } else {
        store.outbox.markFailed(p.intentId, outcome.message);
        ctx.counts.failed += 1;
        const { seq } = audit(ctx, { entity: spec.entity, sourceId: p.plan.sourceId, step: 'failed', status: 'failed', amount: p.plan.total, currency: p.plan.currency, message: `${system} rejected ${label}: ${outcome.message}`, targetPayload: p.planJson, result: outcome.details ?? null, label: p.label, targetLabel: describeTarget(ctx, spec, p.plan, null) });
        if (p.record)
          store.parked.park({ flow, stream: spec.name, sourceId: p.record.sourceId, reasonCode: 'target-rejected', reasonText: `${system} rejected ${label}: ${outcome.message}`, details: { mappingKeys: [] }, snapshotId: p.snapshotId, mappingVersion: ctx.mappingVersion, label: p.label, auditSeq: seq });
      }
    }
  });
  return interrupted;
}

/** Records the target's confirmed state (what the next run compares its plan with). */
export function confirmTarget<P extends PlannedTargetWrite>(
  ctx: StreamRunContext<P>,
  plan: P,
  hash: string,
  targetId: string,
  planJson: JsonInput = plan as unknown as JsonValue,
  labels: { label?: RecordLabel | null; targetLabel?: TargetLabel | null } = {},
): void {
  ctx.store.targetRecords.upsertWithoutReadBack({
    ...labels,
    flow: ctx.flow,
    entity: plan.entity,
    originId: plan.originId,
    sourceId: plan.sourceId,
    targetSystem: ctx.writer.system,
    targetId,
    containerId: plan.containerId,
    payloadHash: hash,
    payload: planJson,
    mappingVersion: ctx.mappingVersion,
  });
}

function previousPlans<P>(store: Store, flow: string, sourceId: string): Map<string, P> {
  return new Map(store.targetRecords.bySource(flow, sourceId).map((t) => [t.originId, t.payload as unknown as P]));
}

function park<P extends PlannedTargetWrite>(
  ctx: StreamRunContext<P>,
  spec: { name: string; entity: string },
  sourceId: string,
  issues: ValidationIssue[],
  snapshotId: number,
  record: JsonInput,
  name: string,
  label: RecordLabel,
): void {
  const first = issues[0]!;
  const reasonText = reasonOf(issues);
  ctx.store.transaction(() => {
    // The entry first: the parked row keeps its number, the one `replay` takes.
    const { seq } = audit(ctx, { entity: spec.entity, sourceId, step: 'parked', status: 'parked', message: `${name} waits: ${reasonText}`, sourceSnapshot: record, result: { issues: issues as unknown as JsonValue }, label });
    ctx.store.parked.park({
      flow: ctx.flow,
      stream: spec.name,
      sourceId,
      reasonCode: first.code,
      reasonText,
      details: { issues: issues as unknown as JsonValue, mappingKeys: [...new Set(issues.flatMap((i) => i.mappingKeys))] },
      snapshotId,
      mappingVersion: ctx.mappingVersion,
      label,
      auditSeq: seq,
    });
  });
  ctx.counts.parked += 1;
}

/** The first issue in finance words, and how many more there are. */
function reasonOf(issues: readonly ValidationIssue[]): string {
  const first = issues[0]!;
  return issues.length === 1 ? first.message : `${first.message} (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.message).join('; ')})`;
}

/**
 * A record written with flags waits in Pending validation as "created, needs review" (the parked
 * table, reason code prefixed FLAGGED_REASON_PREFIX) until a plan without flags is written. Its
 * mapping keys say which mapping fixes it, so fixing that mapping re-queues it like a parked one.
 */
function flagRecord<P extends PlannedTargetWrite>(ctx: StreamRunContext<P>, stream: string, sourceId: string, flags: readonly ValidationIssue[], snapshotId: number | null, label: RecordLabel | null, auditSeq: number | null): void {
  ctx.store.parked.park({
    flow: ctx.flow,
    stream,
    sourceId,
    reasonCode: `${FLAGGED_REASON_PREFIX}${flags[0]!.code}`,
    reasonText: reasonOf(flags),
    details: { issues: flags as unknown as JsonValue, mappingKeys: [...new Set(flags.flatMap((i) => i.mappingKeys))], flagged: true },
    snapshotId,
    mappingVersion: ctx.mappingVersion,
    label,
    // The entry that wrote it: what `replay` takes (null keeps the number it already has).
    auditSeq,
  });
}

/**
 * A source row the connector could not read is parked with its raw row (no snapshot: it is not
 * a record the flow can plan). Only a correction in the source system fixes it; the corrected
 * row is read again and replaces it.
 */
function parkUnreadable<P extends PlannedTargetWrite>(ctx: StreamRunContext<P>, spec: { name: string; entity: string }, row: UnreadableSourceRow): void {
  // Unreadable rows are no record the flow can describe: named by the connector's words alone.
  const label = nameOnlyLabel(row.label);
  const { seq } = audit(ctx, { entity: spec.entity, sourceId: row.sourceId, step: 'parked', status: 'parked', message: `${row.label} waits: ${row.problem}`, sourceSnapshot: row.raw as JsonValue, result: { issues: [{ code: 'source-unreadable', message: row.problem, mappingKeys: [] }] }, label });
  ctx.store.parked.park({
    flow: ctx.flow,
    stream: spec.name,
    sourceId: row.sourceId,
    reasonCode: 'source-unreadable',
    reasonText: row.problem,
    details: { issues: [{ code: 'source-unreadable', message: row.problem, mappingKeys: [] }], mappingKeys: [] },
    snapshotId: null,
    mappingVersion: ctx.mappingVersion,
    label,
    auditSeq: seq,
  });
  ctx.counts.parked += 1;
}

/** The record's label (the flow's words), or its audit label alone when the flow gives none. */
function recordLabel<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(spec: StreamSpec<R, P, D>, record: R): RecordLabel {
  return spec.describe?.(record) ?? nameOnlyLabel(spec.label(record));
}

/** A label that is only a name ("Purchase order 10042"): what a flow without describe() gives. */
export function nameOnlyLabel(name: string): RecordLabel {
  return { documentType: name, shortType: name, number: null, counterparty: null, counterpartyCode: null, project: null, date: null, amount: null, currency: null };
}

function describeTarget<R extends { sourceId: string }, P extends PlannedTargetWrite, D>(
  ctx: StreamRunContext<P>,
  spec: StreamSpec<R, P, D>,
  plan: P,
  targetId: string | null,
): TargetLabel {
  return (
    spec.describeTarget?.(plan, targetId) ?? {
      system: systemTitle(ctx.writer.system),
      documentType: plan.entity.replace(/-/g, ' '),
      number: null,
      id: targetId,
      counterparty: null,
      project: null,
      amount: plan.total,
      currency: plan.currency,
    }
  );
}

/** "Procore" for 'procore': a system as its users name it. */
export function systemTitle(system: string): string {
  return (SYSTEM_IDS as readonly string[]).includes(system) ? SYSTEM_TITLES[system as SystemId] : system;
}

function resolveParked<P extends PlannedTargetWrite>(ctx: StreamRunContext<P>, stream: string, sourceId: string, resolution: string): void {
  ctx.store.parked.resolve(ctx.flow, stream, sourceId, resolution);
}

type AuditFields = Partial<AuditAppendInput> & Pick<AuditAppendInput, 'entity' | 'step' | 'status' | 'message'>;

export function audit<P extends PlannedTargetWrite>(ctx: StreamRunContext<P>, fields: AuditFields): { seq: number; hash: string } {
  return ctx.store.audit.appendReturningHead({
    flow: ctx.flow,
    runId: ctx.runId,
    sourceId: null,
    mappingVersion: ctx.mappingVersion,
    targetSystem: ctx.writer.system,
    targetId: null,
    amount: null,
    currency: null,
    sourceSnapshot: null,
    targetPayload: null,
    result: { mappingVersions: ctx.mappingVersions },
    ...fields,
  } as AuditAppendInput);
}
