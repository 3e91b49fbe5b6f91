import type { ProcoreRequisition } from '../../../src-shared/domain/records';
import type { AcumaticaReference } from '../../../src-main/connectors/acumatica';
import type { F2Mappings } from '../../../src-main/engine/flows/procore-acumatica/mappings';
import type { F2Reference } from '../../../src-main/engine/flows/procore-acumatica/model';
import { invoiceLabel, planInvoice } from '../../../src-main/engine/flows/procore-acumatica/plan-bills';
import { DEFAULT_POLICY, type F2Policy } from '../../../src-main/engine/flows/procore-acumatica/policy';
import { PROCORE_PROJECT, procoreRequisitionPage } from '../arbitraries/procore';
import { readProcoreRequisitions } from '../connectors/procore-reads';
import { Verdict, type FlowFuzzSpec, type FuzzStream } from '../fuzz-kit';

/**
 * F2 (Procore → Acumatica) in the fuzz suite: Procore subcontractor invoices as generated,
 * malformed pages, read by the Procore connector's mappers and planned by F2's bill planner against
 * an Acumatica reference (project 77 → P1 in HEADOFFICE; cost codes 01-100 and 03-300 coded to the
 * active account 51000, 99-999 not coded; vendor 501 linked and active, 502 linked and inactive,
 * 503 not linked with new vendors waiting for a person). Bills carry the gross amount billed, so a
 * planned bill must total the invoice's amount claimed to the cent.
 */

const REFERENCE: AcumaticaReference = {
  accounts: new Map([['51000', { code: '51000', description: 'Subcontract costs', type: 'Expense', accountGroup: null, active: true }]]),
  subaccounts: new Map([['CON', { code: 'CON', description: 'Construction', active: true }]]),
  branches: new Map([['HEADOFFICE', { code: 'HEADOFFICE', name: 'Head office', active: true }]]),
  projects: new Map([['P1', { projectId: 'P1', description: 'Depot Noord', status: 'Active', active: true, externalRef: null, tasks: new Map() }]]),
  costCodes: new Map(),
};
const F2_REFERENCE: F2Reference = {
  acumatica: REFERENCE,
  acumaticaVendors: new Map([
    ['V1', { name: 'Meijer Piling', active: true, status: 'Active' }],
    ['V2', { name: 'Staalbouw Oost', active: false, status: 'Inactive' }],
  ]),
  procoreVendors: new Map([
    ['501', { name: 'Meijer Piling', originId: 'V1' }],
    ['502', { name: 'Staalbouw Oost', originId: 'V2' }],
    ['503', { name: 'شركة البناء', originId: null }],
  ]),
};
const MAPPINGS: F2Mappings = {
  version: 1,
  projects: new Map([[PROCORE_PROJECT, { acumaticaProject: 'P1', branch: 'HEADOFFICE' }]]),
  costs: [
    { costCode: '01-100', costType: null, procoreProjectId: null, account: '51000', subaccount: 'CON' },
    { costCode: '03-300', costType: null, procoreProjectId: null, account: '51000', subaccount: 'CON' },
  ],
  costCodes: [],
  vendors: new Map(),
};
const POLICY: F2Policy = { ...DEFAULT_POLICY, retainage: 'gross', newVendors: 'park' };

const stream = <I>(s: FuzzStream<I>): FuzzStream<never> => s as unknown as FuzzStream<never>;

function planF2Invoice(r: ProcoreRequisition, verdict: Verdict): void {
  const label = invoiceLabel(r);
  const result = planInvoice({ sourceId: r.sourceId, requisition: r }, MAPPINGS, F2_REFERENCE, POLICY);
  if (!result.ok) return verdict.planParked(r.sourceId, label, result.issues, r);
  for (const bill of result.writes) verdict.sameMoney(`${label} total`, r.totalClaimed, bill.total);
  verdict.synced1(r.sourceId);
}

export const F2_FUZZ: FlowFuzzSpec = {
  flow: 'procore-acumatica',
  streams: [
    stream({
      name: 'subcontractor invoices (Procore pay applications → Acumatica AP bills)',
      page: procoreRequisitionPage,
      async run(page) {
        const verdict = new Verdict('Procore');
        for (const r of await readProcoreRequisitions(page, verdict)) planF2Invoice(r, verdict);
        return verdict.finish();
      },
    }),
  ],
};
