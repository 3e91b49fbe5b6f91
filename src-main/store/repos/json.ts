import type { JsonValue } from '../../../src-shared/domain/audit';
import { canonicalJson } from '../canonical-json';
import { assertNoSecrets } from '../secret-guard';

/** Canonical JSON text for a column, after refusing anything that looks like a credential. */
export function jsonColumn(value: unknown, where: string): string {
  assertNoSecrets(value, where);
  return canonicalJson(value);
}

export function nullableJsonColumn(value: unknown, where: string): string | null {
  return value === null || value === undefined ? null : jsonColumn(value, where);
}

export function parseJsonColumn<T = JsonValue>(text: string): T {
  return JSON.parse(text) as T;
}

export function parseNullableJsonColumn<T = JsonValue>(text: string | null): T | null {
  return text === null ? null : parseJsonColumn<T>(text);
}
