/**
 * A real host running the real cache block, with content:v1 mocked from its contract: the
 * mock answers get_content from `items` (content id → media path, or null for "no such item").
 * Every host gets its own library, SSD directory and (with Redis) bus namespace and key prefix.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  contentV1,
  mockBlock,
  type BlockManifest,
  type Content,
  type EventName,
  type MockBlock,
} from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import cacheBlock from '../index.ts';

export const content = (id: string, media_path: string): Content => ({
  id,
  title: id,
  description: '',
  catalog: 'WSOP',
  duration_seconds: null,
  file_size: null,
  media_path,
  thumbnail_url: null,
  added_at: new Date().toISOString(),
  metadata: {},
});

export interface Host {
  app: App;
  root: string;
  library: string;
  ssd: string;
  items: Map<string, string | null>;
  contentMock: MockBlock<'content:v1'>;
  /** Events the cache published, by name. */
  seen: Record<string, any[]>;
  lines: Array<Record<string, unknown>>;
  cache: ReturnType<App['orchestrator']['client']>;
  close(): Promise<void>;
}

export const tempRoot = (label: string) => mkdtempSync(join(tmpdir(), `wsoptv-cache-${label}-`));
export const uniq = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * Starts a host; `root` may be shared by two hosts (same library and SSD directory); `blocks`: more
 * mocks to host.
 */
export async function startHost(
  env: Record<string, string> = {},
  root = tempRoot('host'),
  blocks: Array<BlockManifest<any>> = [],
): Promise<Host> {
  const library = join(root, 'library');
  const ssd = join(root, 'ssd');
  mkdirSync(library, { recursive: true });
  const items = new Map<string, string | null>();
  const contentMock = mockBlock(
    'content:v1',
    {
      get_content: ({ content_id }) => {
        const path = items.get(content_id);
        return path ? content(content_id, path) : null;
      },
    },
    Object.keys(contentV1.actions),
  );
  const { logger, lines } = memoryLogger();
  const config = loadConfig({
    WSOPTV_DATA_DIR: join(root, 'data'),
    WSOPTV_LIBRARY_DIR: library,
    WSOPTV_SSD_CACHE_DIR: ssd,
    LOG_LEVEL: 'info',
    ...env,
  });
  const app = await buildHost(config, logger, [cacheBlock, contentMock.manifest, ...blocks]);
  const seen: Record<string, any[]> = {};
  for (const e of ['hot_content_detected', 'ssd_cache_full'] as const satisfies EventName[]) {
    seen[e] = [];
    await app.orchestrator.subscribe(e, (p) => void seen[e].push(p));
  }
  return {
    app,
    root,
    library,
    ssd,
    items,
    contentMock,
    seen,
    lines,
    cache: app.orchestrator.client('stream'),
    async close() {
      await app.close();
    },
  };
}

export const removeRoot = (root: string) => rmSync(root, { recursive: true, force: true });

/**
 * A real MP4 of several MiB (noise does not compress), so that copying it takes many chunks:
 * test/support's samples are a few hundred KiB whatever the bitrate asked.
 */
export function noisyMp4(dest: string, seconds = 3): void {
  mkdirSync(dirname(dest), { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=s=960x540:r=25:d=${seconds},noise=alls=80:allf=t+u`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-shortest',
    '-movflags',
    '+faststart',
    dest,
  ]);
}
