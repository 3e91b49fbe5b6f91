/**
 * Writing documents so that nothing is lost and nothing is written twice (fact sheet 2.3).
 *
 * Every create/update goes out as a function with a deterministic controlid under
 * `uniqueid=true`, many functions per request. What happened to each is then read from
 * Intacct's answer when there is one, and otherwise **from Intacct itself**: the document is
 * looked up by its key (the key field of the object). Intacct documents no error number for a
 * repeated controlid, and XL03000009 only says "rolled back", so no decision here depends on an
 * error number:
 *
 * - `success` → written.
 * - `failure` → look the key up. Found (create) or already in the wanted state (update: the
 *   total matches) → done, `found` (a repeat refused as a duplicate). Otherwise → `refused`,
 *   with Intacct's own words.
 * - `aborted` (another function of an all-or-nothing block failed) → nothing happened: sent
 *   again when the failing one turned out to be done already, else `rolled-back`.
 * - no answer (timeout, 524, dropped connection, 5xx, 429 / GW-0010) → look up; found → done;
 *   not found → sent again in the next round (the same controlid: if the first did run,
 *   Intacct refuses the repeat and the next look-up finds it), after a back-off wait.
 *
 * Updates are checked after writing: Intacct's total must equal the sum of the lines sent, to
 * the cent (a line the change did not send would still count).
 */
import type { Decimal } from '../../../src-shared/domain/money';
import { HttpStatusError, backoffDelayMs } from '../_kit';
import type { FunctionOutcome, IntacctClient } from './client';
import { IntacctRequestRefusedError, isSessionFatal } from './client';
import { chunked, errorText } from './mappers';
import type { IntacctErrorDetail, WriteFailure, WriteOptions, WriteResult } from './types';

type WriteSuccess = Extract<WriteResult, { ok: true }>;

/** What a look-up found for a key: enough to decide "written" and to report it. */
export interface FoundTarget {
  targetId: string;
  recordNo: string | null;
  /** Intacct's total of the document (null when the object has none). */
  total: string | null;
}

export interface WriteItem<I = unknown> {
  key: string;
  /** The caller's input, for `reached`. */
  input: I;
  controlId: string;
  body: Record<string, unknown>;
  /** "bill INV-7 (4711)": how a finance user knows the document. */
  label: string;
  /** Total the document must have after the write (updates: checked against Intacct's). */
  expectedTotal: Decimal | null;
  lineNos?: number[];
  retainageLineNo?: number | null;
  warnings: string[];
}

export interface WriteSpec<I, F extends FoundTarget = FoundTarget> {
  /** "bill", "journal entry", …: used in messages. */
  what: string;
  /** Intacct object in the body, for the request label. */
  object: string;
  mode: 'create' | 'update';
  /** The new record's id from a successful result (`<data><apbill><RECORDNO>…` or legacy `<key>`). */
  targetOf(outcome: FunctionOutcome, item: WriteItem<I>): FoundTarget | null;
  /** The documents Intacct holds under these keys. */
  lookup(items: readonly WriteItem<I>[]): Promise<Map<string, F>>;
  /** Does what was found already show this write? (creates: it exists; updates: state matches) */
  reached(found: F, item: WriteItem<I>): boolean;
}

export interface WriteRunOptions extends WriteOptions {
  functionsPerRequest: number;
  rounds: number;
}

/** An item the connector refused before sending (bad amount, date, missing line…). */
export interface Unsendable {
  index: number;
  key: string;
  message: string;
}

const failure = (key: string, reason: WriteFailure['reason'], message: string, details: IntacctErrorDetail[] = []): WriteFailure => ({
  key,
  ok: false,
  reason,
  retryable: reason !== 'refused',
  lookUpFirst: reason === 'uncertain' || reason === 'not-sent',
  message,
  details,
});

