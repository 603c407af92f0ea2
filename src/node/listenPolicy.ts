import { InvalidInputError } from '../core/errors';
import { isLoopbackHost } from '../net/peerUrl';

/**
 * Listening beyond loopback without a team secret would let anyone on the network read and change
 * the store. Checked when listening starts and when the secret changes while listening.
 */
export function checkListenPolicy(host: string, secret: string | undefined): void {
  if (isLoopbackHost(host) || secret !== undefined) return;
  throw new InvalidInputError(
    `refusing to listen on ${host} without a team secret: anyone on the network could read and change the store; ` +
      'set a secret (--secret-file, or "Minidote: Set Team Secret") or listen on 127.0.0.1',
  );
}
