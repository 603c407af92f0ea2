import type { TypeName } from '../../core/crdt/crdtType';
import { describeState } from '../../core/crdt/registry';
import type { StateDescription, TagDescription } from '../../core/crdt/stateDescription';
import type { Json } from '../../core/json';

export { describeTag as parseTag } from '../../core/crdt/stateDescription';

/** A unique operation tag (`replica:seq:index`, made by the origin replica). */
export type TagView = TagDescription;

/** A type's encoded internal state, read into what the panel draws. */
export type InternalView = StateDescription;

/** Each type reads its own encoding (its descriptor, in src/core/crdt); anything unexpected becomes 'unreadable'. */
export function readInternal(type: TypeName, internal: Json): InternalView {
  return describeState(type, internal);
}
