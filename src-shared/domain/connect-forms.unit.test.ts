import { describe, expect, it } from 'vitest';
import { checkConnectValues, type ConnectForm } from './connect-forms';

const form: ConnectForm = {
  intro: 'test',
  fields: [
    { name: 'instanceUrl', label: 'Instance address', kind: 'url', required: true },
    { name: 'clientId', label: 'Client id', kind: 'text', required: true },
    { name: 'clientSecret', label: 'Client secret', kind: 'secret', required: true },
    { name: 'pageSize', label: 'Page size', kind: 'number' },
    { name: 'mode', label: 'Mode', kind: 'select', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
  ],
};

describe('checkConnectValues', () => {
  it('accepts a complete form, http only on this computer', () => {
    expect(checkConnectValues(form, { instanceUrl: 'https://acme.coupahost.com', clientId: 'x', clientSecret: 's', pageSize: '50', mode: 'b' })).toEqual([]);
    expect(checkConnectValues(form, { instanceUrl: 'http://127.0.0.1:4000', clientId: 'x', clientSecret: 's' })).toEqual([]);
  });

  it('names every problem by its label, in plain words', () => {
    expect(checkConnectValues(form, { instanceUrl: 'http://acme.example', clientId: '  ', pageSize: '2.5', mode: 'c', extra: '1' })).toEqual([
      'Instance address must be an https:// address (http only for this computer), not "http://acme.example".',
      'Client id is required.',
      'Client secret is required.',
      'Page size must be a whole number, not "2.5".',
      'Mode must be one of A, B.',
      '"extra" is not a field of this form.',
    ]);
  });
});
