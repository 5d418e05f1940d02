// The split clients see through the chain (ADR 16): Route 53's split, with the azure record's
// share re-split by Front Door, which sends it all to API Management (priority 1) while it is
// enabled and to the AWS backup (priority 2) while it is not.
import { describe, expect, it } from '@jest/globals';

import { effectiveSplit, finalClientSplit } from '../../src/rollout/effective-split.js';
import type { RouterReading } from '../../src/rollout/router.js';
import type { Split } from '../../src/rollout/split.js';
import { edgeOf } from '../../src/routers/front-door-router.js';

const reading = (split: Split | undefined, edge?: RouterReading['edge']): RouterReading => ({
  split,
  description: 'd',
  warnings: [],
  ...(edge ? { edge } : {}),
});
const origins = (aws: [boolean, number], azure: [boolean, number]) => ({
  aws: { weight: 500, enabled: aws[0], priority: aws[1] },
  azure: { weight: 500, enabled: azure[0], priority: azure[1] },
});

describe('edgeOf: Front Door behind one record', () => {
  it('finds the record from the priorities and what Front Door carries now', () => {
    expect(edgeOf(origins([true, 2], [true, 1]))).toEqual({
      behind: 'azure',
      carries: { aws: 0, azure: 100 },
    });
    // Azure drained: its record's stragglers go to the AWS backup.
    expect(edgeOf(origins([true, 2], [false, 1]))).toEqual({
      behind: 'azure',
      carries: { aws: 100, azure: 0 },
    });
    // One priority for both: Front Door is an entry of its own (the wave-1 layout).
    expect(edgeOf(origins([true, 1], [true, 1]))).toBeUndefined();
  });
});

describe('effectiveSplit', () => {
  it('is the Route 53 split when Front Door carries its record to its own cloud', () => {
    const edge = edgeOf(origins([true, 2], [true, 1]));
    expect(
      effectiveSplit([
        { id: 'route53', reading: reading({ aws: 25, azure: 75 }) },
        { id: 'frontdoor', reading: reading({ aws: 25, azure: 75 }, edge) },
      ]),
    ).toEqual({ aws: 25, azure: 75 });
  });

  it("moves the azure record's share to AWS while API Management is disabled behind it", () => {
    const edge = edgeOf(origins([true, 2], [false, 1]));
    expect(
      effectiveSplit([
        { id: 'route53', reading: reading({ aws: 60, azure: 40 }) },
        { id: 'frontdoor', reading: reading({ aws: 100, azure: 0 }, edge) },
      ]),
    ).toEqual({ aws: 100, azure: 0 });
  });

  it('is the Route 53 split when the routers are parallel entries, and Front Door alone its own', () => {
    expect(
      effectiveSplit([
        { id: 'route53', reading: reading({ aws: 50, azure: 50 }) },
        { id: 'frontdoor', reading: reading({ aws: 50, azure: 50 }) },
      ]),
    ).toEqual({ aws: 50, azure: 50 });
    expect(effectiveSplit([{ id: 'frontdoor', reading: reading({ aws: 30, azure: 70 }) }])).toEqual(
      { aws: 30, azure: 70 },
    );
  });

  it('reports the target once a run completed, the start after a rollback, nothing after a failed one', () => {
    const readings = [{ id: 'route53', reading: reading({ aws: 50, azure: 50 }) }];
    const target = { aws: 100, azure: 0 };
    expect(finalClientSplit({ outcome: 'completed', target, readings })).toEqual(target);
    expect(finalClientSplit({ outcome: 'rolled-back', target, readings })).toEqual({
      aws: 50,
      azure: 50,
    });
    expect(finalClientSplit({ outcome: 'rollback-failed', target, readings })).toBeUndefined();
  });
});
