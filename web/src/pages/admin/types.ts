/**
 * What the dashboard's panels read, as the admin block declares it: every type comes from the
 * block's response schemas (src/blocks/admin/responses.ts), the ones its routes validate their
 * answers with, so a change there is a type error here rather than a blank panel. The import is
 * type-only: nothing of the server ends up in the bundle.
 */
import type {
  AuditPage,
  DeadLetters,
  JobsPage,
  StatusReport,
  Streams,
  UsersPage,
} from '../../../../src/blocks/admin/responses.ts';

export type {
  AuditPage,
  Cache,
  Check,
  DeadLetters,
  Disk,
  JobsPage,
  StatusReport,
  Streams,
  UsersPage,
} from '../../../../src/blocks/admin/responses.ts';

/** One block process in the system view. */
export type BlockRow = StatusReport['blocks'][number];
/** A queued job: GET /api/admin/jobs, GET /api/admin/jobs/:id, POST /api/admin/library/scan. */
export type Job = JobsPage['items'][number];
/** One line of the audit log. */
export type AuditEntry = AuditPage['items'][number];
/** A domain event a block kept failing on and gave up. */
export type DeadLetter = DeadLetters['items'][number];
/** An account as the users and approvals panels see it. */
export type Account = UsersPage['items'][number];
/** One live playback session, with the viewer's name and the video's title. */
export type StreamRow = Streams['items'][number];
