/**
 * `npm run bench:scan`: the library scan of an archive-sized tree, to a browsable structure.
 *
 * Generates 1,056 empty `.mp4` files in the archive's real shapes (WSOP years 1973–2025 with Main
 * Event days and flights and bracelet events with buy-ins, HCL seasons, Poker After Dark episodes,
 * loose files), runs the real worker's `library_scan` into the real content block (embedded:
 * SQLite, memory bus), and times it from enqueue to the job's end. Then it checks the structure
 * through content:v2: every generated event is found with its episode count, and the Main Event
 * of 2024 lists its days in broadcast order. Media jobs (probe, thumbnail) fail on the empty
 * files in the background and are not part of the figure.
 *
 * Prints one summary line, then one JSON line. No anchor: the spec's target is "under 10 s
 * before probes" for this size.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/app/config.ts';
import { buildHost } from '../src/app/host.ts';
import contentBlock from '../src/blocks/content/index.ts';
import workerBlock from '../src/blocks/worker/index.ts';
import { authMock } from '../src/blocks/worker/tests/helpers.ts';

const TARGET_MS = 10_000;
const MAIN_DAYS = ['Day 1A', 'Day 1B', 'Day 1C', 'Day 1D', 'Day 2A', 'Day 2B', 'Day 3', 'Day 4'];
const LATE_DAYS = ['Day 5', 'Day 6', 'Day 7', 'Day 8', 'Final Table'];
const BRACELETS = [
  '$1,500 Millionaire Maker',
  '$10,000 Poker Players Championship',
  '$25,000 High Roller',
];

/** path → (event id it must land in, or null). */
function archive(): Map<string, string | null> {
  const files = new Map<string, string | null>();
  const add = (path: string, event: string | null) => files.set(path, event);
  for (let year = 1973; year <= 2025; year++) {
    const days =
      year >= 2010
        ? [...MAIN_DAYS, ...LATE_DAYS]
        : year >= 1995
          ? ['Day 1', 'Day 2', 'Day 3', 'Final Table']
          : ['Final Table'];
    for (const d of days) add(`WSOP/${year}/Main Event/${d}.mp4`, `wsop~${year}~main-event`);
    if (year >= 2005)
      for (const b of BRACELETS.slice(0, year >= 2015 ? 3 : 1))
        for (const d of ['Day 1', 'Day 2', 'Final Table'])
          add(
            `WSOP/${year}/${b}/${d}.mp4`,
            `wsop~${year}~${b
              .toLowerCase()
              .replace(/[^\p{L}\p{N}]+/gu, '-')
              .replace(/^-|-$/g, '')}`,
          );
  }
  for (let s = 1; s <= 8; s++)
    for (let e = 1; e <= 20; e++) add(`HCL/Season ${s}/Episode ${e}.mp4`, null);
  for (let e = 1; files.size < 1040; e++)
    add(`Poker After Dark/PAD_ep.${String(e).padStart(2, '0')}.mp4`, null);
  for (let i = 1; files.size < 1056; i++) add(`WSOP/Classic Hand ${i}.mp4`, null);
  return files;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'wsoptv-bench-scan-'));
  const library = join(work, 'library');
  const files = archive();
  for (const path of files.keys()) {
    mkdirSync(dirname(join(library, path)), { recursive: true });
    writeFileSync(join(library, path), '');
  }
  const expected = new Map<string, number>();
  for (const e of files.values()) if (e) expected.set(e, (expected.get(e) ?? 0) + 1);
  const env = {
    WSOPTV_DATA_DIR: join(work, 'data'),
    WSOPTV_LIBRARY_DIR: library,
    WSOPTV_SCAN_ON_START: 'false',
    WSOPTV_FFPROBE: join(work, 'no-ffprobe'),
    WSOPTV_FFMPEG: join(work, 'no-ffmpeg'),
    REDIS_URL: '',
    DATABASE_URL: '',
  };
  const app = await buildHost(loadConfig(env), pino({ level: 'fatal' }), [
    contentBlock,
    workerBlock,
    authMock().manifest,
  ]);
  try {
    const c = app.orchestrator.client('bench');
    const t0 = performance.now();
    const job = await c.request('worker:v1', 'enqueue', { type: 'library_scan', priority: 'high' });
    let state = job;
    while (state.status !== 'completed' && state.status !== 'failed') {
      await new Promise((r) => setTimeout(r, 20));
      state = (await c.request('worker:v1', 'get_job', { job_id: job.id })) ?? state;
    }
    const ms = performance.now() - t0;
    if (state.status === 'failed') throw new Error(`library scan failed: ${state.error}`);
    const found = new Map<string, number>();
    for (let offset = 0; ; offset += 100) {
      const page = await c.request('content:v2', 'list_events', { limit: 100, offset });
      for (const e of page.items) found.set(e.id, e.episode_count);
      if (offset + 100 >= page.total) break;
    }
    const wrong = [...expected].filter(([id, n]) => found.get(id) !== n).map(([id]) => id);
    const extra = [...found.keys()].filter((id) => !expected.has(id));
    const main2024 = await c.request('content:v2', 'get_event', {
      event_id: 'wsop~2024~main-event',
    });
    const order = main2024?.episodes.map((e) => e.title).join(', ') ?? '';
    const inOrder = order === [...MAIN_DAYS, ...LATE_DAYS].join(', ');
    const result = state.result as { scanned: number; new: number };
    const ok = wrong.length === 0 && extra.length === 0 && inOrder && result.new === files.size;
    console.log(
      `bench:scan — ${result.scanned} files scanned, ${result.new} new, in ${(ms / 1000).toFixed(2)} s ` +
        `(${Math.round(result.scanned / (ms / 1000))} files/s); ${found.size} events (expected ${expected.size}), ` +
        `${[...found.values()].reduce((a, b) => a + b, 0)} episodes in events; 2024 Main Event in order: ${inOrder ? 'yes' : `NO (${order})`}; ` +
        `target < ${TARGET_MS / 1000} s ${ms < TARGET_MS ? 'MET' : 'MISSED'}; structure ${ok ? 'CORRECT' : `WRONG (${[...wrong, ...extra].slice(0, 5).join(', ')})`}`,
    );
    console.log(
      JSON.stringify({
        files: result.scanned,
        new: result.new,
        scan_ms: Math.round(ms),
        events: found.size,
        events_expected: expected.size,
        episodes_in_events: [...found.values()].reduce((a, b) => a + b, 0),
        structure_correct: ok,
        target_met: ms < TARGET_MS,
      }),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await app.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
