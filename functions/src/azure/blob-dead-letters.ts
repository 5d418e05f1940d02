import type { ContainerClient } from '@azure/storage-blob';

/**
 * Where the Event Hubs consumer parks events it gave up on. The Functions Event Hubs trigger
 * checkpoints every batch whatever the outcome and Event Hubs has no dead-letter queue, so an
 * event that failed its in-process retries is written here, never dropped: one blob per
 * event, named by hub, partition and sequence number, so a re-delivered batch parks it once.
 */
export interface ParkedEvent {
  readonly hub: string;
  readonly partitionId: string;
  /** Sequence number in the partition, or a generated id when the trigger gave none. */
  readonly sequence: string;
  /** The event body exactly as received (text). */
  readonly body: string;
  readonly reason: string;
  readonly poison: boolean;
  readonly attempts: number;
  readonly enqueuedTimeUtc?: string;
}

export class BlobDeadLetters {
  constructor(
    private readonly container: ContainerClient,
    private readonly cell: string,
  ) {}

  async park(event: ParkedEvent): Promise<string> {
    const name = `${event.hub}/${event.partitionId}/${event.sequence}.json`;
    const document = Buffer.from(
      JSON.stringify({ ...event, cell: this.cell, parkedAt: new Date().toISOString() }),
      'utf8',
    );
    try {
      await this.container.getBlockBlobClient(name).upload(document, document.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // Already parked by an earlier delivery of the same batch.
      if (status !== 409 && status !== 412) throw error;
    }
    return name;
  }

  /** Every parked event (tests, the sandbox dashboard, a replay tool). */
  async list(): Promise<(ParkedEvent & { name: string })[]> {
    const parked: (ParkedEvent & { name: string })[] = [];
    for await (const item of this.container.listBlobsFlat()) {
      const buffer = await this.container.getBlockBlobClient(item.name).downloadToBuffer();
      parked.push({ ...(JSON.parse(buffer.toString('utf8')) as ParkedEvent), name: item.name });
    }
    return parked;
  }
}
