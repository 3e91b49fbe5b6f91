import { createHash } from 'node:crypto';
import { Decimal } from '../../../src-shared/domain/money';
import type { Rng } from '../_common/rng';
import type { World, WorldPurchaseOrder } from '../seed/world-types';
import { amountNumber, decimalNumber, exactDate, exactDateFromIso, padAccountCode, parseExactDate, readDecimal, type ExactRecord } from './wire';

/**
 * World -> Exact records, shaped and named as the REST API returns them (fact sheet §1.5).
 * Amounts are JSON numbers made from exact decimal strings (see amountNumber); dates are
 * "/Date(ms)/". Navigation properties (line collections) are not stored on the header: the
 * routes add them as __deferred or expanded results.
 */
export interface ExactUser {
  userId: string;
  fullName: string;
  email: string;
  userName: string;
  divisionCustomerId: string;
}

/** A GUID drawn from a seeded RNG so a seed always gives the same ids. */
export function seededGuid(rng: Rng): string {
  const hex = Array.from({ length: 16 }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join('');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A GUID derived from a name (SHA-256), for records the world does not hold itself (bank
 * accounts, sales items): the same world always gives the same ids, and no world RNG draw moves.
 */
export function derivedGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Collections of the projected world, in the order their records are created. */
export interface ExactProjection {
  Accounts: ExactRecord[];
  BankAccounts: ExactRecord[];
  GLAccounts: ExactRecord[];
  Costcenters: ExactRecord[];
  Costunits: ExactRecord[];
  Items: ExactRecord[];
  Projects: ExactRecord[];
  PurchaseOrders: ExactRecord[];
  PurchaseOrderLines: ExactRecord[];
  PurchaseEntries: ExactRecord[];
  PurchaseEntryLines: ExactRecord[];
  SalesOrders: ExactRecord[];
  SalesOrderLines: ExactRecord[];
  SalesInvoices: ExactRecord[];
  SalesInvoiceLines: ExactRecord[];
}

const DAY_MS = 86_400_000;
const ORDER_STATUS_TEXT: Record<number, string> = { 10: 'Open', 20: 'Partial', 30: 'Complete', 40: 'Canceled' };

function byKey<T extends { key: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.key, i]));
}

function need<T>(map: Map<string, T>, key: string, what: string): T {
  const found = map.get(key);
  if (!found) throw new Error(`The sandbox world refers to ${what} "${key}", which it does not contain.`);
  return found;
}

