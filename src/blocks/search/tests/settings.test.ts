/** The search block's settings: defaults, every variable read, and bad values named by variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/settings.ts';
import { readSearchSettings } from '../settings.ts';

describe('search settings', () => {
  it('has the documented defaults when nothing is set: the in-process engine, 1 s retries', () => {
    expect(readSearchSettings({})).toEqual({
      meiliUrl: undefined,
      meiliKey: undefined,
      retryMs: 1000,
    });
  });

  it('reads every variable; an empty one counts as unset', () => {
    const env = {
      MEILI_URL: 'http://127.0.0.1:7700',
      MEILI_KEY: 'master-key',
      WSOPTV_SEARCH_RETRY_MS: '50',
    };
    expect(readSearchSettings(env)).toEqual({
      meiliUrl: 'http://127.0.0.1:7700',
      meiliKey: 'master-key',
      retryMs: 50,
    });
    expect(readSearchSettings({ MEILI_URL: '' }).meiliUrl).toBeUndefined();
  });

  it.each([
    ['MEILI_URL', 'not a url'],
    ['WSOPTV_SEARCH_RETRY_MS', '49'],
    ['WSOPTV_SEARCH_RETRY_MS', 'soon'],
  ])('refuses a bad %s (%s) with a ConfigError naming it', (name, value) => {
    const read = () => readSearchSettings({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/invalid search settings/);
    expect(read).toThrow(new RegExp(`${name}: `));
  });
});
