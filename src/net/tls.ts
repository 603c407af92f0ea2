import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { InvalidInputError, errorMessage } from '../core/errors';

/**
 * Real TLS (wss://) for teams that have certificates: a listener's certificate and key, and the
 * certificate authority a connecting side trusts. This is separate from the team secret's sealed
 * frames (secureChannel.ts), which need no certificates; both may be used together.
 */

/** A listener's certificate chain and private key, PEM. */
export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** What a connecting side trusts for wss://: a CA bundle (PEM) instead of the system's roots. */
export interface ClientTls {
  readonly ca?: Buffer;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InvalidInputError(`cannot read the ${what} ${path}: ${errorMessage(error)}`);
  }
}

/** Reads and checks a certificate and its key, so that a bad pair is bad usage, not a failed listen. */
export function readServerTls(certFile: string, keyFile: string): ServerTls {
  const tls = { cert: readPem(certFile, 'TLS certificate'), key: readPem(keyFile, 'TLS key') };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new InvalidInputError(`cannot use the TLS certificate ${certFile} with the key ${keyFile}: ${errorMessage(error)}`);
  }
  return tls;
}

/** Reads a CA bundle and checks that it holds certificates. */
export function readCaFile(caFile: string): ClientTls {
  const ca = readPem(caFile, 'CA file');
  if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidInputError(`the CA file ${caFile} holds no PEM certificate`);
  }
  try {
    createSecureContext({ ca });
  } catch (error) {
    throw new InvalidInputError(`the CA file ${caFile} holds no usable certificate: ${errorMessage(error)}`);
  }
  return { ca };
}

/** Options for `new WebSocket(url, ...)`: the CA, when one is given, replaces the system's roots. */
export function tlsConnectOptions(tls: ClientTls | undefined): { ca?: Buffer } {
  return tls?.ca !== undefined ? { ca: tls.ca } : {};
}

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** OpenSSL's reason ("wrong version number") without its error stack and source location. */
export function tlsReason(message: string): string {
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(message);
  return reason ? reason[1] : message.trim();
}

/** Why a connection attempt failed, in words that say what to fix when TLS is the cause. */
export function describeConnectError(url: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = tlsReason(errorMessage(error));
  if (typeof code === 'string' && UNTRUSTED_CODES.has(code)) {
    return (
      `the TLS certificate of ${url} is not trusted (${message}): give the certificate of the authority that signed it ` +
      '(--ca-file, or the minidote.tls.caFile setting), or check the address'
    );
  }
  if (url.startsWith('wss:') && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(message))) {
    return `${url} does not speak TLS (${message}): use a ws:// address for a node without --tls-cert`;
  }
  if (url.startsWith('ws:') && (code === 'ECONNRESET' || /socket hang up/i.test(message))) {
    return `${message} (a node that serves wss:// hangs up on ws://: check the address)`;
  }
  return message;
}
