import { useState, type FormEvent } from 'react';
import {
  mappingVersionName,
  type ConnectionView,
  type FlowCatalogEntry,
  type IpcResponse,
  type MappingRowView,
  type ReferenceFieldView,
  type ReferenceOption,
} from '../../src-shared/ipc';
import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import { useCatalog, useStores } from '../app/services';
import { messageOf, unwrap } from '../ipc/call';
import { Field } from '../ui/Field';

type CatalogSet = FlowCatalogEntry['mappingSets'][number];
type PickedDefinition = CatalogSet & { connectionPicker: NonNullable<CatalogSet['connectionPicker']> };

/**
 * The mapping tables a flow offers on a connection's row (MappingSetDefinition.connectionPicker,
 * e.g. "Choose boards" on monday.com): the same table, lists and save as Mappings, so the two
 * screens never disagree. Which tables come from the flow catalog; this file names no flow.
 */
export function ConnectionPickers({ connection }: { connection: ConnectionView }) {
  const flows = useCatalog();
  const definitions = flows
    .flatMap((f) => f.mappingSets)
    .filter((d): d is PickedDefinition => d.connectionPicker?.system === connection.system);
  // Only a connection that works can list what to pick (a sandbox one always can).
  if (definitions.length === 0 || (connection.mode === 'live' && connection.status !== 'connected')) return null;
  return (
    <>
      {definitions.map((d) => (
        <ConnectionPicker key={`${d.flow}/${d.set}`} connection={connection} definition={d} />
      ))}
    </>
  );
}

interface Loaded {
  table: IpcResponse<'mappings.get'>;
  fields: Record<string, ReferenceFieldView>;
  /** Per source value: the picked value of each picked field ('' = none). */
  choices: Record<string, Record<string, string>>;
}

