import { useEffect, useRef, useState } from 'react';
import {
  mappingKeyOf,
  mappingVersionName,
  referenceOptionText,
  type MappingImportPreview,
  type MappingSetDefinition,
  type ReferenceFieldView,
  type UnmappedValue,
  type VendorLinkSuggestion,
  type VendorMatchKind,
} from '../../src-shared/ipc';
import { SYSTEM_TITLES, type SystemId } from '../../src-shared/domain/systems';
import { routeHref, type Route } from '../app/router';
import { useCatalog, useSlice, useStores } from '../app/services';
import { draftKey, type DraftRow, type ImportState } from '../stores/mappings-store';
import { Combobox } from '../ui/Combobox';
import { CounterpartyDialog, CreateCounterpartyButton, createCounterpartyLabel } from './CreateCounterparty';
import { Field } from '../ui/Field';
import { ScreenHeading } from '../ui/ScreenHeading';
import { formatCount, formatDateTime } from '../ui/format';
import { Notice, StateMessage } from '../ui/StateMessage';

/** Editing thousands of inputs at once is slow and useless: search narrows the table instead. */
const MAX_SHOWN_ROWS = 300;

/** Why a link is suggested: the target carries the source's code or id, or has the same name. */
const matchReason = (kind: VendorMatchKind, sourceSystem: string): string =>
  kind === 'origin_code' ? 'same External ID' : kind === 'origin_id' ? `same ${sourceSystem} id` : 'same name';

/**
 * How a table's suggested links are named: the two sides' nouns ("supplier", "vendor"), the
 * systems their fields' lists come from, and the columns an accepted link fills.
 */
function linkWords(definition: MappingSetDefinition) {
  const source = definition.sourceFields[0];
  const target = definition.targetFields[0];
  const system = (id: SystemId | undefined, fallback: string) => (id ? (SYSTEM_TITLES[id] ?? id) : fallback);
  return {
    sourceNoun: definition.counterpartyNouns?.source ?? 'record',
    targetNoun: definition.counterpartyNouns?.target ?? 'record',
    sourceSystem: system(source?.reference?.system, 'the source system'),
    targetSystem: system(target?.reference?.system, 'the target system'),
    sourceField: source?.name ?? '',
  };
}

/** The tables whose links can be suggested from the target system's own list (the flow says which). */
const offersVendorSuggestions = (d: MappingSetDefinition) => d.suggestsCounterpartyLinks === true;

export function MappingsScreen({ route }: { route: Route }) {
  const { mappings } = useStores();
  const catalog = useCatalog();
  const first = catalog.find((f) => f.mappingSets.length > 0)?.mappingSets[0];
  const flow = route.params.get('flow') ?? first?.flow;
  const setName = route.params.get('set') ?? first?.set;
  const versionParam = Number(route.params.get('version') ?? '') || undefined;
  const highlightKey = route.params.get('key');

  useEffect(() => {
    if (flow && setName) void mappings.getState().open(flow, setName, versionParam);
  }, [mappings, flow, setName, versionParam]);

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Mappings">
        How source values become target values. Every save is a new version; older versions stay readable.
      </ScreenHeading>
      {/* Grouped by flow: each flow's tables under its title. */}
      <nav aria-label="Mapping tables" className="tab-groups">
        {catalog
          .filter((f) => f.mappingSets.length > 0)
          .map((f) => (
            <div key={f.flow} className="tabs" role="group" aria-label={f.title}>
              {catalog.length > 1 ? <span className="tab-group-title">{f.title}</span> : null}
              {f.mappingSets.map((d) => (
                <a
                  key={d.set}
                  href={routeHref('mappings', { flow: d.flow, set: d.set })}
                  aria-current={d.flow === flow && d.set === setName ? 'page' : undefined}
                  className="tab"
                >
                  {d.title}
                </a>
              ))}
            </div>
          ))}
      </nav>
      <MappingTable highlightKey={highlightKey} />
    </section>
  );
}

