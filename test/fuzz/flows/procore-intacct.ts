import { Decimal } from '../../../src-shared/domain/money';
import type { ProcoreCommitment, ProcoreRequisition } from '../../../src-shared/domain/records';
import { ReferenceIndex, type ReferenceData, type ReferenceObject } from '../../../src-main/connectors/sage-intacct';
import type { F3Mappings } from '../../../src-main/engine/flows/procore-intacct/mappings';
import { commitmentLabel, payApplicationLabel, planCommitment, planPayApplication, type PlanContext } from '../../../src-main/engine/flows/procore-intacct/plan';
import { DEFAULT_POLICY } from '../../../src-main/engine/flows/procore-intacct/policy';
import { procoreCommitmentPage, procoreRequisitionPage } from '../arbitraries/procore';
import { readProcoreCommitments, readProcoreRequisitions } from '../connectors/procore-reads';
import { Verdict, type FlowFuzzSpec, type FuzzStream } from '../fuzz-kit';

/**
 * F3 (Procore → Sage Intacct) in the fuzz suite: Procore commitments and subcontractor invoices as
 * generated, malformed pages, read by the Procore connector's mappers and planned by F3's planner
 * against Intacct reference data (project 77 → P1; cost codes 01-100 and 03-300 mapped, 99-999
 * not; vendor 501 active, 502 inactive, 503 unmapped).
 */

const stream = <I>(s: FuzzStream<I>): FuzzStream<never> => s as unknown as FuzzStream<never>;

const values = (object: ReferenceObject, rows: [string, boolean, string?, string?][]) => rows.map(([id, active, projectId, taskId]) => ({ object, id, name: id, active, recordNo: id, ...(projectId ? { projectId } : {}), ...(taskId ? { taskId } : {}) }));
const DATA: ReferenceData = {
  GLACCOUNT: values('GLACCOUNT', [['50100', true], ['50200', true], ['1610', true], ['2000', true], ['9990', true]]),
  DEPARTMENT: values('DEPARTMENT', [['CON', true]]),
  LOCATION: values('LOCATION', [['100', true]]),
  PROJECT: values('PROJECT', [['P1', true]]),
  TASK: values('TASK', [['01-100', true, 'P1'], ['03-300', true, 'P1']]),
  COSTTYPE: values('COSTTYPE', [['S', true, 'P1', '01-100'], ['M', true, 'P1', '01-100'], ['S', true, 'P1', '03-300']]),
  CLASS: values('CLASS', [['COM', true]]),
  VENDOR: values('VENDOR', [['V-1', true], ['V-2', false]]),
  ITEM: values('ITEM', [['COMMIT', true]]),
};
const MAPPINGS: F3Mappings = {
  version: 1,
  projects: new Map([['77', { intacctProjectId: 'P1', locationId: '100', classId: 'COM' }]]),
  costs: [
    { costCode: '01-100', costType: null, accountNo: '50100', departmentId: 'CON' },
    { costCode: '03-300', costType: null, accountNo: '50200', departmentId: 'CON' },
  ],
  vendors: new Map([
    ['501', 'V-1'],
    ['502', 'V-2'],
  ]),
};
const CONTEXT: PlanContext = {
  mappings: MAPPINGS,
  policy: { ...DEFAULT_POLICY, purchasingItemId: 'COMMIT', journalOffsetAccountNo: '9990' },
  reference: new ReferenceIndex(DATA),
  vendorLinks: new Map(),
  projectNames: new Map([['77', 'Depot Noord']]),
};

function planF3Commitment(c: ProcoreCommitment, verdict: Verdict): void {
  const label = commitmentLabel(c);
  const result = planCommitment({ sourceId: c.sourceId, commitment: c, changeOrders: [] }, undefined, CONTEXT);
  if (!result.ok) return verdict.planParked(c.sourceId, label, result.issues, c);
  const source = Decimal.sum(c.lines.map((l) => Decimal.parse(l.amount)));
  for (const w of result.writes) {
    const lines = w.postingLines.filter((l) => !l.retainage);
    verdict.sameMoney(`${label} lines`, source, Decimal.sum(lines.map((l) => Decimal.parse(l.amount))));
  }
  verdict.synced1(c.sourceId);
}

function planF3PayApplication(r: ProcoreRequisition, verdict: Verdict): void {
  const label = payApplicationLabel(r);
  const costTypes = Object.fromEntries(r.lines.map((l) => [l.sourceLineId, 'S']));
  const result = planPayApplication({ sourceId: r.sourceId, requisition: r, costTypes }, undefined, CONTEXT);
  if (!result.ok) return verdict.planParked(r.sourceId, label, result.issues, r);
  // Gross retainage (the policy here): the bill is for what was claimed; net: for what is payable.
  for (const w of result.writes) verdict.sameMoney(`${label} total`, CONTEXT.policy.retainage === 'gross' ? r.totalClaimed : r.netPayable, w.total);
  verdict.synced1(r.sourceId);
}

export const F3_FUZZ: FlowFuzzSpec = {
  flow: 'procore-intacct',
  streams: [
    stream({
      name: 'commitments (Procore → Intacct purchasing transactions)',
      page: procoreCommitmentPage,
      async run(page) {
        const verdict = new Verdict('Procore');
        for (const c of await readProcoreCommitments(page, verdict)) planF3Commitment(c, verdict);
        return verdict.finish();
      },
    }),
    stream({
      name: 'subcontractor invoices (Procore pay applications → Intacct AP bills)',
      page: procoreRequisitionPage,
      async run(page) {
        const verdict = new Verdict('Procore');
        for (const r of await readProcoreRequisitions(page, verdict)) planF3PayApplication(r, verdict);
        return verdict.finish();
      },
    }),
  ],
};
