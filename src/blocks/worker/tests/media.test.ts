/**
 * The media jobs on real MP4s made by ffmpeg, through the real worker block in a host with a
 * content mock: probe, thumbnail (including black frames), a library scan that ends with
 * durations and thumbnails on every item, cache warming, cleanup, and ffmpeg missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithFfmpeg, makeLibrary, sampleMp4 } from '../../../../test/support/media.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import {
  cacheMock,
  contentMock,
  dirs,
  startWorkerHost,
  workerEnv,
  type WorkerHost,
} from './helpers.ts';

/**
 * Width of an image or video and whether its picture is (almost) black, decoded by ffmpeg itself.
 */
function inspect(file: string): { width: number; black: boolean } {
  const width = Number(
    execFileSync('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width',
      '-of',
      'csv=p=0',
      file,
    ])
      .toString()
      .trim(),
  );
  const log = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostats',
      '-i',
      file,
      '-vf',
      'signalstats,metadata=print:key=lavfi.signalstats.YAVG',
      '-f',
      'null',
      '-',
    ],
    { encoding: 'utf8' },
  ).stderr;
  const yavg = Number(/YAVG=([\d.]+)/.exec(log)?.[1]);
  return { width, black: yavg < 40 };
}

/** 3 s of black, then 2 s of test pattern: the middle is black, a later frame is not. */
function blackMiddleMp4(dest: string): void {
  mkdirSync(join(dest, '..'), { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=black:s=320x180:r=25:d=3',
    '-f',
    'lavfi',
    '-i',
    'testsrc=s=320x180:r=25:d=2',
    '-filter_complex',
    '[0:v][1:v]concat=n=2:v=1:a=0[v]',
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    dest,
  ]);
}

