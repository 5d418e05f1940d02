export {
  createGitHubClient,
  describeGitHubError,
  isReadOnlyTokenError,
  type GitHubClient,
  type GitHubClientOptions,
} from './github-client.js';
export {
  DRIFT_LABEL,
  findDriftIssues,
  syncDriftIssue,
  type DriftIssue,
  type DriftReport,
  type DriftSyncResult,
  type RepoRef,
} from './drift-issue.js';
export {
  findMarkerComments,
  findPlanComment,
  findPlanComments,
  updatePlanCommentStatus,
  upsertPlanComment,
  type FoundComment,
  type IssueRef,
  type MarkerComments,
  type PlanCommentKey,
  type StickyResult,
} from './sticky-comment.js';
export {
  checkWrittenBy,
  CommentAuthorError,
  DEFAULT_COMMENT_AUTHOR,
  isWrittenBy,
  readCommentAuthor,
} from './comment-author.js';
export { readRunContext, type RunContext } from './run-context.js';
