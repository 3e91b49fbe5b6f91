import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted (by UTF-16 code unit) and no whitespace, so equal data always
 * gives equal text: the basis of snapshot content hashes and the audit hash chain.
 * Follows JSON.stringify (toJSON is honoured, undefined object members are left out, undefined
 * and holes in arrays become null) but refuses values JSON cannot carry faithfully (NaN,
 * Infinity, bigint) instead of writing null.
 */
export function canonicalJson(value: unknown): string {
  return new CanonicalWriter(null).write(value);
}

/** Canonical JSON plus what a member check saw on the way (one walk instead of two). */
export interface CheckedCanonicalJson {
  text: string;
  /** Path ($.a.b[2].c) of the first member, in written order, that `flagMember` flagged; null if none. */
  flaggedPath: string | null;
  /** A toJSON method supplied part of the text: the check saw its result, not the object itself. */
  usedToJson: boolean;
}

/**
 * canonicalJson, also calling `flagMember(name, value)` for every member of every object it
 * walks (members with undefined or function values included, although they are not written).
 */
export function canonicalJsonChecked(
  value: unknown,
  flagMember: (name: string, value: unknown) => boolean,
): CheckedCanonicalJson {
  const writer = new CanonicalWriter(flagMember);
  const text = writer.write(value);
  return { text, flaggedPath: writer.flaggedPath, usedToJson: writer.usedToJson };
}

/** JSON.stringify of a key, remembered: the same few member names recur in every record. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size >= MAX_QUOTED_KEYS) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * One pass, no intermediate arrays. The path of the current value is kept as a stack and only
 * turned into text for an error message or a flagged member.
 */
class CanonicalWriter {
  private readonly path: (string | number)[] = [];
  flaggedPath: string | null = null;
  usedToJson = false;

  constructor(private readonly flagMember: ((name: string, value: unknown) => boolean) | null) {}

  write(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        // For finite numbers JSON.stringify is Number#toString (-0 included: "0").
        if (!Number.isFinite(value)) throw new TypeError(`Cannot store ${value} at ${this.where()} as JSON.`);
        return String(value);
      case 'bigint':
        throw new TypeError(
          `Cannot store a bigint at ${this.where()} as JSON; convert it to a decimal string first.`,
        );
      case 'object':
        if (value === null) return 'null';
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
          this.usedToJson = true;
          return this.write((value as { toJSON(): unknown }).toJSON());
        }
        return Array.isArray(value)
          ? this.writeArray(value)
          : this.writeObject(value as Record<string, unknown>);
      default:
        throw new TypeError(`Cannot store a ${typeof value} at ${this.where()} as JSON.`);
    }
  }

  private writeArray(items: readonly unknown[]): string {
    let text = '[';
    for (let index = 0; index < items.length; index++) {
      if (index > 0) text += ',';
      const item = items[index];
      if (item === undefined) {
        text += 'null';
        continue;
      }
      this.path.push(index);
      text += this.write(item);
      this.path.pop();
    }
    return `${text}]`;
  }

  private writeObject(record: Record<string, unknown>): string {
    const keys = Object.keys(record).sort();
    let text = '{';
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (this.flagMember !== null && this.flaggedPath === null && this.flagMember(key, item)) {
        this.flaggedPath = `${this.where()}.${key}`;
      }
      if (item === undefined || typeof item === 'function') continue;
      if (!first) text += ',';
      first = false;
      this.path.push(key);
      text += `${quoteKey(key)}:${this.write(item)}`;
      this.path.pop();
    }
    return `${text}}`;
  }

  private where(): string {
    let where = '$';
    for (const step of this.path) where += typeof step === 'number' ? `[${step}]` : `.${step}`;
    return where;
  }
}

export function sha256Hex(text: string): string {
  // One-shot hash of the UTF-8 bytes: same digest as createHash().update(text, 'utf8'), less overhead.
  return hash('sha256', text, 'hex');
}
