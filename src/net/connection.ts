import WebSocket from 'ws';
import { UnavailableError, errorMessage } from '../core/errors';
import { Schema, decode } from './messages';
import { SecureChannel } from './secureChannel';

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Close codes we send: 1008 policy violation (bad message, auth), 1000 normal. */
export const CLOSE_POLICY = 1008;
export const CLOSE_NORMAL = 1000;

/** One WebSocket message as it arrived, before it is opened (on an encrypted link) and decoded. */
interface Frame {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/**
 * A WebSocket carrying messages that are validated on arrival: JSON text during the handshake and
 * for clients, binary after a peer handshake (core/codec/linkCodec.ts). A message that fails its
 * check closes the connection with the reason logged, and is never handed to the caller: one bad
 * peer cannot put anything into state or stall others.
 *
 * Once `secure` is called (after an authenticated handshake), every frame in both directions is
 * sealed by the SecureChannel; a frame that does not open closes the connection.
 */
export class Connection {
  /** Frames are queued as they arrived: those after the handshake are opened only once the keys exist. */
  private readonly queue: Frame[] = [];
  private waiter: ((frame: Frame) => void) | undefined;
  private handler: ((frame: Frame) => void) | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private channel: SecureChannel | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly label: string,
    private readonly log: Log,
  ) {
    socket.on('message', (data, isBinary) => {
      const frame = { data: data as Buffer, isBinary };
      if (this.waiter) this.waiter(frame);
      else if (this.handler && this.queue.length === 0) this.handler(frame);
      else this.queue.push(frame);
    });
    socket.on('close', (code, reason) => this.markClosed(reason.toString() || `socket closed (${code})`));
    socket.on('error', (error) => this.markClosed(error.message));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  send(message: object): void {
    this.sendText(JSON.stringify(message));
  }

  /** For callers that assemble large messages from pre-serialized parts. */
  sendText(text: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.channel === undefined) this.socket.send(text);
    else this.sendSealed('text', Buffer.from(text, 'utf8'));
  }

