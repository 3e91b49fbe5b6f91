/**
 * Batched writes: creates, column updates and archives, several per request under aliases
 * (§4.3), as many as the complexity ceiling allows (a create costs ~30,001 points, §4.6).
 * Every input ends with exactly one result, in input order:
 *
 * - an alias that answered with an id: ok;
 * - an alias with its own error (`path[0]`): monday wrote nothing of that item (writes are all
 *   or nothing per item); refused (not retryable) or passing (retryable) by monday's code;
 * - a request refused for a rate limit before it ran: sent again after the wait (a create
 *   too: nothing ran), up to the retry policy's attempts, then retryable;
 * - a request whose answer was lost (network, 5xx): every item of it retryable; for a create
 *   that means "may exist: look it up by key before retrying" (the engine does, §6).
 *
 * Session-fatal failures (revoked token, settings, hosts) are thrown; nothing else is.
 */
import type { WriteCallOptions } from '../connector';
import { GraphQLRequestError } from '../_kit';
import type { MondayClient } from './client';
import { StoppedBeforeSendError, classifyFailure, isRateLimitRefusal, isSessionFatal } from './client';
import type { MondayDocument } from './documents';
import { aliasOf, archiveItemsDocument, createItemsDocument, updateItemsDocument } from './documents';
import { CellEncodingError, encodeColumnValues, explainMondayCode, isRefusalCode } from './mappers';
import type { ItemCreate, ItemTarget, ItemUpdate, WriteFailure, WriteResult } from './types';
import type { WireMutationAnswer } from './wire';

type Failure = Omit<WriteFailure, 'ref' | 'ok'>;
type Operation = 'create' | 'update' | 'archive';

/** monday refuses an empty name and one longer than 255 characters (§4.3). */
const MAX_ITEM_NAME = 255;

/** One input that passed the local checks: where its result goes, and what to send. */
interface Unit<P> {
  index: number;
  /** E.g. `item "PO 1001" (key PO-1001)`: how messages name it. */
  label: string;
  payload: P;
}

/** Results in input order; every input gets exactly one. */
class ResultBook {
  readonly #results: (WriteResult | undefined)[];
  constructor(readonly refs: readonly string[]) {
    this.#results = refs.map(() => undefined);
  }
  ok(index: number, itemId: string): void {
    this.#results[index] = { ref: this.refs[index] ?? '', ok: true, itemId };
  }
  fail(index: number, failure: Failure): void {
    this.#results[index] = { ref: this.refs[index] ?? '', ok: false, ...failure };
  }
  all(): WriteResult[] {
    return this.#results.map(
      (result, index) =>
        result ?? {
          ref: this.refs[index] ?? '',
          ok: false,
          retryable: true,
          message: 'The connector lost track of this item; look it up before writing it again.',
          code: null,
        },
    );
  }
}

const localRefusal = (message: string): Failure => ({ retryable: false, message, code: 'LocalValidation' });

function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'has an empty name; monday needs a name for every item';
  if (name.length > MAX_ITEM_NAME)
    return `has a name of ${name.length} characters; monday allows ${MAX_ITEM_NAME}`;
  return null;
}

/** What to say when the answer to a write was lost, per operation. */
function lostAnswer(operation: Operation, label: string, detail: string): string {
  switch (operation) {
    case 'create':
      return `No answer from monday.com for the create of ${label} (${detail}); it may have been created, so look it up by its key before creating it again.`;
    case 'update':
      return `No answer from monday.com for the update of ${label} (${detail}); sending the same values again is safe.`;
    case 'archive':
      return `No answer from monday.com for archiving ${label} (${detail}); archiving it again is safe.`;
  }
}

function verb(operation: Operation): string {
  return operation === 'create' ? 'create' : operation === 'update' ? 'update' : 'archive';
}

interface BatchSpec<P> {
  operation: Operation;
  boardId: string | null;
  /** Points one mutation selects besides monday's mutation price. */
  selectionCostPerItem: number;
  build(payloads: P[]): MondayDocument;
}

