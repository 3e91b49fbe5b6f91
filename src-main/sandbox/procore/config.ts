/**
 * Switches of the Procore simulator, read from `SimulatorStartOptions.config`. Defaults are the
 * documented values (fact sheet Part 2); "unconfirmed" behaviour is a switch, never hard-coded.
 */
export interface ProcoreSimConfig {
  /** §2.6 hourly window (documented historically as 3,600 requests/hour per app per company). */
  hourlyLimit: number;
  /** §2.6 spike window: `spikeLimit` requests per `spikeWindowSeconds` (example 25 per 10 s). */
  spikeLimit: number;
  spikeWindowSeconds: number;
  /** §2.2 client-credentials token lifetime (5400 s = 90 min). */
  tokenLifetimeSeconds: number;
  /** §2.4 default page size is unconfirmed; SDK examples use 100. */
  defaultPerPage: number;
  /**
   * §2.4 docs recommend per_page <= 2,000 (older docs: hard max 10,000). Larger values are
   * clamped to this (the Per-Page header shows the size actually used).
   */
  maxPerPage: number;
  /** §2.5 sync actions take at most 1000 updates per call. */
  syncMaxUpdates: number;
  /** Status for a sync call over the cap (the docs give none; 400 = malformed request). */
  syncOverCapStatus: 400 | 422;
  /**
   * Part 3 #6: without Procore-Company-Id, list endpoints such as projects answer a bare 404
   * instead of the "Missing Procore-Company-Id header!" 400. false = always the explicit 400.
   */
  missingCompanyHeaderListsAnswer404: boolean;
  /** §2.5 "Approved/Complete commitments": vendor and SOV locked, no delete. */
  lockedCommitmentStatuses: string[];
  /** §2.7 406 for unknown fields in a create/update body (sync items get a per-item error). */
  rejectUnknownFields: boolean;
  /** Requisition erp_status values accepted by PATCH; null = any non-empty string (unconfirmed enum). */
  requisitionErpStatuses: string[] | null;
  /** Commitment change order statuses accepted on create (the CCO enum is unconfirmed). */
  changeOrderStatuses: string[];
  /** The company the sandbox app is installed in; default derived from the seed. */
  companyId: number;
}

const DEFAULTS: Omit<ProcoreSimConfig, 'companyId'> = {
  hourlyLimit: 3600,
  spikeLimit: 25,
  spikeWindowSeconds: 10,
  tokenLifetimeSeconds: 5400,
  defaultPerPage: 100,
  maxPerPage: 1000,
  syncMaxUpdates: 1000,
  syncOverCapStatus: 400,
  missingCompanyHeaderListsAnswer404: true,
  lockedCommitmentStatuses: ['Approved', 'Complete'],
  rejectUnknownFields: true,
  requisitionErpStatuses: null,
  changeOrderStatuses: [
    'draft',
    'pending',
    'approved',
    'rejected',
    'no_charge',
    'void',
    'revise_and_resubmit',
  ],
};

/** A company id above 2^32 like real Procore ids, stable per seed. */
export function defaultCompanyId(seed: number): number {
  return 562_949_953_000_000 + (Math.abs(seed) % 100_000);
}

export function readProcoreConfig(raw: Record<string, unknown>, seed: number): ProcoreSimConfig {
  const known = new Set([...Object.keys(DEFAULTS), 'companyId']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw new Error(`unknown Procore simulator config "${key}" (known: ${[...known].join(', ')})`);
  }
  const positive = (key: keyof ProcoreSimConfig, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      throw new Error(
        `Procore simulator config "${key}" must be a positive integer, got ${JSON.stringify(value)}`,
      );
    return value;
  };
  const bool = (key: keyof ProcoreSimConfig, fallback: boolean): boolean => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'boolean')
      throw new Error(`Procore simulator config "${key}" must be true or false`);
    return value;
  };
  const strings = (key: keyof ProcoreSimConfig, fallback: string[]): string[] => {
    const value = raw[key] ?? fallback;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new Error(`Procore simulator config "${key}" must be a list of strings`);
    return value as string[];
  };
  const overCap = raw['syncOverCapStatus'] ?? DEFAULTS.syncOverCapStatus;
  if (overCap !== 400 && overCap !== 422)
    throw new Error('Procore simulator config "syncOverCapStatus" must be 400 or 422');
  return {
    hourlyLimit: positive('hourlyLimit', DEFAULTS.hourlyLimit),
    spikeLimit: positive('spikeLimit', DEFAULTS.spikeLimit),
    spikeWindowSeconds: positive('spikeWindowSeconds', DEFAULTS.spikeWindowSeconds),
    tokenLifetimeSeconds: positive('tokenLifetimeSeconds', DEFAULTS.tokenLifetimeSeconds),
    defaultPerPage: positive('defaultPerPage', DEFAULTS.defaultPerPage),
    maxPerPage: positive('maxPerPage', DEFAULTS.maxPerPage),
    syncMaxUpdates: positive('syncMaxUpdates', DEFAULTS.syncMaxUpdates),
    syncOverCapStatus: overCap,
    missingCompanyHeaderListsAnswer404: bool(
      'missingCompanyHeaderListsAnswer404',
      DEFAULTS.missingCompanyHeaderListsAnswer404,
    ),
    lockedCommitmentStatuses: strings('lockedCommitmentStatuses', DEFAULTS.lockedCommitmentStatuses),
    rejectUnknownFields: bool('rejectUnknownFields', DEFAULTS.rejectUnknownFields),
    requisitionErpStatuses:
      raw['requisitionErpStatuses'] === null || raw['requisitionErpStatuses'] === undefined
        ? DEFAULTS.requisitionErpStatuses
        : strings('requisitionErpStatuses', []),
    changeOrderStatuses: strings('changeOrderStatuses', DEFAULTS.changeOrderStatuses),
    companyId: positive('companyId', defaultCompanyId(seed)),
  };
}
