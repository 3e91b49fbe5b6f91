import { randomUUID } from 'node:crypto';
import type { SimClock } from '../_common/clock';
import type { SimStore } from '../_common/sim-store';
import { accountSyncRow } from './entities';
import { requireEndpoint, type ExactRepository } from './repository';
import { DELETED_ENTITY_TYPE, type SyncLog } from './sync';
import { ExactApiError, exactDate, padAccountCode, type ExactRecord } from './wire';
import { asObject, checkSettable, readDate, readText, transact } from './write-input';

/**
 * Writes on crm/Accounts (fact sheet §1.5 "Write shapes"; fields per §1.5 "Suppliers"):
 *   POST   crm/Accounts              -> 201 {"d": created account}
 *   PUT    crm/Accounts(guid'…')     -> 204
 *   DELETE crm/Accounts(guid'…')     -> 204 and a sync/Deleted row (EntityType 2)
 * `Code` is the account's unique key (18 characters, right-aligned with spaces, §1.4): a code
 * already in use is refused (400), and a POST without one gets the next free number. Bank
 * accounts are their own entity (crm/BankAccounts) and cannot be set through an account write.
 * Every change appends a sync/CRM/Accounts row (the account as it is now, bank accounts inline).
 */
const TEXT_FIELDS = ['Name', 'AddressLine1', 'AddressLine2', 'AddressLine3', 'Postcode', 'City', 'State', 'Country', 'Email', 'Phone', 'Website', 'VATNumber', 'ChamberOfCommerce', 'PaymentConditionPurchase', 'PurchaseCurrency'] as const;
const BOOLEAN_FIELDS = ['IsSupplier', 'IsSales', 'Blocked'] as const;
const DATE_FIELDS = ['StartDate', 'EndDate'] as const;
const SETTABLE: ReadonlySet<string> = new Set(['Code', 'Status', ...TEXT_FIELDS, ...BOOLEAN_FIELDS, ...DATE_FIELDS]);
const CUSTOMER_STATUS = new Set(['A', 'S', 'P', 'C']);
const MAX_CODE_LENGTH = 18;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const ACCOUNTS = requireEndpoint('crm/Accounts');
const BANK_ACCOUNTS = requireEndpoint('crm/BankAccounts');
/** Where an account may be in use (a used account cannot be deleted). */
const USED_BY: readonly [string, readonly string[]][] = [
  ['purchaseorder/PurchaseOrders', ['Supplier']],
  ['purchaseentry/PurchaseEntries', ['Supplier']],
  ['salesorder/SalesOrders', ['OrderedBy', 'InvoiceTo']],
  ['salesinvoice/SalesInvoices', ['InvoiceTo', 'OrderedBy']],
];

export class AccountWriter {
  constructor(
    private readonly store: SimStore,
    private readonly repo: ExactRepository,
    private readonly sync: SyncLog,
    private readonly clock: SimClock,
    private readonly division: number,
    private readonly userId: string,
  ) {}

  create(body: unknown): ExactRecord {
    const input = asObject(body, 'The request body');
    checkSettable(input, SETTABLE, 'crm/Accounts');
    if (input.Name === undefined) throw new ExactApiError(400, 'Name: a new account needs a name.');
    return transact(this.store, this.repo, () => {
      const now = exactDate(this.clock.now());
      const code = input.Code === undefined ? this.nextFreeCode() : this.uniqueCode(input.Code, null);
      // Same fields, in the same order, as the seeded accounts (entities.ts).
      const account: ExactRecord = {
        ID: randomUUID(),
        Code: padAccountCode(code),
        Name: null,
        IsSupplier: false,
        IsSales: false,
        Status: null,
        VATNumber: null,
        Email: null,
        City: null,
        Country: null,
        PaymentConditionPurchase: null,
        PurchaseCurrency: null,
        Blocked: false,
        ChamberOfCommerce: null,
        Phone: null,
        Website: null,
        AddressLine1: null,
        AddressLine2: null,
        AddressLine3: null,
        Postcode: null,
        State: null,
        StartDate: null,
        EndDate: null,
        Created: now,
        Modified: now,
        Division: this.division,
      };
      return this.commit(this.apply(account, input));
    });
  }

  update(id: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    checkSettable(input, SETTABLE, 'crm/Accounts');
    const current = this.repo.get(ACCOUNTS, id);
    if (!current) throw new ExactApiError(404, `crm/Accounts(guid'${id}') does not exist.`);
    transact(this.store, this.repo, () => {
      const next = this.apply({ ...current }, input);
      if (input.Code !== undefined) next.Code = padAccountCode(this.uniqueCode(input.Code, String(current.ID)));
      next.Modified = exactDate(this.clock.now());
      this.commit(next);
    });
  }