async function writeInBatches<P>(
  client: MondayClient,
  units: readonly Unit<P>[],
  spec: BatchSpec<P>,
  book: ResultBook,
  call: WriteCallOptions,
): Promise<void> {
  let pending = [...units];
  let cap = Number.MAX_SAFE_INTEGER;
  let refusals = 0;
  let stopped = false;
  while (pending.length > 0) {
    if (call.signal?.aborted || stopped) {
      for (const unit of pending)
        book.fail(unit.index, {
          retryable: true,
          message: `The run was stopped before the ${verb(spec.operation)} of ${unit.label} was sent; nothing was written for it.`,
          code: 'Stopped',
        });
      return;
    }
    const size = client.mutationsThatFitNow(spec.selectionCostPerItem, cap);
    const batch = pending.slice(0, size);
    const document = spec.build(batch.map((unit) => unit.payload));
    let data: Record<string, unknown> | null;
    let errors: GraphQLRequestError['errors'] = [];
    try {
      data = await client.request<Record<string, unknown>>(document, call.signal);
    } catch (error) {
      if (isSessionFatal(error)) throw error;
      if (error instanceof StoppedBeforeSendError) {
        stopped = true;
        continue;
      }
      // Refused for a rate limit before it ran: the same document again after the wait (the
      // client already paused the account). Retry-safe documents were repeated by the kit.
      if (isRateLimitRefusal(error) && !document.retrySafe && refusals + 1 < client.maxAttempts) {
        refusals += 1;
        // Refused again after waiting for a fresh window: the real budget cannot hold this
        // batch (a smaller plan than configured), so it shrinks.
        if (
          refusals >= 2 &&
          /complexity/i.test((error as GraphQLRequestError).code ?? '') &&
          batch.length > 1
        )
          cap = Math.ceil(batch.length / 2);
        continue;
      }
      if (error instanceof GraphQLRequestError && error.httpStatus === 200 && attributable(error)) {
        data = (error.data as Record<string, unknown> | null) ?? null;
        errors = error.errors;
      } else {
        failBatch(book, batch, spec, error);
        pending = pending.slice(batch.length);
        continue;
      }
    }
    attribute(book, batch, spec, data, errors);
    pending = pending.slice(batch.length);
    refusals = 0;
  }
}

/** Errors of a 200 answer that belong to aliases (or came with partial data): per-item outcomes. */
function attributable(error: GraphQLRequestError): boolean {
  return error.data !== null || error.errors.some((item) => typeof item.path?.[0] === 'string');
}

function attribute<P>(
  book: ResultBook,
  batch: readonly Unit<P>[],
  spec: BatchSpec<P>,
  data: Record<string, unknown> | null,
  errors: GraphQLRequestError['errors'],
): void {
  const whole = errors.find((item) => item.path === undefined || item.path.length === 0);
  batch.forEach((unit, position) => {
    const alias = aliasOf(position);
    const answer = data?.[alias] as WireMutationAnswer | undefined;
    if (answer && answer.id !== undefined && answer.id !== null) {
      book.ok(unit.index, String(answer.id));
      return;
    }
    const own = errors.find((item) => item.path?.[0] === alias) ?? whole;
    if (!own) {
      book.fail(unit.index, {
        retryable: true,
        message: lostAnswer(spec.operation, unit.label, "monday's answer did not mention it"),
        code: null,
      });
      return;
    }
    const code = typeof own.extensions?.['code'] === 'string' ? own.extensions['code'] : null;
    const explanation = explainMondayCode(code, own.message, own.extensions?.['error_data'], spec.boardId);
    book.fail(unit.index, {
      // monday writes an item all or nothing: an item with its own error was not written.
      retryable: !isRefusalCode(code),
      message: `monday.com did not ${verb(spec.operation)} ${unit.label}: ${explanation}`,
      code,
    });
  });
}

function failBatch<P>(book: ResultBook, batch: readonly Unit<P>[], spec: BatchSpec<P>, error: unknown): void {
  const failure = classifyFailure(error, spec.boardId);
  for (const unit of batch) {
    const message = failure.uncertain
      ? lostAnswer(spec.operation, unit.label, failure.detail)
      : failure.retryable
        ? `monday.com did not ${verb(spec.operation)} ${unit.label}: ${failure.detail}; nothing was written, it can be sent again later.`
        : `monday.com did not ${verb(spec.operation)} ${unit.label}: ${failure.detail}`;
    book.fail(unit.index, { retryable: failure.retryable, message, code: failure.code });
  }
}

// ---- the three writes ----------------------------------------------------------------------

