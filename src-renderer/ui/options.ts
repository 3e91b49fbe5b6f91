import { FLOW_TITLES } from '../../src-shared/ipc';

/** Flows the filters offer (id -> readable title). */
export const FLOW_OPTIONS = Object.entries(FLOW_TITLES).map(([value, label]) => ({ value, label }));

/** Record kinds the engine writes to the audit log. */
export const ENTITY_OPTIONS = [
  'purchase-order',
  'purchase-invoice',
  'commitment',
  'direct-cost',
  'vendor',
  'project',
] as const;

export function flowTitle(flow: string): string {
  return FLOW_TITLES[flow] ?? flow;
}
