import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { launchChromium } from './chromium.js';
import { launchSandbox } from './client.js';
import { LoadGenerator } from './load-generator.js';

/**
 * `node scripts/run-typescript.js sandbox/src/screenshot-command.ts docs/sandbox-dashboard.png`: the README's picture. Starts
 * a sandbox, sends steady traffic (and a few checkouts), runs a real shift to 75/25 and captures the dashboard with
 * Debian's chromium once the chart shows the change.
 */
export async function main(argv: string[]): Promise<number> {
  const path = resolve(argv[0] ?? 'docs/sandbox-dashboard.png');
  const sandbox = await launchSandbox();
  const load = new LoadGenerator(sandbox.urls.router ?? '', {
    rps: 40,
    flow: 'browse',
    tokens: sandbox.tokens,
  });
  // A few shoppers checking out too, so the replication panel has carts and orders to show.
  const shoppers = new LoadGenerator(sandbox.urls.router ?? '', {
    rps: 4,
    flow: 'checkout',
    tokens: sandbox.tokens,
  });
  const browser = await launchChromium();
  try {
    load.start();
    shoppers.start();
    const page = await browser.newPage({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    await page.goto(sandbox.urls.dashboard ?? '');
    await page.waitForSelector('#cell-azure[data-healthy="true"]');
    await new Promise((r) => setTimeout(r, 15_000));
    const result = await sandbox.client.shift({
      target: 'aws=75,azure=25',
      steps: '40,100',
      bakeSeconds: 5,
    });
    if (result.exitCode !== 0) throw new Error(`the shift failed:\n${result.log.join('\n')}`);
    await new Promise((r) => setTimeout(r, 12_000));
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: true });
    console.log(`saved ${path}`);
    return 0;
  } finally {
    await load.stop();
    await shoppers.stop();
    await browser.close();
    await sandbox.stop();
  }
}
