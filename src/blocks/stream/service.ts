/**
 * The stream block's logic: who may play (bearer or signed media URL), where the bytes are
 * (cache:v1, or the NAS through content:v1 when the cache is down), playback sessions and
 * slots (sessions.ts), and the answer itself (send-file.ts, or X-Accel-Redirect for nginx).
 */
import { createHash, randomUUID } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BlockError,
  isInfrastructureError,
  type ActionInput,
  type ActionName,
  type ActionOutput,
  type BlockClient,
  type BlockSetupContext,
  type EventPayload,
  type HealthReport,
} from '../../orchestration/index.ts';
import { bearerToken } from '../../platform/http-auth.ts';
import { realPathUnder } from '../../platform/paths.ts';
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

type Cache<A extends ActionName<'cache:v1'>> = ActionOutput<'cache:v1', A>;
type StreamEvent = 'stream_started' | 'stream_stopped' | 'stream_error';

/** The playback session of bearer requests: one per (auth session, content). */
export const bearerPlayback = (authSession: string, contentId: string) =>
  `b-${createHash('sha256').update(`${authSession}\0${contentId}`).digest('base64url').slice(0, 32)}`;

export class StreamService {
  readonly playbacks: Playbacks;
  /** Auth sessions signed out, users suspended (→ when): their media tokens are refused. */
  private readonly revoked = new Map<string, number>();
  private readonly suspended = new Map<string, number>();
  private degradedSince: number | null = null;

  static async create(ctx: BlockSetupContext): Promise<StreamService> {
    const [nas, ssd] = await Promise.all(
      [ctx.config.libraryDir, ctx.config.cache.ssdDir].map((d) => realpath(d).catch(() => d)),
    );
    return new StreamService(ctx, new MediaTokens(await loadOrCreateKey(ctx.config.dataDir)), {
      nas: nas,
      ssd: ssd,
    });
  }

