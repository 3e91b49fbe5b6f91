/**
 * Batch writes with one result per item: AP bills (create with lookup before insert, update by
 * line id, release), vendors, cost codes and subcontracts. Per-item failures come back as
 * results; only session-ending errors (errors.ts `isSessionFatal`) are thrown.
 *
 * Idempotency (ARCHITECTURE §6): a bill is keyed by Vendor + VendorRef. Before inserting, the
 * batch is looked up; after a lost answer (reset, 5xx, timeout) the bill is looked up again
 * before anything else: found → it was written (reported ok), not found → retryable. A bill is
 * never PUT twice by this code, because a repeated PUT without line ids would insert again or
 * append its lines again (1.7).
 */
import type { WriteCallOptions } from '../connector';
import { HttpNetworkError, HttpStatusError, HttpTimeoutError, forEachConcurrently } from '../_kit';
import type { AcumaticaClient } from './client';
import { isBusinessRefusal } from './client';
import { AcumaticaResponseShapeError, isSessionFatal } from './errors';
import {
  InvalidInputError,
  andFilters,
  billBody,
  billFromWire,
  billKeyText,
  billKeysFilter,
  billUpdateBody,
  checkBillInput,
  chunk,
  codingProblems,
  collectProblems,
  modifiedSinceFilter,
  commitmentFromWire,
  odataString,
  refusalSentence,
  send,
  serverMessage,
  subcontractBody,
  vendorBody,
  type BillWriteSettings,
} from './mappers';
import type {
  AcumaticaReference,
  ActionResult,
  BillInput,
  BillKey,
  BillUpdate,
  BillUpdateResult,
  BillWriteResult,
  CostCodeInput,
  CostCodeWriteResult,
  FieldProblem,
  FoundBill,
  SubcontractInput,
  SubcontractWriteResult,
  VendorInput,
  VendorWriteResult,
  WriteFailure,
} from './types';
import type { WireBill, WireEntity, WireOrder, WireVendor } from './wire';

export interface WriteEnv {
  client: AcumaticaClient;
  bills: BillWriteSettings;
  writeConcurrency: number;
  lookupChunkSize: number;
}

export interface BillWriteOptions extends WriteCallOptions {
  /**
   * The reference read this run (readReference): when given, every account, subaccount, branch,
   * project, task and cost code is checked locally before any write, and a bill that uses a
   * missing or inactive one is refused without a call.
   */
  reference?: AcumaticaReference;
}

const STOPPED = 'not written: the run was stopped before this record';

/** `$custom` of the origin screen field, when one is configured. */
function customQuery(env: WriteEnv): Record<string, string> {
  const f = env.bills.originField;
  return f ? { $custom: `${f.view}.${f.field}` } : {};
}

// ---- failures ------------------------------------------------------------------------------------

/**
 * What a failed call means for the record, in words: refused (retrying the same data fails the
 * same way) or unknown (look it up first). Session-ending errors are rethrown.
 */
export function explainFailure(error: unknown, subject: string): WriteFailure {
  if (isSessionFatal(error)) throw error;
  if (error instanceof InvalidInputError)
    return {
      ok: false,
      retryable: false,
      message: `${subject} cannot be written: ${error.message}.`,
      problems: error.problems,
    };
  if (error instanceof HttpStatusError) {
    const status = error.status;
    if (status === 422) {
      let echo: WireEntity = {};
      try {
        echo = JSON.parse(error.response.text) as WireEntity;
      } catch {
        // an echo that is not JSON: the status line says enough
      }
      const problems = collectProblems(echo);
      return {
        ok: false,
        retryable: false,
        message: refusalSentence(subject, problems, serverMessage(422, error.response.text)),
        problems,
      };
    }
    const message = serverMessage(status, error.response.text);
    const refusal = (text: string): WriteFailure => ({
      ok: false,
      retryable: false,
      message: refusalSentence(subject, [], text),
      problems: [],
    });
    if (status === 403)
      return refusal(
        `the API user may not use this screen (${message}); grant the access rights in Acumatica`,
      );
    if (status === 400 || status === 404 || status === 405 || status === 412) return refusal(message);
    if (status === 500 && isBusinessRefusal(error.response.text)) return refusal(message);
    if (status === 429)
      return {
        ok: false,
        retryable: true,
        message: `${subject} was not written: Acumatica's licence queue kept declining requests (429); nothing was processed. It will be tried again.`,
        problems: [],
      };
    return {
      ok: false,
      retryable: true,
      message: `${subject}: Acumatica answered ${message}; whether it was written is unknown. It will be looked up before it is tried again.`,
      problems: [],
    };
  }
  if (
    error instanceof HttpNetworkError ||
    error instanceof HttpTimeoutError ||
    error instanceof AcumaticaResponseShapeError
  )
    return {
      ok: false,
      retryable: true,
      message: `${subject}: the answer from Acumatica was lost (${error.message}); whether it was written is unknown. It will be looked up before it is tried again.`,
      problems: [],
    };
  throw error;
}

