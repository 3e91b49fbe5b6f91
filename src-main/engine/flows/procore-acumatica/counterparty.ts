import type { ProcoreVendorRecord } from '../../../../src-shared/domain/records';
import type { MappingSourceKey, ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { VendorInput } from '../../../connectors/acumatica';
import { readOrExplain } from '../../sync/explain-read-failure';
import { CounterpartyNotCreatedError } from '../shared/counterparty-errors';
import type { CounterpartyPreview, CreatedCounterparty } from '../types';
import { policyOf, type F2Deps } from './flow';
import { F2_MAPPING_SETS, loadF2Mappings } from './mappings';
import type { PlannedVendor, VendorPairRecord } from './model';
import { acumaticaView, pairVendors, planVendorPair } from './plan-vendors';

/**
 * "Create this vendor in Acumatica" (decision 0024's counterparty creation, for F2): the Procore
 * vendor a parked record waits for is planned exactly as "vendors both ways" plans a vendor new in
 * Procore (planVendorPair: the same VendorID, class and fields), but on the user's word, whatever
 * the connection's new-vendor policy and whatever look-alikes the preview showed them. The
 * VendorID is derived from the Procore vendor, so a second try (an answer lost after Acumatica
 * saved it) finds the vendor it made and links it instead of making another.
 */

/** What the user is asked to confirm, or why it cannot be done. */
type Decision =
  | { kind: 'blocked'; title: string; source: string; reason: string }
  /** An Acumatica vendor of this Procore vendor exists already (linked, or made by an earlier try): link it. */
  | { kind: 'exists'; p: ProcoreVendorRecord; vendorId: string; name: string; similar: ReferenceOption[] }
  | { kind: 'create'; p: ProcoreVendorRecord; input: VendorInput; similar: ReferenceOption[] };

export function f2Counterparty(deps: F2Deps) {
  const { store, procore, acumatica } = deps;

  async function decide(set: string, sourceKey: MappingSourceKey): Promise<Decision> {
    const id = procoreVendorIdOf(set, sourceKey);
    const source = `Procore vendor ${id}`;
    const [listed, now, acumaticaVendors] = await Promise.all([
      readOrExplain('Procore', 'the vendors', () => procore.listVendorRecords()),
      readOrExplain('Procore', `vendor ${id}`, () => procore.findVendorsById([id])),
      readOrExplain('Acumatica', 'the vendors', () => acumatica.listVendors()),
    ]);
    const p = now.get(id);
    const allProcore = [...listed.filter((v) => v.sourceId !== id), ...(p ? [p] : [])];
    if (!p) return { kind: 'blocked', title: `Create a vendor in Acumatica for Procore vendor ${id}`, source, reason: `Procore has no vendor ${id}. Check the vendor in Procore's company directory.` };
    const title = `Create vendor “${p.name}” in Acumatica`;
    const named = `Procore vendor ${id} (${p.name})`;
    if (!p.active) return { kind: 'blocked', title, source: named, reason: `${p.name} is inactive in Procore. Make it active there first, or link the records' vendor in Mappings → Vendors.` };
    const allAcumatica = acumaticaVendors.map(acumaticaView);
    const [pair] = pairVendors({ changedProcore: [p], changedAcumatica: [], allProcore, allAcumatica, mapped: loadF2Mappings(store).mappings.vendors });
    if (!pair) return { kind: 'blocked', title, source: named, reason: `${p.name} could not be paired with Acumatica's vendors. Try again.` };
    if (pair.linkProblem) return { kind: 'blocked', title, source: named, reason: `${pair.linkProblem}.` };
    if (pair.linkedBy) {
      const a = pair.acumatica;
      if (!a) return { kind: 'blocked', title, source: named, reason: `${p.name} is linked to an Acumatica vendor Acumatica does not have. Correct the link in Mappings → Vendors.` };
      if (!a.active) return { kind: 'blocked', title, source: named, reason: `${p.name} is linked to Acumatica vendor ${a.vendorId} (${a.fields.name ?? ''}), which is ${a.status} in Acumatica. Make it active there, or link another vendor in Mappings → Vendors.` };
      return { kind: 'exists', p, vendorId: a.vendorId, name: a.fields.name ?? p.name, similar: [{ value: a.vendorId, label: a.fields.name ?? a.vendorId, code: a.vendorId, detail: 'linked to this Procore vendor already: confirming links it here' }] };
    }
    const similar = similarOf(pair);
    // The user saw the look-alikes in the preview and chose to create: they no longer hold it back.
    const planned = planVendorPair({ ...pair, candidates: [] }, { ...policyOf(deps), newVendors: 'create' });
    if (!planned.ok) return { kind: 'blocked', title, source: named, reason: `${planned.issues.map((i) => i.message).join('; ')}.` };
    const plan = planned.writes[0] as PlannedVendor | undefined;
    if (!plan) return { kind: 'blocked', title, source: named, reason: `${p.name} needs no vendor in Acumatica.` };
    if (!plan.acumatica) return { kind: 'exists', p, vendorId: plan.vendorId, name: plan.agreed.name ?? p.name, similar };
    return { kind: 'create', p, input: plan.acumatica, similar };
  }

  return {
    async previewCounterparty(set: string, sourceKey: MappingSourceKey): Promise<CounterpartyPreview> {
      const d = await decide(set, sourceKey);
      if (d.kind === 'blocked') return { title: d.title, source: d.source, fields: [], similar: [], blocked: d.reason };
      const source = `Procore vendor ${d.p.sourceId}`;
      if (d.kind === 'exists')
        return { title: `Link vendor “${d.name}” in Acumatica`, source, fields: [{ label: 'Vendor ID', value: d.vendorId }, { label: 'Name', value: d.name }], similar: d.similar, blocked: null };
      return { title: `Create vendor “${d.p.name}” in Acumatica`, source, fields: vendorFields(d.input), similar: d.similar, blocked: null };
    },

    async createCounterparty(set: string, sourceKey: MappingSourceKey): Promise<CreatedCounterparty> {
      const d = await decide(set, sourceKey);
      if (d.kind === 'blocked') throw new CounterpartyNotCreatedError(d.reason);
      const from = `from Procore vendor ${d.p.sourceId}`;
      if (d.kind === 'exists')
        return {
          targetId: d.vendorId,
          name: d.name,
          target: { acumaticaVendorId: d.vendorId },
          message: `Found vendor “${d.name}” in Acumatica (vendor ${d.vendorId}), made ${from} before`,
          entity: 'vendor',
          targetSystem: 'acumatica',
        };
      const [result] = await acumatica.upsertVendors([d.input]);
      if (!result || !result.ok) {
        const message = result?.message ?? 'Acumatica gave no answer for the vendor.';
        throw new CounterpartyNotCreatedError(
          result?.retryable !== false
            ? `Vendor “${d.p.name}” could not be created in Acumatica right now: ${message} Try again: it is created as vendor ${d.input.vendorId}, so a second try finds it rather than making another.`
            : `Acumatica refused vendor “${d.p.name}” (${d.input.vendorId}): ${message}`,
        );
      }
      return {
        targetId: d.input.vendorId,
        name: d.input.name,
        target: { acumaticaVendorId: d.input.vendorId },
        message: `Created vendor “${d.input.name}” in Acumatica (vendor ${d.input.vendorId}) ${from}`,
        entity: 'vendor',
        targetSystem: 'acumatica',
      };
    },
  };
}

function procoreVendorIdOf(set: string, sourceKey: MappingSourceKey): string {
  if (set !== F2_MAPPING_SETS.vendors) throw new CounterpartyNotCreatedError(`Only vendors can be created in Acumatica, not entries of "${set}".`);
  const id = sourceKey['procoreVendorId']?.trim() ?? '';
  if (id === '') throw new CounterpartyNotCreatedError('Name the Procore vendor id of the vendor to create.');
  return id;
}

/** Acumatica vendors that may be this one: same External ID or name, or the VendorID it would get. */
function similarOf(pair: VendorPairRecord): ReferenceOption[] {
  const out: ReferenceOption[] = pair.candidates.map((c) => ({
    value: c.id,
    label: c.name,
    code: c.id,
    detail: c.matchedBy === 'origin_code' ? 'its VendorID is the Procore External ID' : c.matchedBy === 'tax_id' ? 'same tax id' : 'same name',
  }));
  const taken = pair.takenVendorId;
  if (taken && !out.some((o) => o.value === taken.vendorId))
    out.push({ value: taken.vendorId, label: taken.name, code: taken.vendorId, detail: 'has the VendorID this vendor would get' });
  return out;
}

/** What the new Acumatica vendor gets, as its Vendors screen (AP303000) names the fields. */
function vendorFields(v: VendorInput): { label: string; value: string }[] {
  const a = v.mainContact?.address;
  const rows: [string, string | null | undefined][] = [
    ['Vendor ID', v.vendorId],
    ['Name', v.name],
    ['Legal name', v.legalName],
    ['Vendor class', v.vendorClass ?? 'the tenant’s default class'],
    ['Status', v.status],
    ['Address', a?.line1],
    ['City', a?.city],
    ['State', a?.state],
    ['Postal code', a?.postalCode],
    ['Country', a?.country],
    ['Email', v.mainContact?.email],
    ['Phone', v.mainContact?.phone],
  ];
  return rows.flatMap(([label, value]) => (value ? [{ label, value }] : []));
}
