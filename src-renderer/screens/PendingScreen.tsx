import { useEffect, useState } from 'react';
import { sumByCurrency } from '../../src-shared/domain/labels';
import {
  sourceKeyFromMappingKey,
  type FlowCatalogEntry,
  type ParkedGroup,
  type ParkedRecordDetail,
} from '../../src-shared/ipc';
import { routeHref } from '../app/router';
import { useCatalog, useSlice, useStores } from '../app/services';
import { flowTitleIn, mappingSetsIn } from '../stores/catalog-store';
import { RecordView } from '../ui/RecordView';
import { ScreenHeading } from '../ui/ScreenHeading';
import {
  daysSince,
  formatAge,
  formatAmount,
  formatCount,
  formatDateTime,
  formatDay,
  formatMoneyTotals,
  recordName,
} from '../ui/format';
import { Notice, StateMessage } from '../ui/StateMessage';
import { CounterpartyDialog, CreateCounterpartyButton } from './CreateCounterparty';

/** The Mappings screen link that fixes a mapping key ("cost:4400|KST-12|" -> costs table, that value). */
export function fixMappingHref(catalog: readonly FlowCatalogEntry[], flow: string, key: string): string | null {
  const definition = mappingSetsIn(catalog).find((d) => d.flow === flow && key.startsWith(`${d.keyPrefix}:`));
  return definition ? routeHref('mappings', { flow, set: definition.set, key }) : null;
}

/** The table and source value of a key whose target counterparty the flow can create ("vendor:40030"), or null. */
function counterpartyOf(catalog: readonly FlowCatalogEntry[], flow: string, key: string) {
  const definition = mappingSetsIn(catalog).find(
    (d) => d.flow === flow && d.createsCounterparty && key.startsWith(`${d.keyPrefix}:`),
  );
  const sourceKey = definition ? sourceKeyFromMappingKey(definition, key) : null;
  return definition && sourceKey ? { definition, sourceKey } : null;
}

export function PendingScreen() {
  const { parked } = useStores();
  const status = useSlice(parked, (s) => s.status);
  const error = useSlice(parked, (s) => s.error);
  const groups = useSlice(parked, (s) => s.groups);
  const selected = useSlice(parked, (s) => s.selected);
  const retry = useSlice(parked, (s) => s.retry);
  const loadedAt = useSlice(parked, (s) => s.loadedAt);

  useEffect(() => {
    void parked.getState().load();
  }, [parked]);

  const selectedByFlow = new Map<string, number[]>();
  for (const group of groups)
    for (const record of group.records)
      if (selected.has(record.id))
        selectedByFlow.set(group.flow, [...(selectedByFlow.get(group.flow) ?? []), record.id]);

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Pending validation">
        Records that could not be written yet, grouped by cause. Fix the mapping, then retry one record, a
        selection or a whole group.
      </ScreenHeading>
      {status === 'ready' && groups.length > 0 ? <WaitingSummary groups={groups} now={loadedAt} /> : null}
      <div className="toolbar">
        <button
          type="button"
          disabled={selected.size === 0 || retry?.busy === true}
          onClick={() => {
            for (const [flow, ids] of selectedByFlow)
              void parked.getState().retryRecords(flow, ids, `${ids.length} selected`);
          }}
        >
          Retry selected ({selected.size})
        </button>
        <button type="button" className="secondary" onClick={() => void parked.getState().load()}>
          Refresh
        </button>
      </div>
      <Notice
        notice={
          retry === null || retry.busy
            ? null
            : retry.error !== null
              ? { kind: 'error', text: `Retry of ${retry.label} did not run: ${retry.error}` }
              : {
                  kind: 'success',
                  text: `Retried ${retry.result?.retried ?? 0}: ${retry.result?.written ?? 0} written, ${retry.result?.stillParked ?? 0} still waiting, ${retry.result?.failed ?? 0} failed.`,
                }
        }
      />
      {status === 'loading' || status === 'idle' ? (
        <StateMessage kind="loading" title="Loading the validation queue…" />
      ) : status === 'error' ? (
        <StateMessage
          kind="error"
          title="The validation queue could not be read"
          action={<button onClick={() => void parked.getState().load()}>Try again</button>}
        >
          {error}
        </StateMessage>
      ) : groups.length === 0 ? (
        <StateMessage kind="empty" title="Nothing is waiting">
          Every record read so far was written or is up to date.
        </StateMessage>
      ) : (
        groups.map((group) => <ParkedGroupSection key={`${group.flow}/${group.reasonCode}`} group={group} />)
      )}
      <CounterpartyDialog onDone={() => void parked.getState().load()} />
    </section>
  );
}

/** "10 records wait, worth € 355.149,71; the oldest since 3 Dec 2026 (4 days)." */
function WaitingSummary({ groups, now }: { groups: ParkedGroup[]; now: number }) {
  const count = groups.reduce((n, g) => n + g.count, 0);
  // Group totals are per currency: adding them per currency gives the screen's total.
  const value = formatMoneyTotals(sumByCurrency(groups.flatMap((g) => g.totals)));
  const oldest = groups.map((g) => g.oldestParkedAt).sort()[0]!;
  return (
    <p className="waiting-summary" data-testid="waiting-summary">
      <strong>
        {formatCount(count)} record{count === 1 ? '' : 's'} waiting{value ? `, worth ${value}` : ''}
      </strong>
      ; the oldest since {formatDateTime(oldest)} ({formatAge(daysSince(oldest, now))}).
    </p>
  );
}

