/** Errors of task steps: permanent ones fail the task at once; every other error is retried. */

/**
 * A failure that retrying cannot fix (a dependency failed, the scope has no documents, a document
 * was deleted): the step is not retried and the task fails with this message.
 */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentTaskError";
  }
}

/** The message of a thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
