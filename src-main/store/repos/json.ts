import type { JsonValue } from '../../../src-shared/domain/audit';
import { canonicalJsonChecked, sha256Hex } from '../canonical-json';
import { findSecretMember, isSecretMember, SecretInStoreError } from '../secret-guard';

/**
 * A value checked for secrets and written as canonical JSON once, to be stored in several
 * places (snapshot, outbox, target record, audit entries) without walking it again. The text is
 * fixed when it is made: later changes to the original object do not reach the store.
 */
export class CanonicalJson {
  #sha256: string | undefined;

  private constructor(readonly text: string) {}

  /** Throws SecretInStoreError (naming `where` and the member path) like any store write would. */
  static of(value: unknown, where: string): CanonicalJson {
    return value instanceof CanonicalJson ? value : new CanonicalJson(checkedCanonicalJson(value, where));
  }

  /** sha256 hex of the text (what sha256Hex(canonicalJson(value)) gives). */
  get sha256(): string {
    this.#sha256 ??= sha256Hex(this.text);
    return this.#sha256;
  }
}

/** What a repo accepts for a JSON column: the value, or its CanonicalJson made earlier. */
export type JsonInput = JsonValue | CanonicalJson;

/** Canonical JSON text for a column, after refusing anything that looks like a credential. */
export function jsonColumn(value: unknown, where: string): string {
  return value instanceof CanonicalJson ? value.text : checkedCanonicalJson(value, where);
}

export function nullableJsonColumn(value: unknown, where: string): string | null {
  return value === null || value === undefined ? null : jsonColumn(value, where);
}

/**
 * One walk writes the text and looks at every member name. A flagged member, a toJSON result
 * (the guard judges the object itself, as findSecretMember always has) or an unwritable value
 * send the value through findSecretMember, so the error and its member path are exactly the
 * guard's, and a secret is reported before any other problem.
 */
function checkedCanonicalJson(value: unknown, where: string): string {
  let checked;
  try {
    checked = canonicalJsonChecked(value, isSecretMember);
  } catch (error) {
    const secretPath = findSecretMember(value);
    if (secretPath) throw new SecretInStoreError(where, secretPath);
    throw error;
  }
  if (checked.flaggedPath !== null || checked.usedToJson) {
    const secretPath = findSecretMember(value) ?? checked.flaggedPath;
    if (secretPath) throw new SecretInStoreError(where, secretPath);
  }
  return checked.text;
}

export function parseJsonColumn<T = JsonValue>(text: string): T {
  return JSON.parse(text) as T;
}

export function parseNullableJsonColumn<T = JsonValue>(text: string | null): T | null {
  return text === null ? null : parseJsonColumn<T>(text);
}
