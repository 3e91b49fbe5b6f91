/**
 * Writes through Procore's sync actions (§2.5) and the lookups that resolve unconfirmed writes
 * after a crash. The order per batch: header sync (≤ 1000 per call) → line sync per header →
 * one read-back of grand_total per `idsPerRead` headers. Each item ends as its own result:
 * one refused item never hides the others, and a lost answer is reported as "retryable" so
 * the engine looks the item up by origin_id before writing again.
 *
 * Why the read-back: a header sync answers before its lines exist, so its grand_total cannot
 * prove anything. Reading the headers back after the lines are written costs one call per
 * `idsPerRead` headers and proves Procore's total equals what was sent, to the cent.
 */
import type { Decimal } from '../../../src-shared/domain/money';
import { forEachConcurrently } from '../_kit';
import type { ProcoreClient } from './client';
import { SYNC_MAX_ITEMS, explainProcoreFailure, isSessionFatal, isWholeCallRefusal } from './client';
import {
  commitmentToWire,
  directCostLineToWire,
  directCostToWire,
  flattenFieldErrors,
  idFromWire,
  lineFromWire,
  lineToWire,
  moneyFromWire,
  normaliseFieldErrors,
  sumOfLines,
  upsertLineName,
} from './mappers';
import type {
  CommitmentUpsert,
  DirectCostUpsert,
  FoundRecord,
  LineUpsert,
  UpsertFailure,
  UpsertResult,
} from './types';
import type { WireCommitment, WireDirectCost, WireLineItem, WireLineUpdate, WireSyncResponse } from './wire';

type Failure = Omit<UpsertFailure, 'originId' | 'ok'>;
type Entity = 'commitment' | 'direct cost';

interface UpsertInput {
  originId: string;
  projectId: string;
  lines: LineUpsert[];
}

interface Prepared<I extends UpsertInput, H> {
  index: number;
  input: I;
  header: H;
  total: Decimal;
}

/** A header Procore saved; its lines and verification are still to come. */
interface Written<I extends UpsertInput, H> extends Prepared<I, H> {
  targetId: string;
  lineIds: Map<string, string>;
  lineProblems: { originId: string; errors: Record<string, string[]> }[];
  failure: Failure | null;
}

export interface UpsertOptions {
  companyId: string;
  chunkSize: number;
  idsPerRead: number;
  /** Commitment line syncs in flight at once (validated by the connector: 1..16). */
  writeConcurrency: number;
  /** Once aborted, no further call starts (the run was stopped); what is unwritten is retryable. */
  signal?: AbortSignal;
}

/** An item the stopped run did not finish: its header may exist without (all) its lines. */
const stoppedBefore = (entity: Entity, originId: string, targetId: string | null, step: string): Failure => ({
  retryable: true,
  message: `The run was stopped before ${step} of ${entity} ${originId}; look it up by origin id before writing it again.`,
  fieldErrors: {},
  targetId,
});

/** Results in input order; every input gets exactly one. */
class ResultBook {
  readonly #results: (UpsertResult | undefined)[];
  constructor(readonly inputs: readonly { originId: string }[]) {
    this.#results = inputs.map(() => undefined);
  }
  fail(index: number, failure: Failure): void {
    const originId = this.inputs[index]?.originId ?? '';
    this.#results[index] = { originId, ok: false, ...failure };
  }
  succeed(index: number, targetId: string, lineIds: Map<string, string>, grandTotal: string): void {
    const originId = this.inputs[index]?.originId ?? '';
    this.#results[index] = { originId, ok: true, targetId, lineIds, grandTotal };
  }
  all(): UpsertResult[] {
    return this.#results.map(
      (result, index) =>
        result ?? {
          originId: this.inputs[index]?.originId ?? '',
          ok: false,
          retryable: true,
          message: 'The connector lost track of this item; look it up by origin id before retrying.',
          fieldErrors: {},
          targetId: null,
        },
    );
  }
}

const refused = (
  message: string,
  targetId: string | null = null,
  fieldErrors: Record<string, string[]> = {},
): Failure => ({
  retryable: false,
  message,
  fieldErrors,
  targetId,
});

