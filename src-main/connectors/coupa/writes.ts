/**
 * Idempotent writes of purchase orders, invoices and suppliers, one result per item.
 *
 * Every batch starts with the natural-key lookup (po-number; invoice-number + supplier; supplier
 * number, then name) in `[in]` queries of 50, so nothing is created twice and an item that
 * exists is brought up to date with one PUT, or left alone when Coupa already says the same.
 * Then each item runs its steps in a row (create or update → verify totals → issue / submit →
 * mark exported), up to `writeConcurrency` items at once. A step whose answer is lost (network
 * cut, timeout, 5xx) is resolved by reading Coupa before anything is sent again: a POST by its
 * natural key, a PUT by reading the record, an action by reading the status (Coupa's actions are
 * strict: issuing an issued PO is a 400). A 429 means Coupa did nothing (its queue was full), so
 * the same call is sent again once the budget allows. Refusals end the item with Coupa's words.
 */
import { backoffDelayMs, forEachConcurrently } from '../_kit';
import type { CoupaClient } from './client';
import { explainCoupaFailure, isAmbiguous, isRateLimited, isSessionFatal, refusalOf } from './client';
import {
  InvalidInputError,
  describeSupplier,
  invoiceCreateBody,
  invoiceDifferences,
  invoiceFromWire,
  invoiceTotalsProblem,
  invoiceUpdateBody,
  isDuplicateKeyRefusal,
  isSameSupplier,
  lockedInvoiceCode,
  prepareInvoice,
  preparePurchaseOrder,
  purchaseOrderCreateBody,
  purchaseOrderFromWire,
  purchaseOrderUpdateBody,
  supplierBody,
  supplierFromWire,
  totalsProblem,
} from './mappers';
import type { PreparedInvoice, PreparedPurchaseOrder, ResolvedChart } from './mappers';
import type {
  CoupaFailureCode,
  CoupaWriteFailure,
  InvoiceInput,
  InvoiceKey,
  InvoiceWriteResult,
  PurchaseOrderActionResult,
  PurchaseOrderInput,
  PurchaseOrderIssueMode,
  PurchaseOrderWriteResult,
  SupplierInput,
  SupplierMatch,
  SupplierRef,
  SupplierDeactivationResult,
  SupplierWriteResult,
} from './types';
import type { WireInvoice, WirePurchaseOrder, WireSupplier } from './wire';

export interface WriteEnv {
  client: CoupaClient;
  chart: ResolvedChart | null;
  defaultShipToUserLogin: string | undefined;
  defaultBillToLocationCode: string | undefined;
  issueMode: PurchaseOrderIssueMode;
  markExported: boolean;
  concurrency: number;
  signal?: AbortSignal | undefined;
}

/** Rounds of one step (429s included) before the item is given back as retryable. */
const MAX_ROUNDS = 6;

/** PO statuses a PUT is refused in (brief: cancelled is final; a closed PO must be reopened first). */
const PO_CANCELLED = 'cancelled';
const PO_CLOSED = 'closed';
/** Invoice statuses a PUT and `submit` may start from (fact sheet §3.5; brief). */
const INVOICE_EDITABLE = new Set(['new', 'draft', 'invalid']);
/** Submitted and on its way through Coupa; frozen for the API until approved or rejected. */
const INVOICE_IN_APPROVAL = new Set([
  'pending_approval',
  'pending_receipt',
  'pending_action',
  'on_hold',
  'ap_hold',
  'booking_hold',
  'processing',
]);

/** A step ended without a result for the item: carries the finished failure. */
class ItemFailed extends Error {
  constructor(readonly failure: CoupaWriteFailure) {
    super(failure.message);
  }
}

function fail(
  key: string,
  code: CoupaFailureCode,
  message: string,
  extra: { id?: string | null; retryable?: boolean; coupaMessages?: string[]; sameAsCoupa?: boolean } = {},
): CoupaWriteFailure {
  const retryable = extra.retryable ?? (code === 'unconfirmed' || code === 'unavailable' || code === 'stopped');
  return {
    key,
    ok: false,
    retryable,
    code,
    message,
    coupaMessages: extra.coupaMessages ?? [],
    id: extra.id ?? null,
    ...(extra.sameAsCoupa === undefined ? {} : { sameAsCoupa: extra.sameAsCoupa }),
  };
}

