export type Listener<T> = (event: T) => void;
export interface Disposable {
  dispose(): void;
}

/** A minimal event source (core must also run outside Node, so no node:events). */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
