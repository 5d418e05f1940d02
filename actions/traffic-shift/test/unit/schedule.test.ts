import { describe, expect, it } from '@jest/globals';
import { stepSplits } from '../../src/rollout/schedule.js';
import { splitFromWeights } from '../../src/rollout/split.js';

describe('stepSplits', () => {
  it('moves a cumulative share of the way to the target at each step', () => {
    expect(stepSplits({ aws: 50, azure: 50 }, { aws: 100, azure: 0 }, [10, 25, 50, 100])).toEqual([
      { aws: 55, azure: 45 },
      { aws: 63, azure: 37 },
      { aws: 75, azure: 25 },
      { aws: 100, azure: 0 },
    ]);
  });

  it('works in both directions and drops steps that round to no change', () => {
    expect(stepSplits({ aws: 50, azure: 50 }, { aws: 48, azure: 52 }, [10, 25, 50, 100])).toEqual([
      { aws: 49, azure: 51 },
      { aws: 48, azure: 52 },
    ]);
  });

  it('plans nothing when already at the target', () => {
    expect(stepSplits({ aws: 30, azure: 70 }, { aws: 30, azure: 70 }, [50, 100])).toEqual([]);
  });
});

describe('splitFromWeights', () => {
  it('rounds to whole percentages that still sum to 100', () => {
    expect(splitFromWeights({ aws: 1, azure: 2 })).toEqual({ aws: 33, azure: 67 });
    expect(splitFromWeights({ aws: 255, azure: 0 })).toEqual({ aws: 100, azure: 0 });
    expect(splitFromWeights({ aws: 630, azure: 370 })).toEqual({ aws: 63, azure: 37 });
  });

  it('has no split for all-zero weights', () => {
    expect(splitFromWeights({ aws: 0, azure: 0 })).toBeUndefined();
  });
});
