import { describe, expect, it } from 'vitest';
import { activationWaitMs, jwtClaims } from './client';
import {
  InvalidInputError,
  accountToWire,
  coupaMessages,
  coupaPoNumber,
  dateFromWire,
  dateToWire,
  invoiceDifferences,
  isDuplicateKeyRefusal,
  linesForUpdate,
  lockedInvoiceCode,
  moneyToWire,
  prepareInvoice,
  preparePurchaseOrder,
  purchaseOrderDifferences,
  purchaseOrderUpdateBody,
  resolveChart,
  supplierBody,
  totalsProblem,
} from './mappers';
import type { InvoiceInput, PurchaseOrderInput } from './types';
import type { WireInvoice, WirePurchaseOrder, WireSupplier } from './wire';

const chart = resolveChart({ accountType: { name: 'Maasland & Hartley Bouw B.V.' } });

const order: PurchaseOrderInput = {
  poNumber: 'EX-1',
  supplier: { number: '40001' },
  currency: 'eur',
  lines: [
    { lineNum: 1, description: 'Beton', quantity: '3', price: '19.99', glAccount: '7000', costCenter: 'KP100' },
    { lineNum: 2, description: 'Transport', quantity: null, price: '150', glAccount: '7010', costCenter: null },
  ],
};

/** The PO as Coupa renders what `order` sent (amounts with two decimals, ids, references). */
function coupaOrder(): WirePurchaseOrder {
  return {
    id: 7,
    'po-number': 'EX-1',
    status: 'draft',
    version: 1,
    supplier: { id: 101, number: '40001', name: 'Van den Berg' },
    currency: { code: 'EUR' },
    'ship-to-user': { id: 1, login: 'INKOOP' },
    'order-lines': [
      { id: 11, 'line-num': 1, description: 'Beton', type: 'OrderQuantityLine', quantity: '3.0', price: '19.990', total: '59.97', account: { code: '7000-KP100' } },
      { id: 12, 'line-num': 2, description: 'Transport', type: 'OrderAmountLine', quantity: null, price: '150.00', total: '150.00', account: { code: '7010' } },
    ],
  };
}

describe('Coupa mappers: references and values', () => {
  it('builds po-number from the prefix and refuses one over 20 characters', () => {
    expect(coupaPoNumber('EX-', 20240001)).toBe('EX-20240001');
    expect(coupaPoNumber('', ' 42 ')).toBe('42');
    expect(() => coupaPoNumber('EXACT-ONLINE-', '20240001')).toThrow(/21 characters; Coupa allows 20/);
  });

  it('puts GL account and cost center in their chart segments, code joined in segment order', () => {
    expect(accountToWire(chart, '7000', 'KP100')).toEqual({
      code: '7000-KP100',
      'segment-1': '7000',
      'segment-2': 'KP100',
      'account-type': { name: 'Maasland & Hartley Bouw B.V.' },
    });
    const swapped = resolveChart({ accountType: { id: '3' }, glAccountSegment: 2, costCenterSegment: 1, codeSeparator: '.' });
    expect(accountToWire(swapped, '7000', 'KP100')).toEqual({ code: 'KP100.7000', 'segment-1': 'KP100', 'segment-2': '7000', 'account-type': { id: 3 } });
    expect(accountToWire(swapped, '7000', null)).toEqual({ code: '7000', 'segment-2': '7000', 'account-type': { id: 3 } });
    const noCostCenters = resolveChart({ accountType: { id: '1' }, costCenterSegment: null });
    expect(() => accountToWire(noCostCenters, '7000', 'KP100')).toThrow(/no cost-center segment/);
    expect(() => resolveChart({ accountType: { id: '1' }, glAccountSegment: 2 })).toThrow(/same account segment/);
  });

  it('sends dates as midnight UTC and reads back the UTC calendar day', () => {
    expect(dateToWire('2026-03-01', 'The invoice date')).toBe('2026-03-01T00:00:00+00:00');
    expect(() => dateToWire('01-03-2026', 'The invoice date')).toThrow(InvalidInputError);
    // Coupa answers in UTC: a local 10:00 on the 1st at +02:00 is 08:00 UTC, same day…
    expect(dateFromWire('2026-03-01T08:00:00+00:00')).toBe('2026-03-01');
    // …but a local midnight would have come back as the day before.
    expect(dateFromWire('2026-03-01T00:00:00+02:00')).toBe('2026-02-28');
    expect(dateFromWire('2026-03-01')).toBe('2026-03-01');
    expect(dateFromWire(null)).toBeNull();
  });

  it('sends money with at most two decimals and never rounds silently', () => {
    expect(moneyToWire('21', 'Tax')).toBe('21.00');
    expect(moneyToWire('-10.5', 'Tax')).toBe('-10.50');
    expect(() => moneyToWire('0.005', 'Tax')).toThrow(/fractions of a cent/);
    expect(() => moneyToWire('1.234,50', 'Tax')).toThrow(/thousands separators/);
  });
});

