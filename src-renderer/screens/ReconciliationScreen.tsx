import { useState } from 'react';
import type { ReconciliationView, ReconGroupView } from '../../src-shared/ipc';
import { useCatalog, useSlice, useStores } from '../app/services';
import { Field } from '../ui/Field';
import { ScreenHeading } from '../ui/ScreenHeading';
import { formatAmount, formatCount, formatDateTime } from '../ui/format';
import { Notice, StateMessage } from '../ui/StateMessage';

/** The words for each cause, as the reconciliation explains a difference. */
const CAUSE_TITLES: Record<string, string> = {
  parked: 'waits in Pending validation',
  'not-yet-synced': 'not synced yet',
  'changed-in-target': 'changed in the target by hand',
  'deleted-at-source': 'deleted at the source',
  rounding: 'rounding',
  'target-only': 'in the target only',
  unexplained: 'not explained',
};

/** A cause's words in a group row; a record in the target only names the system ("in monday.com only"). */
const causeTitle = (cause: string, systems: ReconciliationView['systems']): string =>
  cause === 'target-only' && systems ? `in ${systems.target} only` : (CAUSE_TITLES[cause] ?? cause);

/**
 * The controller's month-end question: do the two systems agree? Per flow, source against target
 * to the cent, per project and per counterparty, every difference with its cause; a row opens the
 * documents behind it. Reading both systems happens only when asked.
 */
