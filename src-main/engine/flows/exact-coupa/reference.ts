import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { CoupaAccount, CoupaChartOfAccounts, CoupaConnector } from '../../../connectors/coupa';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { ReadFailedError, readOrExplain } from '../../sync/explain-read-failure';
import { normaliseCompanyName } from '../shared/counterparty-links';
import { F5_REFERENCE_LISTS } from './mappings';
import { SETTING_NAMES } from './policy';

/**
 * F5's pickers (FlowRuntime.referenceData): Coupa's suppliers by number and name and their
 * remit-to codes; the GL and cost-center segment values of the accounts of the configured chart
 * of accounts (Coupa's Accounts API); Exact's GL accounts, cost centers and suppliers; F5's own
 * setting names. Each answer reads its list once through the connectors (counted, budgeted); the
 * host caches it.
 *
 * A supplier or remit-to that exists but is inactive is offered with "inactive" in its detail,
 * not refused: a mapping may point at it on purpose (the records coded to it then wait in Pending
 * validation). A segment value is refused when no active account of the chart carries it: Coupa
 * would not let a line be coded to it.
 */

const EXACT = 'Exact Online';
const COUPA = 'Coupa';

/** "none" in the cost-center column: the Coupa account has no cost-center segment value. */
const NO_COST_CENTER = 'none';

/**
 * The segment values of one chart's accounts: each value once, refused (`inactive`) when only
 * inactive accounts carry it, with the accounts it appears in.
 */
export function segmentOptions(accounts: readonly CoupaAccount[], segment: number | null, chartName: string, noneValue: string | null): ReferenceOption[] {
  const byValue = new Map<string, { active: CoupaAccount[]; inactive: CoupaAccount[] }>();
  for (const account of accounts) {
    const value = segment === null ? null : (account.segments[segment - 1] ?? null);
    const key = value ?? noneValue;
    if (key === null) continue;
    const seen = byValue.get(key) ?? { active: [], inactive: [] };
    (account.active ? seen.active : seen.inactive).push(account);
    byValue.set(key, seen);
  }
  const example = (a: CoupaAccount): string => (a.name ? `${a.code} (${a.name})` : a.code);
  return [...byValue]
    .map(([value, { active, inactive }]): ReferenceOption => {
      const label = value === noneValue ? 'No cost center' : value;
      if (active.length === 0)
        return { value, label, code: value, detail: `only on inactive accounts of ${chartName}: ${inactive.map((a) => a.code).join(', ')}`, inactive: true };
      return { value, label, code: value, detail: `in ${active.length} active account${active.length === 1 ? '' : 's'} of ${chartName}, e.g. ${example(active[0]!)}` };
    })
    .sort((a, b) => a.value.localeCompare(b.value, undefined, { numeric: true }));
}

/**
 * The accounts of one chart as GL + cost-center pairs (value "4000|200", "4000|none" without a
 * cost-center segment), each pair once, `inactive` when only inactive accounts carry it.
 */
export function accountPairOptions(accounts: readonly CoupaAccount[], glSegment: number, costCenterSegment: number | null): ReferenceOption[] {
  const byPair = new Map<string, CoupaAccount[]>();
  for (const account of accounts) {
    const gl = account.segments[glSegment - 1] ?? null;
    if (gl === null) continue;
    const cc = costCenterSegment === null ? null : (account.segments[costCenterSegment - 1] ?? null);
    const pair = `${gl}|${cc ?? NO_COST_CENTER}`;
    byPair.set(pair, [...(byPair.get(pair) ?? []), account]);
  }
  return [...byPair]
    .map(([value, held]): ReferenceOption => {
      const active = held.find((a) => a.active);
      const shown = active ?? held[0]!;
      return { value, label: shown.name || shown.code, code: shown.code, detail: null, ...(active ? {} : { inactive: true }) };
    })
    .sort((a, b) => a.value.localeCompare(b.value, undefined, { numeric: true }));
}

export function f5ReferenceData(exact: ExactOnlineConnector, coupa: CoupaConnector, chart: () => CoupaChartOfAccounts) {
  const exactCodes = async (what: string, read: () => Promise<{ code: string; description: string }[]>) =>
    (await readOrExplain(EXACT, what, read)).map((r): ReferenceOption => ({ value: r.code, label: r.description || r.code, code: r.code, detail: null }));
  const byCode = (a: ReferenceOption, b: ReferenceOption): number => a.value.localeCompare(b.value, undefined, { numeric: true });
  const chartName = (accounts: readonly CoupaAccount[]): string => {
    const type = chart().accountType;
    const name = accounts.find((a) => a.accountTypeName)?.accountTypeName ?? ('name' in type ? type.name : null);
    return name ? `chart ${name}` : `chart of accounts ${'id' in type ? type.id : ''}`;
  };
  // The accounts table asks for both segment lists at once: they share one read of the chart.
  let accountsRead: Promise<CoupaAccount[]> | null = null;
  const chartAccounts = (): Promise<CoupaAccount[]> => {
    accountsRead ??= readOrExplain(COUPA, 'the accounts of the chart of accounts', () => coupa.listAccounts(chart().accountType))
      .then((accounts) => {
        // A dynamic chart builds its accounts when a line is coded: nothing to pick from, nothing to refuse.
        if (accounts.length === 0)
          throw new ReadFailedError(`Coupa lists no accounts in ${chartName(accounts)} (a dynamic chart creates them when used), so the segments are typed as the chart names them.`);
        return accounts;
      })
      .finally(() => {
        accountsRead = null;
      });
    return accountsRead;
  };

  return {
    async referenceData(list: string): Promise<ReferenceOption[] | { options: ReferenceOption[]; scope: string }> {
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
        case F5_REFERENCE_LISTS.coupaGlSegments: {
          const accounts = await chartAccounts();
          return segmentOptions(accounts, chart().glAccountSegment ?? 1, chartName(accounts), null);
        }
        case F5_REFERENCE_LISTS.coupaCostCenterSegments: {
          const accounts = await chartAccounts();
          const segment = chart().costCenterSegment;
          return segmentOptions(accounts, segment === undefined ? 2 : segment, chartName(accounts), NO_COST_CENTER);
        }
        case F5_REFERENCE_LISTS.coupaAccounts: {
          const accounts = await chartAccounts();
          const segment = chart().costCenterSegment;
          return { options: accountPairOptions(accounts, chart().glAccountSegment ?? 1, segment === undefined ? 2 : segment), scope: chartName(accounts) };
        }
        case F5_REFERENCE_LISTS.settings:
          return SETTING_NAMES.map((name) => ({ value: name, label: name, code: null, detail: null }));
        default:
          throw new Error(`Exact Online → Coupa has no reference list "${list}".`);
      }
    },
  };
}
