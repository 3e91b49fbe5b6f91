/**
 * Wire shapes of the monday.com GraphQL answers this connector reads (vendor SDL
 * shared/vendor-specs/monday/schema.graphql, API 2026-10). Only the fields the documents in
 * documents.ts select; every field is optional or nullable where the SDL says so.
 */

/** `complexity { before after query reset_in_x_seconds }` (SDL type Complexity). */
export interface WireComplexity {
  before: number;
  after: number;
  query: number;
  reset_in_x_seconds: number;
}

export interface WireGroup {
  id: string;
  title: string;
}

export interface WireColumn {
  id: string;
  title: string;
  type: string;
  /** SDL `settings: JSON`: an object on the wire (a JSON-encoded string is accepted too). */
  settings?: unknown;
}

export interface WireBoard {
  id: string;
  name: string;
  board_kind?: string;
  workspace_id?: string | null;
  url?: string;
  groups?: Array<WireGroup | null> | null;
  columns?: Array<WireColumn | null> | null;
}

export interface WireColumnValue {
  id: string;
  type: string;
  /** "" when empty (never null on monday, but the SDL allows null). */
  text?: string | null;
  /** The value as a JSON-encoded string (SDL `value: JSON`); null when empty or computed. */
  value?: unknown;
  /** FormulaValue / MirrorValue: their computed result (their `text` is ""). */
  display_value?: string | null;
}

export interface WireItem {
  id: string;
  name: string;
  state?: string | null;
  group?: { id: string } | null;
  board?: { id: string } | null;
  column_values?: WireColumnValue[];
}

export interface WireItemsResponse {
  cursor: string | null;
  items: WireItem[];
}

export interface WireVersion {
  value: string;
  kind: string;
}

/** A mutation alias's answer: the item, or null when that alias failed. */
export type WireMutationAnswer = { id: string; state?: string | null } | null;
