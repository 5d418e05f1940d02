// GitHub's REST error bodies, as github.com sends them: `message`, `documentation_url` and, on
// current API versions, `status` as a string. Handlers throw these; the HTTP plumbing turns them
// into responses.
import { HttpError } from '../http/server.js';

export const docs = {
  rest: 'https://docs.github.com/rest',
  listComments: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  getComment: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
  createComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  updateComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  deleteComment: 'https://docs.github.com/rest/issues/comments#delete-an-issue-comment',
  listIssues: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
  createIssue: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
  updateIssue: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  listLabels: 'https://docs.github.com/rest/issues/labels#list-labels-for-a-repository',
  getLabel: 'https://docs.github.com/rest/issues/labels#get-a-label',
  createLabel: 'https://docs.github.com/rest/issues/labels#create-a-label',
  addLabels: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
  removeLabel: 'https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue',
  issueEvents: 'https://docs.github.com/rest/issues/events#list-issue-events',
  commitPulls:
    'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
  getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  secondaryRateLimit:
    'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
} as const;

export interface ValidationError {
  resource: string;
  code: string;
  field: string;
  message?: string;
  value?: unknown;
}

export function gitHubError(
  status: number,
  message: string,
  documentationUrl: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(
    status,
    { message, ...extra, documentation_url: documentationUrl, status: String(status) },
    headers,
  );
}

export const notFound = (documentationUrl: string) =>
  gitHubError(404, 'Not Found', documentationUrl);

export const validationFailed = (documentationUrl: string, errors: ValidationError[]) =>
  gitHubError(422, 'Validation Failed', documentationUrl, { errors });

/** The schema error GitHub sends when a required field is absent or has the wrong type. */
export const invalidRequest = (documentationUrl: string, detail: string) =>
  gitHubError(422, `Invalid request.\n\n${detail}`, documentationUrl);

export const secondaryRateLimitMessage =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID ';
