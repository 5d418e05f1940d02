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
  findPlanComment,
  findPlanComments,
  pullRequestsForCommit,
  updatePlanCommentStatus,
  upsertPlanComment,
  type FoundComment,
  type IssueRef,
  type StickyResult,
} from './sticky-comment.js';
export { readRunContext, type RunContext } from './run-context.js';