describe('Coupa mappers: purchase orders', () => {
  it('prepares the external PO body: type, supplier by number, ship-to user, coded lines, totals', () => {
    const po = preparePurchaseOrder(order, chart, 'inkoop');
    expect(po.header).toEqual({
      'po-number': 'EX-1',
      type: 'ExternalOrderHeader',
      supplier: { number: '40001' },
      currency: { code: 'EUR' },
      'ship-to-user': { login: 'inkoop' },
    });
    expect(po.lines.map((l) => [l.body['type'], l.body['price'], l.body['quantity'], l.total.toMoneyString()])).toEqual([
      ['OrderQuantityLine', '19.99', '3', '59.97'],
      ['OrderAmountLine', '150', null, '150.00'],
    ]);
    expect(() => preparePurchaseOrder(order, chart, undefined)).toThrow(/requires a ship-to user/);
    expect(() => preparePurchaseOrder(order, null, 'inkoop')).toThrow(/chart of accounts/);
    expect(() => preparePurchaseOrder({ ...order, lines: [order.lines[0]!, order.lines[0]!] }, chart, 'inkoop')).toThrow(/line number 1 twice/);
  });

  it('sees no difference where Coupa only formats differently (decimals, login case)', () => {
    const po = preparePurchaseOrder(order, chart, 'inkoop');
    expect(purchaseOrderDifferences(coupaOrder(), po)).toEqual([]);
    expect(purchaseOrderUpdateBody(coupaOrder(), po)).toBeNull();
  });

  it('updates lines by id, adds new ones and deletes removed ones with _delete', () => {
    const changed = preparePurchaseOrder(
      {
        ...order,
        lines: [
          { ...order.lines[0]!, price: '21.00' },
          { lineNum: 3, description: 'Pomp', quantity: '1', price: '80', glAccount: '7000', costCenter: 'KP100' },
        ],
      },
      chart,
      'inkoop',
    );
    expect(purchaseOrderDifferences(coupaOrder(), changed)).toEqual(['line 1 price', 'line 3 is new', 'line 2 was removed']);
    const body = purchaseOrderUpdateBody(coupaOrder(), changed) ?? {};
    expect(body['type']).toBeUndefined(); // set on create only
    expect((body['order-lines'] as Record<string, unknown>[]).map((l) => [l['id'] ?? null, l['line-num'] ?? null, l['_delete'] ?? null])).toEqual([
      [12, null, true],
      [11, 1, null],
      [null, 3, null],
    ]);
    expect(linesForUpdate([], changed.lines).every((l) => !('id' in l))).toBe(true);
  });

  it('checks Coupa line totals against the ones sent, to the cent', () => {
    const po = preparePurchaseOrder(order, chart, 'inkoop');
    expect(totalsProblem(coupaOrder()['order-lines'] ?? [], po.lines, 'PO EX-1')).toBeNull();
    const off = coupaOrder();
    off['order-lines']![0]!.total = '59.98';
    expect(totalsProblem(off['order-lines'] ?? [], po.lines, 'PO EX-1')).toBe('Coupa computed 59.98 for line 1 of PO EX-1; 59.97 was sent');
    const extra = coupaOrder();
    extra['order-lines']!.push({ id: 13, 'line-num': 9, price: '1', total: '1.00' });
    expect(totalsProblem(extra['order-lines'] ?? [], po.lines, 'PO EX-1')).toMatch(/has 3 lines after the write; 2 were sent/);
  });
});

