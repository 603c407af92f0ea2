import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { DAMAGED, END, FRAME_HEAD, encodeFrame, frameEnd, readFrame } from '../../src/storage/frames';

const payloads = fc.uint8Array({ maxLength: 700 }).map((bytes) => Buffer.from(bytes));

describe('storage: frames', () => {
  it('checksums the length bytes and the payload as zlib CRC-32 does, small payloads and large', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const frame = encodeFrame(payload);
        assert.equal(frame.readUInt32LE(4), crc32(payload, crc32(frame.subarray(0, 4))));
        assert.equal(frameEnd(frame, 0), FRAME_HEAD + payload.length);
      }),
    );
  });

  it('reads frames one after the other in place and says where the data ends', () => {
    fc.assert(
      fc.property(fc.array(payloads, { maxLength: 6 }), (list) => {
        const data = Buffer.concat(list.map(encodeFrame));
        let offset = 0;
        for (const payload of list) {
          const next = frameEnd(data, offset);
          assert.deepEqual(data.subarray(offset + FRAME_HEAD, next), payload);
          offset = next;
        }
        assert.equal(frameEnd(data, offset), END);
      }),
    );
  });

  it('finds every changed byte and every cut of a frame damaged, and says why', () => {
    fc.assert(
      fc.property(payloads, fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, at, flip) => {
        const frame = encodeFrame(payload);
        const spoiled = Buffer.from(frame);
        spoiled[at % frame.length] ^= flip;
        assert.equal(frameEnd(spoiled, 0), DAMAGED);
        const read = readFrame(spoiled, 0);
        assert.equal(read.kind, 'damage');
        const cut = frame.subarray(0, at % frame.length);
        if (cut.length > 0) {
          assert.equal(frameEnd(cut, 0), DAMAGED);
          assert.match((readFrame(cut, 0) as { reason: string }).reason, /^incomplete record/);
        }
      }),
    );
  });
});
