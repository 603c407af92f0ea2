import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { UnavailableError } from '../core/errors';
import type { ProofRole } from './auth';

/**
 * The encrypted link that follows an authenticated handshake (docs/architecture.md, "Encrypted
 * links"). Only primitives that both Node's OpenSSL and Electron's BoringSSL provide: HKDF-SHA256
 * and AES-256-GCM.
 *
 * - Keys: HKDF-SHA256 with the team secret as input key material, both handshake nonces as salt,
 *   and as info the protocol version, the direction (sender and receiver roles) and a hash of the
 *   handshake transcript (every byte of challenge, hello and welcome). One key per direction; any
 *   change a relay made to the handshake gives the two sides different keys.
 * - Frames: AES-256-GCM with a 96-bit nonce made of the direction's frame counter. The counter is
 *   never sent: the receiver expects exactly the next one, so a replayed, reordered, dropped or
 *   altered frame fails authentication.
 * - Plaintext: one byte saying what the frame carries (text or binary), then the message.
 */

export type FrameKind = 'text' | 'binary';

const KIND_BYTES: Record<FrameKind, number> = { text: 0, binary: 1 };

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a sealed frame adds to its message: the kind byte and the authentication tag. */
export const SEAL_OVERHEAD = 1 + TAG_BYTES;

/** What one direction's key may protect before the link must be closed (a new link has new keys). */
export interface KeyUsageLimits {
  readonly frames: number;
  readonly bytes: number;
}

/**
 * Far below what AES-GCM tolerates with counter nonces (2^64 frames; TLS 1.3 caps a key at about
 * 2^38 bytes of full records). Nothing comes close in practice: a reconnect starts afresh.
 */
export const DEFAULT_KEY_LIMITS: KeyUsageLimits = { frames: 2 ** 32, bytes: 2 ** 38 };

/** A frame that did not open: tampered, replayed, reordered, lost before it, or not sealed at all. */
export class FrameAuthenticationError extends UnavailableError {}

/** A key reached its usage limit: the link closes rather than reuse a nonce or wear the key out. */
export class KeyExhaustedError extends UnavailableError {}

export interface LinkKeys {
  readonly send: Buffer;
  readonly receive: Buffer;
}

export interface KeyMaterial {
  readonly secret: string;
  /** This side's role in the handshake. */
  readonly role: ProofRole;
  readonly protocol: number;
  readonly listenerNonce: string;
  readonly connectorNonce: string;
  /** The handshake messages exactly as they crossed the wire, in order. */
  readonly transcript: readonly string[];
}

/** A hash of the handshake messages, each length-prefixed so that no two transcripts collide. */
export function transcriptHash(messages: readonly string[]): Buffer {
  const hash = createHash('sha256');
  for (const message of messages) {
    const bytes = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest();
}

function directionKey(material: KeyMaterial, sender: ProofRole, salt: Buffer, transcript: Buffer): Buffer {
  const receiver: ProofRole = sender === 'connector' ? 'listener' : 'connector';
  const info = Buffer.concat([Buffer.from(`minidote/${material.protocol} link key ${sender} to ${receiver}|`, 'utf8'), transcript]);
  return Buffer.from(hkdfSync('sha256', Buffer.from(material.secret, 'utf8'), salt, info, KEY_BYTES));
}

/** This side's sending and receiving keys; the other side derives the same pair, swapped. */
export function deriveLinkKeys(material: KeyMaterial): LinkKeys {
  const salt = Buffer.concat([Buffer.from(material.listenerNonce, 'hex'), Buffer.from(material.connectorNonce, 'hex')]);
  const transcript = transcriptHash(material.transcript);
  const other: ProofRole = material.role === 'connector' ? 'listener' : 'connector';
  return {
    send: directionKey(material, material.role, salt, transcript),
    receive: directionKey(material, other, salt, transcript),
  };
}

function nonceFor(counter: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(BigInt(counter), NONCE_BYTES - 8);
  return nonce;
}

/** One direction's key and counter. */
class Direction {
  private frames = 0;
  private bytes = 0;

  constructor(
    readonly key: Buffer,
    private readonly limits: KeyUsageLimits,
  ) {}

  /** The nonce for the next frame of `length` bytes; refuses once the key has done its share. */
  next(length: number, what: string): Buffer {
    if (this.frames >= this.limits.frames || this.bytes + length > this.limits.bytes) {
      throw new KeyExhaustedError(`the link's ${what} key reached its usage limit; a new link gets fresh keys`);
    }
    const nonce = nonceFor(this.frames);
    this.frames++;
    this.bytes += length;
    return nonce;
  }
}

export interface OpenedFrame {
  readonly kind: FrameKind;
  readonly payload: Buffer;
}

/** Seals outgoing and opens incoming frames of one link, each direction with its own key and counter. */
export class SecureChannel {
  private readonly sending: Direction;
  private readonly receiving: Direction;

  constructor(keys: LinkKeys, limits: KeyUsageLimits = DEFAULT_KEY_LIMITS) {
    this.sending = new Direction(keys.send, limits);
    this.receiving = new Direction(keys.receive, limits);
  }

  /** The frame to send: ciphertext of (kind byte, payload) followed by the tag. */
  seal(kind: FrameKind, payload: Uint8Array): Buffer {
    const nonce = this.sending.next(payload.length + 1, 'sending');
    const cipher = createCipheriv('aes-256-gcm', this.sending.key, nonce, { authTagLength: TAG_BYTES });
    const parts = [cipher.update(Buffer.of(KIND_BYTES[kind])), cipher.update(payload), cipher.final(), cipher.getAuthTag()];
    return Buffer.concat(parts);
  }

  /** The message in a received frame; throws FrameAuthenticationError unless it is exactly the next frame, unaltered. */
  open(frame: Uint8Array): OpenedFrame {
    if (frame.length < SEAL_OVERHEAD) throw new FrameAuthenticationError('a frame too short to be sealed');
    const nonce = this.receiving.next(frame.length - TAG_BYTES, 'receiving');
    const decipher = createDecipheriv('aes-256-gcm', this.receiving.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(frame.subarray(0, frame.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new FrameAuthenticationError('a frame failed authentication (altered, replayed, reordered or one before it lost)');
    }
    const kind = plain[0] === KIND_BYTES.text ? 'text' : plain[0] === KIND_BYTES.binary ? 'binary' : undefined;
    if (kind === undefined) throw new FrameAuthenticationError(`a sealed frame of unknown kind ${plain[0]}`);
    return { kind, payload: plain.subarray(1) };
  }
}
