/**
 * F2's per-connection switches, read from the Acumatica connection's settings (the connect form
 * writes them; the sandbox connection starts with the demo's). Every value has a safe default:
 * nothing is released, created or re-coded unless the connection says so.
 */

/** Who decides a vendor field when the two systems disagree. */
export type FieldDirection =
  /** Procore's value is copied to Acumatica. */
  | 'procore'
  /** Acumatica's value is copied to Procore. */
  | 'acumatica'
  /** Whichever side changed since the last sync; changed on both sides = a person chooses. */
  | 'both'
  /** Not synchronised. */
  | 'none';

export type RetainagePolicy =
  /** Bills carry the gross amount billed; retainage is not on them. */
  | 'gross'
  /** Retainage held is a negative line to the retainage payable account (released: a positive one). */
  | 'net-line'
  /** Acumatica's own retainage on the bill (its AP301000 retainage fields), by the invoice's percentage. */
  | 'acumatica';

export interface F2Policy {
  /** Lines also carry Acumatica project, project task and cost code. */
  construction: boolean;
  /** Release each bill (ReleaseBill) once it is posted. */
  releaseBills: boolean;
  retainage: RetainagePolicy;
  /** Account of the retainage line ('net-line'). */
  retainageAccount: string | null;
  /** A vendor new on one side: created on the other and linked, or parked for a person. */
  newVendors: 'create' | 'park';
  /** Acumatica class of vendors created from Procore (null: the tenant's default class). */
  vendorClass: string | null;
  vendorFields: { name: FieldDirection; address: FieldDirection; contact: FieldDirection };
  /** Acumatica cost codes are added to each mapped Procore project's cost code list. */
  costCodesToProcore: boolean;
  /** Approved Procore work order contracts missing in Acumatica get their subcontract created. */
  createSubcontracts: boolean;
  /** Currency of the books (records are audited in it). */
  currency: string;
}

export const DEFAULT_POLICY: F2Policy = {
  construction: false,
  releaseBills: false,
  retainage: 'net-line',
  retainageAccount: null,
  newVendors: 'create',
  vendorClass: null,
  vendorFields: { name: 'both', address: 'both', contact: 'both' },
  costCodesToProcore: true,
  createSubcontracts: false,
  currency: 'EUR',
};

const yes = (v: unknown): boolean | undefined =>
  v === true || v === false ? v : typeof v === 'string' ? /^(yes|true|1|on)$/i.test(v.trim()) : undefined;
const oneOf = <T extends string>(v: unknown, allowed: readonly T[]): T | undefined =>
  typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const DIRECTIONS = ['procore', 'acumatica', 'both', 'none'] as const;

/** The policy from a connection's stored settings (unknown or missing values take the default). */
export function policyFromSettings(settings: Readonly<Record<string, unknown>>): F2Policy {
  const d = DEFAULT_POLICY;
  return {
    construction: yes(settings['construction']) ?? d.construction,
    releaseBills: yes(settings['releaseBills']) ?? d.releaseBills,
    retainage: oneOf(settings['retainage'], ['gross', 'net-line', 'acumatica'] as const) ?? d.retainage,
    retainageAccount: text(settings['retainageAccount']) ?? d.retainageAccount,
    newVendors: oneOf(settings['newVendors'], ['create', 'park'] as const) ?? d.newVendors,
    vendorClass: text(settings['vendorClass']) ?? d.vendorClass,
    vendorFields: {
      name: oneOf(settings['vendorNameDirection'], DIRECTIONS) ?? d.vendorFields.name,
      address: oneOf(settings['vendorAddressDirection'], DIRECTIONS) ?? d.vendorFields.address,
      contact: oneOf(settings['vendorContactDirection'], DIRECTIONS) ?? d.vendorFields.contact,
    },
    costCodesToProcore: yes(settings['costCodesToProcore']) ?? d.costCodesToProcore,
    createSubcontracts: yes(settings['createSubcontracts']) ?? d.createSubcontracts,
    currency: text(settings['currency']) ?? d.currency,
  };
}
