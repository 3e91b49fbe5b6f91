import { Decimal } from '../../../src-shared/domain/money';
import type { SimResponse } from '../_common/sim-server';

/** A record as the Exact REST API returns it (PascalCase fields, JSON values). */
export type ExactRecord = Record<string, unknown>;

/** Exact's Microsoft JSON date, e.g. "/Date(1641034800000)/" (fact sheet §1.4). */
export function exactDate(epochMs: number): string {
  return `/Date(${epochMs})/`;
}

const EXACT_DATE = /^\/Date\((-?\d+)\)\/$/;

/** Epoch ms of an Exact date string, or undefined when the text is not one. */
export function parseExactDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = EXACT_DATE.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** "2026-03-01" (a world date) -> "/Date(…)/" at 00:00 UTC. */
export function exactDateFromIso(isoDate: string): string {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: "${isoDate}"`);
  return exactDate(ms);
}

/**
 * Exact sends amounts as JSON numbers. They are produced from exact decimal strings so that
 * the shortest round-trip text of the double is the amount to the cent ("1234.50" -> 1234.5).
 */
export function amountNumber(value: Decimal): number {
  return Number(value.toMoneyString());
}

/** Quantities/prices keep their exact decimals ("12.375" -> 12.375). */
export function decimalNumber(value: Decimal): number {
  return Number(value.toString());
}

/** Reads an amount/quantity that is on the wire as a JSON number (or a decimal string). */
export function readDecimal(value: unknown, field: string): Decimal {
  if (typeof value === 'number') return Decimal.fromJsonNumber(value);
  if (typeof value === 'string') return Decimal.parse(value);
  throw new ExactApiError(400, `${field} must be a number, got ${value === null ? 'null' : typeof value}`);
}

/** CRM account codes are 18 characters, right-aligned with leading spaces (fact sheet §1.4). */
export function padAccountCode(code: string): string {
  return code.padStart(18, ' ');
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The OData v2 error envelope every REST error uses (fact sheet §1.8). */
export function odataError(status: number, message: string, headers: Record<string, string> = {}): SimResponse {
  return { status, headers, body: { error: { code: '', message: { lang: '', value: message } } } };
}

/** Thrown by handlers for a client error; routes turn it into the OData error envelope. */
export class ExactApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
