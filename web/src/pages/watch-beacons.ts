/**
 * The player's requests that must outlive the page: the last saved position and the stream's
 * stop, both sent with keepalive so that closing the tab or leaving does not cut them off.
 */
import type { StreamInfo } from '../api.ts';
import { session } from '../session.ts';

/** PUT /api/progress with keepalive: survives the page being closed or left. */
export function sendProgress(contentId: string, position: number, durationS: number): void {
  const token = session.tokens?.access_token;
  if (!token) return;
  void fetch(`/api/progress/${encodeURIComponent(contentId)}`, {
    method: 'PUT',
    keepalive: true,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      position_seconds: Math.max(0, Math.round(position * 10) / 10),
      duration_seconds: Math.max(0, Math.round(durationS * 10) / 10),
    }),
  }).catch(() => undefined);
}

/**
 * Tells the stream block the player is done, so the viewer's stream slot is free at once rather
 * than after the idle timeout. Uses the signed token (`st`) of the media URL; keepalive so it is
 * sent even when the page is going away.
 */
export function stopStream(contentId: string, info: StreamInfo): void {
  let st: string | null = null;
  try {
    st = new URL(info.url, window.location.origin).searchParams.get('st');
  } catch {
    /* not a URL we can read */
  }
  const token = session.tokens?.access_token;
  if (!st && !token) return;
  const q = st ? `?st=${encodeURIComponent(st)}` : '';
  void fetch(`/api/stream/${encodeURIComponent(contentId)}/stop${q}`, {
    method: 'POST',
    keepalive: true,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => undefined);
}
