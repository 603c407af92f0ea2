/** Written by the main suite, read back by the restart suite in a new extension host. */
export const MARKER = { bucket: 'host-test', key: 'marker', type: 'register_mv' } as const;

/**
 * The token scripts/test-host.mjs gives both host runs, written into the marker by the first and
 * expected by the second. Without it the restart check would compare a constant with itself, so a
 * missing variable fails the test instead of falling back to a default.
 */
export function testToken(): string {
  const token = process.env.MINIDOTE_TEST_TOKEN;
  if (!token) {
    throw new Error('MINIDOTE_TEST_TOKEN is not set in the extension host: run these suites with `npm run test:host`, which passes it');
  }
  return token;
}
