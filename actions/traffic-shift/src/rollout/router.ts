import type { Cloud, Split } from './split.js';

/**
 * The port every traffic router adapter implements (Route 53, Front Door). The engine speaks
 * only in splits; an adapter maps a split to its own weights, writes it, and waits until it is
 * in force.
 */
export interface RouterReading {
  /** The split the router holds now; undefined when it sends traffic nowhere sensible. */
  readonly split: Split | undefined;
  /** What the router holds, in its own terms ("aws=50, azure=50 (of 255)"). */
  readonly description: string;
  /**
   * For a router behind one cloud's DNS record (Front Door with that cloud's origin at the best
   * priority and the others as backups, ADR 16): that cloud, and the share of the traffic
   * reaching the router that it sends to each cloud right now.
   */
  readonly edge?: { readonly behind: Cloud; readonly carries: Split };
  /** Things the operator should know (latency sensitivity 0 ms, all-zero weights...). */
  readonly warnings: readonly string[];
  /**
   * What the router holds once `restore` has put this reading back, when that is not
   * `description`: Route 53's all-zero weights come back as the equal split they mean, because
   * all zeros are never written.
   */
  readonly restoredAs?: string;
}

export interface RouterChange {
  /** The router's own word for "in force": INSYNC, Succeeded, or "unchanged". */
  readonly status: string;
  /** Write calls made (change batches, origin updates). */
  readonly writes: number;
  /** Every API call made, reads, writes and status polls, retries included. */
  readonly calls: number;
  /** Retries after throttling or 5xx. */
  readonly retries: number;
  /** From the first write to in force. */
  readonly durationMs: number;
  /** Detail for the log ("aws weight 630, azure weight 370", "1 change batch"). */
  readonly detail: string;
  /** What the summary should show next to the status ("azure disabled"). */
  readonly note?: string;
}

export interface TrafficRouter {
  /** Stable key ("route53", "frontdoor"). */
  readonly id: string;
  /** For people ("Route 53", "Front Door"). */
  readonly label: string;
  /** Reads the live weights. Makes no change. */
  read(signal: AbortSignal): Promise<RouterReading>;
  /** What applying `split` would write, for dry runs and logs. Makes no call. */
  describe(split: Split): string;
  /** Writes `split` (mapped to this router's weights) and waits until it is in force. */
  apply(split: Split, signal: AbortSignal): Promise<RouterChange>;
  /** Writes back exactly what `reading` saw (raw weights, enabled states) and waits. */
  restore(reading: RouterReading, signal: AbortSignal): Promise<RouterChange>;
}
