import { randomUUID } from 'node:crypto';
import { Decimal } from '../../../src-shared/domain/money';
import type { SimClock } from '../_common/clock';
import type { SimStore } from '../_common/sim-store';
import { requireEndpoint as def, type ExactRepository } from './repository';
import { amountNumber, decimalNumber, exactDate, ExactApiError, readDecimal, type ExactRecord } from './wire';
import { asObject, checkSettable, readDate, readGuid, readText, transact } from './write-input';

/**
 * Writes on purchaseentry/PurchaseEntries (fact sheet §1.5), so the demo and the tests can book
 * what the seeded world has none of: a purchase credit note (Type 31), an entry that references a
 * purchase order (OrderNumber), an entry changed after it was synced.
 *   POST purchaseentry/PurchaseEntries           -> 201 {"d": created entry with its lines}
 *   PUT  purchaseentry/PurchaseEntries(guid'…')  -> 204; header fields and/or PurchaseEntryLines
 *                                                   by ID (AmountFC, VATAmountFC, Description)
 * Lines are net; the header's AmountDC is net + VAT, as on the seeded entries (README). Each write
 * sets Modified to now, so the entry is read again from a `Modified ge` cursor. Purchase entries
 * have no sync feed (§1.5); nothing is appended to one.
 */
const HEADER_FIELDS = ['Supplier', 'YourRef', 'EntryDate', 'DueDate', 'Description', 'Currency', 'Journal', 'Type', 'OrderNumber', 'PurchaseEntryLines'] as const;
const PUT_HEADER_FIELDS = new Set(['YourRef', 'DueDate', 'Description', 'PurchaseEntryLines']);
const LINE_FIELDS = new Set(['GLAccount', 'AmountFC', 'VATAmountFC', 'VATCode', 'CostCenter', 'CostUnit', 'Project', 'Description', 'Quantity']);
const PUT_LINE_FIELDS = new Set(['ID', 'AmountFC', 'VATAmountFC', 'Description']);
/** 30 purchase entry, 31 purchase credit note (picqer PurchaseEntry `Type`). */
const ENTRY_TYPES = new Map([
  [30, 'Purchase entry'],
  [31, 'Purchase credit note'],
]);

const ENTRIES = def('purchaseentry/PurchaseEntries');
const LINES = def('purchaseentry/PurchaseEntryLines');
const ACCOUNTS = def('crm/Accounts');
const GL_ACCOUNTS = def('financial/GLAccounts');
const PROJECTS = def('project/Projects');
const COST_CENTERS = def('hrm/Costcenters');
const COST_UNITS = def('hrm/Costunits');
const PURCHASE_ORDERS = def('purchaseorder/PurchaseOrders');
const LAST_ENTRY_NUMBER = 'purchaseentry:lastEntryNumber';

export class PurchaseEntryWriter {
  constructor(
    private readonly store: SimStore,
    private readonly repo: ExactRepository,
    private readonly clock: SimClock,
    private readonly division: number,
  ) {}

