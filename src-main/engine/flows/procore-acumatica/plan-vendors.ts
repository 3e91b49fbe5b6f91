import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { AcumaticaVendor, VendorInput } from '../../../connectors/acumatica';
import type { VendorUpsert } from '../../../connectors/procore';
import { normaliseCompanyName } from '../shared/counterparty-links';
import type { PlanResult } from './plan-bills';
import { f2Key } from './mappings';
import type { AcumaticaVendorView, PlannedVendor, VendorFields, VendorPairRecord } from './model';
import type { F2Policy, FieldDirection } from './policy';

/**
 * Vendors both ways, pure. A Procore vendor and an Acumatica vendor are linked by the Procore
 * vendor's origin_id (= Acumatica VendorID) or by a link a person confirmed in Mappings; a vendor
 * that looks like one on the other side (same name, or External ID = VendorID) is only suggested,
 * never linked without a person; a vendor new on one side is created on the other per policy.
 * Linked vendors keep name, address and contact aligned per field group: one side decides, or
 * whichever side changed since the last sync (the last agreed values, kept with the confirmed
 * plan); changed on both sides = parked for a person to choose.
 */

export const VENDORS_CONTAINER = 'vendors';

/** Procore origin data of a vendor the flow created from Acumatica (keeps its pair's identity stable). */
export const CREATED_FROM_ACUMATICA = 'Created from Acumatica vendor';

const GROUPS = {
  name: ['name'],
  address: ['address1', 'city', 'state', 'zip', 'country'],
  contact: ['email', 'phone'],
} as const satisfies Record<keyof F2Policy['vendorFields'], readonly (keyof VendorFields)[]>;

const FIELD_WORDS: Record<keyof VendorFields, string> = {
  name: 'name',
  email: 'e-mail address',
  phone: 'phone number',
  address1: 'street address',
  city: 'city',
  state: 'state',
  zip: 'postal code',
  country: 'country',
};

export function procoreFields(v: ProcoreVendorRecord): VendorFields {
  return {
    name: v.name,
    email: v.emailAddress,
    phone: v.businessPhone,
    address1: v.address,
    city: v.city,
    state: v.stateCode,
    zip: v.zip,
    country: v.countryCode,
  };
}

export function acumaticaView(v: AcumaticaVendor): AcumaticaVendorView {
  const c = v.mainContact;
  return {
    vendorId: v.vendorId,
    active: v.active,
    status: v.status,
    taxRegistrationId: v.taxRegistrationId,
    fields: {
      name: v.name,
      email: c?.email ?? null,
      phone: c?.phone ?? null,
      address1: c?.address?.line1 ?? null,
      city: c?.address?.city ?? null,
      state: c?.address?.state ?? null,
      zip: c?.address?.postalCode ?? null,
      country: c?.address?.country ?? null,
    },
  };
}

/** Values as the two systems should be compared: trimmed, spaces collapsed, e-mail and country case-folded, empty = none. */
export function norm(field: keyof VendorFields, value: string | null | undefined): string | null {
  const t = (value ?? '').replace(/\s+/g, ' ').trim();
  if (!t) return null;
  if (field === 'email') return t.toLowerCase();
  if (field === 'country' || field === 'state' || field === 'zip') return t.toUpperCase();
  return t;
}

const sameFields = (a: VendorFields, b: VendorFields): boolean =>
  (Object.keys(FIELD_WORDS) as (keyof VendorFields)[]).every((f) => norm(f, a[f]) === norm(f, b[f]));

/**
 * The Acumatica VendorID a Procore vendor gets when the flow creates it: its External ID
 * (origin_code) when that is a short plain code, else "P" + the last nine digits of its Procore id.
 */
export function newVendorIdFor(v: Pick<ProcoreVendorRecord, 'sourceId' | 'originCode'>): string {
  const code = v.originCode?.trim() ?? '';
  if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,9}$/.test(code)) return code.toUpperCase();
  return `P${v.sourceId.slice(-9)}`;
}

// ---- pairing ---------------------------------------------------------------------------------------