  /** A binary message (peer replication after the handshake). */
  sendBytes(bytes: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.channel === undefined) this.socket.send(bytes);
    else this.sendSealed('binary', bytes);
  }

  /** Whether frames are sealed (a team secret is in use). */
  get encrypted(): boolean {
    return this.channel !== undefined;
  }

  /**
   * From now on every frame is sealed and opened by `channel`, including frames that arrived
   * before this call but were not read yet.
   */
  secure(channel: SecureChannel): void {
    this.channel = channel;
  }

  private sendSealed(kind: 'text' | 'binary', payload: Uint8Array): void {
    let frame: Buffer;
    try {
      frame = (this.channel as SecureChannel).seal(kind, payload);
    } catch (error) {
      this.fail(errorMessage(error));
      return;
    }
    this.socket.send(frame);
  }

  /**
   * The text of a frame: opened first on an encrypted link. Undefined (and the connection closed)
   * when it does not open or is not text.
   */
  private textOf(frame: Frame): string | undefined {
    const opened = this.openFrame(frame);
    if (opened === undefined) return undefined;
    if (opened.isBinary) {
      this.fail('binary frames are not part of this protocol phase');
      return undefined;
    }
    return opened.data.toString('utf8');
  }

  /** The bytes of a binary frame, opened first on an encrypted link; undefined (connection closed) otherwise. */
  private bytesOf(frame: Frame): Buffer | undefined {
    const opened = this.openFrame(frame);
    if (opened === undefined) return undefined;
    if (!opened.isBinary) {
      this.fail('text frames are not part of the peer protocol after the handshake');
      return undefined;
    }
    return opened.data;
  }

  private openFrame(frame: Frame): Frame | undefined {
    if (this.channel === undefined) return frame;
    if (!frame.isBinary) {
      this.fail('an unencrypted frame on an encrypted link');
      return undefined;
    }
    try {
      const opened = this.channel.open(frame.data);
      return { data: opened.payload, isBinary: opened.kind === 'binary' };
    } catch (error) {
      this.fail(errorMessage(error));
      return undefined;
    }
  }

  /** Bytes handed to the socket but not yet written: lets senders pace large catch-ups. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Waits for the next message (handshake phase); rejects on timeout, close or a bad message. */
  async next<T>(schema: Schema<T>, timeoutMs: number, what: string): Promise<T> {
    return (await this.nextWithText(schema, timeoutMs, what)).value;
  }

  /** `next`, also giving the message's exact text (the handshake transcript is made of it). */
  nextWithText<T>(schema: Schema<T>, timeoutMs: number, what: string): Promise<{ value: T; text: string }> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(new UnavailableError(`${this.label}: connection closed before ${what}: ${this.closedReason}`));
        return;
      }
      const timer = setTimeout(() => {
        finish();
        this.close(CLOSE_POLICY, `no ${what} within ${timeoutMs} ms`);
        reject(new UnavailableError(`${this.label}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = (reason: string) => {
        finish();
        reject(new UnavailableError(`${this.label}: connection closed before ${what}: ${reason}`));
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        const i = this.closeListeners.indexOf(onClose);
        if (i >= 0) this.closeListeners.splice(i, 1);
      };
      this.closeListeners.push(onClose);
      const take = (frame: Frame) => {
        finish();
        const text = this.textOf(frame);
        if (text === undefined) {
          reject(new UnavailableError(`${this.label}: bad ${what}: ${this.closedReason ?? 'unreadable'}`));
          return;
        }
        const result = decode(schema, text);
        if (result.ok) resolve({ value: result.value, text });
        else {
          this.fail(`${what}: ${result.reason}`);
          reject(new UnavailableError(`${this.label}: bad ${what}: ${result.reason}`));
        }
      };
      const queued = this.queue.shift();
      if (queued !== undefined) take(queued);
      else this.waiter = take;
    });
  }

  /** Hands every following message, validated, to `onMessage` (steady state after the handshake). */
  listen<T>(schema: Schema<T>, onMessage: (message: T) => void): void {
    this.handle((frame) => {
      const text = this.textOf(frame);
      if (text === undefined) return;
      const result = decode(schema, text);
      if (!result.ok) {
        this.fail(result.reason);
        return;
      }
      onMessage(result.value);
    });
  }

  /**
   * Hands every following binary message to `onMessage` (peer replication after the handshake);
   * a text message closes the connection. `onMessage` checks the bytes: what it throws closes the
   * connection with that reason.
   */
  listenBinary(onMessage: (bytes: Buffer) => void): void {
    this.handle((frame) => {
      const bytes = this.bytesOf(frame);
      if (bytes !== undefined) onMessage(bytes);
    });
  }

  private handle(take: (frame: Frame) => void): void {
    this.handler = (frame) => {
      if (this.closed) return;
      try {
        take(frame);
      } catch (error) {
        this.fail(error instanceof Error ? error.message : String(error));
      }
    };
    // Frames that came before (on an encrypted link, often the first request or catch-up, sent
    // right after the key confirmation) are handled in order once the caller has finished setting up.
    if (this.queue.length > 0) queueMicrotask(() => this.drainQueue());
  }

  private drainQueue(): void {
    while (this.handler !== undefined && this.queue.length > 0) this.handler(this.queue.shift() as Frame);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Closes because the other side broke the protocol; the reason is logged and sent. */
  fail(reason: string): void {
    if (this.closed) return;
    this.log('warn', `${this.label}: closing connection: ${reason}`);
    this.close(CLOSE_POLICY, reason);
  }

  close(code = CLOSE_NORMAL, reason = ''): void {
    // Close frames carry at most 123 bytes of reason.
    const short = Buffer.from(reason).subarray(0, 120).toString();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, short);
      // A peer that never answers the close frame must not keep the socket alive.
      setTimeout(() => this.socket.terminate(), 2000).unref();
    }
    this.markClosed(reason || 'closed');
  }

  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.queue.length = 0;
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}
