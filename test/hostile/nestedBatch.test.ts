import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Fleet } from './harness';
import { nestedArrayText } from './wire';

describe('hostile 12: a deeply nested --batch', function () {
  this.timeout(30_000);
  let fleet: Fleet;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => fleet.cleanup());

  it('exits 2 with a reason on stderr', async () => {
    const a = await fleet.serve({ id: 'batchA', secret: false });
    const file = path.join(fleet.dir('batch'), 'deep.json');
    writeFileSync(file, `[{"type":"set_aw","bucket":"b","key":"k","op":"add","args":[${nestedArrayText(5000)}]}]`);
    const result = await fleet.update(a, [], ['--batch', file]);
    assert.equal(result.code, 2, `a batch nested 5,000 levels exited ${result.code}: ${result.stderr}`);
    assert.match(result.stderr, /^minidote update: .*(deep|nest|depth|level)/i);
  });
});
