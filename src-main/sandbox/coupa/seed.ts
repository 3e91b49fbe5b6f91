import type { World, WorldPurchaseEntry, WorldSupplier } from '../seed/world-types';
import type { CoupaData, CoupaRecord } from './records';
import { coupaTime } from './validate';

/**
 * Projects the shared demo world into a fresh Coupa store: reference data (one chart of
 * accounts, the head office and project sites as addresses, two users), the suppliers that
 * exist in Coupa with a remit-to address and primary contact each, and the two supplier
 * invoices the world says are already approved (and paid) in Coupa.
 */

/** Seeded reference ids a client can rely on in the sandbox. */
export const SEEDED = {
  accountTypeId: 1,
  /** A retired chart of accounts (inactive), with a few accounts of its own: lists filter by chart. */
  retiredAccountTypeId: 2,
  /** An account of the live chart that is inactive: a cost center closed in Coupa. */
  inactiveAccount: { glAccount: '4000', costCenter: 'KST-09' },
  /**
   * An account with a cost center Coupa keeps for one GL account only (a project office): both
   * segments exist in the chart, but no other GL account pairs with it.
   */
  loneAccount: { glAccount: '4000', costCenter: 'KST-20' },
  headOfficeAddressId: 1,
  /** login of the purchasing user (ship-to-user of external POs). */
  purchaserLogin: 'inkoop',
  apClerkLogin: 'crediteuren',
} as const;

export function remitToCode(supplier: Pick<WorldSupplier, 'code'>): string {
  return `RT-${supplier.code}`;
}

export function seedCoupa(data: CoupaData, world: World): void {
  const at = coupaTime(world.asOf);
  const stamp = { 'created-at': at, 'updated-at': at };
  data.seedLookup('account_types', { id: SEEDED.accountTypeId, ...stamp, name: world.companyName, currency: { code: world.currency }, active: true, 'dynamic-flag': false });
  const retiredChart = `${world.companyName} (tot 2024)`;
  data.seedLookup('account_types', { id: SEEDED.retiredAccountTypeId, ...stamp, name: retiredChart, currency: { code: world.currency }, active: false, 'dynamic-flag': false });
  seedAccounts(data, world, stamp, retiredChart);
  const address = (id: number, name: string, code: string, street1: string, city: string, postal: string | null): CoupaRecord => ({
    id,
    ...stamp,
    name,
    'location-code': code,
    street1,
    street2: null,
    city,
    state: null,
    'postal-code': postal,
    country: { code: 'NL' },
    active: true,
  });
  data.seedLookup('addresses', address(SEEDED.headOfficeAddressId, world.companyName, 'HQ', 'Havenstraat 1', 'Rotterdam', '3024 AA'));
  world.projects.forEach((p, i) => data.seedLookup('addresses', address(SEEDED.headOfficeAddressId + 1 + i, p.name, p.code, `Bouwplaats ${p.name}`, p.city, null)));
  const user = (id: number, login: string, firstname: string, lastname: string): CoupaRecord => ({
    id,
    ...stamp,
    login,
    email: `${login}@maasland-hartley.nl`,
    firstname,
    lastname,
    fullname: `${firstname} ${lastname}`,
    active: true,
  });
  data.seedLookup('users', user(1, SEEDED.purchaserLogin, 'Inge', 'Koopman'));
  data.seedLookup('users', user(2, SEEDED.apClerkLogin, 'Cas', 'de Boer'));

  // A supplier without coupaSupplierId is deliberately missing on the Coupa side.
  const inCoupa = world.suppliers.filter((s) => s.coupaSupplierId !== null).sort((a, b) => (a.coupaSupplierId ?? 0) - (b.coupaSupplierId ?? 0));
  for (const supplier of inCoupa) data.seedSupplier(supplierRecord(supplier, supplier.coupaSupplierId ?? 0, at));

  const { coupaApprovedPurchaseEntryKey: approvedKey, coupaPaidPurchaseEntryKey: paidKey } = world.deliberate;
  for (const key of [approvedKey, paidKey]) {
    const entry = world.purchaseEntries.find((e) => e.key === key);
    const supplier = world.suppliers.find((s) => s.key === entry?.supplierKey);
    if (!entry || supplier?.coupaSupplierId === null || supplier?.coupaSupplierId === undefined) continue;
    const draft = data.saveInvoice(invoiceBody(entry, supplier, world.companyName), null);
    const due = Date.parse(`${entry.dueDate}T00:00:00Z`);
    data.settleSeededInvoice(draft, { at, paymentDate: key === paidKey ? coupaTime(Math.min(due, world.asOf)) : null });
  }
}

