/** "Scan library": the button, and the scan's progress bar and outcome (see useLibraryScan). */
import { ErrorNotice } from '../../components/ui.tsx';
import { scanText } from './format.ts';
import { isDone, useLibraryScan } from './hooks.ts';

export function ScanLibrary({ onChange }: { onChange: () => void }) {
  const { job, error, busy, start } = useLibraryScan(onChange);
  const running = job && !isDone(job);
  return (
    <div class="scan" data-testid="scan">
      <button
        type="button"
        class="btn btn-primary btn-sm"
        onClick={() => void start()}
        disabled={busy || !!running}
        data-testid="scan-library"
      >
        {running ? 'Scanning…' : 'Scan library'}
      </button>
      {job ? (
        <div class="scan-state" data-testid="scan-state" data-status={job.status}>
          <div
            class="mini-bar"
            role="progressbar"
            aria-label="library scan"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={job.progress}
          >
            <div style={{ width: `${job.status === 'completed' ? 100 : job.progress}%` }} />
          </div>
          <span class="muted small">{scanText(job)}</span>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} title="Scan could not start" /> : null}
    </div>
  );
}