describe('Coupa mappers: invoices', () => {
  const input: InvoiceInput = {
    invoiceNumber: 'F-1',
    invoiceDate: '2026-03-01',
    supplier: { id: '101' },
    currency: 'EUR',
    lines: [{ lineNum: 1, description: 'Beton', quantity: null, price: '100', taxAmount: '21', glAccount: '7000', costCenter: 'KP100', orderLine: { id: '11' } }],
  };
  const resolved = { remitToCode: 'RT-40001', billToLocationCode: 'HQ', orderLineIdOf: () => '11' };

  it('prepares what Coupa requires: account type, bill-to, both remit-tos, taxation, tax per line, PO link', () => {
    const invoice = prepareInvoice(input, chart, resolved);
    expect(invoice.header).toEqual({
      'invoice-number': 'F-1',
      'invoice-date': '2026-03-01T00:00:00+00:00',
      supplier: { id: 101 },
      currency: { code: 'EUR' },
      'account-type': { name: 'Maasland & Hartley Bouw B.V.' },
      'bill-to-address': { 'location-code': 'HQ' },
      'remit-to-address': { 'remit-to-code': 'RT-40001' },
      'supplier-remit-to': { 'remit-to-code': 'RT-40001' },
      'line-level-taxation': true,
      'is-credit-note': false,
    });
    expect(invoice.lines[0]?.body).toMatchObject({ type: 'InvoiceAmountLine', 'tax-amount': '21.00', 'order-line-id': 11 });
    const credit = prepareInvoice({ ...input, creditNote: { originalInvoiceNumber: 'F-0', originalInvoiceDate: '2026-02-01' } }, chart, resolved);
    expect(credit.header).toMatchObject({ 'is-credit-note': true, 'original-invoice-number': 'F-0', 'original-invoice-date': '2026-02-01T00:00:00+00:00' });
    expect(credit.header['document-type']).toBeUndefined(); // read-only in Coupa
    expect(() => prepareInvoice({ ...input, lineLevelTaxation: false }, chart, resolved)).toThrow(/needs its tax amount/);
    expect(() => prepareInvoice(input, chart, { ...resolved, billToLocationCode: undefined })).toThrow(/bill-to address/);
  });

  it('compares an invoice Coupa holds with the one to send', () => {
    const invoice = prepareInvoice(input, chart, resolved);
    const coupa: WireInvoice = {
      id: 5,
      'invoice-number': 'F-1',
      'invoice-date': '2026-03-01T00:00:00+00:00',
      supplier: { id: 101, number: '40001' },
      currency: { code: 'EUR' },
      'is-credit-note': false,
      'line-level-taxation': true,
      'remit-to-address': { 'remit-to-code': 'RT-40001' },
      'bill-to-address': { 'location-code': 'HQ' },
      'invoice-lines': [
        { id: 1, 'line-num': 1, description: 'Beton', type: 'InvoiceAmountLine', price: '100.00', quantity: null, 'tax-amount': '21.00', total: '100.00', account: { code: '7000-KP100' }, 'order-line-id': 11 },
      ],
    };
    expect(invoiceDifferences(coupa, invoice)).toEqual([]);
    expect(invoiceDifferences({ ...coupa, 'invoice-date': '2026-02-28T22:00:00+00:00', 'remit-to-address': null }, invoice)).toEqual([
      'invoice date',
      'remit-to address',
    ]);
  });
});

