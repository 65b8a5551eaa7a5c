/**
 * Job queue: counts, filter by status, retry failed jobs, and the library scan. /api/admin/jobs
 * every 5 s.
 */
import { useState } from 'preact/hooks';
import { ago } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { withQuery } from '../../router.tsx';
import { useAction, type Action } from './hooks.ts';
import { ActionNotice, LoadState, Panel, SmallPager } from './parts.tsx';
import { ScanLibrary } from './scan.tsx';
import type { Job, JobsPage } from './types.ts';

const JOB_STATUSES = ['', 'pending', 'processing', 'retrying', 'failed', 'completed'];
const LIMIT = 10;

export function JobsPanel() {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const jobs = useApi<JobsPage>(
    withQuery('/api/admin/jobs', { status, limit: LIMIT, offset: (page - 1) * LIMIT }),
    { refreshMs: 5000 },
  );
  const act = useAction(jobs.reload);
  const list = jobs.data?.items ?? [];
  const stats = jobs.data?.stats;
  return (
    <Panel
      id="jobs"
      title="Job queue"
      aside={
        <label class="field field-inline">
          <span class="sr-only">Job status</span>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setPage(1);
            }}
            data-testid="job-status-filter"
          >
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all jobs'}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ScanLibrary onChange={jobs.reload} />
      {stats ? (
        <p class="job-stats small" data-testid="job-stats">
          {Object.entries(stats).map(([k, v]) => (
            <span key={k} class={`pill pill-${k}`}>
              {k} {v}
            </span>
          ))}
        </p>
      ) : null}
      <LoadState of={jobs} />
      <ActionNotice message={act.message} />
      {jobs.data && list.length === 0 ? (
        <p class="muted">No jobs{status ? ` with status ${status}` : ''}.</p>
      ) : null}
      <ul class="job-list" data-testid="job-list">
        {list.map((j) => (
          <JobItem key={j.id} job={j} act={act} />
        ))}
      </ul>
      <SmallPager
        page={page}
        pages={Math.max(1, Math.ceil((jobs.data?.total ?? 0) / LIMIT))}
        onPage={setPage}
      />
    </Panel>
  );
}

/** One job: type, status, tries, age; a progress bar while it runs; Retry once it failed. */
function JobItem({ job: j, act }: { job: Job; act: Action }) {
  return (
    <li class="job" data-testid="job" data-status={j.status}>
      <div class="job-main">
        <span class="job-type">{j.type}</span>
        <span class={`pill pill-${j.status}`}>{j.status}</span>
        <span class="muted tiny">
          try {j.attempts}/{j.max_attempts}
        </span>
        <span class="muted tiny">{ago(j.updated_at)}</span>
      </div>
      {j.status === 'processing' ? (
        <div class="mini-bar">
          <div style={{ width: `${j.progress}%` }} />
        </div>
      ) : null}
      {j.error ? <p class="job-error tiny">{j.error}</p> : null}
      {j.status === 'failed' ? (
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          disabled={act.busy === j.id}
          onClick={() =>
            void act.run(j.id, `/api/admin/jobs/${j.id}/retry`, {}, `${j.type} job queued again`)
          }
          data-testid="job-retry"
        >
          Retry
        </button>
      ) : null}
    </li>
  );
}
