import { catalog } from '../../functions/src/core/catalog.js';
import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';

/** Stock each cell sells of every SKU: each cell sells only its own allocation. */
export const SEED_ALLOCATION: PerCloud<number> = { aws: 10_000, azure: 10_000 };

/**
 * Seeds each cell through its own public API (`PUT /inventory/{sku}`), as an operator would
 * after a first deploy. The catalog itself ships with the functions.
 */
export async function seedCells(cells: PerCloud<string>): Promise<string> {
  for (const cloud of Object.keys(cells) as Cloud[]) {
    for (const item of catalog.items) {
      const response = await fetch(`${cells[cloud]}/inventory/${encodeURIComponent(item.sku)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ allocation: SEED_ALLOCATION[cloud] }),
      });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(
          `seeding ${cloud} stock of ${item.sku} failed: ${response.status} ${text.slice(0, 200)}`,
        );
      }
    }
  }
  return `${catalog.items.length} SKUs, stock aws=${SEED_ALLOCATION.aws} azure=${SEED_ALLOCATION.azure} each`;
}
