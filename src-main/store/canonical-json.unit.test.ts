import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { canonicalJson, sha256Hex } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives equal text for equal data built in different orders', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('follows JSON.stringify for undefined members and toJSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined], c: Decimal.parse('1.50') })).toBe(
      '{"b":[null],"c":"1.5"}',
    );
    expect(canonicalJson('é €')).toBe('"é €"');
  });

  it('refuses values JSON cannot carry instead of writing null', () => {
    expect(() => canonicalJson({ amount: Number.NaN })).toThrow('$.amount');
    expect(() => canonicalJson([1, 10n])).toThrow(/bigint at \$\[1\]/);
  });

  it('hashes as sha256 hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
