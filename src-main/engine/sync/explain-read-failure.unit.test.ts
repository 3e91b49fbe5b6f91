import { describe, expect, it } from 'vitest';
import { ClientSecretRefusedError, NeedsReauthError } from '../../../src-shared/domain/auth';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  HttpNetworkError,
  registerSecret,
} from '../../connectors/_kit';
import { explainReadFailure } from './explain-read-failure';

/** What the Mappings screen says when a system cannot be read for suggestions (errors as the kit throws them). */
describe('explainReadFailure', () => {
  const now = Date.parse('2026-03-02T10:00:00Z');

  it('an expired sign-in says where to connect again', () => {
    expect(
      explainReadFailure(
        'Exact Online',
        'the suppliers',
        new NeedsReauthError('Old refresh token used'),
        now,
      ),
    ).toBe(
      'Could not read the suppliers from Exact Online: the sign-in has expired or was withdrawn. Connect Exact Online again under Connections, then try again.',
    );
  });

  it('a refused client secret says to enter it again, not to sign in again', () => {
    expect(explainReadFailure('Exact Online', 'the suppliers', new ClientSecretRefusedError('invalid_client'), now)).toBe(
      'Could not read the suppliers from Exact Online: Exact Online refused the app\u2019s client secret. Enter the current client secret under Connections (Edit), or connect Exact Online again, then try again.',
    );
  });

  it('a spent rate limit says when to try again', () => {
    const limit = new BudgetExhaustedError('procore:562949953000001', 'hourly', now + 14.5 * 60_000);
    expect(explainReadFailure('Procore', 'the vendors', limit, now)).toBe(
      'Could not read the vendors from Procore: its API limit is used up for now. Try again in 15 minutes.',
    );
    const errors = new ErrorBudgetExceededError('exact:123', 'GET /crm/Accounts', 10, now + 20_000);
    expect(explainReadFailure('Exact Online', 'the suppliers', errors, now)).toMatch(
      /too many calls failed this hour, .*\. Try again in 1 minute\.$/,
    );
  });

  it('a network failure names the host and never carries a secret', () => {
    registerSecret('suggest-unit-secret-value');
    const down = new HttpNetworkError(
      'start.exactonline.nl',
      'ECONNREFUSED',
      true,
      'connect refused, token suggest-unit-secret-value',
    );
    const text = explainReadFailure('Exact Online', 'the suppliers', down, now);
    expect(text).toMatch(
      /^Could not read the suppliers from Exact Online: Exact Online could not be reached \(Network error talking to start\.exactonline\.nl: ECONNREFUSED/,
    );
    expect(text).toContain('Check the network and try again.');
    expect(text).not.toContain('suggest-unit-secret-value');
  });
});
