import { describe, expect, it } from 'vitest';
import { readProcoreConfig } from './config';

describe('readProcoreConfig', () => {
  it('fills the documented defaults and a company id above 2^32', () => {
    const config = readProcoreConfig({}, 7);
    expect(config).toMatchObject({
      hourlyLimit: 3600,
      spikeLimit: 25,
      spikeWindowSeconds: 10,
      tokenLifetimeSeconds: 5400,
      syncMaxUpdates: 1000,
    });
    expect(config.companyId).toBeGreaterThan(2 ** 32);
  });

  it('refuses unknown keys and wrong types with a message naming the key', () => {
    expect(() => readProcoreConfig({ spikelimit: 5 }, 1)).toThrow(
      /unknown Procore simulator config "spikelimit"/,
    );
    expect(() => readProcoreConfig({ spikeLimit: '5' }, 1)).toThrow(
      /"spikeLimit" must be a positive integer/,
    );
    expect(() => readProcoreConfig({ syncOverCapStatus: 413 }, 1)).toThrow(/400 or 422/);
  });
});
