import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { ProcoreVendor } from '../../../connectors/procore';
import type { IntacctVendor } from '../../../connectors/sage-intacct';
import { f3Key } from './mappings';
import { COMPANY, type PlannedIntacctVendor, type PlannedProcoreVendor, type VendorPairRecord, type VendorValues } from './model';
import { VENDOR_FIELDS, type F3Policy, type VendorField } from './policy';
import type { PlanResult } from './plan';
import type { CounterpartyLinkSuggestion } from '../types';

/**
 * Vendors both ways, pure. Intacct is where vendors are created (AP owns the vendor master): a
 * new active Intacct vendor appears in Procore. Name, e-mail, phone and status changes of a
 * linked pair travel per field direction (policy): an 'intacct' or 'procore' field always takes
 * that system's value; a 'both' field takes the value of the side that changed it since the two
 * last agreed, and a field both sides changed differently waits for a person.
 */
export type VendorWrite = PlannedProcoreVendor | PlannedIntacctVendor;

const FIELD_WORDS: Record<VendorField, string> = { name: 'name', email: 'e-mail address', phone: 'phone number', active: 'status' };

function clean(value: string | null | undefined): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

interface Values {
  name: string | null;
  email: string | null;
  phone: string | null;
  active: boolean;
}

export function intacctValues(v: IntacctVendor): Values {
  return { name: clean(v.name), email: clean(v.email), phone: clean(v.phone), active: v.active };
}

export function procoreValues(v: ProcoreVendorRecord): Values {
  return { name: clean(v.name), email: clean(v.emailAddress), phone: clean(v.businessPhone), active: v.active };
}

/** Equal as a person reads them: e-mail addresses ignore case. */
export function sameValue(field: VendorField, a: string | boolean | null | undefined, b: string | boolean | null | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string' && field === 'email') return a.toLowerCase() === b.toLowerCase();
  return (a ?? null) === (b ?? null);
}

/** The values both sides hold alike now, on top of what they agreed before. */
export function agreedAfter(before: VendorValues, intacct: VendorValues, procore: VendorValues | null): VendorValues {
  const agreed: VendorValues = { ...before };
  if (procore) for (const f of VENDOR_FIELDS) if (sameValue(f, intacct[f], procore[f])) agreed[f] = intacct[f] ?? null;
  return agreed;
}

/** A Procore vendor whose origin id another integration set: this flow does not touch it. */
export function ownedByAnotherIntegration(procore: ProcoreVendorRecord | null, vendorId: string): boolean {
  return procore !== null && procore.originId !== null && procore.originId !== vendorId;
}

/**
 * `links`: the Vendors table (Procore vendor id → VENDORID). A pair read while only its names
 * matched is linked once a person confirmed the link there, also when it is retried from its
 * snapshot.
 */