function stopped(): WriteFailure {
  return { ok: false, retryable: true, message: STOPPED, problems: [] };
}

const billSubject = (bill: { vendorRef: string; vendorId: string }): string =>
  `Bill ${bill.vendorRef} of vendor ${bill.vendorId}`;

// ---- bills ---------------------------------------------------------------------------------------

/** Bills by Vendor + VendorRef, with their lines (one call per `lookupChunkSize` keys). */
export async function findBills(
  env: WriteEnv,
  keys: readonly { vendorId: string; vendorRef: string }[],
): Promise<FoundBill[][]> {
  const byKey = new Map<string, FoundBill[]>();
  const unique = [...new Map(keys.map((k) => [billKeyText(k.vendorId, k.vendorRef), k])).values()];
  for (const part of chunk(unique, env.lookupChunkSize)) {
    const rows = await env.client.listAll<WireBill>('Bill', {
      $filter: billKeysFilter(part),
      $expand: 'Details',
      ...customQuery(env),
    });
    for (const row of rows) {
      const bill = billFromWire(row, env.bills.originField);
      const key = billKeyText(bill.vendorId, bill.vendorRef);
      byKey.set(key, [...(byKey.get(key) ?? []), bill]);
    }
  }
  // Acumatica compares strings case-insensitively (SQL collation); match the keys the same way.
  const folded = new Map<string, FoundBill[]>();
  for (const [key, bills] of byKey)
    folded.set(key.toLowerCase(), [...(folded.get(key.toLowerCase()) ?? []), ...bills]);
  return keys.map((k) => folded.get(billKeyText(k.vendorId, k.vendorRef).toLowerCase()) ?? []);
}

/** Bills changed at or after an instant (payment status sweeps: Balance / Status). */
export async function listBills(
  env: WriteEnv,
  query: { modifiedSince?: string; vendorId?: string; withLines?: boolean },
): Promise<FoundBill[]> {
  const filter = andFilters([
    query.modifiedSince ? modifiedSinceFilter(query.modifiedSince) : null,
    query.vendorId ? `Vendor eq ${odataString(query.vendorId)}` : null,
  ]);
  const rows = await env.client.listAll<WireBill>('Bill', {
    ...(filter ? { $filter: filter } : {}),
    ...(query.withLines ? { $expand: 'Details' } : {}),
    ...customQuery(env),
  });
  return rows.map((row) => billFromWire(row, env.bills.originField));
}

function okFromFound(bill: BillInput, found: FoundBill, existed: boolean): BillWriteResult {
  return {
    vendorId: bill.vendorId,
    vendorRef: bill.vendorRef,
    originId: bill.originId,
    ok: true,
    id: found.id,
    type: found.type,
    referenceNbr: found.referenceNbr,
    status: found.status,
    amount: found.amount,
    lineIds: found.lines.map((l) => l.id),
    existed,
  };
}

/** What to do with a bill that Acumatica already holds under its key. */
function existingOutcome(bill: BillInput, found: readonly FoundBill[]): BillWriteResult {
  const refused = (message: string): BillWriteResult => ({
    vendorId: bill.vendorId,
    vendorRef: bill.vendorRef,
    originId: bill.originId,
    ok: false,
    retryable: false,
    message,
    problems: [{ path: 'VendorRef', message }],
  });
  if (found.length > 1)
    return refused(
      `${billSubject(bill)} exists ${found.length} times in Acumatica (${found.map((b) => `${b.type} ${b.referenceNbr}`).join(', ')}); remove the duplicates in Acumatica, then sync again.`,
    );
  const one = found[0] as FoundBill;
  if (one.originId !== null && one.originId !== bill.originId)
    return refused(
      `${billSubject(bill)} already exists in Acumatica as ${one.type} ${one.referenceNbr} for another source document (${one.originId}); the vendor reference must be unique per vendor.`,
    );
  return okFromFound(bill, one, true);
}

