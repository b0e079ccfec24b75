import { describe, expect, it } from 'vitest';
import { ForwardBatcher } from './forward-batcher';

interface Failure {
  kind: 'down' | 'conflict';
  detail: string;
}

/** A fake peer: records each call's bytes and answers when the test says so. */
class FakePeer {
  readonly calls: string[] = [];
  private readonly answers: Array<(f: Failure | undefined) => void> = [];
  /** Answers every call immediately with this, when set. */
  judge: ((request: string) => Failure | undefined) | undefined;

  send = (request: Buffer): Promise<Failure | undefined> => {
    const text = request.toString('latin1');
    this.calls.push(text);
    if (this.judge) return Promise.resolve(this.judge(text));
    return new Promise((resolve) => this.answers.push(resolve));
  };

  answerNext(failure?: Failure): void {
    this.answers.shift()!(failure);
  }
}

/** Requests are text here; the first character stands for the replica field. */
function batcher(peer: FakePeer, maxInFlight = 1, maxBatchBytes = 1 << 20): ForwardBatcher<Failure> {
  return new ForwardBatcher<Failure>({
    send: peer.send,
    maxInFlight,
    maxBatchBytes,
    replicaOf: (request) => request[0],
    affectsAll: (f) => f.kind === 'down',
  });
}

const req = (text: string) => Buffer.from(text, 'latin1');
const tick = () => new Promise((r) => setImmediate(r));

describe('ForwardBatcher', () => {
  it('sends a write at once while calls are free, and joins the writes that queue behind a running call', async () => {
    const peer = new FakePeer();
    const b = batcher(peer);
    const first = b.submit(req('1a'));
    expect(peer.calls).toEqual(['1a']);
    const queued = [b.submit(req('1b')), b.submit(req('1c')), b.submit(req('1d'))];
    await tick();
    expect(peer.calls).toEqual(['1a']);
    peer.answerNext();
    expect(await first).toBeUndefined();
    await tick();
    expect(peer.calls).toEqual(['1a', '1b1c1d']);
    peer.answerNext();
    expect(await Promise.all(queued)).toEqual([undefined, undefined, undefined]);
  });

  it('joins only writes of the same replica, in order, up to the byte bound', async () => {
    const peer = new FakePeer();
    const b = batcher(peer, 1, 6);
    const all = [b.submit(req('1a')), b.submit(req('1b')), b.submit(req('2c')), b.submit(req('2d'))];
    all.push(b.submit(req('2e')), b.submit(req('2f')), b.submit(req('2g')));
    for (let i = 0; i < 4; i++) {
      await tick();
      peer.answerNext();
    }
    await Promise.all(all);
    expect(peer.calls).toEqual(['1a', '1b', '2c2d2e', '2f2g']);
  });

  it('gives every joined write the failure of an unreachable peer, without sending them again', async () => {
    const peer = new FakePeer();
    const b = batcher(peer);
    const first = b.submit(req('1a'));
    const queued = [b.submit(req('1b')), b.submit(req('1c'))];
    peer.answerNext();
    await first;
    await tick();
    const down: Failure = { kind: 'down', detail: 'connection refused' };
    peer.answerNext(down);
    expect(await Promise.all(queued)).toEqual([down, down]);
    expect(peer.calls).toEqual(['1a', '1b1c']);
  });

  it('sends the writes of a joined call that the peer refused again one by one, so each gets its own answer', async () => {
    const peer = new FakePeer();
    const b = batcher(peer);
    const first = b.submit(req('1a'));
    const queued = [b.submit(req('1ok')), b.submit(req('1bad')), b.submit(req('1fine'))];
    peer.judge = (text) => (text.includes('bad') ? { kind: 'conflict', detail: 'out of order' } : undefined);
    peer.answerNext();
    await first;
    expect(await Promise.all(queued)).toEqual([undefined, { kind: 'conflict', detail: 'out of order' }, undefined]);
    expect(peer.calls).toEqual(['1a', '1ok1bad1fine', '1ok', '1bad', '1fine']);
  });

  it('runs up to maxInFlight calls side by side before writes queue', async () => {
    const peer = new FakePeer();
    const b = batcher(peer, 2);
    const all = [b.submit(req('1a')), b.submit(req('1b')), b.submit(req('1c')), b.submit(req('1d'))];
    expect(peer.calls).toEqual(['1a', '1b']);
    peer.answerNext();
    await tick();
    expect(peer.calls).toEqual(['1a', '1b', '1c1d']);
    peer.answerNext();
    peer.answerNext();
    expect(await Promise.all(all)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('rejects the writes of a call whose sender threw', async () => {
    const b = new ForwardBatcher<Failure>({
      send: () => Promise.reject(new Error('encoder bug')),
      maxInFlight: 1,
      maxBatchBytes: 1 << 20,
      replicaOf: () => 0,
      affectsAll: () => true,
    });
    await expect(b.submit(req('x'))).rejects.toThrow('encoder bug');
    // the batcher keeps working afterwards
    await expect(b.submit(req('y'))).rejects.toThrow('encoder bug');
  });
});