export function projectWorld(world: World, division: number, user: ExactUser): ExactProjection {
  // Reference data predates the transactions: created a year before the world's end.
  const referenceDate = exactDate(world.asOf - 365 * DAY_MS);
  const common = { Division: division };
  const glByCode = new Map(world.glAccounts.map((g) => [g.code, g]));
  const costCenterByCode = new Map(world.costCenters.map((c) => [c.code, c]));
  const costUnitByCode = new Map(world.costUnits.map((c) => [c.code, c]));
  const projects = byKey(world.projects);
  const suppliers = byKey(world.suppliers);
  const customers = byKey(world.customers);
  const items = byKey(world.items);
  const gl = (code: string): World['glAccounts'][number] => need(glByCode, code, 'G/L account');
  const costCenter = (code: string): World['costCenters'][number] => need(costCenterByCode, code, 'cost center');
  const costUnitDescription = (code: string | null): string | null => (code === null ? null : need(costUnitByCode, code, 'cost unit').description);

  const accountBase = { Blocked: false, ChamberOfCommerce: null, Phone: null, Website: null, AddressLine1: null, AddressLine2: null, AddressLine3: null, Postcode: null, State: null, StartDate: null, EndDate: null, Created: referenceDate, Modified: referenceDate, ...common };
  const Accounts: ExactRecord[] = [
    ...world.suppliers.map((s) => ({
      ID: s.exactId,
      Code: padAccountCode(s.code),
      Name: s.name,
      IsSupplier: true,
      IsSales: false,
      Status: null,
      VATNumber: s.vatNumber,
      Email: s.email,
      City: s.city,
      Country: s.country,
      PaymentConditionPurchase: '30',
      PurchaseCurrency: world.currency,
      ...accountBase,
    })),
    ...world.customers.map((c) => ({
      ID: c.exactId,
      Code: padAccountCode(c.code),
      Name: c.name,
      IsSupplier: false,
      IsSales: true,
      Status: 'C',
      VATNumber: null,
      Email: null,
      City: null,
      Country: null,
      PaymentConditionPurchase: null,
      PurchaseCurrency: null,
      ...accountBase,
    })),
  ];

  // One bank account per supplier (the world holds none): a valid Dutch IBAN derived from the
  // supplier's id, so F5's "bank details are read, never written" has something to read.
  const BankAccounts: ExactRecord[] = world.suppliers.map((s) => supplierBankAccount(s.exactId, s.name, referenceDate, division));

  const GLAccounts: ExactRecord[] = world.glAccounts.map((g) => ({
    ID: g.exactId,
    Code: g.code,
    Description: g.description,
    // Type codes: 110 = other costs (P&L), 90 = other current assets (balance sheet).
    Type: g.balanceType === 'W' ? 110 : 90,
    TypeDescription: g.balanceType === 'W' ? 'Other costs' : 'Other current assets',
    BalanceType: g.balanceType,
    BalanceSide: 'D',
    IsBlocked: false,
    Costcenter: null,
    CostcenterDescription: null,
    Costunit: null,
    CostunitDescription: null,
    UseCostcenter: 0,
    UseCostunit: 0,
    VATCode: null,
    SearchCode: null,
    Created: referenceDate,
    Modified: referenceDate,
    ...common,
  }));

  const dimension = (d: { exactId: string; code: string; description: string }): ExactRecord => ({
    ID: d.exactId,
    Code: d.code,
    Description: d.description,
    EndDate: null,
    Created: referenceDate,
    Creator: user.userId,
    Modified: referenceDate,
    CustomField: null,
    ...common,
  });

  const Items: ExactRecord[] = world.items.map((i) => {
    const account = gl(i.glAccountCode);
    return {
      ID: i.exactId,
      Code: i.code,
      Description: i.description,
      Unit: i.unit,
      UnitDescription: i.unit,
      IsPurchaseItem: true,
      IsSalesItem: false,
      IsStockItem: false,
      GLCosts: account.exactId,
      GLCostsCode: account.code,
      GLCostsDescription: account.description,
      GLRevenue: null,
      GLRevenueCode: null,
      GLRevenueDescription: null,
      Created: referenceDate,
      Modified: referenceDate,
      ...common,
    };
  });
  // Sales order lines are item-based and take their G/L from the item's revenue account (§1.5:
  // order lines have no GLAccount); the world's order lines name a revenue G/L, so one sales item
  // per revenue account used stands for it.
  const salesItems = new Map<string, ExactRecord>();
  const salesItemFor = (glCode: string): ExactRecord => {
    let item = salesItems.get(glCode);
    if (!item) {
      const account = gl(glCode);
      item = {
        ID: derivedGuid(`exact-sales-item:${account.exactId}`),
        Code: `OMZET-${account.code}`,
        Description: account.description,
        Unit: 'st',
        UnitDescription: 'stuk',
        IsPurchaseItem: false,
        IsSalesItem: true,
        IsStockItem: false,
        GLCosts: null,
        GLCostsCode: null,
        GLCostsDescription: null,
        GLRevenue: account.exactId,
        GLRevenueCode: account.code,
        GLRevenueDescription: account.description,
        Created: referenceDate,
        Modified: referenceDate,
        ...common,
      };
      salesItems.set(glCode, item);
    }
    return item;
  };

  const Projects: ExactRecord[] = world.projects.map((p) => ({
    ID: p.exactId,
    Code: p.code,
    Description: p.name,
    Type: 2,
    TypeDescription: 'Fixed price',
    Notes: p.city,
    Created: referenceDate,
    Modified: referenceDate,
    ...common,
  }));

  const PurchaseOrders: ExactRecord[] = [];
  const PurchaseOrderLines: ExactRecord[] = [];
  for (const po of world.purchaseOrders) {
    const supplier = need(suppliers, po.supplierKey, 'supplier');
    const modified = exactDate(po.modifiedAt);
    const lines = po.lines.map((l): ExactRecord => {
      const item = need(items, l.itemKey, 'item');
      const project = need(projects, l.projectKey, 'project');
      const quantity = Decimal.parse(l.quantity);
      const lineAmount = amountNumber(Decimal.parse(l.amount));
      return {
        ID: l.exactId,
        PurchaseOrderID: po.exactId,
        LineNumber: l.lineNumber,
        Item: item.exactId,
        ItemCode: item.code,
        ItemDescription: item.description,
        Description: l.description,
        Quantity: decimalNumber(quantity),
        QuantityInPurchaseUnits: decimalNumber(quantity),
        Unit: item.unit,
        UnitPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        NetPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        Discount: 0,
        AmountDC: lineAmount,
        AmountFC: lineAmount,
        VATCode: null,
        VATPercentage: 0,
        VATAmount: 0,
        CostCenter: l.costCenterCode,
        CostCenterDescription: costCenter(l.costCenterCode).description,
        CostUnit: l.costUnitCode,
        CostUnitDescription: costUnitDescription(l.costUnitCode),
        Project: project.exactId,
        ProjectCode: project.code,
        ProjectDescription: project.name,
        Expense: null,
        ReceivedQuantity: po.orderStatus === 30 ? decimalNumber(quantity) : 0,
        InvoicedQuantity: 0,
        ReceiptDate: exactDateFromIso(po.receiptDate),
        Notes: null,
        Modified: modified,
        ...common,
      };
    });
    PurchaseOrderLines.push(...lines);
    PurchaseOrders.push(purchaseOrderHeader(po, supplier, user, division, lines));
  }

  const PurchaseEntries: ExactRecord[] = [];
  const PurchaseEntryLines: ExactRecord[] = [];
  for (const pe of world.purchaseEntries) {
    const supplier = need(suppliers, pe.supplierKey, 'supplier');
    let net = Decimal.ZERO;
    let vat = Decimal.ZERO;
    for (const l of pe.lines) {
      const account = gl(l.glAccountCode);
      const project = need(projects, l.projectKey, 'project');
      const amount = Decimal.parse(l.amount);
      const vatAmount = Decimal.parse(l.vatAmount);
      net = net.plus(amount);
      vat = vat.plus(vatAmount);
      PurchaseEntryLines.push({
        ID: l.exactId,
        EntryID: pe.exactId,
        LineNumber: l.lineNumber,
        GLAccount: account.exactId,
        GLAccountCode: account.code,
        GLAccountDescription: account.description,
        Description: l.description,
        // Line amounts exclude VAT; VATPercentage is a fraction (21% -> 0.21), as Exact's VAT codes hold it.
        AmountDC: amountNumber(amount),
        AmountFC: amountNumber(amount),
        VATBaseAmountDC: amountNumber(amount),
        VATBaseAmountFC: amountNumber(amount),
        VATCode: '2',
        VATPercentage: decimalNumber(Decimal.parse(l.vatPercentage).times(Decimal.parse('0.01'))),
        VATAmountDC: amountNumber(vatAmount),
        VATAmountFC: amountNumber(vatAmount),
        CostCenter: l.costCenterCode,
        CostCenterDescription: costCenter(l.costCenterCode).description,
        CostUnit: l.costUnitCode,
        CostUnitDescription: costUnitDescription(l.costUnitCode),
        Project: project.exactId,
        ProjectCode: project.code,
        ProjectDescription: project.name,
        Quantity: 1,
        Notes: null,
        From: null,
        To: null,
        ...common,
      });
    }
    const entryMs = Date.parse(`${pe.entryDate}T00:00:00Z`);
    const entryDay = new Date(entryMs);
    PurchaseEntries.push({
      EntryID: pe.exactId,
      EntryNumber: pe.entryNumber,
      InvoiceNumber: pe.entryNumber,
      YourRef: pe.invoiceNumber,
      Supplier: supplier.exactId,
      SupplierName: supplier.name,
      EntryDate: exactDate(entryMs),
      DueDate: exactDateFromIso(pe.dueDate),
      Journal: '60',
      Currency: pe.currency,
      Rate: 1,
      // Header amounts include VAT (what the supplier is paid); lines are net.
      AmountDC: amountNumber(net.plus(vat)),
      AmountFC: amountNumber(net.plus(vat)),
      VATAmountDC: amountNumber(vat),
      VATAmountFC: amountNumber(vat),
      Description: pe.description,
      PaymentCondition: '30',
      PaymentReference: null,
      ReportingYear: entryDay.getUTCFullYear(),
      ReportingPeriod: entryDay.getUTCMonth() + 1,
      OrderNumber: null,
      Document: null,
      Status: pe.status,
      StatusDescription: pe.status === 50 ? 'Processed' : 'Open',
      Type: 30,
      TypeDescription: 'Purchase entry',
      Created: exactDate(pe.modifiedAt),
      Modified: exactDate(pe.modifiedAt),
      ...common,
    });
  }

  const SalesOrders: ExactRecord[] = [];
  const SalesOrderLines: ExactRecord[] = [];
  for (const so of world.salesOrders) {
    const customer = need(customers, so.customerKey, 'customer');
    const project = need(projects, so.projectKey, 'project');
    const modified = exactDate(so.modifiedAt);
    for (const l of so.lines) {
      const amount = amountNumber(Decimal.parse(l.amount));
      const item = salesItemFor(l.glAccountCode);
      SalesOrderLines.push({
        ID: l.exactId,
        OrderID: so.exactId,
        LineNumber: l.lineNumber,
        Item: item.ID,
        ItemCode: item.Code,
        ItemDescription: item.Description,
        Description: l.description,
        Quantity: decimalNumber(Decimal.parse(l.quantity)),
        UnitPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        NetPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        AmountDC: amount,
        AmountFC: amount,
        // The world's sales orders carry no VAT and no cost center.
        VATAmount: 0,
        VATCode: null,
        VATPercentage: 0,
        CostCenter: null,
        CostCenterDescription: null,
        CostUnit: null,
        CostUnitDescription: null,
        Project: project.exactId,
        ProjectCode: project.code,
        ProjectDescription: project.name,
        Modified: modified,
        ...common,
      });
    }
    const amount = amountNumber(Decimal.parse(so.amount));
    const orderMs = Date.parse(`${so.orderDate}T00:00:00Z`);
    SalesOrders.push({
      OrderID: so.exactId,
      OrderNumber: so.orderNumber,
      OrderedBy: customer.exactId,
      OrderedByName: customer.name,
      InvoiceTo: customer.exactId,
      InvoiceToName: customer.name,
      OrderDate: exactDate(orderMs),
      // The world has no delivery date: two weeks after the order (a sandbox choice, README).
      DeliveryDate: exactDate(orderMs + 14 * DAY_MS),
      Description: so.description,
      YourRef: null,
      Currency: world.currency,
      AmountDC: amount,
      AmountFC: amount,
      AmountFCExclVat: amount,
      VATAmount: 0,
      Status: so.status,
      StatusDescription: { 12: 'Open', 20: 'Partial', 21: 'Complete', 45: 'Cancelled' }[so.status],
      DeliveryStatus: so.status === 21 ? 21 : 12,
      InvoiceStatus: 12,
      ApprovalStatus: 1,
      Created: modified,
      Modified: modified,
      ...common,
    });
  }

  const SalesInvoices: ExactRecord[] = [];
  const SalesInvoiceLines: ExactRecord[] = [];
  for (const si of world.salesInvoices) {
    const customer = need(customers, si.customerKey, 'customer');
    const project = need(projects, si.projectKey, 'project');
    const modified = exactDate(si.modifiedAt);
    const lineVat = salesInvoiceLineVat(si);
    si.lines.forEach((l, index) => {
      const account = gl(l.glAccountCode);
      const amount = amountNumber(Decimal.parse(l.amount));
      const vat = amountNumber(lineVat[index] as Decimal);
      SalesInvoiceLines.push({
        ID: l.exactId,
        InvoiceID: si.exactId,
        LineNumber: l.lineNumber,
        Item: null,
        ItemCode: null,
        ItemDescription: null,
        Description: l.description,
        Quantity: decimalNumber(Decimal.parse(l.quantity)),
        UnitPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        NetPrice: decimalNumber(Decimal.parse(l.unitPrice)),
        AmountDC: amount,
        AmountFC: amount,
        GLAccount: account.exactId,
        GLAccountDescription: account.description,
        // 21 % per line, as the world computed the invoice's VAT (see salesInvoiceLineVat).
        VATCode: '2',
        VATPercentage: 0.21,
        VATAmountDC: vat,
        VATAmountFC: vat,
        CostCenter: l.costCenterCode,
        CostCenterDescription: costCenter(l.costCenterCode).description,
        CostUnit: null,
        CostUnitDescription: null,
        Project: project.exactId,
        ProjectDescription: project.name,
        Modified: modified,
        ...common,
      });
    });
    const net = Decimal.parse(si.amountExclVat);
    const vat = Decimal.parse(si.vatAmount);
    SalesInvoices.push({
      InvoiceID: si.exactId,
      InvoiceNumber: si.invoiceNumber,
      InvoiceTo: customer.exactId,
      InvoiceToName: customer.name,
      OrderedBy: customer.exactId,
      OrderedByName: customer.name,
      InvoiceDate: exactDateFromIso(si.invoiceDate),
      DueDate: exactDateFromIso(si.dueDate),
      Journal: '70',
      Currency: world.currency,
      AmountDC: amountNumber(net.plus(vat)),
      AmountFC: amountNumber(net.plus(vat)),
      AmountFCExclVat: amountNumber(net),
      VATAmountDC: amountNumber(vat),
      VATAmountFC: amountNumber(vat),
      Status: si.status,
      StatusDescription: { 10: 'Draft', 20: 'Open', 50: 'Processed' }[si.status],
      Type: 8020,
      TypeDescription: 'Sales invoice',
      YourRef: null,
      Description: si.description,
      Created: modified,
      Modified: modified,
      ...common,
    });
  }

  return {
    Accounts,
    BankAccounts,
    GLAccounts,
    Costcenters: world.costCenters.map(dimension),
    Costunits: world.costUnits.map(dimension),
    Items: [...Items, ...salesItems.values()],
    Projects,
    PurchaseOrders,
    PurchaseOrderLines,
    PurchaseEntries,
    PurchaseEntryLines,
    SalesOrders,
    SalesOrderLines,
    SalesInvoices,
    SalesInvoiceLines,
  };
}

