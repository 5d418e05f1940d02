/**
 * Runs the terraform binary from PATH (hashicorp/setup-terraform with the wrapper off). Output
 * is captured rather than streamed: plan text can only be logged after the values it may hold
 * are registered with core.setSecret, which needs the plan JSON first. A cancelled job's
 * interrupt is passed on to Terraform, which then stops gracefully. Why this is
 * node:child_process and not @actions/exec: docs/adr/0013-terraform-runner-child-process.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cleanDiagnostics, TerraformError } from './terraform-error.js';

/**
 * Terraform processes running now. On cancellation GitHub sends SIGINT to the action's node
 * process only, SIGTERM 7.5 s later, then kills the process tree. Left alone, node exits at
 * once and Terraform, orphaned, dies at its next write to the closed pipe: mid-apply, with the
 * state lock held and objects it created missing from the state. So while Terraform runs, the
 * first SIGINT or SIGTERM is passed on as one SIGINT (Terraform's graceful stop: it finishes or
 * cancels what is in flight, writes the state and releases the lock); a second would make it
 * exit at once ("data loss may have occurred"), so none is sent. Node stays up until Terraform
 * has exited, and the caller reports what Terraform said.
 */
const running = new Set<ChildProcess>();
const interrupted = new WeakSet<ChildProcess>();
/**
 * Windows has no signals to pass on: Terraform shares the console and gets the runner's
 * Ctrl-C itself, and ChildProcess.kill would terminate it outright. There node only waits.
 */
const PASS_ON = process.platform !== 'win32';

function passOnCancellation(): void {
  if (!PASS_ON) return;
  for (const child of running) {
    if (interrupted.has(child)) continue;
    interrupted.add(child);
    child.kill('SIGINT');
  }
}

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('SIGINT', passOnCancellation);
    process.on('SIGTERM', passOnCancellation);
  }
  running.add(child);
  const done = () => {
    if (!running.delete(child) || running.size > 0) return;
    process.off('SIGINT', passOnCancellation);
    process.off('SIGTERM', passOnCancellation);
  };
  child.once('close', done);
  child.once('error', done);
}

export interface TerraformOptions {
  workingDirectory: string;
  /** Defaults to `terraform` on PATH. */
  binary?: string;
  /** Extra environment; TF_IN_AUTOMATION and TF_INPUT are always set. */
  env?: Record<string, string | undefined>;
  /** Receives each command line before it runs (for the log). */
  onCommand?: (line: string) => void;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PlanOptions {
  out: string;
  varFiles?: string[];
  targets?: string[];
  replace?: string[];
  refreshOnly?: boolean;
  /** false: `-lock=false` (a read-only plan). Default: lock as Terraform does. */
  lock?: boolean;
  lockTimeout?: string;
}

export interface PlanResult extends CommandResult {
  /** From -detailed-exitcode: 2 means the plan has changes. */
  hasChanges: boolean;
}

export interface OutputValue {
  sensitive: boolean;
  type: unknown;
  value: unknown;
}

export class Terraform {
  private readonly binary: string;

  constructor(private readonly options: TerraformOptions) {
    this.binary = options.binary ?? 'terraform';
  }

  /** Runs one command; resolves with any exit code, rejects only when it cannot start. */
  async run(
    args: string[],
    options: { stdoutFile?: string; okExitCodes?: number[] } = {},
  ): Promise<CommandResult> {
    this.options.onCommand?.(`${this.binary} ${args.join(' ')}`);
    const child = spawn(this.binary, args, {
      cwd: this.options.workingDirectory,
      env: {
        ...process.env,
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in a terminal reaches node, which passes on exactly
      // one interrupt (two make Terraform exit at once).
      detached: PASS_ON,
    });
    track(child);
    const stderrChunks: Buffer[] = [];
    const stdoutChunks: Buffer[] = [];
    const file = options.stdoutFile
      ? createWriteStream(options.stdoutFile, { mode: 0o600 })
      : undefined;
    if (file) child.stdout.pipe(file);
    else child.stdout.on('data', (chunk: Buffer) => stdoutChunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          reject(
            new TerraformError(
              args[0] ?? 'run',
              null,
              `The terraform binary (${this.binary}) was not found on PATH. Install it first, e.g. with hashicorp/setup-terraform (terraform_wrapper: false).`,
            ),
          );
        } else reject(error);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
    if (file)
      await new Promise<void>((resolve, reject) =>
        file.close((error) => (error ? reject(error) : resolve())),
      );
    return {
      exitCode,
      stdout: Buffer.concat(stdoutChunks).toString('utf8'),
      stderr: Buffer.concat(stderrChunks).toString('utf8'),
    };
  }

  private async checked(
    command: string,
    args: string[],
    okExitCodes = [0],
    stdoutFile?: string,
  ): Promise<CommandResult> {
    const result = await this.run(args, stdoutFile ? { stdoutFile } : {});
    if (!okExitCodes.includes(result.exitCode)) {
      const text = cleanDiagnostics(result.stderr) || cleanDiagnostics(result.stdout);
      throw new TerraformError(command, result.exitCode, text);
    }
    return result;
  }

  async version(): Promise<string> {
    const result = await this.checked('version', ['version', '-json']);
    try {
      const parsed = JSON.parse(result.stdout) as { terraform_version?: string };
      return parsed.terraform_version ?? 'unknown';
    } catch {
      return /v(\d+\.\d+\.\d+\S*)/.exec(result.stdout)?.[1] ?? 'unknown';
    }
  }

  async init(
    options: { backendConfig?: { key: string; value: string }[] } = {},
  ): Promise<CommandResult> {
    const args = ['init', '-input=false', '-no-color'];
    for (const { key, value } of options.backendConfig ?? [])
      args.push(`-backend-config=${key}=${value}`);
    return this.checked('init', args);
  }

  /** `plan -out -detailed-exitcode`: exit code 2 is a plan with changes, not a failure. */
  async plan(options: PlanOptions): Promise<PlanResult> {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${options.out}`];
    if (options.refreshOnly) args.push('-refresh-only');
    if (options.lock === false) args.push('-lock=false');
    else if (options.lockTimeout) args.push(`-lock-timeout=${options.lockTimeout}`);
    for (const file of options.varFiles ?? []) args.push(`-var-file=${file}`);
    for (const target of options.targets ?? []) args.push(`-target=${target}`);
    for (const address of options.replace ?? []) args.push(`-replace=${address}`);
    const result = await this.checked('plan', args, [0, 2]);
    return { ...result, hasChanges: result.exitCode === 2 };
  }

  /** Writes `show -json <plan>` to a file (plans can be far larger than a log line). */
  async showJsonToFile(planPath: string, jsonPath: string): Promise<void> {
    await this.checked('show', ['show', '-json', '-no-color', planPath], [0], jsonPath);
  }

  /** Human-readable plan text (`show <plan>`), for the log once secrets are masked. */
  async showText(planPath: string): Promise<string> {
    return (await this.checked('show', ['show', '-no-color', planPath])).stdout;
  }

  async apply(planPath: string, options: { lockTimeout?: string } = {}): Promise<CommandResult> {
    const args = ['apply', '-input=false', '-no-color', '-auto-approve'];
    if (options.lockTimeout) args.push(`-lock-timeout=${options.lockTimeout}`);
    args.push(planPath);
    return this.checked('apply', args);
  }

  async output(): Promise<Record<string, OutputValue>> {
    const result = await this.checked('output', ['output', '-json', '-no-color']);
    const text = result.stdout.trim();
    return text === '' ? {} : (JSON.parse(text) as Record<string, OutputValue>);
  }
}