export async function upsertCommitments(
  client: ProcoreClient,
  projectId: string,
  commitments: readonly CommitmentUpsert[],
  options: UpsertOptions,
): Promise<UpsertResult[]> {
  const book = new ResultBook(commitments);
  const prepared = prepare(book, projectId, commitments, 'commitment', commitmentToWire);
  const written = await syncHeaders(book, prepared, 'commitment', options, (chunk) =>
    client.syncCommitments(projectId, chunk),
  );
  // One line sync per commitment (no batch across commitments exists, §2.5). The calls are
  // independent, so up to `writeConcurrency` run at once; each records only on its own parent.
  // A session-fatal error stops new calls, lets the running ones settle, then is rethrown.
  await forEachConcurrently(written, options.writeConcurrency, async (target) => {
    if (options.signal?.aborted) {
      target.failure ??= stoppedBefore('commitment', target.input.originId, target.targetId, 'the lines');
      return;
    }
    const entries = target.input.lines.map((line, i) => ({ parent: target, line: lineToWire(line, i + 1) }));
    await syncLines(
      entries,
      options,
      (chunk) => client.syncCommitmentLines(projectId, target.targetId, chunk),
      'commitment',
    );
  });
  await verifyTotals(book, written, 'commitment', options, (ids) =>
    client.listCommitments(projectId, { ids }),
  );
  return book.all();
}

export async function upsertDirectCosts(
  client: ProcoreClient,
  projectId: string,
  costs: readonly DirectCostUpsert[],
  options: UpsertOptions,
): Promise<UpsertResult[]> {
  const book = new ResultBook(costs);
  const prepared = prepare(book, projectId, costs, 'direct cost', directCostToWire);
  const written = await syncHeaders(book, prepared, 'direct cost', options, (chunk) =>
    client.syncDirectCosts(projectId, chunk),
  );
  // Direct cost lines sync per project: lines of many direct costs share one call.
  if (options.signal?.aborted)
    for (const target of written) target.failure ??= stoppedBefore('direct cost', target.input.originId, target.targetId, 'the lines');
  const entries = written.filter((target) => !target.failure).flatMap((target) =>
    target.input.lines.map((line, i) => ({ parent: target, line: directCostLineToWire(line, i + 1, target.targetId) })),
  );
  await syncLines(entries, options, (chunk) => client.syncDirectCostLines(projectId, chunk), 'direct cost');
  await verifyTotals(book, written, 'direct cost', options, (ids) =>
    client.listDirectCosts(projectId, { ids }),
  );
  return book.all();
}

/** Local checks and wire conversion; refused items get their result now and are not sent. */
function prepare<I extends UpsertInput, H>(
  book: ResultBook,
  projectId: string,
  inputs: readonly I[],
  entity: Entity,
  toWire: (input: I) => H,
): Prepared<I, H>[] {
  const prepared: Prepared<I, H>[] = [];
  const seen = new Set<string>();
  const lineOrigins = new Set<string>();
  inputs.forEach((input, index) => {
    const problem = inputProblem(input, projectId, entity, seen, lineOrigins);
    if (problem !== null) return book.fail(index, refused(problem));
    try {
      const header = toWire(input);
      input.lines.forEach((line, i) => lineToWire(line, i + 1)); // amounts, ids and quantities checked before anything is sent
      prepared.push({ index, input, header, total: sumOfLines(input.lines) });
    } catch (error) {
      book.fail(index, refused(`${capitalised(entity)} ${input.originId}: ${(error as Error).message}.`));
    }
  });
  return prepared;
}

function inputProblem(
  input: UpsertInput,
  projectId: string,
  entity: Entity,
  seen: Set<string>,
  lineOrigins: Set<string>,
): string | null {
  if (input.originId.trim() === '') return `A ${entity} without an origin id cannot be synced idempotently.`;
  if (seen.has(input.originId))
    return `${capitalised(entity)} ${input.originId} appears twice in this batch.`;
  seen.add(input.originId);
  if (input.projectId !== projectId)
    return `${capitalised(entity)} ${input.originId} belongs to project ${input.projectId}, not to project ${projectId} being written.`;
  for (const line of input.lines) {
    if (line.originId.trim() === '')
      return `${capitalised(entity)} ${input.originId} has a line without an origin id.`;
    // origin_id is unique per object type in the company: a repeat would overwrite a line.
    if (lineOrigins.has(line.originId))
      return `Line origin id ${line.originId} of ${entity} ${input.originId} is used twice in this batch.`;
    lineOrigins.add(line.originId);
  }
  return null;
}

