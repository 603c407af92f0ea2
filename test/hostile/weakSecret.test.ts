import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitUntil } from '../support/waitFor';
import { Fleet } from './harness';

describe('hostile 11: a weak team secret', function () {
  this.timeout(30_000);
  let fleet: Fleet;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => fleet.cleanup());

  it('makes serve warn that it is weak, and still start', async () => {
    const weak = path.join(fleet.dir('weak'), 'weak.secret');
    writeFileSync(weak, 'abc123\n');
    const a = await fleet.serve({ id: 'weakA', secret: false, extra: ['--secret-file', weak] });
    const warned = () => /secret[^\n]*\b(weak|short)\b/i.test(a.process.stderr());
    await waitUntil(warned, { timeoutMs: 3000 }).catch(() => undefined);
    assert.ok(warned(), `no warning about the 6-character secret on stderr: ${a.process.stderr()}`);
  });
});
