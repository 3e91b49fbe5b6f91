/** The six systems ml-connector talks to; one list for the store, the IPC contract and connectors. */
export const SYSTEM_IDS = ['exact-online', 'procore', 'acumatica', 'sage-intacct', 'monday', 'coupa'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

/** Each system as its users name it. */
export const SYSTEM_TITLES: Readonly<Record<SystemId, string>> = {
  'exact-online': 'Exact Online',
  procore: 'Procore',
  acumatica: 'Acumatica',
  'sage-intacct': 'Sage Intacct',
  monday: 'monday.com',
  coupa: 'Coupa',
};

/**
 * Procore commitment line-item syncs in flight at once (one call per commitment): 1 to 16,
 * default 4. Every call still passes the company's rate budget; more buys nothing under
 * Procore's spike window (25 per 10 s by default).
 */
export const PROCORE_WRITE_CONCURRENCY = { default: 4, max: 16 } as const;