/** A failure for an unexpected error of one item (transport, shape); session-fatal ones are rethrown. */
function failureOf(error: unknown, env: WriteEnv, key: string, what: string, id: string | null): CoupaWriteFailure {
  if (isSessionFatal(error)) throw error;
  if (error instanceof ItemFailed) return error.failure;
  if (error instanceof InvalidInputError) return fail(key, 'invalid', `${what}: ${error.message}.`, { id });
  const refusal = refusalOf(error);
  const explanation = explainCoupaFailure(error, env.client.instance, `writing ${what}`);
  if (refusal) return fail(key, 'invalid', `Coupa refused ${what}: ${refusal.messages.join('; ')}.`, { id, coupaMessages: refusal.messages });
  if (isAmbiguous(error))
    return fail(key, 'unconfirmed', `${explanation} It may have been saved: it is looked up before it is written again.`, { id });
  return fail(key, 'unavailable', explanation, { id });
}

function stopIfAborted(env: WriteEnv, key: string, what: string, id: string | null): void {
  if (env.signal?.aborted)
    throw new ItemFailed(
      fail(key, 'stopped', `The run was stopped before ${what} was finished; it is looked up before it is written again.`, { id }),
    );
}

/**
 * One step with Coupa: `send`, and when its answer is lost, `resolve` reads Coupa to say whether
 * it happened (a value: done; null: send again). 429 → the same call again after the wait the
 * budget holds (Retry-After) or a backoff. A refusal goes to `refused` (which may turn it into a
 * value, e.g. "already issued") or ends the item.
 */
async function step<T>(
  env: WriteEnv,
  ctx: { key: string; what: string; id: string | null },
  send: () => Promise<T>,
  resolve: () => Promise<T | null>,
  refused: (refusal: { status: number; messages: string[] }) => Promise<T | null> = async () => null,
): Promise<T> {
  let lastError: unknown = null;
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    stopIfAborted(env, ctx.key, ctx.what, ctx.id);
    try {
      return await send();
    } catch (error) {
      if (isSessionFatal(error)) throw error;
      lastError = error;
      if (isRateLimited(error)) {
        // The kit paused the whole budget for Retry-After; without one, back off ourselves.
        if (error.retryAfterMs === null) await env.client.clock.sleep(backoffDelayMs(round, env.client.retryPolicy));
        continue;
      }
      const refusal = refusalOf(error);
      if (refusal) {
        const value = await refused(refusal);
        if (value !== null) return value;
        throw new ItemFailed(
          fail(ctx.key, refusal.status === 404 ? 'not-found' : 'invalid', `Coupa refused ${ctx.what}: ${refusal.messages.join('; ')}.`, {
            id: ctx.id,
            coupaMessages: refusal.messages,
          }),
        );
      }
      if (!isAmbiguous(error)) throw error;
      stopIfAborted(env, ctx.key, ctx.what, ctx.id);
      const value = await resolve();
      if (value !== null) return value;
    }
  }
  throw new ItemFailed(failureOf(lastError, env, ctx.key, ctx.what, ctx.id));
}

/** Runs `task` per item, `concurrency` at a time; a session-fatal error stops the batch and is thrown. */
async function perItem<T>(env: WriteEnv, items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  await forEachConcurrently(items, env.concurrency, task);
}

// ---- lookups ----------------------------------------------------------------------------------

/** POs by exact po-number (⌈n/50⌉ calls). */
export async function findPurchaseOrders(client: CoupaClient, poNumbers: readonly string[]): Promise<Map<string, WirePurchaseOrder>> {
  const wanted = new Set(poNumbers);
  const found = new Map<string, WirePurchaseOrder>();
  if (wanted.size === 0) return found;
  for (const po of await client.findByValues<WirePurchaseOrder>('purchase_orders', 'po-number', [...wanted])) {
    const number = po['po-number'];
    if (typeof number === 'string' && wanted.has(number)) found.set(number, po);
  }
  return found;
}

export function invoiceKeyOf(key: InvoiceKey): string {
  const supplier = 'id' in key.supplier ? `id:${key.supplier.id}` : `number:${key.supplier.number}`;
  return `${supplier}\u0000${key.invoiceNumber}`;
}

/** Invoices by invoice-number, kept when the supplier matches too (⌈numbers/50⌉ calls). */
export async function findInvoices(client: CoupaClient, keys: readonly InvoiceKey[]): Promise<Map<string, WireInvoice>> {
  const found = new Map<string, WireInvoice>();
  if (keys.length === 0) return found;
  const invoices = await client.findByValues<WireInvoice>('invoices', 'invoice-number', keys.map((key) => key.invoiceNumber));
  for (const key of keys) {
    const match = invoices.find((invoice) => invoice['invoice-number'] === key.invoiceNumber && isSameSupplier(key.supplier, invoice.supplier));
    if (match) found.set(invoiceKeyOf(key), match);
  }
  return found;
}

