import { connectSandbox } from './client.js';
import { SandboxError } from './errors.js';
import { SANDBOX_ADMIN } from './tokens.js';

const USAGE = `usage: npm run token -- --customer <id> | --admin [--state-file PATH]

Prints a bearer token from the running sandbox's OIDC issuer, as the last line of the output:
  --customer <id>   a shopper's token (sub=<id>): their own carts and orders
  --admin           the operator's token (sub=${SANDBOX_ADMIN}, the admin scope): inventory
                    writes and allocation transfers

  curl -s -X POST http://127.0.0.1:8080/carts \\
    -H "authorization: Bearer $(npm run -s token -- --customer alice | tail -n 1)"`;

type Who = { kind: 'customer'; id: string } | { kind: 'admin' };

/** Customer ids as the cells accept token subjects. */
const customerPattern = /^[A-Za-z0-9_.@:|-]{1,100}$/;

function parseTokenArgs(argv: string[]): { who: Who; stateFile?: string } | 'help' {
  let who: Who | undefined;
  let stateFile: string | undefined;
  const choose = (next: Who): void => {
    if (who) throw new SandboxError(`give either --customer <id> or --admin, not both\n\n${USAGE}`);
    who = next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      const given = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (given === undefined || given === '') throw new SandboxError(`${name} needs a value`);
      return given;
    };
    if (name === '--help') return 'help';
    else if (name === '--admin' && eq === -1) choose({ kind: 'admin' });
    else if (name === '--customer') {
      const id = value();
      if (!customerPattern.test(id)) {
        throw new SandboxError(
          `--customer must be 1 to 100 letters, digits or _ . @ : | -, got "${id}"`,
        );
      }
      choose({ kind: 'customer', id });
    } else if (name === '--state-file') stateFile = value();
    else throw new SandboxError(`unknown option ${arg}\n\n${USAGE}`);
  }
  if (!who) throw new SandboxError(`say whose token: --customer <id> or --admin\n\n${USAGE}`);
  return { who, ...(stateFile ? { stateFile } : {}) };
}

/**
 * `npm run token`: what it is for on the lines before, the token alone on the last line, so
 * `| tail -n 1` gives exactly the token. The running sandbox is found as `npm run shift` finds it.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parseTokenArgs(argv);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    const { state, tokens } = connectSandbox(parsed.stateFile);
    const { who } = parsed;
    const issued =
      who.kind === 'admin'
        ? await tokens.issue(SANDBOX_ADMIN, state.auth.adminScope)
        : await tokens.issue(who.id);
    console.log(`issuer:   ${state.auth.issuer}`);
    console.log(
      `subject:  ${issued.subject}${issued.scope ? ` (scope ${issued.scope})` : ' (a customer)'}`,
    );
    console.log(`audience: ${state.auth.audience}`);
    console.log(`expires:  ${issued.expiresAt.toISOString()}`);
    console.log(
      `send it:  authorization: Bearer <the next line> to ${state.urls.router ?? 'the router'}`,
    );
    console.log(issued.token);
    return 0;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm run token: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
