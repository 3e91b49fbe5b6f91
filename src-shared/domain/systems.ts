/** The six systems ml-connector talks to; one list for the store, the IPC contract and connectors. */
export const SYSTEM_IDS = ['exact-online', 'procore', 'acumatica', 'sage-intacct', 'monday', 'coupa'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];
