import type { RolloutEntry } from './dashboard/snapshot.js';

/** The latest rollout steps the dashboard lists (weight changes, the action's log, cell restarts). */
export class RolloutLog {
  private readonly entries: RolloutEntry[] = [];

  constructor(private readonly limit = 200) {}

  add(source: string, text: string, at = new Date()): void {
    this.entries.push({ at: at.toISOString(), source, text });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  latest(count = 60): RolloutEntry[] {
    return this.entries.slice(-count);
  }
}
