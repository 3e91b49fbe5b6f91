import { useEffect, useState, type FormEvent } from 'react';
import {
  EXACT_REGIONS,
  connectionSecretFields,
  SYSTEM_IDS,
  type ConnectionView,
  type SystemId,
} from '../../src-shared/ipc';
import { useSlice, useStores } from '../app/services';
import type { ConnectionTest } from '../stores/connections-store';
import { Field } from '../ui/Field';
import { ScreenHeading } from '../ui/ScreenHeading';
import { formatDateTime } from '../ui/format';
import { Notice, StateMessage } from '../ui/StateMessage';
import { ExactConnect, ProcoreConnect } from './LiveConnect';
import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import { CONNECT_FORMS } from '../../src-shared/domain/connect-forms';
import {
  connectionStatusAdvice,
  connectionStatusWords,
  credentialWords,
  SECRET_FIELD_WORDS,
} from '../../src-shared/domain/connection-words';
import { GenericConnect } from './GenericConnect';
import { MondayConnect } from './MondayConnect';
import { ConnectionPickers } from './ConnectionPickers';

export { SYSTEM_TITLES };

/** Non-secret settings the form offers per system (everything is optional until a connector needs it). */
const SETTING_FIELDS: Record<
  SystemId,
  readonly { name: string; label: string; options?: readonly string[] }[]
> = {
  'exact-online': [
    { name: 'region', label: 'Region', options: EXACT_REGIONS },
    { name: 'division', label: 'Division' },
    { name: 'clientId', label: 'Client id' },
    { name: 'redirectUri', label: 'Registered redirect URI' },
    // RFC 9207: the sign-in server named in `iss`; empty = the Exact host of the region.
    { name: 'issuer', label: 'Expected issuer (sign-in server)' },
  ],
  procore: [
    { name: 'clientId', label: 'Client id' },
    { name: 'companyId', label: 'Company id' },
    { name: 'baseUrl', label: 'API base URL' },
  ],
  acumatica: [
    { name: 'baseUrl', label: 'Instance URL' },
    { name: 'username', label: 'User name' },
    { name: 'company', label: 'Company' },
  ],
  'sage-intacct': [
    { name: 'senderId', label: 'Sender id' },
    { name: 'companyId', label: 'Company id' },
    { name: 'userId', label: 'User id' },
  ],
  // Boards are chosen with "Choose boards" (the flow's Boards table), not stored on the connection.
  monday: [
    { name: 'apiVersion', label: 'API version' },
    { name: 'account', label: 'Account' },
  ],
  coupa: [
    { name: 'baseUrl', label: 'Instance URL' },
    { name: 'clientId', label: 'Client id' },
  ],
};

/** Tokens come from signing in (OAuth), not from typing; the form asks only for typed secrets. */
const TYPED_SECRETS = (system: SystemId, settings: Readonly<Record<string, unknown>>) =>
  connectionSecretFields(system, settings).filter(
    (field) => field !== 'accessToken' && field !== 'refreshToken' && field !== 'tokens',
  );

interface FormState {
  id?: string;
  system: SystemId;
  label: string;
  mode: ConnectionView['mode'];
  settings: Record<string, string>;
  secrets: Record<string, string>;
}

const emptyForm = (system: SystemId = 'exact-online'): FormState => ({
  system,
  label: '',
  mode: 'live',
  settings: {},
  secrets: {},
});