/**
 * Creates AP bills, one result per input in input order. Calls: ⌈n / lookupChunkSize⌉ lookups +
 * one PUT per bill not found (+ one lookup per lost answer).
 */
export async function createBills(
  env: WriteEnv,
  bills: readonly BillInput[],
  call: BillWriteOptions = {},
): Promise<BillWriteResult[]> {
  const results: (BillWriteResult | undefined)[] = new Array(bills.length);
  const fail = (i: number, failure: WriteFailure): void => {
    const bill = bills[i] as BillInput;
    results[i] = { vendorId: bill.vendorId, vendorRef: bill.vendorRef, originId: bill.originId, ...failure };
  };
  const prepared: { index: number; bill: BillInput; body: Record<string, unknown> }[] = [];
  const seen = new Map<string, number>();
  bills.forEach((bill, index) => {
    try {
      const amounts = checkBillInput(bill, env.bills);
      if (call.reference) {
        const problems = codingProblems(bill, call.reference, env.bills.construction);
        if (problems.length) throw new InvalidInputError(codingSentence(problems), problems);
      }
      const key = billKeyText(bill.vendorId, bill.vendorRef).toLowerCase();
      const first = seen.get(key);
      if (first !== undefined)
        throw new InvalidInputError(`it has the same vendor reference as input ${first + 1} of this batch`, [
          { path: 'VendorRef', message: 'duplicate vendor reference in the batch' },
        ]);
      seen.set(key, index);
      prepared.push({ index, bill, body: billBody(bill, amounts, env.bills).body });
    } catch (error) {
      fail(index, explainFailure(error, billSubject(bill)));
    }
  });

  // Lookup before insert: a bill already in Acumatica is reported, never written again.
  const toWrite: typeof prepared = [];
  for (const part of chunk(prepared, env.lookupChunkSize)) {
    if (call.signal?.aborted) {
      for (const p of part) fail(p.index, stopped());
      continue;
    }
    let found: FoundBill[][];
    try {
      found = await findBills(
        env,
        part.map((p) => p.bill),
      );
    } catch (error) {
      const failure = explainFailure(error, 'Looking the bills up');
      for (const p of part)
        fail(p.index, {
          ...failure,
          retryable: true,
          message: `${billSubject(p.bill)} was not written: ${failure.message}`,
        });
      continue;
    }
    part.forEach((p, i) => {
      const existing = found[i] ?? [];
      if (existing.length) results[p.index] = existingOutcome(p.bill, existing);
      else toWrite.push(p);
    });
  }

  await forEachConcurrently(toWrite, env.writeConcurrency, async ({ index, bill, body }) => {
    if (call.signal?.aborted) return fail(index, stopped());
    try {
      const wire = await env.client.put<WireBill>('Bill', body, {
        query: { $expand: 'Details', ...customQuery(env) },
      });
      results[index] = okFromFound(bill, billFromWire(wire, env.bills.originField), false);
    } catch (error) {
      const failure = explainFailure(error, billSubject(bill));
      if (!failure.retryable) return fail(index, failure);
      results[index] = await recoverBill(env, bill, failure);
    }
  });
  return results.map((r, i) => {
    if (r) return r;
    const bill = bills[i] as BillInput;
    return { vendorId: bill.vendorId, vendorRef: bill.vendorRef, originId: bill.originId, ...stopped() };
  });
}

/** After a lost answer: found by vendor + vendor ref → it was written; otherwise retryable. */
async function recoverBill(env: WriteEnv, bill: BillInput, failure: WriteFailure): Promise<BillWriteResult> {
  const base = { vendorId: bill.vendorId, vendorRef: bill.vendorRef, originId: bill.originId };
  let found: FoundBill[];
  try {
    found = (await findBills(env, [bill]))[0] ?? [];
  } catch (error) {
    if (isSessionFatal(error)) throw error;
    return {
      ...base,
      ...failure,
      message: `${failure.message} (The lookup failed too: ${(error as Error).message}.)`,
    };
  }
  if (found.length === 0)
    return {
      ...base,
      ...failure,
      message: `${billSubject(bill)} was not written (not found in Acumatica after the failure); it will be tried again.`,
    };
  const outcome = existingOutcome(bill, found);
  return outcome.ok ? { ...outcome, existed: false } : outcome;
}

function codingSentence(problems: readonly FieldProblem[]): string {
  return `${problems.map((p) => p.message).join('; ')}. Activate or add them in Acumatica, or change the mapping`;
}

