/**
 * Conformance over the two real-world plan corpora beside the checkout (../shared/fixtures):
 * terraform-plans (Terraform's and OpenTofu's own test data) and published-plans (plans that
 * other public tools publish as test data). Every file is its own test, named by its file name:
 * it renders within GitHub's limits and shows nothing sensitive (plan-conformance.ts). The same
 * checks run on the project's own plans in owned-plans.test.ts, corpus or not.
 */
import { expect, it } from '@jest/globals';
import { findDrift, parsePlan, renderDriftIssue, renderPlanComment } from '../../src/plan/index.js';
import { describeCorpus, readCorpusFile } from '../../../../test-bench/src/corpus.js';
import { expectPlanConformance } from './plan-conformance.js';

const title = 'renders within limits, nothing sensitive shown';

describeCorpus('terraform-plans', title, expectPlanConformance, (files) => {
  it('shows what changed outside Terraform for the files with resource_drift', () => {
    const driftFiles = files.filter((name) =>
      readCorpusFile('terraform-plans', name).includes('"resource_drift"'),
    );
    expect(driftFiles.length).toBeGreaterThan(0);
    for (const name of driftFiles) {
      const plan = parsePlan(readCorpusFile('terraform-plans', name));
      if (plan.resourceDrift.length === 0) continue;
      const issue = renderDriftIssue(findDrift(plan, plan), plan, plan, {
        stack: 's',
        foundAt: new Date(0),
      });
      expect(issue).toContain(`#### Changed outside Terraform (${plan.resourceDrift.length})`);
      for (const change of plan.resourceDrift) expect(issue).toContain(change.address);
    }
    // What changed, attribute by attribute, as OpenTofu saw it.
    const tofu = parsePlan(readCorpusFile('terraform-plans', 'opentofu--drift.json'));
    const issue = renderDriftIssue(findDrift(tofu, tofu), tofu, tofu, {
      stack: 's',
      foundAt: new Date(0),
    });
    expect(issue).toContain(
      '| `test_instance.should_refresh` | `ami` | `"refresh-me"` | `"refreshed"` |',
    );
    expect(issue).toContain('#### In the code but not applied (2)');
  });

  it('marks the sensitive attribute and output of the sensitive-values files', () => {
    const plan = parsePlan(readCorpusFile('terraform-plans', 'opentofu--sensitive-values.json'));
    const comment = renderPlanComment(plan, { stack: 's' });
    expect(comment).toContain('| `test` | create | (sensitive) |');
    expect(comment).not.toContain('boop');
  });
});

describeCorpus('published-plans', title, expectPlanConformance);
