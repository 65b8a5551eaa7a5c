/** Password rules and hashing (bcrypt, cost from the block's settings). */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

const RULES: ReadonlyArray<{ rule: string; test: RegExp; needs: string }> = [
  { rule: 'min_length', test: /^[\s\S]{8,}$/u, needs: 'at least 8 characters' },
  { rule: 'uppercase', test: /\p{Lu}/u, needs: 'an upper-case letter' },
  { rule: 'lowercase', test: /\p{Ll}/u, needs: 'a lower-case letter' },
  { rule: 'digit', test: /\p{Nd}/u, needs: 'a digit' },
  {
    rule: 'special',
    test: /[^\p{L}\p{N}\s]/u,
    needs: 'a special character (not a letter, digit or space)',
  },
];

/** The rules a password breaks, with a message naming them; null when it is strong enough. */
export function passwordProblem(password: string): { rules: string[]; message: string } | null {
  const broken = RULES.filter((r) => !r.test.test(password));
  if (broken.length === 0) return null;
  return {
    rules: broken.map((r) => r.rule),
    message: `the password needs ${broken.map((r) => r.needs).join(', ')}`,
  };
}

// bcrypt reads only the first 72 bytes; a longer password is condensed first so all of it counts.
const bcryptInput = (password: string) =>
  bcrypt.truncates(password)
    ? `sha256:${createHash('sha256').update(password).digest('base64')}`
    : password;

export const hashPassword = (password: string, cost: number): Promise<string> =>
  bcrypt.hash(bcryptInput(password), cost);
export const verifyPassword = (password: string, hash: string): Promise<boolean> =>
  bcrypt.compare(bcryptInput(password), hash);

/**
 * A well-formed hash no password matches. Comparing against it costs what a real comparison
 * costs, so an unknown login name takes as long to refuse as a wrong password.
 */
export const dummyHash = (cost: number): string =>
  `$2b$${String(cost).padStart(2, '0')}$${'N'.repeat(53)}`;
