/**
 * Typed errors. Each kind maps to one CLI exit code (docs/architecture.md, "CLI contract"): bad input → 2, a well-formed
 * operation the type refuses → 1, unavailable (timeouts, connections, auth) → 3.
 */
export type ErrorKind = 'invalid' | 'rejected' | 'unavailable' | 'storage' | 'protocol' | 'unknown';

export class MinidoteError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed input: unknown type or operation, wrong argument, malformed clock. Nothing changed. */
export class InvalidInputError extends MinidoteError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** A well-formed operation that the CRDT type refuses in the current state (e.g. set_2p re-add). */
export class RejectedOperationError extends MinidoteError {
  constructor(message: string) {
    super('rejected', message);
  }
}

/** The replica could not answer in time or could not be reached. */
export class UnavailableError extends MinidoteError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/**
 * The operation may or may not have taken effect: its record was applied (and may have been
 * replicated) but could not be made durable. Retrying blindly could apply it twice: read first.
 */
export class OutcomeUnknownError extends MinidoteError {
  constructor(message: string) {
    super('unknown', `outcome unknown: ${message}`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
