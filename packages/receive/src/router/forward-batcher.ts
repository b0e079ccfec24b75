// Joins the writes for one peer that queue up while its earlier calls are running into one call:
// under concurrent remote-write requests a peer then receives a few large forwarded requests
// rather than many small ones, each of which costs a gRPC call and a TSDB commit on both sides.
// Encoded `thanos.WriteRequest`s of the same replica concatenate into one valid request
// (protobuf merges repeated fields), so joining is a byte copy.

/** Sends one encoded request; resolves to undefined on success, else to the failure. */
export type SendRequest<F> = (request: Buffer) => Promise<F | undefined>;

interface Pending<F> {
  request: Buffer;
  replica: number;
  resolve(failure: F | undefined): void;
  reject(err: unknown): void;
}

export interface ForwardBatcherOptions<F> {
  send: SendRequest<F>;
  /** Calls running at once before writes start to queue (and be joined). */
  maxInFlight: number;
  /** Bytes above which a joined request takes no further write. */
  maxBatchBytes: number;
  /** The replica field of an encoded request: only writes of one replica are joined. */
  replicaOf(request: Buffer): number;
  /**
   * Whether a failure concerns the peer (down, slow) rather than the data. Any other failure of a
   * joined call may stem from one write alone, so each write is then sent again on its own to get
   * its own answer (the writes the peer already stored are duplicates it accepts).
   */
  affectsAll(failure: F): boolean;
}

export class ForwardBatcher<F> {
  private inFlight = 0;
  private readonly queue: Pending<F>[] = [];

  constructor(private readonly options: ForwardBatcherOptions<F>) {}

  /** Sends `request`, alone or joined with others; resolves to its own outcome. */
  submit(request: Buffer): Promise<F | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, replica: this.options.replicaOf(request), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      this.run(batch)
        .catch((err: unknown) => {
          for (const p of batch) p.reject(err);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  /** The oldest queued write and those after it of the same replica, up to the byte bound. */
  private takeBatch(): Pending<F>[] {
    const first = this.queue.shift()!;
    const batch = [first];
    let bytes = first.request.length;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.replica !== first.replica || bytes + next.request.length > this.options.maxBatchBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.request.length;
    }
    return batch;
  }

  private async run(batch: Pending<F>[]): Promise<void> {
    const { send, affectsAll } = this.options;
    if (batch.length === 1) {
      batch[0].resolve(await send(batch[0].request));
      return;
    }
    const failure = await send(Buffer.concat(batch.map((p) => p.request)));
    if (failure === undefined || affectsAll(failure)) {
      for (const p of batch) p.resolve(failure);
      return;
    }
    for (const p of batch) p.resolve(await send(p.request));
  }
}
