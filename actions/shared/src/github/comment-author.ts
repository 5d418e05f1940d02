/**
 * Whose comments and issues count: only those the identity the action posts as wrote. A marker
 * is plain text that anyone who can comment can copy, so the marker finds a candidate and its
 * author decides (docs/adr/0004-verified-apply.md). The identity is the `comment-author` input,
 * the same in the plan and apply actions: `github-actions[bot]` for the workflow's GITHUB_TOKEN;
 * for a GitHub App token the app's bot, `<app-slug>[bot]` (actions/create-github-app-token gives
 * the slug as its `app-slug` output). GitHub compares logins without regard to case.
 */
import { InputError } from '../inputs/input-error.js';
import { readString, type InputSource } from '../inputs/read-input.js';

/** The login the workflow token (GITHUB_TOKEN) posts as. */
export const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]';

/** A user login (letters, digits, single hyphens, at most 39) or an app's bot (`<slug>[bot]`). */
const LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const BOT_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,99}\[bot\]$/;

/** `comment-author`: checked before anything runs; default github-actions[bot]. */
export function readCommentAuthor(source: InputSource): string {
  const login = readString('comment-author', { default: DEFAULT_COMMENT_AUTHOR }, source);
  if (!LOGIN_PATTERN.test(login) && !BOT_PATTERN.test(login)) {
    throw new InputError(
      'comment-author',
      `'${login.slice(0, 120)}' is not a GitHub login; give the login the github-token posts as: github-actions[bot] for the workflow token, <app-slug>[bot] for a GitHub App token (e.g. \${{ steps.app-token.outputs.app-slug }}[bot]), or a user's login for a personal token.`,
    );
  }
  return login;
}

/** Anything GitHub returns with an author: a comment, an issue. */
export interface Authored {
  user?: { login?: string } | null;
}

export function authorOf(item: Authored): string {
  return item.user?.login ?? '';
}

/** True when `author` (the identity the action posts as) wrote `item`. */
export function isWrittenBy(item: Authored, author: string): boolean {
  return authorOf(item).toLowerCase() === author.toLowerCase();
}

/**
 * The token posted as someone other than `comment-author`: the action would never find what it
 * wrote again, and the apply would never trust it. Said once, naming the input and the fix.
 */
export class CommentAuthorError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what: string,
  ) {
    super(
      `The ${what} was written as '${actual}', but comment-author is '${expected}': only what comment-author writes is read back (and trusted by the apply action). Set comment-author: ${actual} in both the plan and the apply steps (a GitHub App token posts as <app-slug>[bot]), or pass the workflow token.`,
    );
    this.name = 'CommentAuthorError';
  }
}

/** Throws CommentAuthorError unless `author` wrote `created`. */
export function checkWrittenBy(created: Authored, author: string, what: string): void {
  if (!isWrittenBy(created, author)) throw new CommentAuthorError(author, authorOf(created), what);
}
