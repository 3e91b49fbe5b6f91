import { describe, expect, it } from 'vitest';
import { EXACT_CUSTODY_POLICY } from '../auth/custody';
import { exactPolicyFromSettings } from './live-connections';

describe('exactPolicyFromSettings (Exact refresh-token lifetime is unconfirmed, so configurable)', () => {
  it('uses 30 days unless the connection says otherwise', () => {
    expect(exactPolicyFromSettings({ region: 'nl' })).toBe(EXACT_CUSTODY_POLICY);
    expect(exactPolicyFromSettings(undefined).refreshTokenLifetimeMs).toBe(30 * 24 * 3600_000);
    expect(exactPolicyFromSettings({ refreshTokenLifetimeDays: 90 }).refreshTokenLifetimeMs).toBe(90 * 24 * 3600_000);
  });

  it('refuses a lifetime that is not a number of days, naming the setting', () => {
    expect(() => exactPolicyFromSettings({ refreshTokenLifetimeDays: '30' })).toThrow('refreshTokenLifetimeDays must be a number of days, got "30"');
    expect(() => exactPolicyFromSettings({ refreshTokenLifetimeDays: 0 })).toThrow(/from 1 to 366, got 0/);
  });
});
