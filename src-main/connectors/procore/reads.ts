/**
 * The Procore source streams of flows F2 (→ Acumatica) and F3 (→ Sage Intacct): commitments,
 * commitment change orders, subcontractor invoices (requisitions), direct costs and vendors,
 * each read across every project the app sees, by `filters[updated_at]` with the `>=`-and-
 * dedupe rule (cursor.ts). One SourcePage per Procore page; rows that cannot become records
 * come back as `unreadable` (never dropped); the cursor moves per scope once its walk is done.
 */
import type {
  ProcoreCommitment,
  ProcoreCommitmentChangeOrder,
  ProcoreDirectCost,
  ProcoreRequisition,
  ProcoreSourceDeletion,
  ProcoreVendorRecord,
} from '../../../src-shared/domain/records';
import type { SourcePage, UnreadableSourceRow } from '../connector';
import { forEachConcurrently } from '../_kit';
import type { CommitmentKind, ProcoreClient, SourceList } from './client';
import { instantOf, isoSecond, rowVersion, ScopeWalk, StreamCursor } from './cursor';
import { ProcoreResponseShapeError } from './mappers';
import {
  changeOrderFromWire,
  changeOrderLabel,
  codingIndex,
  commitmentDeletion,
  commitmentFacts,
  commitmentFromWire,
  commitmentLabel,
  directCostFromWire,
  directCostLabel,
  ProcoreMappingError,
  requisitionFromWire,
  requisitionLabel,
  vendorLabel,
  vendorRecordFromWire,
  type CodingIndex,
  type CommitmentFacts,
} from './source-mappers';
import type {
  WireChangeOrder,
  WireCodedLine,
  WireCommitmentRecord,
  WireDirectCostRecord,
  WireLineItemType,
  WireRequisition,
  WireRequisitionItem,
  WireVendorRecord,
} from './wire';

/** Statuses a flow posts by default (the fact sheet's enums; the flow may pass others). */
export const DEFAULT_REQUISITION_STATUSES = ['approved', 'approved_as_noted'] as const;
export const DEFAULT_DIRECT_COST_STATUSES = ['approved'] as const;

export interface ReadSettings {
  perPage: number;
  /** The walk's upper bound lies this far behind the clock (commit lag, clock skew). */
  settleMs: number;
  /** Sub-reads (lines, G703 items) in flight at once. */
  readConcurrency: number;
  now: () => number;
}

interface Scope {
  key: string;
  list: SourceList;
  projectId: string | null;
  kind?: CommitmentKind;
}

interface Mapped<R, D> {
  records: R[];
  deletions: D[];
  unreadable: UnreadableSourceRow[];
}

interface StreamSpec<W, R, D> {
  stream: string;
  scopes(): Promise<Scope[]>;
  /** Turns one page's new rows (already judged by the cursor) into records. */
  mapPage(rows: W[], scope: Scope): Promise<Mapped<R, D>>;
}

type Row = { id?: unknown; updated_at?: string | null };

/** Walks every scope of a stream; yields a page whenever there is something to hand over. */
async function* readStream<W extends Row, R, D>(
  client: ProcoreClient,
  spec: StreamSpec<W, R, D>,
  cursorText: string | null,
  settings: ReadSettings,
): AsyncGenerator<SourcePage<R, D>> {
  let cursor = StreamCursor.parse(cursorText, spec.stream);
  let handedOver = cursor.toString();
  const upperBound = isoSecond(settings.now() - settings.settleMs);
  for (const scope of await spec.scopes()) {
    const walk = new ScopeWalk(cursor.get(scope.key), upperBound);
    const ids = new Set<string>();
    for (let page = 1; ; page += 1) {
      const result = await client.sourcePage<W>(scope.list, walk.window(), page, settings.perPage);
      walk.noteTotal(result.total);
      const fresh: W[] = [];
      let repeated = 0;
      for (const row of result.items) {
        const rowId = row.id === undefined || row.id === null ? null : String(row.id);
        if (rowId !== null && ids.has(rowId)) {
          repeated += 1; // an unpaged list answering page 2 with page 1 again, or a shifted row
          continue;
        }
        if (rowId !== null) ids.add(rowId);
        if (walk.judge(instantOf(row.updated_at), rowVersion(rowId ?? '?', row)) === 'new') fresh.push(row);
      }
      const last = !result.hasNext || (result.items.length > 0 && repeated === result.items.length);
      const mapped = fresh.length > 0 ? await spec.mapPage(fresh, scope) : null;
      if (last) cursor = cursor.with(scope.key, walk.checkpoint());
      const cursorAfter = cursor.toString();
      if (mapped && mapped.records.length + mapped.deletions.length + mapped.unreadable.length > 0) {
        yield { ...mapped, cursorAfter };
        handedOver = cursorAfter;
      }
      if (last) break;
    }
  }
  // Scopes whose checkpoint moved without a record to hand over (all already read, or not in
  // the statuses asked for): one empty page so the engine stores the cursor.
  const final = cursor.toString();
  if (final !== handedOver) yield { records: [], deletions: [], unreadable: [], cursorAfter: final };
}