export function ConnectionsScreen() {
  const { connections } = useStores();
  const status = useSlice(connections, (s) => s.status);
  const error = useSlice(connections, (s) => s.error);
  const list = useSlice(connections, (s) => s.connections);
  const notice = useSlice(connections, (s) => s.notice);
  const busy = useSlice(connections, (s) => s.busy);
  const tests = useSlice(connections, (s) => s.tests);
  const keychainProblem = useSlice(connections, (s) => s.keychainProblem);
  const [form, setForm] = useState<FormState | null>(null);

  useEffect(() => {
    void connections.getState().load();
  }, [connections]);

  const connectSandbox = async (system: SystemId) => {
    const existing = list.find((c) => c.system === system && c.mode === 'sandbox');
    await connections.getState().save({
      ...(existing ? { id: existing.id } : {}),
      system,
      label: `${SYSTEM_TITLES[system]} (sandbox)`,
      mode: 'sandbox',
      settings: existing ? existing.settings : {},
    });
  };

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeading title="Connections">
        The systems this app reads from and writes to. Secrets go to the operating system’s keychain and are
        never shown again.
      </ScreenHeading>
      <Notice notice={notice} />
      <section className="card" aria-labelledby="quick-title">
        <h2 id="quick-title">Try it with the sandbox</h2>
        <p className="hint">
          The sandbox runs simulated systems with demo data on this computer, including a deliberate mapping
          problem to fix.
        </p>
        <div className="toolbar">
          {SYSTEM_IDS.map((system) => (
            <button key={system} type="button" disabled={busy} onClick={() => void connectSandbox(system)}>
              Use sandbox for {SYSTEM_TITLES[system]}
            </button>
          ))}
        </div>
      </section>
      <section className="card" aria-labelledby="live-title">
        <h2 id="live-title">Connect your own accounts</h2>
        <p className="hint">
          Exact Online signs in through your browser, and so can monday.com (or it takes a personal API token); the
          others take the credentials your administrator gives you, which are tested before they are saved.
        </p>
        <div className="toolbar">
          <ExactConnect />
          <ProcoreConnect />
          {SYSTEM_IDS.filter((system) => CONNECT_FORMS[system]).map((system) =>
            system === 'monday' ? <MondayConnect key={system} /> : <GenericConnect key={system} system={system} />,
          )}
        </div>
      </section>

      <div className="toolbar">
        <button type="button" onClick={() => setForm(emptyForm())}>
          Add connection
        </button>
      </div>
      {form ? (
        <ConnectionForm key={form.id ?? 'new'} initial={form} onDone={() => setForm(null)} existing={list} />
      ) : null}

      {keychainProblem !== null ? (
        <StateMessage kind="info" title="The keychain cannot be used on this computer">
          <p>
            The sandbox works without it. Live connections keep their secrets and sign-ins in the keychain, so connect
            your own accounts once it works.
          </p>
          <p className="hint">{keychainProblem}</p>
        </StateMessage>
      ) : null}
      {status === 'idle' || status === 'loading' ? (
        <StateMessage kind="loading" title="Loading connections…" />
      ) : status === 'error' ? (
        <StateMessage kind="error" title="Connections could not be loaded">
          {error}
        </StateMessage>
      ) : list.length === 0 ? (
        <StateMessage kind="empty" title="No connections yet">
          Add one, or start with the sandbox above.
        </StateMessage>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Connections</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">System</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Credentials</th>
              <th scope="col">Changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>{c.label}</td>
                <td>{SYSTEM_TITLES[c.system]}</td>
                <td>{c.mode === 'sandbox' ? 'Sandbox (simulated)' : 'Your account'}</td>
                <td>
                  <span className={`dot dot-${c.status}`} aria-hidden="true" /> {connectionStatusWords(c.status, c.mode)}
                  {connectionStatusAdvice(c.status, c.mode) ? (
                    <span className="hint cell-note">{connectionStatusAdvice(c.status, c.mode)}</span>
                  ) : null}
                </td>
                <td>{credentialWords(c.mode, c.secrets, keychainProblem === null)}</td>
                <td>{formatDateTime(c.updatedAt)}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setForm(toForm(c))}
                    aria-label={`Edit ${c.label}`}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={tests[c.id]?.state === 'running'}
                    onClick={() => void connections.getState().test(c.id)}
                    aria-label={`Test connection ${c.label}`}
                  >
                    Test connection
                  </button>
                  <button
                    type="button"
                    className="danger small"
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm(`Remove “${c.label}” and its stored secrets?`))
                        void connections.getState().remove(c.id);
                    }}
                    aria-label={`Remove ${c.label}`}
                  >
                    Remove
                  </button>
                  <TestResult test={tests[c.id]} />
                  <ConnectionPickers connection={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The outcome of "Test connection": the connector's own words, announced when they arrive. */
function TestResult({ test }: { test: ConnectionTest | undefined }) {
  if (!test) return null;
  if (test.state === 'running') return <p role="status">Testing…</p>;
  return (
    <p
      role={test.state === 'problem' ? 'alert' : 'status'}
      className={`notice notice-${test.state === 'ok' ? 'success' : 'error'}`}
    >
      {test.state === 'ok' ? 'Works: ' : 'Problem: '}
      {test.text}
    </p>
  );
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function toForm(c: ConnectionView): FormState {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.settings))
    if (typeof value === 'string') settings[name] = value;
  return { id: c.id, system: c.system, label: c.label, mode: c.mode, settings, secrets: {} };
}

