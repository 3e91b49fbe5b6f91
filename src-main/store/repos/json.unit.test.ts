import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import { canonicalJson, sha256Hex } from '../canonical-json';
import { assertNoSecrets, SecretInStoreError } from '../secret-guard';
import { CanonicalJson, jsonColumn } from './json';

/** What jsonColumn did before it walked values once: the guard's walk, then the writer's. */
function separateWalks(value: unknown, where: string): string {
  assertNoSecrets(value, where);
  return canonicalJson(value);
}

function outcome(write: () => string): { text: string } | { error: string; name: string } {
  try {
    return { text: write() };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

const SECRET_NAMES = [
  'password',
  'Client_Secret',
  'access-token',
  'refresh token',
  'apiKey',
  'AUTHORIZATION',
  'privateKey',
];

describe('jsonColumn (one walk for the secret guard and the writer)', () => {
  it('gives the same text or the same error as the guard followed by the writer, for every case', () => {
    const cases: unknown[] = [
      { password: 'hunter2' },
      { password: null, secret: '' }, // named like secrets but holding nothing
      { password: undefined }, // not written, still refused (as the guard always did)
      { token: () => 'x', apiKey: () => 'x' },
      { a: { b: [{ c: 1 }, { Client_Secret: 's' }] } },
      { z: { password: 'later' }, a: { accessToken: 'first in sorted order, second in member order' } },
      [{ 'refresh token': 'r' }],
      { nested: [[[{ AUTHORIZATION: 'Bearer x' }]]] },
      { amount: Decimal.parse('1.50'), when: new Date(0), note: 'no secret' },
      { amount: Number.NaN, password: 'both problems: the secret is reported first' },
      { big: 10n, deep: { privateKey: 'k' } },
      { fine: 'x', values: [1, -0, 'é', null, true] },
      { apikeys: 'not a credential name', passwords2: 'nor this' },
    ];
    for (const value of cases) {
      expect(outcome(() => jsonColumn(value, 'test value'))).toEqual(
        outcome(() => separateWalks(value, 'test value')),
      );
    }
  });

  it('names the member path, never the value', () => {
    const attempt = () => jsonColumn({ oauth: { client_secret: 'hunter2' } }, 'settings');
    expect(attempt).toThrow(SecretInStoreError);
    expect(attempt).toThrow('$.oauth.client_secret');
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('refuses a secret an object hides behind toJSON, and one that toJSON produces', () => {
    const hidden = { toJSON: () => ({ id: 1 }), password: 'p' };
    expect(() => jsonColumn({ wrapper: hidden }, 'x')).toThrow('$.wrapper.password');
    const produced = { toJSON: () => ({ secret: 's' }) };
    expect(() => jsonColumn({ wrapper: produced }, 'x')).toThrow('$.wrapper.secret');
  });

  it('refuses every secret-looking member name at any depth', () => {
    for (const name of SECRET_NAMES) {
      expect(() => jsonColumn({ list: [{ [name]: 'value' }] }, 'x')).toThrow(`$.list[0].${name}`);
    }
  });
});

describe('CanonicalJson', () => {
  it('holds the canonical text and its sha256, fixed when it is made', () => {
    const value = { b: 2, a: [1, 'é'] };
    const prepared = CanonicalJson.of(value, 'planned write');
    value.b = 3;
    expect(prepared.text).toBe('{"a":[1,"é"],"b":2}');
    expect(prepared.sha256).toBe(sha256Hex('{"a":[1,"é"],"b":2}'));
    expect(jsonColumn(prepared, 'anywhere')).toBe(prepared.text);
    expect(CanonicalJson.of(prepared, 'again')).toBe(prepared);
  });

  it('is checked for secrets when it is made', () => {
    expect(() => CanonicalJson.of({ login: { password: 'p' } }, 'source record PO-1')).toThrow(
      /source record PO-1: member \$\.login\.password/,
    );
  });
});