async function syncHeaders<I extends UpsertInput, H>(
  book: ResultBook,
  prepared: Prepared<I, H>[],
  entity: Entity,
  options: UpsertOptions,
  send: (chunk: H[]) => Promise<WireSyncResponse<WireCommitment | WireDirectCost>>,
): Promise<Written<I, H>[]> {
  const written: Written<I, H>[] = [];
  for (const chunk of chunks(prepared, Math.min(options.chunkSize, SYNC_MAX_ITEMS))) {
    if (options.signal?.aborted) {
      for (const item of chunk) book.fail(item.index, stoppedBefore(entity, item.input.originId, null, 'the header'));
      continue;
    }
    let response: WireSyncResponse<WireCommitment | WireDirectCost>;
    try {
      response = await send(chunk.map((item) => item.header));
    } catch (error) {
      if (isSessionFatal(error)) throw error;
      const failure = callFailure(error, entity, 'sync', options.companyId);
      for (const item of chunk) book.fail(item.index, { ...failure, targetId: null });
      continue;
    }
    const byOrigin = new Map(chunk.map((item) => [item.input.originId, item]));
    for (const saved of response.entities ?? []) {
      const item = saved.origin_id ? byOrigin.get(saved.origin_id) : undefined;
      if (!item) continue;
      byOrigin.delete(item.input.originId);
      const targetId = idFromWire(saved.id, `the saved ${entity} ${item.input.originId}`);
      written.push({ ...item, targetId, lineIds: new Map(), lineProblems: [], failure: null });
    }
    for (const error of response.errors ?? []) {
      const originId = typeof error['origin_id'] === 'string' ? error['origin_id'] : undefined;
      const item = originId === undefined ? undefined : byOrigin.get(originId);
      if (!item) continue;
      byOrigin.delete(item.input.originId);
      const fieldErrors = normaliseFieldErrors(error.errors);
      book.fail(
        item.index,
        refused(
          `Procore refused ${entity} ${item.input.originId}: ${flattenFieldErrors(fieldErrors)}`,
          null,
          fieldErrors,
        ),
      );
    }
    for (const item of byOrigin.values())
      book.fail(item.index, {
        retryable: true,
        message: `Procore's sync answer did not mention ${entity} ${item.input.originId}; look it up by origin id before retrying.`,
        fieldErrors: {},
        targetId: null,
      });
  }
  return written;
}

interface LineEntry<L> {
  parent: Written<UpsertInput, unknown>;
  line: L;
}

/** Line sync in chunks; each outcome lands on its parent (ids, refusals, or a lost answer). */
async function syncLines<L extends WireLineUpdate>(
  entries: LineEntry<L>[],
  options: UpsertOptions,
  send: (chunk: L[]) => Promise<WireSyncResponse<WireLineItem>>,
  entity: Entity,
): Promise<void> {
  for (const chunk of chunks(entries, Math.min(options.chunkSize, SYNC_MAX_ITEMS))) {
    let response: WireSyncResponse<WireLineItem>;
    try {
      response = await send(chunk.map((entry) => entry.line));
    } catch (error) {
      if (isSessionFatal(error)) throw error;
      const failure = callFailure(error, entity, 'line sync', options.companyId);
      for (const { parent } of chunk) parent.failure ??= { ...failure, targetId: parent.targetId };
      continue;
    }
    const byOrigin = new Map(chunk.map((entry) => [entry.line.origin_id, entry]));
    for (const line of response.entities ?? []) {
      const entry = line.origin_id ? byOrigin.get(line.origin_id) : undefined;
      if (!entry) continue;
      byOrigin.delete(entry.line.origin_id);
      entry.parent.lineIds.set(entry.line.origin_id, idFromWire(line.id, `line ${entry.line.origin_id}`));
    }
    for (const error of response.errors ?? []) {
      const originId = typeof error['origin_id'] === 'string' ? error['origin_id'] : undefined;
      const entry = originId === undefined ? undefined : byOrigin.get(originId);
      if (!entry) continue;
      byOrigin.delete(entry.line.origin_id);
      entry.parent.lineProblems.push({
        originId: entry.line.origin_id,
        errors: normaliseFieldErrors(error.errors),
      });
    }
    for (const entry of byOrigin.values())
      entry.parent.failure ??= {
        retryable: true,
        message: `Procore's line sync answer did not mention ${lineNameOf(entry.parent.input, entry.line.origin_id)} of ${entity} ${entry.parent.input.originId}; look it up before retrying.`,
        fieldErrors: {},
        targetId: entry.parent.targetId,
      };
  }
  for (const parent of new Set(entries.map((entry) => entry.parent))) {
    if (parent.failure || parent.lineProblems.length === 0) continue;
    const fieldErrors: Record<string, string[]> = {};
    for (const problem of parent.lineProblems)
      for (const [field, messages] of Object.entries(problem.errors))
        fieldErrors[`lines[${problem.originId}].${field}`] = messages;
    const detail = parent.lineProblems
      .map((problem) => `${lineNameOf(parent.input, problem.originId)}: ${flattenFieldErrors(problem.errors)}`)
      .join(' ');
    parent.failure = refused(
      `Procore saved ${entity} ${parent.input.originId} but refused ${parent.lineProblems.length} of its lines (${detail.replace(/\.$/, '')}).`,
      parent.targetId,
      fieldErrors,
    );
  }
}