export function ReconciliationScreen() {
  const { reconcile } = useStores();
  const catalog = useCatalog();
  const [chosen, setChosen] = useState<string | null>(null);
  const flow = chosen ?? catalog[0]?.flow ?? null;
  const report = useSlice(reconcile, (s) => (flow ? s.reports[flow] : undefined));
  const running = useSlice(reconcile, (s) => (flow ? s.running[flow] === true : false));
  const error = useSlice(reconcile, (s) => (flow ? s.errors[flow] : ''));
  const title = catalog.find((f) => f.flow === flow)?.title ?? flow ?? '';

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Reconciliation">
        Do the two systems agree? Totals from both, to the cent, with every difference explained.
      </ScreenHeading>
      <form className="filters" aria-label="Reconcile a flow" onSubmit={(e) => e.preventDefault()}>
        <Field label="Flow">
          <select value={flow ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {catalog.map((f) => (
              <option key={f.flow} value={f.flow}>
                {f.title}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" disabled={!flow || running} onClick={() => flow && void reconcile.getState().run(flow)} aria-describedby="reconcile-status">
          {report ? 'Reconcile again' : 'Reconcile now'}
        </button>
      </form>
      <div id="reconcile-status">
        {running ? <StateMessage kind="loading" title={`Reading both systems of ${title}…`} /> : null}
        {error ? (
          <StateMessage kind="error" title="The reconciliation could not be made">
            {error}
          </StateMessage>
        ) : null}
      </div>
      {report ? <Report report={report} /> : running || error ? null : <StateMessage kind="empty" title="Not reconciled yet">Press “Reconcile now” to read both systems and compare them.</StateMessage>}
    </section>
  );
}

/** "Export CSV" of the report on screen, with where it landed next to the button. */
function ExportReport({ flow }: { flow: string }) {
  const { reconcile } = useStores();
  const exported = useSlice(reconcile, (s) => s.exported[flow] ?? null);
  return (
    <div className="toolbar">
      <button type="button" className="secondary" onClick={() => void reconcile.getState().exportCsv(flow)}>
        Export CSV
      </button>
      <Notice notice={exported} />
    </div>
  );
}

function Report({ report }: { report: ReconciliationView }) {
  const [drill, setDrill] = useState<{ by: 'project' | 'counterparty'; key: string; label: string } | null>(null);
  const records = drill ? report.records.filter((r) => (drill.by === 'project' ? (r.project ?? '') : (r.counterparty ?? '')) === drill.key) : report.records.filter((r) => r.cause !== null);
  return (
    <>
      <section className="card" aria-labelledby="recon-totals">
        <h2 id="recon-totals">{report.title}</h2>
        <p className="hint">
          Read {formatDateTime(report.generatedAt)} ·{' '}
          {report.unexplained === 0 ? <strong>every difference is explained</strong> : <strong>{formatCount(report.unexplained)} difference(s) not explained</strong>} · API calls{' '}
          {Object.entries(report.apiCalls)
            .filter(([, n]) => n > 0)
            .map(([api, n]) => `${n} ${api}`)
            .join(', ')}{' '}
        </p>
        <ExportReport flow={report.flow} />
        <GroupTable caption="Totals" groups={report.totals} systems={report.systems} />
      </section>
      <section className="card" aria-labelledby="recon-projects">
        <h2 id="recon-projects">Per project</h2>
        <GroupTable caption="Per project" groups={report.byProject} systems={report.systems} onOpen={(g) => setDrill({ by: 'project', key: g.key, label: g.label })} />
      </section>
      <section className="card" aria-labelledby="recon-counterparties">
        <h2 id="recon-counterparties">Per supplier</h2>
        <GroupTable caption="Per supplier" groups={report.byCounterparty} systems={report.systems} onOpen={(g) => setDrill({ by: 'counterparty', key: g.key, label: g.label })} />
      </section>
      <section className="card" aria-labelledby="recon-documents">
        <h2 id="recon-documents">{drill ? `Documents of ${drill.label}` : 'Documents that differ'}</h2>
        {drill ? (
          <button type="button" onClick={() => setDrill(null)}>
            Show every document that differs
          </button>
        ) : null}
        {records.length === 0 ? (
          <StateMessage kind="empty" title="No differences">Both systems hold the same amounts for every document.</StateMessage>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Documents</caption>
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Supplier</th>
                <th scope="col">Project</th>
                <th scope="col" className="num">
                  Source
                </th>
                <th scope="col" className="num">
                  Target
                </th>
                <th scope="col" className="num">
                  Difference
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={`${r.sourceId}-${r.targetKey}`}>
                  <td>
                    {r.documentType} {r.documentNumber}
                  </td>
                  <td>{r.counterparty ?? ''}</td>
                  <td>{r.project ?? ''}</td>
                  <td className="num">{r.expected === null ? '—' : formatAmount(r.expected, r.currency)}</td>
                  <td className="num">{r.actual === null ? '—' : formatAmount(r.actual, r.currency)}</td>
                  <td className="num">{formatAmount(r.difference, r.currency)}</td>
                  <td>{r.explanation ?? 'agrees'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function GroupTable({ caption, groups, systems, onOpen }: { caption: string; groups: ReconGroupView[]; systems: ReconciliationView['systems']; onOpen?: (g: ReconGroupView) => void }) {
  return (
    <table className="table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" className="num">
            Source
          </th>
          <th scope="col" className="num">
            Target
          </th>
          <th scope="col" className="num">
            Difference
          </th>
          <th scope="col">Documents</th>
          <th scope="col">Why they differ</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={`${g.key}-${g.currency}`}>
            <th scope="row">
              {onOpen ? (
                <button type="button" className="link" onClick={() => onOpen(g)}>
                  {g.label}
                </button>
              ) : (
                g.label
              )}
            </th>
            <td className="num">{formatAmount(g.expected, g.currency)}</td>
            <td className="num">{formatAmount(g.actual, g.currency)}</td>
            <td className="num">{formatAmount(g.difference, g.currency)}</td>
            <td>{g.differing ? `${formatCount(g.differing)} of ${formatCount(g.documents)} differ` : `${formatCount(g.documents)} agree`}</td>
            <td>
              {Object.entries(g.causes)
                .map(([cause, n]) => `${n} ${causeTitle(cause, systems)}`)
                .join(', ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
