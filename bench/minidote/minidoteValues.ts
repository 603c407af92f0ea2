import { Json } from '../../src/core/json';
import { Replica } from '../../src/core/replica';
import { BenchValues, emptyValues } from '../values';

function strings(value: Json, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`minidote ${what}: expected a list of strings, got ${JSON.stringify(value)}`);
  return value as string[];
}

/** The replica's objects in the shape shared by every system (bench/values.ts). */
export function minidoteValues(replica: Replica): BenchValues {
  const values = emptyValues();
  for (const key of replica.listObjects()) {
    const value = replica.value(key);
    switch (key.type) {
      case 'counter_pn':
        if (typeof value !== 'number') throw new Error(`minidote counter ${key.key}: ${JSON.stringify(value)}`);
        values.counters[key.key] = value;
        break;
      case 'set_aw':
        values.sets[key.key] = strings(value, `set ${key.key}`);
        break;
      case 'register_mv':
        values.registers[key.key] = strings(value, `register ${key.key}`);
        break;
      case 'flag_ew':
        if (typeof value !== 'boolean') throw new Error(`minidote flag ${key.key}: ${JSON.stringify(value)}`);
        values.flags[key.key] = value;
        break;
      default:
        throw new Error(`minidote: the bench writes no ${key.type} objects (${key.key})`);
    }
  }
  return values;
}
