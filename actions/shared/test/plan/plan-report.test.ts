import { describe, expect, it } from '@jest/globals';
import {
  appliedStatus,
  code,
  COMMENT_LIMIT,
  notAppliedStatus,
  parsePlanComment,
  parsePlanDigest,
  planDigest,
  readPlan,
  renderPlanComment,
  renderPlanFailure,
  renderPlanSummary,
  Redactor,
  setPlanCommentStatus,
  STATUS_RESERVE,
  SUMMARY_LIMIT_BYTES,
} from '../../src/plan/index.js';
import { largePlan, syntheticPlan } from './synthetic-plan.js';

const context = {
  stack: 'aws',
  commitSha: 'a1b2c3d4e5f60718',
  runId: '4242',
  runUrl: 'https://github.com/acme/shop/actions/runs/4242',
  terraformVersion: '1.11.4',
};

describe('renderPlanComment', () => {
  it('says "no changes" in one line, followed by the digest line', () => {
    const plan = readPlan(
      syntheticPlan([
        {
          address: 'terraform_data.a',
          actions: ['no-op'],
          before: { id: 'a' },
          after: { id: 'a' },
        },
      ]),
    );
    const digest = planDigest(plan);
    const body = renderPlanComment(plan, { ...context, digest });
    const visible = body.split('\n').filter((line) => line !== '' && !line.startsWith('<!--'));
    expect(visible).toEqual([
      '### Terraform plan for `aws`: no changes.',
      `plan-digest \`${digest}\` · commit \`a1b2c3d\` · [run 4242](${context.runUrl}) · Terraform 1.11.4`,
    ]);
    expect(body.startsWith('<!-- multicloud:plan stack=aws -->\n')).toBe(true);
  });

  it('lists destroys and replacements first, with their reasons, and groups by module', () => {
    const plan = readPlan(
      syntheticPlan(
        [
          { address: 'module.cell.terraform_data.new', actions: ['create'], after: { input: 1 } },
          {
            address: 'terraform_data.legacy',
            actions: ['delete'],
            before: { id: 'l' },
            action_reason: 'delete_because_no_resource_config',
          },
          {
            address: 'module.cell.terraform_data.fn',
            actions: ['delete', 'create'],
            before: { id: 'f', architectures: ['x86_64'] },
            after: { architectures: ['arm64'] },
            action_reason: 'replace_because_cannot_update',
            replace_paths: [['architectures']],
          },
          {
            address: 'module.cell.terraform_data.cart',
            actions: ['update'],
            before: { memory_size: 256, env: { LOG: 'info', DB_PASSWORD: 'old-pass' } },
            after: { memory_size: 512, env: { LOG: 'warn', DB_PASSWORD: 'new-pass' } },
            before_sensitive: { env: { DB_PASSWORD: true } },
            after_sensitive: { env: { DB_PASSWORD: true } },
          },
          {
            address: 'terraform_data.moved',
            actions: ['no-op'],
            previous_address: 'terraform_data.old',
            before: {},
            after: {},
          },
          {
            address: 'terraform_data.imported',
            actions: ['no-op'],
            importing: { id: 'i-123' },
            before: {},
            after: {},
          },
        ],
        { output_changes: { url: { actions: ['create'], before: null, after_unknown: true } } },
      ),
    );
    const body = renderPlanComment(plan, { ...context, digest: planDigest(plan) });
    expect(body).toContain(
      '### Terraform plan for `aws`: 1 to add, 1 to change, 1 to replace, 1 to destroy, 1 to import, 1 to move, 1 output change',
    );
    expect(body).toContain(
      '> [!CAUTION]\n> This plan destroys or replaces 2 resources:\n> - destroy `terraform_data.legacy` (no longer in the configuration)\n> - replace `module.cell.terraform_data.fn` (`architectures` cannot be updated in place)\n',
    );
    expect(body.indexOf('**Root module**')).toBeLessThan(body.indexOf('**Module `module.cell`**'));
    expect(body).toContain(
      '| ~ | `module.cell.terraform_data.cart` | update: `env`, `memory_size` |',
    );
    expect(body).toContain('| <- | `terraform_data.imported` | import `i-123` |');
    expect(body).toContain('| -> | `terraform_data.moved` | move from `terraform_data.old` |');
    expect(body).toContain('| `env.DB_PASSWORD` | (sensitive) | (sensitive, changed) |');
    expect(body).toContain('| `memory_size` | `256` | `512` |');
    expect(body).toContain('| `url` | create | (known after apply) |');
    expect(body).not.toMatch(/old-pass|new-pass/);
  });

  it('escapes addresses that contain pipes or backticks', () => {
    expect(code('a|b', true)).toBe('`a\\|b`');
    expect(code('x`y')).toBe('`` x`y ``');
    const plan = readPlan(
      syntheticPlan([{ address: 'terraform_data.a["x|`y"]', actions: ['create'], after: {} }]),
    );
    expect(renderPlanComment(plan, context)).toContain(
      '| + | `` terraform_data.a["x\\|`y"] `` | create |',
    );
  });

  it('stays within 65,536 characters for a huge plan, trimming details first', () => {
    const plan = readPlan(largePlan({ create: 3000, update: 3000, destroy: 40, replace: 40 }));
    const body = renderPlanComment(plan, { ...context, digest: planDigest(plan) });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
    expect(body).toContain('3,000 to add, 3,000 to change, 40 to replace, 40 to destroy');
    for (const change of plan.resourceChanges) {
      if (change.kind === 'destroy' || change.kind === 'replace')
        expect(body).toContain(`\`${change.address}\``);
    }
    expect(body).toMatch(
      /> … not shown here: [\d,]+ more resources in the table; attribute changes of 3,040 resources\. The full report is in the job summary of \[run 4242\]/,
    );
    expect(parsePlanDigest(body)).toBe(planDigest(plan));
  });

  it('shortens a huge address or import ID instead of letting it crowd out every other row', () => {
    const key = 'k'.repeat(200_000);
    const plan = readPlan(
      syntheticPlan([
        { address: `terraform_data.big["${key}"]`, actions: ['delete'], before: { input: 1 } },
        {
          address: 'terraform_data.imported',
          actions: ['no-op'],
          importing: { id: 'i'.repeat(100_000) },
          before: {},
          after: {},
        },
        { address: 'terraform_data.small', actions: ['create'], after: { input: 'y'.repeat(5e6) } },
        {
          address: 'terraform_data.value',
          actions: ['update'],
          before: { input: 'z'.repeat(5e6) },
          after: { input: 'w'.repeat(5e6) },
        },
      ]),
    );
    const comment = renderPlanComment(plan, context);
    const summary = renderPlanSummary(plan, context);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    // The summary gives the destroyed address whole (the comment says where).
    expect(summary).toContain(`\n\`\`\`text\nterraform_data.big["${key}"]\n\`\`\`\n`);
    expect(comment).toContain('(shortened addresses are given whole in the job summary of');
    for (const body of [comment, summary]) {
      expect(body).toMatch(/> - destroy `terraform_data\.big\["k{400,}…k{400,}"\]` \(shortened/);
      expect(body).toContain('| + | `terraform_data.small` | create |');
      expect(body).toMatch(
        /\| <- \| `terraform_data\.imported` \| import `i{400,}…i{400,}` \(shortened from 100,000 characters, sha256 `[0-9a-f]{32}`\) \|/,
      );
      expect(body).toMatch(/\| `input` \| `"z{50,}…` \| `"w{50,}…` \|/);
      expect(body).not.toContain('not shown here');
    }
  });

  it('keeps every destroy address while they alone fit, and counts the rest when they do not', () => {
    const fits = readPlan(largePlan({ destroy: 1500, update: 100 }));
    const body = renderPlanComment(fits, context);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('`terraform_data.destroy_1499`');
    const tooMany = readPlan(largePlan({ destroy: 5000 }));
    const trimmed = renderPlanComment(tooMany, context);
    expect(trimmed.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
    expect(trimmed).toContain('5,000 to destroy');
    expect(trimmed).toMatch(/> - … and [\d,]+ more not shown/);
    expect(trimmed).toMatch(/not shown here: [\d,]+ destroys or replacements in the caution list/);
  });

  it('writes a job summary within 1 MiB that holds more than the comment', () => {
    const plan = readPlan(largePlan({ create: 3000, update: 3000, destroy: 40 }));
    const summary = renderPlanSummary(plan, context);
    const comment = renderPlanComment(plan, context);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(summary.length).toBeGreaterThan(comment.length * 5);
    expect(summary).not.toContain('<!-- multicloud:plan');
  });
});

describe('comment status and digest (used by apply)', () => {
  const plan = readPlan(
    syntheticPlan([{ address: 'terraform_data.a', actions: ['create'], after: { input: 1 } }]),
  );
  const digest = planDigest(plan);
  const body = renderPlanComment(plan, { ...context, digest });

  it('reads the digest, commit, outcome and digest-key id back', () => {
    expect(parsePlanComment(body)).toEqual({
      digest,
      commit: 'a1b2c3d4e5f60718',
      outcome: 'changes',
      digestKeyId: 'none',
    });
    const keyed = renderPlanComment(plan, { ...context, digest, digestKeyId: '0123456789abcdef' });
    expect(keyed).toContain(' key=0123456789abcdef -->');
    expect(parsePlanComment(keyed).digestKeyId).toBe('0123456789abcdef');
    // A comment of plan-digest form 1 has no key= at all.
    const formOne = body.replace(' key=none -->', ' -->');
    expect(parsePlanComment(formOne)).toEqual({
      digest,
      commit: 'a1b2c3d4e5f60718',
      outcome: 'changes',
    });
    expect(parsePlanDigest(`old comment\nplan-digest \`${digest}\` · commit`)).toBe(digest);
    expect(parsePlanDigest('no digest here')).toBeUndefined();
  });

  it('sets and replaces the status line under the header without touching the rest', () => {
    const applied = setPlanCommentStatus(body, appliedStatus('a1b2c3d4e5f6', 4243));
    expect(applied).toContain(
      '### Terraform plan for `aws`: 1 to add, 0 to change, 0 to replace, 0 to destroy\n<!-- multicloud:status -->\n**Applied at a1b2c3d by run 4243**\n',
    );
    expect(parsePlanComment(applied).status).toBe('Applied at a1b2c3d by run 4243');
    const refused = setPlanCommentStatus(
      applied,
      notAppliedStatus('the plan changed after review (2 resources differ, see run 4244)'),
    );
    expect(refused.match(/\*\*(Applied|Not applied)/g)).toEqual(['**Not applied']);
    expect(refused.replace(/\*\*Not applied.*\*\*\n/, '')).toBe(body);
    expect(parsePlanComment(refused).digest).toBe(digest);
  });

  it('keeps a failure report of any length within the comment and summary limits', () => {
    const text = `Error: ${'界'.repeat(600_000)}`;
    const comment = renderPlanFailure(context, text, 'comment');
    const summary = renderPlanFailure(context, text, 'summary');
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(summary).toContain('… (cut; the rest is in the run log)');
  });

  it('says the plan failed, with the error text and no sensitive value', () => {
    const body = renderPlanFailure(
      context,
      'Error: Invalid reference\n\n  on main.tf line 3: password = "p4ssw0rd"',
      'comment',
      new Redactor(['p4ssw0rd']),
    );
    expect(body).toContain('### Terraform plan for `aws`: failed');
    expect(body).toContain('Error: Invalid reference');
    expect(body).not.toContain('p4ssw0rd');
    expect(parsePlanComment(body)).toEqual({
      commit: 'a1b2c3d4e5f60718',
      outcome: 'failed',
      digestKeyId: 'none',
    });
  });
});
