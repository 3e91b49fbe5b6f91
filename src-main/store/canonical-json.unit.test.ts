import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { canonicalJson, canonicalJsonChecked, sha256Hex } from './canonical-json';

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

/**
 * The writer as it was when the first hashes were stored (audit chain, snapshot content hashes,
 * target payload hashes): the faster writer must give the same bytes for every input it accepted.
 */
function referenceCanonicalJson(value: unknown, where = '$'): string {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return referenceCanonicalJson((value as { toJSON(): unknown }).toJSON(), where);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot store ${value} at ${where} as JSON.`);
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError(`Cannot store a bigint at ${where} as JSON; convert it to a decimal string first.`);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return `[${value.map((item, index) => (item === undefined ? 'null' : referenceCanonicalJson(item, `${where}[${index}]`))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
        .map((key) => `${JSON.stringify(key)}:${referenceCanonicalJson(record[key], `${where}.${key}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`Cannot store a ${typeof value} at ${where} as JSON.`);
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AWKWARD_STRINGS = [
  '',
  'plain',
  'é €',
  'Ünïcødé ключ 鍵',
  '😀 surrogate pair',
  '\ud800 lone high',
  'lone low \udfff',
  'quote " and backslash \\',
  'controls \u0000\u0001\u001f\b\f\n\r\t',
  '\u2028\u2029 line separators',
  '</script>',
  '123456789012345678901234567890',
  '-0.00',
  '1e21',
];
const AWKWARD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  -1.5e-300,
  123456789012345,
  Number.MAX_SAFE_INTEGER,
  5e-324,
  2 ** 53 + 2,
];
const AWKWARD_KEYS = [
  'a',
  'B',
  'b',
  '_',
  'Z',
  'aa',
  'a-b',
  'é',
  'ä',
  '😀',
  '\ud800',
  '',
  ' ',
  '10',
  '9',
  '1',
  '__proto__x',
  'toString',
  'constructor',
];

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const kind = depth > 3 ? Math.floor(random() * 5) : Math.floor(random() * 9);
  switch (kind) {
    case 0:
      return pick(AWKWARD_STRINGS);
    case 1:
      return pick(AWKWARD_NUMBERS);
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return `${Math.floor(random() * 1e6)}${'9'.repeat(Math.floor(random() * 30))}`; // big ints as strings
    case 5:
    case 6: {
      const record: Record<string, unknown> = {};
      const size = Math.floor(random() * 7);
      for (let i = 0; i < size; i++) {
        const roll = random();
        record[pick(AWKWARD_KEYS)] =
          roll < 0.1
            ? undefined
            : roll < 0.15
              ? () => 1
              : roll < 0.2
                ? Decimal.parse('-12.50')
                : randomValue(random, depth + 1);
      }
      return record;
    }
    default: {
      const length = Math.floor(random() * 5);
      return Array.from({ length }, () => (random() < 0.1 ? undefined : randomValue(random, depth + 1)));
    }
  }
}

describe('canonicalJson is byte-identical to the writer the stored hashes were made with', () => {
  it('for 5,000 varied values: unicode, surrogates, nested arrays, big ints as strings, -0, key order, toJSON, undefined', () => {
    const random = randomSource(20261122);
    for (let i = 0; i < 5000; i++) {
      const value = randomValue(random, 0);
      expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
    }
  });

  it('for a purchase-order-like record whose keys are in source order, not sorted', () => {
    const record = {
      sourceId: 'PO-1',
      lines: [
        { sourceLineId: 'be31', lineNumber: 1, amount: '42731.01', unit: null, description: 'Kabel 5×6 mm²' },
      ],
      currency: 'EUR',
      amount: -0,
    };
    expect(canonicalJson(record)).toBe(referenceCanonicalJson(record));
    expect(canonicalJson(record)).toBe(
      '{"amount":0,"currency":"EUR","lines":[{"amount":"42731.01","description":"Kabel 5×6 mm²","lineNumber":1,"sourceLineId":"be31","unit":null}],"sourceId":"PO-1"}',
    );
  });

  it('refuses the same values with the same messages (the path names where)', () => {
    const bad: unknown[] = [
      { amount: Number.NaN },
      { a: [1, { b: [Number.POSITIVE_INFINITY] }] },
      [1, 10n],
      { nested: { key: Symbol('s') } },
      () => 1,
      undefined,
      { toJSON: () => undefined },
    ];
    for (const value of bad) {
      let expected = '';
      try {
        referenceCanonicalJson(value);
      } catch (error) {
        expected = (error as Error).message;
      }
      expect(expected).not.toBe('');
      expect(() => canonicalJson(value)).toThrow(expected);
    }
  });

  it('writes array holes as null, like JSON.stringify (the old writer wrote "[1,,3]", which no JSON column accepts)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect(canonicalJson(sparse)).toBe(JSON.stringify(sparse));
  });

  it('sha256Hex is the digest of the UTF-8 bytes, lone surrogates included', () => {
    for (const text of AWKWARD_STRINGS) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('canonicalJsonChecked', () => {
  it('reports the first flagged member in written (sorted) order, including members that are not written', () => {
    const flagged = (name: string) => name.startsWith('secret');
    expect(canonicalJsonChecked({ b: { secretB: 1 }, a: [{ secretA: undefined }] }, flagged)).toEqual({
      text: '{"a":[{}],"b":{"secretB":1}}',
      flaggedPath: '$.a[0].secretA',
      usedToJson: false,
    });
    expect(canonicalJsonChecked({ amount: Decimal.parse('1.50') }, flagged)).toEqual({
      text: '{"amount":"1.5"}',
      flaggedPath: null,
      usedToJson: true,
    });
  });
});
