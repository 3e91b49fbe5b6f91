import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { ProcoreConnector } from '../../../connectors/procore';
import { readOrExplain } from '../../sync/explain-read-failure';

/**
 * Procore's lists behind the pickers of the flows that read from Procore (projects, vendors, the
 * cost codes of the projects a flow maps, cost types), each read once per answer through the
 * connector (counted, budgeted); the host caches the answers. Values are what those flows'
 * tables store: project and vendor ids, full cost codes, cost type codes.
 */
const PROCORE = 'Procore';

export async function procoreProjectOptions(procore: ProcoreConnector): Promise<ReferenceOption[]> {
  return (await readOrExplain(PROCORE, 'the projects', () => procore.listProjects())).map((p) => ({
    value: p.id,
    label: p.name,
    code: p.projectNumber,
    detail: p.active ? `Procore id ${p.id}` : `Procore id ${p.id}, inactive`,
  }));
}

export async function procoreVendorOptions(procore: ProcoreConnector): Promise<ReferenceOption[]> {
  return (await readOrExplain(PROCORE, 'the vendors', () => procore.listVendors()))
    .map((v) => ({ value: v.id, label: v.name, code: v.originCode, detail: v.active ? `Procore id ${v.id}` : `Procore id ${v.id}, inactive` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Cost codes of the mapped projects (every visible project when none is mapped), with how many of them have each. */
export async function procoreCostCodeOptions(procore: ProcoreConnector, mappedProjectIds: ReadonlySet<string>): Promise<ReferenceOption[]> {
  const visible = await readOrExplain(PROCORE, 'the projects', () => procore.listProjects());
  const mapped = visible.filter((p) => mappedProjectIds.has(p.id));
  const read = mapped.length > 0 ? mapped : visible;
  const byCode = new Map<string, { name: string; projects: number }>();
  for (const project of read) {
    const codes = await readOrExplain(PROCORE, `the cost codes of project "${project.name}"`, () => procore.listCostCodes(project.id));
    for (const code of new Map(codes.map((c) => [c.fullCode, c])).values()) {
      const seen = byCode.get(code.fullCode) ?? { name: code.name, projects: 0 };
      seen.projects += 1;
      byCode.set(code.fullCode, seen);
    }
  }
  const of = read.length;
  return [...byCode]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, seen]) => ({
      value: code,
      label: seen.name,
      code,
      detail: of <= 1 ? null : seen.projects === of ? `in all ${of} projects` : `in ${seen.projects} of ${of} projects`,
    }));
}

export async function procoreCostTypeOptions(procore: ProcoreConnector): Promise<ReferenceOption[]> {
  return (await readOrExplain(PROCORE, 'the cost types', () => procore.listLineItemTypes())).map((t) => ({ value: t.code, label: t.name, code: t.code, detail: null }));
}
