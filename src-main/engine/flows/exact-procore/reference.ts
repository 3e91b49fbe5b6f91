import type { JsonValue } from '../../../../src-shared/domain/audit';
import { mappingKey } from '../../../../src-shared/domain/validation';
import type { MappingSourceKey, ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import type { ProcoreConnector, VendorUpsert } from '../../../connectors/procore';
import type { Supplier } from '../../../../src-shared/domain/records';
import type { Store } from '../../../store/db';
import { readOrExplain } from '../../sync/explain-read-failure';
import { normaliseCompanyName } from '../shared/counterparty-links';
import { CounterpartyNotCreatedError } from '../shared/counterparty-errors';
import type { CounterpartyPreview, CreatedCounterparty } from '../types';
import { F1_MAPPING_SETS, F1_REFERENCE_LISTS, loadF1Mappings } from './mappings';

/**
 * F1's pickers and "Create this vendor in Procore": the reference lists its mapping fields name
 * (Procore projects, vendors, cost codes of the mapped projects, line item types; Exact projects,
 * G/L accounts, cost centers, cost units, suppliers), and a Procore vendor made from an Exact
 * supplier. Every read goes through the connectors (counted, budgeted); the host caches answers.
 */

const EXACT = 'Exact Online';
const PROCORE = 'Procore';

export function f1ReferenceData(store: Store, exact: ExactOnlineConnector, procore: ProcoreConnector) {
  const exactCodes = async (what: string, read: () => Promise<{ code: string; description: string }[]>) =>
    (await readOrExplain(EXACT, what, read)).map(
      (r): ReferenceOption => ({ value: r.code, label: r.description || r.code, code: r.code, detail: null }),
    );

  /** Cost codes of the projects the projects table maps to (all visible projects when none is mapped). */
  async function costCodes(): Promise<ReferenceOption[]> {
    const visible = await readOrExplain(PROCORE, 'the projects', () => procore.listProjects());
    const mapped = new Set(loadF1Mappings(store).mappings.projects.values());
    const projects = visible.filter((p) => mapped.has(p.id));
    const read = projects.length > 0 ? projects : visible;
    const byCode = new Map<string, { name: string; projects: number }>();
    for (const project of read) {
      const codes = await readOrExplain(PROCORE, `the cost codes of project "${project.name}"`, () =>
        procore.listCostCodes(project.id),
      );
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
        detail:
          of <= 1
            ? null
            : seen.projects === of
              ? `in all ${of} projects`
              : `in ${seen.projects} of ${of} projects: lines of the others will wait`,
      }));
  }

  return {
    async referenceData(list: string): Promise<ReferenceOption[]> {
      switch (list) {
        case F1_REFERENCE_LISTS.procoreProjects:
          return (await readOrExplain(PROCORE, 'the projects', () => procore.listProjects())).map((p) => ({
            value: p.id,
            label: p.name,
            code: p.projectNumber,
            detail: p.active ? `Procore id ${p.id}` : `Procore id ${p.id}, inactive`,
          }));
        case F1_REFERENCE_LISTS.procoreVendors:
          return (await readOrExplain(PROCORE, 'the vendors', () => procore.listVendors()))
            .map((v) => ({
              value: v.id,
              label: v.name,
              code: v.originCode,
              detail: `Procore id ${v.id}`,
              ...(v.active ? {} : { inactive: true }),
            }))
            .sort((a, b) => a.label.localeCompare(b.label));
        case F1_REFERENCE_LISTS.procoreCostCodes:
          return costCodes();
        case F1_REFERENCE_LISTS.procoreLineItemTypes:
          return (await readOrExplain(PROCORE, 'the cost types', () => procore.listLineItemTypes())).map((t) => ({
            value: t.code,
            label: t.name,
            code: t.code,
            detail: null,
          }));
        case F1_REFERENCE_LISTS.exactProjects:
          return exactCodes('the projects', () => exact.readProjects());
        case F1_REFERENCE_LISTS.exactGlAccounts:
          return exactCodes('the G/L accounts', () => exact.readGlAccounts());
        case F1_REFERENCE_LISTS.exactCostCenters:
          return exactCodes('the cost centers', () => exact.readCostCenters());
        case F1_REFERENCE_LISTS.exactCostUnits:
          return exactCodes('the cost units', () => exact.readCostUnits());
        case F1_REFERENCE_LISTS.exactSuppliers:
          return (await readOrExplain(EXACT, 'the suppliers', () => exact.readSuppliers()))
            .map((s) => ({ value: s.code, label: s.name || s.code, code: s.code, detail: null }))
            .sort((a, b) => a.value.localeCompare(b.value, undefined, { numeric: true }));
        default:
          throw new Error(`Exact Online → Procore has no reference list "${list}".`);
      }
    },

    async previewCounterparty(set: string, sourceKey: MappingSourceKey): Promise<CounterpartyPreview> {
      const code = supplierCodeOf(set, sourceKey);
      const [supplier, vendors] = await Promise.all([
        readOrExplain(EXACT, `supplier ${code}`, () => exact.findSupplierByCode(code)),
        readOrExplain(PROCORE, 'the vendors', () => procore.listVendors()),
      ]);
      if (!supplier)
        return {
          title: `Create a vendor in Procore for supplier ${code}`,
          source: `Exact Online supplier ${code}`,
          fields: [],
          similar: [],
          blocked: `Exact Online has no supplier with code ${code}. Check the code in Exact Online.`,
        };
      const name = normaliseCompanyName(supplier.name);
      const similar = vendors
        .filter((v) => v.active)
        .filter((v) => v.originId === supplier.sourceId || v.originCode === code || (name !== '' && normaliseCompanyName(v.name) === name))
        .map((v) => ({
          value: v.id,
          label: v.name,
          code: v.originCode,
          detail:
            v.originId === supplier.sourceId
              ? 'made from this supplier before: creating it again links it'
              : v.originCode === code
                ? `External ID ${code}`
                : 'same name',
        }));
      return {
        title: `Create vendor “${supplier.name}” in Procore`,
        source: `Exact Online supplier ${code}`,
        fields: vendorFields(supplier),
        similar,
        blocked: supplier.blocked
          ? `Supplier ${code} is blocked in Exact Online, so no new documents may use it. Unblock it in Exact Online first.`
          : null,
      };
    },

    async createCounterparty(set: string, sourceKey: MappingSourceKey): Promise<CreatedCounterparty> {
      const code = supplierCodeOf(set, sourceKey);
      const supplier = await readOrExplain(EXACT, `supplier ${code}`, () => exact.findSupplierByCode(code));
      if (!supplier) throw new CounterpartyNotCreatedError(`Exact Online has no supplier with code ${code}. Check the code in Exact Online.`);
      if (supplier.blocked)
        throw new CounterpartyNotCreatedError(`Supplier ${code} is blocked in Exact Online, so no new documents may use it. Unblock it in Exact Online first.`);
      const [result] = await procore.upsertVendors([vendorUpsertOf(supplier)]);
      if (!result || !result.ok) {
        const message = result?.message ?? 'Procore gave no answer for the vendor.';
        throw new CounterpartyNotCreatedError(
          result?.retryable !== false
            ? `Vendor “${supplier.name}” could not be created in Procore right now: ${message} Try again: Procore matches it by the Exact supplier, so it is never created twice.`
            : `Procore refused vendor “${supplier.name}”: ${message}`,
        );
      }
      return {
        targetId: result.procoreId,
        name: supplier.name,
        target: { procoreVendorId: result.procoreId },
        message: `Created vendor “${supplier.name}” in Procore (vendor ${result.procoreId}) from Exact Online supplier ${code}`,
        entity: 'vendor',
        targetSystem: 'procore',
      };
    },
  };
}

