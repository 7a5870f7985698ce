/**
 * Unit tests of code that reads an Express request (body parsing, client credentials, CSRF, bearer
 * tokens) without a provider: one real request, sent over a loopback socket to a bare Express app
 * whose only handler runs the code under test, so `req` and `res` are the real objects and
 * nothing is mocked.
 */
import express, { type Express, type Request, type Response } from 'express';
import { listen } from './listen';

/** What the code under test did with the request: its result, or the error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Serves `run` (after `prepare`, e.g. a host's body parser), lets `send` make one request to the
 * server's URL, and returns what `run` returned or threw. The response is whatever `run` sent, or
 * an empty 204.
 */
export async function onRequest<T>(
  run: (req: Request, res: Response) => T | Promise<T>,
  send: (url: string) => Promise<unknown>,
  prepare: (app: Express) => void = () => {},
): Promise<Outcome<T>> {
  let outcome: Outcome<T> | null = null;
  const app = express();
  prepare(app);
  app.use(async (req, res) => {
    try {
      outcome = { ok: true, value: await run(req, res) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (!res.headersSent) res.status(204).end();
  });
  const server = await listen(app);
  try {
    await send(server.url);
  } finally {
    await server.close();
  }
  if (outcome === null) throw new Error('the request never reached the handler');
  return outcome;
}

/** The value of an outcome; fails the test if the code threw. */
export function resultOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected a result, the code threw ${String(outcome.error)}`);
  return outcome.value;
}

/** The error of an outcome; fails the test if the code returned. */
export function thrownBy<T>(outcome: Outcome<T>): unknown {
  if (outcome.ok) throw new Error(`expected an error, the code returned ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}
