/** The SKUs the shop sells. A SKU outside this list is a client mistake (400 naming `sku`). */
export interface CatalogItem {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

const items: readonly CatalogItem[] = [
  { sku: 'TSHIRT-S', name: 'T-shirt, small', priceCents: 1500 },
  { sku: 'TSHIRT-M', name: 'T-shirt, medium', priceCents: 1500 },
  { sku: 'TSHIRT-L', name: 'T-shirt, large', priceCents: 1500 },
  { sku: 'MUG', name: 'Mug', priceCents: 900 },
  { sku: 'STICKERS', name: 'Sticker pack', priceCents: 400 },
  { sku: 'HOODIE', name: 'Hoodie', priceCents: 4500 },
];

const bySku = new Map(items.map((item) => [item.sku, item]));

export const catalog = {
  items,
  find(sku: string): CatalogItem | undefined {
    return bySku.get(sku);
  },
};
