import type { Cloud } from '../../../actions/shared/src/clouds.js';
import type { LeaseSettings } from '../../../functions/src/core/inventory-lease.js';
import type { LeaseRenewer } from '../../../functions/src/core/lease-renewer.js';

/**
 * The sandbox's inventory leases (ADR 25): short, so that the outage rehearsal's 20 s outage
 * sees the survivor take over; renewed every 2 s, so a busy machine may miss four renewals
 * before a lease runs out. Deployed cells use minutes (EventBridge's finest rate is 1 minute).
 */
export const SANDBOX_LEASES: LeaseSettings = {
  durationMs: 12_000,
  renewMs: 2_000,
  marginMs: 2_000,
  budget: 500,
};

/**
 * What runs the renewal in the sandbox: a timer in the cell runner, as an EventBridge schedule
 * or a timer trigger does in the clouds. It renews with the current build while the cell is up;
 * a cell that is down renews nothing, and its leases run out.
 */
export class LeaseTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly cloud: Cloud,
    /** The current build's renewer, or undefined while the cell is down or not deployed. */
    private readonly renewer: () => LeaseRenewer | undefined,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      // A tick while a renewal is still running is skipped, not stacked on.
      if (!this.running) void this.renewNow();
    }, SANDBOX_LEASES.renewMs);
    this.timer.unref();
  }

  /** One renewal now, after the one in flight if any. */
  async renewNow(): Promise<void> {
    while (this.running) await this.running;
    const renewer = this.renewer();
    if (!renewer) return;
    this.running = renewer.renew().catch((error: unknown) => {
      this.log(`${this.cloud} cell: lease renewal failed: ${(error as Error).message}`);
    });
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