/**
 * Updates bills by id: header fields, and lines by their Acumatica id (update / delete), plus
 * appended lines (1.7). One PUT per bill. An update without added lines is safe to repeat.
 */
export async function updateBills(
  env: WriteEnv,
  updates: readonly BillUpdate[],
  call: WriteCallOptions = {},
): Promise<BillUpdateResult[]> {
  const results: BillUpdateResult[] = new Array(updates.length);
  await forEachConcurrently(updates, env.writeConcurrency, async (update, index) => {
    const subject = `Bill ${update.id}`;
    if (call.signal?.aborted) {
      results[index] = { id: update.id, ...stopped() };
      return;
    }
    const adds = update.lines.filter((c) => c.kind === 'add').length;
    try {
      const body = billUpdateBody(update, update.type, env.bills);
      const wire = await env.client.put<WireBill>('Bill', body, {
        query: { $expand: 'Details', ...customQuery(env) },
        retrySafe: adds === 0,
      });
      const bill = billFromWire(wire, env.bills.originField);
      results[index] = {
        id: update.id,
        ok: true,
        status: bill.status,
        amount: bill.amount,
        lines: bill.lines,
        addedLineIds: adds ? bill.lines.slice(-adds).map((l) => l.id) : [],
      };
    } catch (error) {
      const failure = explainFailure(error, subject);
      results[index] = {
        id: update.id,
        ...failure,
        ...(failure.retryable && adds
          ? {
              message: `${failure.message} Read the bill (findBills) and compare its lines before sending the added lines again.`,
            }
          : {}),
      };
    }
  });
  return results;
}

/** Statuses a bill shows once released (fact sheet 1.8). */
const RELEASED = new Set(['Open', 'Closed', 'Voided', 'Pending Payment']);

/**
 * ReleaseBill per bill (1.7): 202 → polled until 204, or 204 at once; ok only once the operation
 * completed. A lost answer or an operation that could not be followed → the bill's status is read.
 */
export async function releaseBills(
  env: WriteEnv,
  keys: readonly BillKey[],
  call: WriteCallOptions = {},
): Promise<ActionResult[]> {
  const results: ActionResult[] = new Array(keys.length);
  await forEachConcurrently(keys, env.writeConcurrency, async (key, index) => {
    const subject = `${key.type} ${key.referenceNbr}`;
    if (call.signal?.aborted) {
      results[index] = { key, ...stopped() };
      return;
    }
    const outcome = await env.client.invoke('Bill', 'ReleaseBill', {
      entity: { Type: send(key.type), ReferenceNbr: send(key.referenceNbr) },
    });
    if (outcome.kind === 'done') {
      results[index] = { key, ok: true };
      return;
    }
    if (outcome.kind === 'failed') {
      results[index] = {
        key,
        ok: false,
        retryable: false,
        message: `Acumatica did not release ${subject}: ${outcome.message.replace(/\.$/, '')}.`,
        problems: [],
      };
      return;
    }
    // Unknown: read what the bill shows now.
    try {
      const bill = await env.client.get<WireBill>(
        'Bill',
        { $select: 'Status' },
        `${encodeURIComponent(key.type)}/${encodeURIComponent(key.referenceNbr)}`,
      );
      const status = typeof bill.Status?.value === 'string' ? bill.Status.value : '';
      if (RELEASED.has(status)) {
        results[index] = { key, ok: true };
        return;
      }
      results[index] = {
        key,
        ok: false,
        retryable: true,
        message: `${subject} is not released yet (${outcome.message}; it shows ${status || 'no status'}); it will be tried again.`,
        problems: [],
      };
    } catch (error) {
      results[index] = { key, ...explainFailure(error, subject), retryable: true };
    }
  });
  return results;
}

// ---- vendors and cost codes ----------------------------------------------------------------------

/**
 * PUT /Vendor per vendor, keyed by VendorID (a repeat updates the same vendor, so it is safe to
 * repeat). `mode` 'create' sends If-None-Match: * (refused when the id exists), 'update' If-Match: *.
 */
