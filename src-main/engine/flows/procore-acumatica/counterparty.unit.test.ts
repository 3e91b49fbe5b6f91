import { describe, expect, it } from 'vitest';
import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { AcumaticaVendor, VendorInput } from '../../../connectors/acumatica';
import { CounterpartyNotCreatedError } from '../shared/counterparty-errors';
import { f2Counterparty } from './counterparty';
import type { F2Deps } from './flow';
import { DEFAULT_POLICY } from './policy';

/**
 * "Create this vendor in Acumatica" decided on hand-made vendor lists (no I/O): what it would
 * create, what it refuses and why, and that look-alikes are shown but do not hold it back.
 */
const procoreVendor = (over: Partial<ProcoreVendorRecord> = {}): ProcoreVendorRecord => ({
  kind: 'procore-vendor',
  sourceId: '9003',
  name: 'Nieuw B.V.',
  legalName: 'Nieuw Bouw B.V.',
  abbreviatedName: null,
  active: true,
  address: 'Kade 1',
  city: 'Delft',
  stateCode: null,
  countryCode: 'NL',
  zip: '2611 AA',
  businessPhone: null,
  emailAddress: 'ap@nieuw.nl',
  website: null,
  originId: null,
  originCode: '40077',
  originData: null,
  sourceVersion: '2026-01-01T00:00:00Z',
  ...over,
});

const acumaticaVendor = (vendorId: string, name: string, status = 'Active'): AcumaticaVendor => ({
  id: `guid-${vendorId}`,
  vendorId,
  name,
  legalName: null,
  vendorClass: null,
  status,
  active: status === 'Active',
  terms: null,
  currency: null,
  paymentMethod: null,
  taxRegistrationId: null,
  mainContact: null,
  lastModified: null,
});

function world(procore: ProcoreVendorRecord[], acumatica: AcumaticaVendor[], policy = { ...DEFAULT_POLICY, newVendors: 'park' as const, vendorClass: 'SUBCON' }) {
  const written: VendorInput[] = [];
  const deps = {
    store: { mappings: { getSet: () => undefined } },
    procore: {
      listVendorRecords: async () => procore,
      findVendorsById: async (ids: readonly string[]) => new Map(procore.filter((v) => ids.includes(v.sourceId)).map((v) => [v.sourceId, v])),
    },
    acumatica: {
      listVendors: async () => acumatica,
      upsertVendors: async (inputs: readonly VendorInput[]) => {
        written.push(...inputs);
        return inputs.map((v) => ({ vendorId: v.vendorId, ok: true as const, id: `guid-${v.vendorId}` }));
      },
    },
    policy,
  } as unknown as F2Deps;
  return { ...f2Counterparty(deps), written };
}
const key = { procoreVendorId: '9003' };

describe('F2: create this vendor in Acumatica', () => {
  it('previews the vendor the sync would create (VendorID from the External ID, the connection’s class) and creates it, even where the policy parks new vendors', async () => {
    const w = world([procoreVendor()], [acumaticaVendor('V000001', 'Van den Berg B.V.')]);
    const preview = await w.previewCounterparty('vendors', key);
    expect(preview).toEqual({
      title: 'Create vendor “Nieuw B.V.” in Acumatica',
      source: 'Procore vendor 9003',
      fields: [
        { label: 'Vendor ID', value: '40077' },
        { label: 'Name', value: 'Nieuw B.V.' },
        { label: 'Legal name', value: 'Nieuw Bouw B.V.' },
        { label: 'Vendor class', value: 'SUBCON' },
        { label: 'Status', value: 'Active' },
        { label: 'Address', value: 'Kade 1' },
        { label: 'City', value: 'Delft' },
        { label: 'Postal code', value: '2611 AA' },
        { label: 'Country', value: 'NL' },
        { label: 'Email', value: 'ap@nieuw.nl' },
      ],
      similar: [],
      blocked: null,
    });
    expect(w.written).toEqual([]);
    const created = await w.createCounterparty('vendors', key);
    expect(created).toEqual({
      targetId: '40077',
      name: 'Nieuw B.V.',
      target: { acumaticaVendorId: '40077' },
      message: 'Created vendor “Nieuw B.V.” in Acumatica (vendor 40077) from Procore vendor 9003',
      entity: 'vendor',
      targetSystem: 'acumatica',
    });
    expect(w.written).toEqual([expect.objectContaining({ vendorId: '40077', name: 'Nieuw B.V.', vendorClass: 'SUBCON', mode: 'create' })]);
  });

  it('lists a vendor of the same name as maybe the same one, and still creates on the user’s word', async () => {
    const w = world([procoreVendor()], [acumaticaVendor('V000050', 'Nieuw B.V.')]);
    expect((await w.previewCounterparty('vendors', key)).similar).toEqual([{ value: 'V000050', label: 'Nieuw B.V.', code: 'V000050', detail: 'same name' }]);
    expect((await w.createCounterparty('vendors', key)).targetId).toBe('40077');
  });

  it('links the vendor an earlier try made (its VendorID, same name) without writing again', async () => {
    const w = world([procoreVendor()], [acumaticaVendor('40077', 'Nieuw B.V.')]);
    const created = await w.createCounterparty('vendors', key);
    expect(created).toMatchObject({ targetId: '40077', message: 'Found vendor “Nieuw B.V.” in Acumatica (vendor 40077), made from Procore vendor 9003 before' });
    expect(w.written).toEqual([]);
  });

  it('refuses, saying why and what to do: the VendorID taken by another vendor, an inactive Procore vendor, a linked vendor on hold', async () => {
    const taken = world([procoreVendor()], [acumaticaVendor('40077', 'Someone Else B.V.')]);
    expect((await taken.previewCounterparty('vendors', key)).blocked).toBe(
      'Procore vendor Nieuw B.V. would be created in Acumatica as 40077, which is Someone Else B.V.; link it to the right Acumatica vendor in Mappings → Vendors.',
    );
    await expect(taken.createCounterparty('vendors', key)).rejects.toBeInstanceOf(CounterpartyNotCreatedError);
    expect(taken.written).toEqual([]);

    const inactive = world([procoreVendor({ active: false })], []);
    expect((await inactive.previewCounterparty('vendors', key)).blocked).toBe('Nieuw B.V. is inactive in Procore. Make it active there first, or link the records\' vendor in Mappings → Vendors.');

    const onHold = world([procoreVendor({ originId: 'V000009' })], [acumaticaVendor('V000009', 'Nieuw B.V.', 'On Hold')]);
    expect((await onHold.previewCounterparty('vendors', key)).blocked).toBe(
      'Nieuw B.V. is linked to Acumatica vendor V000009 (Nieuw B.V.), which is On Hold in Acumatica. Make it active there, or link another vendor in Mappings → Vendors.',
    );
    await expect(onHold.createCounterparty('other', key)).rejects.toThrow('Only vendors can be created in Acumatica, not entries of "other".');
  });
});
