import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { encodeFrame } from '../../src/storage/frames';

/**
 * The Yjs baseline's persistence: each update appended with a synchronous write, in the frame
 * format of Minidote's log (length, CRC-32, payload), so both pay the same per-record disk cost.
 */
export class UpdateFile {
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  append(update: Uint8Array): void {
    const frame = encodeFrame(Buffer.from(update.buffer, update.byteOffset, update.byteLength));
    for (let done = 0; done < frame.length;) done += writeSync(this.fd, frame, done);
  }

  /** Closes the file and returns its size in bytes. */
  close(): number {
    closeSync(this.fd);
    return statSync(this.path).size;
  }
}
