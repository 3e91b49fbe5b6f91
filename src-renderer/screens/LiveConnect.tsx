import { useState, type FormEvent, type ReactNode } from 'react';
import {
  EXACT_REGIONS,
  PROCORE_ENVIRONMENT_IDS,
  PROCORE_WRITE_CONCURRENCY,
  type ExactRegionId,
  type SigninOutcome,
} from '../../src-shared/ipc';
import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import { useSlice, useStores } from '../app/services';
import type { BrowserSigninSystem } from '../stores/connections-store';
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

/** The app's client id and secret (typed in, never shown back), as the sign-in forms ask them. */
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

/**
 * Opens the sign-in page in the user's browser. In Electron the window-open handler hands
 * allow-listed https addresses to the system browser; the browser host opens a new tab. The
 * link stays on screen in case a popup blocker or the allow-list stops it.
 */
function openInBrowser(url: string): void {
  window.open(url, '_blank', 'noopener,noreferrer');
}

export function ExactConnect() {
  const { connections } = useStores();
  const signin = useSlice(connections, (s) => s.signin);
  const [open, setOpen] = useState(false);

  if (signin.phase === 'waiting' && signin.system === 'exact-online') return <SigninWaiting />;
  if (signin.phase === 'done' && signin.system === 'exact-online')
    return (
      <SigninOutcomeCard system="exact-online" outcome={signin.outcome}>
        {signin.outcome.divisions && signin.outcome.divisions.length > 0 ? (
          <DivisionPicker outcome={signin.outcome} divisions={signin.outcome.divisions} />
        ) : null}
      </SigninOutcomeCard>
    );
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
  const [region, setRegion] = useState<ExactRegionId>('nl');
  return (
    <BrowserSigninForm
      id="exact-connect-form"
      title="Connect to Exact Online"
      hint="Use the client id, secret and redirect URI of the app registered in the Exact Online App Center. The redirect URI must point at this computer, e.g. http://127.0.0.1:8765/exact/callback."
      addressLabel="Exact Online address (only for a test system)"
      submitLabel="Sign in with Exact Online"
      start={(app) => connections.getState().connectExact({ region, ...app })}
    >
      <Field label="Region">
        <select value={region} onChange={(e) => setRegion(e.target.value as ExactRegionId)}>
          {EXACT_REGIONS.map((r) => (
            <option key={r} value={r}>
              {REGION_TITLES[r]} (start.exactonline.{r})
            </option>
          ))}
        </select>
      </Field>
    </BrowserSigninForm>
  );
}

/** What every browser sign-in form sends: the user's app, its redirect URI, a test system's address. */
export interface SigninApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  baseUrl?: string;
}

/**
 * A browser sign-in form (Exact Online, monday.com OAuth): `children` first (Exact's region),
 * then the app's client id and secret, the registered redirect URI and a test system's address.
 * The secret is sent once and cleared; `start` answers with the address to open, or null.
 */
export function BrowserSigninForm(props: {
  id: string;
  title: string;
  hint: string;
  addressLabel: string;
  submitLabel: string;
  start: (app: SigninApp) => Promise<string | null>;
  children?: ReactNode;
}) {
  const { connections } = useStores();
  const starting = useSlice(connections, (s) => s.signin.phase === 'starting');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [redirectUri, setRedirectUri] = useState('');
  const [baseUrl, setBaseUrl] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const secret = clientSecret;
    setClientSecret(''); // sent once, never kept in the page
    const url = await props.start({
      clientId,
      clientSecret: secret,
      redirectUri,
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
    });
    if (url) openInBrowser(url);
  };

  return (
    <form id={props.id} className="card form" onSubmit={submit} aria-labelledby={`${props.id}-title`}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      <p className="hint">{props.hint}</p>
      <div className="form-grid">
        {props.children}
        <ClientCredentialFields
          clientId={clientId}
          setClientId={setClientId}
          clientSecret={clientSecret}
          setClientSecret={setClientSecret}
        />
        <Field label="Registered redirect URI">
          <input required value={redirectUri} onChange={(e) => setRedirectUri(e.target.value)} />
        </Field>
        <Field label={props.addressLabel}>
          <input value={baseUrl} placeholder="leave empty" onChange={(e) => setBaseUrl(e.target.value)} />
        </Field>
      </div>
      <div className="toolbar">
        <button type="submit" disabled={starting}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}

/** The browser sign-in under way: the link to open again, the pasted-address fallback, Cancel. */
export function SigninWaiting() {
  const { connections } = useStores();
  const signin = useSlice(connections, (s) => s.signin);
  const [pasted, setPasted] = useState('');
  if (signin.phase !== 'waiting') return null;
  const title = SYSTEM_TITLES[signin.system];
  const errorId = `${signin.system}-paste-error`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connections.getState().completeSignIn(pasted);
  };

  return (
    <section className="card" aria-labelledby={`${signin.system}-waiting-title`}>
      <h3 id={`${signin.system}-waiting-title`}>Waiting for sign-in…</h3>
      <p role="status">
        Sign in to {title} in your browser and allow access.{' '}
        {signin.listening
          ? 'This screen continues by itself when the browser comes back.'
          : 'Then paste the address the browser ends on below.'}
      </p>
      <p>
        <a href={signin.authorizationUrl} target="_blank" rel="noopener noreferrer">
          Open the {title} sign-in page
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
            aria-describedby={signin.pasteError ? errorId : undefined}
          />
        </Field>
        {signin.pasteError ? (
          <p id={errorId} role="alert" className="notice notice-error">
            {signin.pasteError}
          </p>
        ) : null}
        <div className="toolbar">
          <button type="submit" disabled={signin.pasting}>
            Finish sign-in
          </button>
          <button type="button" className="secondary" onClick={() => void connections.getState().cancelSignin()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/** How the sign-in ended: the problem and "Try again", or who signed in (and `children`: what to choose next). */
export function SigninOutcomeCard({
  system,
  outcome,
  children,
}: {
  system: BrowserSigninSystem;
  outcome: SigninOutcome;
  children?: ReactNode;
}) {
  const { connections } = useStores();
  const titleId = `${system}-outcome-title`;
  if (outcome.outcome === 'failed')
    return (
      <section className="card" aria-labelledby={titleId}>
        <h3 id={titleId}>{SYSTEM_TITLES[system]} sign-in failed</h3>
        <p role="alert">{outcome.message}</p>
        <button type="button" onClick={() => connections.getState().resetSignin()}>
          Try again
        </button>
      </section>
    );
  return (
    <section className="card" aria-labelledby={titleId}>
      <h3 id={titleId}>{SYSTEM_TITLES[system]} connected</h3>
      <p role="status">{outcome.message}</p>
      {children}
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