/** Suppliers by number, then the rest by name (case-insensitive, as Coupa keeps names unique). */
export async function matchSuppliers(
  client: CoupaClient,
  keys: readonly { number: string; name: string }[],
): Promise<Array<SupplierMatch & { wire: WireSupplier | null }>> {
  const byNumber = new Map<string, WireSupplier>();
  for (const supplier of await client.findByValues<WireSupplier>('suppliers', 'number', keys.map((key) => key.number)))
    if (typeof supplier.number === 'string') byNumber.set(supplier.number, supplier);
  const unmatched = keys.filter((key) => !byNumber.has(key.number) && key.name.trim() !== '');
  const byName = new Map<string, WireSupplier>();
  if (unmatched.length)
    for (const supplier of await client.findByValues<WireSupplier>('suppliers', 'name', unmatched.map((key) => key.name)))
      if (typeof supplier.name === 'string') byName.set(supplier.name.toLowerCase(), supplier);
  return keys.map((key) => {
    const wire = byNumber.get(key.number) ?? byName.get(key.name.toLowerCase()) ?? null;
    const matchedBy = byNumber.has(key.number) ? 'number' : wire ? 'name' : null;
    return { number: key.number, name: key.name, matchedBy, supplier: wire ? supplierFromWire(wire) : null, wire };
  });
}

/** A batch lookup failed: every item of the batch gets the same retryable (or fatal) outcome. */
function lookupFailed(error: unknown, env: WriteEnv, keys: readonly string[], what: string): CoupaWriteFailure[] {
  if (isSessionFatal(error)) throw error;
  const message = `${explainCoupaFailure(error, env.client.instance, `looking up ${what} before writing`)} Nothing was written.`;
  return keys.map((key) => fail(key, 'unavailable', message));
}

// ---- purchase orders --------------------------------------------------------------------------

export async function upsertPurchaseOrders(env: WriteEnv, inputs: readonly PurchaseOrderInput[]): Promise<PurchaseOrderWriteResult[]> {
  const results: PurchaseOrderWriteResult[] = new Array<PurchaseOrderWriteResult>(inputs.length);
  const prepared: { index: number; po: PreparedPurchaseOrder }[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const what = `PO ${input.poNumber}`;
    if (seen.has(input.poNumber)) return void (results[index] = fail(input.poNumber, 'invalid', `${what} appears twice in this batch.`));
    seen.add(input.poNumber);
    try {
      prepared.push({ index, po: preparePurchaseOrder(input, env.chart, env.defaultShipToUserLogin) });
    } catch (error) {
      results[index] = failureOf(error, env, input.poNumber, what, null);
    }
  });
  if (prepared.length === 0) return results;
  if (env.signal?.aborted) {
    for (const { index, po } of prepared) results[index] = fail(po.input.poNumber, 'stopped', `The run was stopped before PO ${po.input.poNumber} was written.`);
    return results;
  }
  let existing: Map<string, WirePurchaseOrder>;
  try {
    existing = await findPurchaseOrders(env.client, prepared.map(({ po }) => po.input.poNumber));
  } catch (error) {
    const failures = lookupFailed(error, env, prepared.map(({ po }) => po.input.poNumber), 'the purchase orders');
    prepared.forEach(({ index }, i) => (results[index] = failures[i] as CoupaWriteFailure));
    return results;
  }
  await perItem(env, prepared, async ({ index, po }) => {
    const key = po.input.poNumber;
    try {
      results[index] = await writePurchaseOrder(env, po, existing.get(key) ?? null);
    } catch (error) {
      results[index] = failureOf(error, env, key, `PO ${key}`, existing.get(key)?.id?.toString() ?? null);
    }
  });
  return results;
}

