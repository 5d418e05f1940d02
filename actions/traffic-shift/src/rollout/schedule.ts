import { CLOUDS, sameSplit, type Split } from './split.js';

/**
 * The split at each step: `steps` are cumulative percentages of the way from `from` to `to`
 * (10,25,50,100). Each step is rounded to whole percentages (AWS rounded, Azure the rest, so
 * the sum stays 100). Steps that round to the split before them are dropped: a step that moves
 * nothing would only add a bake.
 */
export function stepSplits(from: Split, to: Split, steps: readonly number[]): Split[] {
  const [first, second] = CLOUDS;
  const result: Split[] = [];
  let previous = from;
  for (const percent of steps) {
    const moved = Math.round(from[first] + ((to[first] - from[first]) * percent) / 100);
    const split = { [first]: moved, [second]: 100 - moved } as Split;
    if (!sameSplit(split, previous)) {
      result.push(split);
      previous = split;
    }
  }
  // The last step always lands exactly on the target.
  if (result.length > 0 && !sameSplit(result[result.length - 1] as Split, to)) {
    result.push(to);
  }
  return result;
}