describe('Coupa mappers: suppliers', () => {
  const current: WireSupplier = {
    id: 101,
    name: 'Van den Berg',
    number: '40001',
    // Coupa renders more contact fields than the connector sends; they do not count as changes.
    'primary-contact': { email: 'a@b.nl', 'name-given': 'An', 'name-family': 'Berg', 'phone-work': null } as NonNullable<WireSupplier['primary-contact']>,
    'remit-to-addresses': [{ id: 1, 'remit-to-code': 'RT-40001', name: 'Van den Berg', street1: 'Postbus 1', street2: null, city: 'Amstelveen', 'postal-code': null, country: { code: 'NL' }, active: true }],
  };

  it('sends only what changed; remit-to addresses matched by code', () => {
    const same = { number: '40001', name: 'Van den Berg', primaryContact: { email: 'a@b.nl', firstName: 'An', lastName: 'Berg' } };
    expect(supplierBody(same, current)).toBeNull();
    expect(supplierBody({ ...same, remitTos: [{ code: 'RT-40001', street1: 'Postbus 1', city: 'Amstelveen', countryCode: 'NL' }] }, current)).toBeNull();
    expect(
      supplierBody(
        {
          ...same,
          primaryContact: { email: 'c@b.nl', firstName: 'An', lastName: 'Berg' },
          remitTos: [
            { code: 'RT-40001', street1: 'Postbus 2', city: 'Amstelveen', countryCode: 'NL' },
            { code: 'RT-2', street1: 'Bank 1', city: 'Delft', countryCode: 'NL' },
          ],
        },
        current,
      ),
    ).toEqual({
      'primary-contact': { email: 'c@b.nl', 'name-given': 'An', 'name-family': 'Berg' },
      'remit-to-addresses': [
        expect.objectContaining({ id: 1, 'remit-to-code': 'RT-40001', street1: 'Postbus 2' }),
        expect.not.objectContaining({ id: expect.anything() }),
      ],
    });
    // Matched by name, no number yet: the number links it.
    expect(supplierBody(same, { ...current, number: null })).toEqual({ number: '40001' });
  });
});

describe('Coupa errors and tokens', () => {
  it("reads Coupa's error bodies and recognises the refusals the connector acts on", () => {
    const body = JSON.stringify({ errors: { invoice: ['An invoice in status approved cannot be changed'] } });
    expect(coupaMessages(body)).toEqual(['An invoice in status approved cannot be changed']);
    expect(coupaMessages('<errors/>')).toEqual([]);
    expect(lockedInvoiceCode(['An invoice in status approved cannot be changed'])).toBe('invoice-approved');
    expect(lockedInvoiceCode(['A paid invoice cannot be changed'])).toBe('invoice-paid');
    expect(lockedInvoiceCode(['An invoice in status pending_approval cannot be changed'])).toBe('invoice-in-approval');
    expect(lockedInvoiceCode(['Invoice date can\u2019t be blank'])).toBeNull();
    expect(isDuplicateKeyRefusal(['Po number has already been taken'])).toBe(true);
    expect(isDuplicateKeyRefusal(['Invoice number has already been used for this supplier'])).toBe(true);
  });

  it('waits for a just-minted token only while it is younger than the activation delay', () => {
    const jwt = (claims: object): string => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
    const iat = 1_800_000_000;
    expect(jwtClaims(jwt({ iat, scope: 'a b' }))).toEqual({ iat, scope: 'a b' });
    expect(jwtClaims('not-a-jwt')).toBeNull();
    // iat has whole seconds: wait until a full delay past the end of that second.
    expect(activationWaitMs(jwt({ iat }), iat * 1000 + 500, 5000)).toBe(5500);
    expect(activationWaitMs(jwt({ iat }), iat * 1000 + 7000, 5000)).toBe(0);
    expect(activationWaitMs('opaque-token', 0, 5000)).toBe(0);
  });
});
