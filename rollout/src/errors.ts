/** A user mistake (a bad setting, no sandbox, a failed precondition): printed without a stack. */
export class RolloutError extends Error {
  override readonly name = 'RolloutError';
}
