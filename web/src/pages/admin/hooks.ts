/**
 * The dashboard's action patterns. Reading is `useApi(path, { refreshMs })` from ../../hooks.ts
 * (polls while the tab is visible, keeps the last good data next to an error); writing is
 * `useAction` (POST, report, reload the panel); the library scan is `useLibraryScan` (start the
 * job, then follow it every second until it ends).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.ts';
import type { Job } from './types.ts';

export interface ActionMessage {
  kind: 'ok' | 'error';
  text: string;
}

export interface Action {
  /** The key (a user or job id) of the action under way, so its buttons can be disabled. */
  busy: string | null;
  /** The outcome of the last action, to show in the panel. */
  message: ActionMessage | null;
  run: (key: string, path: string, body: unknown, okText: string) => Promise<void>;
}

/** POSTs an admin action and reports the outcome; `after` (the panel's reload) runs on success. */
export function useAction(after: () => void): Action {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<ActionMessage | null>(null);
  const run = async (key: string, path: string, body: unknown, okText: string) => {
    setBusy(key);
    setMessage(null);
    try {
      await api(path, { method: 'POST', body });
      setMessage({ kind: 'ok', text: okText });
      after();
    } catch (err) {
      setMessage({
        kind: 'error',
        text: err instanceof ApiError ? `${err.message} (${err.code})` : String(err),
      });
    } finally {
      setBusy(null);
    }
  };
  return { busy, message, run };
}

const DONE = new Set(['completed', 'failed']);

/** Whether a job has ended (completed or failed). */
export const isDone = (job: Job) => DONE.has(job.status);

/**
 * "Scan library": POST /api/admin/library/scan starts the job, then GET /api/admin/jobs/:id
 * every second until it ends. `onChange` (the job list's reload) runs at the start and the end.
 */
export function useLibraryScan(onChange: () => void) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number>();

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const follow = (id: string) => {
    timer.current = window.setTimeout(async () => {
      try {
        const j = await api<Job>(`/api/admin/jobs/${encodeURIComponent(id)}`);
        setJob(j);
        if (isDone(j)) {
          onChange();
          return;
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return setError(err);
      }
      follow(id);
    }, 1000);
  };

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const j = await api<Job>('/api/admin/library/scan', { method: 'POST', body: {} });
      setJob(j);
      onChange();
      if (!isDone(j)) follow(j.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return { job, error, busy, start };
}
