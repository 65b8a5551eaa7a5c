/**
 * The player. Asks /api/stream/<id>/info for a signed media URL and hands it to a plain
 * <video> element (the browser does the range requests). Resumes at the saved position once
 * the metadata is known, and saves progress every 10 s while playing, on pause, on end, and on
 * leaving (route change, tab hidden, pagehide) with a keepalive request that outlives the page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Content, type StreamInfo } from '../api.ts';
import { ErrorNotice, Notice, Spinner } from '../components/ui.tsx';
import { clock, resumePoint } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { back, Link } from '../router.tsx';
import { sendProgress, stopStream } from './watch-beacons.ts';

const SAVE_EVERY_MS = 10_000;

/**
 * What went wrong with the stream, from /info or from probing the media URL after a playback error.
 */
function describe(err: ApiError): {
  title: string;
  kind: 'limit' | 'unavailable' | 'missing' | 'other';
} {
  if (err.status === 429 || /STREAM_LIMIT|TOO_MANY_STREAMS/.test(err.code))
    return { title: 'You are already watching on too many screens', kind: 'limit' };
  if (err.status === 404) return { title: 'This video does not exist', kind: 'missing' };
  if (err.status === 503 || err.code === 'FILE_UNAVAILABLE')
    return { title: 'This video is unavailable right now', kind: 'unavailable' };
  return { title: 'The video cannot be played', kind: 'other' };
}

export function WatchPage({ id }: { id: string }) {
  const content = useApi<Content>(`/api/contents/${encodeURIComponent(id)}`);
  useTitle(content.data ? `Watching ${content.data.title}` : 'Watch');
  const [attempt, setAttempt] = useState(0);
  const [info, setInfo] = useState<StreamInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [resumed, setResumed] = useState<number | null>(null);
  const [toast, setToast] = useState(false);
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

  const retry = () => {
    setError(null);
    setAttempt((a) => a + 1);
  };

  const title = content.data?.title ?? '';
  const problem = error ? describe(error) : null;
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
        <Link href="/" class="btn btn-ghost btn-sm" data-testid="watch-home">
          Home
        </Link>
      </div>
      <div class="watch-stage">
        {waiting ? <Spinner label="Starting the video…" /> : null}
        {problem && error ? (
          <div class="watch-error">
            {problem.kind === 'other' ? (
              <ErrorNotice error={error} title={problem.title} onRetry={retry} />
            ) : (
              <Notice
                kind={problem.kind === 'limit' ? 'warn' : 'error'}
                title={problem.title}
                testid={`stream-error-${problem.kind}`}
              >
                <p data-testid="stream-error-message">
                  {error.message ? error.message[0].toUpperCase() + error.message.slice(1) : ''}
                </p>
                {problem.kind === 'limit' ? (
                  <p class="muted">Stop playback on another screen, then try again.</p>
                ) : null}
                {problem.kind === 'unavailable' ? (
                  <p class="muted">
                    The file cannot be read at the moment. Please try again in a little while.
                  </p>
                ) : null}
                <div class="notice-actions">
                  {problem.kind !== 'missing' ? (
                    <button
                      type="button"
                      class="btn btn-primary"
                      onClick={retry}
                      data-testid="stream-retry"
                    >
                      Try again
                    </button>
                  ) : null}
                  <Link href="/" class="btn btn-ghost">
                    Back to the archive
                  </Link>
                </div>
              </Notice>
            )}
          </div>
        ) : null}
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
            onEnded={() => save(false)}
            onError={() => void onVideoError()}
          />
        ) : null}
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
