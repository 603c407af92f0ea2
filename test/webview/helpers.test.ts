import assert from 'node:assert/strict';
import { familyOf } from '../../src/core/crdt/registry';
import { objectId, parseObjectId } from '../../src/core/transaction';
import { bytes, clockText, count, relativeTime, valueText } from '../../src/webview/model/format';
import { planNewKey } from '../../src/webview/model/newKey';
import { groupByBucket } from '../../src/webview/model/objectGroups';
import { initialUiState, restoreUiState, toggled } from '../../src/webview/model/uiState';
import { parseAmount, parseValueInput } from '../../src/webview/model/valueInput';
import { visibleRows } from '../../src/webview/model/virtualWindow';
import { counterDeploys, flagDeploy, flagMaintenance, registerTheme, setCart } from './fixtures';

describe('webview/helpers', () => {
  it('shows only the rows in view of a long list, plus a few either side', () => {
    assert.deepEqual(visibleRows({ scrollTop: 0, viewportHeight: 260, rowHeight: 26, count: 10_000, overscan: 6 }), { start: 0, end: 17 });
    assert.deepEqual(visibleRows({ scrollTop: 26 * 5000 + 13, viewportHeight: 260, rowHeight: 26, count: 10_000, overscan: 6 }), {
      start: 4994,
      end: 5017,
    });
    assert.deepEqual(visibleRows({ scrollTop: 26 * 10_000, viewportHeight: 260, rowHeight: 26, count: 10_000, overscan: 6 }), {
      start: 9994,
      end: 10_000,
    });
    assert.deepEqual(visibleRows({ scrollTop: 0, viewportHeight: 260, rowHeight: 26, count: 3, overscan: 6 }), { start: 0, end: 3 });
    assert.deepEqual(visibleRows({ scrollTop: 50, viewportHeight: 0, rowHeight: 26, count: 0, overscan: 6 }), { start: 0, end: 0 });
  });

  it('groups objects by bucket in name order and filters by bucket, key or type', () => {
    const all = [setCart, flagMaintenance, registerTheme, counterDeploys, flagDeploy];
    assert.deepEqual(
      groupByBucket(all).map((g) => [g.bucket, g.objects.map((o) => o.key)]),
      [
        ['config', ['theme']],
        ['ops', ['deploy-freeze', 'deploys', 'maintenance']],
        ['shop', ['cart']],
      ],
    );
    assert.deepEqual(
      groupByBucket(all, ' DEPLOY').flatMap((g) => g.objects.map((o) => o.key)),
      ['deploy-freeze', 'deploys'],
    );
    assert.deepEqual(
      groupByBucket(all, 'set_aw').map((g) => g.bucket),
      ['shop'],
    );
    assert.equal(familyOf('counter_pn_sb'), 'counter');
    assert.equal(familyOf('set_2p'), 'set');
  });

  it('reads back object ids and refuses anything else', () => {
    assert.deepEqual(parseObjectId(objectId(setCart)), { bucket: 'shop', key: 'cart', type: 'set_aw' });
    const tricky = { bucket: 'a/3/b', key: '/x/', type: 'flag_ew' } as const;
    assert.deepEqual(parseObjectId(objectId(tricky)), tricky);
    for (const bad of ['', 'set_aw/', 'set_aw/9/ab/c', 'nope/1/a/b', 'set_aw/1/ab', '["a","b","c"]'])
      assert.equal(parseObjectId(bad), undefined, bad);
  });

  it('restores saved view state defensively', () => {
    assert.deepEqual(restoreUiState(undefined), initialUiState);
    assert.deepEqual(restoreUiState({ expanded: ['x', 3], filter: 7, collapsedBuckets: 'no' }), { ...initialUiState, expanded: ['x'] });
    assert.deepEqual(toggled(['a', 'b'], 'a', false), ['b']);
    assert.deepEqual(toggled(['a'], 'a', true), ['a']);
  });

  it('reads typed values as text, or as JSON when asked', () => {
    assert.deepEqual(parseValueInput('42', false), { ok: true, value: '42' });
    assert.deepEqual(parseValueInput('42', true), { ok: true, value: 42 });
    assert.deepEqual(parseValueInput('{"a":[1]}', true), { ok: true, value: { a: [1] } });
    assert.equal(parseValueInput('', false).ok, false);
    assert.match((parseValueInput('{oops', true) as { error: string }).error, /^Not valid JSON/);
    assert.deepEqual(parseAmount(''), { ok: true, amount: 1 });
    assert.deepEqual(parseAmount(' 12 '), { ok: true, amount: 12 });
    for (const bad of ['0', '-1', '1.5', 'x', '99999999999999999999']) assert.equal(parseAmount(bad).ok, false, bad);
  });

  it('plans the first update that creates a new key', () => {
    const base = { bucket: ' ops ', key: 'freeze', value: '', asJson: false, enabled: true };
    assert.deepEqual(planNewKey({ ...base, type: 'flag_ew' }), {
      ok: true,
      plan: { kind: 'flag', object: { bucket: 'ops', key: 'freeze', type: 'flag_ew' }, enabled: true },
    });
    assert.deepEqual(planNewKey({ ...base, type: 'counter_pn', value: '-3' }), {
      ok: true,
      plan: { kind: 'counter', object: { bucket: 'ops', key: 'freeze', type: 'counter_pn' }, op: 'decrement', amount: 3 },
    });
    assert.deepEqual(planNewKey({ ...base, type: 'counter_pn_sb' }), {
      ok: true,
      plan: { kind: 'counter', object: { bucket: 'ops', key: 'freeze', type: 'counter_pn_sb' }, op: 'increment', amount: 1 },
    });
    assert.deepEqual(planNewKey({ ...base, type: 'set_2p', value: '[1,2]', asJson: true }), {
      ok: true,
      plan: { kind: 'set', object: { bucket: 'ops', key: 'freeze', type: 'set_2p' }, element: [1, 2] },
    });
    assert.deepEqual(planNewKey({ ...base, type: 'register_mv', value: 'dark' }), {
      ok: true,
      plan: { kind: 'register', object: { bucket: 'ops', key: 'freeze', type: 'register_mv' }, value: 'dark' },
    });
    assert.deepEqual(planNewKey({ ...base, type: 'flag_ew', bucket: '  ' }), { ok: false, error: 'Enter a bucket' });
    assert.deepEqual(planNewKey({ ...base, type: 'flag_ew', key: '' }), { ok: false, error: 'Enter a key' });
    assert.equal(planNewKey({ ...base, type: 'counter_pn', value: '0' }).ok, false);
    assert.equal(planNewKey({ ...base, type: 'set_aw', value: '' }).ok, false);
  });

  it('formats times, sizes, counts, values and clocks for people', () => {
    assert.equal(relativeTime(10_000, 10_500), 'just now');
    assert.equal(relativeTime(0, 42_000), '42 s ago');
    assert.equal(relativeTime(0, 3 * 60_000), '3 min ago');
    assert.equal(relativeTime(0, 5 * 3_600_000), '5 h ago');
    assert.equal(relativeTime(0, 72 * 3_600_000), '3 d ago');
    assert.equal(bytes(512), '512 B');
    assert.equal(bytes(1536), '1.5 KiB');
    assert.equal(bytes(600_000), '586 KiB');
    assert.equal(bytes(5 * 1024 ** 3), '5.0 GiB');
    assert.equal(count(1, 'element'), '1 element');
    assert.equal(count(10_000, 'element'), '10,000 elements');
    assert.equal(valueText('plain'), 'plain');
    assert.equal(valueText({ b: 1, a: [true] }), '{"a":[true],"b":1}');
    assert.equal(valueText('x'.repeat(300), 10), `${'x'.repeat(9)}…`);
    assert.equal(clockText({ bob: 2, alice: 0, carol: 1 }), 'bob:2 carol:1');
    assert.equal(clockText({}), '∅');
  });
});
