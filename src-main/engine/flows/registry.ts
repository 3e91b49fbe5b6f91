import { exactCoupaFlow } from './exact-coupa';
import { exactMondayFlow } from './exact-monday';
import { exactProcoreFlow } from './exact-procore';
import { procoreAcumaticaFlow } from './procore-acumatica';
import { procoreIntacctFlow } from './procore-intacct';
import type { AnyFlowPlugin } from './types';

/**
 * Every flow the app runs, in the order the screens list them. Adding a flow: its folder under
 * engine/flows/<flow-id>/, its connector(s) and simulator(s), and one line here (README,
 * "Adding a flow"; decision 0017). This is the only file outside a flow's folder that names one.
 */
export const FLOWS: readonly AnyFlowPlugin[] = [
  exactProcoreFlow as AnyFlowPlugin,
  exactMondayFlow as AnyFlowPlugin,
  exactCoupaFlow as AnyFlowPlugin,
  procoreIntacctFlow as AnyFlowPlugin,
  procoreAcumaticaFlow as AnyFlowPlugin,
];

export function findFlow(id: string): AnyFlowPlugin | undefined {
  return FLOWS.find((flow) => flow.id === id);
}

/** The flow with this id, or an error that lists the flows there are. */
export function requireFlow(id: string): AnyFlowPlugin {
  const flow = findFlow(id);
  if (!flow) throw new UnknownFlowError(id);
  return flow;
}

export class UnknownFlowError extends Error {
  override readonly name = 'UnknownFlowError';
  constructor(readonly flow: string) {
    super(`There is no flow "${flow}". The flows are: ${FLOWS.map((f) => `${f.id} (${f.title})`).join(', ')}.`);
  }
}
