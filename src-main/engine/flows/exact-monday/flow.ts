import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, targetReference } from '../../../../src-shared/domain/labels';
import type { SourcePage } from '../../../connectors/connector';
import { MondayRequestError } from '../../../connectors/monday';
import type { Store } from '../../../store/db';
import { runFlowExclusively, type RunSummary, type RunTrigger } from '../../sync/flow-run';
import { recoverUnconfirmed } from '../../sync/recover';
import type { RunLockOptions } from '../../sync/run-lock';
import { audit, processPage, runStream, type StreamRunContext } from '../../sync/run-stream';
import type { RunCounts, RunGuard, StreamSpec } from '../../sync/types';
import { BoardMappingError, checkBoard } from './board-check';
import { documentOf, type ExactDocument } from './documents';
import { documentRecordLabel, exactDocumentLabel, itemLabel } from './labels';
import { loadF4Mappings } from './mappings';
import { DOCUMENT_LABELS, DOCUMENT_TYPES, F4_FLOW, ITEM_ENTITY, type BoardContext, type DocumentType, type PlannedItem } from './model';
import { CONFIRMED_ITEM_FIELDS, fromConfirmed, type BoardNumbers } from './numbers';
import { documentLabel, planDeletion, planItem } from './plan';
import type { ExactSource, MondayTarget } from './ports';
import { mondayWriter } from './writer';

/**
 * F4: Exact Online purchase orders, sales invoices and sales orders → items on the finance
 * team's monday.com boards. Flow-specific logic is the planning (plan.ts), the board check
 * (board-check.ts), the writer (writer.ts) and the six stream specs below; everything else is
 * the shared runner (engine/sync).
 */
export interface ExactMondayDeps {
  store: Store;
  exact: ExactSource;
  monday: MondayTarget;
  /** Connection id of the Exact side (owner of the cursors). */
  exactConnectionId: string;
  onProgress?: (counts: RunCounts) => void;
  runId?: string;
  signal?: AbortSignal;
  lock?: RunLockOptions;
}

export type { RunSummary, RunTrigger } from '../../sync/flow-run';

/** Cursor and parked-record names of each document type's records and deletions. */
export const STREAMS: Record<DocumentType, { records: string; deletions: string }> = {
  'purchase-order': { records: 'purchase-orders', deletions: 'deleted-purchase-orders' },
  'sales-invoice': { records: 'sales-invoices', deletions: 'deleted-sales-invoices' },
  'sales-order': { records: 'sales-orders', deletions: 'deleted-sales-orders' },
};

/** The Exact feeds an idle poll of each document type reads, one call each: its records feed(s) and the one sync/Deleted read (connector README). */
export const IDLE_EXACT_FEEDS: Record<DocumentType, readonly string[]> = {
  'purchase-order': ['readPurchaseOrders', 'readDeletions'],
  'sales-invoice': ['readSalesInvoices', 'readDeletions'],
  // Headers and lines are two sync feeds.
  'sales-order': ['readSalesOrders:headers', 'readSalesOrders:lines', 'readDeletions'],
};

type DocumentSpecs = { records: StreamSpec<ExactDocument, PlannedItem>; deletions: StreamSpec<never, PlannedItem, { sourceId: string }> };

interface PreparedRun {
  ctx: StreamRunContext<PlannedItem>;
  /** The document types that have a board, in the order they are synced. */
  specs: Map<DocumentType, DocumentSpecs>;
  /** Reads and checks the boards of these document types (default: all mapped) once per run; everything that plans awaits it first. */
  loadBoards(types?: Iterable<DocumentType>): Promise<void>;
}

function readerOf(exact: ExactSource, type: DocumentType): { records: (c: string | null) => AsyncIterable<SourcePage<ExactDocument>>; deletions: (c: string | null) => AsyncIterable<SourcePage<never, { sourceId: string }>> } {
  switch (type) {
    case 'purchase-order':
      return { records: (c) => exact.readPurchaseOrders(c), deletions: (c) => exact.readDeletedPurchaseOrders(c) };
    case 'sales-invoice':
      return { records: (c) => exact.readSalesInvoices(c), deletions: (c) => exact.readDeletedSalesInvoices(c) };
    case 'sales-order':
      return { records: (c) => exact.readSalesOrders(c), deletions: (c) => exact.readDeletedSalesOrders(c) };
  }
}

