import { useEffect } from 'react';
import { BUDGET_WINDOW_WORDS } from '../../src-shared/domain/budget';
import { connectionStatusWords } from '../../src-shared/domain/connection-words';
import { sumByCurrency } from '../../src-shared/domain/labels';
import type { FlowMoney, FlowOverview, RunView } from '../../src-shared/ipc';
import { routeHref } from '../app/router';
import { useCatalog, useSlice, useStores } from '../app/services';
import { isRunning, type RunProgress } from '../stores/dashboard-store';
import { ScreenHeading } from '../ui/ScreenHeading';
import { daysSince, formatAge, formatCount, formatDateTime, formatMoneyTotals } from '../ui/format';
import { nextRunWords } from '../ui/schedule-words';
import { FlowMoneyFacts, MoneyBreakdown, targetTitleOf } from './MoneySummary';
import { StateMessage } from '../ui/StateMessage';

export function DashboardScreen() {
  const { dashboard } = useStores();
  const status = useSlice(dashboard, (s) => s.status);
  const error = useSlice(dashboard, (s) => s.error);
  const flows = useSlice(dashboard, (s) => s.flows);
  const engineMessage = useSlice(dashboard, (s) => s.engineMessage);
  const app = useSlice(dashboard, (s) => s.app);
  const runs = useSlice(dashboard, (s) => s.runs);
  const money = useSlice(dashboard, (s) => s.money);
  const loadedAt = useSlice(dashboard, (s) => s.loadedAt);
  const catalog = useCatalog();

  useEffect(() => {
    void dashboard.getState().load();
  }, [dashboard]);

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Dashboard">
        Each flow, its connections, its last and next run, and what is waiting.
      </ScreenHeading>
      {status === 'idle' || status === 'loading' ? (
        <StateMessage kind="loading" title="Loading the overview…" />
      ) : status === 'error' ? (
        <StateMessage
          kind="error"
          title="The overview could not be loaded"
          action={<button onClick={() => void dashboard.getState().load()}>Try again</button>}
        >
          {error}
        </StateMessage>
      ) : (
        <>
          {app ? (
            <ul className="tiles" aria-label="Totals">
              <li className="tile">
                <span className="tile-value">{formatCount(app.counts.auditEntries)}</span> audit entries
              </li>
              <li className="tile">
                <a href={routeHref('pending')}>
                  <span className="tile-value">{formatCount(app.counts.openParked)}</span> pending validation
                </a>
              </li>
              <WaitingTile money={money} now={loadedAt} />
              <li className="tile">
                <a href={routeHref('connections')}>
                  <span className="tile-value">{formatCount(app.counts.connections)}</span> connections
                </a>
              </li>
            </ul>
          ) : null}
          {flows === null ? (
            <>
              <StateMessage kind="info" title="Syncing is not available in this window">
                {engineMessage} Connections, mappings, the validation queue and the audit log can still be
                used. The runs recorded so far are below.
              </StateMessage>
              {catalog.map((flow) => (
                <section key={flow.flow} className="card flow-card" aria-labelledby={`flow-${flow.flow}`}>
                  <div className="card-head">
                    <h2 id={`flow-${flow.flow}`}>{flow.title}</h2>
                    <button type="button" disabled aria-describedby={`flow-${flow.flow}-unavailable`}>
                      Sync now
                    </button>
                  </div>
                  <p id={`flow-${flow.flow}-unavailable`} className="hint">
                    “Sync now” needs the sync engine, which starts once the flow’s connections are complete (see
                    above and <a href={routeHref('connections')}>Connections</a>), or with{' '}
                    <code>ml-connector serve --sandbox</code>.
                  </p>
                  <FlowMoneySection flow={flow.flow} money={money} />
                </section>
              ))}
            </>
          ) : flows.length === 0 ? (
            <StateMessage kind="empty" title="No flows are set up yet">
              Add the connections of a flow on the <a href={routeHref('connections')}>Connections</a> screen.
            </StateMessage>
          ) : (
            flows.map((flow) => <FlowCard key={flow.flow} flow={flow} />)
          )}
          <RecentRuns runs={runs} />
        </>
      )}
    </section>
  );
}