/**
 * The chart's accounts as a Coupa admin loaded them from Exact: one per purchase GL account ×
 * cost center (segment-1, segment-2; code = the segments joined by "-"), the pair F5's sandbox
 * leaves unmapped included, so Mappings can pick it; one inactive account (a closed cost
 * center); one whose cost center no other GL account pairs with; and a few accounts of the retired chart, which a list filtered by chart leaves out.
 */
function seedAccounts(data: CoupaData, world: World, stamp: Record<string, string>, retiredChart: string): void {
  const glName = new Map(world.glAccounts.map((g) => [g.code, g.description]));
  const ccName = new Map(world.costCenters.map((c) => [c.code, c.description]));
  const pairs = [...world.costMappings.map((m) => [m.glAccountCode, m.costCenterCode] as const), [world.deliberate.unmappedPair.glAccountCode, world.deliberate.unmappedPair.costCenterCode] as const];
  const unique = [...new Map(pairs.map(([gl, cc]) => [`${gl}-${cc}`, [gl, cc] as const])).values()].sort(([a, b], [c, d]) => a.localeCompare(c) || b.localeCompare(d));
  const segments = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`segment-${i + 1}`, null]));
  let id = 0;
  const account = (gl: string, cc: string, active: boolean, chart: { id: number; name: string }, name: string): void => {
    id += 1;
    data.seedLookup('accounts', {
      id,
      ...stamp,
      ...segments,
      code: `${gl}-${cc}`,
      name,
      active,
      'segment-1': gl,
      'segment-2': cc,
      'account-type-id': chart.id,
      'account-type': { id: chart.id, name: chart.name },
    });
  };
  const live = { id: SEEDED.accountTypeId, name: world.companyName };
  for (const [gl, cc] of unique) account(gl, cc, true, live, `${glName.get(gl) ?? gl} · ${ccName.get(cc) ?? cc}`);
  const closed = SEEDED.inactiveAccount;
  account(closed.glAccount, closed.costCenter, false, live, `${glName.get(closed.glAccount) ?? closed.glAccount} · Vervallen kostenplaats`);
  const lone = SEEDED.loneAccount;
  account(lone.glAccount, lone.costCenter, true, live, `${glName.get(lone.glAccount) ?? lone.glAccount} · Projectbureau`);
  const retired = { id: SEEDED.retiredAccountTypeId, name: retiredChart };
  for (const cc of ['KST-01', 'KST-02']) account('4999', cc, true, retired, `Oude kostenplaats ${cc}`);
}

function supplierRecord(s: WorldSupplier, id: number, at: string): CoupaRecord {
  return {
    id,
    'created-at': at,
    'updated-at': at,
    name: s.name,
    'display-name': s.name,
    number: s.code,
    status: 'active',
    'supplier-status': 'approved',
    'on-hold': false,
    'po-method': 'prompt',
    'po-email': s.email,
    'payment-term': { code: 'Net 30' },
    'primary-address': { city: s.city, country: { code: s.country } },
    'primary-contact': { email: s.email, 'name-given': null, 'name-family': null },
    'remit-to-addresses': [
      {
        id: 0,
        'remit-to-code': remitToCode(s),
        name: s.name,
        street1: `Postbus ${Number(s.code) % 10_000}`,
        street2: null,
        city: s.city,
        'postal-code': null,
        country: { code: s.country },
        active: true,
        'created-at': at,
        'updated-at': at,
      },
    ],
    'tax-id': s.vatNumber,
    'account-number': null,
    'invoice-matching-level': '3-way',
    'payment-method': 'invoice',
  };
}

/** The invoice as the supplier keyed it into Coupa: one amount line per Exact entry line. */
function invoiceBody(entry: WorldPurchaseEntry, supplier: WorldSupplier, chartOfAccounts: string): Record<string, unknown> {
  const remitTo = { 'remit-to-code': remitToCode(supplier) };
  return {
    'invoice-number': entry.invoiceNumber,
    'invoice-date': entry.entryDate,
    supplier: { id: supplier.coupaSupplierId },
    currency: { code: entry.currency },
    'account-type': { id: SEEDED.accountTypeId },
    'bill-to-address': { id: SEEDED.headOfficeAddressId },
    'remit-to-address': remitTo,
    'supplier-remit-to': remitTo,
    'line-level-taxation': true,
    'net-due-date': entry.dueDate,
    'invoice-lines': entry.lines.map((line) => ({
      'line-num': line.lineNumber,
      type: 'InvoiceAmountLine',
      description: line.description,
      price: line.amount,
      'tax-amount': line.vatAmount,
      account: {
        code: `${line.glAccountCode}-${line.costCenterCode}`,
        'segment-1': line.glAccountCode,
        'segment-2': line.costCenterCode,
        'account-type': { name: chartOfAccounts },
      },
    })),
  };
}
