/**
 * "Up next", shown when an episode ends: the next episode of its event, played after a 10 s
 * countdown unless the viewer cancels or has switched autoplay off (their settings, kept on the
 * server). "Play now" skips the wait. Nothing is shown for the last episode or an item of no
 * event.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Episode } from '../api.ts';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.tsx';

export const COUNTDOWN_S = 10;

export function UpNext({ contentId }: { contentId: string }) {
  const next = useApi<{ next: Episode | null }>(
    `/api/contents/${encodeURIComponent(contentId)}/next`,
  );
  const settings = useApi<{ autoplay: boolean }>('/api/viewer/settings');
  const [left, setLeft] = useState(COUNTDOWN_S);
  const [cancelled, setCancelled] = useState(false);
  const episode = next.data?.next;
  const counting = !!episode && settings.data?.autoplay === true && !cancelled;
  const play = () => episode && navigate(`/watch/${encodeURIComponent(episode.id)}`);

  useEffect(() => {
    if (!counting) return;
    if (left <= 0) return void play();
    const t = window.setTimeout(() => setLeft((s) => s - 1), 1000);
    return () => window.clearTimeout(t);
  }, [counting, left]);

  if (!episode || !settings.data) return null;
  return (
    <div class="up-next" role="dialog" aria-label="Up next" data-testid="up-next">
      <p class="eyebrow">Up next</p>
      <p class="up-next-title" data-testid="up-next-title">
        {episode.title}
      </p>
      {counting ? (
        <p class="muted small" data-testid="up-next-countdown" aria-live="polite">
          Plays in {left} s
        </p>
      ) : null}
      <div class="notice-actions">
        <button type="button" class="btn btn-primary" onClick={play} data-testid="up-next-play">
          ▶ Play now
        </button>
        {counting ? (
          <button
            type="button"
            class="btn btn-ghost"
            onClick={() => setCancelled(true)}
            data-testid="up-next-cancel"
          >
            Cancel
          </button>
        ) : null}
      </div>
    </div>
  );
}