function ParkedGroupSection({ group }: { group: ParkedGroup }) {
  const { parked } = useStores();
  const catalog = useCatalog();
  const selected = useSlice(parked, (s) => s.selected);
  const busy = useSlice(parked, (s) => s.retry?.busy === true);
  const headingId = `group-${group.flow}-${group.reasonCode}`;
  const allTicked = group.records.length > 0 && group.records.every((r) => selected.has(r.id));
  return (
    <section className="card" aria-labelledby={headingId} data-reason={group.reasonCode}>
      <div className="card-head">
        <h2 id={headingId}>
          {group.reasonText} <span className="count">({formatCount(group.count)})</span>
        </h2>
        <p className="hint">
          {flowTitleIn(catalog, group.flow)}
          {group.totals.length > 0 ? <> · worth <strong>{formatMoneyTotals(group.totals)}</strong></> : null} · waiting since{' '}
          {formatDateTime(group.oldestParkedAt)} · reason code <code>{group.reasonCode}</code>
        </p>
        <button type="button" disabled={busy} onClick={() => void parked.getState().retryGroup(group)}>
          Retry all {formatCount(group.count)}
        </button>
      </div>
      <table className="table parked-table">
        <caption className="visually-hidden">Parked records: {group.reasonText}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-check">
              <input
                type="checkbox"
                checked={allTicked}
                onChange={() => parked.getState().toggleGroup(group)}
                aria-label={`Select all records in “${group.reasonText}”`}
              />
            </th>
            <th scope="col" className="num col-number">
              <abbr title="The number of its entry in Audit history: what `replay` takes">#</abbr>
            </th>
            <th scope="col" className="col-document">Document</th>
            <th scope="col" className="col-project">Project</th>
            <th scope="col" className="col-date">Date</th>
            <th scope="col" className="num col-amount">Amount</th>
            <th scope="col" className="col-since">Waiting since</th>
            <th scope="col" className="col-fix">Fix</th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {group.records.map((record) => (
            <ParkedRow key={record.id} record={record} groupReason={group.reasonText} checked={selected.has(record.id)} busy={busy} />
          ))}
        </tbody>
      </table>
      {group.count > group.records.length ? (
        <p className="hint">
          Showing the first {group.records.length} of {formatCount(group.count)}; “Retry all” covers every
          one.
        </p>
      ) : null}
    </section>
  );
}

function ParkedRow({
  record,
  groupReason,
  checked,
  busy,
}: {
  record: ParkedRecordDetail;
  groupReason: string;
  checked: boolean;
  busy: boolean;
}) {
  const { parked } = useStores();
  const catalog = useCatalog();
  const [open, setOpen] = useState(false);
  const label = recordName(record.label);
  return (
    <>
      <tr data-record={record.id}>
        <td>
          <input
            type="checkbox"
            checked={checked}
            onChange={() => parked.getState().toggle(record.id)}
            aria-label={`Select ${label}`}
          />
        </td>
        <td className="num">{record.auditSeq ?? '—'}</td>
        <td className="col-document">
          <button
            type="button"
            className="link"
            aria-expanded={open}
            aria-controls={`parked-source-${record.id}`}
            onClick={() => setOpen(!open)}
          >
            {label}
          </button>
          {record.reasonText !== groupReason ? <span className="hint block">{record.reasonText}</span> : null}
        </td>
        <td>{record.label.project ?? '—'}</td>
        <td className="nowrap">{record.label.date ? formatDay(record.label.date) : '—'}</td>
        <td className="num nowrap">{formatAmount(record.label.amount, record.label.currency) || '—'}</td>
        <td className="nowrap">{formatDateTime(record.parkedAt, undefined, 'short')}</td>
        <td>
          {record.mappingKeys.length === 0 ? (
            <span className="hint">Fix in the source system</span>
          ) : (
            record.mappingKeys.map((key) => {
              const href = fixMappingHref(catalog, record.flow, key);
              const creates = counterpartyOf(catalog, record.flow, key);
              return href ? (
                <span key={key} className="fix-link">
                  <a href={href}>Fix mapping {key}</a>
                  {creates ? (
                    <>
                      {' '}
                      <CreateCounterpartyButton definition={creates.definition} sourceKey={creates.sourceKey} />
                    </>
                  ) : null}
                </span>
              ) : (
                <code key={key}>{key}</code>
              );
            })
          )}
        </td>
        <td>
          <button
            type="button"
            disabled={busy}
            aria-label={`Retry ${label}`}
            onClick={() => void parked.getState().retryRecords(record.flow, [record.id], label)}
          >
            Retry
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={`parked-source-${record.id}`} className="record-row">
          <td />
          <td colSpan={8}>
            <h3 className="small-heading">{label}</h3>
            {record.source === null && record.comparison === null ? (
              <p className="hint">No snapshot was recorded for this record.</p>
            ) : (
              <RecordView
                title={label}
                comparison={record.comparison}
                technical={[{ label: 'Source record as read (JSON)', value: record.source }]}
              />
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}
