import assert from 'node:assert/strict';
import { UnavailableError } from '../../src/core/errors';
import { ReadResult, Replica } from '../../src/core/replica';
import { VectorClock } from '../../src/core/vectorClock';
import { MinidoteClient, RemoteError } from '../../src/net/client';
import { ClientHandler, MAX_CLIENT_TIMEOUT_MS, MAX_OUTSTANDING_REQUESTS, serveClient } from '../../src/net/clientSession';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/net/messages';
import { Listener } from '../../src/net/server';
import { waitUntil } from '../support/waitFor';
import { key } from './cluster';
import { MemoryHost, identityOf, listenForTest, quiet } from './sessionHarness';

const flag = key('flag_ew', 'ops', 'freeze');

/** A handler whose clock waits park until released or aborted, recording what it was asked. */
class ParkingHandler implements ClientHandler {
  readonly timeouts: (number | undefined)[] = [];
  readonly parked = new Set<{ release: () => void }>();
  aborted = 0;

  read(_keys: unknown, clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    this.timeouts.push(timeoutMs);
    if (!clock) return Promise.resolve({ values: [], clock: {} });
    return new Promise((resolve, reject) => {
      const parked = {
        release: () => {
          this.parked.delete(parked);
          resolve({ values: [], clock });
        },
      };
      this.parked.add(parked);
      signal?.addEventListener('abort', () => {
        this.parked.delete(parked);
        this.aborted++;
        reject(new UnavailableError('cancelled'));
      });
    });
  }

  update(): Promise<VectorClock> {
    return Promise.resolve({});
  }

  status(): null {
    return null;
  }
}

describe('net: client sessions', function () {
  this.timeout(30_000);
  let listener: Listener;
  let handler: ParkingHandler;
  const identity = identityOf(new MemoryHost(new Replica('served')));

  async function serve(clientHandler: ClientHandler, limits = {}): Promise<string> {
    listener = await listenForTest({ identity: () => identity, onClient: (conn) => serveClient(conn, clientHandler, quiet, limits) });
    return listener.url;
  }

  beforeEach(() => (handler = new ParkingHandler()));
  afterEach(() => listener.close());

  it('cancels a parked clock wait when its client disconnects', async () => {
    const client = await MinidoteClient.connect(await serve(handler));
    const pending = client.read([flag], { elsewhere: 5 }, 30_000);
    pending.catch(() => undefined);
    await waitUntil(() => handler.parked.size === 1);
    client.close();
    await waitUntil(() => handler.aborted === 1);
    assert.equal(handler.parked.size, 0);
  });

  it('a real replica forgets the clock waits of a client that went away', async () => {
    const replica = new Replica('waiting');
    const real: ClientHandler = {
      read: (keys, clock, timeoutMs, signal) => replica.read(keys, clock, timeoutMs, signal),
      update: (updates, clock, timeoutMs, signal) => replica.update(updates, clock, timeoutMs, signal),
      status: () => null,
    };
    const client = await MinidoteClient.connect(await serve(real));
    client.read([flag], { elsewhere: 1 }, 30_000).catch(() => undefined);
    client.update([{ ...flag, op: 'enable' }], { elsewhere: 1 }, 30_000).catch(() => undefined);
    await waitUntil(() => replica.waitingClocks === 2);
    client.close();
    await waitUntil(() => replica.waitingClocks === 0);
    assert.equal(replica.value(flag), false);
  });

  it('answers requests beyond the per-connection cap with an error, and accepts again when one finishes', async () => {
    const client = await MinidoteClient.connect(await serve(handler, { maxOutstanding: 3 }));
    try {
      const parked = [1, 2, 3].map((n) => client.read([flag], { elsewhere: n }));
      await waitUntil(() => handler.parked.size === 3);
      await assert.rejects(
        client.read([flag], { elsewhere: 9 }),
        (error: unknown) => error instanceof RemoteError && /too many requests in progress/.test(error.message),
      );
      [...handler.parked][0].release();
      await parked[0];
      assert.deepEqual((await client.read([flag])).values, []);
      for (const p of handler.parked) p.release();
      await Promise.all(parked);
    } finally {
      client.close();
    }
  });

  it('by default allows 64 requests in progress per connection', async () => {
    assert.equal(MAX_OUTSTANDING_REQUESTS, 64);
    const client = await MinidoteClient.connect(await serve(handler));
    try {
      const parked = Array.from({ length: 64 }, (_, n) => client.read([flag], { elsewhere: n + 1 }));
      await waitUntil(() => handler.parked.size === 64);
      await assert.rejects(client.read([flag], { elsewhere: 99 }), /too many requests in progress/);
      for (const p of handler.parked) p.release();
      await Promise.all(parked);
    } finally {
      client.close();
    }
  });

  it('a client reads a value larger than one message', async () => {
    const big = Array.from({ length: 200_000 }, (_, i) => `member-${String(i).padStart(6, '0')}-of-a-large-set`);
    const client = await MinidoteClient.connect(
      await serve({ read: () => Promise.resolve({ values: [big], clock: {} }), update: () => Promise.resolve({}), status: () => null }),
    );
    try {
      assert.ok(JSON.stringify(big).length > DEFAULT_MAX_MESSAGE_BYTES);
      assert.deepEqual((await client.read([flag])).values, [big]);
    } finally {
      client.close();
    }
  });

  it('caps the clock-wait timeout a client may ask for', async () => {
    const client = await MinidoteClient.connect(await serve(handler));
    try {
      await client.read([flag], undefined, 10 ** 12);
      await client.read([flag], undefined, 1_500);
      await client.read([flag]);
      assert.deepEqual(handler.timeouts, [MAX_CLIENT_TIMEOUT_MS, 1_500, undefined]);
      assert.equal(MAX_CLIENT_TIMEOUT_MS, 60_000);
    } finally {
      client.close();
    }
  });
});