export async function runWrites<I, F extends FoundTarget>(
  client: IntacctClient,
  spec: WriteSpec<I, F>,
  items: readonly (WriteItem<I> | Unsendable)[],
  options: WriteRunOptions,
): Promise<WriteResult[]> {
  type Item = WriteItem<I>;
  const results: (WriteResult | undefined)[] = items.map(() => undefined);
  const indexOf = new Map<Item, number>();
  const controlIds = new Set<string>();
  let pending: Item[] = [];
  items.forEach((item, index) => {
    if (!('controlId' in item)) {
      results[index] = failure(item.key, 'refused', item.message);
      return;
    }
    // Two items with one key share a controlid: Intacct would run only the first.
    if (controlIds.has(item.controlId)) {
      results[index] = failure(item.key, 'refused', `${item.label} appears twice in this batch; send each document once.`);
      return;
    }
    controlIds.add(item.controlId);
    indexOf.set(item, index);
    pending.push(item);
  });
  const set = (item: Item, result: WriteResult): void => {
    results[indexOf.get(item) ?? -1] = result;
  };
  const ok = (item: Item, target: FoundTarget, how: 'written' | 'found'): WriteSuccess => ({
    key: item.key,
    ok: true,
    targetId: target.targetId,
    recordNo: target.recordNo,
    how,
    total: target.total ?? item.expectedTotal?.toMoneyString() ?? null,
    ...(item.lineNos ? { lineNos: item.lineNos } : {}),
    ...(item.retainageLineNo !== undefined ? { retainageLineNo: item.retainageLineNo } : {}),
    warnings: item.warnings,
  });
  const sentOnce = new Set<Item>();
  /** Updates Intacct reported done, with the ids it answered: checked after the rounds. */
  const writtenUpdates = new Map<Item, FoundTarget>();
  let lastError: unknown = null;

  for (let round = 1; pending.length > 0 && round <= options.rounds; round += 1) {
    if (round > 1) await pause(client, round - 1, lastError, options.signal);
    const unclear: { item: Item; refusal: IntacctErrorDetail[] | null; cause: string }[] = [];
    const aborted: Item[] = [];
    const groups = options.atomic ? [pending] : chunked(pending, options.functionsPerRequest);
    for (const group of groups) {
      if (options.signal?.aborted) {
        for (const item of group)
          set(item, failure(item.key, 'not-sent', `The run was stopped before ${item.label} was ${sentOnce.has(item) ? 'sent again' : 'sent'}; look it up before writing it again.`));
        continue;
      }
      let outcomes: FunctionOutcome[];
      try {
        group.forEach((item) => sentOnce.add(item));
        outcomes = await client.call(
          group.map((item) => ({ controlId: item.controlId, body: item.body })),
          { write: true, atomic: options.atomic === true, label: `${spec.mode} ${spec.object} ×${group.length}` },
        );
      } catch (error) {
        if (isSessionFatal(error)) throw error;
        if (error instanceof IntacctRequestRefusedError) {
          // The gateway refused the request as a whole: nothing ran.
          for (const item of group) set(item, failure(item.key, 'refused', `Sage Intacct refused ${item.label}: ${error.message}`, error.details));
          continue;
        }
        lastError = error;
        for (const item of group) unclear.push({ item, refusal: null, cause: describeLoss(error) });
        continue;
      }
      const byControlId = new Map(outcomes.map((o) => [o.controlId, o]));
      group.forEach((item, i) => {
        const outcome = byControlId.get(item.controlId) ?? outcomes[i];
        if (!outcome) unclear.push({ item, refusal: null, cause: 'Sage Intacct sent no result for it' });
        else if (outcome.status === 'success') {
          const target = spec.targetOf(outcome, item);
          if (!target) unclear.push({ item, refusal: null, cause: 'Sage Intacct reported success without the new record id' });
          else {
            set(item, ok(item, target, 'written'));
            if (spec.mode === 'update') writtenUpdates.set(item, target);
          }
        } else if (outcome.status === 'failure') unclear.push({ item, refusal: outcome.errors, cause: errorText(outcome.errors) });
        // `aborted` (2.5): rolled back with the block; the function itself was not at fault.
        else aborted.push(item);
      });
    }

    const resend: Item[] = [];
    const refusedThisRound: Item[] = [];
    if (unclear.length > 0) {
      let found: Map<string, F> | null = null;
      let lookupError: unknown = null;
      if (!options.signal?.aborted) {
        try {
          found = await spec.lookup(unclear.map((u) => u.item));
        } catch (error) {
          if (isSessionFatal(error)) throw error;
          lookupError = error;
        }
      }
      for (const { item, refusal, cause } of unclear) {
        const target = found?.get(item.key);
        if (!found) {
          const why = lookupError ? `the look-up failed too (${errorMessage(lookupError)})` : 'the run was stopped before it could be looked up';
          set(item, failure(item.key, 'uncertain', `Whether ${item.label} reached Sage Intacct is unknown (${cause}); ${why}. Look it up before writing it again.`, refusal ?? []));
        } else if (target && spec.reached(target, item)) set(item, ok(item, target, 'found'));
        else if (refusal) {
          set(item, failure(item.key, 'refused', `Sage Intacct refused ${item.label}: ${errorText(refusal)}`, refusal));
          refusedThisRound.push(item);
        } else resend.push(item);
      }
    }
    if (aborted.length > 0) {
      if (refusedThisRound.length > 0) {
        const culprits = refusedThisRound.map((r) => r.label).join(', ');
        for (const item of aborted)
          set(item, failure(item.key, 'rolled-back', `${item.label} was not written: ${culprits} was refused, and Sage Intacct rolled back the whole batch (all or nothing). Send it again once that is fixed.`));
      } else resend.push(...aborted);
    }
    pending = resend;
  }
  for (const item of pending)
    set(item, failure(item.key, 'uncertain', `${item.label} could not be confirmed after ${options.rounds} attempts (${describeLoss(lastError)}); look it up before writing it again.`));

  if (writtenUpdates.size > 0 && !options.signal?.aborted) await verifyUpdates(spec, writtenUpdates, set, ok);

  return results.map(
    (result, index) => result ?? failure((items[index] as { key: string }).key, 'uncertain', 'The connector lost track of this document; look it up before writing it again.'),
  );
}

