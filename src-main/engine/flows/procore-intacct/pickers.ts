import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { ProcoreConnector } from '../../../connectors/procore';
import type { IntacctConnector, ReferenceObject } from '../../../connectors/sage-intacct';
import type { Store } from '../../../store/db';
import { readOrExplain } from '../../sync/explain-read-failure';
import { procoreCostCodeOptions, procoreCostTypeOptions, procoreProjectOptions, procoreVendorOptions } from '../shared/procore-reference';
import { F3_REFERENCE_LISTS, loadF3Mappings, NONE } from './mappings';

/**
 * F3's pickers (FlowRuntime.referenceData): Intacct's GL accounts, departments, locations,
 * projects, classes and vendors (one `query` each, inactive ones included), and Procore's
 * projects, vendors, cost codes of the mapped projects and cost types. The host caches answers.
 *
 * A value that exists but is inactive is offered with "inactive in Sage Intacct" in its detail and
 * accepted: a table may point at it on purpose (the sandbox's GL 59990), and the sync then parks
 * the records coded to it, saying so. Only a value Intacct does not have is refused.
 */

const INTACCT = 'Sage Intacct';

const OBJECTS: Record<string, { object: ReferenceObject; what: string; none?: string }> = {
  [F3_REFERENCE_LISTS.intacctGlAccounts]: { object: 'GLACCOUNT', what: 'the GL accounts' },
  [F3_REFERENCE_LISTS.intacctDepartments]: { object: 'DEPARTMENT', what: 'the departments', none: 'no department' },
  [F3_REFERENCE_LISTS.intacctLocations]: { object: 'LOCATION', what: 'the locations', none: 'no location' },
  [F3_REFERENCE_LISTS.intacctProjects]: { object: 'PROJECT', what: 'the projects' },
  [F3_REFERENCE_LISTS.intacctClasses]: { object: 'CLASS', what: 'the classes', none: 'no class' },
  [F3_REFERENCE_LISTS.intacctVendors]: { object: 'VENDOR', what: 'the vendors' },
};

export function f3ReferenceData(store: Store, procore: ProcoreConnector, intacct: IntacctConnector) {
  async function intacctList(list: string): Promise<ReferenceOption[]> {
    const { object, what, none } = OBJECTS[list]!;
    const values = (await readOrExplain(INTACCT, what, () => intacct.readReference([object])))[object] ?? [];
    const options = values
      .map((v) => ({ value: v.id, label: v.name || v.id, code: v.id, detail: v.active ? null : 'inactive in Sage Intacct: records coded to it wait in Pending validation' }))
      .sort((a, b) => a.value.localeCompare(b.value, undefined, { numeric: true }));
    return none ? [{ value: NONE, label: `None (${none})`, code: NONE, detail: `Intacct gets ${none}` }, ...options] : options;
  }

  return {
    async referenceData(list: string): Promise<ReferenceOption[]> {
      if (list in OBJECTS) return intacctList(list);
      switch (list) {
        case F3_REFERENCE_LISTS.procoreProjects:
          return procoreProjectOptions(procore);
        case F3_REFERENCE_LISTS.procoreVendors:
          return procoreVendorOptions(procore);
        case F3_REFERENCE_LISTS.procoreCostCodes:
          return procoreCostCodeOptions(procore, new Set(loadF3Mappings(store).mappings.projects.keys()));
        case F3_REFERENCE_LISTS.procoreCostTypes:
          return procoreCostTypeOptions(procore);
        default:
          throw new Error(`Procore → Sage Intacct has no reference list "${list}".`);
      }
    },
  };
}
