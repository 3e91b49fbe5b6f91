import { useState, type FormEvent } from 'react';
import { CONNECT_FORMS, type ConnectField } from '../../src-shared/domain/connect-forms';
import { SYSTEM_TITLES, type SystemId } from '../../src-shared/domain/systems';
import { useSlice, useStores } from '../app/services';
import { Field } from '../ui/Field';

/**
 * "Connect <system>" for systems connected with the generic form: the fields come from
 * CONNECT_FORMS; main checks them, stores the settings, keeps the secrets in the keychain and
 * proves them with the system's Test connection before anything stays. Secrets are cleared from
 * the form as soon as they are sent.
 */
export function GenericConnect({ system }: { system: SystemId }) {
  const [open, setOpen] = useState(false);
  if (!CONNECT_FORMS[system]) return null;
  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${system}-connect-form`}
        onClick={() => setOpen(!open)}
      >
        Connect {SYSTEM_TITLES[system]}
      </button>
      {open ? <GenericConnectForm system={system} onConnected={() => setOpen(false)} /> : null}
    </div>
  );
}

/** The form itself (also one of monday.com's two ways to connect, see MondayConnect). */
export function GenericConnectForm({
  system,
  onConnected,
  title = `Connect ${SYSTEM_TITLES[system]}`,
}: {
  system: SystemId;
  onConnected: () => void;
  title?: string;
}) {
  const form = CONNECT_FORMS[system];
  const { connections } = useStores();
  const busy = useSlice(connections, (s) => s.busy);
  const initial = () => Object.fromEntries((form?.fields ?? []).map((f) => [f.name, f.default ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  if (!form) return null;
  const formId = `${system}-connect-form`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const sent = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    setValues((v) =>
      Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          form.fields.find((f) => f.name === k)?.kind === 'secret' ? '' : x,
        ]),
      ),
    );
    if (await connections.getState().connectSystem(system, sent)) onConnected();
  };

  return (
    <form id={formId} className="card form" onSubmit={submit} aria-labelledby={`${formId}-title`}>
      <h3 id={`${formId}-title`}>{title}</h3>
      <p className="hint">{form.intro}</p>
      <div className="form-grid">
        {form.fields.map((field) => (
          <FieldInput
            key={field.name}
            system={system}
            field={field}
            value={values[field.name] ?? ''}
            onChange={(v) => setValues({ ...values, [field.name]: v })}
          />
        ))}
      </div>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          Test and save {SYSTEM_TITLES[system]} connection
        </button>
      </div>
    </form>
  );
}

function FieldInput({
  system,
  field,
  value,
  onChange,
}: {
  system: SystemId;
  field: ConnectField;
  value: string;
  onChange: (value: string) => void;
}) {
  const hintId = field.hint ? `${system}-${field.name}-hint` : undefined;
  return (
    <div>
      <Field label={field.label}>
        {field.kind === 'select' ? (
          <select
            required={field.required}
            value={value}
            aria-describedby={hintId}
            onChange={(e) => onChange(e.target.value)}
          >
            {field.options?.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : (
          <input
            required={field.required}
            type={
              field.kind === 'secret'
                ? 'password'
                : field.kind === 'number'
                  ? 'number'
                  : field.kind === 'url'
                    ? 'url'
                    : 'text'
            }
            autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
            value={value}
            aria-describedby={hintId}
            onChange={(e) => onChange(e.target.value)}
          />
        )}
      </Field>
      {field.hint ? (
        <span id={hintId} className="hint">
          {field.hint}
        </span>
      ) : null}
    </div>
  );
}
