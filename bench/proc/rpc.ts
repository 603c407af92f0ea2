import { ChildProcess, fork } from 'node:child_process';
import { CALL_TIMEOUT_MS } from '../config';

/** The methods a child process offers; arguments and results cross the IPC channel as JSON. */
export type Api = { [method: string]: (...args: never[]) => unknown };

interface Request {
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
}

type Response =
  { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

const live = new Set<ChildProcess>();

/** Kills every child still running (the run is over or failed); children never outlive the bench. */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** A child process running bench/proc/worker.ts, called like an object; every call is bounded in time. */
export class Child<A extends Api> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Promise<void>;

  private constructor(
    private readonly process: ChildProcess,
    readonly label: string,
  ) {
    live.add(process);
    process.on('message', (message: Response) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${label}: ${message.error}`));
    });
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        live.delete(process);
        for (const waiter of this.pending.values()) waiter.reject(new Error(`${label} exited (${signal ?? code}) during a call`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  /** Forks the worker; `nodeFlags` go to that node (e.g. --expose-gc, --cpu-prof). */
  static start<A extends Api>(entry: string, args: string[], label: string, nodeFlags: string[] = []): Child<A> {
    const child = fork(entry, args, {
      execArgv: ['--import', 'tsx', ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child<A>(child, label);
  }

  call<K extends keyof A & string>(method: K, ...args: Parameters<A[K]>): Promise<Awaited<ReturnType<A[K]>>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${method} did not answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as Awaited<ReturnType<A[K]>>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const request: Request = { id, method, args };
      this.process.send(request);
    });
  }

  /** Asks the child to clean up and exit; kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.send({ id: 0, method: 'shutdown', args: [] } satisfies Request);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Child side: answers calls from the parent with `api`; `shutdown` runs `onShutdown`, then exits. */
export function serve(api: Api, onShutdown: () => Promise<void>): void {
  process.on('message', (request: Request) => {
    if (request.method === 'shutdown') {
      onShutdown().finally(() => process.exit(0));
      return;
    }
    const reply = (response: Response) => process.send?.(response);
    const method = api[request.method] as ((...args: unknown[]) => unknown) | undefined;
    if (!method) {
      reply({ id: request.id, ok: false, error: `no method ${request.method}` });
      return;
    }
    Promise.resolve()
      .then(() => method(...request.args))
      .then(
        (value) => reply({ id: request.id, ok: true, value: value ?? null }),
        (error: unknown) =>
          reply({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The parent died: nothing will ever stop this process otherwise.
  process.on('disconnect', () => void onShutdown().finally(() => process.exit(0)));
}
