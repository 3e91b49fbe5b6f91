import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXACT_CUSTODY_POLICY } from '../auth/custody';
import { silentLogger } from '../connectors/_kit';
import { InMemoryCredentialStore } from '../credentials';
import { openStore, type Store } from '../store';
import { exactPolicyFromSettings, LIVE_EXACT_ID, LIVE_PROCORE_ID, liveCustody } from './live-connections';

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

describe('liveCustody (one custodian per live connection and store)', () => {
  it('lists the live connections stored now, each with the same custodian every time; another store has its own', () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'mlc-custody-')), mkdtempSync(join(tmpdir(), 'mlc-custody-'))];
    const [store, other] = dirs.map((dir) => openStore(dir)) as [Store, Store];
    try {
      const deps = (s: Store, dataDir: string) => ({ store: s, credentials: new InMemoryCredentialStore(), log: silentLogger, dataDir });
      const custody = liveCustody(deps(store, dirs[0]!));
      expect(custody.custodied()).toEqual([]);
      expect(() => custody.custodian(LIVE_PROCORE_ID)).toThrow(LIVE_PROCORE_ID);

      store.connections.create({ id: LIVE_EXACT_ID, system: 'exact-online', label: 'Exact Online', mode: 'live', settings: { region: 'nl', clientId: 'c', redirectUri: 'http://127.0.0.1:1/cb' } });
      const [exact] = custody.custodied();
      expect(exact).toMatchObject({ id: LIVE_EXACT_ID, label: 'Exact Online' });
      // A second caller with its own deps object on the same store gets the same custodian.
      expect(liveCustody(deps(store, dirs[0]!)).custodian(LIVE_EXACT_ID)).toBe(exact!.custodian);

      other.connections.create({ id: LIVE_EXACT_ID, system: 'exact-online', label: 'Exact Online', mode: 'live', settings: { region: 'nl', clientId: 'c', redirectUri: 'http://127.0.0.1:1/cb' } });
      expect(liveCustody(deps(other, dirs[1]!)).custodian(LIVE_EXACT_ID)).not.toBe(exact!.custodian);

      store.connections.delete(LIVE_EXACT_ID); // removed: the keep-alive no longer checks it
      expect(custody.custodied()).toEqual([]);
    } finally {
      store.close();
      other.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