function ConnectionForm({
  initial,
  onDone,
  existing,
}: {
  initial: FormState;
  onDone: () => void;
  existing: ConnectionView[];
}) {
  const { connections } = useStores();
  const busy = useSlice(connections, (s) => s.busy);
  const [form, setForm] = useState(initial);
  const stored = existing.find((c) => c.id === form.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Settings this form does not show (written by the app: today's token-call count, the
    // divisions…) are kept as they were, objects included: dropping the count would let the app
    // spend Exact's 200 token calls a day twice.
    const settings: ConnectionView['settings'] = { ...(stored?.settings ?? {}) };
    for (const [name, value] of Object.entries(form.settings)) {
      if (value.trim() === '') delete settings[name];
      else settings[name] = value.trim();
    }
    const secrets = Object.fromEntries(Object.entries(form.secrets).filter(([, v]) => v !== ''));
    const saved = await connections.getState().save({
      ...(form.id ? { id: form.id } : {}),
      system: form.system,
      label: form.label,
      mode: form.mode,
      settings,
      secrets,
    });
    if (saved) onDone();
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="connection-form-title">
      <h2 id="connection-form-title">{form.id ? `Edit “${initial.label}”` : 'Add a connection'}</h2>
      <div className="form-grid">
        <Field label="System">
          <select
            value={form.system}
            disabled={form.id !== undefined}
            onChange={(e) => setForm({ ...emptyForm(e.target.value as SystemId), label: form.label })}
          >
            {SYSTEM_IDS.map((s) => (
              <option key={s} value={s}>
                {SYSTEM_TITLES[s]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name">
          <input
            required
            value={form.label}
            onChange={(e) => setForm({ ...form, label: e.target.value })}
            maxLength={100}
          />
        </Field>
        <Field label="Mode">
          <select
            value={form.mode}
            onChange={(e) => setForm({ ...form, mode: e.target.value as FormState['mode'] })}
          >
            <option value="live">Live system</option>
            <option value="sandbox">Sandbox (simulated, demo data)</option>
          </select>
        </Field>
        {SETTING_FIELDS[form.system].map((field) => (
          <Field key={field.name} label={field.label}>
            {field.options ? (
              <select
                value={form.settings[field.name] ?? ''}
                onChange={(e) =>
                  setForm({ ...form, settings: { ...form.settings, [field.name]: e.target.value } })
                }
              >
                <option value="">Choose…</option>
                {field.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                value={form.settings[field.name] ?? ''}
                onChange={(e) =>
                  setForm({ ...form, settings: { ...form.settings, [field.name]: e.target.value } })
                }
              />
            )}
          </Field>
        ))}
        {TYPED_SECRETS(form.system, form.settings).map((name) => {
          const isSet = stored?.secrets[name] === true;
          return (
            <Field
              key={name}
              label={
                <>
                  {capitalised(SECRET_FIELD_WORDS[name] ?? name)}{' '}
                  <span className="hint">({isSet ? 'stored; type to replace it' : 'not stored yet'})</span>
                </>
              }
            >
              <input
                type="password"
                autoComplete="off"
                value={form.secrets[name] ?? ''}
                onChange={(e) => setForm({ ...form, secrets: { ...form.secrets, [name]: e.target.value } })}
              />
            </Field>
          );
        })}
      </div>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          Save connection
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