export interface PairingInput {
  /** Vendors changed since the cursor, per side (what makes a pair be looked at this run). */
  changedProcore: readonly ProcoreVendorRecord[];
  changedAcumatica: readonly AcumaticaVendorView[];
  /** Every vendor of each side (to find the other half of a pair and suggestions). */
  allProcore: readonly ProcoreVendorRecord[];
  allAcumatica: readonly AcumaticaVendorView[];
  /** Confirmed links: Procore vendor id → Acumatica VendorID. */
  mapped: ReadonlyMap<string, string>;
}

const upper = (s: string): string => s.toUpperCase();

/** The pairs to look at this run, one per vendor changed on either side. */
export function pairVendors(input: PairingInput): VendorPairRecord[] {
  const acumatica = new Map(input.allAcumatica.map((v) => [upper(v.vendorId), v]));
  const procoreById = new Map(input.allProcore.map((v) => [v.sourceId, v]));
  // Links of each Procore vendor; then which Procore vendors each Acumatica vendor is linked to.
  const links = new Map<string, { vendorId: string; by: 'origin-id' | 'mapping'; problem: string | null }>();
  for (const p of input.allProcore) {
    const mapped = input.mapped.get(p.sourceId) ?? null;
    const origin = p.originId?.trim() || null;
    if (mapped && origin && upper(mapped) !== upper(origin))
      links.set(p.sourceId, { vendorId: mapped, by: 'mapping', problem: `Procore vendor ${p.name} is linked to Acumatica vendor ${origin} in Procore but to ${mapped} in Mappings; correct one of them` });
    else if (mapped) links.set(p.sourceId, { vendorId: mapped, by: origin ? 'origin-id' : 'mapping', problem: null });
    else if (origin)
      links.set(p.sourceId, {
        vendorId: origin,
        by: 'origin-id',
        problem: acumatica.has(upper(origin)) ? null : `Procore vendor ${p.name} carries the ERP link "${origin}", which is not an Acumatica vendor; correct its link in Procore or in Mappings`,
      });
  }
  const linkedTo = new Map<string, string[]>();
  for (const [procoreId, link] of links) linkedTo.set(upper(link.vendorId), [...(linkedTo.get(upper(link.vendorId)) ?? []), procoreId]);
  for (const [vendorId, ids] of linkedTo)
    if (ids.length > 1)
      for (const id of ids) {
        const link = links.get(id)!;
        link.problem ??= `Acumatica vendor ${vendorId} is linked to ${ids.length} Procore vendors (${ids.map((i) => procoreById.get(i)?.name ?? i).join(', ')}); keep one link`;
      }

  const byName = new Map<string, AcumaticaVendorView[]>();
  for (const a of input.allAcumatica) {
    const key = normaliseCompanyName(a.fields.name ?? '');
    if (key) byName.set(key, [...(byName.get(key) ?? []), a]);
  }
  const unlinkedProcoreByName = new Map<string, ProcoreVendorRecord[]>();
  for (const p of input.allProcore) {
    if (links.has(p.sourceId)) continue;
    const key = normaliseCompanyName(p.name);
    if (key) unlinkedProcoreByName.set(key, [...(unlinkedProcoreByName.get(key) ?? []), p]);
  }

  const out = new Map<string, VendorPairRecord>();
  const procorePair = (p: ProcoreVendorRecord): VendorPairRecord => {
    const link = links.get(p.sourceId);
    if (link) {
      const a = acumatica.get(upper(link.vendorId)) ?? null;
      const createdFromAcumatica = (p.originData ?? '').startsWith(CREATED_FROM_ACUMATICA) && a !== null;
      return {
        sourceId: createdFromAcumatica ? `vendor:acumatica:${a.vendorId}` : `vendor:${p.sourceId}`,
        procore: p,
        acumatica: a,
        linkedBy: link.by,
        linkProblem: link.problem,
        candidates: [],
        takenVendorId: null,
      };
    }
    const candidates: VendorPairRecord['candidates'] = [];
    const free = (a: AcumaticaVendorView) => !linkedTo.has(upper(a.vendorId));
    const byCode = p.originCode ? acumatica.get(upper(p.originCode.trim())) : undefined;
    if (byCode && free(byCode)) candidates.push({ id: byCode.vendorId, name: byCode.fields.name ?? '', matchedBy: 'origin_code' });
    for (const a of byName.get(normaliseCompanyName(p.name)) ?? [])
      if (free(a) && !candidates.some((c) => c.id === a.vendorId)) candidates.push({ id: a.vendorId, name: a.fields.name ?? '', matchedBy: 'name' });
    const taken = acumatica.get(upper(newVendorIdFor(p)));
    return {
      sourceId: `vendor:${p.sourceId}`,
      procore: p,
      acumatica: null,
      linkedBy: null,
      linkProblem: null,
      candidates,
      takenVendorId: taken ? { vendorId: taken.vendorId, name: taken.fields.name ?? '' } : null,
    };
  };
  const acumaticaPair = (a: AcumaticaVendorView): VendorPairRecord[] => {
    const ids = linkedTo.get(upper(a.vendorId));
    if (ids) return ids.flatMap((id) => (procoreById.has(id) ? [procorePair(procoreById.get(id)!)] : []));
    const candidates: VendorPairRecord['candidates'] = [];
    for (const p of unlinkedProcoreByName.get(normaliseCompanyName(a.fields.name ?? '')) ?? []) candidates.push({ id: p.sourceId, name: p.name, matchedBy: 'name' });
    for (const p of input.allProcore)
      if (!links.has(p.sourceId) && p.originCode && upper(p.originCode.trim()) === upper(a.vendorId) && !candidates.some((c) => c.id === p.sourceId))
        candidates.push({ id: p.sourceId, name: p.name, matchedBy: 'origin_code' });
    return [{ sourceId: `vendor:acumatica:${a.vendorId}`, procore: null, acumatica: a, linkedBy: null, linkProblem: null, candidates, takenVendorId: null }];
  };
  for (const p of input.changedProcore) {
    const pair = procorePair(procoreById.get(p.sourceId) ?? p);
    out.set(pair.sourceId, pair);
  }
  for (const a of input.changedAcumatica) for (const pair of acumaticaPair(acumatica.get(upper(a.vendorId)) ?? a)) out.set(pair.sourceId, pair);
  return [...out.values()];
}

