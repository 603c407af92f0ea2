// First step of `npm test`: makes sure the system programs the tests drive exist. Browser tests and
// the extension-host tests need Debian's Chromium; as root it is installed, otherwise we explain how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(`ensure-test-deps: Chromium is missing at ${chromium} (the browser and extension-host tests drive it).`);
    console.error('ensure-test-deps: install it with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH.');
    process.exit(1);
  }
  console.log('ensure-test-deps: installing chromium with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (!existsSync(chromium)) {
    console.error(`ensure-test-deps: chromium was installed but ${chromium} still does not exist; check CHROMIUM_PATH.`);
    process.exit(1);
  }
}