async function writePurchaseOrder(
  env: WriteEnv,
  po: PreparedPurchaseOrder,
  found: WirePurchaseOrder | null,
): Promise<PurchaseOrderWriteResult> {
  const { client } = env;
  const key = po.input.poNumber;
  const what = `PO ${key}`;
  const lookup = async (): Promise<WirePurchaseOrder | null> => (await findPurchaseOrders(client, [key])).get(key) ?? null;
  let current = found;
  let action: 'created' | 'updated' | 'unchanged' = 'unchanged';
  if (current === null) {
    current = await step(
      env,
      { key, what, id: null },
      () => client.create<WirePurchaseOrder>('purchase_orders', purchaseOrderCreateBody(po)),
      lookup,
      // Taken since our lookup (another run, or our own lost answer): bring that one up to date.
      async (refusal) => (isDuplicateKeyRefusal(refusal.messages) ? lookup() : null),
    );
    action = 'created';
  }
  const id = String(current.id);
  if (current.status === PO_CANCELLED)
    return fail(key, 'po-cancelled', `${what} is cancelled in Coupa; a cancelled purchase order is final and cannot be changed.`, { id });
  for (let round = 1; ; round += 1) {
    const body = purchaseOrderUpdateBody(current, po);
    if (body === null) break;
    if (current.status === PO_CLOSED)
      return fail(key, 'po-closed', `${what} is closed in Coupa; reopen it in Coupa before this change can be sent.`, { id });
    if (round > MAX_ROUNDS) return fail(key, 'unavailable', `${what} could not be brought up to date in Coupa; try again later.`, { id });
    // Each PUT is a new PO version; a lost answer is resolved by reading the PO, never by a blind repeat.
    current = await step(
      env,
      { key, what, id },
      () => client.update<WirePurchaseOrder>('purchase_orders', id, body),
      () => client.get<WirePurchaseOrder>('purchase_orders', id),
    );
    if (action === 'unchanged') action = 'updated';
  }
  const problem = totalsProblem(current['order-lines'] ?? [], po.lines, what);
  if (problem) return fail(key, 'totals-differ', `${problem}.`, { id });
  let issued = false;
  if (env.issueMode !== 'off' && current.status === 'draft') {
    current = await issue(env, id, key, env.issueMode);
    issued = true;
  }
  if (env.markExported && current.exported !== true) current = await markOneExported(env, 'purchase_orders', id, key, what);
  return { key, ok: true, id, action, issued, purchaseOrder: purchaseOrderFromWire(current) };
}

/** PUT /issue (or /issue_without_send); already issued (a lost answer, another run) counts as done. */
async function issue(env: WriteEnv, id: string, key: string, mode: Exclude<PurchaseOrderIssueMode, 'off'>): Promise<WirePurchaseOrder> {
  const read = (): Promise<WirePurchaseOrder> => env.client.get<WirePurchaseOrder>('purchase_orders', id);
  const issuedOrNull = async (): Promise<WirePurchaseOrder | null> => {
    const po = await read();
    return po.status === 'issued' ? po : null;
  };
  return step(
    env,
    { key, what: `issuing PO ${key}`, id },
    () => env.client.action<WirePurchaseOrder>('purchase_orders', id, mode === 'issue' ? 'issue' : 'issue_without_send'),
    issuedOrNull,
    issuedOrNull,
  );
}

async function markOneExported<T extends { exported?: boolean | null }>(
  env: WriteEnv,
  resource: 'purchase_orders' | 'invoices',
  id: string,
  key: string,
  what: string,
): Promise<T> {
  try {
    return await step(
      env,
      { key, what: `marking ${what} exported`, id },
      () => env.client.markExported<T>(resource, id),
      async () => {
        const record = await env.client.get<T>(resource, id);
        return record.exported === true ? record : null;
      },
    );
  } catch (error) {
    const failure = failureOf(error, env, key, what, id);
    throw new ItemFailed({
      ...failure,
      message: `${capitalised(what)} is written, but marking it exported failed: ${failure.message.replace(/\.$/, '')}.${failure.retryable ? ' The next run marks it.' : ''}`,
    });
  }
}

/** Cancel (brief: a cancelled Exact PO calls /cancel) or issue POs found by po-number. */
export async function changePurchaseOrderStatus(
  env: WriteEnv,
  poNumbers: readonly string[],
  change: 'cancel' | Exclude<PurchaseOrderIssueMode, 'off'>,
): Promise<PurchaseOrderActionResult[]> {
  const results: PurchaseOrderActionResult[] = new Array<PurchaseOrderActionResult>(poNumbers.length);
  if (env.signal?.aborted) return poNumbers.map((key) => fail(key, 'stopped', `The run was stopped before PO ${key} was changed.`));
  let existing: Map<string, WirePurchaseOrder>;
  try {
    existing = await findPurchaseOrders(env.client, poNumbers);
  } catch (error) {
    return lookupFailed(error, env, poNumbers, 'the purchase orders');
  }
  const target = change === 'cancel' ? 'cancelled' : 'issued';
  const starts = change === 'cancel' ? null : new Set(['draft']);
  await perItem(env, poNumbers.map((key, index) => ({ key, index })), async ({ key, index }) => {
    const po = existing.get(key);
    if (!po) return void (results[index] = { key, ok: true, id: null, outcome: 'absent', status: null });
    const id = String(po.id);
    const what = `PO ${key}`;
    if (po.status === target) return void (results[index] = { key, ok: true, id, outcome: 'already', status: po.status });
    if (starts && !starts.has(String(po.status)))
      return void (results[index] = fail(key, 'invalid', `${what} is ${String(po.status)} in Coupa; only a draft PO can be issued.`, { id }));
    try {
      const reached = async (): Promise<WirePurchaseOrder | null> => {
        const fresh = await env.client.get<WirePurchaseOrder>('purchase_orders', id);
        return fresh.status === target ? fresh : null;
      };
      const done =
        change === 'cancel'
          ? await step(env, { key, what: `cancelling ${what}`, id }, () => env.client.action<WirePurchaseOrder>('purchase_orders', id, 'cancel'), reached, reached)
          : await issue(env, id, key, change);
      results[index] = { key, ok: true, id, outcome: 'done', status: done.status ?? target };
    } catch (error) {
      results[index] = failureOf(error, env, key, what, id);
    }
  });
  return results;
}

