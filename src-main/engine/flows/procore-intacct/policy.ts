import type { JsonValue } from '../../../../src-shared/domain/audit';

/**
 * How F3 posts, from the Sage Intacct connection's settings (the Connections form,
 * src-shared/domain/connect-forms.ts) with the defaults of decision 0021. Read at the start of
 * every run, so a changed setting applies to the next run.
 */
export type CommitmentDocument = 'purchasing' | 'draft-bill' | 'journal';
export type RetainageMode = 'gross' | 'net' | 'separate-line';

/** Vendor fields kept in step, and which system wins: 'intacct' / 'procore' always, 'both' = whichever changed. */
export type FieldDirection = 'intacct' | 'procore' | 'both';
export const VENDOR_FIELDS = ['name', 'email', 'phone', 'active'] as const;
export type VendorField = (typeof VENDOR_FIELDS)[number];

export interface F3Policy {
  currency: string;
  /** What a Procore commitment becomes (decision 0021: purchasing transactions by default). */
  commitmentDocument: CommitmentDocument;
  /** Procore commitment statuses that are posted (others wait until they reach one). */
  commitmentStatuses: readonly string[];
  /** Change order statuses that amend the posted commitment. */
  changeOrderStatuses: readonly string[];
  /** Intacct transaction definition per Procore commitment kind (purchasing mode). */
  transactionTypes: { 'work-order': string; 'purchase-order': string };
  /** Item on purchasing lines (Intacct purchasing lines need one). */
  purchasingItemId: string | null;
  /** Journal symbol and offset account for commitments posted as GL journal entries. */
  journalSymbol: string;
  journalOffsetAccountNo: string | null;
  /** How retainage reaches the AP bill of a pay application (the connector posts it the same way). */
  retainage: RetainageMode;
  retainageAccountNo: string | null;
  /** Days from the billing date to the bill's due date. */
  billDueDays: number;
  /** A commitment deleted in Procore: leave its document (default) or zero its lines. */
  deletedCommitment: 'leave' | 'zero';
  vendorFieldDirections: Record<VendorField, FieldDirection>;
  /** Hours between two reads of Intacct's dimensions into Procore cost codes. */
  referenceEveryHours: number;
  /** All-or-nothing requests of Intacct writes (transaction="true"); off by default. */
  atomicBatches: boolean;
  /** erp_status shown on a Procore pay application once paid / partly paid (Procore's values are unconfirmed). */
  paidErpStatus: string;
  partlyPaidErpStatus: string;
}

export const DEFAULT_POLICY: F3Policy = {
  currency: 'EUR',
  commitmentDocument: 'purchasing',
  commitmentStatuses: ['Approved', 'Complete', 'Received'],
  changeOrderStatuses: ['approved'],
  transactionTypes: { 'work-order': 'Subcontract', 'purchase-order': 'Purchase Order' },
  purchasingItemId: null,
  journalSymbol: 'JCJ',
  journalOffsetAccountNo: null,
  retainage: 'gross',
  retainageAccountNo: null,
  billDueDays: 30,
  deletedCommitment: 'leave',
  // Intacct's AP team owns names and status; contact details are kept by whoever changed them.
  vendorFieldDirections: { name: 'intacct', active: 'intacct', email: 'both', phone: 'both' },
  referenceEveryHours: 24,
  atomicBatches: false,
  paidErpStatus: 'paid',
  partlyPaidErpStatus: 'partially_paid',
};

const text = (value: JsonValue | undefined): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** "name=intacct, email=both" → the directions it names, on top of the defaults (unknown parts are ignored). */
export function vendorDirectionsFrom(setting: string | null): Record<VendorField, FieldDirection> {
  const directions = { ...DEFAULT_POLICY.vendorFieldDirections };
  for (const part of (setting ?? '').split(/[,;]/)) {
    const [field, direction] = part.split('=').map((x) => x.trim().toLowerCase());
    if ((VENDOR_FIELDS as readonly string[]).includes(field ?? '') && (direction === 'intacct' || direction === 'procore' || direction === 'both'))
      directions[field as VendorField] = direction;
  }
  return directions;
}

/** The policy for a connection's stored settings (unknown or empty values keep the default). */
export function policyFromSettings(settings: Readonly<Record<string, JsonValue>> | undefined, overrides: Partial<F3Policy> = {}): F3Policy {
  const s = settings ?? {};
  const document = text(s['commitmentDocument']);
  const retainage = text(s['retainage']);
  const retainageAccountNo = text(s['retainageAccountNo']);
  return {
    ...DEFAULT_POLICY,
    ...(document === 'purchasing' || document === 'draft-bill' || document === 'journal' ? { commitmentDocument: document } : {}),
    purchasingItemId: text(s['purchasingItemId']),
    journalSymbol: text(s['journalSymbol']) ?? DEFAULT_POLICY.journalSymbol,
    journalOffsetAccountNo: text(s['journalOffsetAccountNo']),
    // The connector posts separate-line retainage only with an account (host/systems/sage-intacct.ts): same rule here.
    retainage: retainage === 'net' ? 'net' : retainage === 'separate-line' && retainageAccountNo ? 'separate-line' : 'gross',
    retainageAccountNo,
    vendorFieldDirections: vendorDirectionsFrom(text(s['vendorFields'])),
    ...overrides,
  };
}
