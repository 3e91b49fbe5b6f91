import { useState, type FormEvent } from 'react';
import {
  EXACT_REGIONS,
  PROCORE_ENVIRONMENT_IDS,
  PROCORE_WRITE_CONCURRENCY,
  type ExactRegionId,
  type SigninOutcome,
} from '../../src-shared/ipc';
import { useSlice, useStores } from '../app/services';
import { Field } from '../ui/Field';

/**
 * Connecting the user's own Exact Online (browser sign-in) and Procore (client credentials).
 * Secrets typed here go to main once and are cleared from the form; nothing shows them again.
 */

const REGION_TITLES: Record<ExactRegionId, string> = {
  nl: 'Netherlands',
  be: 'Belgium',
  de: 'Germany',
  'co.uk': 'United Kingdom',
  fr: 'France',
  es: 'Spain',
  com: 'United States',
};

const PROCORE_ENVIRONMENT_TITLES: Record<(typeof PROCORE_ENVIRONMENT_IDS)[number], string> = {
  production: 'Production',
  developerSandbox: 'Developer sandbox',
  onDemandSandbox: 'On-demand sandbox (production hosts)',
  monthlySandbox: 'Monthly sandbox',
};

/**
 * Opens the sign-in page in the user's browser. In Electron the window-open handler hands
 * allow-listed https addresses to the system browser; the browser host opens a new tab. The
 * link stays on screen in case a popup blocker or the allow-list stops it.
 */
/** The app's client id and secret (typed in, never shown back), as both sign-in forms ask them. */
function ClientCredentialFields(props: {
  clientId: string;
  setClientId: (value: string) => void;
  clientSecret: string;
  setClientSecret: (value: string) => void;
}) {
  return (
    <>
      <Field label="Client id">
        <input required value={props.clientId} onChange={(e) => props.setClientId(e.target.value)} />
      </Field>
      <Field label="Client secret">
        <input
          required
          type="password"
          autoComplete="off"
          value={props.clientSecret}
          onChange={(e) => props.setClientSecret(e.target.value)}
        />
      </Field>
    </>
  );
}

function openInBrowser(url: string): void {
  window.open(url, '_blank', 'noopener,noreferrer');
}

export function ExactConnect() {
  const { connections } = useStores();
  const signin = useSlice(connections, (s) => s.signin);
  const [open, setOpen] = useState(false);

  if (signin.phase === 'waiting') return <ExactWaiting />;
  if (signin.phase === 'done') return <ExactOutcome outcome={signin.outcome} />;
  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="exact-connect-form"
        onClick={() => setOpen(!open)}
      >
        Connect to Exact Online
      </button>
      {open ? <ExactForm /> : null}
    </div>
  );
}

function ExactForm() {
  const { connections } = useStores();
  const starting = useSlice(connections, (s) => s.signin.phase === 'starting');
  const [region, setRegion] = useState<ExactRegionId>('nl');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [redirectUri, setRedirectUri] = useState('');
  const [baseUrl, setBaseUrl] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const secret = clientSecret;
    setClientSecret(''); // sent once, never kept in the page
    const url = await connections.getState().connectExact({
      region,
      clientId,
      clientSecret: secret,
      redirectUri,
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
    });
    if (url) openInBrowser(url);
  };

  return (
    <form
      id="exact-connect-form"
      className="card form"
      onSubmit={submit}
      aria-labelledby="exact-connect-title"
    >
      <h3 id="exact-connect-title">Connect to Exact Online</h3>
      <p className="hint">
        Use the client id, secret and redirect URI of the app registered in the Exact Online App Center. The
        redirect URI must point at this computer, e.g. http://127.0.0.1:8765/exact/callback.
      </p>
      <div className="form-grid">
        <Field label="Region">
          <select value={region} onChange={(e) => setRegion(e.target.value as ExactRegionId)}>
            {EXACT_REGIONS.map((r) => (
              <option key={r} value={r}>
                {REGION_TITLES[r]} (start.exactonline.{r})
              </option>
            ))}
          </select>
        </Field>
        <ClientCredentialFields
          clientId={clientId}
          setClientId={setClientId}
          clientSecret={clientSecret}
          setClientSecret={setClientSecret}
        />
        <Field label="Registered redirect URI">
          <input required value={redirectUri} onChange={(e) => setRedirectUri(e.target.value)} />
        </Field>
        <Field label="Exact Online address (only for a test system)">
          <input value={baseUrl} placeholder="leave empty" onChange={(e) => setBaseUrl(e.target.value)} />
        </Field>
      </div>
      <div className="toolbar">
        <button type="submit" disabled={starting}>
          Sign in with Exact Online
        </button>
      </div>
    </form>
  );
}