// ---- invoices ---------------------------------------------------------------------------------

interface InvoiceReferences {
  /** PO number → line-num → order line id. */
  orderLines: Map<string, Map<number, string>>;
  /** supplier key → remit-to code, or the reason there is none to use. */
  remitTos: Map<string, { code: string } | { problem: string }>;
}

function supplierKey(ref: SupplierRef): string {
  return 'id' in ref ? `id:${ref.id}` : `number:${ref.number}`;
}

/** The lookups invoices need besides themselves: PO lines named by PO number, default remit-tos. */
async function invoiceReferences(env: WriteEnv, inputs: readonly InvoiceInput[]): Promise<InvoiceReferences> {
  const poNumbers = new Set<string>();
  for (const input of inputs)
    for (const line of input.lines) if (line.orderLine && 'poNumber' in line.orderLine) poNumbers.add(line.orderLine.poNumber);
  const orderLines = new Map<string, Map<number, string>>();
  for (const [number, po] of await findPurchaseOrders(env.client, [...poNumbers]))
    orderLines.set(number, new Map((po['order-lines'] ?? []).map((line) => [Number(line['line-num']), String(line.id)])));

  const needRemitTo = new Map<string, SupplierRef>();
  for (const input of inputs) if (input.remitToCode === undefined) needRemitTo.set(supplierKey(input.supplier), input.supplier);
  const remitTos = new Map<string, { code: string } | { problem: string }>();
  if (needRemitTo.size) {
    const refs = [...needRemitTo.values()];
    const ids = refs.flatMap((ref) => ('id' in ref ? [ref.id] : []));
    const numbers = refs.flatMap((ref) => ('number' in ref ? [ref.number] : []));
    const suppliers = [
      ...(ids.length ? await env.client.findByValues<WireSupplier>('suppliers', 'id', ids) : []),
      ...(numbers.length ? await env.client.findByValues<WireSupplier>('suppliers', 'number', numbers) : []),
    ];
    for (const ref of refs) {
      const supplier = suppliers.find((s) => ('id' in ref ? String(s.id) === ref.id : s.number === ref.number));
      const active = (supplier?.['remit-to-addresses'] ?? []).filter((r) => r.active !== false && r['remit-to-code']);
      const name = describeSupplier(ref);
      remitTos.set(
        supplierKey(ref),
        !supplier
          ? { problem: `${name} is not in Coupa; sync the supplier first` }
          : active.length === 1
            ? { code: String(active[0]?.['remit-to-code']) }
            : {
                problem:
                  active.length === 0
                    ? `${name} has no active remit-to address in Coupa; add one to the supplier`
                    : `${name} has ${active.length} remit-to addresses in Coupa; choose one (remit-to code) for its invoices`,
              },
      );
    }
  }
  return { orderLines, remitTos };
}

function prepareWithReferences(env: WriteEnv, input: InvoiceInput, refs: InvoiceReferences): PreparedInvoice {
  let remitToCode = input.remitToCode;
  if (remitToCode === undefined) {
    const resolved = refs.remitTos.get(supplierKey(input.supplier));
    if (!resolved || 'problem' in resolved) throw new NotFound(resolved && 'problem' in resolved ? resolved.problem : 'No remit-to address');
    remitToCode = resolved.code;
  }
  return prepareInvoice(input, env.chart, {
    remitToCode,
    billToLocationCode: input.billToLocationCode ?? env.defaultBillToLocationCode,
    orderLineIdOf: (line) => {
      const ref = line.orderLine;
      if (!ref) return null;
      if ('id' in ref) return ref.id;
      const id = refs.orderLines.get(ref.poNumber)?.get(ref.lineNum);
      if (id === undefined)
        throw new NotFound(
          refs.orderLines.has(ref.poNumber)
            ? `line ${ref.lineNum} of PO ${ref.poNumber} is not in Coupa; sync the purchase order first`
            : `PO ${ref.poNumber} is not in Coupa; sync the purchase order first`,
        );
      return id;
    },
  });
}

/** A reference the invoice needs is not in Coupa. */
class NotFound extends Error {}

