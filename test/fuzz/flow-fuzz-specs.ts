import { Decimal } from '../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder } from '../../src-shared/domain/records';
import { planPurchaseInvoice, planPurchaseOrder } from '../../src-main/engine/flows/exact-procore/plan';
import { DEFAULT_POLICY, type ExactProcoreMappings, type PlannedLine, type ProcoreReference } from '../../src-main/engine/flows/exact-procore/model';
import { exactPurchaseStreams } from './connectors/exact-reads';
import { F5_FUZZ } from './flows/exact-coupa';
import { F4_FUZZ } from './flows/exact-monday';
import { F2_FUZZ } from './flows/procore-acumatica';
import { F3_FUZZ } from './flows/procore-intacct';
import type { FlowFuzzSpec, Verdict } from './fuzz-kit';

/**
 * Every flow in the fuzz suite (issue 18), one entry each: its source streams as generated,
 * malformed pages read through its connector's mappers and planned by its planner. A flow joins
 * with one entry here plus arbitraries for its source connector's wire rows (arbitraries/) —
 * F4 and F2 add theirs the same way. The properties (read-and-plan.integration.test.ts) and
 * `npm run bench -- fuzz` iterate this list.
 */


// ---- F1: Exact Online → Procore ------------------------------------------------------------

/** The mapping tables and Procore reference data every generated F1 record is planned with. */
const F1_MAPPINGS: ExactProcoreMappings = {
  version: 1,
  projects: new Map([
    ['P100', '1'],
    ['P200', '2'],
  ]),
  costs: [
    { glAccountCode: '4000', costCenterCode: 'CC1', costUnitCode: null, costCode: '01-100', lineItemTypeCode: 'M' },
    { glAccountCode: '4100', costCenterCode: 'CC1', costUnitCode: null, costCode: '02-200', lineItemTypeCode: 'L' },
    { glAccountCode: '4000', costCenterCode: 'CC2', costUnitCode: null, costCode: '01-100', lineItemTypeCode: 'L' },
    { glAccountCode: '4100', costCenterCode: 'CC2', costUnitCode: null, costCode: '02-200', lineItemTypeCode: 'X' },
  ],
  vendors: new Map([
    ['25', 'v1'],
    ['1001', 'v2'],
  ]),
};
const F1_REFERENCE: ProcoreReference = {
  projects: new Map([
    ['1', { name: 'Kantoor Utrecht', costCodes: new Map([['01-100', '11'], ['02-200', '12']]) }],
    ['2', { name: 'Brug A12', costCodes: new Map([['01-100', '21'], ['02-200', '22']]) }],
  ]),
  lineItemTypes: new Map([
    ['M', '101'],
    ['L', '102'],
  ]),
  vendors: new Map([
    ['v1', 'Bouwmaterialen Koster B.V.'],
    ['v2', 'Kraanverhuur De Vries'],
  ]),
};

/** F1's planner on one record: planned lines carry the source amounts exactly, or the record parks. */
function planF1<R extends PurchaseOrder | PurchaseInvoice>(record: R, verdict: Verdict): void {
  const label = record.kind === 'purchase-order' ? `Purchase order ${record.number}` : `Purchase invoice ${record.invoiceNumber} (entry ${record.entryNumber})`;
  const result = record.kind === 'purchase-order' ? planPurchaseOrder(record, F1_MAPPINGS, F1_REFERENCE, DEFAULT_POLICY) : planPurchaseInvoice(record, F1_MAPPINGS, F1_REFERENCE, DEFAULT_POLICY);
  if (!result.ok) {
    verdict.planParked(record.sourceId, label, result.issues, record);
    return;
  }
  const cancelled = record.kind === 'purchase-order' && record.status === 'cancelled';
  const planned = new Map<string, PlannedLine>(result.writes.flatMap((w) => w.lines.map((l) => [l.originId, l] as const)));
  for (const line of record.lines) {
    const p = planned.get(line.sourceLineId);
    if (!p) verdict.violations.push(`${label}: line ${line.sourceLineId} was not planned`);
    else if (!cancelled) verdict.sameMoney(`${label} line ${line.lineNumber}`, line.amount, p.amount);
  }
  for (const w of result.writes) verdict.sameMoney(`${label} total`, Decimal.sum(w.lines.map((l) => Decimal.parse(l.amount))), w.total);
  verdict.synced1(record.sourceId);
}

export const F1_FUZZ: FlowFuzzSpec = {
  flow: 'exact-procore',
  streams: exactPurchaseStreams({ orders: 'commitments', entries: 'direct costs' }, planF1),
};

export const FLOW_FUZZ_SPECS: readonly FlowFuzzSpec[] = [F1_FUZZ, F5_FUZZ, F4_FUZZ, F3_FUZZ, F2_FUZZ];

/**
 * End to end (spoiled-responses.integration.test.ts): the flow on the sandbox while these
 * simulators spoil their answers (every kind of response fault at the given rate each). A flow joins with
 * one entry; its books come from test/support/flow-crash-specs.ts.
 */
export interface E2eFuzzSpec {
  flow: string;
  /** Simulator → rate of each response fault kind (a system that answers few calls needs more). */
  faulted: Readonly<Record<string, number>>;
}

export const E2E_FUZZ_SPECS: readonly E2eFuzzSpec[] = [
  { flow: 'exact-procore', faulted: { exact: 0.03, procore: 0.03 } },
  { flow: 'exact-coupa', faulted: { exact: 0.03, coupa: 0.03 } },
  { flow: 'procore-intacct', faulted: { procore: 0.03, intacct: 0.08 } },
  { flow: 'exact-monday', faulted: { exact: 0.03, monday: 0.05 } },
  { flow: 'procore-acumatica', faulted: { procore: 0.03, acumatica: 0.03 } },
];