export async function upsertVendors(
  env: WriteEnv,
  vendors: readonly VendorInput[],
  call: WriteCallOptions = {},
): Promise<VendorWriteResult[]> {
  const results: VendorWriteResult[] = new Array(vendors.length);
  await forEachConcurrently(vendors, env.writeConcurrency, async (vendor, index) => {
    const subject = `Vendor ${vendor.vendorId} (${vendor.name})`;
    if (call.signal?.aborted) {
      results[index] = { vendorId: vendor.vendorId, ...stopped() };
      return;
    }
    const mode = vendor.mode ?? 'upsert';
    try {
      const headers: Record<string, string> =
        mode === 'create' ? { 'if-none-match': '*' } : mode === 'update' ? { 'if-match': '*' } : {};
      const wire = await env.client.put<WireVendor>('Vendor', vendorBody(vendor), {
        headers,
        retrySafe: mode !== 'create',
      });
      if (!wire.id) throw new AcumaticaResponseShapeError('the vendor came back without an id');
      results[index] = { vendorId: vendor.vendorId, ok: true, id: wire.id };
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 412) {
        const message =
          mode === 'create'
            ? `${subject} was not created: Acumatica already has a vendor with this id.`
            : `${subject} was not updated: Acumatica has no vendor with this id.`;
        results[index] = {
          vendorId: vendor.vendorId,
          ok: false,
          retryable: false,
          message,
          problems: [{ path: 'VendorID', message }],
        };
        return;
      }
      results[index] = { vendorId: vendor.vendorId, ...explainFailure(error, subject) };
    }
  });
  return results;
}

/** PUT /CostCode per code (keyed by CostCodeID: safe to repeat). */
export async function upsertCostCodes(
  env: WriteEnv,
  codes: readonly CostCodeInput[],
  call: WriteCallOptions = {},
): Promise<CostCodeWriteResult[]> {
  const results: CostCodeWriteResult[] = new Array(codes.length);
  await forEachConcurrently(codes, env.writeConcurrency, async (code, index) => {
    if (call.signal?.aborted) {
      results[index] = { code: code.code, ...stopped() };
      return;
    }
    try {
      if (!code.code?.trim()) throw new InvalidInputError('the cost code is empty');
      await env.client.put(
        'CostCode',
        { CostCodeID: send(code.code), Description: send(code.description) },
        { retrySafe: true },
      );
      results[index] = { code: code.code, ok: true };
    } catch (error) {
      results[index] = { code: code.code, ...explainFailure(error, `Cost code ${code.code}`) };
    }
  });
  return results;
}

// ---- subcontracts --------------------------------------------------------------------------------

async function findSubcontract(env: WriteEnv, input: SubcontractInput): Promise<WireOrder[]> {
  const rows = await env.client.listAll<WireOrder>('Subcontract', {
    $filter: `VendorID eq ${odataString(input.vendorId)} and VendorRef eq ${odataString(input.vendorRef)}`,
    $expand: 'Details',
  });
  // Procore commitment numbers repeat across projects: the project decides (README).
  return rows.filter((row) => commitmentFromWire(row, 'subcontract')?.projects.includes(input.project));
}

/**
 * Creates a subcontract from a Procore commitment, after looking it up by vendor + vendor ref +
 * project. Calls: 1 lookup + 1 PUT (+ 1 lookup after a lost answer).
 */
export async function createSubcontract(
  env: WriteEnv,
  input: SubcontractInput,
): Promise<SubcontractWriteResult> {
  const base = { vendorRef: input.vendorRef, project: input.project };
  const subject = `Subcontract ${input.vendorRef} of project ${input.project}`;
  const okFrom = (wire: WireOrder, existed: boolean): SubcontractWriteResult => {
    const c = commitmentFromWire(wire, 'subcontract');
    if (!c) throw new AcumaticaResponseShapeError('the subcontract came back without a number or id');
    return { ...base, ok: true, id: c.id, number: c.number, total: c.total, existed };
  };
  let body: Record<string, unknown>;
  try {
    body = subcontractBody(input);
    const existing = await findSubcontract(env, input);
    if (existing.length) return okFrom(existing[0] as WireOrder, true);
  } catch (error) {
    return { ...base, ...explainFailure(error, subject) };
  }
  try {
    return okFrom(
      await env.client.put<WireOrder>('Subcontract', body, { query: { $expand: 'Details' } }),
      false,
    );
  } catch (error) {
    const failure = explainFailure(error, subject);
    if (!failure.retryable) return { ...base, ...failure };
    try {
      const found = await findSubcontract(env, input);
      if (found.length) return okFrom(found[0] as WireOrder, false);
    } catch (lookupError) {
      if (isSessionFatal(lookupError)) throw lookupError;
    }
    return { ...base, ...failure };
  }
}