export async function createItems(
  client: MondayClient,
  target: ItemTarget,
  items: readonly ItemCreate[],
  call: WriteCallOptions = {},
): Promise<WriteResult[]> {
  const book = new ResultBook(items.map((item) => item.key));
  const seen = new Set<string>();
  const units: Unit<{ name: string; columnValues: Record<string, unknown> }>[] = [];
  items.forEach((item, index) => {
    const label = `item "${item.name}" (key ${item.key})`;
    if (item.key.trim() === '')
      return book.fail(
        index,
        localRefusal(`Item "${item.name}" has no key; without it the item could be created twice.`),
      );
    if (seen.has(item.key))
      return book.fail(
        index,
        localRefusal(`The key ${item.key} appears twice in this batch; only the first is written.`),
      );
    seen.add(item.key);
    const badName = nameProblem(item.name);
    if (badName !== null) return book.fail(index, localRefusal(`Item with key ${item.key} ${badName}.`));
    if (item.cells.some((cell) => cell.columnId === target.keyColumnId))
      return book.fail(
        index,
        localRefusal(
          `${label} writes its own value into the key column "${target.keyColumnId}"; the connector writes the key there itself.`,
        ),
      );
    try {
      const columnValues = { ...encodeColumnValues(item.cells), [target.keyColumnId]: item.key };
      units.push({ index, label, payload: { name: item.name, columnValues } });
    } catch (error) {
      if (!(error instanceof CellEncodingError)) throw error;
      book.fail(index, localRefusal(`${label[0]?.toUpperCase()}${label.slice(1)}: ${error.message}.`));
    }
  });
  await writeInBatches(
    client,
    units,
    {
      operation: 'create',
      boardId: target.boardId,
      selectionCostPerItem: 1,
      build: (payloads) =>
        createItemsDocument(target.boardId, target.groupId, payloads, client.settings.createLabelsIfMissing),
    },
    book,
    call,
  );
  return book.all();
}

export async function updateItems(
  client: MondayClient,
  boardId: string,
  updates: readonly ItemUpdate[],
  call: WriteCallOptions = {},
): Promise<WriteResult[]> {
  const book = new ResultBook(updates.map((update) => update.itemId));
  const seen = new Set<string>();
  const units: Unit<{ itemId: string; columnValues: Record<string, unknown> }>[] = [];
  updates.forEach((update, index) => {
    const label = `item ${update.itemId}`;
    if (!/^\d+$/.test(update.itemId))
      return book.fail(index, localRefusal(`"${update.itemId}" is not a monday item id.`));
    if (seen.has(update.itemId))
      return book.fail(
        index,
        localRefusal(`Item ${update.itemId} appears twice in this batch; only the first is written.`),
      );
    seen.add(update.itemId);
    if (update.name !== undefined) {
      const badName = nameProblem(update.name);
      if (badName !== null) return book.fail(index, localRefusal(`The update of ${label} ${badName}.`));
    }
    let columnValues: Record<string, unknown>;
    try {
      columnValues = encodeColumnValues(update.cells);
    } catch (error) {
      if (!(error instanceof CellEncodingError)) throw error;
      return book.fail(index, localRefusal(`Item ${update.itemId}: ${error.message}.`));
    }
    // change_multiple_column_values sets the name through the `name` key (§4.3).
    if (update.name !== undefined) columnValues['name'] = update.name;
    // Nothing to change: no call, and the item is as wanted.
    if (Object.keys(columnValues).length === 0) return book.ok(index, update.itemId);
    units.push({ index, label, payload: { itemId: update.itemId, columnValues } });
  });
  await writeInBatches(
    client,
    units,
    {
      operation: 'update',
      boardId,
      selectionCostPerItem: 1,
      build: (payloads) => updateItemsDocument(boardId, payloads, client.settings.createLabelsIfMissing),
    },
    book,
    call,
  );
  return book.all();
}

export async function archiveItems(
  client: MondayClient,
  itemIds: readonly string[],
  call: WriteCallOptions = {},
): Promise<WriteResult[]> {
  const book = new ResultBook(itemIds);
  const seen = new Set<string>();
  const units: Unit<string>[] = [];
  itemIds.forEach((itemId, index) => {
    if (!/^\d+$/.test(itemId)) return book.fail(index, localRefusal(`"${itemId}" is not a monday item id.`));
    if (seen.has(itemId))
      return book.fail(
        index,
        localRefusal(`Item ${itemId} appears twice in this batch; only the first is archived.`),
      );
    seen.add(itemId);
    units.push({ index, label: `item ${itemId}`, payload: itemId });
  });
  await writeInBatches(
    client,
    units,
    {
      operation: 'archive',
      boardId: null,
      selectionCostPerItem: 2,
      build: (payloads) => archiveItemsDocument(payloads),
    },
    book,
    call,
  );
  return book.all();
}
