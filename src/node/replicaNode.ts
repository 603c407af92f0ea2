import type { MinidoteNode } from './minidoteNode';

/**
 * What a VS Code window uses of a replica: the node it holds itself, or, when another window holds
 * the data directory, that window's node reached over the local socket (windowLink/attachedNode.ts).
 */
export type ReplicaNode = Pick<
  MinidoteNode,
  | 'id'
  | 'displayName'
  | 'dataDir'
  | 'listenUrl'
  | 'clock'
  | 'value'
  | 'listObjects'
  | 'inspect'
  | 'read'
  | 'update'
  | 'status'
  | 'onDidChange'
  | 'onPeersChanged'
  | 'recentTransactions'
  | 'lastChange'
  | 'history'
  | 'valueAsOf'
  | 'displayNameOf'
  | 'replicas'
  | 'listen'
  | 'stopListening'
  | 'connectPeer'
  | 'disconnectPeer'
  | 'setPeers'
  | 'setSecret'
  | 'close'
>;
