/**
 * The shared engine suite on MiniSearch (always) and MeiliSearch (when MEILI_URL points at a
 * server that answers; otherwise skipped with a loud warning: no MeiliSearch is installed here).
 */
import { randomUUID } from 'node:crypto';
import { Meilisearch } from 'meilisearch';
import { describe, it } from 'vitest';
import { MeiliEngine } from '../engines/meili.ts';
import { MiniSearchEngine } from '../engines/minisearch.ts';
import { engineSuite } from './engine-suite.ts';

engineSuite('minisearch', async () => new MiniSearchEngine());

const meiliUrl = process.env.MEILI_URL;
const meiliKey = process.env.MEILI_KEY;
const meiliUp = meiliUrl
  ? await new Meilisearch({ host: meiliUrl, apiKey: meiliKey, timeout: 1500 })
      .isHealthy()
      .catch(() => false)
  : false;

if (meiliUp) {
  const index = `wsoptv_test_${randomUUID().slice(0, 8)}`;
  engineSuite(
    'meilisearch',
    async () => new MeiliEngine({ url: meiliUrl!, key: meiliKey, index }),
    async () => {
      const client = new Meilisearch({ host: meiliUrl!, apiKey: meiliKey });
      await client.deleteIndex(index).waitTask();
    },
  );
} else {
  console.warn(
    `\n⚠ MeiliSearch ${meiliUrl ? `at ${meiliUrl} is unreachable` : 'is not configured (MEILI_URL unset)'}: SKIPPING the engine suite on MeiliSearch\n`,
  );
  describe.skip('search engine: meilisearch', () =>
    it('needs a MeiliSearch server at MEILI_URL', () => {}));
}
