import { describe, expect, it } from 'vitest';
import { DEFAULT_WEB_LINKS, webLinkBuilder } from './links';

const ID = '3f2a0c1e-1111-4111-8111-111111111111';

describe('webLinkBuilder', () => {
  it('fills the default patterns with the regional host, the division and the record id', () => {
    const link = webLinkBuilder('https://start.exactonline.be/', 115673);
    expect(link('account', ID, '40006')).toBe(
      `https://start.exactonline.be/docs/CRMAccountCard.aspx?_Division_=115673&AccountID=%7b${ID}%7d`,
    );
    expect(link('salesInvoice', ID, '26100001')).toContain('_Division_=115673');
    for (const kind of Object.keys(DEFAULT_WEB_LINKS) as (keyof typeof DEFAULT_WEB_LINKS)[])
      expect(new URL(link(kind, ID, '1')).host).toBe('start.exactonline.be');
  });

  it('takes a configured pattern, URL-encodes the values, and refuses unknown placeholders or non-web addresses up front', () => {
    const link = webLinkBuilder('https://start.exactonline.nl', 1, { salesOrder: '{host}/docs/Find.aspx?number={number}' });
    expect(link('salesOrder', ID, 'A 1&2')).toBe('https://start.exactonline.nl/docs/Find.aspx?number=A%201%262');
    expect(() => webLinkBuilder('https://start.exactonline.nl', 1, { account: '{host}/x?id={guid}' })).toThrow(/unknown placeholder\(s\) \{guid\}/);
    expect(() => webLinkBuilder('https://start.exactonline.nl', 1, { account: 'javascript:alert({id})' })).toThrow(/http\(s\) address/);
    expect(() => webLinkBuilder('https://start.exactonline.nl', 1, { account: 'not a url {id}' })).toThrow(/does not make a web address/);
  });
});
