/**
 * The cache block's settings: defaults, the SSD directory's resolution, bad values named by
 * variable.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/settings.ts';
import { readCacheSettings, ssdDirOf } from '../settings.ts';

describe('cache settings', () => {
  it('has the documented defaults when nothing is set; the SSD directory is in the data directory', () => {
    const defaults = readCacheSettings({});
    expect(defaults).toEqual({
      ssdDir: undefined,
      ssdBytes: 50 * 1024 ** 3,
      memoryEntries: 10_000,
      hotPlays: 5,
      hotWindowDays: 7,
      slots: { maxPerUser: 3, maxTotal: 20, idleMs: 60_000 },
    });
    expect(ssdDirOf(defaults, { dataDir: '/srv/wsoptv' })).toBe('/srv/wsoptv/ssd-cache');
    expect(readCacheSettings({}, { dataDir: '/srv/wsoptv' }).ssdDir).toBe('/srv/wsoptv/ssd-cache');
  });

  it('reads every variable; a relative SSD directory becomes absolute; empty counts as unset', () => {
    const env = {
      WSOPTV_SSD_CACHE_DIR: 'fast/cache',
      WSOPTV_SSD_CACHE_BYTES: '1024',
      WSOPTV_MEMORY_CACHE_ENTRIES: '10',
      WSOPTV_HOT_PLAYS: '1',
      WSOPTV_HOT_WINDOW_DAYS: '1',
      WSOPTV_STREAM_MAX_PER_USER: '1',
      WSOPTV_STREAM_MAX_TOTAL: '2',
      WSOPTV_STREAM_IDLE_MS: '100',
    };
    const settings = readCacheSettings(env, { dataDir: '/srv/wsoptv' });
    expect(settings).toEqual({
      ssdDir: resolve('fast/cache'),
      ssdBytes: 1024,
      memoryEntries: 10,
      hotPlays: 1,
      hotWindowDays: 1,
      slots: { maxPerUser: 1, maxTotal: 2, idleMs: 100 },
    });
    expect(readCacheSettings({ WSOPTV_SSD_CACHE_DIR: '' }).ssdDir).toBeUndefined();
  });

  it.each([
    ['WSOPTV_SSD_CACHE_BYTES', '1023'],
    ['WSOPTV_MEMORY_CACHE_ENTRIES', '9'],
    ['WSOPTV_HOT_PLAYS', '0'],
    ['WSOPTV_HOT_WINDOW_DAYS', 'a week'],
    ['WSOPTV_STREAM_MAX_PER_USER', '0'],
    ['WSOPTV_STREAM_MAX_TOTAL', '1.5'],
    ['WSOPTV_STREAM_IDLE_MS', '99'],
  ])('refuses a bad %s (%s) with a ConfigError naming it', (name, value) => {
    const read = () => readCacheSettings({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/invalid cache settings/);
    expect(read).toThrow(new RegExp(`${name}: `));
  });
});