// ---- merging ---------------------------------------------------------------------------------------

export interface FieldMerge {
  agreed: VendorFields;
  toAcumatica: (keyof VendorFields)[];
  toProcore: (keyof VendorFields)[];
  conflicts: { field: keyof VendorFields; procore: string | null; acumatica: string | null }[];
}

/**
 * Three-way merge per field: `base` = what both held after the last sync (null at the first
 * link, when Acumatica's master data is taken).
 */
export function mergeFields(p: VendorFields, a: VendorFields, base: VendorFields | null, directions: F2Policy['vendorFields']): FieldMerge {
  const agreed: VendorFields = { ...a };
  const out: FieldMerge = { agreed, toAcumatica: [], toProcore: [], conflicts: [] };
  for (const [group, fields] of Object.entries(GROUPS) as [keyof typeof GROUPS, readonly (keyof VendorFields)[]][]) {
    const direction: FieldDirection = directions[group];
    for (const f of fields) {
      const pv = norm(f, p[f]);
      const av = norm(f, a[f]);
      if (direction === 'none' || pv === av) continue;
      const b = base ? norm(f, base[f]) : undefined;
      const fromProcore = direction === 'procore' || (direction === 'both' && base !== null && av === b && pv !== b);
      const fromAcumatica = direction === 'acumatica' || (direction === 'both' && (base === null || (pv === b && av !== b)));
      // Acumatica needs a vendor name: an empty Procore name is never copied over it.
      if (fromProcore && !(f === 'name' && pv === null)) {
        agreed[f] = p[f];
        out.toAcumatica.push(f);
      } else if (fromAcumatica) out.toProcore.push(f);
      else if (!fromProcore) out.conflicts.push({ field: f, procore: p[f], acumatica: a[f] });
    }
  }
  return out;
}

