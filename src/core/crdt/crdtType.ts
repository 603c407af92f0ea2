import type { EffectCodec } from '../codec/effectCoding';
import type { Json } from '../json';
import type { VectorClock } from '../vectorClock';
import type { StateDescription } from './stateDescription';

// The type names come from the registry's list; they are re-exported here for the modules that
// name types without needing the registry (transaction keys, schemas).
export { TYPE_NAMES } from './registry';
export type { TypeName } from './registry';
import type { TypeName } from './registry';

/**
 * How an operation takes its arguments. The CLI uses this to convert command-line words (integers
 * for counters, strings or `--json` values otherwise), and `validateOperation` checks it for every
 * caller, so a type's `prepare` only ever sees well-formed arguments.
 */
export type ArgumentShape =
  | { readonly kind: 'none' }
  | { readonly kind: 'optionalInteger'; readonly positive: boolean }
  | { readonly kind: 'oneValue' }
  | { readonly kind: 'values' };

export interface OperationSpec {
  readonly name: string;
  readonly args: ArgumentShape;
  readonly summary: string;
}

/** What the origin replica supplies when it turns an operation into an effect. */
export interface PrepareContext {
  /** This replica's id (state-based counters keep per-replica entries). */
  readonly replica: string;
  /** A tag unique across replicas and time, for OR-set style types. */
  readonly tag: string;
}

/**
 * What the user works with: commands and views talk about "a set", whichever set type it is. Each
 * family has its own controls in the editor and the panel; the first type of a family in the
 * registry's list is the one a new key gets unless the caller names another.
 */
export const FAMILIES = ['flag', 'set', 'counter', 'register'] as const;
export type Family = (typeof FAMILIES)[number];

/**
 * How user interfaces present a type: plain data and a pure function, no UI code, so that the
 * editor's tree and commands and the replica panel all take them from the type itself.
 */
export interface TypeDescriptor<State> {
  readonly family: Family;
  /** A short name for pickers, after the type's name ("add-wins set"). */
  readonly label: string;
  /** A codicon id. */
  readonly icon: string;
  /** How the type settles concurrent changes, in one sentence for a tooltip. */
  readonly explanation: string;
  /** The state as the panel shows its internals (see `describeState` in the registry). */
  describe(state: State): StateDescription;
  /**
   * What one validated effect did, as a past-tense phrase for "enabled by Alice" ("enabled",
   * "added \"x\"", "+5"): effects do not name their operation, so each type reads its own.
   */
  describeEffect(effect: Json): string;
}

/**
 * One CRDT type. Every type module has this shape (as antidote_crdt's behaviour): `prepare` is the
 * origin-side downstream that turns a validated operation into an effect or refuses it; `apply` puts
 * an effect onto a state at every replica; `join` combines two whole states (snapshot install).
 * States are mutable for speed: `apply` may change and return the state it was given, so callers
 * that need the old state keep a `clone`.
 */
export interface CrdtType<State, Name extends string = string> {
  readonly name: Name;
  readonly summary: string;
  readonly descriptor: TypeDescriptor<State>;
  readonly operations: readonly OperationSpec[];
  initial(): State;
  value(state: State): Json;
  /** Throws RejectedOperationError when the type refuses the operation in this state. */
  prepare(state: State, op: string, args: readonly Json[], context: PrepareContext): Json;
  /**
   * Throws InvalidInputError when an effect (from the wire or the log) has the wrong shape, or
   * claims something only another replica could have done. `origin` made the transaction and `seq`
   * is its sequence number there: the tags it mints start with `${origin}:${seq}:`.
   */
  validateEffect(effect: Json, origin: string, seq: number): void;
  /**
   * Puts a validated effect from `origin` onto a state. Total and deterministic: never throws, so
   * every replica that delivers the same effects in causal order reaches the same state.
   */
  apply(state: State, effect: Json, origin: string): State;
  /** The compact binary form of the effects (replication messages, log records). */
  readonly codec: EffectCodec;
  /**
   * The state of a replica that delivered the union of two histories. Each state must be exactly
   * the result of the transactions its clock covers (causally closed). Changes neither argument and
   * shares nothing mutable with them.
   */
  join(local: State, localClock: VectorClock, remote: State, remoteClock: VectorClock): State;
  encode(state: State): Json;
  /** Throws InvalidInputError when the encoded state has the wrong shape. */
  decode(encoded: Json): State;
  clone(state: State): State;
}

/** Lets the registry hold types of different state types behind one signature (methods are bivariant). */
export type AnyCrdtType = CrdtType<unknown, TypeName>;
