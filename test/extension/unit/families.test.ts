import assert from 'node:assert/strict';
import { InvalidInputError } from '../../../src/core/errors';
import { familyOf, resolveType } from '../../../src/extension/families';

describe('extension/families', () => {
  const existing = [
    { bucket: 'team', key: 'reviewers', type: 'set_2p' as const },
    { bucket: 'team', key: 'both', type: 'set_aw' as const },
    { bucket: 'team', key: 'both', type: 'set_2p' as const },
    { bucket: 'team', key: 'visits', type: 'counter_pn_sb' as const },
  ];

  it('maps every type to its family', () => {
    assert.equal(familyOf('flag_ew'), 'flag');
    assert.equal(familyOf('set_2p'), 'set');
    assert.equal(familyOf('counter_pn_sb'), 'counter');
    assert.equal(familyOf('register_mv'), 'register');
  });

  it('uses the existing object type, else the family default', () => {
    assert.equal(resolveType('set', { bucket: 'team', key: 'reviewers' }, existing), 'set_2p');
    assert.equal(resolveType('counter', { bucket: 'team', key: 'visits' }, existing), 'counter_pn_sb');
    assert.equal(resolveType('set', { bucket: 'team', key: 'new' }, existing), 'set_aw');
    assert.equal(resolveType('counter', { bucket: 'team', key: 'reviewers' }, existing), 'counter_pn');
  });

  it('takes an explicit type of the right family and refuses others', () => {
    assert.equal(resolveType('set', { bucket: 'team', key: 'new' }, existing, 'set_2p'), 'set_2p');
    assert.throws(() => resolveType('set', { bucket: 'team', key: 'x' }, existing, 'flag_ew'), InvalidInputError);
  });

  it('asks for the type when the same key exists as two types of the family', () => {
    assert.throws(() => resolveType('set', { bucket: 'team', key: 'both' }, existing), /set_aw and set_2p/);
  });
});