function acumaticaInput(vendorId: string, f: VendorFields, fields: readonly (keyof VendorFields)[], mode: NonNullable<VendorInput['mode']>, extra: Partial<VendorInput> = {}): VendorInput {
  const has = (k: keyof VendorFields) => fields.includes(k);
  const address = Object.fromEntries(
    (
      [
        ['line1', 'address1'],
        ['city', 'city'],
        ['state', 'state'],
        ['postalCode', 'zip'],
        ['country', 'country'],
      ] as const
    )
      .filter(([, k]) => has(k))
      .map(([wire, k]) => [wire, f[k]]),
  );
  const contact = {
    ...(has('email') ? { email: f.email } : {}),
    ...(has('phone') ? { phone: f.phone } : {}),
    ...(Object.keys(address).length ? { address } : {}),
  };
  return { vendorId, name: f.name ?? vendorId, ...extra, ...(Object.keys(contact).length ? { mainContact: contact } : {}), mode };
}

function procoreInput(vendorId: string, f: VendorFields, fields: readonly (keyof VendorFields)[], extra: Partial<VendorUpsert> = {}): VendorUpsert {
  const has = (k: keyof VendorFields) => fields.includes(k);
  return {
    originId: vendorId,
    name: f.name ?? vendorId,
    ...(has('address1') ? { address: f.address1 } : {}),
    ...(has('city') ? { city: f.city } : {}),
    ...(has('state') ? { stateCode: f.state } : {}),
    ...(has('zip') ? { zip: f.zip } : {}),
    ...(has('country') ? { countryCode: f.country } : {}),
    ...(has('email') ? { emailAddress: f.email } : {}),
    ...(has('phone') ? { businessPhone: f.phone } : {}),
    ...extra,
  };
}

const ALL_FIELDS = Object.keys(FIELD_WORDS) as (keyof VendorFields)[];

function vendorLabel(name: string | null, procoreId: string | null, vendorId: string): string {
  return `Vendor ${name ?? vendorId} (Procore ${procoreId ?? 'new'} ↔ Acumatica ${vendorId})`;
}

function plan(policy: F2Policy, sourceId: string, vendorId: string, procoreVendorId: string | null, agreed: VendorFields, acumatica: VendorInput | null, procore: VendorUpsert | null): PlannedVendor {
  return {
    entity: 'vendor',
    originId: vendorId,
    sourceId,
    containerId: VENDORS_CONTAINER,
    total: '0.00',
    currency: policy.currency,
    vendorId,
    procoreVendorId,
    agreed,
    acumatica,
    procore,
    label: vendorLabel(agreed.name, procoreVendorId, vendorId),
  };
}

const suggestionWords = (c: VendorPairRecord['candidates'][number]): string =>
  `${c.id} (${c.name}; same ${c.matchedBy === 'origin_code' ? 'External ID' : c.matchedBy === 'tax_id' ? 'tax id' : 'name'})`;

