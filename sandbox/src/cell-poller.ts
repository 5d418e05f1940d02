import { CLOUDS, type Cloud } from '../../actions/shared/src/clouds.js';

/**
 * Checks both cells at once, then again `intervalMs` after each round ends (never two rounds
 * at a time), until stopped: the monitors' way of calling the cells, as health checks do.
 */
export abstract class CellPoller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly intervalMs: number) {}

  /** One cell, now. */
  abstract check(cloud: Cloud): Promise<unknown>;

  start(): void {
    this.running = true;
    const round = async (): Promise<void> => {
      await Promise.all(CLOUDS.map((cloud) => this.check(cloud)));
      if (this.running) this.timer = setTimeout(() => void round(), this.intervalMs);
    };
    void round();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