/**
 * After updates, Intacct's total must be the sum of the lines sent (to the cent): a line the
 * change did not send would otherwise stay on the document unnoticed. One look-up per batch.
 */
async function verifyUpdates<I, F extends FoundTarget>(
  spec: WriteSpec<I, F>,
  written: ReadonlyMap<WriteItem<I>, FoundTarget>,
  set: (item: WriteItem<I>, result: WriteResult) => void,
  ok: (item: WriteItem<I>, target: FoundTarget, how: 'written' | 'found') => WriteSuccess,
): Promise<void> {
  const items = [...written.keys()];
  let found: Map<string, F>;
  try {
    found = await spec.lookup(items);
  } catch (error) {
    if (isSessionFatal(error)) throw error;
    for (const [item, target] of written) {
      // The write is done (Intacct said so); only the check is missing.
      const result = ok(item, target, 'written');
      set(item, { ...result, warnings: [...item.warnings, `The ${spec.what}'s new total could not be read back (${errorMessage(error)}).`] });
    }
    return;
  }
  for (const item of items) {
    const target = found.get(item.key);
    if (!target) {
      set(item, failure(item.key, 'uncertain', `${item.label} was updated but cannot be found by its key any more; check it in Sage Intacct.`));
      continue;
    }
    if (spec.reached(target, item)) {
      set(item, ok(item, target, 'written'));
      continue;
    }
    set(
      item,
      failure(
        item.key,
        'refused',
        `After the change, Sage Intacct's total for ${item.label} is ${target.total ?? '?'}, but the lines sent add up to ${item.expectedTotal?.toMoneyString() ?? '?'}: ` +
          `the ${spec.what} has lines this change did not send. Send every line the ${spec.what} should have (with its line number) or correct it in Sage Intacct.`,
      ),
    );
  }
}

/** Back-off before a write round: the server's wait when it gave one, else full jitter. */
async function pause(client: IntacctClient, attempt: number, lastError: unknown, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return;
  const serverMs = lastError instanceof HttpStatusError ? lastError.retryAfterMs : null;
  await client.clock.sleep(serverMs ?? Math.max(backoffDelayMs(attempt, client.retryPolicy), client.retryPolicy.baseDelayMs));
}

function describeLoss(error: unknown): string {
  if (error instanceof HttpStatusError) {
    if (error.status === 524) return 'the answer timed out at Cloudflare (HTTP 524) after Intacct may have processed it';
    if (error.status === 429) return "Sage Intacct's rate limit (HTTP 429)";
    return `HTTP ${error.status}`;
  }
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  if (error === null || error === undefined) return 'no answer';
  return error instanceof Error ? error.message : String(error);
}
