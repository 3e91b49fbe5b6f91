/**
 * Why a record cannot be written yet. `message` is for a controller or project accountant
 * (finance words, the codes they know); `mappingKeys` say which mapping entries would fix it,
 * so changing one of them re-queues exactly the records it affects.
 */
export const ISSUE_CODES = [
  'unmapped-project',
  'unmapped-cost',
  'cost-code-not-in-project',
  'unknown-line-item-type',
  'unmapped-vendor',
  'vendor-not-in-target',
  'missing-gl-account',
  'no-lines',
  'currency-mismatch',
  /** An amount with fractions of a cent: the target books whole cents and money is never rounded silently. */
  'amount-not-cents',
  'target-rejected',
  /** The source row itself could not be read (a required field missing): fixed in the source system. */
  'source-unreadable',
  /** A GL account or cost center that is not among a flow's reference values (flagged, not parked, where a flow says so). */
  'unmapped-gl-account',
  'unmapped-cost-center',
  /** Another document of the same kind already carries the number in the target (flagged: both are written, finance checks which is right). */
  'duplicate-number',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface ValidationIssue {
  code: IssueCode;
  message: string;
  /** Source line the issue is about, when it is about one line. */
  sourceLineId?: string;
  /** e.g. "project:P26-003", "cost:4400|KST-12|", "vendor:SUP-0042". */
  mappingKeys: string[];
}

/**
 * A record that was written although it carries issues (a flow's "flags") waits in Pending
 * validation as "created, needs review": its reason code is the first issue's code with this
 * prefix, so it is told apart from a parked record without a second table.
 */
export const FLAGGED_REASON_PREFIX = 'needs-review:';

export const isFlaggedReason = (reasonCode: string): boolean => reasonCode.startsWith(FLAGGED_REASON_PREFIX);

export const mappingKey = {
  project: (projectCode: string): string => `project:${projectCode}`,
  cost: (gl: string, costCenter: string, costUnit: string | null): string => `cost:${gl}|${costCenter}|${costUnit ?? ''}`,
  vendor: (supplierCode: string): string => `vendor:${supplierCode}`,
};
