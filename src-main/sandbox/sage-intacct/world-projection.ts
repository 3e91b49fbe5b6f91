import type { SimStore } from '../_common/sim-store';
import type { World } from '../seed/world-types';
import type { ObjectTable } from './objects';
import { intacctTimestamp } from './values';

/**
 * The demo company as Intacct holds it, projected from the shared world: vendors for suppliers
 * with an Intacct id (null ids stay missing on purpose), GL accounts (AP expense accounts +
 * ledger), journals, a bank account, departments, one location (entity) per project city,
 * projects with one TASK per cost code and one COSTTYPE per line item type (Construction:
 * Procore cost code → task, line item type → cost type), classes, customers, employees,
 * items and a warehouse. Planted for the connector's validation: one inactive GL account,
 * one inactive department and one inactive class. No bills: the F3 flow writes those.
 *
 * Each step runs once per store and is recorded in the store's meta, so a store seeded by an
 * older simulator (before TASK, CLASS, … existed) gets the new steps on its next start
 * without duplicating what it already has.
 */
const PROJECTED_META = 'worldProjectionSteps';
/** What the first version of this simulator projected, for stores that predate the meta. */
const FIRST_VERSION_STEPS = ['VENDOR', 'GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT'];

export const INACTIVE_GL_ACCOUNT = '59990';
export const INACTIVE_DEPARTMENT = 'INT';
export const INACTIVE_CLASS = 'LEGACY';
export const BANK_ACCOUNT = 'BNK-EUR';
/** What a Procore → Intacct company sets up besides the world (connection settings of the sandbox). */
export const SANDBOX_RETAINAGE_ACCOUNT = '1610';
export const SANDBOX_COMMITMENT_OFFSET_ACCOUNT = '9990';
export const SANDBOX_COMMITMENT_ITEM = 'PROCORE-COMMIT';
/** A task each project has in Intacct only (the accountants added it): F3 brings it into Procore as a cost code. */
export const INTACCT_ONLY_TASK = { id: '01-950', name: 'Contingency and allowances' };

const STEP_NAMES = [
  ...FIRST_VERSION_STEPS,
  'GLACCOUNT:inactive',
  'DEPARTMENT:inactive',
  'TASK',
  'COSTTYPE',
  'CLASS',
  'CUSTOMER',
  'EMPLOYEE',
  'ITEM',
  'WAREHOUSE',
  'GLJOURNAL',
  'CHECKINGACCOUNT',
  'PROCORE-SETUP',
];

type Put = (object: string, fields: Record<string, string>) => void;

export function projectWorld(store: SimStore, freshStore: boolean, getWorld: () => World, tables: Record<string, ObjectTable>): void {
  const done = new Set(store.getMeta<string[]>(PROJECTED_META) ?? (freshStore ? [] : FIRST_VERSION_STEPS));
  if (STEP_NAMES.every((name) => done.has(name))) return; // a restart: the world is not even generated
  const world = getWorld();
  const stamp = intacctTimestamp(world.asOf);
  const put: Put = (object, fields) => {
    const table = tables[object];
    if (!table) throw new Error(`world projection: no table ${object}`);
    table.put({ fields: { RECORDNO: table.nextRecordNo(), ...fields, WHENCREATED: stamp, WHENMODIFIED: stamp } });
  };
  const locationOfCity = new Map<string, string>();
  for (const p of world.projects) if (!locationOfCity.has(p.city)) locationOfCity.set(p.city, String(100 * (locationOfCity.size + 1)));

  const steps: [string, () => void][] = [
    ['VENDOR', () => vendors(world, put)],
    ['GLACCOUNT', () => glAccounts(world, put)],
    ['DEPARTMENT', () => world.departments.forEach((d) => put('DEPARTMENT', { DEPARTMENTID: d.code, TITLE: d.name, STATUS: 'active' }))],
    ['LOCATION', () => locationOfCity.forEach((id, city) => put('LOCATION', { LOCATIONID: id, NAME: city, STATUS: 'active' }))],
    ['PROJECT', () => world.projects.forEach((p) => put('PROJECT', { PROJECTID: p.intacctProjectId, NAME: p.name, STATUS: 'active', LOCATIONID: locationOfCity.get(p.city) ?? '' }))],
    ['GLACCOUNT:inactive', () => put('GLACCOUNT', { ACCOUNTNO: INACTIVE_GL_ACCOUNT, TITLE: 'Job cost - legacy subcontracts (closed)', ACCOUNTTYPE: 'incomestatement', NORMALBALANCE: 'debit', CLOSINGTYPE: 'closing account', STATUS: 'inactive' })],
    ['DEPARTMENT:inactive', () => put('DEPARTMENT', { DEPARTMENTID: INACTIVE_DEPARTMENT, TITLE: 'Interiors (closed 2025)', STATUS: 'inactive' })],
    ['TASK', () => tasks(world, put)],
    ['COSTTYPE', () => costTypes(world, put)],
    ['CLASS', () => classes(put)],
    ['CUSTOMER', () => world.customers.forEach((c) => put('CUSTOMER', { CUSTOMERID: c.code, NAME: c.name, STATUS: 'active' }))],
    ['EMPLOYEE', () => employees(put)],
    ['ITEM', () => world.items.forEach((i) => put('ITEM', { ITEMID: i.code, NAME: i.description, ITEMTYPE: 'Non-Inventory (Purchase only)', UNIT: i.unit, STATUS: 'active' }))],
    ['WAREHOUSE', () => put('WAREHOUSE', { WAREHOUSEID: 'WH-01', NAME: 'Central yard', STATUS: 'active' })],
    ['GLJOURNAL', () => journals(put)],
    ['CHECKINGACCOUNT', () => put('CHECKINGACCOUNT', { BANKACCOUNTID: BANK_ACCOUNT, BANKNAME: 'Operating account', CURRENCY: world.currency, STATUS: 'active' })],
    ['PROCORE-SETUP', () => procoreSetup(world, put)],
  ];
  if (steps.map(([name]) => name).join() !== STEP_NAMES.join()) throw new Error('world projection: STEP_NAMES is out of date');
  for (const [name, step] of steps) {
    if (done.has(name)) continue;
    step();
    done.add(name);
  }
  store.setMeta(PROJECTED_META, [...done]);
}

