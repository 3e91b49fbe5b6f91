import { Decimal } from '../../../src-shared/domain/money';
import type { World } from '../seed/world-types';
import type { EntityApi, Tables } from './entity-api';
import { isoFromMs, normalizeDateTime, type StoredRecord } from './schema';

/**
 * First start: the world's accounting side as an Acumatica tenant sees it. Vendors only for
 * suppliers that have an Acumatica id (a null id is a deliberate gap and stays missing);
 * GL accounts = AP expense accounts + the general ledger; subaccounts = departments; Procore
 * purchase-order commitments as Acumatica POs (VendorRef = commitment number) for
 * reconciliation. No bills: those are what the F2 flow writes.
 */
export function projectWorld(world: World, tables: Tables, api: EntityApi): void {
  const modified = isoFromMs(world.asOf);
  const put = (entity: string, values: StoredRecord['values'], details?: StoredRecord['details']): void => {
    tables[entity]?.put({ id: api.newGuid(), values, ...(details ? { details } : {}) });
  };

  for (const s of world.suppliers) {
    if (s.acumaticaVendorId === null) continue;
    put('Vendor', {
      VendorID: s.acumaticaVendorId,
      VendorName: s.name,
      LegalName: s.name,
      VendorClass: 'SUBCON',
      Status: 'Active',
      Terms: '30D',
      CurrencyID: world.currency,
      PaymentMethod: 'CHECK',
      TaxRegistrationID: s.vatNumber,
      F1099Vendor: false,
      CreatedDateTime: modified,
      LastModifiedDateTime: modified,
    });
  }

  let accountId = 1000;
  const seen = new Set<string>();
  const account = (code: string, description: string, type: string): void => {
    if (seen.has(code)) return;
    seen.add(code);
    accountId += 1;
    put('Account', {
      AccountCD: code,
      AccountID: accountId,
      Description: description,
      Type: type,
      AccountClass: type.toUpperCase(),
      Active: true,
      CashAccount: false,
      CurrencyID: world.currency,
      PostOption: 'Summary',
      LastModifiedDateTime: modified,
    });
  };
  for (const a of world.apAccounts) account(a.code, a.description, 'Expense');
  for (const g of world.glAccounts) account(g.code, g.description, g.balanceType === 'B' ? 'Asset' : 'Expense');

  world.departments.forEach((d, i) => {
    put('Subaccount', { SubaccountCD: d.code, SubaccountID: i + 1, Description: d.name, Active: true, Secured: false });
  });

  const projectIds = new Map<string, string>();
  for (const p of world.projects) {
    projectIds.set(p.key, p.acumaticaProjectId);
    put('Project', { ProjectID: p.acumaticaProjectId, Description: p.name, Status: 'Active', LastModifiedDateTime: modified });
  }

  const vendorIds = new Map(world.suppliers.map((s) => [s.key, s.acumaticaVendorId]));
  const accountForCostCode = new Map(world.apAccounts.map((a) => [a.costCode, a.code]));
  const fallbackAccount = world.apAccounts[0]?.code ?? world.glAccounts[0]?.code ?? null;
  let orderNbr = 0;
  for (const c of world.commitments) {
    const vendorId = vendorIds.get(c.supplierKey);
    if (c.kind !== 'purchase_order_contract' || !vendorId) continue;
    orderNbr += 1;
    const project = projectIds.get(c.projectKey) ?? 'X';
    const lines = c.lines.map((line, i) => ({
      id: api.newGuid(),
      values: {
        LineNbr: i + 1,
        LineType: 'Non-Stock',
        LineDescription: line.description,
        OrderQty: '1',
        UnitCost: line.amount,
        ExtendedCost: line.amount,
        Account: accountForCostCode.get(line.costCode) ?? fallbackAccount,
        Project: project,
        CostCode: line.costCode,
        ReceivedAmount: '0.00',
        QtyOnReceipts: '0',
        Completed: false,
        Cancelled: false,
      },
    }));
    const total = Decimal.sum(c.lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
    put(
      'PurchaseOrder',
      {
        Type: 'Normal',
        OrderNbr: `PO${String(orderNbr).padStart(6, '0')}`,
        Status: c.status === 'Approved' || c.status === 'Complete' ? 'Open' : 'On Hold',
        VendorID: vendorId,
        VendorRef: c.number,
        Date: normalizeDateTime(c.contractDate),
        Description: c.title,
        Project: project,
        Hold: !(c.status === 'Approved' || c.status === 'Complete'),
        CurrencyID: world.currency,
        LineTotal: total,
        TaxTotal: '0.00',
        OrderTotal: total,
        ControlTotal: total,
        LastModifiedDateTime: modified,
      },
      lines,
    );
  }
}
