import { describe, expect, it } from 'vitest';
import type { Supplier } from '../../../../src-shared/domain/records';
import type { CoupaSupplier } from '../../../connectors/coupa';
import { DEFAULT_POLICY, type CoupaView, type F5Mappings, type SupplierValues } from './model';
import { mergeFields, planSupplierToCoupa, planSupplierToExact, type CoupaSupplierRecord } from './suppliers';

const BOTH = { name: 'both', email: 'both', vatNumber: 'both', blocked: 'both' } as const;

function exactSupplier(extra: Partial<Supplier> = {}): Supplier {
  return {
    kind: 'supplier',
    sourceId: 'guid-1',
    code: '40010',
    name: 'Klimaattechniek Jansen B.V.',
    addressLine1: null,
    addressLine2: null,
    addressLine3: null,
    postcode: null,
    city: 'Delft',
    country: 'NL',
    email: 'facturen@jansen.nl',
    phone: null,
    vatNumber: 'NL955610817B01',
    chamberOfCommerce: null,
    bankAccounts: [{ sourceId: 'b1', accountNumber: 'NL91ABNA0417164300', holderName: null, bic: null, isMain: true }],
    blocked: false,
    modifiedAt: '2026-10-01T00:00:00Z',
    webUrl: '',
    sourceVersion: '1',
    ...extra,
  };
}

function coupaSupplier(extra: Partial<CoupaSupplier> = {}): CoupaSupplier {
  return {
    id: '131',
    number: '40010',
    name: 'Klimaattechniek Jansen B.V.',
    displayName: null,
    status: 'active',
    poEmail: null,
    taxId: 'NL955610817B01',
    paymentTermCode: null,
    primaryContact: { email: 'facturen@jansen.nl', firstName: 'Piet', lastName: 'Jansen' },
    remitTos: [],
    updatedAt: null,
    ...extra,
  };
}

function mappings(extra: Partial<F5Mappings> = {}): F5Mappings {
  return { version: 1, policy: DEFAULT_POLICY, accounts: new Map(), supplierLinks: new Map(), remitTos: new Map(), creditNotes: new Map(), ...extra };
}

function view(byNumber: CoupaSupplier[], byName: CoupaSupplier[] = []): CoupaView {
  return {
    supplierByNumber: (n) => byNumber.find((s) => s.number === n) ?? null,
    supplierByName: (name) => byName.find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? null,
    purchaseOrder: () => null,
    invoice: () => null,
    addressCodes: () => null,
  };
}

const values = (extra: Partial<SupplierValues> = {}): SupplierValues => ({ name: 'A', email: 'a@x.nl', vatNumber: 'NL1', blocked: false, ...extra });

describe('F5 suppliers: the three-way comparison of a field', () => {
  it('same on both sides: nothing to send, agreed', () => {
    expect(mergeFields(values(), values({ email: 'A@X.NL' }), null, DEFAULT_POLICY.supplierFields)).toEqual({ toCoupa: [], toExact: [], conflicts: [], base: values() });
  });

  it('a first link where they differ: the direction says which side wins (both: Exact)', () => {
    const merge = mergeFields(values({ name: 'Exact name' }), values({ name: 'Coupa name', email: 'c@x.nl' }), null, { name: 'exact-to-coupa', email: 'coupa-to-exact', vatNumber: 'none', blocked: 'both' });
    expect(merge).toEqual({ toCoupa: ['name'], toExact: ['email'], conflicts: [], base: { name: 'Exact name', email: 'c@x.nl', vatNumber: 'NL1', blocked: false } });
  });

  it('changed on one side since the base: flows when the direction lets it, else stays as it is', () => {
    const base = values();
    expect(mergeFields(values({ email: 'new@x.nl' }), values(), base, BOTH)).toMatchObject({ toCoupa: ['email'], toExact: [], base: { email: 'new@x.nl' } });
    expect(mergeFields(values(), values({ email: 'new@x.nl' }), base, BOTH)).toMatchObject({ toCoupa: [], toExact: ['email'], base: { email: 'new@x.nl' } });
    // One-way: a Coupa edit of an Exact-owned field is not copied back (and not reverted).
    expect(mergeFields(values(), values({ name: 'Renamed in Coupa' }), base, DEFAULT_POLICY.supplierFields)).toMatchObject({ toCoupa: [], toExact: [], conflicts: [], base: { name: 'A' } });
  });

  it('changed on both sides to different values: a conflict, whatever the direction', () => {
    const merge = mergeFields(values({ vatNumber: 'NL2' }), values({ vatNumber: 'NL3' }), values(), DEFAULT_POLICY.supplierFields);
    expect(merge.conflicts).toEqual(['vatNumber']);
    expect(mergeFields(values({ vatNumber: 'NL2' }), values({ vatNumber: 'NL2' }), values(), DEFAULT_POLICY.supplierFields).conflicts).toEqual([]);
  });
});