/**
 * VAT per sales-invoice line: 21 % of the line rounded to the cent, which is how the world
 * summed the invoice's VAT; any difference to the world's total goes on the last line, so the
 * lines always add up to the invoice.
 */
function salesInvoiceLineVat(si: World['salesInvoices'][number]): Decimal[] {
  const rate = Decimal.parse('0.21');
  const perLine = si.lines.map((l) => Decimal.parse(l.amount).times(rate, 2));
  const difference = Decimal.parse(si.vatAmount).minus(Decimal.sum(perLine));
  if (!difference.isZero() && perLine.length > 0) perLine[perLine.length - 1] = (perLine.at(-1) as Decimal).plus(difference);
  return perLine;
}

/** Dutch banks for the derived IBANs: bank code and BIC. */
const BANKS: readonly (readonly [string, string])[] = [
  ['INGB', 'INGBNL2A'],
  ['RABO', 'RABONL2U'],
  ['ABNA', 'ABNANL2A'],
  ['TRIO', 'TRIONL2U'],
];

/** A valid NL IBAN (ISO 13616 mod-97 check digits) derived from `seed`, with its BIC. */
export function derivedDutchIban(seed: string): { iban: string; bic: string } {
  const digest = createHash('sha256').update(`exact-iban:${seed}`).digest();
  const [bank, bic] = BANKS[(digest[0] as number) % BANKS.length] as readonly [string, string];
  const account = (digest.readUInt32BE(1) % 10_000_000_000).toString().padStart(10, '0');
  const bban = `${bank}${account}`;
  // Letters count as 10..35; the country code and "00" move to the end before taking mod 97.
  const numeric = `${bban}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  const check = 98n - (BigInt(numeric) % 97n);
  return { iban: `NL${check.toString().padStart(2, '0')}${bban}`, bic };
}

/** The one bank account a sandbox supplier has (crm/BankAccounts shape). */
export function supplierBankAccount(accountId: string, holder: string, created: string, division: number): ExactRecord {
  const { iban, bic } = derivedDutchIban(accountId);
  return {
    ID: derivedGuid(`exact-bank-account:${accountId}`),
    Account: accountId,
    AccountName: holder,
    BankAccount: iban,
    BankAccountHolderName: holder,
    BICCode: bic,
    Description: null,
    Format: 'IBAN',
    Main: true,
    Type: 'A',
    TypeDescription: 'Account',
    Created: created,
    Modified: created,
    Division: division,
  };
}

/**
 * One sync/CRM/Accounts row: the account as it is now, with its bank accounts inline (the sync
 * model lists `BankAccounts` as a collection of the row; inline vs deferred is unconfirmed and
 * a config switch, see routes.ts).
 */
export function accountSyncRow(account: ExactRecord, bankAccounts: readonly ExactRecord[], timestamp: number): ExactRecord {
  return { Timestamp: timestamp, ...account, BankAccounts: { results: bankAccounts.map((b) => ({ ...b })) } };
}

function purchaseOrderHeader(
  po: WorldPurchaseOrder,
  supplier: World['suppliers'][number],
  user: ExactUser,
  division: number,
  lines: readonly ExactRecord[],
): ExactRecord {
  const modified = exactDate(po.modifiedAt);
  const orderDate = exactDateFromIso(po.orderDate);
  const header: ExactRecord = {
    PurchaseOrderID: po.exactId,
    OrderNumber: po.orderNumber,
    Supplier: supplier.exactId,
    SupplierCode: padAccountCode(supplier.code),
    SupplierName: supplier.name,
    SupplierContact: null,
    OrderDate: orderDate,
    ReceiptDate: exactDateFromIso(po.receiptDate),
    Description: po.description,
    YourRef: po.yourRef,
    Remarks: null,
    Currency: po.currency,
    ExchangeRate: 1,
    AmountDC: 0,
    AmountFC: 0,
    VATAmount: 0,
    PaymentCondition: '30',
    OrderStatus: po.orderStatus,
    OrderStatusDescription: ORDER_STATUS_TEXT[po.orderStatus],
    ReceiptStatus: po.orderStatus === 30 ? 30 : po.orderStatus === 40 ? 40 : 10,
    InvoiceStatus: po.orderStatus === 40 ? 40 : 10,
    ApprovalStatus: 2,
    Approved: orderDate,
    Approver: user.userId,
    Warehouse: null,
    Source: 1,
    Created: orderDate,
    Creator: user.userId,
    Modified: modified,
    PurchaseOrderLineCount: 0,
    Division: division,
  };
  return recomputePurchaseOrderTotals(header, lines);
}

/** Header totals as the exact sum of the line amounts (never a float accumulation). */
export function recomputePurchaseOrderTotals(header: ExactRecord, lines: readonly ExactRecord[]): ExactRecord {
  const total = Decimal.sum(lines.map((l) => readDecimal(l.AmountDC, 'AmountDC')));
  const vat = Decimal.sum(lines.map((l) => readDecimal(l.VATAmount, 'VATAmount')));
  return {
    ...header,
    AmountDC: amountNumber(total),
    AmountFC: amountNumber(total),
    VATAmount: amountNumber(vat),
    PurchaseOrderLineCount: lines.length,
  };
}

/** Line amount = Quantity × NetPrice rounded once, half away from zero, to the cent. */
export function recomputePurchaseOrderLine(line: ExactRecord): ExactRecord {
  const amount = readDecimal(line.Quantity, 'Quantity').times(readDecimal(line.NetPrice, 'NetPrice'), 2);
  return { ...line, AmountDC: amountNumber(amount), AmountFC: amountNumber(amount) };
}

/**
 * One sync/PurchaseOrder/PurchaseOrders row per line (§1.6): the header fields repeated, the
 * line's own fields (ID, Description, amounts…) on top, the shared PurchaseOrderID, and the
 * later of the header's and the line's Modified.
 */
export function purchaseOrderSyncRow(header: ExactRecord, line: ExactRecord, timestamp: number): ExactRecord {
  const { PurchaseOrderLineCount: _count, ...headerFields } = header;
  const modified = Math.max(parseExactDate(header.Modified) ?? 0, parseExactDate(line.Modified) ?? 0);
  return {
    Timestamp: timestamp,
    ...headerFields,
    ...line,
    CostCenterCode: line.CostCenter,
    CostUnitCode: line.CostUnit,
    Modified: exactDate(modified),
  };
}

/** One sync/SalesInvoice/SalesInvoices row per line, header fields repeated (§1.6). */
export function salesInvoiceSyncRow(header: ExactRecord, line: ExactRecord, timestamp: number): ExactRecord {
  return { Timestamp: timestamp, ...header, ...line };
}

/** Sync rows of a plain entity: the record plus its Timestamp; `ID` names the key. */
export function entitySyncRow(record: ExactRecord, keyField: string, timestamp: number): ExactRecord {
  return { Timestamp: timestamp, ...record, ID: record[keyField] };
}
