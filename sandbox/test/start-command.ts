import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot } from '../src/paths.js';

/** Runs `node sandbox/start.js <args>` (npm start / shift / load) to completion. */
export function runStartCommand(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'sandbox', 'start.js'), ...args], {
      cwd: repoRoot(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
