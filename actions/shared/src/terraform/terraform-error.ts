/** Errors from running Terraform, with the text a person needs and nothing more. */

export interface StateLockInfo {
  id?: string;
  path?: string;
  operation?: string;
  who?: string;
  version?: string;
  created?: string;
  info?: string;
}

export class TerraformError extends Error {
  /** e.g. "plan", "init". */
  readonly command: string;
  readonly exitCode: number | null;
  /** Terraform's diagnostics, without the box drawing, for annotations and comments. */
  readonly errorText: string;
  /** Set when another run holds the state lock. */
  readonly lock?: StateLockInfo;
  /** True when apply refused a saved plan because the state changed after planning. */
  readonly stalePlan: boolean;

  constructor(command: string, exitCode: number | null, errorText: string) {
    const lock = parseLockError(errorText);
    const stalePlan = /Saved plan is stale/.test(errorText);
    const summary = lock
      ? `the state is locked by another run (lock ${lock.id ?? 'unknown'}, held by ${lock.who ?? 'unknown'} since ${lock.created ?? 'unknown'})`
      : stalePlan
        ? 'the saved plan is stale: the state changed after the plan was made'
        : firstErrorLine(errorText);
    super(
      `terraform ${command} failed${exitCode === null ? '' : ` (exit code ${exitCode})`}: ${summary}`,
    );
    this.name = 'TerraformError';
    this.command = command;
    this.exitCode = exitCode;
    this.errorText = errorText;
    this.stalePlan = stalePlan;
    if (lock) this.lock = lock;
  }
}

/** Terraform draws diagnostics in a box (╷ │ ╵); the text inside is what matters. */
export function cleanDiagnostics(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split(/\r?\n/)
      .filter((line) => !/^\s*[╷╵]\s*$/.test(line))
      .map((line) => line.replace(/^\s*│ ?/, '').replace(/\s+$/, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

function firstErrorLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.startsWith('Error:'));
  return (
    line ??
    text.split('\n').find((candidate) => candidate.trim() !== '') ??
    'no error text'
  ).trim();
}

/**
 * Reads the "Lock Info:" block of "Error acquiring the state lock":
 *   ID:        5d0e...
 *   Path:      terraform.tfstate
 *   Operation: OperationTypeApply
 *   Who:       runner@host
 *   Version:   1.11.4
 *   Created:   2026-11-24 10:00:00.000 +0000 UTC
 *   Info:
 */
export function parseLockError(text: string): StateLockInfo | undefined {
  if (!/Error acquiring the state lock|state lock/i.test(text) || !/Lock Info:/.test(text))
    return undefined;
  const block = text.slice(text.indexOf('Lock Info:'));
  const field = (name: string) => {
    const match = new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, 'm').exec(block);
    const value = match?.[1]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const info: StateLockInfo = {};
  const keys: [keyof StateLockInfo, string][] = [
    ['id', 'ID'],
    ['path', 'Path'],
    ['operation', 'Operation'],
    ['who', 'Who'],
    ['version', 'Version'],
    ['created', 'Created'],
    ['info', 'Info'],
  ];
  for (const [key, label] of keys) {
    const value = field(label);
    if (value !== undefined) info[key] = value;
  }
  return info;
}