/** What to write for one vendor pair, or why it waits for a person. */
export function planVendorPair(rec: VendorPairRecord, policy: F2Policy, previous: ReadonlyMap<string, PlannedVendor> = new Map()): PlanResult<PlannedVendor> {
  const { procore: p, acumatica: a } = rec;
  const key = p ? [f2Key.vendor(p.sourceId)] : [];
  if (rec.linkProblem) return { ok: false, issues: [{ code: 'unmapped-vendor', message: rec.linkProblem, mappingKeys: key }] };
  const last = [...previous.values()].find((v) => v.entity === 'vendor') ?? null;

  if (p && a) {
    const merged = mergeFields(procoreFields(p), a.fields, last?.agreed ?? null, policy.vendorFields);
    if (merged.conflicts.length) {
      const list = merged.conflicts.map((c) => `${FIELD_WORDS[c.field]} is "${c.procore ?? ''}" in Procore and "${c.acumatica ?? ''}" in Acumatica`).join('; ');
      const issue: ValidationIssue = {
        code: 'target-rejected',
        message: `${vendorLabel(a.fields.name, p.sourceId, a.vendorId)} was changed in both systems since the last sync: ${list}. Choose: correct one of them, and the next sync copies it to the other`,
        mappingKeys: [],
      };
      return { ok: false, issues: [issue] };
    }
    const needsLink = (p.originId ?? '').toUpperCase() !== a.vendorId.toUpperCase();
    const toAcu = merged.toAcumatica.length ? acumaticaInput(a.vendorId, merged.agreed, merged.toAcumatica, 'update') : null;
    const toProcore =
      merged.toProcore.length || needsLink ? procoreInput(a.vendorId, merged.agreed, merged.toProcore, { procoreId: p.sourceId }) : null;
    // Nothing to write and nothing new agreed: the confirmed plan stands (no write, no audit noise).
    // (A vendor the flow created in Procore was planned before Procore gave it an id.)
    if (!toAcu && !toProcore && last && sameFields(last.agreed, merged.agreed) && (last.procoreVendorId === null || last.procoreVendorId === p.sourceId))
      return { ok: true, writes: [last] };
    return { ok: true, writes: [plan(policy, rec.sourceId, a.vendorId, p.sourceId, merged.agreed, toAcu, toProcore)] };
  }

  if (p) {
    if (last) return { ok: true, writes: [last] };
    if (!p.active) return { ok: true, writes: [] };
    const fields = procoreFields(p);
    // The id this vendor would get already exists with its name: created by an interrupted run; link it.
    if (rec.takenVendorId && normaliseCompanyName(rec.takenVendorId.name) === normaliseCompanyName(p.name)) {
      const vendorId = rec.takenVendorId.vendorId;
      return { ok: true, writes: [plan(policy, rec.sourceId, vendorId, p.sourceId, fields, null, procoreInput(vendorId, fields, [], { procoreId: p.sourceId }))] };
    }
    if (rec.candidates.length)
      return {
        ok: false,
        issues: [
          {
            code: 'unmapped-vendor',
            message: `Procore vendor ${p.name} is not linked to an Acumatica vendor; it may be ${rec.candidates.map(suggestionWords).join(' or ')}. Confirm the link in Mappings → Vendors`,
            mappingKeys: key,
          },
        ],
      };
    if (policy.newVendors === 'park')
      return {
        ok: false,
        issues: [{ code: 'unmapped-vendor', message: `Procore vendor ${p.name} is not in Acumatica: create it there and link it in Mappings → Vendors`, mappingKeys: key }],
      };
    if (rec.takenVendorId)
      return {
        ok: false,
        issues: [
          {
            code: 'unmapped-vendor',
            message: `Procore vendor ${p.name} would be created in Acumatica as ${rec.takenVendorId.vendorId}, which is ${rec.takenVendorId.name}; link it to the right Acumatica vendor in Mappings → Vendors`,
            mappingKeys: key,
          },
        ],
      };
    const vendorId = newVendorIdFor(p);
    const extra: Partial<VendorInput> = {
      ...(p.legalName ? { legalName: p.legalName } : {}),
      ...(policy.vendorClass ? { vendorClass: policy.vendorClass } : {}),
      status: 'Active',
    };
    return {
      ok: true,
      writes: [plan(policy, rec.sourceId, vendorId, p.sourceId, fields, acumaticaInput(vendorId, fields, ALL_FIELDS, 'create', extra), procoreInput(vendorId, fields, [], { procoreId: p.sourceId }))],
    };
  }

  if (a) {
    if (last) return { ok: true, writes: [last] };
    if (!a.active || rec.candidates.length) return { ok: true, writes: [] };
    if (policy.newVendors === 'park')
      return {
        ok: false,
        issues: [{ code: 'vendor-not-in-target', message: `Acumatica vendor ${a.vendorId} (${a.fields.name ?? ''}) has no Procore vendor: create it in Procore and link it in Mappings → Vendors`, mappingKeys: [] }],
      };
    const upsert = procoreInput(a.vendorId, a.fields, ALL_FIELDS, { originCode: a.vendorId, originData: `${CREATED_FROM_ACUMATICA} ${a.vendorId} by ml-connector`, active: true });
    return { ok: true, writes: [plan(policy, rec.sourceId, a.vendorId, null, a.fields, null, upsert)] };
  }
  return { ok: true, writes: [] };
}
