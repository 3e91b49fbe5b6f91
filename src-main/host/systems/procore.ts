import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../auth/custody';
import { createProcoreConnector, type ProcoreConnector } from '../../connectors/procore';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import { LIVE_PROCORE_ID, openLiveProcore } from '../live-connections';
import { memoryVault, type SystemOpener } from './types';

/** Limits of the sandbox Procore company used by the app (the simulator's own defaults stay strict). */
const SANDBOX_PROCORE_LIMITS = { spikeLimit: 2_000, hourlyLimit: 100_000 };

export const procoreOpener: SystemOpener<'procore'> = {
  system: 'procore',
  api: 'procore',
  simulator: 'procore',
  sandboxConfig: SANDBOX_PROCORE_LIMITS,
  label: 'Procore',
  liveConnectionId: LIVE_PROCORE_ID,
  openLive: (deps) => {
    const live = openLiveProcore(deps);
    return { ...live, close: () => live.connector.close() };
  },
  openSandbox({ store, log, connection, sim }) {
    const late: { connector?: ProcoreConnector } = {};
    const custodian = new TokenCustodian({
      connectionId: connection.id,
      vault: memoryVault(),
      policy: CLIENT_CREDENTIALS_POLICY,
      refresh: () => late.connector!.requestToken({ clientId: String(sim.credentials['clientId']), clientSecret: String(sim.credentials['clientSecret']) }),
      onStateChange: (state) => store.connections.setStatus(connection.id, state),
    });
    const connector = createProcoreConnector(
      { baseUrl: sim.baseUrl, allowedHosts: [new URL(sim.baseUrl).hostname], logger: log, tokens: custodian },
      {
        companyId: String(sim.credentials['companyId']),
        apiBaseUrl: sim.baseUrl,
        authBaseUrl: sim.baseUrl,
        rateLimits: { hourly: SANDBOX_PROCORE_LIMITS.hourlyLimit, spikePer10s: SANDBOX_PROCORE_LIMITS.spikeLimit },
      },
    );
    late.connector = connector;
    return { connection, connector, custodian, close: () => connector.close() };
  },
  budget: (connector, connectionId) => connectionBudget(connectionId, 'hourly', connector.hourlyBudget(), connector.budget.snapshot().nextAllowedAt),
  nextAllowedAt: (connector) => connector.budget.snapshot().nextAllowedAt,
};

