import { secretStrength } from '../net/auth';
import { isLoopbackHost } from '../net/peerUrl';

/** Why a typed secret cannot be the team secret (too weak), or undefined; empty = remove it. */
export function secretProblem(text: string): string | undefined {
  const secret = text.trim();
  if (secret === '') return undefined;
  const strength = secretStrength(secret);
  if (!strength.weak) return undefined;
  return `This secret is too weak: ${strength.reason}, or let Minidote generate one`;
}

/**
 * Why the secret cannot be removed while the replica listens at `listenUrl`, or undefined: beyond
 * loopback, the listener would be open to anyone on the network.
 */
export function removalProblem(listenUrl: string | undefined): string | undefined {
  if (listenUrl === undefined) return undefined;
  const host = new URL(listenUrl).hostname;
  if (isLoopbackHost(host)) return undefined;
  return (
    `the replica listens on ${host}, beyond this machine: without a secret anyone on the network could read and ` +
    'change the store. Run "Minidote: Stop Listening" first, then remove the secret'
  );
}
