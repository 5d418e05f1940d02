/**
 * A mistake the person running the sandbox can fix (a busy port, a bad flag, no sandbox
 * running). The command line prints its message alone, never a stack trace.
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}
