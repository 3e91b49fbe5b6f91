import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { AcumaticaConnector, AcumaticaReference } from '../../../connectors/acumatica';
import type { ProcoreConnector } from '../../../connectors/procore';
import type { Store } from '../../../store/db';
import { readOrExplain, ReadFailedError } from '../../sync/explain-read-failure';
import { procoreCostCodeOptions, procoreCostTypeOptions, procoreProjectOptions, procoreVendorOptions } from '../shared/procore-reference';
import { F2_REFERENCE_LISTS, loadF2Mappings } from './mappings';

/**
 * F2's pickers (FlowRuntime.referenceData): Acumatica's branches, GL accounts, subaccounts,
 * projects, project tasks, cost codes and vendors, and Procore's projects, vendors, cost codes of
 * the mapped projects and cost types. Acumatica's coding lists come in one read of its reference
 * data, shared by the lists a table asks for together; the host caches each answer.
 *
 * A value that exists but is inactive (the sandbox's account 51200) is offered with "inactive in
 * Acumatica" in its detail and accepted: a table may point at it on purpose, and the sync then
 * parks the records coded to it, saying why. Only a value Acumatica does not have is refused.
 */

const ACUMATICA = 'Acumatica';
/** Acumatica's non-project code: the Projects table's "X = none". */
const NON_PROJECT = 'X';
const INACTIVE = 'inactive in Acumatica: records coded to it wait in Pending validation';

export function f2ReferenceData(store: Store, procore: ProcoreConnector, acumatica: AcumaticaConnector) {
  let reading: Promise<AcumaticaReference> | null = null;
  /** One read for every list asked while it runs (a table's fields are asked together). */
  const reference = (): Promise<AcumaticaReference> => {
    if (!reading) {
      const read = readOrExplain(ACUMATICA, 'the accounts, subaccounts, branches, projects and cost codes', () => acumatica.readReference());
      reading = read;
      const forget = (): void => {
        if (reading === read) reading = null;
      };
      read.then(forget, forget);
    }
    return reading;
  };
  const byValue = (a: ReferenceOption, b: ReferenceOption): number => a.value.localeCompare(b.value, undefined, { numeric: true });
  const coded = (values: Iterable<{ code: string; description: string; active?: boolean }>): ReferenceOption[] =>
    [...values].map((v) => ({ value: v.code, label: v.description || v.code, code: v.code, detail: v.active === false ? INACTIVE : null })).sort(byValue);

  return {
    async referenceData(list: string): Promise<ReferenceOption[]> {
      switch (list) {
        case F2_REFERENCE_LISTS.acumaticaAccounts:
          return coded((await reference()).accounts.values());
        case F2_REFERENCE_LISTS.acumaticaSubaccounts:
          return coded((await reference()).subaccounts.values());
        case F2_REFERENCE_LISTS.acumaticaCostCodes:
          return coded((await reference()).costCodes.values());
        case F2_REFERENCE_LISTS.acumaticaBranches: {
          const branches = (await reference()).branches;
          if (!branches) throw new ReadFailedError('Acumatica did not list its branches on this connection, so the branch is typed by hand (as Acumatica names it).');
          return coded([...branches.values()].map((b) => ({ code: b.code, description: b.name, active: b.active })));
        }
        case F2_REFERENCE_LISTS.acumaticaProjects: {
          const projects = [...(await reference()).projects.values()]
            .filter((p) => p.projectId !== NON_PROJECT)
            .map((p) => ({ value: p.projectId, label: p.description || p.projectId, code: p.projectId, detail: p.active ? null : `${p.status ?? 'not active'} in Acumatica` }))
            .sort(byValue);
          return [{ value: NON_PROJECT, label: 'None (non-project)', code: NON_PROJECT, detail: 'costs are booked to the GL account only' }, ...projects];
        }
        case F2_REFERENCE_LISTS.acumaticaTasks: {
          const projects = [...(await reference()).projects.values()];
          const tasks = new Map<string, { description: string; of: number }>();
          for (const p of projects)
            for (const t of p.tasks.values()) {
              const seen = tasks.get(t.taskId) ?? { description: t.description, of: 0 };
              seen.of += 1;
              tasks.set(t.taskId, seen);
            }
          return [...tasks]
            .map(([task, t]) => ({ value: task, label: t.description || task, code: task, detail: t.of === projects.length ? `in all ${projects.length} projects` : `in ${t.of} of ${projects.length} projects` }))
            .sort(byValue);
        }
        case F2_REFERENCE_LISTS.acumaticaVendors:
          return (await readOrExplain(ACUMATICA, 'the vendors', () => acumatica.listVendors()))
            .map((v) => ({ value: v.vendorId, label: v.name, code: v.vendorId, detail: v.active ? null : `${v.status} in Acumatica` }))
            .sort((a, b) => a.label.localeCompare(b.label));
        case F2_REFERENCE_LISTS.procoreProjects:
          return procoreProjectOptions(procore);
        case F2_REFERENCE_LISTS.procoreVendors:
          return procoreVendorOptions(procore);
        case F2_REFERENCE_LISTS.procoreCostCodes:
          return procoreCostCodeOptions(procore, new Set(loadF2Mappings(store).mappings.projects.keys()));
        case F2_REFERENCE_LISTS.procoreCostTypes:
          return procoreCostTypeOptions(procore);
        default:
          throw new Error(`Procore → Acumatica has no reference list "${list}".`);
      }
    },
  };
}
