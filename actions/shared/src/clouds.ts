/**
 * The project's one vocabulary for the two clouds, imported by the traffic-shift action, the
 * sandbox and the rollout. Each cloud is a full cell and the other's blue/green environment.
 */

/** Order is display order: AWS first, in every split, table and summary. */
export const CLOUDS = ['aws', 'azure'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** One value per cloud: weights, URLs, set identifiers, counters. */
export type PerCloud<T> = Record<Cloud, T>;

export function isCloud(value: string): value is Cloud {
  return (CLOUDS as readonly string[]).includes(value);
}

export function otherCloud(cloud: Cloud): Cloud {
  return cloud === 'aws' ? 'azure' : 'aws';
}
