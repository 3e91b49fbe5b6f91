import { Decimal } from '../../../src-shared/domain/money';
import type { World, WorldCommitment } from '../seed/world-types';
import { SUBCONTRACT_TYPE } from './commitment-rules';
import type { EntityApi, Tables } from './entity-api';
import { isoFromMs, normalizeDateTime, type StoredNode, type StoredRecord } from './schema';

/**
 * First start: the world's accounting side as an Acumatica tenant sees it, with the planted
 * differences of `world.deliberate.acumatica`:
 * - vendors only for suppliers that have an Acumatica id (a null id is a deliberate gap);
 * - GL accounts = AP job-cost accounts (one inactive) + the general ledger + a cash, an AP and a
 *   retainage payable account; subaccounts = departments (one inactive);
 * - projects with one task per cost-code division ("03" Concrete…; "01" is the default task) and
 *   the company cost codes (one missing, one Acumatica-only);
 * - Procore purchase-order commitments as purchase orders and work order contracts as
 *   subcontracts (VendorRef = the Procore commitment number, unique per project only), one
 *   subcontract line keyed with another amount; approved Procore change orders as released
 *   Acumatica change orders whose amount is a line of the commitment (one is missing).
 * No bills or payments: those are what the F2 flow writes and reads back.
 */
export function projectWorld(world: World, tables: Tables, api: EntityApi): void {
  const modified = isoFromMs(world.asOf);
  const plants = world.deliberate.acumatica;
  const put = (
    entity: string,
    values: StoredRecord['values'],
    extra: Omit<StoredRecord, 'id' | 'values'> = {},
  ): StoredRecord => {
    const record: StoredRecord = {
      id: api.newGuid(),
      values: { ...values, LastModifiedDateTime: modified },
      ...extra,
    };
    if (entity === 'Subaccount') delete record.values.LastModifiedDateTime; // not in the Subaccount schema
    tables[entity]?.put(record);
    return record;
  };

  put('Account', account('10200', 'Operating bank account', 'Asset', { CashAccount: true }));
  put('Account', account('20000', 'Accounts payable', 'Liability'));
  // Where a bill's retainage line (Procore → Acumatica) credits what is held back from a subcontractor.
  put('Account', account('20500', 'Retainage payable', 'Liability'));
  for (const a of world.apAccounts) {
    put(
      'Account',
      account(a.code, a.description, 'Expense', {
        AccountGroup: 'EXPENSE',
        Active: a.code !== plants.inactiveAccountCode,
      }),
    );
  }
  for (const g of world.glAccounts)
    put('Account', account(g.code, g.description, glAccountType(g.code, g.balanceType)));
  world.departments.forEach((d, i) => {
    put('Subaccount', {
      SubaccountCD: d.code,
      SubaccountID: i + 1,
      Description: d.name,
      Active: d.code !== plants.inactiveSubaccountCode,
      Secured: false,
    });
  });

  for (const s of world.suppliers) {
    if (s.acumaticaVendorId === null) continue;
    const contact = (): StoredNode => ({
      id: api.newGuid(),
      values: { CompanyName: s.name, DisplayName: s.name, Email: s.email },
      linked: { Address: { id: api.newGuid(), values: { City: s.city, Country: s.country } } },
    });
    put(
      'Vendor',
      {
        VendorID: s.acumaticaVendorId,
        VendorName: s.name,
        LegalName: s.name,
        VendorClass: 'SUBCON',
        Status: 'Active',
        Terms: '30D',
        CurrencyID: world.currency,
        PaymentMethod: 'CHECK',
        APAccount: '20000',
        TaxRegistrationID: s.vatNumber,
        F1099Vendor: false,
        CreatedDateTime: modified,
      },
      { linked: { MainContact: contact(), RemittanceContact: contact() } },
    );
  }

  const divisions = [...new Set(world.costCodes.map((c) => division(c.code)))];
  const projectIds = new Map<string, string>();
  for (const p of world.projects) {
    projectIds.set(p.key, p.acumaticaProjectId);
    put('Project', {
      ProjectID: p.acumaticaProjectId,
      Description: p.name,
      Status: 'Active',
      Hold: false,
      ExternalRefNbr: p.code,
    });
    for (const d of divisions) {
      put('ProjectTask', {
        ProjectID: p.acumaticaProjectId,
        ProjectTaskID: d,
        Description: DIVISION_NAMES[d] ?? `Division ${d}`,
        Status: 'Active',
        Default: d === divisions[0],
      });
    }
  }
  for (const c of world.costCodes)
    if (c.code !== plants.missingCostCode) put('CostCode', { CostCodeID: c.code, Description: c.name });
  put('CostCode', { CostCodeID: plants.onlyCostCode.code, Description: plants.onlyCostCode.name });

  const vendorIds = new Map(world.suppliers.map((s) => [s.key, s.acumaticaVendorId]));
  const accountForCostCode = new Map(world.apAccounts.map((a) => [a.costCode, a.code]));
  const fallbackAccount = world.apAccounts[0]?.code ?? null;
  for (const c of world.commitments) {
    const vendorId = vendorIds.get(c.supplierKey);
    if (!vendorId) continue;
    const project = projectIds.get(c.projectKey) ?? 'X';
    const isSubcontract = c.kind === 'work_order_contract';
    const task = isSubcontract ? 'Task' : 'ProjectTask';
    const approvedChanges = c.changeOrders.filter(
      (co) => co.status === 'approved' && co.key !== plants.changeOrderMissingKey,
    );
    const coded = (costCode: string): StoredRecord['values'] => ({
      Account: accountForCostCode.get(costCode) ?? fallbackAccount,
      CostCode: costCode,
      Project: project,
      [task]: division(costCode),
    });
    const lines: StoredNode[] = c.lines.map((line, i) => {
      const amount =
        line.key === plants.subcontractLineDifference?.lineKey
          ? plants.subcontractLineDifference.acumaticaAmount
          : line.amount;
      return {
        id: api.newGuid(),
        values: {
          LineNbr: i + 1,
          LineDescription: line.description,
          OrderQty: '1',
          UnitCost: amount,
          ExtendedCost: amount,
          ...coded(line.costCode),
        },
      };
    });
    const number = isSubcontract
      ? api.nextNumber('Subcontract', 'SC')
      : api.nextNumber('PurchaseOrder', 'PO');
    const changeOrders = approvedChanges.map((co) => ({ co, refNbr: api.nextNumber('ChangeOrder', 'CO') }));
    for (const { co, refNbr } of changeOrders) {
      lines.push({
        id: api.newGuid(),
        values: {
          LineNbr: lines.length + 1,
          LineDescription: `${refNbr} ${co.title}`,
          OrderQty: '1',
          UnitCost: co.amount,
          ExtendedCost: co.amount,
          ...coded(co.costCode),
        },
      });
    }
    const total = Decimal.sum(lines.map((l) => Decimal.parse(String(l.values.ExtendedCost)))).toMoneyString();
    const open = c.status === 'Approved' || c.status === 'Complete';
    const header = {
      VendorID: vendorId,
      VendorRef: c.number,
      Date: normalizeDateTime(c.contractDate),
      Description: c.title,
      Branch: 'HEADOFFICE',
      Hold: !open,
      CurrencyID: world.currency,
      Terms: '30D',
      LineTotal: total,
      TaxTotal: '0.00',
      ControlTotal: total,
    };
    if (isSubcontract) {
      for (const l of lines)
        Object.assign(l.values, {
          OrderNbr: number,
          OrderType: SUBCONTRACT_TYPE,
          Amount: l.values.ExtendedCost,
          DiscountAmount: '0.00',
          RetainagePct: '0',
          RetainageAmount: '0.00',
        });
      put(
        'Subcontract',
        {
          ...header,
          SubcontractNbr: number,
          Status: c.status === 'Complete' ? 'Completed' : open ? 'Open' : 'On Hold',
          SubcontractTotal: total,
          DiscountTotal: '0.00',
          RetainageTotal: '0.00',
          ApplyRetainage: false,
          RetainagePct: '0',
        },
        { collections: { Details: lines } },
      );
    } else {
      for (const l of lines)
        Object.assign(l.values, {
          OrderNbr: number,
          OrderType: 'Normal',
          LineType: 'Non-Stock',
          ReceivedAmount: '0.00',
          QtyOnReceipts: '0',
          Completed: false,
          Cancelled: false,
        });
      put(
        'PurchaseOrder',
        {
          ...header,
          Type: 'Normal',
          OrderNbr: number,
          Project: project,
          Status: open ? 'Open' : 'On Hold',
          OrderTotal: total,
        },
        { collections: { Details: lines } },
      );
    }
    for (const { co, refNbr } of changeOrders)
      putChangeOrder(
        put,
        api.newGuid(),
        c,
        co,
        refNbr,
        number,
        project,
        vendorId,
        coded(co.costCode),
        isSubcontract,
      );
  }
}

