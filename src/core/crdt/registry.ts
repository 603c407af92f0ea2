import { InvalidInputError } from '../errors';
import { Json, valueProblem } from '../json';
import { counterPn } from './counterPn';
import { counterPnSb } from './counterPnSb';
import type { AnyCrdtType, Family, OperationSpec } from './crdtType';
import { flagEw } from './flagEw';
import { registerMv } from './registerMv';
import { set2p } from './set2p';
import { setAw } from './setAw';
import type { StateDescription } from './stateDescription';

/**
 * Every CRDT type, each defined whole in its own module (behaviour and how user interfaces present
 * it). Adding a type is adding its module here. The order is the order users see (help, pickers),
 * and within a family the first type is the default for a new key.
 */
const CRDT_TYPES = [counterPn, counterPnSb, setAw, set2p, registerMv, flagEw] as const;

export type TypeName = (typeof CRDT_TYPES)[number]['name'];
export const TYPE_NAMES: readonly TypeName[] = CRDT_TYPES.map((type) => type.name);

const registry = new Map<string, AnyCrdtType>(CRDT_TYPES.map((type) => [type.name, type as AnyCrdtType]));

export function isTypeName(name: string): name is TypeName {
  return registry.has(name);
}

export function crdtType(name: string): AnyCrdtType {
  if (!isTypeName(name)) {
    throw new InvalidInputError(`unknown type "${name}"; known types: ${TYPE_NAMES.join(', ')}`);
  }
  return registry.get(name) as AnyCrdtType;
}

export function familyOf(type: TypeName): Family {
  return crdtType(type).descriptor.family;
}

/** The types of a family, the default for a new key first. */
export function typesOfFamily(family: Family): TypeName[] {
  return TYPE_NAMES.filter((type) => familyOf(type) === family);
}

/**
 * An encoded state (what `Replica.inspect` gives) as the panel shows it: decoded by its type, so
 * a shape the type would refuse is 'unreadable' rather than guessed at.
 */
export function describeState(type: TypeName, encoded: Json): StateDescription {
  const crdt = crdtType(type);
  let state: unknown;
  try {
    state = crdt.decode(encoded);
  } catch (error) {
    if (error instanceof InvalidInputError) return { kind: 'unreadable' };
    throw error;
  }
  return crdt.descriptor.describe(state);
}

export function operationSpec(type: AnyCrdtType, op: string): OperationSpec {
  for (const spec of type.operations) if (spec.name === op) return spec;
  const known = type.operations.map((o) => o.name).join(', ');
  throw new InvalidInputError(`unknown operation "${op}" for ${type.name}; its operations: ${known}`);
}

/**
 * Checks an operation's arguments against its declared shape, so that no caller (CLI, webview,
 * extension API, wire) can hand a type something it would misread. Throws InvalidInputError.
 */
export function validateOperation(type: AnyCrdtType, op: string, args: readonly Json[]): void {
  const spec = operationSpec(type, op);
  // Every argument may become an element or register value: what peers would refuse is refused here.
  for (let i = 0; i < args.length; i++) {
    const problem = valueProblem(args[i]);
    if (problem !== undefined) throw new InvalidInputError(`${type.name} ${op}: argument ${i + 1} is not accepted: ${problem}`);
  }
  validateArgumentCount(type, spec, args);
}

/**
 * The part of `validateOperation` after the values: how many arguments the operation takes, and
 * their kind. For a caller that has checked every argument as a value already.
 */
export function validateOperationShape(type: AnyCrdtType, op: string, args: readonly Json[]): void {
  validateArgumentCount(type, operationSpec(type, op), args);
}

function validateArgumentCount(type: AnyCrdtType, spec: OperationSpec, args: readonly Json[]): void {
  switch (spec.args.kind) {
    case 'none':
      if (args.length !== 0) throw new InvalidInputError(`${type.name} ${spec.name} takes no argument, got ${args.length}`);
      return;
    case 'oneValue':
      if (args.length !== 1) throw new InvalidInputError(`${type.name} ${spec.name} takes exactly one argument, got ${args.length}`);
      return;
    case 'values':
      if (args.length === 0) throw new InvalidInputError(`${type.name} ${spec.name} takes one or more arguments`);
      return;
    case 'optionalInteger': {
      if (args.length > 1) throw new InvalidInputError(`${type.name} ${spec.name} takes at most one argument, got ${args.length}`);
      if (args.length === 0) return;
      const n = args[0];
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
        throw new InvalidInputError(`${type.name} ${spec.name}: the amount must be an integer, got ${JSON.stringify(n)}`);
      }
      if (spec.args.positive && n <= 0) throw new InvalidInputError(`${type.name} ${spec.name}: the amount must be > 0, got ${n}`);
      return;
    }
  }
}
