/**
 * Builds the web app into web/dist when it is missing or older than any source under web/ (or
 * the package manifest). Run before `npm start` and by the e2e setup, so the site WSOPTV serves
 * is never stale and an unchanged tree costs nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'dist' || name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Returns true when it built, false when web/dist was already current. */
export function buildWebIfStale(force = false): boolean {
  const sources = Math.max(newestMtime(WEB), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (!force && existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return false;
  console.log('building the web app (web/dist is missing or stale)…');
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0)
    throw new Error(`web build failed (exit ${r.status}): run \`npm run build:web\` to see why`);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  buildWebIfStale(process.argv.includes('--force'));
