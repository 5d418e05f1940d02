import { SandboxError } from './errors.js';
import { readState } from './state-file.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import { parseSettings, USAGE } from './settings.js';
import { SANDBOX_SHIFT_DEFAULTS } from './shift-runner.js';

const DESCRIPTIONS: Record<string, string> = {
  router: 'send requests here (split by the weights below)',
  dashboard: 'live split, health, weights, rollout steps',
  aws: 'AWS cell (Lambda handlers behind API Gateway v2.0; SQS/SNS/S3 in fauxqs)',
  azure: 'Azure cell (Functions v4 handlers; Blob in Azurite)',
  route53: 'Route 53 control plane (REST-XML)',
  frontdoor: 'Front Door control plane (Azure Resource Manager, HTTPS)',
  identity: 'Entra ID token endpoint for the Azure credential chain',
  issuer: "OIDC issuer of the customers' and the admin's bearer tokens (JWKS, token endpoint)",
  fauxqs: 'SQS, SNS and S3 emulator',
  azurite: 'Blob emulator',
  eventhubs: 'Event Hubs stand-in (order.placed events)',
  notificationhubs: 'Notification Hubs stand-in (customer push)',
};

/** What a newcomer uses; everything else is what the action and the cells talk to. */
const MAIN_ENDPOINTS = ['router', 'dashboard', 'aws', 'azure'];

/** `<name>: <url>` lines, aligned, one per line (`^name:` is what scripts parse). */
function endpointLines(urls: Record<string, string>, names: string[]): string[] {
  // At least the width of the `weights:` and `try:` labels, so the first URLs line up with them.
  const nameWidth = Math.max(12, ...names.map((n) => n.length + 2));
  const urlWidth = Math.max(...names.map((n) => (urls[n] ?? '').length)) + 2;
  return names.map((name) =>
    `${`${name}:`.padEnd(nameWidth)}${(urls[name] ?? '').padEnd(urlWidth)}${DESCRIPTIONS[name] ?? ''}`.trimEnd(),
  );
}

/**
 * The four endpoints a newcomer needs first, then the control planes and emulators behind them,
 * the weights, and what to try next.
 */
export function banner(sandbox: Sandbox): string {
  const main = MAIN_ENDPOINTS.filter((name) => name in sandbox.urls);
  const behind = Object.keys(sandbox.urls).filter((name) => !main.includes(name));
  const { weights } = sandbox.snapshot();
  const label = (text: string): string => text.padEnd(12);
  return [
    'Multi-cloud sandbox is up (both cells, routing and control planes on this machine)',
    '',
    ...endpointLines(sandbox.urls, main),
    '',
    ...(behind.length > 0
      ? [
          'behind them (the traffic-shift action and the cells talk to these):',
          ...endpointLines(sandbox.urls, behind),
          '',
        ]
      : []),
    `${label('weights:')}Route 53 aws=${weights.route53.aws} azure=${weights.route53.azure} · Front Door aws=${weights.frontDoor.aws.weight} azure=${weights.frontDoor.azure.weight}`,
    `${label('try:')}curl -s ${sandbox.urls.router}/health`,
    `${label('')}curl -s -X POST ${sandbox.urls.router}/carts -H "authorization: Bearer $(npm run -s token -- --customer alice | tail -n 1)"`,
    `${label('')}npm run token -- --customer alice | --admin  (a bearer token, on the last line)`,
    `${label('')}npm run load                                 (steady traffic, per-cloud counts)`,
    `${label('')}npm run shift -- --target aws=100,azure=0    (the real traffic-shift action, steps ${SANDBOX_SHIFT_DEFAULTS.steps})`,
    `${label('')}npm run rehearse                             (the deploy rollout, one cloud at a time)`,
    '',
    `ready in ${(sandbox.startupMs / 1000).toFixed(1)} s · Ctrl-C stops everything.`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let settings;
  try {
    settings = parseSettings(argv, process.env);
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    return 2;
  }
  if (settings === 'help') {
    console.log(USAGE);
    return 0;
  }
  console.log(
    'starting the sandbox: emulators, control planes, both cells, edge router, dashboard ...',
  );
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(settings, (line) => {
      if (process.env.SANDBOX_DEBUG) console.error(line);
    });
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm start: ${error.message}${alreadyRunning(settings.stateFile)}`);
      return 1;
    }
    console.error(
      `npm start: the sandbox failed to start: ${(error as Error).stack ?? String(error)}`,
    );
    return 1;
  }
  console.log(banner(sandbox));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the sandbox ...`);
      const force = setTimeout(() => {
        console.error('npm start: stopping took over 10 s; exiting anyway');
        resolve(1);
      }, 10_000);
      force.unref();
      sandbox
        .stop()
        .then(() => {
          clearTimeout(force);
          console.log('stopped; nothing left running.');
          resolve(0);
        })
        .catch((error: unknown) => {
          console.error(`npm start: while stopping: ${(error as Error).message}`);
          resolve(1);
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGHUP', () => stop('SIGHUP'));
  });
}

/** A busy port is most often a sandbox started earlier: say so, with where it is. */
function alreadyRunning(stateFile: string | undefined): string {
  try {
    const state = readState(stateFile);
    return `\n(a sandbox is already running: pid ${state.pid}, dashboard ${state.urls.dashboard ?? '?'})`;
  } catch {
    return '';
  }
}
