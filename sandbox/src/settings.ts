import { SandboxError } from './errors.js';
import { isRouterMode, ROUTER_MODES, type RouterMode } from './router/weights.js';

/** Every port the sandbox opens, each configurable by flag or environment variable. */
export const PORTS = {
  router: { default: 8080, what: 'edge router' },
  aws: { default: 8081, what: 'AWS cell (API Gateway)' },
  azure: { default: 8082, what: 'Azure cell (Functions host)' },
  dashboard: { default: 8090, what: 'dashboard' },
  fauxqs: { default: 4566, what: 'fauxqs (SQS, SNS, S3)' },
  azurite: { default: 10000, what: 'Azurite (Blob)' },
} as const;
// The control planes (Route 53, Front Door, the Azure token endpoint) and the other stand-ins
// take a free port each: the shared stand-in server plumbing has no port option. The state
// file and the printed URLs say where they are.

export type PortName = keyof typeof PORTS;

export function portFlag(name: PortName): string {
  return `--${name}-port`;
}

export function portEnv(name: PortName): string {
  return `SANDBOX_${name.toUpperCase()}_PORT`;
}

/** How to change one port, for error messages. */
export function portHint(name: PortName): string {
  return `${portFlag(name)} or ${portEnv(name)}`;
}

export interface SandboxSettings {
  ports: Record<PortName, number>;
  routerMode: RouterMode;
  /** The version both cells start on. */
  version: string;
  /** Where the running sandbox writes its endpoints for `npm run shift` and `npm run load`. */
  stateFile: string | undefined;
}

export const USAGE = `usage: npm start -- [options]

  --router chain|route53|frontdoor
                               which clients the router port stands for (default chain: the public
                               host name, Route 53 then Front Door for Azure's record, with health;
                               frontdoor: clients holding the Front Door answer; route53: Route 53
                               straight to the cells, the wave-1 layout)
  --free-ports                 take any free port for everything (SANDBOX_FREE_PORTS=1)
  --<name>-port N              one port; names: ${Object.keys(PORTS).join(', ')}
                               (or SANDBOX_<NAME>_PORT=N)
  --cell-version V             the version both cells start on (default 1.0.0)
  --state-file PATH            where to write the endpoints (default <tmp>/multicloud-sandbox/state.json)
  --help                       this text`;

function parsePort(value: string, source: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new SandboxError(
      `${source} must be a port number from 0 to 65535 (0 = any free port), got "${value}"`,
    );
  }
  return Number(value);
}

/** Parses flags first, then the environment, then the defaults; rejects anything unknown. */
export function parseSettings(argv: string[], env: NodeJS.ProcessEnv): SandboxSettings | 'help' {
  const known = new Set([
    '--router',
    '--free-ports',
    '--cell-version',
    '--state-file',
    ...Object.keys(PORTS).map((n) => portFlag(n as PortName)),
  ]);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new SandboxError(`unexpected argument "${arg}"\n\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.has(name) && name !== '--help')
      throw new SandboxError(`unknown option ${name}\n\n${USAGE}`);
    if (name === '--help' || name === '--free-ports') {
      flags.set(name, true);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value.startsWith('--'))
      throw new SandboxError(`${name} needs a value\n\n${USAGE}`);
    flags.set(name, value);
  }
  if (flags.has('--help')) return 'help';

  const freePorts =
    flags.has('--free-ports') ||
    env.SANDBOX_FREE_PORTS === '1' ||
    env.SANDBOX_FREE_PORTS === 'true';
  const ports = {} as Record<PortName, number>;
  for (const name of Object.keys(PORTS) as PortName[]) {
    const flag = flags.get(portFlag(name));
    if (typeof flag === 'string') ports[name] = parsePort(flag, portFlag(name));
    else if (env[portEnv(name)]) ports[name] = parsePort(env[portEnv(name)] ?? '', portEnv(name));
    else ports[name] = freePorts ? 0 : PORTS[name].default;
  }
  const taken = new Map<number, PortName>();
  for (const name of Object.keys(ports) as PortName[]) {
    const port = ports[name];
    if (port === 0) continue;
    const other = taken.get(port);
    if (other)
      throw new SandboxError(
        `${portFlag(name)} and ${portFlag(other)} are both ${port}: each needs its own port`,
      );
    taken.set(port, name);
  }

  const mode = (flags.get('--router') as string | undefined) ?? env.SANDBOX_ROUTER ?? 'chain';
  if (!isRouterMode(mode))
    throw new SandboxError(`--router must be ${ROUTER_MODES.join(', ')}, got "${mode}"`);

  const version =
    (flags.get('--cell-version') as string | undefined) ?? env.SANDBOX_CELL_VERSION ?? '1.0.0';
  if (!/^[\w.+-]{1,64}$/.test(version)) {
    throw new SandboxError(
      `--cell-version must be letters, digits, dots, dashes or underscores (at most 64), got "${version}"`,
    );
  }
  const stateFile = (flags.get('--state-file') as string | undefined) ?? env.SANDBOX_STATE_FILE;
  return { ports, routerMode: mode, version, stateFile };
}