function putChangeOrder(
  put: (
    entity: string,
    values: StoredRecord['values'],
    extra?: Omit<StoredRecord, 'id' | 'values'>,
  ) => StoredRecord,
  lineId: string,
  commitment: WorldCommitment,
  co: WorldCommitment['changeOrders'][number],
  refNbr: string,
  poNbr: string,
  project: string,
  vendorId: string,
  coding: StoredRecord['values'],
  isSubcontract: boolean,
): void {
  const line: StoredNode = {
    id: lineId,
    values: {
      POType: isSubcontract ? SUBCONTRACT_TYPE : 'Normal',
      PONbr: poNbr,
      Vendor: vendorId,
      Account: coding.Account ?? null,
      CostCode: coding.CostCode ?? null,
      ProjectTaskID: coding.Task ?? coding.ProjectTask ?? null,
      Amount: co.amount,
      AmountinBaseCurrency: co.amount,
      Description: co.title,
      Status: 'New Line',
    },
  };
  put(
    'ChangeOrder',
    {
      RefNbr: refNbr,
      ProjectID: project,
      Description: co.title,
      ExternalRefNbr: `${commitment.number}/${co.number}`,
      ChangeDate: normalizeDateTime(commitment.contractDate),
      Hold: false,
      Status: 'Closed',
      CommitmentsChangeTotal: co.amount,
    },
    { collections: { Commitments: [line] } },
  );
}

