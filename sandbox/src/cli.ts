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
  fauxqs: 'SQS, SNS and S3 emulator',
  azurite: 'Blob emulator',
  eventhubs: 'Event Hubs stand-in (order.placed events)',
  notificationhubs: 'Notification Hubs stand-in (customer push)',
};

/** `<name>: <url>` lines first (what scripts parse), then what to try. */
export function banner(sandbox: Sandbox): string {
  const names = Object.keys(sandbox.urls);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = [
    'Multi-cloud sandbox is up (both cells, routing and control planes on this machine)',
    '',
  ];
  for (const name of names) {
    const url = sandbox.urls[name] ?? '';
    lines.push(
      `${name}: ${url}${' '.repeat(Math.max(1, width + 24 - name.length - url.length))}${DESCRIPTIONS[name] ?? ''}`,
    );
  }
  const { weights } = sandbox.snapshot();
  lines.push(
    '',
    `weights:    Route 53 aws=${weights.route53.aws} azure=${weights.route53.azure} · Front Door aws=${weights.frontDoor.aws.weight} azure=${weights.frontDoor.azure.weight}`,
    `try:        curl -s ${sandbox.urls.router}/health`,
    '            npm run load                                 (steady traffic, per-cloud counts)',
    `            npm run shift -- --target aws=100,azure=0    (the real traffic-shift action, steps ${SANDBOX_SHIFT_DEFAULTS.steps})`,
    '',
    `ready in ${(sandbox.startupMs / 1000).toFixed(1)} s · Ctrl-C stops everything.`,
  );
  return lines.join('\n');
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