export function planVendorPair(pair: VendorPairRecord, policy: F3Policy, links: ReadonlyMap<string, string> = new Map()): PlanResult<VendorWrite> {
  const iv = pair.intacct;
  const label = `Vendor ${iv.name} (${iv.vendorId})`;
  const base = { originId: iv.vendorId, sourceId: pair.sourceId, containerId: COMPANY, total: '0.00', currency: policy.currency };
  const intacct = intacctValues(iv);
  if (!pair.procore) {
    if (!iv.active) return { ok: true, writes: [] };
    return {
      ok: true,
      writes: [
        {
          ...base,
          entity: 'procore-vendor',
          label,
          vendor: {
            originId: iv.vendorId,
            originCode: iv.vendorId,
            originData: `Sage Intacct vendor ${iv.vendorId}`,
            name: intacct.name ?? iv.vendorId,
            ...(intacct.email ? { emailAddress: intacct.email } : {}),
            ...(intacct.phone ? { businessPhone: intacct.phone } : {}),
            active: true,
          },
          seenVersion: null,
        },
      ],
    };
  }
  if (ownedByAnotherIntegration(pair.procore, iv.vendorId)) return { ok: true, writes: [] };
  if (pair.linkedBy === 'name' && links.get(pair.procore.sourceId) !== iv.vendorId)
    // The same name is a strong hint, not proof (two firms can share one): a person links them.
    return {
      ok: false,
      issues: [
        {
          code: 'unmapped-vendor',
          message: `${label} has the same name as Procore vendor ${pair.procore.sourceId}, which is not linked to it: link them under Mappings > Vendors (or rename one) so that Procore does not get it twice`,
          mappingKeys: [f3Key.vendor(pair.procore.sourceId)],
        },
      ],
    };
  const procore = procoreValues(pair.procore);
  const toProcore: VendorValues = {};
  const toIntacct: VendorValues = {};
  const conflicts: string[] = [];
  for (const f of VENDOR_FIELDS) {
    if (sameValue(f, intacct[f], procore[f])) continue;
    const direction = policy.vendorFieldDirections[f];
    if (direction === 'intacct') toProcore[f] = intacct[f];
    else if (direction === 'procore') toIntacct[f] = procore[f];
    else {
      const agreed = pair.agreed[f];
      const intacctChanged = agreed === undefined || !sameValue(f, intacct[f], agreed);
      const procoreChanged = agreed === undefined || !sameValue(f, procore[f], agreed);
      if (intacctChanged && !procoreChanged) toProcore[f] = intacct[f];
      else if (procoreChanged && !intacctChanged) toIntacct[f] = procore[f];
      else conflicts.push(`the ${FIELD_WORDS[f]} is ${show(intacct[f])} in Intacct and ${show(procore[f])} in Procore${agreed === undefined ? ', and it is not known which changed' : `, both changed since they agreed on ${show(agreed)}`}`);
    }
  }
  if (conflicts.length > 0) {
    const issues: ValidationIssue[] = [
      { code: 'vendor-not-in-target', message: `${label}: ${conflicts.join('; ')}. Correct it in one system; the other follows at the next sync`, mappingKeys: [] },
    ];
    return { ok: false, issues };
  }
  const writes: VendorWrite[] = [];
  if (Object.keys(toProcore).length > 0)
    writes.push({
      ...base,
      entity: 'procore-vendor',
      label,
      vendor: {
        originId: iv.vendorId,
        procoreId: pair.procore.sourceId,
        name: ('name' in toProcore ? (toProcore.name as string | null) : procore.name) ?? pair.procore.name,
        ...('email' in toProcore ? { emailAddress: toProcore.email as string | null } : {}),
        ...('phone' in toProcore ? { businessPhone: toProcore.phone as string | null } : {}),
        ...('active' in toProcore ? { active: toProcore.active as boolean } : {}),
      },
      seenVersion: pair.procore.sourceVersion,
    });
  if (Object.keys(toIntacct).length > 0)
    writes.push({
      ...base,
      entity: 'intacct-vendor',
      label,
      vendor: {
        key: iv.vendorId,
        vendorId: iv.vendorId,
        ...('name' in toIntacct && toIntacct.name ? { name: toIntacct.name as string } : {}),
        ...('email' in toIntacct ? { email: (toIntacct.email as string | null) ?? '' } : {}),
        ...('phone' in toIntacct ? { phone: (toIntacct.phone as string | null) ?? '' } : {}),
        ...('active' in toIntacct ? { active: toIntacct.active as boolean } : {}),
      },
      seenVersion: iv.modifiedAt,
    });
  return { ok: true, writes };
}

function show(value: string | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'active' : 'inactive';
  return `"${value}"`;
}

/** Names compared as a person would read them: case and runs of spaces do not matter. */
export const normalName = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Links for the Vendors table a person confirms (decision 0021: a name alone never links by
 * itself — two firms can share one). An active Procore vendor that nothing links yet (no row,
 * no origin id) is suggested the Intacct vendor whose VENDORID its External ID names, else the
 * one Intacct vendor of its name that nothing links yet; a name two vendors share on either
 * side is not suggested.
 */
export function suggestVendorLinks(procore: readonly ProcoreVendor[], intacct: readonly IntacctVendor[], mapped: ReadonlyMap<string, string>): CounterpartyLinkSuggestion[] {
  const taken = new Set([...mapped.values(), ...procore.flatMap((p) => (p.originId ? [p.originId] : []))]);
  const free = intacct.filter((v) => v.active && !taken.has(v.vendorId));
  const byId = new Map(free.map((v) => [v.vendorId, v]));
  const unlinked = procore.filter((p) => p.active && !mapped.has(p.id) && !p.originId);
  const count = <T>(items: readonly T[], name: (t: T) => string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(normalName(name(item)), (counts.get(normalName(name(item))) ?? 0) + 1);
    return counts;
  };
  const intacctNames = count(free, (v) => v.name);
  const procoreNames = count(unlinked, (p) => p.name);
  const suggestions: CounterpartyLinkSuggestion[] = [];
  for (const p of unlinked) {
    const byCode = p.originCode ? byId.get(p.originCode) : undefined;
    const name = normalName(p.name);
    const byName = intacctNames.get(name) === 1 && procoreNames.get(name) === 1 ? free.find((v) => normalName(v.name) === name) : undefined;
    const match = byCode ?? byName;
    if (match) suggestions.push({ supplierCode: p.id, supplierName: p.name, vendorId: match.vendorId, vendorName: match.name, matchedBy: byCode ? 'origin_code' : 'name' });
  }
  return suggestions;
}
