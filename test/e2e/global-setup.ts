/**
 * Runs once before the e2e files: builds the web app when web/dist is missing or older than
 * any source under web/ (or the package manifest), and makes test-results/e2e/ for artifacts.
 */
import { mkdirSync } from 'node:fs';
import { buildWebIfStale } from '../../scripts/build-web.ts';
import { ARTIFACTS } from './support/paths.ts';

export default function setup(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  buildWebIfStale(process.env.E2E_REBUILD === 'true');
}
