import assert from 'node:assert/strict';
import { UNDO_WINDOW_MS, undoPlan } from '../../../src/extension/flagUndoModel';

describe('extension/flagUndoModel', () => {
  it('flips the flag back within the window', () => {
    assert.deepEqual(undoPlan({ enabled: true, at: 1000 }, 1000 + UNDO_WINDOW_MS, true), { kind: 'undo', op: 'disable' });
    assert.deepEqual(undoPlan({ enabled: false, at: 1000 }, 2000, false), { kind: 'undo', op: 'enable' });
  });

  it('does nothing once the window has passed', () => {
    assert.deepEqual(undoPlan({ enabled: true, at: 1000 }, 1001 + UNDO_WINDOW_MS, true), { kind: 'expired' });
  });

  it('does not overwrite a change someone made since', () => {
    assert.deepEqual(undoPlan({ enabled: true, at: 1000 }, 2000, false), { kind: 'changed' });
  });
});
