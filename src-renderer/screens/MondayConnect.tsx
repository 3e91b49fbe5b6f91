import { useState } from 'react';
import { useSlice, useStores } from '../app/services';
import { GenericConnectForm } from './GenericConnect';
import { BrowserSigninForm, SigninOutcomeCard, SigninWaiting } from './LiveConnect';

/**
 * "Connect monday.com" two ways: a personal API token (the generic form, `connections.connect`)
 * or "Sign in with monday.com (OAuth)" through the user's own monday app (OAuth 2.1: the same
 * browser sign-in as Exact Online's, `connections.connectMonday`). Either ends with Test
 * connection's answer; the connection's row then offers "Choose boards".
 */
type Way = 'token' | 'oauth';

export function MondayConnect() {
  const { connections } = useStores();
  const signin = useSlice(connections, (s) => s.signin);
  const [open, setOpen] = useState(false);
  const [way, setWay] = useState<Way>('token');

  if (signin.phase === 'waiting' && signin.system === 'monday') return <SigninWaiting />;
  if (signin.phase === 'done' && signin.system === 'monday')
    return (
      <SigninOutcomeCard system="monday" outcome={signin.outcome}>
        <p className="hint">Next: “Choose boards” on the monday.com row below picks the boards the flow fills.</p>
      </SigninOutcomeCard>
    );
  return (
    <div>
      <button type="button" aria-expanded={open} aria-controls="monday-connect" onClick={() => setOpen(!open)}>
        Connect monday.com
      </button>
      {open ? (
        <div id="monday-connect">
          <fieldset className="card">
            <legend>How to connect monday.com</legend>
            {(
              [
                ['token', 'Personal API token'],
                ['oauth', 'Sign in with monday.com (OAuth)'],
              ] as const
            ).map(([value, label]) => (
              <label key={value}>
                <input
                  type="radio"
                  name="monday-connect-way"
                  value={value}
                  checked={way === value}
                  onChange={() => setWay(value)}
                />{' '}
                {label}
              </label>
            ))}
          </fieldset>
          {way === 'token' ? (
            <GenericConnectForm system="monday" onConnected={() => setOpen(false)} />
          ) : (
            <BrowserSigninForm
              id="monday-oauth-form"
              title="Sign in with monday.com"
              hint="Use your monday app’s client id and client secret (Developer Center → your app → Basic information → App credentials); the app needs the scopes me:read, boards:read and boards:write. The redirect URI must be one of the app’s Redirect URLs (OAuth) and point at this computer, e.g. http://127.0.0.1:8766/monday/callback. The secret and the sign-in are kept in the OS keychain only."
              addressLabel="monday.com address (only for a test system)"
              submitLabel="Sign in with monday.com"
              start={(app) => connections.getState().connectMonday(app)}
            />
          )}
        </div>
      ) : null}
    </div>
  );
}