export async function upsertInvoices(env: WriteEnv, inputs: readonly InvoiceInput[]): Promise<InvoiceWriteResult[]> {
  const results: InvoiceWriteResult[] = new Array<InvoiceWriteResult>(inputs.length);
  const pending: { index: number; input: InvoiceInput }[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const key = invoiceKeyOf(input);
    if (seen.has(key))
      return void (results[index] = fail(input.invoiceNumber, 'invalid', `Invoice ${input.invoiceNumber} of ${describeSupplier(input.supplier)} appears twice in this batch.`));
    seen.add(key);
    pending.push({ index, input });
  });
  if (pending.length === 0) return results;
  if (env.signal?.aborted) {
    for (const { index, input } of pending) results[index] = fail(input.invoiceNumber, 'stopped', `The run was stopped before invoice ${input.invoiceNumber} was written.`);
    return results;
  }
  let existing: Map<string, WireInvoice>;
  let refs: InvoiceReferences;
  try {
    existing = await findInvoices(env.client, pending.map(({ input }) => input));
    refs = env.signal?.aborted ? { orderLines: new Map(), remitTos: new Map() } : await invoiceReferences(env, pending.map(({ input }) => input));
  } catch (error) {
    const failures = lookupFailed(error, env, pending.map(({ input }) => input.invoiceNumber), 'the invoices');
    pending.forEach(({ index }, i) => (results[index] = failures[i] as CoupaWriteFailure));
    return results;
  }
  if (env.signal?.aborted) {
    for (const { index, input } of pending) {
      const id = existing.get(invoiceKeyOf(input))?.id;
      results[index] = fail(input.invoiceNumber, 'stopped', `The run was stopped before invoice ${input.invoiceNumber} was written.`, {
        id: id === undefined ? null : String(id),
      });
    }
    return results;
  }
  await perItem(env, pending, async ({ index, input }) => {
    const key = input.invoiceNumber;
    const what = `invoice ${key} of ${describeSupplier(input.supplier)}`;
    const found = existing.get(invoiceKeyOf(input)) ?? null;
    const foundId = found ? String(found.id) : null;
    let invoice: PreparedInvoice;
    try {
      invoice = prepareWithReferences(env, input, refs);
    } catch (error) {
      results[index] =
        (found && lockedInvoice(found, null, key, what)) ??
        (error instanceof NotFound
          ? fail(key, 'not-found', `${capitalised(what)}: ${error.message}.`, { id: foundId })
          : failureOf(error, env, key, capitalised(what), foundId));
      return;
    }
    try {
      results[index] = await writeInvoice(env, invoice, found, what);
    } catch (error) {
      results[index] = failureOf(error, env, key, what, foundId);
    }
  });
  return results;
}

/**
 * Where an invoice Coupa no longer lets the API change stands; null when it can be written.
 * `invoice` null: what would be sent could not be prepared (a reference is missing), so the
 * lock is reported without a comparison, it matters more than the missing reference.
 */
function lockedInvoice(current: WireInvoice, invoice: PreparedInvoice | null, key: string, what: string): InvoiceWriteResult | null {
  const status = String(current.status);
  if (INVOICE_EDITABLE.has(status) && current.paid !== true) return null;
  const id = String(current.id);
  const differences = invoice ? invoiceDifferences(current, invoice) : null;
  const same = differences?.length === 0;
  // Submitted by an earlier run whose confirmation was lost: nothing left to do.
  if (same && INVOICE_IN_APPROVAL.has(status) && current.paid !== true)
    return { key, ok: true, id, draft: 'found', submission: 'already', invoice: invoiceFromWire(current) };
  const differ =
    differences === null ? 'not compared' : same ? 'it says the same as what was sent' : `it differs in ${differences.slice(0, 5).join(', ')}`;
  const extra = { id, sameAsCoupa: same };
  const subject = capitalised(what);
  if (current.paid === true)
    return fail(key, 'invoice-paid', `${subject} is already paid in Coupa (${differ}); Coupa does not allow changing a paid invoice.`, extra);
  if (status === 'approved')
    return fail(key, 'invoice-approved', `${subject} is already approved in Coupa (${differ}); Coupa does not allow changing an approved invoice.`, extra);
  if (INVOICE_IN_APPROVAL.has(status))
    return fail(key, 'invoice-in-approval', `${subject} is in approval in Coupa (${status}; ${differ}); it can be changed only after it is rejected or returned.`, extra);
  return fail(key, 'invoice-final', `${subject} is ${status} in Coupa (${differ}); the API cannot change it.`, extra);
}