function FlowCard({ flow }: { flow: FlowOverview }) {
  const { dashboard } = useStores();
  const progress = useSlice(dashboard, (s) => s.progress[flow.flow]);
  const starting = useSlice(dashboard, (s) => s.starting[flow.flow] === true);
  const syncError = useSlice(dashboard, (s) => s.syncErrors[flow.flow] ?? '');
  const money = useSlice(dashboard, (s) => s.money);
  const running = isRunning(progress) || (flow.running !== null && progress === undefined);
  const headingId = `flow-${flow.flow}`;
  return (
    <section className="card flow-card" aria-labelledby={headingId} data-flow={flow.flow}>
      <div className="card-head">
        <h2 id={headingId}>{flow.title}</h2>
        <button
          type="button"
          disabled={running || starting || flow.unavailable !== null}
          onClick={() => void dashboard.getState().startSync(flow.flow)}
          aria-describedby={flow.unavailable !== null ? `${headingId}-unavailable` : `${headingId}-progress`}
        >
          Sync now
        </button>
      </div>
      {flow.unavailable !== null ? (
        <p id={`${headingId}-unavailable`} className="hint">
          {flow.unavailable} <a href={routeHref('connections')}>Connections</a>
        </p>
      ) : null}
      <div id={`${headingId}-progress`}>
        <SyncProgress progress={progress} fallback={flow.running} />
      </div>
      {syncError ? (
        <p className="notice notice-error" role="alert">
          {syncError}
        </p>
      ) : null}
      <dl className="facts columns">
        <dt>Last run</dt>
        <dd>
          {flow.lastRun ? `${formatDateTime(flow.lastRun.startedAt)} · ${flow.lastRun.status}` : 'Never'}
        </dd>
        <dt>Next run</dt>
        <dd>
          {flow.schedule ? nextRunWords(flow.schedule) : flow.nextRunAt ? formatDateTime(flow.nextRunAt) : 'Not scheduled'}
        </dd>
        <dt>Synced</dt>
        <dd>{formatCount(flow.counts.synced)}</dd>
        <dt>Parked</dt>
        <dd>
          <a href={routeHref('pending')}>{formatCount(flow.counts.parked)}</a>
        </dd>
        {flow.counts.needsReview ? (
          <>
            <dt>Created, needs review</dt>
            <dd>
              <a href={routeHref('pending')}>{formatCount(flow.counts.needsReview)}</a>
            </dd>
          </>
        ) : null}
        <dt>Failed</dt>
        <dd>{formatCount(flow.counts.failed)}</dd>
      </dl>
      <FlowMoneySection flow={flow.flow} money={money} />
      <ul className="connection-list" aria-label={`Connections of ${flow.title}`}>
        {flow.connections.map((c) => (
          <li key={c.id}>
            <span className={`dot dot-${c.status}`} aria-hidden="true" /> {c.label}:{' '}
            <strong>{connectionStatusWords(c.status, c.mode ?? 'live')}</strong>
            {c.tokenExpiresAt ? (
              <span className="hint"> · sign-in valid until {formatDateTime(c.tokenExpiresAt)}</span>
            ) : null}
            {c.budget ? <span className="hint"> · {budgetText(c.budget)}</span> : null}
            {c.warning ? <span className="warning"> · {c.warning}</span> : null}
          </li>
        ))}
      </ul>
      <RunChart flow={flow} />
    </section>
  );
}

/** The value waiting in Pending validation over every flow, and the age of the oldest record. */
function WaitingTile({ money, now }: { money: FlowMoney[]; now: number }) {
  const waiting = money.filter((m) => m.waiting.records > 0);
  if (waiting.length === 0) return null;
  const oldest = waiting.map((m) => m.waiting.oldestParkedAt).filter((t): t is string => t !== null).sort()[0];
  return (
    <li className="tile">
      <a href={routeHref('pending')}>
        <span className="tile-value">{formatMoneyTotals(sumByCurrency(waiting.flatMap((m) => m.waiting.totals)))}</span> waiting
        {oldest ? `, the oldest ${formatAge(daysSince(oldest, now))}` : ''}
      </a>
    </li>
  );
}

/** A flow's money: what its target holds from it, what waits, per project and per supplier. */
function FlowMoneySection({ flow, money }: { flow: string; money: FlowMoney[] }) {
  const catalog = useCatalog();
  const { dashboard } = useStores();
  const now = useSlice(dashboard, (s) => s.loadedAt);
  const m = money.find((x) => x.flow === flow);
  if (!m) return null;
  const target = targetTitleOf(catalog, flow);
  return (
    <>
      <FlowMoneyFacts money={m} target={target} now={now} />
      <MoneyBreakdown money={m} target={target} />
    </>
  );
}

type ConnectionBudget = NonNullable<FlowOverview['connections'][number]['budget']>;

/** "12 calls used this hour, 3,588 left, next safe run 22 Nov 2026, 14:00:00": each API in its own window. */
export function budgetText(budget: ConnectionBudget): string {
  const used = budget.used === null ? '?' : formatCount(budget.used);
  const left = budget.left === null ? 'unknown' : formatCount(budget.left);
  return `${used} calls used ${BUDGET_WINDOW_WORDS[budget.window]}, ${left} left, next safe run ${formatDateTime(budget.nextSafeRunAt)}`;
}

