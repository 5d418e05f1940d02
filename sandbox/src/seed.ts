import { CLOUDS, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { catalog } from '../../functions/src/core/catalog.js';

/** Stock each cell sells of every SKU: each cell sells only its own allocation. */
export const SEED_ALLOCATION: PerCloud<number> = { aws: 10_000, azure: 10_000 };

/**
 * Seeds each cell through its own public API (`PUT /inventory/{sku}`, with the admin's token),
 * as an operator would after a first deploy. The catalog itself ships with the functions. Every SKU of both cells
 * at once: each is its own document, and start-up waits for the slowest. All are awaited
 * before the first failure is reported.
 */
export async function seedCells(cells: PerCloud<string>, adminToken: string): Promise<string> {
  const seeding = CLOUDS.flatMap((cloud) =>
    catalog.items.map((item) => seedStock(cells[cloud], cloud, item.sku, adminToken)),
  );
  const failed = (await Promise.allSettled(seeding)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return `${catalog.items.length} SKUs, stock aws=${SEED_ALLOCATION.aws} azure=${SEED_ALLOCATION.azure} each`;
}

async function seedStock(
  cellUrl: string,
  cloud: Cloud,
  sku: string,
  adminToken: string,
): Promise<void> {
  const response = await fetch(`${cellUrl}/inventory/${encodeURIComponent(sku)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ allocation: SEED_ALLOCATION[cloud] }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `seeding ${cloud} stock of ${sku} failed: ${response.status} ${text.slice(0, 200)}`,
    );
  }
}
