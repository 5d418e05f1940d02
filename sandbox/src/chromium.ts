import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium (`apt-get install chromium`; CHROMIUM overrides): playwright-core downloads
 * no browser, and npm blocks the install scripts that would.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Headless, and quiet: no sandbox (root in CI), no calls home, no first-run work. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
