/**
 * A replica's display name as replicas tell each other (docs/architecture.md, "Replica names"):
 * what one replica saw when it last had that replica connected directly. Names are display only
 * and untrusted: anyone holding the team secret can say anything about any id.
 */
export interface ReplicaName {
  readonly id: string;
  readonly displayName: string;
  /** When `seenBy` last had the replica connected directly (ms since the epoch, on its clock). */
  readonly lastSeen: number;
  /** The replica that saw it then. */
  readonly seenBy: string;
}

/** The longest display name kept or sent, in UTF-16 units: a name, not a document. */
export const MAX_DISPLAY_NAME_LENGTH = 128;

/** The most replica names a node keeps, and the most one message may carry. */
export const MAX_REPLICA_NAMES = 10_000;

/** Characters that could rewrite what is shown around a name: controls, bidirectional overrides, line breaks. */
const HIDDEN = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A name safe to show on one line: without control and bidirectional-override characters, lone
 * surrogates replaced, spaces collapsed, at most MAX_DISPLAY_NAME_LENGTH units (whole characters).
 * Empty when nothing printable is left: the caller shows the replica id instead.
 */
export function cleanDisplayName(text: string): string {
  const clean = text.replace(LONE_SURROGATE, '\ufffd').replace(HIDDEN, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length <= MAX_DISPLAY_NAME_LENGTH) return clean;
  let cut = '';
  for (const char of clean) {
    if (cut.length + char.length > MAX_DISPLAY_NAME_LENGTH) break;
    cut += char;
  }
  return cut.trimEnd();
}
