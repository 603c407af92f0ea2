import assert from 'node:assert/strict';
import { isTreeElementArg, needsRemovalConfirmation } from '../../../src/extension/removalConfirmModel';

describe('extension/removalConfirmModel', () => {
  const first = { type: 'set_2p' as const, interactive: true, confirmSetting: true, confirmedThisSession: false };

  it('asks before the first permanent removal a person makes in a session', () => {
    assert.equal(needsRemovalConfirmation(first), true);
  });

  it('does not ask for a set_aw, again in the same session, when told not to, or for arguments someone wrote', () => {
    assert.equal(needsRemovalConfirmation({ ...first, type: 'set_aw' }), false);
    assert.equal(needsRemovalConfirmation({ ...first, confirmedThisSession: true }), false);
    assert.equal(needsRemovalConfirmation({ ...first, confirmSetting: false }), false);
    assert.equal(needsRemovalConfirmation({ ...first, interactive: false }), false);
  });

  it('tells a tree element (the inline remove action) from written arguments', () => {
    assert.equal(isTreeElementArg({ kind: 'element', bucket: 'team', key: 'r', type: 'set_2p', element: 'a' }), true);
    assert.equal(isTreeElementArg({ bucket: 'team', key: 'r', element: 'a' }), false);
    assert.equal(isTreeElementArg('team/r'), false);
    assert.equal(isTreeElementArg(undefined), false);
  });
});
