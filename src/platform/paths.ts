/**
 * Every path that reaches the file system is resolved under its root, and nothing outside the
 * root can ever be served: relative paths with `..`, absolute paths, NUL bytes, and symlinks
 * that lead out of the root are all refused with PATH_OUTSIDE_ROOT.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { BlockError } from './errors.ts';

function outside(rel: string): BlockError {
  return new BlockError(
    'PATH_OUTSIDE_ROOT',
    `refused path "${rel.slice(0, 200)}": it leaves its root`,
    { status: 400 },
  );
}

function within(root: string, candidate: string): boolean {
  const r = relative(root, candidate);
  return r === '' ? false : !r.startsWith('..') && !isAbsolute(r) && r.split(sep)[0] !== '..';
}

/** Resolves `rel` under `root` lexically (no file-system access); throws when it would leave it. */
export function resolveUnder(root: string, rel: string): string {
  if (
    typeof rel !== 'string' ||
    rel.length === 0 ||
    rel.length > 4096 ||
    rel.includes('\0') ||
    isAbsolute(rel) ||
    rel.includes('\\')
  )
    throw outside(String(rel));
  const full = resolve(root, rel);
  if (!within(resolve(root), full)) throw outside(rel);
  return full;
}

/**
 * Resolves `rel` under `root` and follows symlinks: the real file must still be inside the real
 * root. Throws PATH_OUTSIDE_ROOT, or the file system's error (ENOENT…) when it does not exist.
 */
export async function realPathUnder(root: string, rel: string): Promise<string> {
  const full = resolveUnder(root, rel);
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(full)]);
  if (!within(realRoot, realFile)) throw outside(rel);
  return realFile;
}
