import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { AUDIT_STATUSES } from '../../src-shared/domain/audit';
import type { AuditEntryView, FlowCatalogEntry } from '../../src-shared/ipc';
import { useCatalog, useSlice, useStores } from '../app/services';
import { Field } from '../ui/Field';
import { RecordView } from '../ui/RecordView';
import { ScreenHeading } from '../ui/ScreenHeading';
import { formatAmount, formatDateTime, formatDay, recordName, targetName, targetReference } from '../ui/format';
import { Notice, StateMessage } from '../ui/StateMessage';
import { documentKindsIn, flowTitleIn } from '../stores/catalog-store';

const ROW_HEIGHT = 32;
/** Text search waits for a pause in typing (each keystroke would otherwise query SQLite). */
export const TEXT_DEBOUNCE_MS = 250;
/** Load the next page when the user scrolls within this many rows of the end. */
const PREFETCH_ROWS = 30;

/**
 * Every column fits a 1366 px window (the detail panel opens below the grid there); the document
 * and message columns share what is left over, so at 1920 px the message has room to be read whole.
 */
const COLUMNS = [
  { id: 'seq', label: '#', className: 'num' },
  { id: 'at', label: 'Time', className: '' },
  { id: 'document', label: 'Document', className: '' },
  { id: 'result', label: 'Result', className: '' },
  { id: 'target', label: 'Target document', className: '' },
  { id: 'amount', label: 'Amount', className: 'num' },
  { id: 'message', label: 'Message', className: 'wide' },
] as const;

/** How a record is named in the grid: its label, or its kind and id for entries from before labels. */
export function auditDocumentName(entry: Pick<AuditEntryView, 'label' | 'entity' | 'sourceId'>, catalog: readonly FlowCatalogEntry[]): string {
  if (entry.label) return recordName(entry.label);
  const kind = documentKindsIn(catalog).find((d) => d.entity === entry.entity)?.label ?? entry.entity;
  return entry.sourceId ? `${kind} ${entry.sourceId}` : kind;
}

export function AuditScreen() {
  const { audit } = useStores();
  // Re-query on every visit: the log grows while the user is elsewhere (the filter is kept).
  // A layout effect starts the request before the first paint, not after it.
  useLayoutEffect(() => {
    void audit.getState().loadFirstPage();
  }, [audit]);

  return (
    <section className="screen screen-audit" aria-labelledby="screen-title">
      <ScreenHeading title="Audit history">
        Every record the app read, wrote, parked or replayed, newest first. The log is hash-chained: an edited
        or deleted entry is detected.
      </ScreenHeading>
      <AuditFilters />
      <AuditLayout />
    </section>
  );
}

/** The grid alone until an entry is opened; then the detail beside it (wide windows) or below it. */
function AuditLayout() {
  const { audit } = useStores();
  const open = useSlice(audit, (s) => s.detail !== null);
  return (
    <div className={`audit-layout${open ? ' has-detail' : ''}`}>
      <AuditGrid />
      {open ? <AuditDetail /> : null}
    </div>
  );
}

