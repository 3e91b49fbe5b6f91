import { describe, expect, it } from 'vitest';
import { normaliseCompanyName, suggestVendorLinks } from './counterparty-links';

describe('suggested supplier → vendor links', () => {
  it('normalises legal forms, accents, case and punctuation', () => {
    expect(normaliseCompanyName('Bouwbedrijf Ærø & Söhne B.V.')).toBe('bouwbedrijf aero sohne');
    expect(normaliseCompanyName('STAALBOUW NOORD BV')).toBe(normaliseCompanyName('Staalbouw Noord B.V.'));
    expect(normaliseCompanyName('Acme Ltd.')).toBe('acme');
  });

  it('prefers the External ID, then the origin id, then a unique name; skips linked and ambiguous suppliers', () => {
    const suppliers = [
      { sourceId: 'g-1', code: '40001', name: 'Beton Noord B.V.' },
      { sourceId: 'g-2', code: '40002', name: 'Staal & Co' },
      { sourceId: 'g-3', code: '40003', name: 'Bouwbedrijf Ærø & Söhne' },
      { sourceId: 'g-4', code: '40004', name: 'Twin Name BV' },
      { sourceId: 'g-5', code: '40005', name: 'Already Linked' },
      { sourceId: 'g-6', code: '40006', name: 'Nobody Matches' },
    ];
    const vendors = [
      { id: '900000000001', name: 'Beton Noord (Procore name differs)', originId: null, originCode: '40001' },
      { id: '900000000002', name: 'Staal en Co', originId: 'g-2', originCode: null },
      { id: '900000000003', name: 'BOUWBEDRIJF AERO & SOHNE GMBH', originId: null, originCode: null },
      { id: '900000000004', name: 'Twin Name', originId: null, originCode: null },
      { id: '900000000005', name: 'Twin Name B.V.', originId: null, originCode: null },
      { id: '900000000006', name: 'Already Linked', originId: null, originCode: '40005' },
    ];
    const s = suggestVendorLinks(suppliers, vendors, new Set(['40005']));
    expect(s.map((x) => [x.supplierCode, x.vendorId, x.matchedBy])).toEqual([
      ['40001', '900000000001', 'origin_code'],
      ['40002', '900000000002', 'origin_id'],
      ['40003', '900000000003', 'name'],
    ]);
  });
});
