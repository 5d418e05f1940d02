/**
 * The bookkeeping of the sandbox's start-up: what to stop (in reverse start order), pieces still
 * starting when something fails, and where the time goes (`SANDBOX_DEBUG=1 npm start`).
 */
export class StartUp {
  readonly started = Date.now();
  private phaseStarted = this.started;
  private stops: (() => Promise<void> | void)[] = [];
  // Pieces still starting when something fails: waited for, so that they are stopped too.
  private readonly inFlight: Promise<unknown>[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** Registers how to stop a piece that is up; stopAll runs these last-registered first. */
  onStop(stop: () => Promise<void> | void): void {
    this.stops.push(stop);
  }

  /** Like onStop, but this one runs after every other (the state file goes last). */
  onStopLast(stop: () => Promise<void> | void): void {
    this.stops.unshift(stop);
  }

  /** A piece starting in parallel with others: its stop is registered as soon as it is up. */
  track<T>(starting: Promise<T>, stop: (started: T) => Promise<void> | void): Promise<T> {
    const tracked = starting.then((started) => {
      this.onStop(() => stop(started));
      return started;
    });
    this.inFlight.push(tracked);
    return tracked;
  }

  phase(what: string): void {
    const now = Date.now();
    this.log(`start-up: ${what} (+${now - this.phaseStarted} ms)`);
    this.phaseStarted = now;
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  /** Stops everything registered; a failing stop is reported and the others still run. */
  async stopAll(): Promise<void> {
    const stops = this.stops.reverse();
    this.stops = [];
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        console.error(`while stopping: ${(error as Error).message}`);
      }
    }
  }

  /** After a failed start: waits for the pieces still starting, then stops everything. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.stopAll();
  }
}

/**
 * Promise.all that waits for every piece to settle before failing, so that whatever did start
 * has registered its stop and is stopped with the rest.
 */
export async function allStarted<T extends readonly unknown[]>(
  starting: [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starting);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
