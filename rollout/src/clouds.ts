/** The two clouds; each one is the other's blue/green environment. */
export const CLOUDS = ['aws', 'azure'] as const;
export type Cloud = (typeof CLOUDS)[number];
export type PerCloud<T> = Record<Cloud, T>;

export function isCloud(value: string): value is Cloud {
  return (CLOUDS as readonly string[]).includes(value);
}

export function otherCloud(cloud: Cloud): Cloud {
  return cloud === 'aws' ? 'azure' : 'aws';
}

/** `aws=50,azure=50` (the traffic-shift action's form), always AWS first. */
export function formatSplit(split: PerCloud<number>): string {
  return CLOUDS.map((cloud) => `${cloud}=${split[cloud]}`).join(',');
}
