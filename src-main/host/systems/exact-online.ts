import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import { EXACT_CUSTODY_POLICY, TokenCustodian } from '../../auth/custody';
import { fileLock } from '../../auth/file-lock';
import { AuthorizationError, validateAuthorizationResponse } from '../../auth/loopback';
import { createPkcePair, createState } from '../../auth/pkce';
import { createExactOnlineConnector, type ExactOnlineConnector } from '../../connectors/exact-online';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import type { RunningSimulator } from '../../sandbox';
import { join } from 'node:path';
import { LIVE_EXACT_ID, openLiveExact } from '../live-connections';
import { settingsCounter } from '../token-call-counter';
import { memoryVault, type SystemOpener } from './types';

/**
 * Sandbox sign-in without a browser: the simulator approves at once; we take the code from the
 * redirect, checked like a browser's callback (state, and `iss`: the simulator sends it like a
 * server that supports RFC 9207, so it is required here).
 */
async function sandboxSignIn(exact: ExactOnlineConnector, sim: RunningSimulator): Promise<TokenSet> {
  const creds = sim.credentials as { clientId: string; clientSecret: string; redirectUri: string };
  const pkce = createPkcePair();
  const state = createState();
  const url = new URL(exact.authorizeEndpoint());
  url.search = new URLSearchParams({
    client_id: creds.clientId,
    redirect_uri: creds.redirectUri,
    response_type: 'code',
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: pkce.method,
  }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  const callback = location ? new URL(location) : null;
  const outcome = callback
    ? validateAuthorizationResponse(callback.searchParams, { state, issuer: { issuer: new URL(sim.baseUrl).origin, required: true } })
    : new AuthorizationError('bad-redirect', 'no redirect');
  if (outcome instanceof AuthorizationError)
    throw new NeedsReauthError(`The Exact Online sandbox did not approve the sign-in (HTTP ${res.status}): ${outcome.message}`);
  return exact.exchangeCode({ code: outcome.code, codeVerifier: pkce.verifier, redirectUri: creds.redirectUri, clientSecret: creds.clientSecret });
}

export const exactOnlineOpener: SystemOpener<'exact-online'> = {
  system: 'exact-online',
  api: 'exact',
  simulator: 'exact',
  // Headless sign-in on any loopback port (the sandbox has no browser).
  sandboxConfig: { allowAnyLoopbackPort: true },
  label: 'Exact Online',
  liveConnectionId: LIVE_EXACT_ID,
  openLive: (deps) => {
    const live = openLiveExact(deps);
    return { ...live, close: () => live.connector.close() };
  },
  openSandbox({ store, dataDir, log, connection, sim }) {
    // Custody needs the connector (to call the token endpoint) and the connector needs custody.
    const late: { connector?: ExactOnlineConnector } = {};
    const custodian = new TokenCustodian({
      connectionId: connection.id,
      vault: memoryVault(), // sandbox tokens live in memory; a new process signs in again (headless)
      policy: EXACT_CUSTODY_POLICY,
      lock: fileLock(join(dataDir, 'locks', `${connection.id}.lock`)),
      tokenCalls: settingsCounter(store, connection.id),
      refresh: (current) =>
        current?.refreshToken
          ? late.connector!.refreshTokens({ refreshToken: current.refreshToken, clientSecret: String(sim.credentials['clientSecret']), accessTokenExpiresAt: current.accessTokenExpiresAt })
          : sandboxSignIn(late.connector!, sim),
      onStateChange: (state, detail) => {
        store.connections.setStatus(connection.id, state);
        log.info('exact connection state', { state, detail });
      },
    });
    const connector = createExactOnlineConnector(
      { baseUrl: sim.baseUrl, allowedHosts: [new URL(sim.baseUrl).hostname], logger: log, tokens: custodian },
      { region: 'nl', baseUrl: sim.baseUrl, division: Number(sim.credentials['division']), clientId: String(sim.credentials['clientId']) },
    );
    late.connector = connector;
    // The simulator's port changes per process; the link screens and tests read it from here.
    store.connections.update(connection.id, { settings: { ...store.connections.require(connection.id).settings, baseUrl: sim.baseUrl } });
    return { connection, connector, custodian, close: () => connector.close() };
  },
  budget(connector, connectionId) {
    const snapshot = connector.budget.snapshot();
    return connectionBudget(connectionId, 'daily', snapshot.windows.find((w) => w.name === 'daily'), snapshot.nextAllowedAt);
  },
  nextAllowedAt: (connector) => connector.budget.snapshot().nextAllowedAt,
};

