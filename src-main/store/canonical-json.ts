import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (by UTF-16 code unit) and no whitespace, so equal data always
 * gives equal text: the basis of snapshot content hashes and the audit hash chain.
 * Follows JSON.stringify (toJSON is honoured, undefined object members are left out) but
 * refuses values JSON cannot carry faithfully (NaN, Infinity, bigint) instead of writing null.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, where: string): string {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return write((value as { toJSON(): unknown }).toJSON(), where);
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
        return `[${value.map((item, index) => (item === undefined ? 'null' : write(item, `${where}[${index}]`))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
        .map((key) => `${JSON.stringify(key)}:${write(record[key], `${where}.${key}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`Cannot store a ${typeof value} at ${where} as JSON.`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