function vendors(world: World, put: Put): void {
  for (const s of world.suppliers) {
    if (s.intacctVendorId === null) continue;
    put('VENDOR', {
      VENDORID: s.intacctVendorId,
      NAME: s.name,
      STATUS: 'active',
      TAXID: s.vatNumber,
      CURRENCY: world.currency,
      TERMNAME: 'Net 30',
      ONHOLD: 'false',
      'DISPLAYCONTACT.PRINTAS': s.name,
      'DISPLAYCONTACT.COMPANYNAME': s.name,
      'DISPLAYCONTACT.EMAIL1': s.email,
      'DISPLAYCONTACT.MAILADDRESS.CITY': s.city,
      'DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE': s.country,
    });
  }
}

function glAccounts(world: World, put: Put): void {
  const seen = new Set<string>();
  const account = (code: string, title: string, balanceSheet: boolean): void => {
    if (seen.has(code)) return;
    seen.add(code);
    put('GLACCOUNT', { ACCOUNTNO: code, TITLE: title, ACCOUNTTYPE: balanceSheet ? 'balancesheet' : 'incomestatement', NORMALBALANCE: 'debit', CLOSINGTYPE: balanceSheet ? 'non-closing account' : 'closing account', STATUS: 'active' });
  };
  for (const a of world.apAccounts) account(a.code, a.description, false);
  for (const g of world.glAccounts) account(g.code, g.description, g.balanceType === 'B');
}

/** Construction: a project's tasks are its cost codes (Procore's company-wide list). */
function tasks(world: World, put: Put): void {
  for (const p of world.projects) {
    for (const c of world.costCodes) put('TASK', { TASKID: c.code, NAME: c.name, PROJECTID: p.intacctProjectId, PROJECTNAME: p.name, STATUS: 'active' });
  }
}

/** Construction: each task carries one cost type per Procore line item type. */
function costTypes(world: World, put: Put): void {
  for (const p of world.projects) {
    for (const c of world.costCodes) {
      for (const t of world.lineItemTypes) put('COSTTYPE', { COSTTYPEID: t.code, NAME: t.name, PROJECTID: p.intacctProjectId, TASKID: c.code, STATUS: 'active' });
    }
  }
}

function classes(put: Put): void {
  const list: [string, string, string][] = [
    ['RES', 'Residential', 'active'],
    ['COM', 'Commercial', 'active'],
    ['INF', 'Infrastructure', 'active'],
    [INACTIVE_CLASS, 'Legacy division (closed)', 'inactive'],
  ];
  for (const [id, name, status] of list) put('CLASS', { CLASSID: id, NAME: name, STATUS: status });
}

function employees(put: Put): void {
  const list: [string, string, string][] = [
    ['EMP-001', 'Project manager', 'Anouk de Vries'],
    ['EMP-002', 'Site manager', 'Tom Hartley'],
  ];
  for (const [id, title, name] of list) put('EMPLOYEE', { EMPLOYEEID: id, TITLE: title, 'PERSONALINFO.CONTACTNAME': name, STATUS: 'active' });
}

function journals(put: Put): void {
  put('GLJOURNAL', { SYMBOL: 'GJ', TITLE: 'General Journal', STATUS: 'active' });
  put('GLJOURNAL', { SYMBOL: 'JCJ', TITLE: 'Job Cost Journal', STATUS: 'active' });
}

/**
 * What a company posting Procore costs sets up (added after the first version, so existing
 * stores get it on their next start): a retainage payable account, a memo offset account for
 * commitments posted as journals, a non-inventory item for commitment lines, and one task per
 * project that only Intacct has.
 */
function procoreSetup(world: World, put: Put): void {
  put('GLACCOUNT', { ACCOUNTNO: SANDBOX_RETAINAGE_ACCOUNT, TITLE: 'Retainage payable - subcontractors', ACCOUNTTYPE: 'balancesheet', NORMALBALANCE: 'credit', CLOSINGTYPE: 'non-closing account', STATUS: 'active' });
  put('GLACCOUNT', { ACCOUNTNO: SANDBOX_COMMITMENT_OFFSET_ACCOUNT, TITLE: 'Commitments offset (memo)', ACCOUNTTYPE: 'balancesheet', NORMALBALANCE: 'credit', CLOSINGTYPE: 'non-closing account', STATUS: 'active' });
  put('ITEM', { ITEMID: SANDBOX_COMMITMENT_ITEM, NAME: 'Commitment line (Procore subcontract or purchase order)', ITEMTYPE: 'Non-Inventory (Purchase only)', UNIT: 'post', STATUS: 'active' });
  for (const p of world.projects) put('TASK', { TASKID: INTACCT_ONLY_TASK.id, NAME: INTACCT_ONLY_TASK.name, PROJECTID: p.intacctProjectId, PROJECTNAME: p.name, STATUS: 'active' });
}
