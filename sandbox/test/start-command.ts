import { spawn } from 'node:child_process';

import { repoRoot, runTypeScript } from '../src/paths.js';

/**
 * Runs `npm start -- <args>` to completion, or `npm run shift|load|token|outage -- <args>`
 * when the first argument names one of them.
 */
export function runStartCommand(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [first, ...rest] = args;
  const command =
    first === 'shift' || first === 'load' || first === 'token' || first === 'outage'
      ? first
      : undefined;
  const entry = command ? `sandbox/src/${command}-command.ts` : 'sandbox/src/cli.ts';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...runTypeScript(entry), ...(command ? rest : args)], {
      cwd: repoRoot(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