/** Read the written headers back and compare Procore's grand_total with the lines sent. */
async function verifyTotals<I extends UpsertInput, H>(
  book: ResultBook,
  written: Written<I, H>[],
  entity: Entity,
  options: UpsertOptions,
  read: (ids: string[]) => Promise<Array<{ id?: unknown; grand_total?: string | null }>>,
): Promise<void> {
  for (const target of written) if (target.failure) book.fail(target.index, target.failure);
  const toVerify = written.filter((target) => target.failure === null);
  for (const chunk of chunks(toVerify, options.idsPerRead)) {
    let records: Array<{ id?: unknown; grand_total?: string | null }>;
    try {
      records = await read(chunk.map((target) => target.targetId));
    } catch (error) {
      if (isSessionFatal(error)) throw error;
      const failure = callFailure(error, entity, 'read-back', options.companyId);
      for (const target of chunk)
        book.fail(target.index, { ...failure, retryable: true, targetId: target.targetId });
      continue;
    }
    const totals = new Map(
      records.map((record) => [idFromWire(record.id, `a ${entity}`), record.grand_total]),
    );
    for (const target of chunk) {
      const what = `${entity} ${target.input.originId}`;
      if (!totals.has(target.targetId)) {
        book.fail(target.index, {
          retryable: true,
          message: `Procore saved ${what} (id ${target.targetId}) but did not return it when read back; look it up before retrying.`,
          fieldErrors: {},
          targetId: target.targetId,
        });
        continue;
      }
      const procoreTotal = moneyFromWire(totals.get(target.targetId), `the grand_total of ${what}`);
      if (!procoreTotal.equals(target.total)) {
        book.fail(
          target.index,
          refused(
            `Procore's total for ${what} is ${procoreTotal.toMoneyString()} but the lines sent add up to ` +
              `${target.total.toMoneyString()}; Procore may hold lines this sync did not send.`,
            target.targetId,
          ),
        );
        continue;
      }
      book.succeed(target.index, target.targetId, target.lineIds, procoreTotal.toMoneyString());
    }
  }
}

/** A whole call failed: refused by Procore (nothing written) or its answer was lost. */
function callFailure(
  error: unknown,
  entity: Entity,
  step: string,
  companyId: string,
): Omit<Failure, 'targetId'> {
  const explanation = explainProcoreFailure(error, companyId, `sending the ${entity} ${step}`);
  if (isWholeCallRefusal(error))
    return {
      retryable: false,
      message: `Procore refused the whole ${entity} ${step} call: ${explanation}`,
      fieldErrors: {},
    };
  return {
    retryable: true,
    message: `The ${entity} ${step} call got no usable answer (${explanation}); it may or may not have been saved, so look it up by origin id before retrying.`,
    fieldErrors: {},
  };
}

// ---- lookups after a crash ------------------------------------------------------------------

/**
 * filters[origin_id] is documented for one value (§2.4): one id costs one filtered call; for
 * several ids, one paged listing of the project (1 call per 1000 records) is cheaper than a
 * call per id in every realistic project, so the records are filtered here.
 */
export async function findByOrigin(
  originIds: readonly string[],
  list: (
    filter: { originId: string } | Record<string, never>,
  ) => Promise<Array<(WireCommitment | WireDirectCost) & { line_items?: WireLineItem[] }>>,
  linesOf: (id: string) => Promise<WireLineItem[]>,
  entity: Entity,
): Promise<Map<string, FoundRecord>> {
  const wanted = new Set(originIds);
  const found = new Map<string, FoundRecord>();
  if (wanted.size === 0) return found;
  const [only] = wanted;
  const records = await list(wanted.size === 1 && only !== undefined ? { originId: only } : {});
  for (const record of records) {
    if (!record.origin_id || !wanted.has(record.origin_id) || record.deleted_at) continue;
    const what = `${entity} ${record.origin_id}`;
    const id = idFromWire(record.id, what);
    // Some lists embed the lines (direct costs do in practice); otherwise one call per record.
    const lines = record.line_items ?? (await linesOf(id));
    found.set(record.origin_id, {
      id,
      status: record.status ?? null,
      grandTotal: moneyFromWire(record.grand_total, `the grand_total of ${what}`).toMoneyString(),
      lines: lines.map((line) => lineFromWire(line, what)),
    });
  }
  return found;
}

/** A written line as a message names it (its place and description), found by its origin id. */
function lineNameOf(input: UpsertInput, originId: string): string {
  const place = input.lines.findIndex((line) => line.originId === originId);
  return place < 0 ? 'a line' : upsertLineName(input.lines[place]!, place + 1);
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  if (!(Number.isInteger(size) && size > 0))
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
