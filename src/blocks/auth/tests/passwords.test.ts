/** Password rules and hashing, without a database. */
import { describe, expect, it } from 'vitest';
import { readAuthSettings } from '../settings.ts';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from '../passwords.ts';

describe('passwords', () => {
  it('the default settings hash with bcrypt cost 12', async () => {
    const cost = readAuthSettings({}).bcryptCost;
    const hash = await hashPassword('Str0ng-pass!', cost);
    expect(hash).toMatch(/^\$2[ab]\$12\$/);
  });

  it('names every rule a password breaks, and accepts a strong one', () => {
    expect(passwordProblem('Str0ng-pass!')).toBeNull();
    expect(passwordProblem('Ünïcödé-Pässwörd-9')).toBeNull();
    expect(passwordProblem('')?.rules).toEqual([
      'min_length',
      'uppercase',
      'lowercase',
      'digit',
      'special',
    ]);
    expect(passwordProblem('Abcdefg1 ')?.rules).toEqual(['special']);
    expect(passwordProblem('Ab1!Ab1')?.rules).toEqual(['min_length']);
  });

  it('counts every byte of a long password (bcrypt alone stops at 72)', async () => {
    const base = `Aa1!${'x'.repeat(80)}`;
    const hash = await hashPassword(`${base}-one`, 4);
    expect(await verifyPassword(`${base}-one`, hash)).toBe(true);
    expect(await verifyPassword(`${base}-two`, hash)).toBe(false);
  });

  it('the dummy hash matches nothing but costs a real comparison', async () => {
    const dummy = dummyHash(4);
    expect(dummy).toMatch(/^\$2b\$04\$.{53}$/);
    expect(await verifyPassword('anything', dummy)).toBe(false);
    expect(await verifyPassword('', dummy)).toBe(false);
  });
});
