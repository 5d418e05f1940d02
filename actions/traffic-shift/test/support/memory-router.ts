/** An in-memory traffic router for the engine's unit tests: it records writes and fails on cue. */
import type { RouterChange, RouterReading, TrafficRouter } from '../../src/rollout/router.js';
import { formatSplit, type Split } from '../../src/rollout/split.js';

export class MemoryRouter implements TrafficRouter {
  readonly label: string;
  writes: string[] = [];
  failApplyAt: number | undefined;
  failRestore = false;
  /** Restore writes, then never reports in force (until the signal gives up). */
  restoreHangs = false;
  applyDelayMs = 0;

  constructor(
    readonly id: string,
    public split: Split | undefined,
  ) {
    this.label = id;
  }

  /** read() never answers (until the signal gives up). */
  readHangs = false;

  async read(signal?: AbortSignal): Promise<RouterReading> {
    if (this.readHangs) {
      await new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    }
    return {
      split: this.split,
      description: this.split ? formatSplit(this.split) : 'nothing enabled',
      warnings: [],
    };
  }

  describe(split: Split): string {
    return `set ${formatSplit(split)}`;
  }

  private change(): RouterChange {
    return { status: 'done', writes: 1, calls: 1, retries: 0, durationMs: 1, detail: '' };
  }

  async apply(split: Split, signal: AbortSignal): Promise<RouterChange> {
    if (this.applyDelayMs > 0) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, this.applyDelayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        });
      });
    }
    this.writes.push(formatSplit(split));
    if (this.failApplyAt === this.writes.length) throw new Error('HTTP 500 InternalServerError');
    this.split = split;
    return this.change();
  }

  async restore(reading: RouterReading, signal: AbortSignal): Promise<RouterChange> {
    if (this.failRestore) throw new Error('AccessDenied');
    this.writes.push(`restore ${reading.description}`);
    this.split = reading.split;
    if (this.restoreHangs) {
      await new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    }
    return this.change();
  }
}