  delete(id: string): void {
    const account = this.repo.get(ACCOUNTS, id);
    if (!account) throw new ExactApiError(404, `crm/Accounts(guid'${id}') does not exist.`);
    const accountId = String(account.ID).toLowerCase();
    for (const [path, fields] of USED_BY) {
      const used = this.repo.collection(requireEndpoint(path)).find((r) => fields.some((f) => String(r[f]).toLowerCase() === accountId));
      if (used) throw new ExactApiError(400, `The account ${String(account.Code).trim()} is used in ${path} and cannot be deleted.`);
    }
    const nowMs = this.clock.now();
    transact(this.store, this.repo, () => {
      for (const bank of this.repo.linesOf(BANK_ACCOUNTS, accountId)) this.repo.delete(BANK_ACCOUNTS, String(bank.ID));
      this.repo.delete(ACCOUNTS, accountId);
      this.sync.append('Deleted', (ts) => ({
        Timestamp: ts,
        ID: randomUUID(),
        EntityKey: account.ID,
        EntityType: DELETED_ENTITY_TYPE.Accounts,
        DeletedBy: this.userId,
        DeletedDate: exactDate(nowMs),
        Division: this.division,
      }));
    });
  }

  /** Applies checked field values (Code is handled by the caller). */
  private apply(account: ExactRecord, input: Record<string, unknown>): ExactRecord {
    for (const field of TEXT_FIELDS) {
      if (input[field] === undefined) continue;
      const text = readText(input[field], field);
      account[field] = text === null || text.trim() === '' ? null : text;
    }
    if (input.Name !== undefined && account.Name === null) throw new ExactApiError(400, 'Name: an account needs a name.');
    if (account.Country !== null && !/^[A-Z]{2}$/.test(String(account.Country))) throw new ExactApiError(400, `Country: "${String(account.Country)}" is not a country code such as NL or BE.`);
    if (account.Email !== null && !EMAIL.test(String(account.Email))) throw new ExactApiError(400, `Email: "${String(account.Email)}" is not a valid e-mail address.`);
    for (const field of BOOLEAN_FIELDS) {
      if (input[field] === undefined) continue;
      if (typeof input[field] !== 'boolean') throw new ExactApiError(400, `${field} must be true or false.`);
      account[field] = input[field];
    }
    for (const field of DATE_FIELDS) if (input[field] !== undefined) account[field] = input[field] === null ? null : readDate(input[field], field);
    if (input.Status !== undefined) {
      if (input.Status !== null && !CUSTOMER_STATUS.has(String(input.Status))) throw new ExactApiError(400, 'Status must be A, S, P, C or null.');
      account.Status = input.Status;
    }
    return account;
  }

  /** A code as text (numbers allowed), trimmed, at most 18 characters, not used by another account. */
  private uniqueCode(value: unknown, exceptId: string | null): string {
    if (typeof value !== 'string' && typeof value !== 'number') throw new ExactApiError(400, 'Code must be text.');
    const code = String(value).trim();
    if (code === '') throw new ExactApiError(400, 'Code cannot be empty.');
    if (code.length > MAX_CODE_LENGTH) throw new ExactApiError(400, `Code "${code}" is longer than ${MAX_CODE_LENGTH} characters.`);
    const taken = this.repo.collection(ACCOUNTS).find((a) => String(a.Code).trim().toLowerCase() === code.toLowerCase() && String(a.ID) !== exceptId);
    if (taken) throw new ExactApiError(400, `Code: an account with code ${code} already exists (${String(taken.Name)}).`);
    return code;
  }

  /** The next number after the highest numeric code (Exact numbers new accounts itself). */
  private nextFreeCode(): string {
    let highest = 0;
    for (const a of this.repo.collection(ACCOUNTS).all()) {
      const code = String(a.Code).trim();
      if (/^\d+$/.test(code)) highest = Math.max(highest, Number(code));
    }
    return String(highest + 1);
  }

  private commit(account: ExactRecord): ExactRecord {
    this.repo.put(ACCOUNTS, account);
    const banks = this.repo.linesOf(BANK_ACCOUNTS, String(account.ID));
    this.sync.append('CRM/Accounts', (ts) => accountSyncRow(account, banks, ts));
    return account;
  }
}
