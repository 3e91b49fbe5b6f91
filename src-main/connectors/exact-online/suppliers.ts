/**
 * F5's supplier side: the change feed of suppliers (sync/CRM/Accounts), lookups by code and id,
 * and the two writes on crm/Accounts. `Code` is the dedupe key: a create looks the code up
 * first, so an uncertain create (answer lost after Exact saved it) is resolved by that lookup
 * on the next try and never posted twice. Bank details are read, never written.
 * Design and costs: README "Suppliers".
 */
import { NeedsReauthError } from '../../../src-shared/domain/auth';
import type { Supplier } from '../../../src-shared/domain/records';
import type { SourcePage, WriteCallOptions } from '../connector';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  HostNotAllowedError,
  HttpStatusError,
  UnauthorizedError,
  quoteSnippet,
} from '../_kit';
import { padAccountCode, type ExactClient } from './client';
import type { WebLinkBuilder } from './links';
import { ExactMappingError, inlineBankAccounts, mapSupplier, wireTimestamp, type SupplierContext } from './mappers';
import { mapEach, maxBigInt, parseTimestampCursor } from './streams';
import type { WireAccountWrite, WireBankAccount, WireODataError, WireSupplierAccount } from './wire';

/** Supplier fields the app may write, in domain names. Bank details are deliberately absent. */
export interface ExactSupplierFields {
  name?: string;
  addressLine1?: string | null;
  addressLine2?: string | null;
  addressLine3?: string | null;
  postcode?: string | null;
  city?: string | null;
  /** ISO-3166 alpha-2 (Exact refuses anything else). */
  country?: string | null;
  email?: string | null;
  phone?: string | null;
  vatNumber?: string | null;
  chamberOfCommerce?: string | null;
  blocked?: boolean;
}

export interface ExactSupplierInput extends ExactSupplierFields {
  /** The dedupe key on both sides; trimmed, at most 18 characters. */
  code: string;
  name: string;
}

export type ExactSupplierWriteResult =
  | {
      ok: true;
      /** `already-existed`: the code was found, nothing was created (recovery or a race). */
      outcome: 'created' | 'already-existed' | 'updated';
      supplierId: string;
      /** The supplier as Exact holds it (created / already-existed); null after an update (Exact answers 204). */
      supplier: Supplier | null;
    }
  | {
      ok: false;
      /** True when trying again is right (after looking the code up: never a blind repeat). */
      retryable: boolean;
      /** What went wrong and what to do, for a finance user. */
      problem: string;
    };

const FIELD_TO_WIRE: Readonly<Record<keyof ExactSupplierFields, keyof WireAccountWrite>> = {
  name: 'Name',
  addressLine1: 'AddressLine1',
  addressLine2: 'AddressLine2',
  addressLine3: 'AddressLine3',
  postcode: 'Postcode',
  city: 'City',
  country: 'Country',
  email: 'Email',
  phone: 'Phone',
  vatNumber: 'VATNumber',
  chamberOfCommerce: 'ChamberOfCommerce',
  blocked: 'Blocked',
};
const BANK_DETAIL = /bank|iban|bic|swift|account.?number/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SupplierDeps {
  client: ExactClient;
  links: WebLinkBuilder;
}

function supplierContext(deps: SupplierDeps, bankAccounts: ReadonlyMap<string, readonly WireBankAccount[]> = new Map()): SupplierContext {
  return { bankAccounts, webUrl: (id, code) => deps.links('account', id, code) };
}

// ---------------------------------------------------------------------------------------
// Reads

/**
 * Cursor: the sync Timestamp of sync/CRM/Accounts (Int64 as a decimal string); null = from the
 * start. The feed lists every account; only suppliers (`IsSupplier`) become records, but the
 * cursor moves past all rows. Per page, the newest row of an account wins. Bank accounts come
 * inline with the row; when Exact sends them deferred, one crm/BankAccounts call per 20
 * suppliers fetches them (as they are now, not as of the row).
 */
