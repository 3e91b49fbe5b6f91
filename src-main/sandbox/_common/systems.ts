/** The six simulated systems, as named on the command line, in fault specs and in data files. */
export const SYSTEM_NAMES = ['exact', 'procore', 'acumatica', 'intacct', 'monday', 'coupa'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export function isSystemName(name: string): name is SystemName {
  return (SYSTEM_NAMES as readonly string[]).includes(name);
}
