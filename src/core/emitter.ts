export type Listener<T> = (event: T) => void;
export interface Disposable {
  dispose(): void;
}

/** A minimal event source (core must also run outside Node, so no node:events). */
export class Emitter<T> {
  /**
   * Replaced, never changed in place, when a listener comes or goes: an emit iterates the array it
   * started with, so a listener added or removed meanwhile takes effect from the next emit, and an
   * emit (one per delivered transaction) copies nothing.
   */
  private listeners: readonly Listener<T>[] = [];

  on(listener: Listener<T>): Disposable {
    this.listeners = [...this.listeners, listener];
    let subscribed = true;
    return {
      dispose: () => {
        if (!subscribed) return;
        subscribed = false;
        const index = this.listeners.indexOf(listener);
        if (index >= 0) this.listeners = [...this.listeners.slice(0, index), ...this.listeners.slice(index + 1)];
      },
    };
  }

  emit(event: T): void {
    for (const listener of this.listeners) listener(event);
  }
}