/**
 * Maps each row; a row the mappers refuse becomes an unreadable row (the engine parks it with
 * its raw data and reason). Any other error is a bug or an API break and stops the read.
 */
export async function mapEach<W, R>(
  rows: readonly W[],
  map: (row: W) => Promise<R> | R,
  describe: (row: W) => { sourceId: string; label: string },
): Promise<{ records: R[]; unreadable: UnreadableSourceRow[] }> {
  const records: R[] = [];
  const unreadable: UnreadableSourceRow[] = [];
  for (const row of rows) {
    try {
      records.push(await map(row));
    } catch (error) {
      if (!(error instanceof ProcoreMappingError || error instanceof ProcoreResponseShapeError)) throw error;
      unreadable.push({
        ...describe(row),
        problem: `${error.message}. Correct it in Procore; the next sync reads it again.`,
        raw: row,
      });
    }
  }
  return { records, unreadable };
}

export function sourceIdOf(row: Row, stream: string, index: number): string {
  return row.id === undefined || row.id === null ? `procore-${stream}-without-id:${index}` : String(row.id);
}

/** Lazily loaded, per read: the company's line item types and each project's cost codes. */
class ReferenceCache {
  #lineItemTypes: Promise<WireLineItemType[]> | null = null;
  readonly #coding = new Map<string, Promise<CodingIndex>>();
  readonly #commitments = new Map<string, Promise<Map<string, CommitmentFacts>>>();

  constructor(private readonly client: ProcoreClient) {}

