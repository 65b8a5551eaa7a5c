/**
 * What the admin dashboard does. The audit log is the block's own data; everything else is asked
 * of the block that owns it, through its contract, with a short timeout. A failure of another
 * block becomes a 503 carrying that block's code (AdminErrors.upstream); its business errors
 * (unknown user, …) pass through unchanged. Every change is checked with auth:v1
 * check_permission first and written to the audit log after it succeeded.
 */
import type {
  ActionInput,
  ActionName,
  ActionOutput,
  BlockClient,
  ContractId,
} from '../../orchestration/index.ts';
import type { Actor, AuditInput, AuditLog } from './audit.ts';
import { AdminActions, AdminErrors, CALL_TIMEOUT_MS, type AdminAction } from './models.ts';

/**
 * Asks another block; its failure leaves as AdminErrors.upstream (503 with the block's code, or its
 * business error).
 */
export async function ask<C extends ContractId, A extends ActionName<C>>(
  via: BlockClient,
  contract: C,
  action: A,
  input: ActionInput<C, A>,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<ActionOutput<C, A>> {
  try {
    return await via.request(contract, action, input, { timeoutMs });
  } catch (err) {
    throw AdminErrors.upstream(contract.split(':')[0], err);
  }
}

/**
 * Looks up a name per id, in parallel; a failed or empty lookup gives null (the dashboard then
 * shows the id).
 */
async function names(
  ids: string[],
  lookup: (id: string) => Promise<string | null | undefined>,
): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map((id) =>
      lookup(id).then(
        (v) => v ?? null,
        () => null,
      ),
    ),
  );
  return new Map(unique.map((id, i) => [id, found[i]!]));
}

const ENRICH_TIMEOUT_MS = 1000;
type UserAction = 'approve' | 'reject' | 'suspend';

export class AdminService {
  constructor(readonly audit: AuditLog) {}

  /** auth:v1 check_permission(user, "admin", action): refused → 403. */
  async authorize(via: BlockClient, actor: Actor, action: AdminAction): Promise<void> {
    const answer = await ask(via, 'auth:v1', 'check_permission', {
      user_id: actor.id,
      resource: 'admin',
      action,
    });
    if (!answer.allowed) throw AdminErrors.denied(action, answer.reason);
  }

  listUsers(
    via: BlockClient,
    q: { status?: ActionInput<'auth:v1', 'list_users'>['status']; page: number; limit: number },
  ) {
    return ask(via, 'auth:v1', 'list_users', q);
  }

  async manageUser(
    via: BlockClient,
    actor: Actor,
    kind: UserAction,
    userId: string,
    reason?: string,
  ) {
    const action = AdminActions[kind];
    await this.authorize(via, actor, action);
    const user = await ask(via, 'auth:v1', action, {
      user_id: userId,
      by: actor.id,
      ...(reason === undefined ? {} : { reason }),
    });
    await this.record(via, actor, {
      action,
      target: `user:${userId}`,
      details: {
        username: user.username,
        status: user.status,
        ...(reason === undefined ? {} : { reason }),
      },
    });
    return user;
  }

  async streams(via: BlockClient) {
    const sessions = await ask(via, 'stream:v1', 'get_active_streams', {});
    const [users, titles] = await Promise.all([
      names(
        sessions.map((s) => s.user_id),
        async (id) =>
          (
            await via.request(
              'auth:v1',
              'get_user',
              { user_id: id },
              { timeoutMs: ENRICH_TIMEOUT_MS },
            )
          )?.username,
      ),
      this.titles(
        via,
        sessions.map((s) => s.content_id),
      ),
    ]);
    const items = sessions.map((s) => ({
      ...s,
      username: users.get(s.user_id) ?? null,
      content_title: titles.get(s.content_id) ?? null,
    }));
    return { items, total: items.length };
  }

  async cache(via: BlockClient) {
    const stats = await ask(via, 'cache:v1', 'get_cache_stats', {});
    const titles = await this.titles(
      via,
      stats.hot_contents.map((h) => h.content_id),
    );
    const ssd = {
      ...stats.ssd,
      usage_percent:
        stats.ssd.capacity_bytes > 0
          ? Math.round((stats.ssd.used_bytes / stats.ssd.capacity_bytes) * 1000) / 10
          : null,
    };
    return {
      ...stats,
      ssd,
      hot_contents: stats.hot_contents.map((h) => ({
        ...h,
        title: titles.get(h.content_id) ?? null,
      })),
    };
  }

  async jobs(
    via: BlockClient,
    q: ActionInput<'worker:v1', 'list_jobs'> & { limit: number; offset: number },
  ) {
    const [list, stats] = await Promise.all([
      ask(via, 'worker:v1', 'list_jobs', q),
      ask(via, 'worker:v1', 'get_queue_stats', {}).catch(() => null),
    ]);
    return { ...list, limit: q.limit, offset: q.offset, stats };
  }

  async job(via: BlockClient, jobId: string) {
    const job = await ask(via, 'worker:v1', 'get_job', { job_id: jobId });
    if (!job) throw AdminErrors.jobNotFound(jobId);
    return job;
  }

  async retry(via: BlockClient, actor: Actor, jobId: string) {
    await this.authorize(via, actor, AdminActions.retry);
    const job = await ask(via, 'worker:v1', 'retry_job', { job_id: jobId });
    await this.record(via, actor, {
      action: AdminActions.retry,
      target: `job:${job.id}`,
      details: { type: job.type, status: job.status, attempts: job.attempts },
    });
    return job;
  }

  async scan(via: BlockClient, actor: Actor) {
    await this.authorize(via, actor, AdminActions.scan);
    const job = await ask(via, 'worker:v1', 'enqueue', {
      type: 'library_scan',
      priority: 'high',
      payload: { requested_by: actor.id },
    });
    await this.record(via, actor, {
      action: AdminActions.scan,
      target: `job:${job.id}`,
      details: { priority: job.priority },
    });
    return job;
  }

  /** Gives a dead-lettered event back to the block that failed on it (audited). */
  async replay(
    via: BlockClient,
    actor: Actor,
    letter: { channel: string; group: string; id: string },
    replay: (channel: string, group: string, id: string) => Promise<boolean>,
  ) {
    await this.authorize(via, actor, AdminActions.replay);
    if (!(await replay(letter.channel, letter.group, letter.id)))
      throw AdminErrors.deadLetterNotFound(letter.id);
    await this.record(via, actor, {
      action: AdminActions.replay,
      target: `event:${letter.channel}/${letter.id}`,
      details: { group: letter.group },
    });
    return { replayed: true as const };
  }

  private titles(via: BlockClient, ids: string[]) {
    return names(
      ids,
      async (id) =>
        (
          await via.request(
            'content:v1',
            'get_content',
            { content_id: id },
            { timeoutMs: ENRICH_TIMEOUT_MS },
          )
        )?.title,
    );
  }

  /**
   * Writes the audit entry, then announces it. The change has already happened by now: a failed
   * write is logged at error level with the whole entry (so the record survives in the logs) and
   * does not turn the admin's successful change into an error they might repeat.
   */
  private async record(via: BlockClient, actor: Actor, input: AuditInput): Promise<void> {
    try {
      await this.audit.record(actor, input);
    } catch (err) {
      via.log.error(
        { err, audit: { ...input, actor_id: actor.id, client_ip: actor.ip } },
        'audit entry NOT written; this log line is its only record',
      );
      return;
    }
    await via
      .publish('admin_action', { actor_id: actor.id, action: input.action, target: input.target })
      .catch((err: unknown) => via.log.warn({ err }, 'admin_action not published'));
  }
}
