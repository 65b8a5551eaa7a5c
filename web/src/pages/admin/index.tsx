/**
 * The admin dashboard (/admin), for role admin only. Every panel loads (and refreshes) on its
 * own, so one slow or missing endpoint shows an error in its panel and the rest of the page
 * still works. Panels poll only while the tab is visible. What each endpoint answers is typed
 * from the admin block's response schemas (types.ts).
 */
import { useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.ts';
import { ApprovalsPanel } from './approvals.tsx';
import { AuditPanel } from './audit.tsx';
import { CachePanel } from './cache.tsx';
import { DeadLettersPanel } from './dead-letters.tsx';
import { JobsPanel } from './jobs.tsx';
import { StreamsPanel } from './streams.tsx';
import { SystemPanel } from './system.tsx';
import { UsersPanel } from './users.tsx';

/** The section links at the top: panel id → label. */
const SECTIONS = [
  ['system', 'System'],
  ['approvals', 'Approvals'],
  ['users', 'Users'],
  ['streams', 'Streams'],
  ['cache', 'Cache'],
  ['jobs', 'Jobs'],
  ['dead-letters', 'Dead letters'],
  ['audit', 'Audit log'],
];

export function AdminPage() {
  useTitle('Dashboard');
  const { user } = useSession();
  if (user?.role !== 'admin') {
    return (
      <div class="page narrow center" data-testid="admin-forbidden">
        <h1>Not allowed</h1>
        <p class="muted">
          The dashboard is for WSOPTV administrators only. You are signed in as{' '}
          {user?.username ?? 'a viewer'}.
        </p>
        <Link href="/" class="btn btn-primary">
          Back to the archive
        </Link>
      </div>
    );
  }
  return (
    <div class="page admin" data-testid="admin-page">
      <div class="admin-head">
        <h1>Dashboard</h1>
        <nav class="admin-nav" aria-label="Dashboard sections">
          {SECTIONS.map(([id, label]) => (
            <a
              key={id}
              href={`#${id}`}
              class="chip"
              onClick={(e) => (
                e.preventDefault(),
                document.getElementById(id)?.scrollIntoView({ behavior: 'smooth' })
              )}
            >
              {label}
            </a>
          ))}
        </nav>
      </div>
      <SystemPanel />
      <div class="admin-grid">
        <ApprovalsPanel />
        <StreamsPanel />
      </div>
      <UsersPanel />
      <div class="admin-grid">
        <CachePanel />
        <JobsPanel />
      </div>
      <DeadLettersPanel />
      <AuditPanel />
    </div>
  );
}