  create(body: unknown): ExactRecord {
    const input = asObject(body, 'The request body');
    checkSettable(input, new Set(HEADER_FIELDS), 'purchaseentry/PurchaseEntries');
    const supplierId = readGuid(input.Supplier, 'Supplier');
    const supplier = this.repo.get(ACCOUNTS, supplierId);
    if (!supplier || supplier.IsSupplier !== true) throw new ExactApiError(400, `Supplier ${supplierId} is not a supplier account.`);
    const yourRef = readText(input.YourRef ?? null, 'YourRef');
    if (input.EntryDate === undefined) throw new ExactApiError(400, 'EntryDate: a purchase entry needs an entry date.');
    const type = input.Type === undefined ? 30 : input.Type;
    if (typeof type !== 'number' || !ENTRY_TYPES.has(type)) throw new ExactApiError(400, `Type must be 30 (purchase entry) or 31 (purchase credit note), got ${String(type)}.`);
    let orderNumber: number | null = null;
    if (input.OrderNumber !== undefined && input.OrderNumber !== null) {
      if (typeof input.OrderNumber !== 'number' || !Number.isSafeInteger(input.OrderNumber)) throw new ExactApiError(400, 'OrderNumber must be a purchase order number.');
      const order = this.repo.collection(PURCHASE_ORDERS).find((po) => po.OrderNumber === input.OrderNumber);
      if (!order) throw new ExactApiError(400, `OrderNumber ${input.OrderNumber} is not a purchase order.`);
      if (order.Supplier !== supplier.ID) throw new ExactApiError(400, `Purchase order ${input.OrderNumber} is of another supplier.`);
      orderNumber = input.OrderNumber;
    }
    const rawLines = input.PurchaseEntryLines;
    if (!Array.isArray(rawLines) || rawLines.length === 0) throw new ExactApiError(400, 'PurchaseEntryLines: a purchase entry needs at least one line.');
    return transact(this.store, this.repo, () => {
      const now = this.clock.now();
      const entryId = randomUUID();
      const lines = rawLines.map((raw, i) => this.newLine(entryId, i + 1, asObject(raw, `PurchaseEntryLines[${i}]`)));
      const entryDate = readDate(input.EntryDate, 'EntryDate');
      const entryDay = new Date(Number(/\d+/.exec(entryDate)?.[0]));
      const entryNumber = this.nextEntryNumber();
      const entry: ExactRecord = {
        EntryID: entryId,
        EntryNumber: entryNumber,
        InvoiceNumber: entryNumber,
        YourRef: yourRef,
        Supplier: supplier.ID,
        SupplierName: supplier.Name,
        EntryDate: entryDate,
        DueDate: input.DueDate === undefined || input.DueDate === null ? null : readDate(input.DueDate, 'DueDate'),
        Journal: readText(input.Journal ?? '60', 'Journal'),
        Currency: readText(input.Currency ?? 'EUR', 'Currency'),
        Rate: 1,
        AmountDC: 0,
        AmountFC: 0,
        VATAmountDC: 0,
        VATAmountFC: 0,
        Description: readText(input.Description ?? null, 'Description'),
        PaymentCondition: '30',
        PaymentReference: null,
        ReportingYear: entryDay.getUTCFullYear(),
        ReportingPeriod: entryDay.getUTCMonth() + 1,
        OrderNumber: orderNumber,
        Document: null,
        Status: 20,
        StatusDescription: 'Open',
        Type: type,
        TypeDescription: ENTRY_TYPES.get(type),
        Created: exactDate(now),
        Modified: exactDate(now),
        Division: this.division,
      };
      for (const line of lines) this.repo.put(LINES, line);
      this.repo.put(ENTRIES, withTotals(entry, lines));
      return this.repo.get(ENTRIES, entryId)!;
    });
  }

  update(id: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    checkSettable(input, PUT_HEADER_FIELDS, 'purchaseentry/PurchaseEntries (PUT)');
    const entry = this.repo.get(ENTRIES, id.toLowerCase());
    if (!entry) throw new ExactApiError(404, `purchaseentry/PurchaseEntries(guid'${id}') does not exist.`);
    transact(this.store, this.repo, () => {
      const next: ExactRecord = { ...entry };
      if (input.YourRef !== undefined) next.YourRef = readText(input.YourRef, 'YourRef');
      if (input.Description !== undefined) next.Description = readText(input.Description, 'Description');
      if (input.DueDate !== undefined) next.DueDate = input.DueDate === null ? null : readDate(input.DueDate, 'DueDate');
      const lines = this.repo.linesOf(LINES, String(entry.EntryID));
      if (input.PurchaseEntryLines !== undefined) {
        if (!Array.isArray(input.PurchaseEntryLines)) throw new ExactApiError(400, 'PurchaseEntryLines must be a list.');
        for (const [i, raw] of input.PurchaseEntryLines.entries()) {
          const patch = asObject(raw, `PurchaseEntryLines[${i}]`);
          checkSettable(patch, PUT_LINE_FIELDS, `PurchaseEntryLines[${i}]`);
          const lineId = readGuid(patch.ID, `PurchaseEntryLines[${i}].ID`);
          const index = lines.findIndex((l) => l.ID === lineId);
          if (index < 0) throw new ExactApiError(400, `Line ${lineId} is not a line of this entry.`);
          const line: ExactRecord = { ...lines[index] };
          if (patch.AmountFC !== undefined) setAmount(line, readDecimal(patch.AmountFC, 'AmountFC'));
          if (patch.VATAmountFC !== undefined) setVat(line, readDecimal(patch.VATAmountFC, 'VATAmountFC'));
          if (patch.Description !== undefined) line.Description = readText(patch.Description, 'Description');
          lines[index] = line;
          this.repo.put(LINES, line);
        }
      }
      next.Modified = exactDate(this.clock.now());
      this.repo.put(ENTRIES, withTotals(next, lines));
    });
  }

