import { InvalidInputError } from '../errors';
import { Json, valueProblem } from '../json';
import { counterPn } from './counterPn';
import { counterPnSb } from './counterPnSb';
import { AnyCrdtType, OperationSpec, TYPE_NAMES, TypeName } from './crdtType';
import { flagEw } from './flagEw';
import { registerMv } from './registerMv';
import { set2p } from './set2p';
import { setAw } from './setAw';

const registry: Record<TypeName, AnyCrdtType> = {
  counter_pn: counterPn as AnyCrdtType,
  counter_pn_sb: counterPnSb as AnyCrdtType,
  set_aw: setAw as AnyCrdtType,
  set_2p: set2p as AnyCrdtType,
  register_mv: registerMv as AnyCrdtType,
  flag_ew: flagEw as AnyCrdtType,
};

export function isTypeName(name: string): name is TypeName {
  return (TYPE_NAMES as readonly string[]).includes(name);
}

export function crdtType(name: string): AnyCrdtType {
  if (!isTypeName(name)) {
    throw new InvalidInputError(`unknown type "${name}"; known types: ${TYPE_NAMES.join(', ')}`);
  }
  return registry[name];
}

export function operationSpec(type: AnyCrdtType, op: string): OperationSpec {
  const spec = type.operations.find((o) => o.name === op);
  if (!spec) {
    const known = type.operations.map((o) => o.name).join(', ');
    throw new InvalidInputError(`unknown operation "${op}" for ${type.name}; its operations: ${known}`);
  }
  return spec;
}

/**
 * Checks an operation's arguments against its declared shape, so that no caller (CLI, webview,
 * extension API, wire) can hand a type something it would misread. Throws InvalidInputError.
 */
export function validateOperation(type: AnyCrdtType, op: string, args: readonly Json[]): void {
  const spec = operationSpec(type, op);
  const where = `${type.name} ${op}`;
  // Every argument may become an element or register value: what peers would refuse is refused here.
  args.forEach((arg, i) => {
    const problem = valueProblem(arg);
    if (problem !== undefined) throw new InvalidInputError(`${where}: argument ${i + 1} is not accepted: ${problem}`);
  });
  switch (spec.args.kind) {
    case 'none':
      if (args.length !== 0) throw new InvalidInputError(`${where} takes no argument, got ${args.length}`);
      return;
    case 'oneValue':
      if (args.length !== 1) throw new InvalidInputError(`${where} takes exactly one argument, got ${args.length}`);
      return;
    case 'values':
      if (args.length === 0) throw new InvalidInputError(`${where} takes one or more arguments`);
      return;
    case 'optionalInteger': {
      if (args.length > 1) throw new InvalidInputError(`${where} takes at most one argument, got ${args.length}`);
      if (args.length === 0) return;
      const n = args[0];
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
        throw new InvalidInputError(`${where}: the amount must be an integer, got ${JSON.stringify(n)}`);
      }
      if (spec.args.positive && n <= 0) throw new InvalidInputError(`${where}: the amount must be > 0, got ${n}`);
      return;
    }
  }
}

export { TYPE_NAMES };
export type { TypeName };
