/**
 * What flows F2 (Acumatica) and F3 (Sage Intacct) write back into Procore once the ERP side
 * exists: the ERP link on subcontractor invoices and direct costs (origin_id / origin_data, §2.5
 * "ERP external-ID fields"), company vendors and project cost codes from the ERP (sync actions
 * keyed by origin_id), and payments (a contract payment per ERP check plus the invoice's
 * payment date, or a direct cost's payment_date; a voided check reverses it).
 *
 * Every item ends as its own WriteBackResult, in input order. `retryable: true` means the answer
 * was lost or the run stopped: look the item up (find… by origin id) before writing it again.
 * Only session-ending failures (credentials, company id, hosts) are thrown.
 */
import type { WriteCallOptions } from '../connector';
import type { ProcoreClient } from './client';
import { SYNC_MAX_ITEMS, explainProcoreFailure, isSessionFatal, isWholeCallRefusal, procoreErrorText } from './client';
import { HttpStatusError } from '../_kit';
import {
  contractPaymentToWire,
  costCodeToWire,
  flattenFieldErrors,
  foundContractPaymentFromWire,
  idFromWire,
  idToWire,
  InvalidInputError,
  costCodeFromWire,
  foundRequisitionFromWire,
  normaliseFieldErrors,
  vendorToWire,
} from './mappers';
import { vendorRecordFromWire } from './source-mappers';
import type { ProcoreVendorRecord } from '../../../src-shared/domain/records';
import type {
  CostCodeUpsert,
  DirectCostPaymentWriteBack,
  FoundContractPayment,
  FoundRequisition,
  PaymentWriteBack,
  ProcoreCostCode,
  RequisitionPaymentWriteBack,
  SyncedEntity,
  SyncedLink,
  VendorUpsert,
  WriteBackFailure,
  WriteBackResult,
} from './types';
import type { WireSyncResponse } from './wire';

type Failure = Omit<WriteBackFailure, 'key' | 'ok'>;

/** Results in input order; every input gets exactly one. */
class Results {
  readonly #results: (WriteBackResult | undefined)[];
  constructor(readonly keys: readonly string[]) {
    this.#results = keys.map(() => undefined);
  }
  ok(index: number, procoreId: string): void {
    this.#results[index] = { key: this.keys[index] ?? '', ok: true, procoreId };
  }
  fail(index: number, failure: Failure): void {
    this.#results[index] = { key: this.keys[index] ?? '', ok: false, ...failure };
  }
  has(index: number): boolean {
    return this.#results[index] !== undefined;
  }
  get(index: number): WriteBackResult | undefined {
    return this.#results[index];
  }
  all(): WriteBackResult[] {
    return this.#results.map(
      (result, index) =>
        result ?? {
          key: this.keys[index] ?? '',
          ok: false,
          retryable: true,
          message: 'The connector lost track of this item; look it up by origin id before retrying.',
          fieldErrors: {},
          procoreId: null,
        },
    );
  }
}

const refused = (message: string, procoreId: string | null = null, fieldErrors: Record<string, string[]> = {}): Failure => ({
  retryable: false,
  message,
  fieldErrors,
  procoreId,
});

const stopped = (what: string, procoreId: string | null): Failure => ({
  retryable: true,
  message: `The run was stopped before ${what} was written; look it up by origin id before writing it again.`,
  fieldErrors: {},
  procoreId,
});

/** A failed call, as one item's result: refused (nothing written) or lost (look it up). */
function callFailure(error: unknown, companyId: string, what: string, procoreId: string | null): Failure {
  if (isSessionFatal(error)) throw error;
  const explanation = explainProcoreFailure(error, companyId, `writing ${what}`);
  if (isWholeCallRefusal(error)) {
    const fieldErrors =
      error instanceof HttpStatusError ? normaliseFieldErrors(safeErrors(error.response.text)) : {};
    return refused(`Procore refused ${what}: ${Object.keys(fieldErrors).length > 0 ? flattenFieldErrors(fieldErrors) : explanation}`, procoreId, fieldErrors);
  }
  return {
    retryable: true,
    message: `Writing ${what} got no usable answer (${explanation}); it may or may not have been saved, so look it up by origin id before retrying.`,
    fieldErrors: {},
    procoreId,
  };
}

