/** What every job gets to work with, and the helpers several jobs share. */
import { execFile } from 'node:child_process';
import type {
  BlockClient,
  BlockSetupContext,
  EventName,
  EventPayload,
} from '../../../orchestration/index.ts';
import { realPathUnder } from '../../../platform/paths.ts';
import type { JobQueue } from '../../../platform/queue/index.ts';
import { WorkerErrors, type Job, type JobKind } from '../models.ts';
import type { ResolvedWorkerSettings, Tools } from '../settings.ts';

/**
 * progress: 0–100, stored with the job. signal: aborts on the time limit and on shutdown; pass it
 * to child processes and streams. deadline: epoch ms when the attempt's time limit runs out.
 * client: speaks with the job's id as correlation id, so every log line and call of one job can be
 * found.
 */
export interface JobContext {
  job: Job;
  progress(percent: number): Promise<void>;
  signal: AbortSignal;
  deadline: number;
  client: BlockClient;
  settings: ResolvedWorkerSettings;
  shared: BlockSetupContext['shared'];
  queue: JobQueue<JobKind>;
}
export type JobHandler = (ctx: JobContext) => Promise<Record<string, unknown>>;

/**
 * Runs ffmpeg or ffprobe. A missing program is FFMPEG_MISSING naming it; other failures quote
 * ffmpeg's last lines.
 */
export function run(
  ctx: { settings: { tools: Tools }; signal: AbortSignal },
  program: keyof Tools,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  const path = ctx.settings.tools[program];
  return new Promise((resolve, reject) =>
    execFile(path, args, { signal: ctx.signal, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (!err) resolve({ stdout, stderr });
      else if (code === 'ENOENT' || code === 'EACCES')
        reject(WorkerErrors.ffmpegMissing(program, path, `WSOPTV_${program.toUpperCase()}`));
      else
        reject(
          ctx.signal.aborted
            ? // the queue aborts with a BlockError; AbortSignal.timeout with a DOMException
              (ctx.signal.reason as Error)
            : WorkerErrors.media(
                `${program} failed: ${stderr.trim().split('\n').slice(-2).join(' | ') || err.message}`,
              ),
        );
    }),
  );
}

/** The job's content item and the real path of its video, confined to the library. */
export async function mediaOf(ctx: JobContext) {
  const content = await ctx.client.request('content:v1', 'get_content', {
    content_id: String(ctx.job.payload.content_id),
  });
  if (!content) throw WorkerErrors.contentGone(String(ctx.job.payload.content_id));
  return { content, file: await realPathUnder(ctx.shared.libraryDir, content.media_path) };
}

/** Events are hints: a failed publish is logged and never fails a job whose work is done. */
export const emit = <E extends EventName>(
  ctx: Pick<JobContext, 'client'>,
  event: E,
  payload: EventPayload<E>,
): Promise<void> =>
  ctx.client
    .publish(event, payload)
    .catch((err) => ctx.client.log.warn({ err, event }, 'event not published'));