function AuditFilters() {
  const { audit } = useStores();
  const catalog = useCatalog();
  const filter = useSlice(audit, (s) => s.filter);
  const exported = useSlice(audit, (s) => s.exported);
  const [text, setText] = useState(filter.text);
  const timer = useRef<number | undefined>(undefined);

  const onText = (value: string) => {
    setText(value);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(
      () => void audit.getState().setFilter({ text: value }),
      TEXT_DEBOUNCE_MS,
    );
  };
  useEffect(() => () => window.clearTimeout(timer.current), []);

  return (
    <form className="filters" aria-label="Filter audit entries" onSubmit={(e) => e.preventDefault()}>
      <Field label="Flow">
        <select
          value={filter.flow}
          onChange={(e) => void audit.getState().setFilter({ flow: e.target.value })}
        >
          <option value="">All flows</option>
          {catalog.map((f) => (
            <option key={f.flow} value={f.flow}>
              {f.title}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Entity">
        <select
          name="entity"
          value={filter.entity}
          onChange={(e) => void audit.getState().setFilter({ entity: e.target.value })}
        >
          <option value="">All entities</option>
          {documentKindsIn(catalog).map((d) => (
            <option key={d.entity} value={d.entity}>
              {d.label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Status">
        <select
          name="status"
          value={filter.status}
          onChange={(e) => void audit.getState().setFilter({ status: e.target.value })}
        >
          <option value="">All statuses</option>
          {AUDIT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field label="From">
        <input
          type="date"
          value={filter.fromDate}
          onChange={(e) => void audit.getState().setFilter({ fromDate: e.target.value })}
        />
      </Field>
      <Field label="To">
        <input
          type="date"
          value={filter.toDate}
          onChange={(e) => void audit.getState().setFilter({ toDate: e.target.value })}
        />
      </Field>
      <Field label="Search" className="grow">
        <input
          type="search"
          name="text"
          value={text}
          placeholder="Document number, supplier, project, id or message"
          onChange={(e) => onText(e.target.value)}
        />
      </Field>
      <div className="filter-actions">
        <button
          type="button"
          onClick={() => void audit.getState().exportCsv()}
          disabled={exported?.busy === true}
        >
          Export CSV
        </button>
      </div>
      <Notice
        notice={
          exported === null || exported.busy
            ? null
            : exported.error !== null
              ? { kind: 'error', text: exported.error }
              : { kind: 'success', text: exported.text ?? '' }
        }
      />
    </form>
  );
}

function AuditGrid() {
  const { audit } = useStores();
  const entries = useSlice(audit, (s) => s.entries);
  const hasMore = useSlice(audit, (s) => s.hasMore);
  const loading = useSlice(audit, (s) => s.loading);
  const error = useSlice(audit, (s) => s.error);
  const generation = useSlice(audit, (s) => s.generation);
  const selectedSeq = useSlice(audit, (s) => s.selectedSeq);
  const [activeIndex, setActiveIndex] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const selectRow = useCallback(
    (index: number, seq: number) => {
      setActiveIndex(index);
      void audit.getState().select(seq);
    },
    [audit],
  );

  const rowCount = entries.length + (hasMore ? 1 : 0);
  // The library measures nothing itself: fixed-height rows keep scrolling cheap at any length.
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (hasMore && loading === 'idle' && lastVisible >= entries.length - PREFETCH_ROWS)
      void audit.getState().loadMore();
  }, [audit, hasMore, loading, lastVisible, entries.length]);

  useEffect(() => {
    // Only when needed: scrolling forces a layout.
    if (scrollRef.current && scrollRef.current.scrollTop !== 0) scrollRef.current.scrollTo({ top: 0 });
  }, [generation]);

  const boundedActive = Math.min(activeIndex, Math.max(entries.length - 1, 0));
  const move = (index: number) => {
    const next = Math.max(0, Math.min(index, entries.length - 1));
    setActiveIndex(next);
    virtualizer.scrollToIndex(next);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 320) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(boundedActive + 1),
      ArrowUp: () => move(boundedActive - 1),
      PageDown: () => move(boundedActive + page),
      PageUp: () => move(boundedActive - page),
      Home: () => move(0),
      End: () => move(entries.length - 1),
      Enter: () => {
        const entry = entries[boundedActive];
        if (entry) void audit.getState().select(entry.seq);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  if (error !== null && entries.length === 0) {
    return (
      <StateMessage
        kind="error"
        title="The audit log could not be read"
        action={<button onClick={() => void audit.getState().loadFirstPage()}>Try again</button>}
      >
        {error}
      </StateMessage>
    );
  }

  const activeEntry = entries[boundedActive];
  return (
    <div className="grid-wrap">
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label="Audit entries"
        aria-rowcount={hasMore ? -1 : entries.length + 1}
        aria-busy={loading !== 'idle'}
        aria-activedescendant={activeEntry ? `audit-row-${activeEntry.seq}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="audit-grid"
        data-generation={generation}
        data-loading={loading}
      >
        <div role="rowgroup" className="grid-head">
          <div role="row" aria-rowindex={1} className="grid-row">
            {COLUMNS.map((c) => (
              <div key={c.id} role="columnheader" className={`cell col-${c.id} ${c.className}`}>
                {c.label}
              </div>
            ))}
          </div>
        </div>
        <div role="rowgroup" className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const entry = entries[item.index];
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            if (!entry) {
              return (
                <div
                  key="more"
                  role="row"
                  aria-rowindex={item.index + 2}
                  className="grid-row grid-row-more"
                  style={style}
                >
                  <div role="gridcell" className="cell wide">
                    Loading older entries…
                  </div>
                </div>
              );
            }
            return (
              <AuditRow
                key={entry.seq}
                entry={entry}
                index={item.index}
                top={item.start}
                active={item.index === boundedActive}
                selected={entry.seq === selectedSeq}
                onSelect={selectRow}
              />
            );
          })}
        </div>
      </div>
      {loading === 'idle' && entries.length === 0 ? (
        <StateMessage kind="empty" title="No audit entries match these filters">
          Clear a filter or widen the date range.
        </StateMessage>
      ) : null}
      {loading === 'first' && entries.length === 0 ? (
        <StateMessage kind="loading" title="Loading audit entries…" />
      ) : null}
      <p className="grid-footer" aria-live="polite">
        {entries.length.toLocaleString()} {entries.length === 1 ? 'entry' : 'entries'} shown
        {hasMore ? '; scroll for older entries' : ''}. Arrow keys move, Enter opens the details.
        {selectedSeq === null ? ' Select an entry to see the document beside what was written.' : ''}
      </p>
    </div>
  );
}

interface AuditRowProps {
  entry: AuditEntryView;
  index: number;
  top: number;
  active: boolean;
  selected: boolean;
  onSelect: (index: number, seq: number) => void;
}

/** Memoised: scrolling re-renders only the rows that enter the window. */
const AuditRow = memo(function AuditRow({ entry, index, top, active, selected, onSelect }: AuditRowProps) {
  const catalog = useCatalog();
  const document = auditDocumentName(entry, catalog);
  const target = entry.targetLabel ? targetReference(entry.targetLabel) : entry.targetId ? `${entry.targetSystem ?? ''} ${entry.targetId}`.trim() : '';
  return (
    <div
      id={`audit-row-${entry.seq}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`grid-row${active ? ' is-active' : ''}${selected ? ' is-selected' : ''} status-${entry.status}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(index, entry.seq)}
    >
      <div role="gridcell" className="cell col-seq num">
        {entry.seq}
      </div>
      <div role="gridcell" className="cell col-at">
        {formatDateTime(entry.at, undefined, 'short')}
      </div>
      <div role="gridcell" className="cell col-document" title={`${flowTitleIn(catalog, entry.flow)}: ${document}`}>
        {document}
      </div>
      <div role="gridcell" className="cell col-result">
        <span className={`badge badge-${entry.status}`}>{entry.step}</span>
        {entry.status !== 'ok' && entry.status !== entry.step ? <span className="visually-hidden"> ({entry.status})</span> : null}
      </div>
      <div role="gridcell" className="cell col-target" title={entry.targetLabel ? targetName(entry.targetLabel) : undefined}>
        {target}
      </div>
      <div role="gridcell" className="cell col-amount num">
        {formatAmount(entry.amount ?? entry.label?.amount ?? null, entry.amount !== null ? entry.currency : (entry.label?.currency ?? null))}
      </div>
      <div role="gridcell" className="cell col-message wide" title={entry.message}>
        {entry.message}
      </div>
    </div>
  );
}, sameRow);

/**
 * Audit entries never change once written (append-only, hash-chained), so a row with the same
 * seq shows the same thing: a refreshed page re-renders only rows whose state changed.
 */
function sameRow(before: AuditRowProps, after: AuditRowProps): boolean {
  return (
    before.entry.seq === after.entry.seq &&
    before.index === after.index &&
    before.top === after.top &&
    before.active === after.active &&
    before.selected === after.selected &&
    before.onSelect === after.onSelect
  );
}

function AuditDetail() {
  const { audit } = useStores();
  const catalog = useCatalog();
  const detail = useSlice(audit, (s) => s.detail);
  const replay = useSlice(audit, (s) => s.replay);
  if (detail === null) return null;
  const entry = detail.entry;
  const name = entry ? auditDocumentName(entry, catalog) : null;
  return (
    <aside className="detail" aria-label={`Details of entry ${detail.seq}`}>
      <div className="detail-head">
        <h2>
          Entry #{detail.seq}
          {name ? <span className="detail-name"> · {name}</span> : null}
        </h2>
        <button
          type="button"
          onClick={() => void audit.getState().replaySelected()}
          disabled={entry === null || replay?.busy === true}
          aria-describedby="replay-help"
        >
          Replay
        </button>
        <button type="button" className="secondary" onClick={() => void audit.getState().select(null)}>
          Close
        </button>
      </div>
      <p id="replay-help" className="hint">
        Replay writes this record again from its stored snapshot; the target is checked first, so nothing is
        posted twice.
      </p>
      <Notice
        notice={
          replay === null || replay.busy
            ? null
            : replay.error !== null
              ? { kind: 'error', text: `Replay did not run: ${replay.error}` }
              : {
                  kind: replay.outcome?.outcome === 'failed' ? 'error' : 'success',
                  text: `Replay: ${replay.outcome?.outcome ?? ''}. ${replay.outcome?.message ?? ''} (audit entry #${replay.outcome?.auditSeq ?? ''})`,
                }
        }
      />
      {detail.error !== null ? (
        <StateMessage kind="error" title="The entry could not be loaded">
          {detail.error}
        </StateMessage>
      ) : entry === null ? (
        <StateMessage kind="loading" title="Loading entry…" />
      ) : (
        <>
          <dl className="facts">
            <dt>Time</dt>
            <dd>{formatDateTime(entry.at)}</dd>
            <dt>Flow</dt>
            <dd>{flowTitleIn(catalog, entry.flow)}</dd>
            <dt>Document</dt>
            <dd>
              {entry.label ? `${entry.label.documentType}${entry.label.number ? ` ${entry.label.number}` : ''}` : name}
            </dd>
            {entry.label?.counterparty ? (
              <>
                <dt>Supplier</dt>
                <dd>
                  {entry.label.counterparty}
                  {entry.label.counterpartyCode ? <span className="hint"> ({entry.label.counterpartyCode})</span> : null}
                </dd>
              </>
            ) : null}
            {entry.label?.project ? (
              <>
                <dt>Project</dt>
                <dd>{entry.label.project}</dd>
              </>
            ) : null}
            {entry.label?.date ? (
              <>
                <dt>Document date</dt>
                <dd>{formatDay(entry.label.date)}</dd>
              </>
            ) : null}
            <dt>Amount</dt>
            <dd className="num-left">
              {formatAmount(entry.amount ?? entry.label?.amount ?? null, entry.amount !== null ? entry.currency : (entry.label?.currency ?? null)) || '—'}
            </dd>
            <dt>Result</dt>
            <dd>
              {entry.step}
              {entry.status !== entry.step ? ` (${entry.status})` : ''}
              {entry.targetLabel ? ` → ${targetName(entry.targetLabel)}` : entry.targetId ? ` → ${entry.targetSystem ?? ''} ${entry.targetId}` : ''}
            </dd>
            <dt>Mappings used</dt>
            <dd>{entry.mappingVersionNames ?? (entry.mappingVersion === null ? '—' : `version ${entry.mappingVersion}`)}</dd>
            <dt>Message</dt>
            <dd>{entry.message}</dd>
          </dl>
          {entry.sourceSnapshot === null && entry.targetPayload === null && entry.result === null ? null : (
            <RecordView
              title={name ?? `entry ${entry.seq}`}
              comparison={entry.comparison}
              technical={[
                { label: 'Source id', value: entry.sourceId },
                { label: 'Source snapshot (JSON)', value: entry.sourceSnapshot },
                { label: 'Target payload (JSON)', value: entry.targetPayload },
                { label: 'Target answer (JSON)', value: entry.result },
              ]}
            />
          )}
        </>
      )}
    </aside>
  );
}