function SyncProgress({
  progress,
  fallback,
}: {
  progress: RunProgress | undefined;
  fallback: FlowOverview['running'];
}) {
  const processed = progress?.processed ?? fallback?.processed ?? 0;
  const total = progress ? progress.total : (fallback?.total ?? null);
  if (!progress && !fallback) return <p className="hint">Not running.</p>;
  const phase = progress?.phase ?? 'reading';
  const label =
    phase === 'done'
      ? `Finished: ${processed} records (${progress?.counts.created ?? 0} created, ${progress?.counts.updated ?? 0} updated, ${progress?.counts.unchanged ?? 0} unchanged, ${progress?.counts.parked ?? 0} parked${progress?.counts.flagged ? `, ${progress.counts.flagged} created but needing review` : ''}, ${progress?.counts.failed ?? 0} failed).`
      : phase === 'failed'
        ? `Failed after ${processed} records. ${progress?.message ?? ''}`
        : `${phase === 'starting' ? 'Starting' : phase === 'reading' ? 'Reading' : 'Writing'}: ${processed}${total !== null ? ` of ${total}` : ''} records`;
  return (
    <div className="progress" data-phase={phase}>
      <progress
        max={total ?? undefined}
        value={phase === 'done' ? (total ?? processed) : total !== null ? processed : undefined}
        aria-label="Sync progress"
      />
      <p role="status" aria-live="polite">
        {label}
      </p>
    </div>
  );
}

/** The newest runs the chart shows (oldest of them left). */
export const CHART_RUNS = 20;

/**
 * Records and errors of the recent runs as bars, oldest left and newest right, with dates on the
 * axis; the same figures are in the runs table below (and in the chart's label) for screen readers.
 */
export function RunChart({ flow }: { flow: FlowOverview }) {
  // Whatever order the runs arrive in: the newest CHART_RUNS, in time order.
  const runs = [...flow.recentRuns]
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    .slice(-CHART_RUNS);
  if (runs.length === 0) return <p className="hint">No runs yet.</p>;
  const max = Math.max(1, ...runs.map((r) => r.records));
  const barWidth = 14;
  const gap = 4;
  const barsHeight = 60;
  const axisHeight = 30;
  const width = Math.max(runs.length * (barWidth + gap), 240);
  const first = runs[0]!;
  const last = runs.at(-1)!;
  const x = (index: number) => index * (barWidth + gap);
  return (
    <figure className="chart">
      <svg
        width={width}
        height={barsHeight + axisHeight}
        role="img"
        aria-label={`Recent runs of ${flow.title}, oldest first: ${runs.map((r) => `${formatDateTime(r.startedAt, undefined, 'short')}: ${r.records} records, ${r.errors} errors`).join('; ')}`}
      >
        {runs.map((run, index) => {
          const recordsHeight = Math.max(1, Math.round((run.records / max) * barsHeight));
          const errorsHeight = Math.round((run.errors / max) * barsHeight);
          return (
            <g key={run.runId} transform={`translate(${x(index)},0)`} data-started-at={run.startedAt}>
              <rect className="bar-records" x={0} y={barsHeight - recordsHeight} width={barWidth} height={recordsHeight} />
              {errorsHeight > 0 ? (
                <rect className="bar-errors" x={0} y={barsHeight - errorsHeight} width={barWidth} height={errorsHeight} />
              ) : null}
            </g>
          );
        })}
        <line className="chart-axis" x1={0} x2={x(runs.length - 1) + barWidth} y1={barsHeight + 0.5} y2={barsHeight + 0.5} />
        <text className="chart-tick" x={0} y={barsHeight + 14} textAnchor="start">
          {formatDateTime(first.startedAt, undefined, 'short')}
        </text>
        {runs.length > 1 ? (
          <text className="chart-tick" x={x(runs.length - 1) + barWidth} y={barsHeight + 28} textAnchor="end">
            {formatDateTime(last.startedAt, undefined, 'short')}
          </text>
        ) : null}
      </svg>
      <figcaption className="hint">
        {runs.length === 1
          ? `Records (blue) and errors (red) of the only run so far, ${formatDateTime(first.startedAt)}.`
          : `Records per run (blue) and errors (red) for the last ${runs.length} runs: oldest left (${formatDateTime(first.startedAt)}), newest right (${formatDateTime(last.startedAt)}).`}
      </figcaption>
    </figure>
  );
}

function RecentRuns({ runs }: { runs: RunView[] }) {
  return (
    <section className="card" aria-labelledby="runs-title">
      <h2 id="runs-title">Recent runs</h2>
      {runs.length === 0 ? (
        <p className="hint">No runs yet. “Sync now” starts one.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Flow</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              <th scope="col">Counts</th>
              <th scope="col" className="num">
                Value written
              </th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td>{formatDateTime(run.startedAt)}</td>
                <td>{run.flow}</td>
                <td>{run.trigger}</td>
                <td>{run.status}</td>
                <td>
                  {Object.entries(run.counts)
                    .map(([name, value]) => `${name} ${formatCount(value)}`)
                    .join(', ')}
                </td>
                <td className="num nowrap">{run.written && run.written.length > 0 ? formatMoneyTotals(run.written) : '—'}</td>
                <td>{run.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
