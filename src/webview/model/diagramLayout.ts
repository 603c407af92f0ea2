import { compareCanonical } from '../../core/json';
import { compare, entry } from '../../core/vectorClock';
import { TxnView } from '../protocol';

export interface DiagramLane {
  readonly replica: string;
  readonly self: boolean;
}

/** A transaction, drawn on its origin's lane. */
export interface DiagramNode {
  readonly id: string;
  readonly lane: number;
  readonly column: number;
  readonly txn: TxnView;
}

/** A remote transaction's arrival at this replica (an arrow onto this replica's lane). */
export interface DiagramDelivery {
  readonly id: string;
  readonly fromLane: number;
  readonly fromColumn: number;
  readonly toColumn: number;
}

/** A causal dependency between transactions of two other lanes (what the origin had seen). */
export interface DiagramLink {
  readonly from: string;
  readonly to: string;
  readonly fromLane: number;
  readonly fromColumn: number;
  readonly toLane: number;
  readonly toColumn: number;
}

export interface DiagramLayout {
  readonly lanes: readonly DiagramLane[];
  readonly nodes: readonly DiagramNode[];
  readonly deliveries: readonly DiagramDelivery[];
  readonly links: readonly DiagramLink[];
  readonly columns: number;
  /** Columns holding two or more transactions: those are pairwise concurrent. */
  readonly concurrentColumns: readonly number[];
}

export function txnId(txn: { readonly origin: string; readonly clock: Readonly<Record<string, number>> }): string {
  return `${txn.origin}:${entry(txn.clock, txn.origin)}`;
}

/** The transactions this one directly depends on: the previous one of each replica in its clock. */
function directDependencies(txn: TxnView): string[] {
  const out: string[] = [];
  for (const replica of Object.keys(txn.clock)) {
    const seq = replica === txn.origin ? txn.clock[replica] - 1 : txn.clock[replica];
    if (seq > 0) out.push(`${replica}:${seq}`);
  }
  return out;
}

/**
 * Lays recent transactions out as a space-time diagram: one lane per replica (this replica first),
 * time flowing right. A transaction's column is the length of the longest causal chain before it,
 * counting arrivals on this replica's lane, so a transaction always sits right of everything that
 * happened before it; two transactions in one column are therefore concurrent. `txns` must be in
 * delivery order at this replica, which causal delivery makes a valid order of cause before effect.
 */
export function layoutDiagram(txns: readonly TxnView[], selfId: string, otherReplicas: Iterable<string> = []): DiagramLayout {
  const others = new Set<string>(otherReplicas);
  for (const t of txns) others.add(t.origin);
  others.delete(selfId);
  const lanes: DiagramLane[] = [
    { replica: selfId, self: true },
    ...[...others].sort(compareCanonical).map((replica) => ({ replica, self: false })),
  ];
  const laneOf = new Map(lanes.map((lane, i) => [lane.replica, i]));

  const placed = new Map<string, DiagramNode>();
  const nodes: DiagramNode[] = [];
  const deliveries: DiagramDelivery[] = [];
  const links: DiagramLink[] = [];
  let selfColumn = -1;
  let columns = 0;

  for (const txn of txns) {
    const id = txnId(txn);
    if (placed.has(id)) continue;
    const deps = directDependencies(txn)
      .map((d) => placed.get(d))
      .filter((d): d is DiagramNode => d !== undefined);
    const after = Math.max(-1, ...deps.map((d) => d.column)) + 1;
    const lane = laneOf.get(txn.origin) as number;
    const onSelfLane = lane === 0;
    const column = onSelfLane ? Math.max(after, selfColumn + 1) : after;
    const node: DiagramNode = { id, lane, column, txn };
    placed.set(id, node);
    nodes.push(node);
    if (onSelfLane) {
      selfColumn = column;
    } else {
      selfColumn = Math.max(column + 1, selfColumn + 1);
      deliveries.push({ id, fromLane: lane, fromColumn: column, toColumn: selfColumn });
    }
    columns = Math.max(columns, selfColumn + 1, column + 1);
    for (const dep of deps) {
      // What reached this replica is already drawn as a delivery arrow before the local transaction.
      if (dep.lane === lane || (onSelfLane && dep.lane !== 0)) continue;
      links.push({
        from: dep.id,
        to: id,
        fromLane: dep.lane,
        fromColumn: dep.column,
        toLane: lane,
        toColumn: column,
      });
    }
  }

  const perColumn = new Map<number, number>();
  for (const n of nodes) perColumn.set(n.column, (perColumn.get(n.column) ?? 0) + 1);
  const concurrentColumns = [...perColumn]
    .filter(([, count]) => count > 1)
    .map(([c]) => c)
    .sort((a, b) => a - b);
  return { lanes, nodes, deliveries, links, columns, concurrentColumns };
}

export type CausalRelation = 'before' | 'after' | 'concurrent' | 'same';

/** How `other` relates to `txn`: happened before it, after it, or concurrently. */
export function causalRelation(txn: TxnView, other: TxnView): CausalRelation {
  const order = compare(other.clock, txn.clock);
  return order === 'equal' ? 'same' : order;
}
