import {
  CLOUDS,
  isCloud,
  otherCloud,
  type Cloud,
  type PerCloud,
} from '../../../shared/src/clouds.js';

// The clouds' vocabulary is defined once in actions/shared; the action's modules import it
// from here, beside the split.
export { CLOUDS, isCloud, otherCloud, type Cloud, type PerCloud };

/**
 * A traffic split between the clouds: whole percentages that sum to 100. The engine only
 * knows these; each router adapter maps them to its own weights.
 */
export type Split = Readonly<PerCloud<number>>;

export function formatSplit(split: Split): string {
  return CLOUDS.map((cloud) => `${cloud}=${split[cloud]}`).join(',');
}

/** `63/37`, in CLOUDS order: the summary's compact form. */
export function shortSplit(split: Split): string {
  return CLOUDS.map((cloud) => split[cloud]).join('/');
}

export function sameSplit(a: Split, b: Split): boolean {
  return CLOUDS.every((cloud) => a[cloud] === b[cloud]);
}

/** Clouds that receive traffic under a split. */
export function carrying(split: Split): Cloud[] {
  return CLOUDS.filter((cloud) => split[cloud] > 0);
}

/**
 * Percentages from raw weights, rounded so they still sum to 100 (largest remainder).
 * All-zero weights: undefined (the router decides what that means).
 */
export function splitFromWeights(weights: PerCloud<number>): Split | undefined {
  const total = CLOUDS.reduce((sum, cloud) => sum + weights[cloud], 0);
  if (total <= 0) return undefined;
  const exact = CLOUDS.map((cloud) => ({ cloud, value: (weights[cloud] * 100) / total }));
  const floored = exact.map((entry) => ({ ...entry, whole: Math.floor(entry.value) }));
  let left = 100 - floored.reduce((sum, entry) => sum + entry.whole, 0);
  const byRemainder = [...floored].sort(
    (a, b) =>
      b.value - b.whole - (a.value - a.whole) || CLOUDS.indexOf(a.cloud) - CLOUDS.indexOf(b.cloud),
  );
  for (const entry of byRemainder) {
    if (left <= 0) break;
    entry.whole += 1;
    left -= 1;
  }
  return Object.fromEntries(floored.map((entry) => [entry.cloud, entry.whole])) as Split;
}