describe('F5 suppliers: Exact → Coupa', () => {
  it('new in Exact: created in Coupa with the code as number, contact, tax id and (with a street address) a remit-to', () => {
    const result = planSupplierToCoupa(exactSupplier({ addressLine1: 'Stationsweg 1', postcode: '2612 AA' }), mappings(), view([]), null);
    expect(result).toMatchObject({
      ok: true,
      writes: [
        {
          entity: 'supplier',
          originId: '40010',
          currency: 'XXX',
          input: {
            number: '40010',
            name: 'Klimaattechniek Jansen B.V.',
            status: 'active',
            taxId: 'NL955610817B01',
            primaryContact: { email: 'facturen@jansen.nl', firstName: null, lastName: null },
            remitTos: [{ code: 'RT-40010', street1: 'Stationsweg 1', city: 'Delft', postalCode: '2612 AA', countryCode: 'NL' }],
          },
          base: { name: 'Klimaattechniek Jansen B.V.', email: 'facturen@jansen.nl', vatNumber: 'NL955610817B01', blocked: false },
        },
      ],
    });
    // No bank details travel: they are not among the fields, in either direction.
    expect(JSON.stringify(result)).not.toMatch(/NL91ABNA/);
    const withoutStreet = planSupplierToCoupa(exactSupplier(), mappings(), view([]), null);
    expect(withoutStreet.ok && withoutStreet.writes[0]?.input.remitTos).toBeUndefined();
    expect(planSupplierToCoupa(exactSupplier(), mappings({ policy: { ...DEFAULT_POLICY, createSuppliersInCoupa: false } }), view([]), null)).toMatchObject({ ok: false, issues: [{ code: 'unknown-supplier' }] });
  });

  it('Coupa has one of the same name but not the number: suggested, and waits until a person confirms the link', () => {
    const unnumbered = coupaSupplier({ number: null });
    expect(planSupplierToCoupa(exactSupplier(), mappings(), view([], [unnumbered]), null)).toEqual({
      ok: false,
      issues: [
        {
          code: 'supplier-suggested-link',
          message: 'Supplier 40010 (Klimaattechniek Jansen B.V.) is not linked to a Coupa supplier; Coupa has "Klimaattechniek Jansen B.V." without a number: confirm the link under Mappings › Supplier links (40010 → 40010), or rename one of them if they are different suppliers',
          mappingKeys: ['supplier:40010'],
        },
      ],
    });
    // Confirmed: the connector links the one of that name by giving it the number.
    const confirmed = planSupplierToCoupa(exactSupplier(), mappings({ supplierLinks: new Map([['40010', '40010']]) }), view([], [unnumbered]), null);
    expect(confirmed).toMatchObject({ ok: true, writes: [{ originId: '40010', input: { number: '40010', name: 'Klimaattechniek Jansen B.V.' } }] });
    const numbered = planSupplierToCoupa(exactSupplier(), mappings(), view([], [coupaSupplier({ number: 'K-9' })]), null);
    expect(numbered.ok ? null : numbered.issues[0]?.message).toMatch(/with number K-9: link 40010 → K-9 under Mappings › Supplier links/);
  });

  it('known in Coupa: sends only the fields that flow to Coupa, keeping what Coupa alone changed', () => {
    const base = { name: 'Klimaattechniek Jansen B.V.', email: 'facturen@jansen.nl', vatNumber: 'NL955610817B01', blocked: false };
    const coupa = coupaSupplier({ name: 'Jansen Klimaat (Coupa)' });
    const result = planSupplierToCoupa(exactSupplier({ blocked: true, email: 'ap@jansen.nl' }), mappings(), view([coupa]), base);
    expect(result).toMatchObject({
      ok: true,
      writes: [{ input: { number: '40010', name: 'Jansen Klimaat (Coupa)', status: 'inactive', primaryContact: { email: 'ap@jansen.nl', firstName: 'Piet', lastName: 'Jansen' } }, base: { ...base, email: 'ap@jansen.nl', blocked: true } }],
    });
    expect(result.ok && result.writes[0]?.input.taxId).toBeUndefined();
  });

  it('edited on both sides since the last sync: parked with both values for a person to choose', () => {
    const base = { name: 'Klimaattechniek Jansen B.V.', email: 'facturen@jansen.nl', vatNumber: 'NL955610817B01', blocked: false };
    const result = planSupplierToCoupa(exactSupplier({ email: 'exact@jansen.nl' }), mappings(), view([coupaSupplier({ primaryContact: { email: 'coupa@jansen.nl', firstName: null, lastName: null } })]), base);
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          code: 'supplier-conflict',
          message:
            'Supplier 40010 (Klimaattechniek Jansen B.V.) was changed in both Exact and Coupa since the last sync: e-mail address (Exact "exact@jansen.nl", Coupa "coupa@jansen.nl"). Make them the same in the system that is wrong; the sync then goes on',
          mappingKeys: ['supplier:40010'],
        },
      ],
    });
  });
});

