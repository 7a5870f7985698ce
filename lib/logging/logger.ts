/**
 * Where the provider writes what happened: pino-compatible (`logger.warn({ …fields }, 'message')`),
 * so `logger: pino()` works as it is, and so does any object with these methods. Fields are ids
 * and reasons, never a secret.
 */
export interface Logger {
  /** Unexpected errors and storage failures (the default `onError`). */
  error(fields: Record<string, unknown>, message: string): void;
  /** Security-relevant failures: replays, PKCE failures, redirect mismatches, refused registrations. */
  warn(fields: Record<string, unknown>, message: string): void;
  /** Notable events that are not failures. */
  info(fields: Record<string, unknown>, message: string): void;
  /** Routine work: every other provider event, purge runs. Optional. */
  debug?(fields: Record<string, unknown>, message: string): void;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const ignore = (): void => {};

/**
 * The default: quiet, except real errors, which go to `console.error` as one line (the error's
 * name and message; its `cause` too, e.g. what a host's view threw).
 */
export const DEFAULT_LOGGER: Logger = {
  error(fields, message) {
    const error = fields.err;
    const cause =
      error instanceof Error && error.cause !== undefined ? ` (cause: ${describeError(error.cause)})` : '';
    console.error(`[express-oauth-provider] ${error === undefined ? message : describeError(error)}${cause}`);
  },
  warn: ignore,
  info: ignore,
  debug: ignore,
};

/** `onError` when the host gives none: the error to `logger.error`, under pino's `err` key. */
export function logErrorsTo(logger: Logger): (error: unknown) => void {
  return (error) => logger.error({ err: error }, 'express-oauth-provider: unexpected error');
}
