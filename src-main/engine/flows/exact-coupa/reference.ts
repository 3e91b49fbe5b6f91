import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { CoupaConnector } from '../../../connectors/coupa';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { readOrExplain } from '../../sync/explain-read-failure';
import { normaliseCompanyName } from '../shared/counterparty-links';
import { F5_REFERENCE_LISTS } from './mappings';
import { SETTING_NAMES } from './policy';

/**
 * F5's pickers (FlowRuntime.referenceData): Coupa's suppliers by number and name and their
 * remit-to codes; Exact's GL accounts, cost centers and suppliers; F5's own setting names. Each
 * answer reads its list once through the connectors (counted, budgeted); the host caches it.
 *
 * Coupa's accounts are not listed: Coupa builds an account from its segments when a line is
 * coded (dynamic accounts), and the API F5 uses has no list of segment values to read, so the
 * Coupa GL and cost-center segments stay typed by hand.
 *
 * A value that exists but is inactive is offered with "inactive" in its detail, not refused:
 * a mapping may point at it on purpose (the records coded to it then wait in Pending validation).
 */

const EXACT = 'Exact Online';
const COUPA = 'Coupa';

export function f5ReferenceData(exact: ExactOnlineConnector, coupa: CoupaConnector) {
  const exactCodes = async (what: string, read: () => Promise<{ code: string; description: string }[]>) =>
    (await readOrExplain(EXACT, what, read)).map((r): ReferenceOption => ({ value: r.code, label: r.description || r.code, code: r.code, detail: null }));
  const byCode = (a: ReferenceOption, b: ReferenceOption): number => a.value.localeCompare(b.value, undefined, { numeric: true });

  return {
    async referenceData(list: string): Promise<ReferenceOption[]> {
      switch (list) {
        case F5_REFERENCE_LISTS.exactGlAccounts:
          return exactCodes('the G/L accounts', () => exact.readGlAccounts());
        case F5_REFERENCE_LISTS.exactCostCenters:
          return exactCodes('the cost centers', () => exact.readCostCenters());
        case F5_REFERENCE_LISTS.exactSuppliers:
          return (await readOrExplain(EXACT, 'the suppliers', () => exact.readSuppliers()))
            .map((s) => ({ value: s.code, label: s.name || s.code, code: s.code, detail: null }))
            .sort(byCode);
        case F5_REFERENCE_LISTS.coupaSuppliers: {
          const suppliers = await readOrExplain(COUPA, 'the suppliers', () => coupa.listSuppliers());
          const numbered = suppliers.flatMap((s) =>
            s.number ? [{ value: s.number, label: s.name, code: s.number, detail: s.status === 'inactive' ? `Coupa id ${s.id}, inactive in Coupa` : `Coupa id ${s.id}` }] : [],
          );
          // A Coupa supplier without a number is linked under the Exact code of the same name: the sync gives it that number.
          const numberless = suppliers.filter((s) => !s.number);
          const taken = new Set(numbered.map((o) => o.value));
          const byName = new Map<string, { code: string }>();
          if (numberless.length > 0)
            for (const e of await readOrExplain(EXACT, 'the suppliers', () => exact.readSuppliers())) byName.set(normaliseCompanyName(e.name), { code: e.code });
          const toNumber = numberless.flatMap((s) => {
            const code = byName.get(normaliseCompanyName(s.name))?.code;
            return code && !taken.has(code) ? [{ value: code, label: s.name, code, detail: `Coupa id ${s.id}, no number yet: the link gives it number ${code}` }] : [];
          });
          return [...numbered, ...toNumber].sort(byCode);
        }
        case F5_REFERENCE_LISTS.coupaRemitTos: {
          const suppliers = await readOrExplain(COUPA, 'the suppliers', () => coupa.listSuppliers());
          const byRemitTo = new Map<string, { name: string | null; of: string[]; active: boolean }>();
          for (const s of suppliers)
            for (const r of s.remitTos) {
              const seen = byRemitTo.get(r.code) ?? { name: r.name, of: [], active: false };
              seen.of.push(s.number ? `${s.name} (${s.number})` : s.name);
              seen.active ||= r.active;
              byRemitTo.set(r.code, seen);
            }
          return [...byRemitTo]
            .map(([code, r]) => ({ value: code, label: r.name || code, code, detail: `of ${r.of.join(', ')}${r.active ? '' : '; inactive in Coupa'}` }))
            .sort(byCode);
        }
        case F5_REFERENCE_LISTS.settings:
          return SETTING_NAMES.map((name) => ({ value: name, label: name, code: null, detail: null }));
        default:
          throw new Error(`Exact Online → Coupa has no reference list "${list}".`);
      }
    },
  };
}
