import assert from 'node:assert/strict';
import { runCli } from '../cli/cliProcess';
import { Fleet } from './harness';
import { NamespacedServe, serveInNewPidNamespace, whyNotPrivileged } from './system';

describe('hostile 5: the data directory lock across pid namespaces', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const started: NamespacedServe[] = [];
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(async () => {
    for (const serve of started.splice(0)) {
      serve.kill('SIGKILL');
      await serve.exited;
    }
    fleet.cleanup();
  });

  it('a second serve in another pid namespace refuses the directory the first one holds', async function () {
    const why = whyNotPrivileged(['unshare']);
    if (why !== undefined) this.skip();
    const data = fleet.dir('shared');
    const first = serveInNewPidNamespace(['--data', data, '--id', 'nsA']);
    started.push(first);
    const url = await first.ready;
    const write = await runCli(['update', '--node', url, 'counter_pn', 'ns', 'writes', 'increment']);
    assert.equal(write.code, 0, write.stderr);

    const second = serveInNewPidNamespace(['--data', data, '--id', 'nsA']);
    started.push(second);
    const ran = await Promise.race([
      second.ready.then(
        () => true,
        () => false,
      ),
      second.exited.then(() => false),
    ]);
    assert.ok(!ran, 'a second serve started on a directory that a serve in another pid namespace holds');
    assert.notEqual(await second.exited, 0);
    assert.match(second.stderr(), /lock|in use/i);
  });
});
