/**
 * `probe`: ffprobe → duration, codecs, resolution, bitrate → the content item (through content:v1).
 */
import { mediaOf, run, type JobContext, type JobHandler } from './common.ts';

interface Stream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
}

export async function probeFile(ctx: Pick<JobContext, 'settings' | 'signal'>, file: string) {
  const { stdout } = await run(ctx, 'ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  const info = JSON.parse(stdout) as {
    streams?: Stream[];
    format?: { duration?: string; bit_rate?: string };
  };
  const [video, audio] = (['video', 'audio'] as const).map((t) =>
    info.streams?.find((s) => s.codec_type === t),
  );
  const duration = Number(info.format?.duration);
  return {
    duration_seconds: Number.isFinite(duration) && duration > 0 ? duration : null,
    metadata: {
      video_codec: video?.codec_name ?? null,
      audio_codec: audio?.codec_name ?? null,
      width: video?.width ?? null,
      height: video?.height ?? null,
      bitrate: Number(info.format?.bit_rate) || null,
    },
  };
}

export const probe: JobHandler = async (ctx) => {
  const { content, file } = await mediaOf(ctx);
  const { duration_seconds, metadata } = await probeFile(ctx, file);
  // A patch replaces metadata as a whole: keep what others put there (year, event, …).
  await ctx.client.request('content:v1', 'update_content', {
    content_id: content.id,
    patch: { duration_seconds, metadata: { ...content.metadata, ...metadata } },
  });
  return { duration_seconds, ...metadata };
};