async function writeInvoice(env: WriteEnv, invoice: PreparedInvoice, found: WireInvoice | null, what: string): Promise<InvoiceWriteResult> {
  const { client } = env;
  const key = invoice.input.invoiceNumber;
  const lookup = async (): Promise<WireInvoice | null> => (await findInvoices(client, [invoice.input])).get(invoiceKeyOf(invoice.input)) ?? null;
  let current = found;
  let draft: 'created' | 'updated' | 'found' = 'found';
  if (current === null) {
    // POST creates a draft (status is read-only, brief); a lost answer is found by number + supplier.
    current = await step(
      env,
      { key, what, id: null },
      () => client.create<WireInvoice>('invoices', invoiceCreateBody(invoice)),
      lookup,
      async (refusal) => (isDuplicateKeyRefusal(refusal.messages) ? lookup() : null),
    );
    draft = 'created';
  }
  const id = String(current.id);
  for (let round = 1; ; round += 1) {
    const locked = lockedInvoice(current, invoice, key, what);
    if (locked) return locked;
    const body = invoiceUpdateBody(current, invoice);
    if (body === null) break;
    if (round > MAX_ROUNDS) return fail(key, 'unavailable', `${capitalised(what)} could not be brought up to date in Coupa; try again later.`, { id });
    const read = (): Promise<WireInvoice> => client.get<WireInvoice>('invoices', id);
    current = await step(
      env,
      { key, what, id },
      () => client.update<WireInvoice>('invoices', id, body),
      read,
      // Approved or paid since the lookup: Coupa says so in a 400 (brief); read where it stands.
      async (refusal) => (lockedInvoiceCode(refusal.messages) ? read() : null),
    );
    if (draft === 'found') draft = 'updated';
  }
  const problem = invoiceTotalsProblem(current, invoice);
  if (problem) return fail(key, 'totals-differ', `${problem}; the draft stays unsubmitted in Coupa.`, { id });
  const submitted = await submit(env, id, key, what);
  const exported =
    env.markExported && submitted.exported !== true ? await markOneExported<WireInvoice>(env, 'invoices', id, key, what) : submitted;
  return { key, ok: true, id, draft, submission: 'submitted', invoice: invoiceFromWire(exported) };
}

/** PUT /submit; a draft already in approval (lost answer, another run) counts as submitted. */
async function submit(env: WriteEnv, id: string, key: string, what: string): Promise<WireInvoice> {
  const submittedOrNull = async (): Promise<WireInvoice | null> => {
    const invoice = await env.client.get<WireInvoice>('invoices', id);
    return INVOICE_EDITABLE.has(String(invoice.status)) ? null : invoice;
  };
  try {
    return await step(
      env,
      { key, what: `submitting ${what}`, id },
      () => env.client.action<WireInvoice>('invoices', id, 'submit'),
      submittedOrNull,
      submittedOrNull,
    );
  } catch (error) {
    const failure = failureOf(error, env, key, what, id);
    throw new ItemFailed({
      ...failure,
      message: `${capitalised(what)} was saved as a draft in Coupa but not submitted: ${failure.message.replace(/\.$/, '')}. The next run finds the draft and submits it.`,
    });
  }
}

/** Mark invoices or POs exported (`?exported=true`, one call each), e.g. after the flow confirmed them. */
export async function markExported(
  env: WriteEnv,
  resource: 'purchase_orders' | 'invoices',
  ids: readonly string[],
): Promise<Array<{ id: string; ok: true } | (CoupaWriteFailure & { id: string })>> {
  const results = new Array<{ id: string; ok: true } | (CoupaWriteFailure & { id: string })>(ids.length);
  const noun = resource === 'invoices' ? 'invoice' : 'PO';
  await perItem(env, ids.map((id, index) => ({ id, index })), async ({ id, index }) => {
    try {
      await markOneExported(env, resource, id, id, `${noun} ${id}`);
      results[index] = { id, ok: true };
    } catch (error) {
      results[index] = { ...failureOf(error, env, id, `${noun} ${id}`, id), id };
    }
  });
  return results;
}

// ---- suppliers --------------------------------------------------------------------------------

