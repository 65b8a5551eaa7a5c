/**
 * The player. Asks /api/stream/<id>/info for a signed media URL and hands it to a plain
 * <video> element (the browser does the range requests). Resumes at the saved position once
 * the metadata is known, and saves progress every 10 s while playing, on pause, on end, and on
 * leaving (route change, tab hidden, pagehide) with a keepalive request that outlives the page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Content, type StreamInfo } from '../api.ts';
import { StreamError } from '../components/StreamError.tsx';
import { UpNext } from '../components/UpNext.tsx';
import { Spinner } from '../components/ui.tsx';
import { clock, resumePoint } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { back, Link, useLocation } from '../router.tsx';
import { sendProgress, stopStream } from './watch-beacons.ts';

const SAVE_EVERY_MS = 10_000;

export function WatchPage({ id }: { id: string }) {
  const content = useApi<Content>(`/api/contents/${encodeURIComponent(id)}`);
  useTitle(content.data ? `Watching ${content.data.title}` : 'Watch');
  const [attempt, setAttempt] = useState(0);
  const [info, setInfo] = useState<StreamInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [resumed, setResumed] = useState<number | null>(null);
  const [toast, setToast] = useState(false);
  const [ended, setEnded] = useState(false);
  const [copied, setCopied] = useState(false);
  /** `?t=3735`: a link to a moment starts there, whatever the saved position. */
  const linkedAt = Number(useLocation().query.get('t') ?? NaN);
  useEffect(() => setEnded(false), [id]);
  const video = useRef<HTMLVideoElement>(null);
  /**
   * Set once the saved position has been applied: before that, saving would overwrite it with 0.
   */
  const ready = useRef(false);
  const lastSaved = useRef(-1);
  /** Position to come back to after a retry (e.g. the media URL expired mid-film). */
  const restartAt = useRef<number | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setInfo(null);
    setError(null);
    api<StreamInfo>(`/api/stream/${encodeURIComponent(id)}/info`, { signal: ctrl.signal }).then(
      (i) => {
        if (ctrl.signal.aborted) return;
        if (!i?.url) setError(new ApiError(502, 'BAD_STREAM_INFO', 'the server sent no media URL'));
        else setInfo(i);
      },
      (err: unknown) =>
        !ctrl.signal.aborted &&
        setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err))),
    );
    return () => ctrl.abort();
  }, [id, attempt]);

  const save = (keepalive: boolean) => {
    const v = video.current;
    if (!v || !ready.current) return;
    const d = Number.isFinite(v.duration) ? v.duration : (content.data?.duration_seconds ?? 0);
    const pos = v.ended ? d : v.currentTime;
    if (Math.abs(pos - lastSaved.current) < 0.5) return;
    lastSaved.current = pos;
    if (keepalive) sendProgress(id, pos, d);
    else
      void api(`/api/progress/${encodeURIComponent(id)}`, {
        method: 'PUT',
        body: {
          position_seconds: Math.round(pos * 10) / 10,
          duration_seconds: Math.round(d * 10) / 10,
        },
      }).catch(() => (lastSaved.current = -1));
  };
  const saveRef = useRef(save);
  saveRef.current = save;

  // Periodic, hidden-tab and pagehide saves; and a last save + stopping the download on leave.
  useEffect(() => {
    if (!info) return;
    const tick = window.setInterval(() => {
      const v = video.current;
      if (v && !v.paused && !v.ended) saveRef.current(false);
    }, SAVE_EVERY_MS);
    const onHide = () => document.visibilityState === 'hidden' && saveRef.current(true);
    const onPageHide = (e: PageTransitionEvent) => {
      saveRef.current(true);
      if (!e.persisted) stopStream(id, info);
    };
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    const el = video.current;
    return () => {
      window.clearInterval(tick);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      saveRef.current(true);
      ready.current = false;
      if (el) {
        el.pause();
        el.removeAttribute('src');
        el.load(); // aborts the pending range requests
      }
      stopStream(id, info);
    };
  }, [info]);

  const onLoadedMetadata = () => {
    const v = video.current;
    if (!v) return;
    const target =
      restartAt.current ??
      (Number.isFinite(linkedAt) && linkedAt >= 0 ? linkedAt : null) ??
      resumePoint(
        content.data?.progress,
        Number.isFinite(v.duration) ? v.duration : content.data?.duration_seconds,
      );
    restartAt.current = null;
    if (target > 0) {
      v.currentTime = target;
      setResumed(target);
      setToast(true);
    }
    lastSaved.current = target;
    ready.current = true;
    void v.play().catch(() => undefined); // blocked autoplay: the controls are there
  };

  /** The element only says "failed": ask the media URL itself what the server thinks. */
  const onVideoError = async () => {
    const v = video.current;
    if (!v || !info) return;
    if (ready.current) restartAt.current = v.currentTime;
    save(true);
    ready.current = false;
    let err = new ApiError(
      0,
      'MEDIA_ERROR',
      `the browser could not play this video (${v.error?.message || `media error ${v.error?.code ?? '?'}`})`,
    );
    try {
      const res = await fetch(info.url, { headers: { range: 'bytes=0-0' } });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as {
          error?: { code?: string; message?: string; correlation_id?: string };
        } | null;
        err = new ApiError(
          res.status,
          body?.error?.code ?? `HTTP_${res.status}`,
          body?.error?.message ?? err.message,
          body?.error?.correlation_id,
        );
        // An expired or revoked media URL: get a fresh one and carry on where we were.
        if (res.status === 401 && attempt < 3) {
          setAttempt((a) => a + 1);
          return;
        }
      }
    } catch {
      /* keep the generic message */
    }
    setError(err);
  };

  useEffect(() => {
    if (!toast) return;
    const t = window.setTimeout(() => setToast(false), 6000);
    return () => window.clearTimeout(t);
  }, [toast]);

  /** Puts a link to this moment on the clipboard (`?t=` seconds). */
  const copyLink = async () => {
    const t = Math.floor(video.current?.currentTime ?? 0);
    const url = `${window.location.origin}/watch/${encodeURIComponent(id)}?t=${t}`;
    await navigator.clipboard.writeText(url).then(
      () => setCopied(true),
      () => window.prompt('Copy this link', url),
    );
    window.setTimeout(() => setCopied(false), 3000);
  };

  const retry = () => {
    setError(null);
    setAttempt((a) => a + 1);
  };

  const title = content.data?.title ?? '';
  const waiting = !error && (!info || (!content.data && !content.error));
  return (
    <div class="watch" data-testid="watch-page">
      <div class="watch-bar">
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          onClick={() => back(`/content/${encodeURIComponent(id)}`)}
          data-testid="watch-back"
        >
          ← Back
        </button>
        <div class="watch-title" title={title}>
          {title}
          {content.data ? <span class="muted"> · {content.data.catalog}</span> : null}
        </div>
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          onClick={() => void copyLink()}
          data-testid="copy-link"
        >
          {copied ? 'Link copied' : 'Copy link at current time'}
        </button>
        <Link href="/" class="btn btn-ghost btn-sm" data-testid="watch-home">
          Home
        </Link>
      </div>
      <div class="watch-stage">
        {waiting ? <Spinner label="Starting the video…" /> : null}
        {error ? <StreamError error={error} onRetry={retry} /> : null}
        {info && !error && (content.data || content.error) ? (
          <video
            ref={video}
            key={info.url}
            class="player"
            src={info.url}
            controls
            autoPlay
            playsInline
            preload="auto"
            data-testid="video"
            data-resumed-from={resumed ?? undefined}
            onLoadedMetadata={onLoadedMetadata}
            onPause={() => save(false)}
            onEnded={() => (save(false), setEnded(true))}
            onPlay={() => setEnded(false)}
            onError={() => void onVideoError()}
          />
        ) : null}
        {ended ? <UpNext key={id} contentId={id} /> : null}
        {toast && resumed !== null && !error ? (
          <div class="resume-toast" role="status" data-testid="resume-toast">
            Resumed from {clock(resumed)}
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              onClick={() => {
                const v = video.current;
                if (v) v.currentTime = 0;
                setToast(false);
              }}
            >
              Start over
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
}