export async function* readSuppliersChanged(deps: SupplierDeps, cursor: string | null): AsyncGenerator<SourcePage<Supplier>> {
  let cursorAfter = parseTimestampCursor(cursor);
  for await (const rows of deps.client.accountSyncPages(cursorAfter.toString())) {
    const newest = new Map<string, { row: WireSupplierAccount; timestamp: bigint }>();
    const unstamped: WireSupplierAccount[] = [];
    for (const row of rows) {
      let timestamp: bigint;
      try {
        timestamp = wireTimestamp(row.Timestamp, `account ${String(row.ID)}`);
      } catch {
        unstamped.push(row);
        continue;
      }
      cursorAfter = maxBigInt([timestamp], cursorAfter);
      if (row.IsSupplier !== true || !row.ID) {
        if (row.IsSupplier === true) unstamped.push(row); // a supplier row without an ID: reported below
        continue;
      }
      const seen = newest.get(row.ID);
      if (!seen || timestamp > seen.timestamp) newest.set(row.ID, { row, timestamp });
    }
    const suppliers = [...newest.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1)).map((s) => s.row);
    const deferred = suppliers.filter((s) => inlineBankAccounts(s.BankAccounts) === null).map((s) => s.ID as string);
    const banks = new Map<string, WireBankAccount[]>(deferred.map((id) => [id.toLowerCase(), []]));
    if (deferred.length > 0)
      for (const bank of await deps.client.bankAccountsOf(deferred)) banks.get(String(bank.Account).toLowerCase())?.push(bank);
    const ctx = supplierContext(deps, banks);
    const { records, unreadable } = mapEach(
      [...suppliers, ...unstamped.filter((r) => r.IsSupplier === true)],
      (row) => mapSupplier(row, ctx),
      (row) => ({
        sourceId: row.ID ?? `supplier-without-id:${String(row.Code ?? '?').trim()}`,
        label: `Supplier ${String(row.Code ?? row.ID ?? '(no code)').trim()}`,
        raw: row,
      }),
    );
    yield { records, deletions: [], unreadable, cursorAfter: cursorAfter.toString() };
  }
}

/** The account with this code (any account: a customer may hold it), or null. One call. */
export async function findAccountByCode(deps: SupplierDeps, code: string): Promise<{ supplier: Supplier; isSupplier: boolean } | null> {
  const row = await deps.client.accountByCode(checkedCode(code));
  return row ? { supplier: mapSupplier(row, supplierContext(deps)), isSupplier: row.IsSupplier === true } : null;
}

// ---------------------------------------------------------------------------------------
// Writes

/**
 * Creates a supplier unless its code exists: 1 lookup + 1 POST (the lookup alone when found).
 * An answer lost after the POST is reported retryable; the retry's lookup then finds it.
 */
export async function createSupplier(
  deps: SupplierDeps,
  input: ExactSupplierInput,
  options: WriteCallOptions = {},
): Promise<ExactSupplierWriteResult> {
  const refused = refusedFields(input, ['code']);
  if (refused) return refused;
  let code: string;
  try {
    code = checkedCode(input.code);
  } catch (error) {
    return { ok: false, retryable: false, problem: (error as Error).message };
  }
  if (typeof input.name !== 'string' || input.name.trim() === '')
    return { ok: false, retryable: false, problem: `Supplier ${code} has no name; Exact Online needs one.` };

  const existing = await lookUp(deps, code, options, 'before creating it');
  if (existing.kind === 'failed') return existing.result;
  if (existing.kind === 'found') return existing.result;

  if (options.signal?.aborted) return stopped(code);
  const body: WireAccountWrite = { Code: code, IsSupplier: true, ...toWire(input) };
  try {
    const created = await deps.client.createAccount(body);
    return { ok: true, outcome: 'created', supplierId: created.ID as string, supplier: mapSupplier(created, supplierContext(deps)) };
  } catch (error) {
    rethrowSessionFatal(error);
    if (isRefusal(error)) {
      // Refused: nothing was created — unless the code was taken meanwhile (Exact refuses a
      // duplicate code). One more lookup tells which, whatever Exact's wording.
      const again = await lookUp(deps, code, options, 'after Exact Online refused to create it');
      if (again.kind === 'found') return again.result;
      return { ok: false, retryable: false, problem: `Exact Online refused to create supplier ${code}: ${exactSaid(error)}` };
    }
    return uncertain(error, `creating supplier ${code}`);
  }
}

/**
 * Changes fields of a supplier: 1 PUT. Bank details are refused before any call. An answer lost
 * after the PUT is reported retryable: read the supplier (readSupplier) before sending again.
 */
export async function updateSupplier(
  deps: SupplierDeps,
  supplierId: string,
  changes: ExactSupplierFields,
  options: WriteCallOptions = {},
): Promise<ExactSupplierWriteResult> {
  const refused = refusedFields(changes, []);
  if (refused) return refused;
  if (!GUID.test(supplierId))
    return { ok: false, retryable: false, problem: `${JSON.stringify(supplierId)} is not an Exact Online supplier id (a guid).` };
  const body = toWire(changes);
  if (Object.keys(body).length === 0) return { ok: false, retryable: false, problem: 'No supplier field to change was given.' };
  if (changes.name !== undefined && (typeof changes.name !== 'string' || changes.name.trim() === ''))
    return { ok: false, retryable: false, problem: 'A supplier name cannot be emptied in Exact Online.' };
  if (options.signal?.aborted)
    return { ok: false, retryable: true, problem: 'The run was stopped before the supplier was changed in Exact Online; nothing was sent.' };
  try {
    await deps.client.updateAccount(supplierId, body);
    return { ok: true, outcome: 'updated', supplierId, supplier: null };
  } catch (error) {
    rethrowSessionFatal(error);
    if (error instanceof HttpStatusError && error.status === 404)
      return { ok: false, retryable: false, problem: `Supplier ${supplierId} no longer exists in Exact Online; it was deleted there.` };
    if (isRefusal(error))
      return { ok: false, retryable: false, problem: `Exact Online refused the change to supplier ${supplierId}: ${exactSaid(error)}` };
    return uncertain(error, `changing supplier ${supplierId}`);
  }
}

