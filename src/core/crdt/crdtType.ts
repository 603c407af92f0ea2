import { Json } from '../json';
import { VectorClock } from '../vectorClock';

export const TYPE_NAMES = ['counter_pn', 'counter_pn_sb', 'set_aw', 'set_2p', 'register_mv', 'flag_ew'] as const;
export type TypeName = (typeof TYPE_NAMES)[number];

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
 * One CRDT type. Every type module has this shape (as antidote_crdt's behaviour): `prepare` is the
 * origin-side downstream that turns a validated operation into an effect or refuses it; `apply` puts
 * an effect onto a state at every replica; `join` combines two whole states (snapshot install).
 * States are mutable for speed: `apply` may change and return the state it was given, so callers
 * that need the old state keep a `clone`.
 */
export interface CrdtType<State> {
  readonly name: TypeName;
  readonly summary: string;
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
export type AnyCrdtType = CrdtType<unknown>;
