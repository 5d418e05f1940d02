/**
 * A mistake in an action input. The message names the input and the accepted form, so the
 * top-level catch can print it as it is, without a stack trace.
 */
export class InputError extends Error {
  readonly input: string;

  constructor(input: string, message: string) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}