  private constructor(
    private readonly ctx: BlockSetupContext,
    private readonly tokens: MediaTokens,
    private readonly roots: Record<MediaFile['tier'], string>,
  ) {
    const c = ctx.client;
    const slot = (p: Viewer) => ({ user_id: p.user_id, session_id: p.session_id });
    this.playbacks = new Playbacks(
      ctx.config.stream,
      {
        acquire: (via, p) =>
          this.cache(via, 'acquire_stream_slot', slot(p), () => this.playbacks.decideLocally(p)),
        touch: async (via, p) =>
          (
            await this.cache(via, 'touch_stream_slot', slot(p), () => ({
              active: this.playbacks.holders.has(p.session_id),
            }))
          ).active,
        started: (via, p) => {
          this.emit(via, 'stream_started', {
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
          // Not through cache(): a release that fails (cache down, or stopping with us) only means the slot idles out there.
          c.request('cache:v1', 'release_stream_slot', slot(p), {
            timeoutMs: CACHE_TIMEOUT_MS,
          }).catch((err) =>
            c.log.debug({ err, session_id: p.session_id }, 'slot not released: it idles out'),
          );
          this.emit(c, 'stream_stopped', {
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
    const v = await this.viewer(req, contentId, st);
    const via = this.ctx.client.withCorrelation(req.id);
    let p: Playback | undefined;
    try {
      if (req.method === 'HEAD')
        return await this.answer(
          req,
          reply,
          this.playbacks.live.get(v.session_id)?.file ?? (await this.locate(contentId, via)),
          via,
        );
      p = await this.playbacks.enter(v, via, async () => {
        if (v.media_token) await this.checkAuthSession(v, via);
        return this.locate(contentId, via);
      });
      this.playbacks.track(p, reply.raw);
      return await this.answer(req, reply, p.file, via, p);
    } catch (err) {
      const e = err instanceof BlockError ? err : StreamErrors.unavailable((err as Error).message);
      if (p && p.bytes_sent === 0 && e.status === 503) this.playbacks.end(p.session_id); // never played: give the slot back now
      if (e.status === 429) reply.header('retry-after', RETRY_AFTER_S);
      if (e.status >= 404)
        this.emit(via, 'stream_error', {
          content_id: contentId,
          user_id: v.user_id,
          code: e.code,
          message: e.message,
        });
      throw e;
    }
  }

  /** GET /api/stream/:contentId/info (bearer): a signed URL for the <video> element and what to expect. */
  async info(req: FastifyRequest, content_id: string) {
    const { user, session_id: auth_session_id } = req.session!;
    const via = this.ctx.client.withCorrelation(req.id);
    const item = await via
      .request('content:v1', 'get_content', { content_id })
      .catch((err) => Promise.reject(this.fileError(err, content_id)));
    if (!item) throw StreamErrors.notFound(content_id);
    const file = await this.locate(content_id, via);
    const expires_at = Date.now() + this.ctx.config.stream.mediaUrlTtlS * 1000;
    const session_id = randomUUID();
    const st = this.tokens.sign({
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
    return this.playbacks.end((await this.viewer(req, contentId, st)).session_id);
  }

  /** user_logout / user_suspended: refuse their media tokens from now on and end their playbacks. */
  revoke(what: 'session' | 'user', id: string): void {
    const map = what === 'session' ? this.revoked : this.suspended;
    const now = Date.now();
    for (const [k, at] of map)
      if (now - at > this.ctx.config.stream.mediaUrlTtlS * 1000) map.delete(k); // their tokens have expired
    map.set(id, now);
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
    const since = this.degradedSince;
    return since === null
      ? { status: 'healthy' }
      : {
          status: 'degraded',
          reason: `cache unavailable since ${new Date(since).toISOString()}: serving from the NAS, slot limits kept in this process`,
        };
  }

  private async viewer(
    req: FastifyRequest,
    content_id: string,
    st: string | undefined,
  ): Promise<Viewer> {
    if (st !== undefined) {
      const t = this.tokens.verify(st);
      if (!t.ok) throw StreamErrors.badMediaToken(t.why);
      const c = t.claims;
      if (c.content_id !== content_id) throw StreamErrors.badMediaToken('is for another video');
      if (this.revoked.has(c.auth_session_id)) throw StreamErrors.revoked();
      if (c.issued_at <= (this.suspended.get(c.user_id) ?? -Infinity))
        throw StreamErrors.inactive('suspended');
      return { ...c, media_token: true };
    }
    const token = bearerToken(req);
    if (!token) throw StreamErrors.noToken();
    const s = await req.server.sessions.authenticate(token, req.id);
    if (s.user.status !== 'active') throw StreamErrors.inactive(s.user.status);
    return {
      user_id: s.user.id,
      auth_session_id: s.session_id,
      content_id,
      session_id: bearerPlayback(s.session_id, content_id),
      media_token: false,
    };
  }

  /** A media token's auth session must still be alive when its playback starts (events may be missed). */
  private async checkAuthSession(v: Viewer, via: BlockClient): Promise<void> {
    try {
      const [user, sessions] = await Promise.all([
        via.request('auth:v1', 'get_user', { user_id: v.user_id }),
        via.request('auth:v1', 'get_active_sessions', { user_id: v.user_id }),
      ]);
      if (user && user.status !== 'active') throw StreamErrors.inactive(user.status);
      if (!user || !sessions.some((s) => s.session_id === v.auth_session_id))
        throw StreamErrors.revoked();
    } catch (err) {
      if (!isInfrastructureError(err)) throw err;
      via.log.warn({ err }, 'auth unavailable: media token accepted on its signature');
    }
  }

  private locate(content_id: string, via: BlockClient): Promise<MediaFile> {
    return this.cache(via, 'get_stream_path', { content_id }, () =>
      this.fromNas(content_id, via),
    ).then(
      ({ path, tier, size }) => ({ content_id, path, tier, size }),
      (err) => Promise.reject(this.fileError(err, content_id)),
    );
  }

  /** The cache-down fallback: the path from the content database, the file from the NAS. */
  private async fromNas(content_id: string, via: BlockClient): Promise<Cache<'get_stream_path'>> {
    const item = await via.request('content:v1', 'get_content', { content_id });
    if (!item) throw StreamErrors.notFound(content_id);
    const path = await realPathUnder(this.ctx.config.libraryDir, item.media_path).catch(
      (err: NodeJS.ErrnoException) => Promise.reject(StreamErrors.io(err)),
    );
    const st = await stat(path);
    return { path, tier: 'nas', size: st.size, mtime_ms: st.mtimeMs };
  }

  private fileError(err: unknown, content_id: string): BlockError {
    if (
      err instanceof BlockError &&
      (err.code === 'FILE_UNAVAILABLE' || err.code === 'CONTENT_NOT_FOUND')
    )
      return err;
    return err instanceof BlockError && err.status === 404
      ? StreamErrors.notFound(content_id)
      : StreamErrors.unavailable(err instanceof Error ? err.message : String(err));
  }

  private async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    file: MediaFile,
    via: BlockClient,
    p?: Playback,
  ): Promise<FastifyReply> {
    const prefix = this.ctx.config.stream.accelRedirectPrefix;
    if (prefix)
      return reply
        .header('x-accel-redirect', `${prefix}${file.tier}/${this.relativePath(file)}`)
        .send();
    const tryOpen = (f: MediaFile) =>
      openFile(f.path).catch((err: NodeJS.ErrnoException) => Promise.reject(StreamErrors.io(err)));
    const fd = await tryOpen(file).catch(async (err) => {
      if (!p) throw err;
      p.file = await this.locate(p.content_id, via); // the session's copy went away (e.g. SSD eviction): ask again once
      return tryOpen(p.file);
    });
    return sendFile(req, reply, fd, {
      onBytes: (n) => void (p && (p.bytes_sent += n)),
      onError: (err) =>
        this.emit(via, 'stream_error', {
          content_id: file.content_id,
          user_id: p?.user_id ?? null,
          code: 'READ_FAILED',
          message: err.message,
        }),
    });
  }

  /** `<relative path>` for X-Accel-Redirect, each segment percent-encoded. */
  private relativePath(file: MediaFile): string {
    const rel = relative(this.roots[file.tier], file.path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel))
      throw StreamErrors.unavailable(`the ${file.tier} file is outside its root`);
    return rel.split(sep).map(encodeURIComponent).join('/');
  }

  /** A cache:v1 call that falls back to `local` when the cache cannot answer; logs the degraded mode once. */
  private async cache<A extends ActionName<'cache:v1'>>(
    via: BlockClient,
    action: A,
    input: ActionInput<'cache:v1', A>,
    local: () => Cache<A> | Promise<Cache<A>>,
  ): Promise<Cache<A>> {
    let fell = false;
    const out = await via.request('cache:v1', action, input, {
      timeoutMs: CACHE_TIMEOUT_MS,
      fallback: (_input, failure) => {
        fell = true;
        if (this.degradedSince === null)
          via.log.warn(
            { code: failure.code },
            'cache unavailable: DEGRADED mode, files from the NAS, slot limits kept locally',
          );
        this.degradedSince ??= Date.now();
        return local();
      },
    });
    if (!fell && this.degradedSince !== null) {
      this.degradedSince = null;
      via.log.info('cache is back: stream paths and slots come from the cache again');
    }
    return out;
  }

  private emit<E extends StreamEvent>(via: BlockClient, event: E, payload: EventPayload<E>): void {
    via
      .publish(event, payload)
      .catch((err) => via.log.warn({ err, event }, 'could not publish a stream event'));
  }
}
