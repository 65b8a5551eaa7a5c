/** The job types: what each one runs and what its payload must hold (checked at enqueue). */
import { z } from 'zod';
import type { JobKind } from '../models.ts';
import { cacheWarm } from './cache-warm.ts';
import { cleanup } from './cleanup.ts';
import type { JobHandler } from './common.ts';
import { libraryScan } from './library-scan.ts';
import { probe } from './probe.ts';
import { thumbnail } from './thumbnail.ts';

/** Content ids name files (`<id>.jpg`, `<id>.mp4`): letters, digits, - and _ only. */
export const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ForContent = z.object({
  content_id: z.string().regex(SAFE_ID, 'letters, digits, - or _ (at most 64)'),
});

export const JOBS: Record<
  JobKind,
  { run: JobHandler; payload: z.ZodType<Record<string, unknown>> }
> = {
  probe: { run: probe, payload: ForContent },
  thumbnail: { run: thumbnail, payload: ForContent },
  cache_warm: {
    run: cacheWarm,
    payload: ForContent.extend({ media_path: z.string().min(1).max(1000).optional() }),
  },
  // Extra keys are kept: the admin block records who asked (`requested_by`).
  library_scan: { run: libraryScan, payload: z.looseObject({}) },
  cleanup: { run: cleanup, payload: z.looseObject({}) },
};