function MappingTable({ highlightKey }: { highlightKey: string | null }) {
  const { mappings } = useStores();
  const state = useSlice(mappings, (s) => s);
  const { definition, table, draft, dirty, status, error, notice, busy, search, importing } = state;
  const reference = state.reference;
  const [note, setNote] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const focusRowKey = useRef<number | null>(null);

  useEffect(() => {
    if (focusRowKey.current === null) return;
    const first = document.querySelector<HTMLInputElement>(
      `[data-row-key="${focusRowKey.current}"] input[data-target]`,
    );
    first?.focus();
    focusRowKey.current = null;
  });

  if (status === 'error' && table === null) {
    return (
      <StateMessage kind="error" title="This mapping table could not be loaded">
        {error}
      </StateMessage>
    );
  }
  if (table === null) return <StateMessage kind="loading" title="Loading mappings…" />;

  const viewingOld =
    table.shown !== null && table.current !== null && table.shown.version !== table.current.version;
  const covered = new Set(draft.map((row) => draftKey(definition, row)));
  const unmapped = viewingOld ? [] : table.unmapped.filter((u) => !covered.has(u.mappingKey));
  const needle = search.trim().toLowerCase();
  const shownValue = (field: string, value: string) => {
    const option = reference.fields[field]?.options.find((o) => o.value === value);
    return option ? `${value} ${referenceOptionText(option)}` : value;
  };
  const matching = needle
    ? draft.filter((row) =>
        Object.entries(row.values).some(([field, value]) => shownValue(field, value).toLowerCase().includes(needle)),
      )
    : draft;
  const shown = matching.slice(0, MAX_SHOWN_ROWS);
  // A row keeps its number in the whole table (what a save's "Row 3" means) while search narrows the list.
  const rowNumbers = new Map(draft.map((row, index) => [row.key, index]));
  const fields = [...definition.sourceFields, ...definition.targetFields];

  /** Adds a row for an unmapped value (with the suggested target when accepted) and focuses its target. */
  const addFromUnmapped = (value: UnmappedValue, acceptSuggestion: boolean) => {
    const target = acceptSuggestion ? value.suggestion?.target : undefined;
    focusRowKey.current = mappings.getState().addRow(value.sourceKey, target);
  };

  return (
    <div className="mapping-layout">
      <div className="mapping-main">
        <p className="lead">
          {definition.description}.{' '}
          {table.current
            ? viewingOld
              ? `${mappingVersionName(definition, table.shown?.version ?? 0)} (the current version is ${mappingVersionName(definition, table.current.version)}), ${rowsText(table.shown?.rowCount ?? 0)}.`
              : `${mappingVersionName(definition, table.current.version)} (current), ${rowsText(table.shown?.rowCount ?? 0)}.`
            : 'No version saved yet.'}
        </p>
        {viewingOld ? (
          <p className="banner" role="status">
            You are looking at {mappingVersionName(definition, table.shown?.version ?? 0)} (read-only).{' '}
            <a href={routeHref('mappings', { flow: definition.flow, set: definition.set })}>
              Back to the current version
            </a>
          </p>
        ) : null}
        <div className="toolbar">
          <Field label="Search">
            <input
              type="search"
              value={search}
              onChange={(e) => mappings.getState().setSearch(e.target.value)}
            />
          </Field>
          {!viewingOld ? (
            <button
              type="button"
              className="secondary"
              onClick={() => (focusRowKey.current = mappings.getState().addRow())}
            >
              Add row
            </button>
          ) : null}
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void mappings.getState().exportCsv()}
          >
            Export CSV
          </button>
          {!viewingOld ? (
            <>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => fileInput.current?.click()}
              >
                Import CSV
              </button>
              <input
                ref={fileInput}
                type="file"
                accept=".csv,text/csv"
                className="visually-hidden"
                tabIndex={-1}
                aria-label="CSV file to import"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (file) await mappings.getState().previewImport(await file.text(), file.name);
                }}
              />
            </>
          ) : null}
        </div>
        {/* Import and export outcomes here, next to their buttons; a save's outcome next to "Save mapping". */}
        <Notice notice={notice?.at === 'save' ? null : notice} />
        {notice?.at === 'save' ? null : <CarriedWarnings warnings={notice?.warnings} />}
        {status === 'error' ? <Notice notice={{ kind: 'error', text: error ?? '' }} /> : null}
        {importing ? <ImportPanel definition={definition} importing={importing} /> : null}
        {!viewingOld ? <ReferenceStatus definition={definition} /> : null}
        {!viewingOld && offersVendorSuggestions(definition) ? (
          <VendorSuggestions
            definition={definition}
            covered={covered}
            waiting={unmapped.length}
            onAccepted={(rowKey) => (focusRowKey.current = rowKey)}
          />
        ) : null}
        <table className="table mapping-table">
          <caption className="visually-hidden">{definition.title} mapping</caption>
          <thead>
            <tr>
              {/* The number a save's or import's message calls "Row 3". */}
              <th scope="col" className="row-number">
                Row
              </th>
              {fields.map((f) => (
                <th key={f.name} scope="col">
                  {f.label}
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          {unmapped.length > 0 ? (
            <tbody className="unmapped" aria-label="Unmapped values">
              {unmapped.map((value) => (
                <UnmappedRow
                  key={value.mappingKey}
                  definition={definition}
                  reference={reference.fields}
                  value={value}
                  highlighted={value.mappingKey === highlightKey}
                  onAdd={(accept) => addFromUnmapped(value, accept)}
                />
              ))}
            </tbody>
          ) : null}
          <tbody>
            {shown.map((row) => (
              <EditableRow
                key={row.key}
                definition={definition}
                reference={reference.fields}
                row={row}
                index={rowNumbers.get(row.key) ?? 0}
                readOnly={viewingOld}
              />
            ))}
            {draft.length === 0 ? (
              <tr>
                <td colSpan={fields.length + 2}>
                  <StateMessage kind="empty" title="No mappings yet">
                    Add rows by hand, use “Add mapping” next to an unmapped value, or import a CSV file.
                  </StateMessage>
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {matching.length > shown.length ? (
          <p className="hint">
            Showing {shown.length} of {formatCount(matching.length)} rows; search to narrow the list.
          </p>
        ) : null}
        {!viewingOld ? (
          <form
            className="save-bar"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await mappings.getState().save(note)) setNote('');
            }}
          >
            <Field label="Note for this version (optional)" className="grow">
              <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
            </Field>
            <button type="submit" disabled={!dirty || busy}>
              Save mapping
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!dirty || busy}
              onClick={() => mappings.getState().discard()}
            >
              Discard changes
            </button>
            <Notice notice={notice?.at === 'save' ? notice : null} />
            {notice?.at === 'save' ? <CarriedWarnings warnings={notice.warnings} /> : null}
          </form>
        ) : null}
      </div>
      <CounterpartyDialog
        onDone={() => {
          void mappings.getState().open(definition.flow, definition.set);
          void mappings.getState().loadReference();
        }}
      />
      <aside className="versions" aria-labelledby="versions-title">
        <h2 id="versions-title">Version history</h2>
        {table.versions.length === 0 ? (
          <p className="hint">No versions yet.</p>
        ) : (
          <ol>
            {table.versions.map((v) => (
              <li key={v.version} aria-current={v.version === table.shown?.version ? 'true' : undefined}>
                <a
                  href={routeHref('mappings', {
                    flow: definition.flow,
                    set: definition.set,
                    version: String(v.version),
                  })}
                >
                  {mappingVersionName(definition, v.version)}
                </a>{' '}
                <span className="hint">
                  {formatDateTime(v.createdAt)} · {formatCount(v.rowCount)} rows{v.note ? ` · ${v.note}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
      </aside>
    </div>
  );
}

const rowsText = (n: number) => `${formatCount(n)} row${n === 1 ? '' : 's'}`;

function UnmappedRow({
  definition,
  reference,
  value,
  highlighted,
  onAdd,
}: {
  definition: MappingSetDefinition;
  reference: Record<string, ReferenceFieldView>;
  value: UnmappedValue;
  highlighted: boolean;
  onAdd: (acceptSuggestion: boolean) => void;
}) {
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (highlighted) buttonRef.current?.focus();
  }, [highlighted]);
  const described = definition.sourceFields.map((f) => value.sourceKey[f.name] ?? 'any').join(' / ');
  const suggestion = value.suggestion
    ? definition.targetFields
        .map((f) => {
          const code = value.suggestion?.target[f.name] ?? '';
          const option = reference[f.name]?.options.find((o) => o.value === code);
          return option ? referenceOptionText(option) : code;
        })
        .join(' / ')
    : null;
  return (
    <tr className={`unmapped-row${highlighted ? ' is-highlighted' : ''}`} data-mapping-key={value.mappingKey}>
      <td className="row-number">
        <span className="visually-hidden">Not in the table yet</span>
      </td>
      {definition.sourceFields.map((f) => {
        const code = value.sourceKey[f.name];
        const option = code ? reference[f.name]?.options.find((o) => o.value === code) : undefined;
        return (
          <td key={f.name}>
            {code ?? <span className="hint">any</span>}
            {option && option.label !== code ? <span className="hint"> {option.label}</span> : null}
          </td>
        );
      })}
      <td colSpan={definition.targetFields.length}>
        <span className="badge badge-parked">Unmapped</span> {value.openParked} parked{' '}
        {value.openParked === 1 ? 'record waits' : 'records wait'} for this
        {suggestion ? (
          <span className="suggestion">
            Suggested: <strong>{suggestion}</strong> ({value.suggestion?.reason})
          </span>
        ) : null}
        {definition.createsCounterparty ? (
          <span className="suggestion">
            No {definition.createsCounterparty.noun} to link yet? {createCounterpartyLabel(definition, 'a')} from it.
          </span>
        ) : null}
      </td>
      <td className="actions">
        <button
          ref={buttonRef}
          type="button"
          onClick={() => onAdd(false)}
          aria-label={`Add mapping for ${described}`}
        >
          Add mapping
        </button>
        {suggestion ? (
          <button
            type="button"
            className="secondary"
            onClick={() => onAdd(true)}
            aria-label={`Accept suggestion ${suggestion} for ${described}`}
          >
            Accept suggestion
          </button>
        ) : null}
        <CreateCounterpartyButton definition={definition} sourceKey={value.sourceKey} words="a" />
      </td>
    </tr>
  );
}

/**
 * "Suggest links from <target>", on any table whose flow suggests links (F1's vendors, and
 * whichever tables other flows mark): reads both systems only when asked, lists a target
 * counterparty for each source one not linked yet, and adds the accepted ones to the table being
 * edited under the table's own columns. Saving the table links them (a new version), as with any
 * row added by hand.
 */
function VendorSuggestions({
  definition,
  covered,
  waiting,
  onAccepted,
}: {
  definition: MappingSetDefinition;
  /** Mapping keys the table being edited already has a row for. */
  covered: ReadonlySet<string>;
  /** Unmapped source values records wait for (not covered by the table being edited). */
  waiting: number;
  onAccepted: (rowKey: number | null) => void;
}) {
  const { mappings } = useStores();
  const found = useSlice(mappings, (s) => s.vendorSuggestions);
  const unsaved = useSlice(mappings, (s) => s.dirty);
  // A suggestion accepted (or a row typed in) for the same supplier leaves the list.
  const words = linkWords(definition);
  const { sourceNoun, targetNoun, sourceSystem, targetSystem } = words;
  const open = (found?.suggestions ?? []).filter(
    (s) => !covered.has(mappingKeyOf(definition, { [words.sourceField]: s.supplierCode })),
  );
  const accept = (suggestions: readonly VendorLinkSuggestion[]) =>
    onAccepted(mappings.getState().acceptVendorSuggestions(suggestions));

  return (
    <section className="card vendor-suggestions" aria-labelledby="vendor-suggestions-title">
      <div className="card-head">
        <h2 id="vendor-suggestions-title">Suggested links from {targetSystem}</h2>
        <button
          type="button"
          className="secondary"
          disabled={found?.busy === true}
          aria-describedby="vendor-suggestions-help"
          onClick={() => void mappings.getState().suggestVendorLinks()}
        >
          Suggest links from {targetSystem}
        </button>
        {found !== null && !found.busy ? (
          <button
            type="button"
            className="secondary"
            onClick={() => mappings.getState().dismissVendorSuggestions()}
          >
            Dismiss suggestions
          </button>
        ) : null}
      </div>
      <p id="vendor-suggestions-help" className="hint">
        Reads the {sourceNoun}s in {sourceSystem} and the active {targetNoun}s in {targetSystem}, and suggests a{' '}
        {targetNoun} for each {sourceNoun} that is not linked yet. Nothing is linked until you save the table.
      </p>
      {found === null ? null : found.busy ? (
        <StateMessage kind="loading" title={`Reading ${sourceNoun}s from ${sourceSystem} and ${targetNoun}s from ${targetSystem}…`} />
      ) : found.error !== null ? (
        <Notice notice={{ kind: 'error', text: found.error }} />
      ) : found.suggestions.length === 0 ? (
        <StateMessage kind="empty" title={`No new suggestions: every ${sourceNoun} with a matching ${targetSystem} ${targetNoun} is linked.`}>
          {waiting > 0
            ? `${formatCount(waiting)} ${sourceNoun}${waiting === 1 ? ' has' : 's have'} no ${targetNoun} in ${targetSystem} yet (listed under Unmapped in the table below). ${
                definition.createsCounterparty
                  ? `Use “${createCounterpartyLabel(definition, 'a')}” next to ${waiting === 1 ? 'it' : 'each'} to create the ${targetNoun} from the ${sourceSystem} ${sourceNoun} and link it, or add the ${targetNoun} in ${targetSystem} and suggest again.`
                  : `Add the ${targetNoun} in ${targetSystem} and suggest again, or pick it in the table below.`
              }`
            : `Nothing is waiting for a ${targetNoun} link.${definition.createsCounterparty ? ` A ${sourceNoun} that has no ${targetNoun} in ${targetSystem} yet can be created there from its row under Unmapped, when records wait for it.` : ''}`}
        </StateMessage>
      ) : open.length === 0 ? (
        <p className="notice notice-success" role="status">
          {unsaved
            ? 'Every suggestion is in the table below. Save mapping to link them.'
            : 'Every suggested link is saved.'}
        </p>
      ) : (
        <>
          <div className="toolbar">
            <p className="hint" role="status">
              {formatCount(open.length)} suggested link{open.length === 1 ? '' : 's'}
              {found.apiCalls
                ? ` (API calls: ${Object.entries(found.apiCalls)
                    .map(([system, n]) => `${n} to ${SYSTEM_TITLES[system as SystemId] ?? system}`)
                    .join(', ')})`
                : ''}
              . Accept adds the link to the table; Save mapping creates the new version.
            </p>
            <button type="button" onClick={() => accept(open)}>
              Accept all ({formatCount(open.length)})
            </button>
          </div>
          <table className="table">
            <caption className="visually-hidden">{`Suggested ${sourceNoun} to ${targetNoun} links`}</caption>
            <thead>
              <tr>
                <th scope="col">{`${sourceSystem} ${sourceNoun}`}</th>
                <th scope="col">{`${targetSystem} ${targetNoun}`}</th>
                <th scope="col">Why</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {open.map((s) => (
                <tr key={s.supplierCode}>
                  <td>
                    {s.supplierCode} <span className="hint">{s.supplierName}</span>
                  </td>
                  <td>
                    {s.vendorId} <span className="hint">{s.vendorName}</span>
                  </td>
                  <td>{matchReason(s.matchedBy, sourceSystem)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="small"
                      onClick={() => accept([s])}
                      aria-label={`Accept link from ${sourceNoun} ${s.supplierCode} to ${targetNoun} ${s.vendorId}`}
                    >
                      Accept
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function EditableRow({
  definition,
  reference,
  row,
  index,
  readOnly,
}: {
  definition: MappingSetDefinition;
  reference: Record<string, ReferenceFieldView>;
  row: DraftRow;
  index: number;
  readOnly: boolean;
}) {
  const { mappings } = useStores();
  const fields = [
    ...definition.sourceFields.map((f) => ({ ...f, target: false })),
    ...definition.targetFields.map((f) => ({ ...f, target: true })),
  ];
  return (
    <tr data-row-key={row.key} className={row.isNew ? 'is-new' : undefined}>
      <th scope="row" className="row-number">
        {index + 1}
      </th>
      {fields.map((f) => {
        const value = row.values[f.name] ?? '';
        const list = f.reference ? reference[f.name] : undefined;
        const pickable = list !== undefined && list.error === null;
        const option = pickable ? list.options.find((o) => o.value === value) : undefined;
        const label = `${f.label}, row ${index + 1}`;
        return (
          <td key={f.name}>
            {readOnly ? (
              value ? (
                option ? referenceOptionText(option) : value
              ) : (
                <span className="hint">{f.optional ? 'any' : ''}</span>
              )
            ) : pickable ? (
              <Combobox
                value={value}
                options={list.options}
                label={label}
                system={SYSTEM_TITLES[list.system]}
                unknownIsProblem={f.target}
                placeholder={f.optional ? 'any' : 'Type to search'}
                inputProps={{ 'data-target': f.target ? '' : undefined }}
                onChange={(next) => mappings.getState().editCell(row.key, f.name, next)}
              />
            ) : (
              <input
                value={value}
                aria-label={label}
                data-target={f.target ? '' : undefined}
                placeholder={f.optional ? 'any' : undefined}
                onChange={(e) => mappings.getState().editCell(row.key, f.name, e.target.value)}
              />
            )}
          </td>
        );
      })}
      <td>
        {!readOnly ? (
          <button
            type="button"
            className="secondary small"
            onClick={() => mappings.getState().removeRow(row.key)}
            aria-label={`Remove row ${index + 1}`}
          >
            Remove
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/** Whether the pickers have their lists, and what to do when they cannot be read. */
function ReferenceStatus({ definition }: { definition: MappingSetDefinition }) {
  const { mappings } = useStores();
  const reference = useSlice(mappings, (s) => s.reference);
  const picked = [...definition.sourceFields, ...definition.targetFields].filter((f) => f.reference);
  if (picked.length === 0) return null;
  const failed = picked.flatMap((f) => {
    const list = reference.fields[f.name];
    return list?.error ? [`${f.label}: ${list.error}`] : [];
  });
  const reload = (
    <button
      type="button"
      className="secondary small"
      disabled={reference.status === 'loading'}
      onClick={() => void mappings.getState().loadReference(true)}
    >
      Reload lists
    </button>
  );
  if (reference.status === 'loading' || reference.status === 'idle')
    return (
      <p className="hint" role="status" aria-busy="true">
        Reading the names and codes to pick from…
      </p>
    );
  if (reference.status === 'error')
    return (
      <p className="hint reference-status" role="status">
        Values are typed as codes and ids here: the lists to pick from could not be read ({reference.error}). {reload}
      </p>
    );
  return (
    <p className="hint reference-status" role="status">
      {failed.length > 0
        ? `Some lists could not be read, so those values are typed as codes: ${failed.join(' ')} `
        : `Pick values by name or code; the table stores ${systemWords(definition)}'s own ids and codes${reference.readAt ? ` (lists read ${formatDateTime(reference.readAt)})` : ''}. `}
      {reload}
    </p>
  );
}

function targetSystemWords(definition: MappingSetDefinition): string {
  const systems = [...new Set(definition.targetFields.flatMap((f) => (f.reference ? [SYSTEM_TITLES[f.reference.system]] : [])))];
  return systems.length > 0 ? systems.join(' and ') : 'the target system';
}

function systemWords(definition: MappingSetDefinition): string {
  const systems = [...new Set([...definition.sourceFields, ...definition.targetFields].flatMap((f) => (f.reference ? [SYSTEM_TITLES[f.reference.system]] : [])))];
  return systems.join(' and ');
}

/**
 * "Import CSV", step two: what the file would change and what that does (records released,
 * written records coded differently), problems by line, and the user's go-ahead. Nothing is
 * saved before "Import".
 */
function ImportPanel({ definition, importing }: { definition: MappingSetDefinition; importing: ImportState }) {
  const { mappings } = useStores();
  const { preview, busy, error, fileName } = importing;
  const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
  return (
    <section className="card import-preview" aria-labelledby="import-preview-title">
      <div className="card-head">
        <h2 id="import-preview-title">Import {fileName}</h2>
      </div>
      {busy && !preview ? (
        <StateMessage kind="loading" title={`Checking ${fileName} against the systems…`} />
      ) : preview === null ? (
        <StateMessage kind="error" title="The file cannot be imported">
          {error}
        </StateMessage>
      ) : (
        <ImportPreviewBody definition={definition} preview={preview} plural={plural} />
      )}
      {preview && error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="toolbar">
        {preview && preview.problems.length === 0 && !preview.identical ? (
          <button type="button" disabled={busy} onClick={() => void mappings.getState().confirmImport()}>
            Import as {preview.nextVersionName}
          </button>
        ) : null}
        <button type="button" className="secondary" disabled={busy && preview !== null} onClick={() => mappings.getState().cancelImport()}>
          {preview && preview.problems.length === 0 && !preview.identical ? 'Cancel' : 'Close'}
        </button>
      </div>
    </section>
  );
}

/**
 * Rows carried over unchanged whose target value the target system lacks (decision 0027): saved,
 * and named here so nobody takes the save for a fix. `before`: said ahead of an import.
 */
function CarriedWarnings({ warnings, before = false }: { warnings: readonly string[] | undefined; before?: boolean }) {
  if (!warnings || warnings.length === 0) return null;
  const rows = warnings.length === 1 ? '1 unchanged row names a value' : `${formatCount(warnings.length)} unchanged rows name values`;
  return (
    <div className="carried-warnings" role="status">
      <p className="warning">
        {before ? 'Imported as they are, but' : 'Still waiting:'} {rows} the target system does not have:
      </p>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

function ImportPreviewBody({
  definition,
  preview,
  plural,
}: {
  definition: MappingSetDefinition;
  preview: MappingImportPreview;
  plural: (n: number, one: string, many?: string) => string;
}) {
  const c = preview.changes;
  const against = preview.current ? mappingVersionName(definition, preview.current.version) : `an empty ${definition.title} table`;
  return (
    <>
      <p>
        {plural(preview.rows, 'row')} read (“{preview.separator}” between cells). Compared with {against}:{' '}
        {formatCount(c.added)} added, {formatCount(c.changed)} changed, {formatCount(c.removed)} removed,{' '}
        {formatCount(c.unchanged)} unchanged.
      </p>
      {preview.problems.length > 0 ? (
        <div role="alert">
          <p className="notice notice-error">
            Nothing can be imported until {preview.problems.length === 1 ? 'this is' : `these ${preview.problems.length} are`} fixed in the file:
          </p>
          <ul className="import-problems">
            {preview.problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : preview.identical ? (
        <p className="notice" role="status">
          The file holds exactly the rows of {against}: there is nothing to import, and no new version is made.
        </p>
      ) : (
        <>
          <p role="status" className="import-impact">
            Impact: {plural(preview.impact.releases, 'parked record')} {preview.impact.releases === 1 ? 'is' : 'are'} released
            (retried at once), and {plural(preview.impact.recoded, 'record')} already written {preview.impact.recoded === 1 ? 'is' : 'are'} coded
            differently from now on.
          </p>
          <p className="hint">
            {preview.unchecked ?? `Every value to write exists in ${targetSystemWords(definition)}.`}
          </p>
        </>
      )}
      {preview.problems.length === 0 && !preview.identical ? <CarriedWarnings warnings={preview.warnings.map((w) => w.message)} before /> : null}
      {preview.flags.length > 0 ? (
        <>
          <p className="warning">Imported as they are, but worth a look:</p>
          <ul className="import-flags">
            {preview.flags.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