describeWithFfmpeg('media jobs on real files', () => {
  const d = dirs();
  let host: WorkerHost;
  const cache = cacheMock();
  beforeAll(async () => {
    host = await startWorkerHost(workerEnv(d), { blocks: [cache.manifest] });
  });
  afterAll(() => host?.app.close());
  const enqueue = (
    type: 'probe' | 'thumbnail' | 'library_scan' | 'cache_warm' | 'cleanup',
    payload: Record<string, unknown> = {},
  ) => host.client.request('worker:v1', 'enqueue', { type, payload });

  it('probe: duration, codecs, resolution and bitrate, written to the content item', async () => {
    makeLibrary(d.library, { 'WSOP/probe.mp4': { seconds: 4, width: 320, height: 180 } });
    const item = host.content.put('WSOP/probe.mp4', { metadata: { year: 2024 } });
    const job = await host.until((await enqueue('probe', { content_id: item.id })).id);
    const c = host.content.items.get(item.id)!;
    expect(Math.abs(c.duration_seconds! - 4)).toBeLessThan(0.2);
    expect(c.metadata).toMatchObject({
      year: 2024,
      video_codec: 'h264',
      audio_codec: 'aac',
      width: 320,
      height: 180,
    });
    expect(c.metadata.bitrate).toBeGreaterThan(1000);
    expect(job.result).toMatchObject({ video_codec: 'h264', width: 320 });
    expect(host.content.callsOf('update_content')).toContainEqual({
      content_id: item.id,
      patch: { duration_seconds: c.duration_seconds, metadata: c.metadata },
    });
  });

  it('thumbnail: a 480 px wide JPEG from the middle, renamed into place, served URL on the item, event sent', async () => {
    makeLibrary(d.library, { 'WSOP/thumb.mp4': { seconds: 4 } });
    const item = host.content.put('WSOP/thumb.mp4');
    const job = await host.until((await enqueue('thumbnail', { content_id: item.id })).id);
    const file = join(d.thumbs, `${item.id}.jpg`);
    expect(readFileSync(file).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(inspect(file)).toEqual({ width: 480, black: false });
    expect(job.result).toMatchObject({
      thumbnail_url: `/api/thumbnails/${item.id}.jpg`,
      at_seconds: expect.closeTo(2, 0),
      black: false,
    });
    expect(host.content.items.get(item.id)!.thumbnail_url).toBe(`/api/thumbnails/${item.id}.jpg`);
    await waitFor(
      () => host.events.thumbnail_generated.some((e) => e.content_id === item.id),
      2000,
    );
    expect(readdirSync(d.thumbs).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('thumbnail: a black middle frame makes it try a later one; an all-black video still gets one', async () => {
    blackMiddleMp4(join(d.library, 'WSOP/black-middle.mp4'));
    makeLibrary(d.library, { 'WSOP/all-black.mp4': { seconds: 3, black: true } });
    const a = host.content.put('WSOP/black-middle.mp4');
    const b = host.content.put('WSOP/all-black.mp4');
    expect(inspect(sampleMp4({ seconds: 3, black: true })).black).toBe(true);
    const [ja, jb] = await Promise.all(
      [a, b].map(async (c) => host.until((await enqueue('thumbnail', { content_id: c.id })).id)),
    );
    expect(ja.result).toMatchObject({ black: false });
    expect((ja.result as { at_seconds: number }).at_seconds).toBeGreaterThan(3);
    expect(inspect(join(d.thumbs, `${a.id}.jpg`))).toEqual({ width: 480, black: false });
    expect(jb.result).toMatchObject({ black: true });
    expect(existsSync(join(d.thumbs, `${b.id}.jpg`))).toBe(true);
  });

  it('a job for a deleted item fails at once with CONTENT_NOT_FOUND; a bad payload is refused at enqueue', async () => {
    const job = await enqueue('probe', { content_id: 'gone-1' });
    expect(await host.until(job.id, 'failed')).toMatchObject({
      attempts: 1,
      error: expect.stringContaining('CONTENT_NOT_FOUND'),
    });
    await waitFor(() => host.events.job_failed.some((e) => e.job_id === job.id), 2000);
    expect(host.events.job_failed.find((e) => e.job_id === job.id)).toMatchObject({
      type: 'probe',
      error: expect.stringContaining('CONTENT_NOT_FOUND'),
    });
    await expect(enqueue('probe', {})).rejects.toMatchObject({ code: 'INVALID_JOB_PAYLOAD' });
    await expect(enqueue('thumbnail', { content_id: '../../etc/passwd' })).rejects.toMatchObject({
      code: 'INVALID_JOB_PAYLOAD',
    });
  });

  it('library scan: creates one item per new MP4 (catalog, title, size), probes and thumbnails each, skips them next time', async () => {
    const lib = join(d.root, 'scan-lib');
    makeLibrary(lib, {
      'WSOP/2024/Main_Event--Day.1.mp4': { seconds: 2 },
      'HCL/High  Stakes_Poker.MP4': { seconds: 3 },
      'loose_file.mp4': { seconds: 1 },
    });
    writeFileSync(join(lib, 'HCL/notes.txt'), 'not a video');
    mkdirSync(join(lib, '.trash'));
    writeFileSync(join(lib, 'HCL/._High Stakes.mp4'), 'macOS fork');
    const outside = join(d.root, 'outside');
    makeLibrary(outside, { 'secret.mp4': { seconds: 1 } });
    symlinkSync(join(outside, 'secret.mp4'), join(lib, 'HCL/link-out.mp4'));
    symlinkSync(outside, join(lib, 'linked-folder'));
    const scanHost = await startWorkerHost(
      workerEnv({ ...d, library: lib, data: join(d.root, 'scan-data') }),
    );
    try {
      const job = await scanHost.client.request('worker:v1', 'enqueue', {
        type: 'library_scan',
        priority: 'high',
      });
      const done = await scanHost.until(job.id);
      expect(done).toMatchObject({
        progress: 100,
        result: { scanned: 3, new: 3, skipped: 0, errors: 0 },
      });
      await waitFor(() => scanHost.events.library_scan_completed.length === 1, 2000);
      expect(scanHost.events.library_scan_completed[0]).toEqual({
        job_id: job.id,
        scanned: 3,
        new: 3,
        skipped: 0,
      });
      const items = [...scanHost.content.items.values()].sort((a, b) =>
        a.media_path.localeCompare(b.media_path),
      );
      expect(items.map((c) => [c.media_path, c.catalog, c.title])).toEqual([
        ['HCL/High  Stakes_Poker.MP4', 'HCL', 'High Stakes Poker'],
        ['loose_file.mp4', 'Unsorted', 'loose file'],
        ['WSOP/2024/Main_Event--Day.1.mp4', 'WSOP', 'Main Event Day 1'],
      ]);
      for (const c of items) expect(c.file_size).toBe(statSync(join(lib, c.media_path)).size);
      // content_added → probe + thumbnail for every new item, through the content contract.
      await waitFor(
        () => items.every((c) => c.duration_seconds !== null && c.thumbnail_url !== null),
        30_000,
        { message: 'durations and thumbnails' },
      );
      expect(items.map((c) => Math.round(c.duration_seconds!))).toEqual([3, 1, 2]);
      for (const c of items) expect(inspect(join(d.thumbs, `${c.id}.jpg`)).width).toBe(480);

      const again = await scanHost.until(
        (await scanHost.client.request('worker:v1', 'enqueue', { type: 'library_scan' })).id,
      );
      expect(again.result).toMatchObject({ scanned: 3, new: 0, skipped: 3 });
      expect(scanHost.content.items.size).toBe(3);
      expect((await scanHost.client.request('worker:v1', 'get_queue_stats', {})).completed).toBe(
        2 + 3 * 2 + 1,
      ); // 2 scans, 3 × (probe, thumbnail), 1 cleanup
    } finally {
      await scanHost.app.close();
    }
  });

  it('content_added heard twice (two worker processes, a replay) still queues each job once', async () => {
    makeLibrary(d.library, { 'WSOP/twice.mp4': { seconds: 1 } });
    const item = host.content.put('WSOP/twice.mp4');
    const before = (await host.client.request('worker:v1', 'list_jobs', { limit: 100 })).total;
    await host.app.orchestrator
      .client('content')
      .publish('content_added', host.content.summary(item));
    await host.app.orchestrator
      .client('content')
      .publish('content_added', host.content.summary(item));
    await waitFor(
      () =>
        host.content.items.get(item.id)!.thumbnail_url !== null &&
        host.content.items.get(item.id)!.duration_seconds !== null,
      20_000,
    );
    const jobs = (await host.client.request('worker:v1', 'list_jobs', { limit: 100 })).items.filter(
      (j) => j.payload.content_id === item.id,
    );
    expect(jobs.map((j) => j.type).sort()).toEqual(['probe', 'thumbnail']);
    expect((await host.client.request('worker:v1', 'list_jobs', { limit: 100 })).total).toBe(
      before + 2,
    );
  });

  it('cache_warm: hot_content_detected → a high-priority job that has cache:v1 warm_content do the copy; the worker writes nothing to the SSD', async () => {
    const item = host.content.put('WSOP/hot.mp4');
    await host.app.orchestrator.client('cache').publish('hot_content_detected', {
      content_id: item.id,
      media_path: 'WSOP/hot.mp4',
      plays_7d: 7,
    });
    await waitFor(() => host.events.cache_warmed.some((e) => e.content_id === item.id), 10_000);
    expect(cache.callsOf('warm_content')).toEqual([
      { content_id: item.id, media_path: 'WSOP/hot.mp4' },
    ]);
    const job = (
      await host.client.request('worker:v1', 'list_jobs', { status: 'completed', limit: 100 })
    ).items.find((j) => j.type === 'cache_warm')!;
    expect(job).toMatchObject({
      priority: 'high',
      progress: 100,
      result: { copied: true, bytes: 4096, path: `/ssd/${item.id}.mp4` },
    });
    expect(host.events.cache_warmed.filter((e) => e.content_id === item.id)).toEqual([
      { content_id: item.id, bytes: 4096 },
    ]);
    const again = await host.until(
      (
        await host.client.request('worker:v1', 'enqueue', {
          type: 'cache_warm',
          payload: { content_id: item.id },
        })
      ).id,
    );
    expect(again.result).toEqual({ copied: false, bytes: 4096, path: `/ssd/${item.id}.mp4` });
    expect(cache.callsOf('warm_content')[1]).toEqual({ content_id: item.id });
    // up to date: no event
    expect(host.events.cache_warmed.filter((e) => e.content_id === item.id)).toHaveLength(1);
    expect(existsSync(d.ssd) ? readdirSync(d.ssd) : []).toEqual([]);
  });

  it("cleanup: removes temporary files older than an hour from the thumbnail folder, nothing else (the SSD folder is the cache block's)", async () => {
    mkdirSync(d.ssd, { recursive: true });
    mkdirSync(d.thumbs, { recursive: true });
    const old = Date.now() / 1000 - 2 * 3600;
    for (const [dir, name, aged] of [
      [d.ssd, 'x.mp4.1.tmp', true],
      [d.thumbs, 'y.jpg.2.tmp', true],
      [d.thumbs, 'fresh.jpg.3.tmp', false],
      [d.ssd, 'keep.mp4', true],
    ] as const) {
      writeFileSync(join(dir, name), 'x');
      if (aged) utimesSync(join(dir, name), old, old);
    }
    const job = await host.until((await enqueue('cleanup')).id);
    expect(job.result).toMatchObject({ temp_files_removed: 1 });
    expect(existsSync(join(d.ssd, 'x.mp4.1.tmp'))).toBe(true);
    expect(existsSync(join(d.thumbs, 'y.jpg.2.tmp'))).toBe(false);
    expect(existsSync(join(d.thumbs, 'fresh.jpg.3.tmp'))).toBe(true);
    expect(existsSync(join(d.ssd, 'keep.mp4'))).toBe(true);
  });
});

describeWithFfmpeg('ffmpeg missing', () => {
  it('probe and thumbnail fail with FFMPEG_MISSING naming the program; nothing crashes; health says degraded', async () => {
    const d = dirs();
    makeLibrary(d.library, { 'WSOP/a.mp4': { seconds: 1 } });
    const host = await startWorkerHost(
      workerEnv(d, {
        WSOPTV_FFMPEG: '/nonexistent/ffmpeg',
        WSOPTV_FFPROBE: '/nonexistent/ffprobe',
      }),
    );
    try {
      const item = host.content.put('WSOP/a.mp4');
      const probe = await host.client.request('worker:v1', 'enqueue', {
        type: 'probe',
        payload: { content_id: item.id },
      });
      const thumb = await host.client.request('worker:v1', 'enqueue', {
        type: 'thumbnail',
        payload: { content_id: item.id },
      });
      for (const id of [probe.id, thumb.id]) {
        const failed = await host.until(id, 'failed');
        expect(failed.attempts).toBe(1);
        expect(failed.error).toMatch(
          /^FFMPEG_MISSING: ffprobe is not installed or not executable at "\/nonexistent\/ffprobe" \(.*WSOPTV_FFPROBE\)/,
        );
      }
      await waitFor(() => host.events.job_failed.length === 2, 2000);
      await waitFor(
        () =>
          host.app.orchestrator.localBlocks().find((b) => b.info.id === 'worker')?.info.status ===
          'degraded',
        5000,
      );
      const reason = host.app.orchestrator.localBlocks().find((b) => b.info.id === 'worker')!.info
        .status_reason;
      expect(reason).toMatch(/not found: probe and thumbnail jobs fail$/);
      expect(reason).toContain('ffprobe (/nonexistent/ffprobe)');
      expect(reason).toContain('ffmpeg (/nonexistent/ffmpeg)');
      // Everything else still works.
      const cleanup = await host.client.request('worker:v1', 'enqueue', { type: 'cleanup' });
      await host.until(cleanup.id);
    } finally {
      await host.app.close();
    }
  });
});

describe('start-up scan', () => {
  it('queues one library scan when the catalog is empty, none when it is not, and starts even with content down', async () => {
    const empty = dirs();
    const a = await startWorkerHost(workerEnv(empty, { WSOPTV_SCAN_ON_START: 'true' }));
    try {
      await waitFor(
        async () =>
          (await a.client.request('worker:v1', 'list_jobs', { limit: 10 })).items.some(
            (j) => j.type === 'library_scan',
          ),
        5000,
      );
    } finally {
      await a.app.close();
    }
    const known = contentMock();
    known.put('WSOP/x.mp4');
    const b = await startWorkerHost(workerEnv(dirs(), { WSOPTV_SCAN_ON_START: 'true' }), {
      content: known,
    });
    await waitFor(() => known.callsOf('list_contents').length === 1, 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(
      (await b.client.request('worker:v1', 'list_jobs', { limit: 10 })).items.map((j) => j.type),
    ).toEqual(['cleanup']);
    await b.app.close();
    const down = dirs();
    const c = await startWorkerHost(workerEnv(down, { WSOPTV_SCAN_ON_START: 'true' }), {
      content: null,
    });
    try {
      const info = c.app.orchestrator.localBlocks().find((x) => x.info.id === 'worker')!.info;
      expect(info.status).toBe('degraded');
      expect(info.status_reason).toMatch(/content:v1/);
      await waitFor(
        () =>
          c.lines.some((l) =>
            String(l.msg).includes('start-up library scan: content not reachable yet'),
          ),
        5000,
      );
    } finally {
      await c.app.close();
    }
  });
});