  private newLine(entryId: string, lineNumber: number, raw: Record<string, unknown>): ExactRecord {
    const where = `PurchaseEntryLines[${lineNumber - 1}]`;
    checkSettable(raw, LINE_FIELDS, where);
    const gl = this.repo.get(GL_ACCOUNTS, readGuid(raw.GLAccount, `${where}.GLAccount`));
    if (!gl) throw new ExactApiError(400, `${where}.GLAccount ${String(raw.GLAccount)} does not exist.`);
    if (raw.AmountFC === undefined) throw new ExactApiError(400, `${where}.AmountFC: a line needs an amount.`);
    const costCenter = this.byCode(COST_CENTERS, raw.CostCenter, `${where}.CostCenter`);
    const costUnit = this.byCode(COST_UNITS, raw.CostUnit, `${where}.CostUnit`);
    const project = raw.Project === undefined || raw.Project === null ? null : this.repo.get(PROJECTS, readGuid(raw.Project, `${where}.Project`));
    if (raw.Project !== undefined && raw.Project !== null && !project) throw new ExactApiError(400, `${where}.Project ${String(raw.Project)} does not exist.`);
    const quantity = raw.Quantity === undefined ? Decimal.parse('1') : readDecimal(raw.Quantity, `${where}.Quantity`);
    const line: ExactRecord = {
      ID: randomUUID(),
      EntryID: entryId,
      LineNumber: lineNumber,
      GLAccount: gl.ID,
      GLAccountCode: gl.Code,
      GLAccountDescription: gl.Description,
      Description: readText(raw.Description ?? null, `${where}.Description`),
      AmountDC: 0,
      AmountFC: 0,
      VATBaseAmountDC: 0,
      VATBaseAmountFC: 0,
      VATCode: readText(raw.VATCode ?? '2', `${where}.VATCode`),
      VATPercentage: 0,
      VATAmountDC: 0,
      VATAmountFC: 0,
      CostCenter: costCenter?.Code ?? null,
      CostCenterDescription: costCenter?.Description ?? null,
      CostUnit: costUnit?.Code ?? null,
      CostUnitDescription: costUnit?.Description ?? null,
      Project: project?.ID ?? null,
      ProjectCode: project?.Code ?? null,
      ProjectDescription: project?.Description ?? null,
      Quantity: decimalNumber(quantity),
      Notes: null,
      From: null,
      To: null,
      Division: this.division,
    };
    setAmount(line, readDecimal(raw.AmountFC, `${where}.AmountFC`));
    setVat(line, raw.VATAmountFC === undefined ? Decimal.ZERO : readDecimal(raw.VATAmountFC, `${where}.VATAmountFC`));
    return line;
  }

  private byCode(endpoint: typeof COST_CENTERS, value: unknown, field: string): ExactRecord | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw new ExactApiError(400, `${field} must be a code (text) or null.`);
    const found = this.repo.collection(endpoint).find((r) => r.Code === value);
    if (!found) throw new ExactApiError(400, `${field} "${value}" does not exist in ${endpoint.path}.`);
    return found;
  }

  private nextEntryNumber(): number {
    let last = this.store.getMeta<number>(LAST_ENTRY_NUMBER);
    if (last === undefined) {
      last = 0;
      for (const entry of this.repo.collection(ENTRIES).all()) last = Math.max(last, Number(entry.EntryNumber));
    }
    this.store.setMeta(LAST_ENTRY_NUMBER, last + 1);
    return last + 1;
  }
}

function setAmount(line: ExactRecord, amount: Decimal): void {
  if (!amount.equals(amount.roundToCents()))
    throw new ExactApiError(400, `AmountFC ${amount.toString()} has more than two decimals.`);
  const value = amountNumber(amount);
  line.AmountDC = value;
  line.AmountFC = value;
  line.VATBaseAmountDC = value;
  line.VATBaseAmountFC = value;
}

function setVat(line: ExactRecord, vat: Decimal): void {
  const value = amountNumber(vat);
  line.VATAmountDC = value;
  line.VATAmountFC = value;
  const base = Number(line.AmountFC);
  // A fraction, as Exact's VAT codes hold it (21% -> 0.21); 0 when the base is 0. Not money.
  line.VATPercentage = base === 0 ? 0 : Math.round((value / base) * 10_000) / 10_000;
}

/** Header amounts: AmountDC = net + VAT (what the supplier is paid), VATAmountDC = the VAT. */
function withTotals(entry: ExactRecord, lines: readonly ExactRecord[]): ExactRecord {
  const net = Decimal.sum(lines.map((l) => Decimal.fromJsonNumber(Number(l.AmountFC))));
  const vat = Decimal.sum(lines.map((l) => Decimal.fromJsonNumber(Number(l.VATAmountFC))));
  const gross = amountNumber(net.plus(vat));
  return { ...entry, AmountDC: gross, AmountFC: gross, VATAmountDC: amountNumber(vat), VATAmountFC: amountNumber(vat) };
}
