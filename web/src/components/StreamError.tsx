/** Why the player cannot play: too many screens, a missing or unavailable file, or else. */
import type { ApiError } from '../api.ts';
import { capitalise } from '../format.ts';
import { Link } from '../router.tsx';
import { ErrorNotice, Notice } from './ui.tsx';

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

export function StreamError({ error, onRetry: retry }: { error: ApiError; onRetry: () => void }) {
  const problem = describe(error);
  return (
    <div class="watch-error">
      {problem.kind === 'other' ? (
        <ErrorNotice error={error} title={problem.title} onRetry={retry} />
      ) : (
        <Notice
          kind={problem.kind === 'limit' ? 'warn' : 'error'}
          title={problem.title}
          testid={`stream-error-${problem.kind}`}
        >
          <p data-testid="stream-error-message">{capitalise(error.message)}</p>
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
  );
}
