/**
 * What a stack's plan touches, and what the cross-cloud rollout does to apply it (its blast
 * radius), said in the first line of the plan comment.
 *
 * The rollout (rollout/src/sequence.ts, deploy.yml) applies `global` first, with no drain, then
 * each cloud's cell stack inside that cloud's rollout: a cell stack whose plan has changes is
 * applied while its cloud is drained (the other cloud takes all traffic); a cell stack without
 * changes is left alone. A stack is a cell of one cloud, the global routing on both clouds, or
 * none of these (a stack the rollout does not know: nothing is said about draining).
 */
import { isCloud, type Cloud } from './clouds.js';

export type StackScope = { kind: 'cell'; cloud: Cloud } | { kind: 'global' } | { kind: 'none' };

/** The values of the plan action's `cloud` input. */
export const SCOPE_NAMES = ['aws', 'azure', 'global', 'none'] as const;
export type ScopeName = (typeof SCOPE_NAMES)[number];

export const CLOUD_TITLES: Record<Cloud, string> = { aws: 'AWS', azure: 'Azure' };

export function scopeNamed(name: ScopeName): StackScope {
  if (isCloud(name)) return { kind: 'cell', cloud: name };
  return name === 'global' ? { kind: 'global' } : { kind: 'none' };
}

/** The scope the repository's own stacks have: terraform/stacks/aws, azure and global. */
export function scopeOfStack(stack: string): StackScope {
  return (SCOPE_NAMES as readonly string[]).includes(stack)
    ? scopeNamed(stack as ScopeName)
    : { kind: 'none' };
}

/** "AWS cell", "AWS and Azure: global routing", or '' when the stack is none of these. */
export function scopeTitle(scope: StackScope): string {
  if (scope.kind === 'cell') return `${CLOUD_TITLES[scope.cloud]} cell`;
  if (scope.kind === 'global') return 'global routing, AWS and Azure';
  return '';
}

/**
 * Whether the rollout drains a cloud to apply this plan: "the rollout drains AWS to apply it",
 * "no cloud is drained", or '' when the stack is not one the rollout knows.
 */
export function drainText(scope: StackScope, hasChanges: boolean): string {
  if (scope.kind === 'none') return '';
  if (!hasChanges)
    return scope.kind === 'cell' ? `the rollout leaves ${CLOUD_TITLES[scope.cloud]} alone` : '';
  if (scope.kind === 'global') return 'applied first, no cloud is drained';
  return `the rollout drains ${CLOUD_TITLES[scope.cloud]} to apply it`;
}
