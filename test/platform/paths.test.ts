import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPathUnder, resolveUnder } from '../../src/platform/paths.ts';

describe('paths confined to their root', () => {
  const base = mkdtempSync(join(tmpdir(), 'wsoptv-paths-'));
  const root = join(base, 'library');
  mkdirSync(join(root, 'WSOP'), { recursive: true });
  writeFileSync(join(root, 'WSOP', 'a.mp4'), 'x');
  writeFileSync(join(base, 'secret.txt'), 'top secret');
  symlinkSync(join(base, 'secret.txt'), join(root, 'WSOP', 'escape.mp4'));
  symlinkSync(join(root, 'WSOP', 'a.mp4'), join(root, 'WSOP', 'inside.mp4'));

  it('accepts paths inside the root', async () => {
    expect(resolveUnder(root, 'WSOP/a.mp4')).toBe(join(root, 'WSOP', 'a.mp4'));
    expect(await realPathUnder(root, 'WSOP/a.mp4')).toContain(join('WSOP', 'a.mp4'));
    expect(await realPathUnder(root, 'WSOP/inside.mp4')).toContain(join('WSOP', 'a.mp4'));
  });

  it('refuses .., absolute paths, backslashes, NUL and the root itself', () => {
    for (const bad of [
      '../secret.txt',
      'WSOP/../../secret.txt',
      '/etc/passwd',
      'WSOP\\..\\..\\x',
      'a\0b',
      '',
      '.',
      'WSOP/..',
    ]) {
      expect(() => resolveUnder(root, bad), JSON.stringify(bad)).toThrow(/leaves its root/);
    }
  });

  it('refuses a symlink that leads out of the root', async () => {
    await expect(realPathUnder(root, 'WSOP/escape.mp4')).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
      status: 400,
    });
  });

  it('reports a missing file as the file system does', async () => {
    await expect(realPathUnder(root, 'WSOP/missing.mp4')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
