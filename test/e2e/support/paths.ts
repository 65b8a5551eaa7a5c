import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Screenshots, server logs: ignored by git (test-results/). */
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
