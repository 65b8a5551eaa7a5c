/** A modal asking for a reason (reject, suspend). */
import { useEffect, useRef, useState } from 'preact/hooks';

/** Asks for a reason; `onDone` gets the trimmed text, or null when cancelled. */
export function ReasonDialog({
  title,
  confirmLabel,
  onDone,
  danger = true,
  required = false,
}: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  required?: boolean;
  onDone: (reason: string | null) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" data-testid="reason-dialog" onCancel={() => onDone(null)}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onDone(reason.trim());
        }}
      >
        <h2>{title}</h2>
        <label class="field">
          <span>
            Reason (shown to the user){required ? '' : <span class="muted"> (optional)</span>}
          </span>
          <textarea
            name="reason"
            rows={3}
            maxLength={500}
            required={required}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            data-testid="reason-input"
            autoFocus
          />
        </label>
        <div class="dialog-actions">
          <button type="button" class="btn btn-ghost" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button
            type="submit"
            class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
            disabled={required && !reason.trim()}
            data-testid="reason-confirm"
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
