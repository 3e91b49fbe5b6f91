import { describe, expect, it } from 'vitest';
import { singular, xmlErrors, xmlList, xmlRecord } from './xml';

describe('coupa XML rendering (§3.1 XML default, §3.7 errors)', () => {
  it('renders typed elements, nil, nested objects and arrays of singular children', () => {
    const xml = xmlRecord('order-header', {
      id: 7,
      exported: false,
      'updated-at': '2026-10-30T16:00:00+00:00',
      requester: null,
      currency: { code: 'EUR' },
      'order-lines': [{ id: 1, price: '1234.565', description: 'Rebar <12mm> & "ties"' }],
      'account-allocations': [],
    });
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<order-header>',
        '  <id type="integer">7</id>',
        '  <exported type="boolean">false</exported>',
        '  <updated-at type="dateTime">2026-10-30T16:00:00+00:00</updated-at>',
        '  <requester nil="true"/>',
        '  <currency>',
        '    <code>EUR</code>',
        '  </currency>',
        '  <order-lines type="array">',
        '    <order-line>',
        '      <id type="integer">1</id>',
        '      <price type="decimal">1234.565</price>',
        '      <description>Rebar &lt;12mm&gt; &amp; &quot;ties&quot;</description>',
        '    </order-line>',
        '  </order-lines>',
        '  <account-allocations type="array"/>',
        '</order-header>',
        '',
      ].join('\n'),
    );
  });

  it('lists are <plural type="array">; characters XML cannot carry are dropped; errors are <errors><error>', () => {
    expect(xmlList('invoice-header', [{ description: 'Factuur\u0007' }])).toContain('<invoice-headers type="array">\n  <invoice-header>\n    <description>Factuur</description>');
    expect(xmlErrors(['Po number has already been taken'])).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>Po number has already been taken</error>\n</errors>\n');
  });

  it('singular of the collection names Coupa uses', () => {
    expect(['order-lines', 'remit-to-addresses', 'invoice-headers', 'users', 'account-types', 'entries'].map(singular)).toEqual([
      'order-line',
      'remit-to-address',
      'invoice-header',
      'user',
      'account-type',
      'entry',
    ]);
  });
});
