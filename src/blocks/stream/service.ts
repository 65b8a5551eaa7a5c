/**
 * The stream block's logic: a playback from request to answer. Who may play is access.ts, where
 * the bytes are (cache:v1, or the NAS when the cache is down) locate.ts, playback sessions and
 * slots sessions.ts, and the answer itself send-file.ts (or X-Accel-Redirect for nginx).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BlockError,
  type BlockClient,
  type BlockSetupContext,
  type HealthReport,
} from '../../orchestration/index.ts';
import { errorMessage } from '../../platform/errors.ts';
import { Access } from './access.ts';
import { Locator } from './locate.ts';
import { loadOrCreateKey, MediaTokens } from './media-token.ts';
import {
  CACHE_TIMEOUT_MS,
  MEDIA_TYPE,
  RETRY_AFTER_S,
  StreamErrors,
  type MediaFile,
  type Playback,
  type Viewer,
} from './models.ts';
import { openFile, sendFile } from './send-file.ts';
import { Playbacks } from './sessions.ts';
import type { StreamSettings } from './settings.ts';

export class StreamService {
  readonly playbacks: Playbacks;
  private readonly access: Access;
  private readonly where: Locator;

  static async create(ctx: BlockSetupContext<StreamSettings>): Promise<StreamService> {
    return new StreamService(ctx, new MediaTokens(await loadOrCreateKey(ctx.shared.dataDir)));
  }

  private constructor(
    private readonly ctx: BlockSetupContext<StreamSettings>,
    tokens: MediaTokens,
  ) {
    const c = ctx.client;
    this.access = new Access(tokens, ctx.settings.mediaUrlTtlMs);
    this.where = new Locator(ctx.shared.libraryDir);
    const slot = (p: Viewer) => ({ user_id: p.user_id, session_id: p.session_id });
    this.playbacks = new Playbacks(
      ctx.settings.slots,
      {
        acquire: (via, p) =>
          this.where.call(via, 'acquire_stream_slot', slot(p), () =>
            this.playbacks.decideLocally(p),
          ),
        touch: async (via, p) =>
          (
            await this.where.call(via, 'touch_stream_slot', slot(p), () => ({
              active: this.playbacks.holders.has(p.session_id),
            }))
          ).active,
        started: (via, p) => {
          void via.publishOrLog('stream_started', {
            session_id: p.session_id,
            user_id: p.user_id,
            content_id: p.content_id,
            tier: p.file.tier,
          });
          via
            .request('content:v1', 'record_play', { user_id: p.user_id, content_id: p.content_id })
            .catch((err) =>
              via.log.warn(
                { err, content_id: p.content_id },
                'record_play failed; playback goes on',
              ),
            );
        },
        ended: (p, duration_ms) => {
          // Not through where.call(): a release that fails (cache down, or stopping with us)
          // only means the slot idles out there.
          c.request('cache:v1', 'release_stream_slot', slot(p), {
            timeoutMs: CACHE_TIMEOUT_MS,
          }).catch((err) =>
            c.log.debug({ err, session_id: p.session_id }, 'slot not released: it idles out'),
          );
          void c.publishOrLog('stream_stopped', {
            session_id: p.session_id,
            user_id: p.user_id,
            content_id: p.content_id,
            duration_ms,
            bytes_sent: p.bytes_sent,
          });
        },
      },
      c,
    );
  }

  /** GET and HEAD /api/stream/:contentId. HEAD answers headers only: no slot, no session. */
  async play(
    req: FastifyRequest,
    reply: FastifyReply,
    contentId: string,
    st?: string,
  ): Promise<FastifyReply> {
    const v = await this.access.viewer(req, contentId, st);
    const via = this.ctx.client.withCorrelation(req.id);
    let p: Playback | undefined;
    try {
      if (req.method === 'HEAD')
        return await this.answer(
          req,
          reply,
          this.playbacks.live.get(v.session_id)?.file ?? (await this.where.locate(contentId, via)),
          via,
        );
      p = await this.playbacks.enter(v, via, async () => {
        if (v.media_token) await this.access.checkAuthSession(v, via);
        return this.where.locate(contentId, via);
      });
      this.playbacks.track(p, reply.raw);
      return await this.answer(req, reply, p.file, via, p);
    } catch (err) {
      const e = err instanceof BlockError ? err : StreamErrors.unavailable(errorMessage(err));
      // Never played: give the slot back now.
      if (p && p.bytes_sent === 0 && e.status === 503) this.playbacks.end(p.session_id);
      if (e.status === 429) reply.header('retry-after', RETRY_AFTER_S);
      if (e.status >= 404)
        void via.publishOrLog('stream_error', {
          content_id: contentId,
          user_id: v.user_id,
          code: e.code,
          message: e.message,
        });
      throw e;
    }
  }

  /**
   * GET /api/stream/:contentId/info (bearer): a signed URL for the <video> element and what to
   * expect.
   */
  async info(req: FastifyRequest, content_id: string) {
    const { user, session_id: auth_session_id } = req.session!;
    const via = this.ctx.client.withCorrelation(req.id);
    const item = await via
      .request('content:v1', 'get_content', { content_id })
      .catch((err) => Promise.reject(this.where.fileError(err, content_id)));
    if (!item) throw StreamErrors.notFound(content_id);
    const file = await this.where.locate(content_id, via);
    const expires_at = Date.now() + this.ctx.settings.mediaUrlTtlMs;
    const session_id = randomUUID();
    const st = this.access.tokens.sign({
      user_id: user.id,
      auth_session_id,
      content_id,
      session_id,
      expires_at,
    });
    const m = item.metadata;
    const codecs =
      typeof m.codecs === 'string'
        ? m.codecs
        : [m.video_codec, m.audio_codec].filter((c) => typeof c === 'string').join(', ') || null;
    return {
      url: `/api/stream/${encodeURIComponent(content_id)}?st=${st}`,
      expires_at: new Date(expires_at).toISOString(),
      session_id,
      duration_seconds: item.duration_seconds,
      size: file.size,
      mime_type: MEDIA_TYPE,
      codecs,
      tier: file.tier,
    };
  }

  /** POST /api/stream/:contentId/stop: the player is done; the slot is free at once. */
  async stop(req: FastifyRequest, contentId: string, st?: string): Promise<boolean> {
    return this.playbacks.end((await this.access.viewer(req, contentId, st)).session_id);
  }

  /**
   * user_logout / user_suspended: refuse their media tokens from now on and end their playbacks.
   */
  revoke(what: 'session' | 'user', id: string): void {
    this.access.revoke(what, id);
    this.playbacks.endWhere((p) => (what === 'session' ? p.auth_session_id : p.user_id) === id);
  }

  activeStreams() {
    const iso = (ms: number) => new Date(ms).toISOString();
    return [...this.playbacks.live.values()].map((p) => ({
      session_id: p.session_id,
      user_id: p.user_id,
      content_id: p.content_id,
      tier: p.file.tier,
      started_at: iso(p.started_at),
      bytes_sent: p.bytes_sent,
      last_active_at: iso(p.last_active),
    }));
  }

  health(): HealthReport {
    return this.where.health();
  }

  private async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    file: MediaFile,
    via: BlockClient,
    p?: Playback,
  ): Promise<FastifyReply> {
    const prefix = this.ctx.settings.accelRedirectPrefix;
    if (prefix)
      return reply
        .header('x-accel-redirect', `${prefix}${await this.where.internalPath(file, via)}`)
        .send();
    const tryOpen = (f: MediaFile) =>
      openFile(f.path).catch((err: NodeJS.ErrnoException) => Promise.reject(StreamErrors.io(err)));
    const fd = await tryOpen(file).catch(async (err) => {
      if (!p) throw err;
      // The session's copy went away (e.g. SSD eviction): ask again once.
      p.file = await this.where.locate(p.content_id, via);
      return tryOpen(p.file);
    });
    return sendFile(req, reply, fd, {
      onBytes: (n) => void (p && (p.bytes_sent += n)),
      onError: (err) =>
        void via.publishOrLog('stream_error', {
          content_id: file.content_id,
          user_id: p?.user_id ?? null,
          code: 'READ_FAILED',
          message: err.message,
        }),
    });
  }
}
