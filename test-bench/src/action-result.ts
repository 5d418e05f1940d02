/**
 * What an action reported, read back once its process has ended: stdout/stderr workflow
 * commands (annotations, masks), the file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * GITHUB_STATE, GITHUB_ENV, GITHUB_PATH), and the GitHub limits the run broke (a step summary
 * over 1 MiB, which GitHub drops; an output over 1 MB).
 */
import { readFile } from 'node:fs/promises';
import type { ActionResult } from './action-runner.js';
import type { RunFolders } from './runner-environment.js';
import { annotationsFrom, parseCommands, parseKeyValueFile } from './workflow-commands.js';

/** GitHub's documented limits: 1 MiB per step summary, 1 MB per output. */
export const MAX_SUMMARY_BYTES = 1024 * 1024;
export const MAX_OUTPUT_BYTES = 1_000_000;

/** How the process ended and what it printed. */
export interface ProcessEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export async function collectResult(
  end: ProcessEnd,
  folders: RunFolders,
  env: Record<string, string>,
  cleanup: () => Promise<void>,
): Promise<ActionResult> {
  const commands = [...parseCommands(end.stdout, 'stdout'), ...parseCommands(end.stderr, 'stderr')];
  const files = await readFileCommands(folders);
  return {
    ...end,
    ...files,
    limitViolations: limitViolations(files.summary, files.outputs),
    annotations: annotationsFrom(commands),
    masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
    commands,
    env,
    tempDir: folders.tempDir,
    workspace: folders.workspace,
    runnerTemp: folders.runnerTemp,
    cleanup,
  };
}

async function readFileCommands({ files }: RunFolders) {
  const read = (file: string) => readFile(file, 'utf8');
  const [outputs, summary, state, exportedEnv, pathFile] = await Promise.all([
    read(files.output).then((text) => parseKeyValueFile(text, 'GITHUB_OUTPUT')),
    read(files.summary),
    read(files.state).then((text) => parseKeyValueFile(text, 'GITHUB_STATE')),
    read(files.env).then((text) => parseKeyValueFile(text, 'GITHUB_ENV')),
    read(files.path),
  ]);
  const addedPath = pathFile.split('\n').filter((line) => line.trim() !== '');
  return { outputs, summary, state, exportedEnv, addedPath };
}

function limitViolations(summary: string, outputs: Record<string, string>): string[] {
  const violations: string[] = [];
  const summaryBytes = Buffer.byteLength(summary);
  if (summaryBytes > MAX_SUMMARY_BYTES) {
    violations.push(
      `step summary is ${summaryBytes} bytes; GitHub drops a summary over ${MAX_SUMMARY_BYTES} bytes (1 MiB)`,
    );
  }
  for (const [name, value] of Object.entries(outputs)) {
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_OUTPUT_BYTES) {
      violations.push(
        `output "${name}" is ${bytes} bytes; GitHub's limit is ${MAX_OUTPUT_BYTES} bytes (1 MB) per output`,
      );
    }
  }
  return violations;
}
