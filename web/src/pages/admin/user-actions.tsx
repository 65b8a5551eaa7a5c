/**
 * What the approvals and users panels do to an account: approve or reactivate at once; reject
 * (a reason is required) or suspend (a reason is optional) after asking in a dialog.
 */
import { useState } from 'preact/hooks';
import { ReasonDialog } from '../../components/ReasonDialog.tsx';
import { useAction } from './hooks.ts';
import type { Account as User } from './types.ts';

type AskFor = 'reject' | 'suspend';

const ASK: Record<AskFor, { verb: string; required: boolean; done: string }> = {
  reject: { verb: 'Reject', required: true, done: 'rejected' },
  suspend: { verb: 'Suspend', required: false, done: 'suspended; their sessions have ended' },
};

/**
 * `act` is the panel's useAction; `approve(u, okText)` posts at once; `ask(u, 'reject')` opens
 * the reason dialog, which the panel renders as `dialog`.
 */
export function useUserActions(reload: () => void) {
  const act = useAction(reload);
  const [asking, setAsking] = useState<{ user: User; action: AskFor } | null>(null);
  const approve = (u: User, okText: string) =>
    void act.run(u.id, `/api/admin/users/${u.id}/approve`, {}, okText);
  const ask = (user: User, action: AskFor) => setAsking({ user, action });
  const dialog = asking ? (
    <ReasonDialog
      title={`${ASK[asking.action].verb} ${asking.user.username}?`}
      required={ASK[asking.action].required}
      confirmLabel={ASK[asking.action].verb}
      onDone={(reason) => {
        const { user: u, action } = asking;
        setAsking(null);
        if (reason !== null)
          void act.run(
            u.id,
            `/api/admin/users/${u.id}/${action}`,
            reason ? { reason } : {},
            `${u.username} ${ASK[action].done}`,
          );
      }}
    />
  ) : null;
  return { act, approve, ask, dialog };
}
