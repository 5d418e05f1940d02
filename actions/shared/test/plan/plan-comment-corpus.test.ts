/**
 * The plan-comment codec over both real-world corpora beside the checkout
 * (../shared/fixtures/terraform-plans and ../shared/fixtures/published-plans): every plan's
 * comment, read back, gives the plan's own listing (or a declared-partial one that still holds
 * every destroy and replacement), holds no value, and keeps the comment within its limit.
 * Without a corpus folder the suite says so in one line; under CI=true it fails instead.
 */
import { parsePlan, planDigest } from '../../src/plan/index.js';
import { PLAN_CORPORA, describeCorpus } from '../../../../test-bench/src/corpus.js';
import { expectListingRoundTrip } from './listing-round-trip.js';

for (const corpus of PLAN_CORPORA) {
  describeCorpus(corpus, 'plan-comment codec round trip', (text) => {
    const plan = parsePlan(text);
    expectListingRoundTrip(plan, {
      stack: 'corpus',
      commitSha: 'a1b2c3d4',
      digest: planDigest(plan),
    });
  });
}