type PickerState =
  | { status: 'closed' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | ({ status: 'ready' } & Loaded);

function ConnectionPicker({ connection, definition }: { connection: ConnectionView; definition: PickedDefinition }) {
  const { bridge } = useStores();
  const picker = definition.connectionPicker;
  const [state, setState] = useState<PickerState>({ status: 'closed' });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const source = definition.sourceFields[0]!;
  const panelId = `picker-${connection.id}-${definition.flow}-${definition.set}`;
  const systemTitle = SYSTEM_TITLES[picker.system];

  const load = async (refresh = false) => {
    setState({ status: 'loading' });
    setNotice(null);
    try {
      const [table, reference] = await Promise.all([
        unwrap(bridge['mappings.get']({ flow: definition.flow, set: definition.set })),
        unwrap(bridge['mappings.reference']({ flow: definition.flow, set: definition.set, ...(refresh ? { refresh } : {}) })),
      ]);
      const unreadable = [source.name, ...picker.fields].map((name) => reference.fields[name]).find((f) => !f || f.error);
      if (unreadable) {
        setState({ status: 'error', message: unreadable.error ?? `The lists of ${systemTitle} could not be read.` });
        return;
      }
      const choices: Loaded['choices'] = {};
      for (const option of reference.fields[source.name]!.options) {
        const row = rowFor(table.rows, source.name, option.value);
        choices[option.value] = Object.fromEntries(picker.fields.map((name) => [name, row?.target[name] ?? '']));
      }
      setState({ status: 'ready', table, fields: reference.fields, choices });
    } catch (error) {
      setState({ status: 'error', message: messageOf(error) });
    }
  };

  const toggle = () => {
    if (state.status === 'closed') void load();
    else setState({ status: 'closed' });
  };

  const choose = (sourceValue: string, field: string, value: string) => {
    if (state.status !== 'ready') return;
    const picked = { ...state.choices[sourceValue]!, [field]: value };
    // A later field whose options belong to this one (a group of the board) starts at the first that fits.
    const index = picker.fields.indexOf(field);
    for (const later of picker.fields.slice(index + 1)) {
      const fitting = optionsWithin(state.fields[later]!.options, picked, picker.fields, later);
      if (!fitting.some((o) => o.value === picked[later])) picked[later] = fitting[0]?.value ?? '';
    }
    setState({ ...state, choices: { ...state.choices, [sourceValue]: picked } });
    setNotice(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (state.status !== 'ready') return;
    const chosen = new Set(Object.keys(state.choices));
    const rows: MappingRowView[] = state.table.rows.filter((r) => !chosen.has(r.sourceKey[source.name] ?? ''));
    for (const [value, picked] of Object.entries(state.choices)) {
      // No first choice: this kind of document is not synced (its row, if any, goes).
      if (!picked[picker.fields[0]!]) continue;
      const existing = rowFor(state.table.rows, source.name, value);
      rows.push({ sourceKey: { [source.name]: value }, target: { ...picker.defaults, ...(existing?.target ?? {}), ...picked } });
    }
    setBusy(true);
    try {
      const saved = await unwrap(
        bridge['mappings.save']({
          flow: definition.flow,
          set: definition.set,
          rows,
          note: `${picker.action} on the Connections screen`,
          baseVersion: state.table.current?.version ?? null,
        }),
      );
      setNotice({
        kind: 'success',
        text:
          saved.created === false
            ? `Nothing changed. ${saved.requeueMessage}`.trim()
            : `${saved.versionName ?? mappingVersionName(definition, saved.version.version)} saved (also under Mappings → ${definition.title}). ${saved.requeueMessage}`.trim(),
      });
      const table = await unwrap(bridge['mappings.get']({ flow: definition.flow, set: definition.set }));
      setState({ ...state, table });
    } catch (error) {
      setNotice({ kind: 'error', text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <button
        type="button"
        className="secondary small"
        aria-expanded={state.status !== 'closed'}
        aria-controls={panelId}
        aria-label={`${picker.action} for ${connection.label}`}
        onClick={toggle}
      >
        {picker.action}
      </button>
      {state.status === 'closed' ? null : (
        <form id={panelId} className="card form" onSubmit={save} aria-label={`${picker.action} (${connection.label})`}>
          <p className="hint">{picker.intro}</p>
          {state.status === 'loading' ? (
            <p role="status">Reading the {definition.title.toLowerCase()} of {systemTitle}…</p>
          ) : state.status === 'error' ? (
            <div role="alert" className="notice notice-error">
              <p>{state.message}</p>
              <button type="button" className="secondary small" onClick={() => void load(true)}>
                Try again
              </button>
            </div>
          ) : (
            <Choices state={state} definition={definition} onChoose={choose} />
          )}
          {state.status === 'ready' && hasOptions(state, picker.fields[0]!) ? (
            <div className="toolbar">
              <button type="submit" disabled={busy}>
                Save {definition.title.toLowerCase()}
              </button>
            </div>
          ) : null}
          {notice ? (
            <p role={notice.kind === 'error' ? 'alert' : 'status'} className={`notice notice-${notice.kind}`}>
              {notice.text}
            </p>
          ) : null}
        </form>
      )}
    </div>
  );
}

function Choices({
  state,
  definition,
  onChoose,
}: {
  state: { status: 'ready' } & Loaded;
  definition: PickedDefinition;
  onChoose: (sourceValue: string, field: string, value: string) => void;
}) {
  const picker = definition.connectionPicker;
  const source = definition.sourceFields[0]!;
  const first = picker.fields[0]!;
  const systemTitle = SYSTEM_TITLES[picker.system];
  if (!hasOptions(state, first))
    return (
      <p role="status">
        {systemTitle} shows this account nothing to choose from. Create them in {systemTitle} (or ask for access to them),
        then press {picker.action} again.
      </p>
    );
  return (
    <div className="form-grid">
      {state.fields[source.name]!.options.map((sourceOption) => {
        const picked = state.choices[sourceOption.value]!;
        return (
          <fieldset key={sourceOption.value}>
            <legend>{sourceOption.label}</legend>
            {picker.fields.map((name, index) => {
              const field = definition.targetFields.find((f) => f.name === name);
              const options = optionsWithin(state.fields[name]!.options, picked, picker.fields, name);
              const value = picked[name] ?? '';
              const known = value === '' || options.some((o) => o.value === value);
              return (
                <Field key={name} label={`${field?.label ?? name} for ${sourceOption.label}`}>
                  <select value={value} disabled={index > 0 && !picked[first]} onChange={(e) => onChoose(sourceOption.value, name, e.target.value)}>
                    {index === 0 ? <option value="">Not synced</option> : null}
                    {known ? null : <option value={value}>{`${field?.label ?? name} ${value} (no longer in ${systemTitle})`}</option>}
                    {options.map((o) => (
                      <option key={o.value} value={o.value} disabled={o.inactive === true}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </Field>
              );
            })}
          </fieldset>
        );
      })}
    </div>
  );
}

const hasOptions = (state: Loaded, field: string): boolean => (state.fields[field]?.options.length ?? 0) > 0;

function rowFor(rows: readonly MappingRowView[], sourceField: string, value: string): MappingRowView | undefined {
  return rows.find((r) => r.sourceKey[sourceField] === value);
}

/** A field's options, narrowed to those within the value picked in the field before it (when its options say). */
function optionsWithin(options: readonly ReferenceOption[], picked: Record<string, string>, fields: readonly string[], name: string): readonly ReferenceOption[] {
  const index = fields.indexOf(name);
  if (index <= 0 || !options.some((o) => o.within !== undefined)) return options;
  const parent = picked[fields[index - 1]!] ?? '';
  return options.filter((o) => o.within === parent);
}