  coding(projectId: string): Promise<CodingIndex> {
    let index = this.#coding.get(projectId);
    if (!index) {
      // One call after the other, each awaited: a failure has exactly one place to surface.
      index = (async () => {
        const costCodes = await this.client.listCostCodeRecords(projectId, {});
        this.#lineItemTypes ??= this.client.listLineItemTypes();
        return codingIndex(costCodes, await this.#lineItemTypes);
      })();
      this.#coding.set(projectId, index);
    }
    return index;
  }

  /** Vendor, number and kind of every commitment of the project (one mixed list read). */
  commitments(projectId: string): Promise<Map<string, CommitmentFacts>> {
    let facts = this.#commitments.get(projectId);
    if (!facts) {
      facts = (async () => {
        const rows = await this.client.listProjectCommitments(projectId);
        return new Map(
          rows.flatMap((row) => (row.id === undefined ? [] : [[String(row.id), commitmentFacts(row, null)] as const])),
        );
      })();
      this.#commitments.set(projectId, facts);
    }
    return facts;
  }
}

/** True when a line names its cost code and cost type completely, so no index is needed. */
function selfCoded(line: WireCodedLine): boolean {
  return Boolean(line.cost_code?.full_code) && (line.line_item_type_id == null || Boolean(line.line_item_type?.code));
}

async function projectScopes(
  client: ProcoreClient,
  keyOf: (projectId: string) => Array<Omit<Scope, 'projectId'>>,
): Promise<Scope[]> {
  const projects = await client.listProjects();
  return projects.flatMap((project) => {
    const projectId = String(project.id);
    return keyOf(projectId).map((scope) => ({ ...scope, projectId }));
  });
}

const projectOf = (scope: Scope): string => {
  if (scope.projectId === null) throw new Error(`scope ${scope.key} has no project`);
  return scope.projectId;
};

// ---- the streams --------------------------------------------------------------------------------

export function readCommitments(
  client: ProcoreClient,
  cursor: string | null,
  settings: ReadSettings,
): AsyncGenerator<SourcePage<ProcoreCommitment, ProcoreSourceDeletion>> {
  const refs = new ReferenceCache(client);
  return readStream<WireCommitmentRecord, ProcoreCommitment, ProcoreSourceDeletion>(
    client,
    {
      stream: 'commitments',
      scopes: () =>
        projectScopes(client, (projectId) => [
          { key: `po:${projectId}`, list: { kind: 'purchase-order-contracts', projectId }, kind: 'purchase-order' },
          { key: `wo:${projectId}`, list: { kind: 'work-order-contracts', projectId }, kind: 'work-order' },
        ]),
      async mapPage(rows, scope) {
        const projectId = projectOf(scope);
        const kind = scope.kind ?? 'purchase-order';
        const live = rows.filter((row) => !row.deleted_at);
        const deleted = rows.filter((row) => row.deleted_at);
        const lines = new Map<WireCommitmentRecord, WireCodedLine[]>();
        await forEachConcurrently(live, settings.readConcurrency, async (row) => {
          if (row.id === undefined || row.id === null) return;
          lines.set(row, await client.listContractLines(kind, projectId, String(row.id)));
        });
        const needsIndex = [...lines.values()].some((ls) => !ls.every(selfCoded));
        const index = needsIndex ? await refs.coding(projectId) : undefined;
        const records = await mapEach(
          live,
          (row) => commitmentFromWire(row, kind, projectId, lines.get(row) ?? [], index),
          (row) => ({ sourceId: sourceIdOf(row, 'commitment', rows.indexOf(row)), label: commitmentLabel(row, kind) }),
        );
        const deletions = await mapEach(
          deleted,
          (row) => commitmentDeletion(row, kind, projectId),
          (row) => ({ sourceId: sourceIdOf(row, 'commitment', rows.indexOf(row)), label: commitmentLabel(row, kind) }),
        );
        return {
          records: records.records,
          deletions: deletions.records,
          unreadable: [...records.unreadable, ...deletions.unreadable],
        };
      },
    },
    cursor,
    settings,
  );
}

export function readCommitmentChangeOrders(
  client: ProcoreClient,
  cursor: string | null,
  settings: ReadSettings,
): AsyncGenerator<SourcePage<ProcoreCommitmentChangeOrder>> {
  const refs = new ReferenceCache(client);
  return readStream<WireChangeOrder, ProcoreCommitmentChangeOrder, never>(
    client,
    {
      stream: 'commitment-change-orders',
      scopes: () =>
        projectScopes(client, (projectId) => [
          { key: `p:${projectId}`, list: { kind: 'commitment-change-orders', projectId } },
        ]),
      async mapPage(rows, scope) {
        const projectId = projectOf(scope);
        const needsIndex = rows.some((row) => !(row.line_items ?? []).every(selfCoded));
        const index = needsIndex ? await refs.coding(projectId) : undefined;
        const mapped = await mapEach(
          rows,
          (row) => changeOrderFromWire(row, projectId, index),
          (row) => ({ sourceId: sourceIdOf(row, 'change-order', rows.indexOf(row)), label: changeOrderLabel(row) }),
        );
        return { ...mapped, deletions: [] };
      },
    },
    cursor,
    settings,
  );
}

export function readRequisitions(
  client: ProcoreClient,
  cursor: string | null,
  statuses: readonly string[],
  settings: ReadSettings,
): AsyncGenerator<SourcePage<ProcoreRequisition>> {
  const refs = new ReferenceCache(client);
  const wanted = new Set(statuses);
  return readStream<WireRequisition, ProcoreRequisition, never>(
    client,
    {
      stream: 'requisitions',
      scopes: () =>
        projectScopes(client, (projectId) => [{ key: `p:${projectId}`, list: { kind: 'requisitions', projectId } }]),
      async mapPage(rows, scope) {
        const projectId = projectOf(scope);
        // Invoices in other statuses are passed over (they come back when their status changes).
        const chosen = rows.filter((row) => typeof row.status === 'string' && wanted.has(row.status));
        if (chosen.length === 0) return { records: [], deletions: [], unreadable: [] };
        const items = new Map<WireRequisition, { contract: WireRequisitionItem[]; changeOrder: WireRequisitionItem[] }>();
        await forEachConcurrently(chosen, settings.readConcurrency, async (row) => {
          if (row.id === undefined || row.id === null) return;
          const id = String(row.id);
          const contract = await client.listRequisitionItems('contract', projectId, id);
          const changeOrder = await client.listRequisitionItems('change-order', projectId, id);
          items.set(row, { contract, changeOrder });
        });
        const index = await refs.coding(projectId);
        const commitments = await refs.commitments(projectId);
        const mapped = await mapEach(
          chosen,
          (row) =>
            requisitionFromWire(
              row,
              projectId,
              items.get(row) ?? { contract: [], changeOrder: [] },
              row.commitment_id == null ? null : (commitments.get(String(row.commitment_id)) ?? null),
              index,
            ),
          (row) => ({ sourceId: sourceIdOf(row, 'requisition', rows.indexOf(row)), label: requisitionLabel(row) }),
        );
        return { ...mapped, deletions: [] };
      },
    },
    cursor,
    settings,
  );
}

export function readDirectCosts(
  client: ProcoreClient,
  cursor: string | null,
  statuses: readonly string[],
  settings: ReadSettings,
): AsyncGenerator<SourcePage<ProcoreDirectCost>> {
  const refs = new ReferenceCache(client);
  const wanted = new Set(statuses);
  return readStream<WireDirectCostRecord, ProcoreDirectCost, never>(
    client,
    {
      stream: 'direct-costs',
      scopes: () =>
        projectScopes(client, (projectId) => [{ key: `p:${projectId}`, list: { kind: 'direct-costs', projectId } }]),
      async mapPage(rows, scope) {
        const projectId = projectOf(scope);
        const chosen = rows.filter((row) => typeof row.status === 'string' && wanted.has(row.status));
        const lines = new Map<WireDirectCostRecord, WireCodedLine[]>();
        await forEachConcurrently(chosen, settings.readConcurrency, async (row) => {
          // The list may embed the lines (the simulator does; unconfirmed for Procore): else one call.
          if (Array.isArray(row.line_items)) lines.set(row, row.line_items);
          else if (row.id !== undefined && row.id !== null)
            lines.set(row, await client.listDirectCostLineRecords(projectId, String(row.id)));
        });
        const needsIndex = [...lines.values()].some((ls) => !ls.every(selfCoded));
        const index = needsIndex ? await refs.coding(projectId) : undefined;
        const mapped = await mapEach(
          chosen,
          (row) => directCostFromWire(row, projectId, lines.get(row) ?? [], index),
          (row) => ({ sourceId: sourceIdOf(row, 'direct-cost', rows.indexOf(row)), label: directCostLabel(row) }),
        );
        return { ...mapped, deletions: [] };
      },
    },
    cursor,
    settings,
  );
}

/**
 * Every company vendor as it is now, active and inactive: for what the user asks to see (link
 * suggestions, "create this vendor", retrying a vendor). The sync read stops a settle window
 * behind the clock (commit lag), which would leave out a vendor edited seconds ago; a listing has
 * no cursor to protect, so its bound is the clock (plus a second: bounds are whole seconds).
 */
export async function listVendorRecords(client: ProcoreClient, settings: ReadSettings): Promise<ProcoreVendorRecord[]> {
  const all: ProcoreVendorRecord[] = [];
  for await (const page of readVendors(client, null, true, { ...settings, settleMs: 0, now: () => settings.now() + 1_000 })) all.push(...page.records);
  return all;
}

export function readVendors(
  client: ProcoreClient,
  cursor: string | null,
  includeInactive: boolean,
  settings: ReadSettings,
): AsyncGenerator<SourcePage<ProcoreVendorRecord>> {
  return readStream<WireVendorRecord, ProcoreVendorRecord, never>(
    client,
    {
      stream: 'vendors',
      scopes: async () => [
        { key: 'active', list: { kind: 'vendors' }, projectId: null },
        ...(includeInactive ? [{ key: 'inactive', list: { kind: 'inactive-vendors' } as const, projectId: null }] : []),
      ],
      async mapPage(rows) {
        const mapped = await mapEach(
          rows,
          (row) => vendorRecordFromWire(row),
          (row) => ({ sourceId: sourceIdOf(row, 'vendor', rows.indexOf(row)), label: vendorLabel(row) }),
        );
        return { ...mapped, deletions: [] };
      },
    },
    cursor,
    settings,
  );
}
