/**
 * Real MP4 files for tests (H.264 video + AAC audio), made with Debian's ffmpeg. Generated once
 * per parameter set into a shared temp folder and copied where a test needs them. With CI=true
 * ffmpeg must be installed (.ci/run installs it); elsewhere its absence skips loudly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe } from 'vitest';

export const ffmpegInstalled = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

export interface Mp4Options {
  seconds?: number;
  width?: number;
  height?: number;
  /** A solid black picture (for black-frame detection) instead of the moving test pattern. */
  black?: boolean;
  /** Extra bitrate to make bigger files (kbit/s). */
  bitrateK?: number;
}

const CACHE = join(tmpdir(), 'wsoptv-test-media');

/** Path of a generated MP4 with these options (made on first use). */
export function sampleMp4(opts: Mp4Options = {}): string {
  const { seconds = 4, width = 320, height = 180, black = false, bitrateK } = opts;
  const name = `s${seconds}-${width}x${height}${black ? '-black' : ''}${bitrateK ? `-b${bitrateK}` : ''}.mp4`;
  const out = join(CACHE, name);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const video = black
    ? `color=c=black:s=${width}x${height}:r=25:d=${seconds}`
    : `testsrc=s=${width}x${height}:r=25:d=${seconds}`;
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    video,
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
    ...(bitrateK
      ? [
          '-b:v',
          `${bitrateK}k`,
          '-minrate',
          `${bitrateK}k`,
          '-maxrate',
          `${bitrateK}k`,
          '-bufsize',
          `${bitrateK * 2}k`,
        ]
      : []),
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-shortest',
    '-movflags',
    '+faststart',
    tmp,
  ]);
  renameSync(tmp, out); // atomic: parallel test files never see a half-written sample
  return out;
}

/** Copies generated samples into a library folder: `{ 'WSOP/2024/day1.mp4': { seconds: 3 } }`. */
export function makeLibrary(root: string, files: Record<string, Mp4Options>): void {
  for (const [rel, opts] of Object.entries(files)) {
    const dest = join(root, rel);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(sampleMp4(opts), dest);
  }
}

/** `describe` when ffmpeg is installed; under CI its absence fails, elsewhere it skips loudly. */
export function describeWithFfmpeg(name: string, fn: () => void): void {
  if (ffmpegInstalled) describe(name, fn);
  else if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error('ffmpeg is not installed and CI=true: install the Debian package ffmpeg');
    });
  } else {
    console.warn(`\n⚠ ffmpeg is not installed: SKIPPING "${name}"\n`);
    describe.skip(name, fn);
  }
}
