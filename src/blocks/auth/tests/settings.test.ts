/** The auth block's settings: defaults, the first admin, and bad values named by variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/settings.ts';
import { readAuthSettings } from '../settings.ts';

describe('auth settings', () => {
  it('has the documented defaults and no first admin when nothing is set', () => {
    expect(readAuthSettings({})).toEqual({
      jwtSecret: undefined,
      admin: undefined,
      bcryptCost: 12,
      loginMaxFailures: 5,
      loginWindowMs: 60_000,
      accessTokenTtlS: 3600,
      refreshTokenTtlS: 604_800,
    });
  });

  it('reads every variable; the first admin needs both email and password', () => {
    const env = {
      WSOPTV_JWT_SECRET: 's'.repeat(32),
      WSOPTV_ADMIN_EMAIL: 'root@example.test',
      WSOPTV_ADMIN_PASSWORD: 'Adm1n-pass!',
      WSOPTV_ADMIN_USERNAME: 'root',
      WSOPTV_BCRYPT_COST: '4',
      WSOPTV_LOGIN_MAX_FAILURES: '3',
      WSOPTV_LOGIN_WINDOW_MS: '1000',
      WSOPTV_ACCESS_TOKEN_TTL_S: '60',
      WSOPTV_REFRESH_TOKEN_TTL_S: '300',
    };
    expect(readAuthSettings(env)).toEqual({
      jwtSecret: 's'.repeat(32),
      admin: { email: 'root@example.test', password: 'Adm1n-pass!', username: 'root' },
      bcryptCost: 4,
      loginMaxFailures: 3,
      loginWindowMs: 1000,
      accessTokenTtlS: 60,
      refreshTokenTtlS: 300,
    });
    expect(readAuthSettings({ ...env, WSOPTV_ADMIN_PASSWORD: '' }).admin).toBeUndefined();
    expect(readAuthSettings({ WSOPTV_ADMIN_PASSWORD: 'Adm1n-pass!' }).admin).toBeUndefined();
  });

  it.each([
    ['WSOPTV_JWT_SECRET', 'short', /WSOPTV_JWT_SECRET: must be at least 32 characters/],
    ['WSOPTV_BCRYPT_COST', '16', /WSOPTV_BCRYPT_COST: must be at most 15/],
    ['WSOPTV_BCRYPT_COST', '3', /WSOPTV_BCRYPT_COST/],
    ['WSOPTV_ADMIN_EMAIL', 'not-an-email', /WSOPTV_ADMIN_EMAIL/],
    ['WSOPTV_ADMIN_PASSWORD', 'short', /WSOPTV_ADMIN_PASSWORD/],
    ['WSOPTV_ADMIN_USERNAME', 'ab', /WSOPTV_ADMIN_USERNAME/],
    ['WSOPTV_LOGIN_MAX_FAILURES', '0', /WSOPTV_LOGIN_MAX_FAILURES/],
    ['WSOPTV_LOGIN_WINDOW_MS', '999', /WSOPTV_LOGIN_WINDOW_MS/],
    ['WSOPTV_ACCESS_TOKEN_TTL_S', '59', /WSOPTV_ACCESS_TOKEN_TTL_S/],
    ['WSOPTV_REFRESH_TOKEN_TTL_S', 'soon', /WSOPTV_REFRESH_TOKEN_TTL_S/],
  ])('refuses a bad %s (%s) with a ConfigError naming it', (name, value, message) => {
    const read = () => readAuthSettings({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/invalid auth settings/);
    expect(read).toThrow(message);
  });
});