function account(
  code: string,
  description: string,
  type: string,
  extra: StoredRecord['values'] = {},
): StoredRecord['values'] {
  return {
    AccountCD: code,
    AccountID: Number(code),
    Description: description,
    Type: type,
    AccountClass: type.toUpperCase(),
    Active: true,
    CashAccount: false,
    CurrencyID: 'EUR',
    PostOption: 'Summary',
    ...extra,
  };
}

/** Dutch chart: balance accounts (B) are assets except payables (16xx) and VAT to pay (152x); W accounts 8xxx are revenue. */
function glAccountType(code: string, balanceType: 'B' | 'W'): string {
  if (balanceType === 'B') return code.startsWith('16') || code.startsWith('152') ? 'Liability' : 'Asset';
  return code.startsWith('8') ? 'Income' : 'Expense';
}

/** "03-300" → "03": the project task a cost code's lines go to. */
function division(costCode: string): string {
  return costCode.slice(0, 2);
}

/** CSI MasterFormat division titles for the demo tenant's project tasks. */
const DIVISION_NAMES: Record<string, string> = {
  '01': 'General Requirements',
  '03': 'Concrete',
  '04': 'Masonry',
  '05': 'Metals',
  '06': 'Wood, Plastics and Composites',
  '07': 'Thermal and Moisture Protection',
  '08': 'Openings',
  '09': 'Finishes',
  '22': 'Plumbing',
  '23': 'Heating, Ventilating and Air Conditioning',
  '26': 'Electrical',
  '31': 'Earthwork',
};
