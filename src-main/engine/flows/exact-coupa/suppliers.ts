import type { Supplier } from '../../../../src-shared/domain/records';
import type { CoupaSupplier, RemitToInput, SupplierInput } from '../../../connectors/coupa';
import type { ExactSupplierFields } from '../../../connectors/exact-online';
import {
  f5Key,
  SUPPLIER_FIELD_WORDS,
  SUPPLIER_FIELDS,
  type CoupaView,
  type F5Issue,
  type F5Mappings,
  type F5PlanResult,
  type FieldDirection,
  type PlannedCoupaSupplier,
  type PlannedExactSupplier,
  type SupplierBase,
  type SupplierField,
  type SupplierValues,
} from './model';
import { coupaNumberOf } from './plan';

/**
 * Suppliers both ways, pure. A pair is an Exact supplier code and a Coupa supplier number (the
 * same, unless a confirmed link says otherwise). Each synced field is compared three ways: Exact
 * now, Coupa now, and the value both held after the last sync (the base). A field changed on one
 * side flows the way its direction allows; a field changed on both sides to different values is
 * parked for a person to choose — whatever its direction, so neither edit is lost silently.
 * Bank details are not among the fields: the flow never writes them, in either system.
 */

export function exactValues(s: Pick<Supplier, 'name' | 'email' | 'vatNumber' | 'blocked'>): SupplierValues {
  return { name: s.name.trim(), email: clean(s.email), vatNumber: clean(s.vatNumber), blocked: s.blocked };
}

export function coupaValues(s: CoupaSupplier): SupplierValues {
  return { name: s.name.trim(), email: clean(s.primaryContact?.email ?? null), vatNumber: clean(s.taxId), blocked: s.status === 'inactive' };
}

/** ISO 4217's "no currency involved": a supplier record carries no amount (the runner audits one). */
const NO_CURRENCY = 'XXX';

function clean(text: string | null): string | null {
  const t = text?.trim() ?? '';
  return t === '' ? null : t;
}

