/**
 * Runs once before the e2e files: builds the web app when web/dist is missing or older than
 * any source under web/ (or the package manifest), and makes test-results/e2e/ for artifacts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, ROOT } from './support/paths.ts';

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

export default function setup(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  const sources = Math.max(newestMtime(WEB), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources && process.env.E2E_REBUILD !== 'true') return;
  console.log('[e2e] building the web app (web/dist is missing or stale)…');
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`web build failed (exit ${r.status}): run \`npm run build:web\` to see why`);
}
