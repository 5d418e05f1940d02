/**
 * A character budget for a report. GitHub limits comment and issue bodies to 65,536
 * characters; a job summary to 1 MiB. JavaScript string length counts UTF-16 code units,
 * which is never less than the characters GitHub counts, so staying within it is safe.
 */
export class ReportBudget {
  constructor(private left: number) {}

  get remaining(): number {
    return this.left;
  }

  /** Takes room for `text` if it fits; reports whether it did. */
  take(text: string): boolean {
    if (text.length > this.left) return false;
    this.left -= text.length;
    return true;
  }

  /** Takes room unconditionally (for text that must be shown); may go below zero. */
  spend(length: number): void {
    this.left -= length;
  }
}

/** GitHub's limit for an issue or pull request comment body, and an issue body. */
export const COMMENT_LIMIT = 65_536;
/** Room left in every sticky comment for the status line apply writes later. */
export const STATUS_RESERVE = 1_024;
/** GitHub's limit for one step's job summary, in bytes. */
export const SUMMARY_LIMIT_BYTES = 1_048_576;
