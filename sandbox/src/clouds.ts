/** The two clouds, each a full cell. Order matters only for display (AWS first). */
export const CLOUDS = ['aws', 'azure'] as const;
export type Cloud = (typeof CLOUDS)[number];

export function isCloud(value: string): value is Cloud {
  return (CLOUDS as readonly string[]).includes(value);
}

export type PerCloud<T> = Record<Cloud, T>;
