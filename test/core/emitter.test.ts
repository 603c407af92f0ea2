import assert from 'node:assert/strict';
import { Emitter } from '../../src/core/emitter';

describe('core/emitter', () => {
  it('calls every listener in the order they subscribed, until each is disposed', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    const a = emitter.on((n) => seen.push(`a${n}`));
    emitter.on((n) => seen.push(`b${n}`));
    emitter.emit(1);
    a.dispose();
    a.dispose();
    emitter.emit(2);
    assert.deepEqual(seen, ['a1', 'b1', 'b2']);
  });

  it('lets a listener subscribe or unsubscribe others during an emit, from the next emit on', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    let late: { dispose(): void } | undefined;
    const second = { dispose: () => undefined } as { dispose(): void };
    emitter.on((n) => {
      seen.push(`first${n}`);
      if (n === 1) {
        late = emitter.on((m) => seen.push(`late${m}`));
        second.dispose();
      }
    });
    Object.assign(
      second,
      emitter.on((n) => seen.push(`second${n}`)),
    );
    emitter.emit(1);
    emitter.emit(2);
    late?.dispose();
    emitter.emit(3);
    assert.deepEqual(seen, ['first1', 'second1', 'first2', 'late2', 'first3']);
  });

  it('keeps a function subscribed twice until both subscriptions are disposed', () => {
    const emitter = new Emitter<void>();
    let calls = 0;
    const listener = () => calls++;
    const one = emitter.on(listener);
    emitter.on(listener);
    emitter.emit();
    one.dispose();
    emitter.emit();
    assert.equal(calls, 3);
  });
});
