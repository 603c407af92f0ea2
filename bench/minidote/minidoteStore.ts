import { leq } from '../../src/core/vectorClock';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { FsyncPolicy } from '../../src/storage';
import { BenchOp, toUpdate } from '../ops';
import { BenchStore, ProgressClock } from '../store';
import { BenchValues } from '../values';
import { minidoteValues } from './minidoteValues';

/** A running Minidote node (replica + durable log + network), driven through its public API. */
export class MinidoteStore implements BenchStore {
  private constructor(
    private readonly node: MinidoteNode,
    readonly logCounts: Map<string, number>,
  ) {}

  /** The node's log lines are counted by shape (numbers and addresses removed), not printed. */
  static async open(dataDir: string, id: string, fsync: FsyncPolicy): Promise<MinidoteStore> {
    const logCounts = new Map<string, number>();
    const log = (level: string, message: string) => {
      const shape = `${level}: ${message.replace(/\b[\w.-]*\d[\w.:-]*/g, '#')}`;
      logCounts.set(shape, (logCounts.get(shape) ?? 0) + 1);
    };
    return new MinidoteStore(await MinidoteNode.open({ dataDir, id, fsync, log }), logCounts);
  }

  get id(): string {
    return this.node.id;
  }

  async write(ops: readonly BenchOp[]): Promise<void> {
    await Promise.all(ops.map((op) => this.node.update([toUpdate(op)])));
  }

  progress(): ProgressClock {
    return { ...this.node.replica.clock };
  }

  covers(target: ProgressClock): boolean {
    return leq(target, this.node.replica.clock);
  }

  onChange(listener: () => void): () => void {
    const subscription = this.node.onDidChange(listener);
    return () => subscription.dispose();
  }

  values(): BenchValues {
    return minidoteValues(this.node.replica);
  }

  listen(): Promise<string> {
    return this.node.listen('127.0.0.1', 0);
  }

  connect(url: string): void {
    this.node.connectPeer(url);
  }

  disconnect(url: string): void {
    this.node.disconnectPeer(url);
  }

  close(): Promise<void> {
    return this.node.close();
  }
}
