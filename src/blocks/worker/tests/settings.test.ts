/**
 * The worker block's settings: defaults, the thumbnail directory's resolution, bad values named by
 * variable.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../platform/settings.ts';
import { readWorkerSettings, thumbnailDirOf } from '../settings.ts';

describe('worker settings', () => {
  it('has the documented defaults when nothing is set; thumbnails go to the data directory', () => {
    const defaults = readWorkerSettings({});
    expect(defaults).toEqual({
      thumbnailDir: undefined,
      retentionDays: 7,
      scanOnStart: true,
      tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' },
      queueKind: undefined,
      queue: {
        concurrency: 2,
        timeoutMs: 600_000,
        backoffBaseMs: 1000,
        leaseMs: 30_000,
        pollMs: 250,
      },
    });
    expect(thumbnailDirOf(defaults, { dataDir: '/srv/wsoptv' })).toBe('/srv/wsoptv/thumbnails');
    expect(readWorkerSettings({}, { dataDir: '/srv/wsoptv' }).thumbnailDir).toBe(
      '/srv/wsoptv/thumbnails',
    );
  });

  it('reads every variable; a relative thumbnail directory becomes absolute; empty counts as unset', () => {
    const env = {
      WSOPTV_THUMBNAIL_DIR: 'pics/thumbs',
      WSOPTV_WORKER_CONCURRENCY: '1',
      WSOPTV_JOB_TIMEOUT_MS: '100',
      WSOPTV_JOB_RETENTION_DAYS: '1',
      WSOPTV_SCAN_ON_START: 'false',
      WSOPTV_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
      WSOPTV_FFPROBE: '/opt/ffmpeg/bin/ffprobe',
      WSOPTV_JOB_QUEUE: 'sql',
      WSOPTV_JOB_LEASE_MS: '100',
      WSOPTV_JOB_BACKOFF_MS: '1',
      WSOPTV_JOB_POLL_MS: '5',
    };
    expect(readWorkerSettings(env, { dataDir: '/srv/wsoptv' })).toEqual({
      thumbnailDir: resolve('pics/thumbs'),
      retentionDays: 1,
      scanOnStart: false,
      tools: { ffmpeg: '/opt/ffmpeg/bin/ffmpeg', ffprobe: '/opt/ffmpeg/bin/ffprobe' },
      queueKind: 'sql',
      queue: { concurrency: 1, timeoutMs: 100, backoffBaseMs: 1, leaseMs: 100, pollMs: 5 },
    });
    expect(readWorkerSettings({ WSOPTV_THUMBNAIL_DIR: '' }).thumbnailDir).toBeUndefined();
    expect(readWorkerSettings({ WSOPTV_JOB_QUEUE: 'bullmq' }).queueKind).toBe('bullmq');
  });

  it.each([
    ['WSOPTV_WORKER_CONCURRENCY', '0'],
    ['WSOPTV_JOB_TIMEOUT_MS', '99'],
    ['WSOPTV_JOB_RETENTION_DAYS', 'a week'],
    ['WSOPTV_SCAN_ON_START', 'yes'],
    ['WSOPTV_JOB_QUEUE', 'redis'],
    ['WSOPTV_JOB_LEASE_MS', '99'],
    ['WSOPTV_JOB_BACKOFF_MS', '0'],
    ['WSOPTV_JOB_POLL_MS', '4.5'],
  ])('refuses a bad %s (%s) with a ConfigError naming it', (name, value) => {
    const read = () => readWorkerSettings({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/invalid worker settings/);
    expect(read).toThrow(new RegExp(`${name}: `));
  });
});