// ---------------------------------------------------------------------------------------
// Helpers

type Lookup =
  | { kind: 'absent' }
  | { kind: 'found'; result: ExactSupplierWriteResult }
  | { kind: 'failed'; result: ExactSupplierWriteResult };

async function lookUp(deps: SupplierDeps, code: string, options: WriteCallOptions, when: string): Promise<Lookup> {
  if (options.signal?.aborted) return { kind: 'failed', result: stopped(code) };
  let found: Awaited<ReturnType<typeof findAccountByCode>>;
  try {
    found = await findAccountByCode(deps, code);
  } catch (error) {
    rethrowSessionFatal(error);
    if (error instanceof ExactMappingError)
      return { kind: 'failed', result: { ok: false, retryable: false, problem: `${error.message}. Correct account ${code} in Exact Online first.` } };
    return { kind: 'failed', result: uncertain(error, `looking up supplier code ${code} ${when}`, false) };
  }
  if (!found) return { kind: 'absent' };
  if (!found.isSupplier)
    return {
      kind: 'failed',
      result: {
        ok: false,
        retryable: false,
        problem: `Exact Online already has account ${code} (${found.supplier.name}), but it is not a supplier. Mark it as a supplier in Exact Online or give the supplier another code.`,
      },
    };
  return { kind: 'found', result: { ok: true, outcome: 'already-existed', supplierId: found.supplier.sourceId, supplier: found.supplier } };
}

function checkedCode(code: unknown): string {
  if (typeof code !== 'string' || code.trim() === '') throw new RangeError('A supplier needs a code (the key both systems match on).');
  padAccountCode(code); // throws for more than 18 characters, in words
  return code.trim();
}

/** Refuses bank details and unknown fields before any call: they are never written. */
function refusedFields(input: object, alsoAllowed: readonly string[]): ExactSupplierWriteResult | null {
  const keys = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  const bank = keys.filter((k) => BANK_DETAIL.test(k));
  if (bank.length > 0)
    return {
      ok: false,
      retryable: false,
      problem: `Bank details (${bank.join(', ')}) are never written to Exact Online by this app; change them in Exact Online itself.`,
    };
  const unknown = keys.filter((k) => !(k in FIELD_TO_WIRE) && !alsoAllowed.includes(k));
  if (unknown.length > 0)
    return { ok: false, retryable: false, problem: `These supplier fields cannot be written to Exact Online: ${unknown.join(', ')}.` };
  return null;
}

function toWire(fields: ExactSupplierFields): WireAccountWrite {
  const body: Record<string, unknown> = {};
  for (const [field, wire] of Object.entries(FIELD_TO_WIRE) as [keyof ExactSupplierFields, keyof WireAccountWrite][]) {
    const value = fields[field];
    if (value === undefined) continue;
    body[wire] = typeof value === 'string' ? value.trim() : value;
  }
  return body as WireAccountWrite;
}

function rethrowSessionFatal(error: unknown): void {
  if (error instanceof NeedsReauthError || error instanceof UnauthorizedError || error instanceof HostNotAllowedError) throw error;
}

/** Exact said no to the call itself (4xx other than timeout / rate limit): nothing was written. */
function isRefusal(error: unknown): error is HttpStatusError {
  return error instanceof HttpStatusError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

/** The message of Exact's OData error envelope (§1.8), or the status. */
function exactSaid(error: HttpStatusError): string {
  try {
    const value = error.response.json<WireODataError>().error?.message?.value;
    if (value) return quoteSnippet(value);
  } catch {
    // not JSON: fall back to the status
  }
  return `HTTP ${error.status}`;
}

function stopped(code: string): ExactSupplierWriteResult {
  return { ok: false, retryable: true, problem: `The run was stopped before supplier ${code} was created in Exact Online; nothing was sent.` };
}

/**
 * No usable answer (lost connection, timeout, 5xx, 429) or not sent (call budget): retryable;
 * for a write whose call went out the result is unknown, so the retry looks it up first.
 */
function uncertain(error: unknown, what: string, mayHaveWritten = true): ExactSupplierWriteResult {
  if (error instanceof BudgetExhaustedError || error instanceof ErrorBudgetExceededError)
    return {
      ok: false,
      retryable: true,
      problem: `Not sent: Exact Online's call limit for this division is used up while ${what}; it is tried again from ${new Date(error.resumeAt).toISOString()}.`,
    };
  const detail = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    retryable: true,
    problem: mayHaveWritten
      ? `Exact Online gave no usable answer while ${what} (${detail}). It may have been saved; the next attempt looks it up first and does not create it twice.`
      : `Exact Online could not be asked while ${what} (${detail}); it is tried again later.`,
  };
}
