import { describe, expect, it } from 'vitest';
import type { CoupaConnector, CoupaSupplier } from '../../../connectors/coupa';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { F5_REFERENCE_LISTS } from './mappings';
import { f5ReferenceData } from './reference';

const coupaSupplier = (id: string, number: string | null, name: string, status = 'active'): CoupaSupplier => ({
  id,
  number,
  name,
  displayName: null,
  status,
  poEmail: null,
  taxId: null,
  paymentTermCode: null,
  primaryContact: null,
  remitTos: [{ id: `r${id}`, code: `RT-${number ?? id}`, name: null, active: status !== 'inactive' }],
  updatedAt: null,
});

function lists(suppliers: CoupaSupplier[]) {
  let exactReads = 0;
  const coupa = { listSuppliers: async () => suppliers } as unknown as CoupaConnector;
  const exact = {
    readSuppliers: async () => {
      exactReads += 1;
      return [
        { code: '40001', name: 'Van den Berg Betonmortel B.V.' },
        { code: '40077', name: 'Bouwbedrijf De Vries' },
      ];
    },
  } as unknown as ExactOnlineConnector;
  return { reference: f5ReferenceData(exact, coupa), exactReads: () => exactReads };
}

describe('F5 picker lists', () => {
  it('Coupa suppliers by number; an inactive one is offered (marked), not left out', async () => {
    const { reference, exactReads } = lists([coupaSupplier('1', '40001', 'Van den Berg Betonmortel B.V.'), coupaSupplier('2', '40002', 'Oud B.V.', 'inactive')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaSuppliers)).toEqual([
      { value: '40001', label: 'Van den Berg Betonmortel B.V.', code: '40001', detail: 'Coupa id 1' },
      { value: '40002', label: 'Oud B.V.', code: '40002', detail: 'Coupa id 2, inactive in Coupa' },
    ]);
    // Every Coupa supplier has a number: Exact is not read.
    expect(exactReads()).toBe(0);
  });

  it('a Coupa supplier without a number is offered under the Exact code of the same name (what "Suggest links" proposes)', async () => {
    const { reference } = lists([coupaSupplier('7', null, 'Bouwbedrijf de Vries B.V.')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaSuppliers)).toEqual([
      { value: '40077', label: 'Bouwbedrijf de Vries B.V.', code: '40077', detail: 'Coupa id 7, no number yet: the link gives it number 40077' },
    ]);
  });

  it('remit-to codes name their supplier', async () => {
    const { reference } = lists([coupaSupplier('1', '40001', 'Van den Berg Betonmortel B.V.')]);
    expect(await reference.referenceData(F5_REFERENCE_LISTS.coupaRemitTos)).toEqual([
      { value: 'RT-40001', label: 'RT-40001', code: 'RT-40001', detail: 'of Van den Berg Betonmortel B.V. (40001)' },
    ]);
  });
});
