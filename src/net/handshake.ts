import { UnavailableError, errorMessage } from '../core/errors';
import { VectorClock } from '../core/vectorClock';
import { ProofRole, newNonce, proof, verifyProof } from './auth';
import { Connection } from './connection';
import { Challenge, HelloMessage, Hello, PROTOCOL_VERSION, Refusal, Welcome, WelcomeMessage } from './messages';
import { SecureChannel, deriveLinkKeys } from './secureChannel';
import * as v from 'valibot';

/** Authentication failures are "unavailable" (exit 3) but distinct so callers can say what to fix. */
export class AuthenticationError extends UnavailableError {}

export interface LocalIdentity {
  readonly id: string;
  readonly displayName: string;
  readonly clock: () => VectorClock;
  readonly secret: string | undefined;
}

export const HANDSHAKE_TIMEOUT_MS = 10_000;

const WelcomeOrRefusal = v.variant('t', [Welcome, Refusal]);

/**
 * The first sealed message each way. It opens only under keys derived from the same secret and
 * the same handshake bytes: both sides then know that nobody altered the handshake or joined the
 * link after it, before any of it reaches the node.
 */
const KeyConfirmation = v.object({ t: v.literal('keys'), role: v.picklist(['connector', 'listener']) });

interface SecuredHandshake {
  readonly secret: string;
  readonly role: ProofRole;
  readonly listenerNonce: string;
  readonly connectorNonce: string;
  readonly transcript: readonly string[];
}

/**
 * Switches the connection to sealed frames, sends this side's key confirmation and waits for the
 * other side's (docs/architecture.md, "Encrypted links").
 */
async function secureLink(conn: Connection, handshake: SecuredHandshake, timeoutMs: number): Promise<void> {
  conn.secure(new SecureChannel(deriveLinkKeys({ ...handshake, protocol: PROTOCOL_VERSION })));
  conn.send({ t: 'keys', role: handshake.role });
  const other: ProofRole = handshake.role === 'connector' ? 'listener' : 'connector';
  let confirmation: v.InferOutput<typeof KeyConfirmation>;
  try {
    confirmation = await conn.next(KeyConfirmation, timeoutMs, 'key confirmation');
  } catch (error) {
    const reason = errorMessage(error).replace(`${conn.label}: `, '');
    throw new AuthenticationError(`${conn.label}: the encrypted link could not be set up: ${reason}`);
  }
  if (confirmation.role !== other) {
    conn.fail('key confirmation from the wrong side');
    throw new AuthenticationError(`${conn.label}: key confirmation from the wrong side`);
  }
}

/** Sends a handshake message and returns its exact text, which becomes part of the transcript. */
function sendRecorded(conn: Connection, message: object): string {
  const text = JSON.stringify(message);
  conn.sendText(text);
  return text;
}

/** The listening side: challenge, check the connector's proof, answer with our own proof. */
export async function acceptHandshake(conn: Connection, self: LocalIdentity, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<HelloMessage> {
  const nonce = newNonce();
  const secret = self.secret;
  const challengeText = sendRecorded(conn, { t: 'challenge', protocol: PROTOCOL_VERSION, nonce, auth: secret !== undefined });
  const { value: hello, text: helloText } = await conn.nextWithText(Hello, timeoutMs, 'hello');
  const refuse = (reason: string): never => {
    conn.send({ t: 'refused', error: { kind: 'unavailable', message: reason } });
    conn.fail(reason);
    throw new AuthenticationError(`${conn.label}: ${reason}`);
  };
  if (hello.protocol !== PROTOCOL_VERSION) {
    refuse(`protocol version ${hello.protocol} is not supported (this node speaks ${PROTOCOL_VERSION})`);
  }
  if (hello.role === 'peer' && (hello.id === undefined || hello.clock === undefined)) {
    refuse('a peer must send its id and clock');
  }
  if (hello.role === 'peer' && hello.id === self.id) refuse(`peer has this node's own id "${self.id}"`);
  if (secret !== undefined && !verifyProof(secret, 'connector', nonce, hello.nonce, hello.proof)) {
    refuse('authentication failed: wrong or missing team secret');
  }
  if (secret === undefined && hello.proof !== undefined) {
    refuse('authentication failed: this node has no team secret, but the connecting side has one');
  }
  const welcomeText = sendRecorded(conn, {
    t: 'welcome',
    id: self.id,
    displayName: self.displayName,
    clock: self.clock(),
    ...(secret !== undefined ? { proof: proof(secret, 'listener', nonce, hello.nonce) } : {}),
  });
  if (secret !== undefined) {
    const transcript = [challengeText, helloText, welcomeText];
    await secureLink(conn, { secret, role: 'listener', listenerNonce: nonce, connectorNonce: hello.nonce, transcript }, timeoutMs);
  }
  return hello;
}

export interface ConnectorIdentity {
  readonly role: 'peer' | 'client';
  readonly id?: string;
  readonly displayName?: string;
  readonly clock?: () => VectorClock;
  readonly secret: string | undefined;
}

/** The connecting side: answer the challenge, then insist on the listener's proof. */
export async function offerHandshake(conn: Connection, self: ConnectorIdentity, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<WelcomeMessage> {
  const { value: challenge, text: challengeText } = await conn.nextWithText(Challenge, timeoutMs, 'challenge');
  const secret = self.secret;
  const fail = (reason: string): never => {
    conn.fail(reason);
    throw new AuthenticationError(`${conn.label}: ${reason}`);
  };
  if (challenge.protocol !== PROTOCOL_VERSION) {
    fail(`node speaks protocol ${challenge.protocol}, this program speaks ${PROTOCOL_VERSION}`);
  }
  if (secret !== undefined && !challenge.auth) {
    fail('authentication failed: the node has no team secret, but this side has one');
  }
  if (secret === undefined && challenge.auth) {
    fail('authentication failed: the node requires a team secret (pass --secret-file or set the team secret)');
  }
  const nonce = newNonce();
  const helloText = sendRecorded(conn, {
    t: 'hello',
    protocol: PROTOCOL_VERSION,
    role: self.role,
    ...(self.id !== undefined ? { id: self.id } : {}),
    ...(self.displayName !== undefined ? { displayName: self.displayName } : {}),
    ...(self.clock ? { clock: self.clock() } : {}),
    nonce,
    ...(secret !== undefined ? { proof: proof(secret, 'connector', challenge.nonce, nonce) } : {}),
  });
  const { value: answer, text: welcomeText } = await conn.nextWithText(WelcomeOrRefusal, timeoutMs, 'welcome');
  if (answer.t === 'refused') {
    conn.close();
    throw new AuthenticationError(`${conn.label}: refused: ${answer.error.message}`);
  }
  if (secret !== undefined && !verifyProof(secret, 'listener', challenge.nonce, nonce, answer.proof)) {
    fail('authentication failed: the node could not prove it knows the team secret');
  }
  if (self.role === 'peer' && answer.id === self.id) fail(`connected to itself ("${self.id}")`);
  if (secret !== undefined) {
    const transcript = [challengeText, helloText, welcomeText];
    await secureLink(conn, { secret, role: 'connector', listenerNonce: challenge.nonce, connectorNonce: nonce, transcript }, timeoutMs);
  }
  return answer;
}