function prepare(deps: ExactMondayDeps, runId: string, counts: RunCounts, guard: RunGuard): PreparedRun {
  const { mappings, versions } = loadF4Mappings(deps.store);
  if (mappings.boards.size === 0)
    throw new BoardMappingError([`No monday.com board is mapped yet: under Mappings → Boards, give each Exact document type to sync (${DOCUMENT_TYPES.join(', ')}) its board and group.`]);
  // A board is read only when a page holds something to plan for it, so an idle poll costs no
  // monday.com call; it is checked (every mapped column, its type, its labels) before anything
  // is written to it, once per run.
  const contexts = new Map<DocumentType, BoardContext>();
  const loadBoard = async (type: DocumentType): Promise<void> => {
    if (contexts.has(type)) return;
    const target = mappings.boards.get(type);
    if (!target) throw new BoardMappingError([`${DOCUMENT_LABELS[type]}s have no board mapped (Mappings → Boards).`]);
    let board;
    try {
      board = await deps.monday.getBoard(target.boardId);
    } catch (error) {
      // A board that is gone or hidden is a mapping problem; anything else (network, sign-in) stops the run as it is.
      if (error instanceof MondayRequestError && !error.retryable) throw new BoardMappingError([`${DOCUMENT_LABELS[type]}s: ${error.message}`]);
      throw error;
    }
    const result = checkBoard(type, target, board, mappings, (b, fields) => deps.monday.checkColumnMapping(b, fields));
    if (!result.ok) throw new BoardMappingError(result.problems);
    contexts.set(type, result.context);
  };
  const loadBoards = async (types: Iterable<DocumentType> = mappings.boards.keys()): Promise<void> => {
    for (const type of types) await loadBoard(type);
  };
  const context = (type: DocumentType): BoardContext => {
    const found = contexts.get(type);
    if (!found) throw new Error(`The board of ${type} was not checked before planning (every path that plans must await loadBoard).`);
    return found;
  };
  async function* withBoard<R, D>(type: DocumentType, pages: AsyncIterable<SourcePage<R, D>>): AsyncGenerator<SourcePage<R, D>> {
    for await (const page of pages) {
      if (page.records.length > 0 || page.deletions.length > 0) await loadBoard(type);
      yield page;
    }
  }
  const ctx: StreamRunContext<PlannedItem> = {
    store: deps.store,
    flow: F4_FLOW,
    runId,
    cursorOwner: deps.exactConnectionId,
    writer: mondayWriter(deps.monday, deps.store),
    mappingVersion: mappings.version || null,
    mappingVersions: versions as JsonValue,
    counts,
    guard,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  // Which document holds which number on which board: read once per run from the items the
  // engine confirmed (its own store, no monday.com call), when the first document is planned, and
  // kept as the run plans, so a batch's second document with a number is seen too.
  let numbers: BoardNumbers | null = null;
  const boardNumbers = (): BoardNumbers => (numbers ??= fromConfirmed(deps.store.targetRecords.listInConfirmOrder(F4_FLOW, ITEM_ENTITY, CONFIRMED_ITEM_FIELDS)));
  const planDocument = (type: DocumentType, record: ExactDocument, previous: ReadonlyMap<string, PlannedItem>) => {
    const doc = documentOf(record);
    const index = boardNumbers();
    const outcome = planItem(doc, context(type), mappings, previous, index);
    if (outcome.ok) for (const item of outcome.writes) index.apply(item, doc.number, documentRecordLabel(doc));
    return outcome;
  };
  // The item with its board's name, as this run checked the board (no extra call).
  const describeTarget = (plan: PlannedItem, itemId: string | null) => itemLabel(plan, itemId, contexts.get(plan.documentType));
  const specs = new Map<DocumentType, DocumentSpecs>();
  for (const type of DOCUMENT_TYPES) {
    if (!mappings.boards.has(type)) continue;
    const read = readerOf(deps.exact, type);
    specs.set(type, {
      records: {
        name: STREAMS[type].records,
        entity: type,
        read: (cursor) => withBoard(type, read.records(cursor)),
        plan: (record, previous) => planDocument(type, record, previous),
        label: (record) => documentLabel(documentOf(record)),
        describe: exactDocumentLabel,
        describeTarget,
      },
      deletions: {
        name: STREAMS[type].deletions,
        entity: type,
        read: (cursor) => withBoard(type, read.deletions(cursor)),
        plan: () => ({ ok: true, writes: [] }),
        planDeletion: (_deletion, written) => {
          const plans = planDeletion(written, (item) => contexts.get(item.documentType), mappings);
          // An archived item holds its number no more (an item kept with a "deleted" label still does).
          for (const item of plans) if (item.action === 'archive') boardNumbers().release(item.originId);
          return plans;
        },
        deletionSourceId: (d) => d.sourceId,
        label: () => `Deleted ${DOCUMENT_LABELS[type].toLowerCase()}`,
        describeTarget,
      },
    });
  }
  return { ctx, specs, loadBoards };
}

/** One run of F4 under the flow's lease (engine/sync/flow-run.ts): recovery first, then `work`. */
function withRun(deps: ExactMondayDeps, trigger: RunTrigger, work: (run: PreparedRun) => Promise<void>): Promise<RunSummary> {
  return runFlowExclusively(
    {
      store: deps.store,
      flow: F4_FLOW,
      trigger,
      ...(deps.runId ? { runId: deps.runId } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.lock ? { lock: deps.lock } : {}),
    },
    async ({ runId, counts, guard }) => {
      const prepared = prepare(deps, runId, counts, guard);
      await recoverUnconfirmed(prepared.ctx);
      await work(prepared);
    },
  );
}

/** One full sync: recover, then per mapped document type its records and its deletions, to the end. */
export function runExactMonday(deps: ExactMondayDeps, trigger: RunTrigger): Promise<RunSummary> {
  return withRun(deps, trigger, async ({ ctx, specs }) => {
    for (const spec of specs.values()) {
      await runStream(spec.records, ctx);
      await runStream(spec.deletions, ctx);
    }
  });
}

function typeOfStream(stream: string): DocumentType | undefined {
  return DOCUMENT_TYPES.find((type) => STREAMS[type].records === stream);
}

/**
 * Retries open records of Pending validation (parked, and flagged "created, needs review") from
 * their latest snapshots with the current mappings. Idempotent: an item that already holds its
 * plan is not written; a flagged item whose reference values were added since is updated and
 * leaves the list.
 */
export function retryParked(deps: ExactMondayDeps, selection: { ids?: readonly number[]; reasonCode?: string } = {}, trigger: RunTrigger = 'manual'): Promise<RunSummary> {
  return withRun(deps, trigger, async ({ ctx, specs, loadBoards }) => {
    const open = deps.store.parked
      .listOpen(F4_FLOW)
      .filter((p) => (!selection.ids || selection.ids.includes(p.id)) && (!selection.reasonCode || p.reasonCode === selection.reasonCode));
    const byType = new Map<DocumentType, ExactDocument[]>();
    for (const p of open) {
      const type = typeOfStream(p.stream);
      if (!type) continue;
      if (p.reasonCode === 'source-unreadable') {
        // An older readable snapshot may exist, but writing it would post stale figures.
        audit(ctx, { entity: type, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Not retried: ${p.reasonText}`, label: p.label });
        continue;
      }
      const latest = deps.store.snapshots.latest(F4_FLOW, p.stream, p.sourceId);
      if (!latest || !specs.has(type)) {
        audit(ctx, { entity: type, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: latest ? `Not retried: ${DOCUMENT_LABELS[type].toLowerCase()}s have no board mapped` : `Record ${p.label ? recordName(p.label) : p.sourceId} has no stored source snapshot; the next sync reads it again`, label: p.label });
        continue;
      }
      byType.set(type, [...(byType.get(type) ?? []), latest.payload as unknown as ExactDocument]);
    }
    await loadBoards(byType.keys());
    let retried = 0;
    for (const [type, records] of byType) {
      retried += records.length;
      await processPage(specs.get(type)!.records, ctx, { records, deletions: [] });
    }
    audit(ctx, { entity: 'run', step: 'replayed', status: 'ok', message: `Retried ${retried} record(s) of Pending validation`, result: { ids: open.map((p) => p.id) } });
  });
}

/**
 * Replays an audit entry: re-plans its document from the LATEST stored snapshot with the current
 * mappings and writes it if the board differs (docs/decisions/0006). Idempotent.
 */
export async function replayAuditEntry(deps: ExactMondayDeps, seq: number): Promise<RunSummary & { message: string }> {
  const entry = deps.store.audit.query({ flow: F4_FLOW }, { beforeSeq: seq + 1, limit: 1 }).entries[0];
  if (!entry || entry.seq !== seq) throw new Error(`Audit entry ${seq} does not exist or does not belong to ${F4_FLOW}.`);
  if (!entry.sourceId) throw new Error(`Audit entry ${seq} is not about one Exact document; nothing to replay.`);
  const sourceId = entry.sourceId;
  // Entries of the item itself (recovery) name no document type: the snapshot says which it is.
  const type = (DOCUMENT_TYPES as readonly string[]).includes(entry.entity)
    ? (entry.entity as DocumentType)
    : DOCUMENT_TYPES.find((t) => deps.store.snapshots.latest(F4_FLOW, STREAMS[t].records, sourceId));
  if (!type) throw new Error(`No stored snapshot of ${entry.entity} ${sourceId}; run a sync first.`);
  const stream = STREAMS[type].records;
  const unreadable = deps.store.parked.getOpen(F4_FLOW, stream, sourceId);
  if (unreadable?.reasonCode === 'source-unreadable') throw new Error(`Not replayed: ${unreadable.reasonText}`);
  const snapshot = deps.store.snapshots.latest(F4_FLOW, stream, sourceId);
  if (!snapshot) throw new Error(`No stored snapshot of ${entry.entity} ${sourceId}; run a sync first.`);
  const summary = await withRun(deps, 'manual', async ({ ctx, specs, loadBoards }) => {
    const spec = specs.get(type);
    if (!spec) throw new Error(`${DOCUMENT_LABELS[type]}s have no board mapped; nothing to replay into.`);
    await loadBoards([type]);
    await processPage(spec.records, ctx, { records: [snapshot.payload as unknown as ExactDocument], deletions: [] });
    audit(ctx, { entity: type, sourceId, step: 'replayed', status: 'ok', message: `Replayed audit entry ${seq}`, result: { replayOf: seq }, label: entry.label });
  });
  const c = summary.counts;
  // Named as finance names it: "PO 20011 · Koster B.V.: written to monday.com as item 1234567890".
  const targets = deps.store.targetRecords.bySource(F4_FLOW, sourceId);
  const label = entry.label ?? targets.find((t) => t.label)?.label ?? null;
  const name = label ? `${recordName(label)}: ` : '';
  const written = targets.map((t) => t.targetLabel).filter((t) => t !== null);
  const message =
    summary.status === 'failed'
      ? `${name}${summary.error ?? 'The replay failed.'}`
      : c.created + c.updated > 0
        ? `${name}written to monday.com${written.length ? ` as ${written.map(targetReference).join(' and ')}` : ''}${c.flagged > 0 ? ', and listed in Pending validation for review' : ''}.`
        : c.parked > 0
          ? `${name}still waiting: see Pending validation.`
          : `${name}monday.com already matches; nothing was written.`;
  // "monday.com" keeps its small m at the start of a sentence; the other words are capitalised.
  return { ...summary, message: name || message.startsWith('monday.com') ? message : message.charAt(0).toUpperCase() + message.slice(1) };
}
