import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import type { FlowCatalogEntry, FlowMoney } from '../../src-shared/ipc';
import { routeHref } from '../app/router';
import { daysSince, formatAge, formatCount, formatDateTime, formatMoneyTotals } from '../ui/format';

/**
 * Money on the Dashboard (issue 17): per flow what its target holds from it and what waits in
 * Pending validation (value and age), and both per project and per counterparty. Amounts are
 * exact decimals from main, shown in the user's locale with their currency, right-aligned.
 */

/** The system a flow writes to, as its users name it ("Procore"). */
export function targetTitleOf(catalog: readonly FlowCatalogEntry[], flow: string): string {
  const systems = catalog.find((f) => f.flow === flow)?.systems ?? [];
  const target = systems[systems.length - 1];
  return target ? SYSTEM_TITLES[target] : 'the target';
}

const money = (totals: FlowMoney['synced']['totals']) => formatMoneyTotals(totals) || '—';

/** "In Procore: € 12.345.678,90 in 190 documents · Waiting: € 355.149,71 in 10 records, the oldest 4 days". */
export function FlowMoneyFacts({ money: m, target, now }: { money: FlowMoney; target: string; now: number }) {
  return (
    <dl className="facts money-facts" aria-label={`Money of ${m.title}`}>
      <dt>In {target}</dt>
      <dd>
        <strong>{money(m.synced.totals)}</strong> in {formatCount(m.synced.documents)} document
        {m.synced.documents === 1 ? '' : 's'}
      </dd>
      <dt>Waiting</dt>
      <dd>
        {m.waiting.records === 0 ? (
          'nothing'
        ) : (
          <a href={routeHref('pending')}>
            <strong>{money(m.waiting.totals)}</strong> in {formatCount(m.waiting.records)} record
            {m.waiting.records === 1 ? '' : 's'}
            {m.waiting.oldestParkedAt
              ? `, the oldest since ${formatDateTime(m.waiting.oldestParkedAt)} (${formatAge(daysSince(m.waiting.oldestParkedAt, now))})`
              : ''}
          </a>
        )}
      </dd>
    </dl>
  );
}

function MoneyTable({ title, what, groups, target }: { title: string; what: string; groups: FlowMoney['byProject']; target: string }) {
  return (
    <details className="money-breakdown" open>
      <summary>
        {title} ({formatCount(groups.length)})
      </summary>
      <table className="table money-table">
        <caption className="visually-hidden">
          {title}: value in {target} and value waiting in Pending validation
        </caption>
        <thead>
          <tr>
            <th scope="col">{what}</th>
            <th scope="col" className="num">
              In {target}
            </th>
            <th scope="col" className="num">
              Documents
            </th>
            <th scope="col" className="num">
              Waiting
            </th>
            <th scope="col" className="num">
              Records
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.name}>
              <th scope="row">{g.name || <span className="hint">not named</span>}</th>
              <td className="num nowrap">{money(g.synced)}</td>
              <td className="num">{formatCount(g.documents)}</td>
              <td className="num nowrap">{g.waitingRecords === 0 ? '—' : money(g.waiting)}</td>
              <td className="num">{formatCount(g.waitingRecords)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Per project and per supplier (the largest first). */
export function MoneyBreakdown({ money: m, target }: { money: FlowMoney; target: string }) {
  if (m.byProject.length === 0 && m.byCounterparty.length === 0) return null;
  return (
    <div className="money-breakdowns">
      <MoneyTable title="By project" what="Project" groups={m.byProject} target={target} />
      <MoneyTable title="By supplier / customer" what="Supplier / customer" groups={m.byCounterparty} target={target} />
    </div>
  );
}
