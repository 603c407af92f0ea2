import { UnavailableError } from '../core/errors';
import { VectorClock } from '../core/vectorClock';
import { newNonce, proof, verifyProof } from './auth';
import { Connection } from './connection';
import { Challenge, HelloMessage, Hello, PROTOCOL_VERSION, Refusal, Welcome, WelcomeMessage } from './messages';
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

/** The listening side: challenge, check the connector's proof, answer with our own proof. */
export async function acceptHandshake(conn: Connection, self: LocalIdentity, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<HelloMessage> {
  const nonce = newNonce();
  conn.send({ t: 'challenge', protocol: PROTOCOL_VERSION, nonce, auth: self.secret !== undefined });
  const hello = await conn.next(Hello, timeoutMs, 'hello');
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
  if (self.secret !== undefined && !verifyProof(self.secret, 'connector', nonce, hello.nonce, hello.proof)) {
    refuse('authentication failed: wrong or missing team secret');
  }
  if (self.secret === undefined && hello.proof !== undefined) {
    refuse('authentication failed: this node has no team secret, but the connecting side has one');
  }
  conn.send({
    t: 'welcome',
    id: self.id,
    displayName: self.displayName,
    clock: self.clock(),
    ...(self.secret !== undefined ? { proof: proof(self.secret, 'listener', nonce, hello.nonce) } : {}),
  });
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
  const challenge = await conn.next(Challenge, timeoutMs, 'challenge');
  const fail = (reason: string): never => {
    conn.fail(reason);
    throw new AuthenticationError(`${conn.label}: ${reason}`);
  };
  if (challenge.protocol !== PROTOCOL_VERSION) {
    fail(`node speaks protocol ${challenge.protocol}, this program speaks ${PROTOCOL_VERSION}`);
  }
  if (self.secret !== undefined && !challenge.auth) {
    fail('authentication failed: the node has no team secret, but this side has one');
  }
  if (self.secret === undefined && challenge.auth) {
    fail('authentication failed: the node requires a team secret (pass --secret-file or set the team secret)');
  }
  const nonce = newNonce();
  conn.send({
    t: 'hello',
    protocol: PROTOCOL_VERSION,
    role: self.role,
    ...(self.id !== undefined ? { id: self.id } : {}),
    ...(self.displayName !== undefined ? { displayName: self.displayName } : {}),
    ...(self.clock ? { clock: self.clock() } : {}),
    nonce,
    ...(self.secret !== undefined ? { proof: proof(self.secret, 'connector', challenge.nonce, nonce) } : {}),
  });
  const answer = await conn.next(WelcomeOrRefusal, timeoutMs, 'welcome');
  if (answer.t === 'refused') {
    conn.close();
    throw new AuthenticationError(`${conn.label}: refused: ${answer.error.message}`);
  }
  if (self.secret !== undefined && !verifyProof(self.secret, 'listener', challenge.nonce, nonce, answer.proof)) {
    fail('authentication failed: the node could not prove it knows the team secret');
  }
  if (self.role === 'peer' && answer.id === self.id) fail(`connected to itself ("${self.id}")`);
  return answer;
}
