import assert from 'node:assert/strict';
import { KeyChoice, acceptedChoice, newKeyChoice } from '../../../src/extension/keyPickModel';

const existing: KeyChoice[] = [
  { label: 'team/reviewed', target: { bucket: 'team', key: 'reviewed', type: 'set_2p' }, existing: true },
  { label: 'team/on-call', target: { bucket: 'team', key: 'on-call', type: 'set_aw' }, existing: true },
];
const hint: KeyChoice = { label: '$(info) Add a bucket: bucket/team' };

describe('extension/keyPickModel', () => {
  it('uses the typed bucket/key when Enter arrives before any row for it (a paste, a fast typist)', () => {
    for (const active of [undefined, hint, newKeyChoice('team/reviewer'), existing[0]]) {
      const choice = acceptedChoice({ typed: 'team/reviewers', active, existing, activeChosenAfterTyping: false });
      assert.deepEqual(choice?.target, { bucket: 'team', key: 'reviewers' }, JSON.stringify(active));
    }
  });

  it('picks the existing object when the typed text names it, with its type', () => {
    const choice = acceptedChoice({ typed: ' team/on-call ', active: undefined, existing, activeChosenAfterTyping: false });
    assert.deepEqual(choice?.target, { bucket: 'team', key: 'on-call', type: 'set_aw' });
  });

  it('leaves the type open when the typed name exists as two types of the family', () => {
    const twice = [
      ...existing,
      { label: 'team/reviewed', target: { bucket: 'team', key: 'reviewed', type: 'set_aw' as const }, existing: true },
    ];
    const choice = acceptedChoice({ typed: 'team/reviewed', active: undefined, existing: twice, activeChosenAfterTyping: false });
    assert.deepEqual(choice?.target, { bucket: 'team', key: 'reviewed' });
  });

  it('keeps an existing row the user moved to after typing, and the exact row whenever it is active', () => {
    const moved = acceptedChoice({ typed: 'team/rev', active: existing[0], existing, activeChosenAfterTyping: true });
    assert.equal(moved, existing[0]);
    const exact = acceptedChoice({ typed: 'team/reviewed', active: existing[0], existing, activeChosenAfterTyping: false });
    assert.equal(exact, existing[0]);
  });

  it('picks the active existing row for a filter that is not a bucket/key, and otherwise stays open', () => {
    assert.equal(acceptedChoice({ typed: 'call', active: existing[1], existing, activeChosenAfterTyping: false }), existing[1]);
    assert.equal(acceptedChoice({ typed: 'team', active: hint, existing, activeChosenAfterTyping: true }), undefined);
    assert.equal(acceptedChoice({ typed: '/x', active: undefined, existing, activeChosenAfterTyping: false }), undefined);
    assert.equal(acceptedChoice({ typed: '', active: undefined, existing, activeChosenAfterTyping: false }), undefined);
  });
});
