/** Helpers for errors of unknown shape, as they arrive in `catch` clauses. */

/** The message of a thrown value: an Error's own message, anything else as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