export function sameValue(field: SupplierField, a: unknown, b: unknown): boolean {
  if (field === 'email' && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

const flowsToCoupa = (d: FieldDirection): boolean => d === 'exact-to-coupa' || d === 'both';
const flowsToExact = (d: FieldDirection): boolean => d === 'coupa-to-exact' || d === 'both';

export interface FieldMerge {
  /** Fields whose Exact value goes to Coupa. */
  toCoupa: SupplierField[];
  /** Fields whose Coupa value goes to Exact. */
  toExact: SupplierField[];
  /** Fields changed on both sides since the base, to different values. */
  conflicts: SupplierField[];
  /** The base after the writes: what both sides then hold, per field (absent: they still differ, never agreed). */
  base: SupplierBase;
}

/** The three-way comparison of one pair (pure; tested on its own). */
export function mergeFields(exact: SupplierValues, coupa: SupplierValues, base: SupplierBase | null, directions: Readonly<Record<SupplierField, FieldDirection>>): FieldMerge {
  const out: FieldMerge = { toCoupa: [], toExact: [], conflicts: [], base: {} };
  const keep = (f: SupplierField, value: unknown): void => {
    (out.base as Record<string, unknown>)[f] = value;
  };
  for (const f of SUPPLIER_FIELDS) {
    const e = exact[f];
    const c = coupa[f];
    const b = base && f in base ? base[f] : undefined;
    const d = directions[f];
    if (sameValue(f, e, c)) {
      keep(f, e);
      continue;
    }
    if (b === undefined) {
      // Never agreed (a first link): the field's source wins; 'both' starts from Exact.
      if (flowsToCoupa(d)) {
        out.toCoupa.push(f);
        keep(f, e);
      } else if (flowsToExact(d)) {
        out.toExact.push(f);
        keep(f, c);
      }
      continue;
    }
    const exactChanged = !sameValue(f, e, b);
    const coupaChanged = !sameValue(f, c, b);
    if (exactChanged && coupaChanged) out.conflicts.push(f);
    else if (exactChanged && flowsToCoupa(d)) {
      out.toCoupa.push(f);
      keep(f, e);
    } else if (coupaChanged && flowsToExact(d)) {
      out.toExact.push(f);
      keep(f, c);
    } else keep(f, b);
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (value === true) return 'blocked';
  if (value === false) return 'not blocked';
  return `"${String(value)}"`;
}

function conflictIssue(code: string, name: string, fields: readonly SupplierField[], exact: SupplierValues, coupa: SupplierValues): F5Issue {
  const what = fields.map((f) => `${SUPPLIER_FIELD_WORDS[f]} (Exact ${describeValue(exact[f])}, Coupa ${describeValue(coupa[f])})`).join('; ');
  return {
    code: 'supplier-conflict',
    message: `Supplier ${code} (${name}) was changed in both Exact and Coupa since the last sync: ${what}. Make them the same in the system that is wrong; the sync then goes on`,
    mappingKeys: [f5Key.supplier(code)],
  };
}

/** What the create sends: the supplier, its primary contact and, when Exact has a street address, a remit-to. */
function coupaCreateInput(s: Supplier, number: string): SupplierInput {
  const values = exactValues(s);
  const input: SupplierInput = { number, name: values.name, status: values.blocked ? 'inactive' : 'active' };
  if (values.vatNumber) input.taxId = values.vatNumber;
  if (values.email) input.primaryContact = { email: values.email, firstName: null, lastName: null };
  const street = clean(s.addressLine1);
  const city = clean(s.city);
  const country = clean(s.country);
  if (street && city && country) {
    const address = { street1: street, street2: clean(s.addressLine2), city, postalCode: clean(s.postcode), countryCode: country };
    input.primaryAddress = address;
    // Invoices need a remit-to address; Exact's address is where the supplier is paid from.
    const remitTo: RemitToInput = { code: `RT-${s.code}`, name: values.name, ...address };
    input.remitTos = [remitTo];
  }
  return input;
}

/**
 * An Exact supplier → Coupa. Matched by number (the Exact code, or its confirmed link); a Coupa
 * supplier with the same name but not that number is only suggested, and waits until a person
 * confirms the link. A new one is created (policy); a known one gets the fields that flow to Coupa.
 */
export function planSupplierToCoupa(
  s: Supplier,
  m: F5Mappings,
  coupa: CoupaView,
  base: SupplierBase | null,
): F5PlanResult<PlannedCoupaSupplier> {
  const number = coupaNumberOf(m, s.code);
  const confirmed = m.supplierLinks.has(s.code);
  const mappingKeys = [f5Key.supplier(s.code)];
  const plan = (input: SupplierInput, agreed: SupplierBase): PlannedCoupaSupplier => ({
    entity: 'supplier',
    originId: number,
    sourceId: s.sourceId,
    containerId: 'coupa',
    total: '0.00',
    currency: NO_CURRENCY,
    exactCode: s.code,
    input,
    base: agreed,
  });
  const byNumber = coupa.supplierByNumber(number);
  if (!byNumber) {
    const sameName = coupa.supplierByName(s.name);
    if (sameName) {
      // Confirmed link to a supplier without a number: Coupa's supplier gets the number (the connector matches it by name).
      if (confirmed && sameName.number === null) return { ok: true, writes: [plan({ number, name: sameName.name }, {})] };
      return {
        ok: false,
        issues: [
          {
            code: 'supplier-suggested-link',
            message:
              `Supplier ${s.code} (${s.name}) is not linked to a Coupa supplier; Coupa has "${sameName.name}"` +
              (sameName.number ? ` with number ${sameName.number}: link ${s.code} → ${sameName.number} under Mappings › Supplier links` : ` without a number: confirm the link under Mappings › Supplier links (${s.code} → ${number})`) +
              ', or rename one of them if they are different suppliers',
            mappingKeys,
          },
        ],
      };
    }
    if (!m.policy.createSuppliersInCoupa)
      return { ok: false, issues: [{ code: 'unknown-supplier', message: `Supplier ${s.code} (${s.name}) is not in Coupa, and creating suppliers in Coupa is off (setting createSuppliersInCoupa)`, mappingKeys }] };
    const input = coupaCreateInput(s, number);
    return { ok: true, writes: [plan(input, exactValues(s))] };
  }
  const exact = exactValues(s);
  const current = coupaValues(byNumber);
  const merge = mergeFields(exact, current, base, m.policy.supplierFields);
  if (merge.conflicts.length) return { ok: false, issues: [conflictIssue(s.code, s.name, merge.conflicts, exact, current)] };
  // Only what flows to Coupa is sent; a field edited only in Coupa keeps Coupa's value.
  const input: SupplierInput = { number, name: merge.toCoupa.includes('name') ? exact.name : byNumber.name };
  if (merge.toCoupa.includes('vatNumber')) input.taxId = exact.vatNumber;
  if (merge.toCoupa.includes('blocked')) input.status = exact.blocked ? 'inactive' : 'active';
  if (merge.toCoupa.includes('email'))
    input.primaryContact = { email: exact.email, firstName: byNumber.primaryContact?.firstName ?? null, lastName: byNumber.primaryContact?.lastName ?? null };
  return { ok: true, writes: [plan(input, merge.base)] };
}

/**
 * A supplier deleted in Exact, as the plan that sets it inactive in Coupa: Coupa suppliers are
 * deactivated, not deleted (Compass "Deactivate a Supplier": PUT status inactive). Only the
 * status travels; the writer keeps the name Coupa has.
 */
export function deactivationOf(written: PlannedCoupaSupplier, sourceId: string): PlannedCoupaSupplier {
  return {
    ...written,
    sourceId,
    input: { number: written.input.number, name: written.input.name, status: 'inactive' },
    base: { ...written.base, blocked: true },
    deactivate: true,
  };
}

/** A Coupa supplier as a source record (the runner keys records by sourceId). */
export type CoupaSupplierRecord = CoupaSupplier & { sourceId: string };

/** The Exact side of a Coupa supplier, as the flow last read it (null: no Exact supplier is linked). */
export interface LinkedExactSupplier {
  supplier: Supplier;
  base: SupplierBase | null;
}

/**
 * A Coupa supplier → Exact (only when suppliersFromCoupa is on). One Exact has not got is created
 * there with its Coupa number as the code (Code is Exact's dedupe key, so a retry finds it instead
 * of creating it twice); a linked one gets the fields whose direction lets Coupa's changes flow.
 */
export function planSupplierToExact(
  cs: CoupaSupplierRecord,
  m: F5Mappings,
  linked: LinkedExactSupplier | null,
): F5PlanResult<PlannedExactSupplier> {
  if (!cs.number)
    return {
      ok: false,
      issues: [{ code: 'coupa-supplier-without-number', message: `Coupa supplier "${cs.name}" has no supplier number; give it the Exact supplier code it should have (its number in Coupa), then it is created in Exact`, mappingKeys: [] }],
    };
  const number = cs.number;
  const code = [...m.supplierLinks].find(([, n]) => n === number)?.[0] ?? number;
  const current = coupaValues(cs);
  const plan = (write: PlannedExactSupplier['write'], base: SupplierBase): PlannedExactSupplier => ({
    entity: 'exact-supplier',
    originId: code,
    sourceId: cs.sourceId,
    containerId: 'exact',
    total: '0.00',
    currency: NO_CURRENCY,
    coupaNumber: number,
    write,
    base,
  });
  if (!linked) {
    const input = { code, name: current.name, blocked: current.blocked, ...(current.email ? { email: current.email } : {}), ...(current.vatNumber ? { vatNumber: current.vatNumber } : {}) };
    return { ok: true, writes: [plan({ kind: 'create', input }, current)] };
  }
  const exact = exactValues(linked.supplier);
  const merge = mergeFields(exact, current, linked.base, m.policy.supplierFields);
  if (merge.conflicts.length) return { ok: false, issues: [conflictIssue(code, linked.supplier.name, merge.conflicts, exact, current)] };
  if (merge.toExact.length === 0) return { ok: true, writes: [] };
  const changes: ExactSupplierFields = {};
  for (const f of merge.toExact) {
    if (f === 'name') changes.name = current.name;
    if (f === 'email') changes.email = current.email;
    if (f === 'vatNumber') changes.vatNumber = current.vatNumber;
    if (f === 'blocked') changes.blocked = current.blocked;
  }
  return { ok: true, writes: [plan({ kind: 'update', supplierId: linked.supplier.sourceId, changes }, merge.base)] };
}