function ExactWaiting() {
  const { connections } = useStores();
  const signin = useSlice(connections, (s) => s.signin);
  const [pasted, setPasted] = useState('');
  if (signin.phase !== 'waiting') return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connections.getState().completeExactSignIn(pasted);
  };

  return (
    <section className="card" aria-labelledby="exact-waiting-title">
      <h3 id="exact-waiting-title">Waiting for sign-in…</h3>
      <p role="status">
        Sign in to Exact Online in your browser and allow access.{' '}
        {signin.listening
          ? 'This screen continues by itself when the browser comes back.'
          : 'Then paste the address the browser ends on below.'}
      </p>
      <p>
        <a href={signin.authorizationUrl} target="_blank" rel="noopener noreferrer">
          Open the Exact Online sign-in page
        </a>
      </p>
      <form className="form" onSubmit={submit} aria-label="Finish by pasting the address">
        <p className="hint">
          If the browser shows an error page after you signed in, copy the full address from its address bar
          and paste it here.
        </p>
        <Field label="Paste the address">
          <input
            required
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            aria-invalid={signin.pasteError ? true : undefined}
            aria-describedby={signin.pasteError ? 'exact-paste-error' : undefined}
          />
        </Field>
        {signin.pasteError ? (
          <p id="exact-paste-error" role="alert" className="notice notice-error">
            {signin.pasteError}
          </p>
        ) : null}
        <div className="toolbar">
          <button type="submit" disabled={signin.pasting}>
            Finish sign-in
          </button>
          <button type="button" className="secondary" onClick={() => connections.getState().resetSignin()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function ExactOutcome({ outcome }: { outcome: SigninOutcome }) {
  const { connections } = useStores();
  if (outcome.outcome === 'failed')
    return (
      <section className="card" aria-labelledby="exact-outcome-title">
        <h3 id="exact-outcome-title">Exact Online sign-in failed</h3>
        <p role="alert">{outcome.message}</p>
        <button type="button" onClick={() => connections.getState().resetSignin()}>
          Try again
        </button>
      </section>
    );
  return (
    <section className="card" aria-labelledby="exact-outcome-title">
      <h3 id="exact-outcome-title">Exact Online connected</h3>
      <p role="status">{outcome.message}</p>
      {outcome.divisions && outcome.divisions.length > 0 ? (
        <DivisionPicker outcome={outcome} divisions={outcome.divisions} />
      ) : null}
      <button type="button" className="secondary" onClick={() => connections.getState().resetSignin()}>
        Done
      </button>
    </section>
  );
}

/** The division the flows read from: saved on the connection through connections.save. */
function DivisionPicker({
  outcome,
  divisions,
}: {
  outcome: SigninOutcome;
  divisions: { code: number; name: string }[];
}) {
  const { connections } = useStores();
  const busy = useSlice(connections, (s) => s.busy);
  const connection = useSlice(connections, (s) => s.connections.find((c) => c.id === outcome.connectionId));
  const stored = connection?.settings['division'];
  const [division, setDivision] = useState(
    String(typeof stored === 'number' ? stored : (outcome.division ?? divisions[0]!.code)),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!connection) return;
    await connections.getState().save({
      id: connection.id,
      system: connection.system,
      label: connection.label,
      mode: connection.mode,
      settings: { ...connection.settings, division: Number(division) },
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Exact Online division">
      <Field label="Division">
        <select value={division} onChange={(e) => setDivision(e.target.value)}>
          {divisions.map((d) => (
            <option key={d.code} value={String(d.code)}>
              {d.code} {d.name}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={busy || !connection}>
        Save division
      </button>
    </form>
  );
}

export function ProcoreConnect() {
  const { connections } = useStores();
  const busy = useSlice(connections, (s) => s.busy);
  const [open, setOpen] = useState(false);
  const [companyId, setCompanyId] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [environment, setEnvironment] = useState<(typeof PROCORE_ENVIRONMENT_IDS)[number]>('production');
  const [apiBaseUrl, setApiBaseUrl] = useState('');
  const [authBaseUrl, setAuthBaseUrl] = useState('');
  const [writeConcurrency, setWriteConcurrency] = useState('');

  const toggle = () => {
    // Reconnecting keeps the stored value unless the user changes it.
    const stored = connections.getState().connections.find((c) => c.system === 'procore' && c.mode === 'live')?.settings['writeConcurrency'];
    if (!open) setWriteConcurrency(String(typeof stored === 'number' ? stored : PROCORE_WRITE_CONCURRENCY.default));
    setOpen(!open);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const secret = clientSecret;
    setClientSecret('');
    const connected = await connections.getState().connectProcore({
      companyId,
      clientId,
      clientSecret: secret,
      environment,
      ...(apiBaseUrl.trim() ? { apiBaseUrl: apiBaseUrl.trim() } : {}),
      ...(authBaseUrl.trim() ? { authBaseUrl: authBaseUrl.trim() } : {}),
      // Sent as typed: main checks it and names the problem (e.g. 2.5 or 40).
      ...(writeConcurrency.trim() ? { writeConcurrency: Number(writeConcurrency) } : {}),
    });
    if (connected) setOpen(false);
  };

  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="procore-connect-form"
        onClick={toggle}
      >
        Connect Procore
      </button>
      {open ? (
        <form
          id="procore-connect-form"
          className="card form"
          onSubmit={submit}
          aria-labelledby="procore-connect-title"
        >
          <h3 id="procore-connect-title">Connect Procore</h3>
          <p className="hint">
            A Procore Developer Managed Service Account (client credentials) for your company.
          </p>
          <div className="form-grid">
            <Field label="Company id">
              <input
                required
                inputMode="numeric"
                value={companyId}
                onChange={(e) => setCompanyId(e.target.value)}
              />
            </Field>
            <ClientCredentialFields
              clientId={clientId}
              setClientId={setClientId}
              clientSecret={clientSecret}
              setClientSecret={setClientSecret}
            />
            <Field label="Environment">
              <select
                value={environment}
                onChange={(e) => setEnvironment(e.target.value as (typeof PROCORE_ENVIRONMENT_IDS)[number])}
              >
                {PROCORE_ENVIRONMENT_IDS.map((env) => (
                  <option key={env} value={env}>
                    {PROCORE_ENVIRONMENT_TITLES[env]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="API address (only for a test system)">
              <input
                value={apiBaseUrl}
                placeholder="leave empty"
                onChange={(e) => setApiBaseUrl(e.target.value)}
              />
            </Field>
            <Field label="Sign-in address (only for a test system)">
              <input
                value={authBaseUrl}
                placeholder="leave empty"
                onChange={(e) => setAuthBaseUrl(e.target.value)}
              />
            </Field>
            <Field label="Line-item writes at once">
              <input
                type="number"
                min={1}
                max={PROCORE_WRITE_CONCURRENCY.max}
                step={1}
                value={writeConcurrency}
                aria-describedby="procore-write-concurrency-hint"
                onChange={(e) => setWriteConcurrency(e.target.value)}
              />
            </Field>
          </div>
          <p className="hint" id="procore-write-concurrency-hint">
            Procore takes each commitment’s lines in a call of its own; this many go out together (1 to{' '}
            {PROCORE_WRITE_CONCURRENCY.max}, normally {PROCORE_WRITE_CONCURRENCY.default}). Every call still
            respects Procore’s rate limits; use 1 if your company’s Procore account is shared with other busy
            integrations.
          </p>
          <div className="toolbar">
            <button type="submit" disabled={busy}>
              Test and save Procore connection
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
