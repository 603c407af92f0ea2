import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_DISPLAY_NAME_LENGTH, cleanDisplayName } from '../../src/core/replicaName';

describe('core/replicaName', () => {
  it('keeps an ordinary name as it is, emoji and accents included', () => {
    assert.equal(cleanDisplayName('Zoë 🚀 Müller'), 'Zoë 🚀 Müller');
    assert.equal(cleanDisplayName('👩‍👩‍👧 family'), '👩‍👩‍👧 family');
  });

  it('removes control and bidirectional-override characters, line breaks and surrounding space', () => {
    assert.equal(cleanDisplayName('  ada\n\u001b[31mroot\u0007 '), 'ada [31mroot');
    assert.equal(cleanDisplayName('evil\u202egnp.exe'), 'evil gnp.exe');
    assert.equal(cleanDisplayName('line\u2028break\ttab'), 'line break tab');
    assert.equal(cleanDisplayName('\u0000\u0001'), '');
  });

  it('replaces lone surrogates and cuts long names between characters', () => {
    assert.equal(cleanDisplayName('a\ud800b'), 'a\ufffdb');
    const long = '🚀'.repeat(MAX_DISPLAY_NAME_LENGTH);
    const cut = cleanDisplayName(long);
    assert.equal(cut.length, MAX_DISPLAY_NAME_LENGTH);
    assert.equal(cut, '🚀'.repeat(MAX_DISPLAY_NAME_LENGTH / 2));
  });

  it('always gives a bounded, one-line, well-formed name that cleaning leaves unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const clean = cleanDisplayName(text);
        assert.ok(clean.length <= MAX_DISPLAY_NAME_LENGTH);
        assert.ok(!/[\p{Cc}\u202a-\u202e\u2066-\u2069\u2028\u2029]/u.test(clean), JSON.stringify(clean));
        assert.equal(clean, clean.trim());
        assert.doesNotThrow(() => encodeURIComponent(clean));
        assert.equal(cleanDisplayName(clean), clean);
      }),
    );
  });
});
