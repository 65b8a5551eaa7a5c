/** The stream block's settings: defaults, every variable read, bad values named by variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/settings.ts';
import { readStreamSettings } from '../settings.ts';

describe('stream settings', () => {
  it('has the documented defaults when nothing is set', () => {
    expect(readStreamSettings({})).toEqual({
      slots: { maxPerUser: 3, maxTotal: 20, idleMs: 60_000 },
      mediaUrlTtlMs: 6 * 3600 * 1000,
      accelRedirectPrefix: undefined,
    });
  });

  it('reads every variable; empty counts as unset', () => {
    const env = {
      WSOPTV_STREAM_MAX_PER_USER: '1',
      WSOPTV_STREAM_MAX_TOTAL: '2',
      WSOPTV_STREAM_IDLE_MS: '100',
      WSOPTV_MEDIA_URL_TTL_S: '10',
      WSOPTV_ACCEL_REDIRECT_PREFIX: '/internal-media/',
    };
    expect(readStreamSettings(env)).toEqual({
      slots: { maxPerUser: 1, maxTotal: 2, idleMs: 100 },
      mediaUrlTtlMs: 10_000,
      accelRedirectPrefix: '/internal-media/',
    });
    expect(readStreamSettings({ WSOPTV_ACCEL_REDIRECT_PREFIX: '' }).accelRedirectPrefix).toBe(
      undefined,
    );
  });

  it.each([
    ['WSOPTV_STREAM_MAX_PER_USER', '0'],
    ['WSOPTV_STREAM_MAX_TOTAL', '1.5'],
    ['WSOPTV_STREAM_IDLE_MS', '99'],
    ['WSOPTV_MEDIA_URL_TTL_S', '9'],
    ['WSOPTV_ACCEL_REDIRECT_PREFIX', 'internal-media'],
    ['WSOPTV_ACCEL_REDIRECT_PREFIX', '/media/../etc'],
  ])('refuses a bad %s (%s) with a ConfigError naming it', (name, value) => {
    const read = () => readStreamSettings({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/invalid stream settings/);
    expect(read).toThrow(new RegExp(`${name}: `));
  });
});
