/** A command handler resolves with its result, or undefined when the user cancelled a prompt. */
export type Handler = (arg: unknown) => Promise<unknown>;

/** Thrown to end a command quietly because the user dismissed a prompt. */
export class Cancelled extends Error {}

export function given<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}