function safeErrors(text: string): unknown {
  try {
    return (JSON.parse(text) as { errors?: unknown }).errors;
  } catch {
    return undefined;
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

interface Indexed<T> {
  index: number;
  item: T;
}

/**
 * Runs sync calls of ≤ 1000 items and files each entity / error on its item by `match` (origin
 * id, or id for id-keyed items); an item in neither is retryable ("look it up").
 */
async function syncEach<T, W extends object>(
  results: Results,
  items: Indexed<T>[],
  toWire: (item: T) => W,
  matchKey: (wire: W) => string,
  entityKey: (entity: Record<string, unknown>) => string | null,
  send: (chunk: W[]) => Promise<WireSyncResponse<Record<string, unknown>>>,
  describe: (item: T) => string,
  companyId: string,
  call: WriteCallOptions,
): Promise<void> {
  const prepared: Array<Indexed<T> & { wire: W }> = [];
  const seen = new Set<string>();
  for (const entry of items) {
    try {
      const wire = toWire(entry.item);
      const key = matchKey(wire);
      if (seen.has(key)) {
        results.fail(entry.index, refused(`${describe(entry.item)} appears twice in this batch.`));
        continue;
      }
      seen.add(key);
      prepared.push({ ...entry, wire });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      results.fail(entry.index, refused(`${capitalise(describe(entry.item))}: ${error.message}.`));
    }
  }
  for (const chunk of chunks(prepared, SYNC_MAX_ITEMS)) {
    if (call.signal?.aborted) {
      for (const entry of chunk) results.fail(entry.index, stopped(describe(entry.item), null));
      continue;
    }
    let response: WireSyncResponse<Record<string, unknown>>;
    try {
      response = await send(chunk.map((entry) => entry.wire));
    } catch (error) {
      for (const entry of chunk) results.fail(entry.index, callFailure(error, companyId, describe(entry.item), null));
      continue;
    }
    const byKey = new Map(chunk.map((entry) => [matchKey(entry.wire), entry]));
    for (const entity of response.entities ?? []) {
      const key = entityKey(entity);
      const entry = key === null ? undefined : byKey.get(key);
      if (!entry) continue;
      byKey.delete(key as string);
      results.ok(entry.index, idFromWire(entity['id'], describe(entry.item)));
    }
    for (const error of response.errors ?? []) {
      const key = entityKey(error);
      const entry = key === null ? undefined : byKey.get(key);
      if (!entry) continue;
      byKey.delete(key as string);
      const fieldErrors = normaliseFieldErrors(error.errors);
      const procoreId = typeof error['id'] === 'string' || typeof error['id'] === 'number' ? String(error['id']) : null;
      results.fail(entry.index, refused(`Procore refused ${describe(entry.item)}: ${flattenFieldErrors(fieldErrors)}`, procoreId, fieldErrors));
    }
    for (const entry of byKey.values())
      results.fail(entry.index, {
        retryable: true,
        message: `Procore's sync answer did not mention ${describe(entry.item)}; look it up by origin id before retrying.`,
        fieldErrors: {},
        procoreId: null,
      });
  }
}

const originKey = (entity: Record<string, unknown>): string | null =>
  typeof entity['origin_id'] === 'string' ? entity['origin_id'] : null;
const idKey = (entity: Record<string, unknown>): string | null =>
  typeof entity['id'] === 'string' || typeof entity['id'] === 'number' ? String(entity['id']) : null;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- the ERP link ---------------------------------------------------------------------------

/**
 * Writes origin_id / origin_data (and, for invoices, erp_status) onto subcontractor invoices
 * (one PATCH each: requisitions have no sync action) or direct costs (the direct cost sync
 * action, items keyed by id: "id + origin_id → match on id, set origin_id", §2.5).
 */
export async function markSynced(
  client: ProcoreClient,
  entity: SyncedEntity,
  links: readonly SyncedLink[],
  call: WriteCallOptions,
): Promise<WriteBackResult[]> {
  const results = new Results(links.map((link) => link.id));
  const noun = entity === 'requisition' ? 'subcontractor invoice' : 'direct cost';
  const describe = (link: SyncedLink): string => `the ERP link of ${noun} ${link.id}`;
  const valid: Indexed<SyncedLink>[] = [];
  links.forEach((link, index) => {
    const problem =
      !/^\d+$/.test(link.id) || !/^\d+$/.test(link.projectId)
        ? `${capitalise(noun)} ${link.id} of project ${link.projectId} is not a Procore id.`
        : link.originId.trim() === ''
          ? `${capitalise(describe(link))} has no ERP id to write.`
          : null;
    if (problem) results.fail(index, refused(problem, null));
    else valid.push({ index, item: link });
  });
  if (entity === 'requisition') {
    for (const { index, item } of valid) {
      if (call.signal?.aborted) {
        results.fail(index, stopped(describe(item), item.id));
        continue;
      }
      const fields: Record<string, string | null> = { origin_id: item.originId, origin_data: item.originData };
      if (item.erpStatus !== undefined) fields['erp_status'] = item.erpStatus;
      try {
        const saved = await client.patchRequisition(item.projectId, item.id, fields);
        results.ok(index, idFromWire(saved.id ?? item.id, noun));
      } catch (error) {
        results.fail(index, conflictAware(error, client.companyId, describe(item), item));
      }
    }
    return results.all();
  }
  for (const [projectId, group] of groupBy(valid, (entry) => entry.item.projectId))
    await syncEach(
      results,
      group,
      (link) => ({ id: idToWire(link.id, noun), origin_id: link.originId, origin_data: link.originData }),
      (wire) => String(wire.id),
      idKey,
      (chunk) => client.syncDirectCostLinks(projectId, chunk) as Promise<WireSyncResponse<Record<string, unknown>>>,
      describe,
      client.companyId,
      call,
    );
  return results.all();
}

/** 409 on origin_id: another record of the type already holds that ERP id (§2.7). */
function conflictAware(error: unknown, companyId: string, what: string, link: SyncedLink): Failure {
  if (error instanceof HttpStatusError && error.status === 409)
    return refused(
      `Procore refused ${what}: ERP id ${link.originId} is already on another record of this kind in the company (${procoreErrorText(error.response)}).`,
      link.id,
    );
  return callFailure(error, companyId, what, link.id);
}

// ---- vendors and cost codes from the ERP ---------------------------------------------------------

export async function upsertVendors(
  client: ProcoreClient,
  vendors: readonly VendorUpsert[],
  call: WriteCallOptions,
): Promise<WriteBackResult[]> {
  const results = new Results(vendors.map((vendor) => vendor.originId));
  await syncEach(
    results,
    vendors.map((item, index) => ({ index, item })),
    vendorToWire,
    (wire) => wire.origin_id,
    originKey,
    (chunk) => client.syncVendors(chunk) as Promise<WireSyncResponse<Record<string, unknown>>>,
    (vendor) => `vendor ${vendor.originId} (${vendor.name})`,
    client.companyId,
    call,
  );
  return results.all();
}

export async function upsertCostCodes(
  client: ProcoreClient,
  projectId: string,
  costCodes: readonly CostCodeUpsert[],
  call: WriteCallOptions,
): Promise<WriteBackResult[]> {
  const results = new Results(costCodes.map((code) => code.originId));
  await syncEach(
    results,
    costCodes.map((item, index) => ({ index, item })),
    costCodeToWire,
    (wire) => wire.origin_id,
    originKey,
    (chunk) => client.syncCostCodes(projectId, chunk) as Promise<WireSyncResponse<Record<string, unknown>>>,
    (code) => `cost code ${code.code} (${code.originId})`,
    client.companyId,
    call,
  );
  return results.all();
}

// ---- payments ---------------------------------------------------------------------------------

/**
 * Requisition payments, per commitment: one read of the commitment's contract payments (the
 * list documents no filters), then per item a create (absent) or delete (voided and present),
 * then one PATCH per invoice setting payment_date to the latest payment left (null when none).
 * Direct cost payments: the direct cost sync action with {id, payment_date}, per project.
 */
export async function recordPayments(
  client: ProcoreClient,
  payments: readonly PaymentWriteBack[],
  call: WriteCallOptions,
): Promise<WriteBackResult[]> {
  const results = new Results(payments.map((payment) => payment.paymentOriginId));
  const requisitionItems: Indexed<RequisitionPaymentWriteBack>[] = [];
  const directCostItems: Indexed<DirectCostPaymentWriteBack>[] = [];
  payments.forEach((item, index) => {
    if (item.paymentOriginId.trim() === '')
      return results.fail(index, refused('A payment without an ERP id cannot be recorded idempotently.'));
    if (item.target === 'requisition') requisitionItems.push({ index, item });
    else directCostItems.push({ index, item });
  });
  const byCommitment = groupBy(requisitionItems, (entry) => `${entry.item.projectId}|${entry.item.commitmentId}`);
  for (const group of byCommitment.values()) await recordRequisitionPayments(client, results, group, call);
  for (const [projectId, group] of groupBy(directCostItems, (entry) => entry.item.projectId)) {
    // One sync item per direct cost: the last payment of the batch for it decides its date.
    const last = new Map(group.map((entry) => [entry.item.directCostId, entry]));
    const lastEntries = [...last.values()];
    await syncEach(
      results,
      lastEntries,
      (payment) => ({ id: idToWire(payment.directCostId, 'direct cost'), payment_date: payment.paymentDate }),
      (wire) => String(wire.id),
      idKey,
      (chunk) => client.syncDirectCostLinks(projectId, chunk) as Promise<WireSyncResponse<Record<string, unknown>>>,
      (payment) => `the payment date of direct cost ${payment.directCostId}`,
      client.companyId,
      call,
    );
    // The earlier payments of the same direct cost share the decisive item's outcome.
    for (const entry of group) {
      if (results.has(entry.index)) continue;
      const decisive = last.get(entry.item.directCostId);
      const outcome = decisive ? results.get(decisive.index) : undefined;
      if (!outcome) continue;
      const { key: _key, ...rest } = outcome;
      if (rest.ok) results.ok(entry.index, rest.procoreId);
      else results.fail(entry.index, { retryable: rest.retryable, message: rest.message, fieldErrors: rest.fieldErrors, procoreId: rest.procoreId });
    }
  }
  return results.all();
}

/** The payments of one invoice among a commitment's payments (by invoice id, else its number). */
function paymentsOfInvoice(payments: readonly FoundContractPayment[], requisitionId: string, number: number): FoundContractPayment[] {
  return payments.filter((p) => (p.requisitionId !== null ? p.requisitionId === requisitionId : p.drawRequestNumber === number));
}

async function recordRequisitionPayments(
  client: ProcoreClient,
  results: Results,
  group: Indexed<RequisitionPaymentWriteBack>[],
  call: WriteCallOptions,
): Promise<void> {
  const first = group[0];
  if (!first) return;
  const { projectId, commitmentId } = first.item;
  const describe = (p: RequisitionPaymentWriteBack): string => `payment ${p.paymentOriginId} of subcontractor invoice ${p.requisitionId}`;
  if (call.signal?.aborted) {
    for (const { index, item } of group) results.fail(index, stopped(describe(item), null));
    return;
  }
  let payments: FoundContractPayment[];
  try {
    payments = (await client.listContractPayments(projectId, commitmentId)).map(foundContractPaymentFromWire);
  } catch (error) {
    for (const { index, item } of group) results.fail(index, callFailure(error, client.companyId, describe(item), null));
    return;
  }
  /** Item index → the contract payment it concerns (created, found, or null once removed). */
  const done = new Map<number, string | null>();
  for (const { index, item } of group) {
    if (call.signal?.aborted) {
      results.fail(index, stopped(describe(item), null));
      continue;
    }
    const existing = payments.find((p) => p.originId === item.paymentOriginId);
    try {
      if (item.voided) {
        if (existing) {
          await deleteIgnoringGone(client, projectId, commitmentId, existing.id);
          payments = payments.filter((p) => p !== existing);
        }
        done.set(index, existing?.id ?? null);
      } else if (existing) {
        done.set(index, existing.id);
      } else {
        const created = foundContractPaymentFromWire(
          await client.createContractPayment(projectId, commitmentId, contractPaymentToWire(item)),
        );
        payments = [...payments, created];
        done.set(index, created.id);
      }
    } catch (error) {
      if (error instanceof InvalidInputError) results.fail(index, refused(`${capitalise(describe(item))}: ${error.message}.`));
      else results.fail(index, callFailure(error, client.companyId, describe(item), existing?.id ?? null));
    }
  }
  // Then each invoice shows the latest payment left (ISO dates compare as text).
  for (const [requisitionId, items] of groupBy(group.filter((e) => done.has(e.index)), (e) => e.item.requisitionId)) {
    const sample = items[items.length - 1]?.item as RequisitionPaymentWriteBack;
    const dates = paymentsOfInvoice(payments, requisitionId, sample.requisitionNumber)
      .map((p) => p.date)
      .filter((d): d is string => d !== null)
      .sort();
    const fields: Record<string, string | null> = { payment_date: dates[dates.length - 1] ?? null };
    const erpStatus = [...items].reverse().find((e) => e.item.erpStatus !== undefined)?.item.erpStatus;
    if (erpStatus !== undefined) fields['erp_status'] = erpStatus;
    if (call.signal?.aborted) {
      for (const { index, item } of items) results.fail(index, stopped(`the payment date of subcontractor invoice ${item.requisitionId}`, done.get(index) ?? null));
      continue;
    }
    try {
      await client.patchRequisition(projectId, requisitionId, fields);
      for (const { index } of items) results.ok(index, done.get(index) ?? requisitionId);
    } catch (error) {
      for (const { index, item } of items)
        results.fail(index, callFailure(error, client.companyId, `the payment date of subcontractor invoice ${item.requisitionId}`, done.get(index) ?? null));
    }
  }
}

/** A repeated delete after a lost answer meets 404: the payment is gone, which is what was asked. */
async function deleteIgnoringGone(client: ProcoreClient, projectId: string, contractId: string, id: string): Promise<void> {
  try {
    await client.deleteContractPayment(projectId, contractId, id);
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) return;
    throw error;
  }
}

/** Contract payments of a commitment by origin id (recovery before retrying a payment). */
export async function findContractPaymentsByOrigin(
  client: ProcoreClient,
  projectId: string,
  commitmentId: string,
  originIds: readonly string[],
): Promise<Map<string, FoundContractPayment>> {
  const wanted = new Set(originIds);
  const found = new Map<string, FoundContractPayment>();
  if (wanted.size === 0) return found;
  for (const payment of (await client.listContractPayments(projectId, commitmentId)).map(foundContractPaymentFromWire))
    if (wanted.has(payment.originId)) found.set(payment.originId, payment);
  return found;
}

// ---- lookups by origin id (resolve an unconfirmed write before retrying it) --------------------

/**
 * filters[origin_id] is documented for one value (§2.4): one id costs one filtered call; several
 * ids one paged listing (filtered here), cheaper than a call per id.
 */
function originFilter(originIds: ReadonlySet<string>): { originId: string } | Record<string, never> {
  const [only] = originIds;
  return originIds.size === 1 && only !== undefined ? { originId: only } : {};
}

export async function findRequisitionsByOrigin(
  client: ProcoreClient,
  projectId: string,
  originIds: readonly string[],
): Promise<Map<string, FoundRequisition>> {
  const wanted = new Set(originIds);
  const found = new Map<string, FoundRequisition>();
  if (wanted.size === 0) return found;
  for (const row of await client.listRequisitions(projectId, originFilter(wanted)))
    if (row.origin_id && wanted.has(row.origin_id)) found.set(row.origin_id, foundRequisitionFromWire(row));
  return found;
}

/** Subcontractor invoices of a project by id, as they are now (their payment date and ERP status). */
export async function findRequisitionsById(client: ProcoreClient, projectId: string, ids: readonly string[]): Promise<Map<string, FoundRequisition>> {
  const found = new Map<string, FoundRequisition>();
  if (ids.length === 0) return found;
  const wanted = new Set(ids);
  for (const row of await client.listRequisitions(projectId, { ids: [...wanted] })) {
    const requisition = foundRequisitionFromWire(row);
    if (wanted.has(requisition.id)) found.set(requisition.id, requisition);
  }
  return found;
}

/** Active and inactive company vendors by origin id (two lists: §2.5 keeps inactive ones apart). */
export async function findVendorsByOrigin(
  client: ProcoreClient,
  originIds: readonly string[],
): Promise<Map<string, ProcoreVendorRecord>> {
  const wanted = new Set(originIds);
  const found = new Map<string, ProcoreVendorRecord>();
  if (wanted.size === 0) return found;
  const filter = originFilter(wanted);
  const rows = [
    ...(await client.listVendorRecords(filter, 'active')),
    ...(await client.listVendorRecords(filter, 'inactive')),
  ];
  for (const row of rows)
    if (row.origin_id && wanted.has(row.origin_id)) found.set(row.origin_id, vendorRecordFromWire(row));
  return found;
}

/** Company vendors by Procore id, active or inactive, as they are now (no cursor, no settle window). */
export async function findVendorsById(client: ProcoreClient, ids: readonly string[]): Promise<Map<string, ProcoreVendorRecord>> {
  const wanted = new Set(ids);
  const found = new Map<string, ProcoreVendorRecord>();
  if (wanted.size === 0) return found;
  const filter = { ids: [...wanted] };
  const rows = [...(await client.listVendorRecords(filter, 'active')), ...(await client.listVendorRecords(filter, 'inactive'))];
  for (const row of rows) {
    const id = row.id === undefined || row.id === null ? null : String(row.id);
    if (id !== null && wanted.has(id)) found.set(id, vendorRecordFromWire(row));
  }
  return found;
}

export async function findCostCodesByOrigin(
  client: ProcoreClient,
  projectId: string,
  originIds: readonly string[],
): Promise<Map<string, ProcoreCostCode>> {
  const wanted = new Set(originIds);
  const found = new Map<string, ProcoreCostCode>();
  if (wanted.size === 0) return found;
  for (const row of await client.listCostCodeRecords(projectId, originFilter(wanted)))
    if (row.origin_id && wanted.has(row.origin_id) && !row.deleted_at) found.set(row.origin_id, costCodeFromWire(row, projectId));
  return found;
}