describe('F5 suppliers: Coupa → Exact (when enabled)', () => {
  const record = (extra: Partial<CoupaSupplier> = {}): CoupaSupplierRecord => ({ ...coupaSupplier(extra), sourceId: extra.id ?? '131' });

  it('new in Coupa: created in Exact with its number as the code (Exact dedupes by Code)', () => {
    expect(planSupplierToExact(record({ number: '40099', name: 'Nieuw B.V.', taxId: null }), mappings(), null)).toMatchObject({
      ok: true,
      writes: [{ entity: 'exact-supplier', originId: '40099', write: { kind: 'create', input: { code: '40099', name: 'Nieuw B.V.', blocked: false, email: 'facturen@jansen.nl' } } }],
    });
    expect(planSupplierToExact(record({ number: null }), mappings(), null)).toMatchObject({ ok: false, issues: [{ code: 'coupa-supplier-without-number' }] });
  });

  it("linked: Coupa's change of a field whose direction lets it flow is written to Exact; others are left", () => {
    const base = { name: 'Klimaattechniek Jansen B.V.', email: 'facturen@jansen.nl', vatNumber: 'NL955610817B01', blocked: false };
    const linked = { supplier: exactSupplier(), base };
    const changed = record({ primaryContact: { email: 'nieuw@jansen.nl', firstName: null, lastName: null }, name: 'Renamed' });
    expect(planSupplierToExact(changed, mappings(), linked)).toMatchObject({
      ok: true,
      writes: [{ originId: '40010', write: { kind: 'update', supplierId: 'guid-1', changes: { email: 'nieuw@jansen.nl' } }, base: { ...base, email: 'nieuw@jansen.nl' } }],
    });
    expect(planSupplierToExact(record(), mappings(), linked)).toEqual({ ok: true, writes: [] });
  });
});