function supplierCodeOf(set: string, sourceKey: MappingSourceKey): string {
  if (set !== F1_MAPPING_SETS.vendors) throw new CounterpartyNotCreatedError(`Only vendors can be created in Procore, not entries of "${set}".`);
  const code = sourceKey['supplierCode']?.trim() ?? '';
  if (code === '') throw new CounterpartyNotCreatedError('Name the Exact supplier code of the vendor to create.');
  return code;
}

/** The Procore vendor made from an Exact supplier: keyed by the Exact account id, the code as External ID. */
export function vendorUpsertOf(supplier: Supplier): VendorUpsert {
  const address = [supplier.addressLine1, supplier.addressLine2, supplier.addressLine3].filter((x) => x && x.trim()).join(', ');
  return {
    originId: supplier.sourceId,
    originCode: supplier.code,
    originData: `Exact Online supplier ${supplier.code}`,
    name: supplier.name,
    active: true,
    address: address || null,
    city: supplier.city,
    zip: supplier.postcode,
    countryCode: supplier.country && /^[A-Z]{2}$/.test(supplier.country) ? supplier.country : null,
    emailAddress: supplier.email,
    businessPhone: supplier.phone,
  };
}

function vendorFields(supplier: Supplier): { label: string; value: string }[] {
  const upsert = vendorUpsertOf(supplier);
  const fields: { label: string; value: string | null | undefined }[] = [
    { label: 'Name', value: upsert.name },
    { label: 'External ID', value: upsert.originCode },
    { label: 'Address', value: upsert.address },
    { label: 'Postcode and city', value: [upsert.zip, upsert.city].filter(Boolean).join(' ') || null },
    { label: 'Country', value: upsert.countryCode },
    { label: 'Email', value: upsert.emailAddress },
    { label: 'Phone', value: upsert.businessPhone },
    { label: 'Linked to', value: `Exact Online supplier ${supplier.code} (the vendor is matched by it, so it is never created twice)` },
  ];
  return fields.filter((f): f is { label: string; value: string } => typeof f.value === 'string' && f.value !== '');
}

/** The mapping keys a stored purchase order or invoice is coded by (FlowPlugin.codingKeys). */
export function f1CodingKeys(_stream: string, payload: JsonValue): string[][] {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [];
  const record = payload as { supplier?: { code?: unknown }; lines?: unknown };
  const groups: string[][] = [];
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const supplier = str(record.supplier?.code);
  if (supplier) groups.push([mappingKey.vendor(supplier)]);
  for (const line of Array.isArray(record.lines) ? (record.lines as Record<string, unknown>[]) : []) {
    const project = str(line['projectCode']);
    if (project) groups.push([mappingKey.project(project)]);
    const gl = str(line['glAccountCode']);
    const costCenter = str(line['costCenterCode']);
    const costUnit = str(line['costUnitCode']);
    if (gl && costCenter)
      groups.push(costUnit ? [mappingKey.cost(gl, costCenter, costUnit), mappingKey.cost(gl, costCenter, null)] : [mappingKey.cost(gl, costCenter, null)]);
  }
  return groups;
}
