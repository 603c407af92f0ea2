import { ObjectEntry, PanelSnapshot, PeerView, ReplicaView, TxnView } from '../../src/webview/protocol';

export const flagDeploy: ObjectEntry = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew', value: true };
export const flagMaintenance: ObjectEntry = { bucket: 'ops', key: 'maintenance', type: 'flag_ew', value: false };
export const counterDeploys: ObjectEntry = { bucket: 'ops', key: 'deploys', type: 'counter_pn', value: 42 };
export const counterRequests: ObjectEntry = { bucket: 'ops', key: 'requests', type: 'counter_pn_sb', value: 17 };
export const setCart: ObjectEntry = { bucket: 'shop', key: 'cart', type: 'set_aw', value: ['apples', 'bread', 'milk'] };
export const setBanned: ObjectEntry = { bucket: 'shop', key: 'banned', type: 'set_2p', value: ['spam'] };
export const registerTheme: ObjectEntry = { bucket: 'config', key: 'theme', type: 'register_mv', value: ['dark', 'light'] };

export const bob: PeerView = {
  id: 'bob',
  url: 'ws://127.0.0.1:7879',
  direction: 'outbound',
  connected: true,
  state: 'connected',
  displayName: 'Bob',
  lastSeen: Date.now() - 2_000,
  clock: { alice: 12, bob: 8, carol: 3 },
  lastError: null,
};

export const carol: PeerView = {
  id: 'carol',
  url: null,
  direction: 'inbound',
  connected: true,
  state: 'connected',
  displayName: 'Carol',
  lastSeen: Date.now() - 30_000,
  clock: { alice: 12, bob: 7, carol: 4 },
  lastError: null,
};

export const unreachable: PeerView = {
  id: null,
  url: 'ws://10.0.0.9:7878',
  direction: 'outbound',
  connected: false,
  state: 'reconnecting',
  displayName: null,
  lastSeen: null,
  clock: null,
  lastError: 'connect ECONNREFUSED 10.0.0.9:7878',
};

/** What alice's node knows of other replicas: its two peers, and one that was never connected here. */
export const knownReplicas: ReplicaView[] = [
  { id: 'bob', displayName: 'Bob', online: 'direct', lastSeen: null },
  { id: 'carol', displayName: 'Carol', online: 'direct', lastSeen: null },
  { id: 'erin', displayName: 'Erin (tablet)', online: 'offline', lastSeen: Date.now() - 600_000 },
];

function txn(origin: string, clock: Record<string, number>, local: boolean, key: string): TxnView {
  return {
    origin,
    clock,
    at: Date.now() - 60_000,
    deliveredAt: Date.now() - 59_000,
    local,
    keys: [{ bucket: 'ops', key, type: 'flag_ew' }],
  };
}

/** In delivery order at alice; carol#4 is concurrent with bob#6, alice#10 and bob#7. */
export const transactions: TxnView[] = [
  txn('alice', { alice: 9, bob: 5, carol: 3 }, true, 'deploy-freeze'),
  txn('bob', { alice: 9, bob: 6, carol: 3 }, false, 'maintenance'),
  txn('alice', { alice: 10, bob: 6, carol: 3 }, true, 'deploy-freeze'),
  txn('carol', { alice: 9, bob: 5, carol: 4 }, false, 'deploy-freeze'),
  txn('alice', { alice: 11, bob: 6, carol: 4 }, true, 'deploys'),
  txn('bob', { alice: 10, bob: 7, carol: 3 }, false, 'deploys'),
  txn('alice', { alice: 12, bob: 7, carol: 4 }, true, 'maintenance'),
];

export function sampleSnapshot(
  objects: readonly ObjectEntry[] = [flagDeploy, flagMaintenance, counterDeploys, counterRequests, setCart, setBanned, registerTheme],
): PanelSnapshot {
  return {
    self: { id: 'alice', displayName: 'Alice (laptop)', listening: 'ws://127.0.0.1:7878' },
    clock: { alice: 12, bob: 7, carol: 4 },
    objects,
    peers: [bob, carol, unreachable],
    waiting: [
      {
        origin: 'carol',
        clock: { alice: 12, bob: 8, carol: 6 },
        at: Date.now() - 5_000,
        keys: [{ bucket: 'shop', key: 'cart', type: 'set_aw' }],
        missing: { bob: 8, carol: 5 },
      },
    ],
    waitingTotal: 1,
    storage: {
      logRecords: 1234,
      logBytes: 512_000,
      snapshotAt: Date.now() - 3_600_000,
      snapshotBytes: 40_960,
      diskBytes: 600_000,
      fsyncs: 310,
      directory: '/home/alice/.config/Code/User/workspaceStorage/4f2a/minidote.minidote',
    },
    transactions,
    replicas: knownReplicas,
  };
}

export function bigSet(size: number): ObjectEntry {
  const value = Array.from({ length: size }, (_, i) => `e${String(i).padStart(5, '0')}`);
  return { bucket: 'big', key: 'members', type: 'set_aw', value };
}
