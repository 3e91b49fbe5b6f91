import { describe, expect, it } from 'vitest';
import { AuthorizationError } from '../auth/loopback';
import { NeedsReauthError } from '../../src-shared/domain/auth';
import { mondaySigninProblem } from './connect-handlers';

/** The words a failed monday.com sign-in ends with on the Connections screen (what to do next). */
describe('mondaySigninProblem', () => {
  it('a lapsed wait names the time and the button to press', () => {
    expect(mondaySigninProblem(new AuthorizationError('timeout', 'The sign-in was not completed in time. Start it again.'))).toBe(
      'The monday.com sign-in was not finished within 10 minutes. Start “Sign in with monday.com” again.',
    );
  });

  it('denied consent keeps what monday said, without its error page wording', () => {
    expect(mondaySigninProblem(new AuthorizationError('denied', 'The provider refused the sign-in: access_denied.'))).toBe(
      'monday.com did not give the app access (access_denied). Sign in again and choose Authorize; if your account admin must approve the app, ask them to install it first.',
    );
  });

  it('anything else is the error’s own sentence (the OAuth client words a refused secret), redacted', () => {
    const refused = new NeedsReauthError("monday.com refused the app's client id or secret (invalid_client). Copy them again and connect again.");
    expect(mondaySigninProblem(refused)).toBe(refused.message);
    expect(mondaySigninProblem(new Error('Authorization: Bearer abc.def.ghi failed'))).not.toContain('abc.def.ghi');
  });
});