export async function upsertSuppliers(env: WriteEnv, inputs: readonly SupplierInput[]): Promise<SupplierWriteResult[]> {
  const results: SupplierWriteResult[] = new Array<SupplierWriteResult>(inputs.length);
  const pending: { index: number; input: SupplierInput }[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    if (seen.has(input.number)) return void (results[index] = fail(input.number, 'invalid', `Supplier ${input.number} appears twice in this batch.`));
    seen.add(input.number);
    try {
      supplierBody(input, null); // every field checked before anything is sent
      pending.push({ index, input });
    } catch (error) {
      results[index] = failureOf(error, env, input.number, `Supplier ${input.number}`, null);
    }
  });
  if (pending.length === 0) return results;
  if (env.signal?.aborted) {
    for (const { index, input } of pending) results[index] = fail(input.number, 'stopped', `The run was stopped before supplier ${input.number} was written.`);
    return results;
  }
  let matches: Awaited<ReturnType<typeof matchSuppliers>>;
  try {
    matches = await matchSuppliers(env.client, pending.map(({ input }) => input));
  } catch (error) {
    const failures = lookupFailed(error, env, pending.map(({ input }) => input.number), 'the suppliers');
    pending.forEach(({ index }, i) => (results[index] = failures[i] as CoupaWriteFailure));
    return results;
  }
  await perItem(env, pending.map((item, i) => ({ ...item, match: matches[i] })), async ({ index, input, match }) => {
    try {
      results[index] = await writeSupplier(env, input, match?.wire ?? null, match?.matchedBy ?? null);
    } catch (error) {
      results[index] = failureOf(error, env, input.number, `supplier ${input.number}`, match?.supplier?.id ?? null);
    }
  });
  return results;
}

/**
 * Suppliers deleted at the source, set inactive under the name Coupa has (a name edited in Coupa
 * stays): one look-up by number for the batch, then one update per supplier still active. One
 * Coupa has not got is not created (`id` null); one already inactive costs no write. A lost answer
 * is settled by reading the supplier again (`step`), so a repeat writes nothing twice.
 */
export async function deactivateSuppliers(env: WriteEnv, numbers: readonly string[]): Promise<SupplierDeactivationResult[]> {
  const results: SupplierDeactivationResult[] = new Array<SupplierDeactivationResult>(numbers.length);
  if (numbers.length === 0) return results;
  if (env.signal?.aborted) return numbers.map((number) => fail(number, 'stopped', `The run was stopped before supplier ${number} was set inactive.`));
  const held = new Map<string, WireSupplier>();
  try {
    for (const supplier of await env.client.findByValues<WireSupplier>('suppliers', 'number', [...new Set(numbers)]))
      if (typeof supplier.number === 'string') held.set(supplier.number, supplier);
  } catch (error) {
    return lookupFailed(error, env, numbers, 'the suppliers');
  }
  await perItem(env, numbers.map((number, index) => ({ number, index })), async ({ number, index }) => {
    const wire = held.get(number);
    if (!wire) return void (results[index] = { key: number, ok: true, id: null, action: 'unchanged', supplier: null });
    const current = supplierFromWire(wire);
    if (current.status === 'inactive') return void (results[index] = { key: number, ok: true, id: current.id, action: 'unchanged', supplier: current });
    try {
      const written = await writeSupplier(env, { number, name: current.name, status: 'inactive' }, wire, 'number');
      results[index] = written.ok ? { key: number, ok: true, id: written.id, action: written.action === 'created' ? 'updated' : written.action, supplier: written.supplier } : written;
    } catch (error) {
      results[index] = failureOf(error, env, number, `supplier ${number}`, current.id);
    }
  });
  return results;
}

async function writeSupplier(
  env: WriteEnv,
  input: SupplierInput,
  found: WireSupplier | null,
  matchedBy: 'number' | 'name' | null,
): Promise<SupplierWriteResult> {
  const { client } = env;
  const key = input.number;
  const what = `supplier ${key} (${input.name})`;
  const lookup = async (): Promise<WireSupplier | null> => (await matchSuppliers(client, [input]))[0]?.wire ?? null;
  let current = found;
  let action: 'created' | 'updated' | 'unchanged' = 'unchanged';
  if (current === null) {
    current = await step(
      env,
      { key, what, id: null },
      () => client.create<WireSupplier>('suppliers', supplierBody(input, null) ?? {}),
      lookup,
      async (refusal) => (isDuplicateKeyRefusal(refusal.messages) ? lookup() : null),
    );
    action = 'created';
  }
  const id = String(current.id);
  // Matched by name: link it by setting our number, unless Coupa already gave it another one.
  if (current.number && current.number !== key)
    return fail(
      key,
      'supplier-conflict',
      `Coupa has a supplier named "${String(current.name)}" with number ${current.number}, not ${key}; link them in the supplier mapping or correct one of the numbers.`,
      { id },
    );
  for (let round = 1; ; round += 1) {
    const body = supplierBody(input, current);
    if (body === null) break;
    if (round > MAX_ROUNDS) return fail(key, 'unavailable', `Supplier ${key} could not be brought up to date in Coupa; try again later.`, { id });
    current = await step(
      env,
      { key, what, id },
      () => client.update<WireSupplier>('suppliers', id, body),
      () => client.get<WireSupplier>('suppliers', id),
    );
    if (action === 'unchanged') action = 'updated';
  }
  return { key, ok: true, id, action, matchedBy: action === 'created' ? null : matchedBy, supplier: supplierFromWire(current) };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
