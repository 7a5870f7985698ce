import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { ProviderContext } from '../provider-context';
import { EndpointCall } from './endpoint-call';

/** One named step of an endpoint; it may answer the request, which ends the chain. */
export type Step = (call: EndpointCall) => void | Promise<void>;

/** How a route turns a thrown error into an answer (JSON, bearer challenge, redirect, page). */
export type ErrorStyle = (error: unknown, call: EndpointCall) => void | Promise<void>;

/** One entry of a route table: the protocol's steps in order, and how its errors are answered. */
export interface Route {
  readonly method: 'get' | 'post' | 'patch' | 'delete' | 'options';
  /** The full path, base path included. */
  readonly path: string;
  /** Names the handler, so stack traces and `router.stack` say which endpoint it is. */
  readonly name: string;
  readonly errors: ErrorStyle;
  readonly steps: readonly Step[];
}

const METHODS: ReadonlySet<string> = new Set<Route['method']>(['get', 'post', 'patch', 'delete', 'options']);

function isMethod(method: string): method is Route['method'] {
  return METHODS.has(method);
}

/**
 * Route table entries that answer errors one way, written `'POST /oauth/token': [steps…]` (as
 * node-oidc-provider's `initialize_app.js` names each route's error handler beside its steps).
 */
export function answering(errors: ErrorStyle, table: Readonly<Record<string, readonly Step[]>>): Route[] {
  return Object.entries(table).map(([name, steps]) => {
    const [verb = '', path = ''] = name.split(' ');
    const method = verb.toLowerCase();
    if (!isMethod(method) || !path.startsWith('/')) throw new Error(`Not a route: "${name}"`);
    return { method, path, name, errors, steps };
  });
}

/**
 * The step before every endpoint's own: the provider has started (its configured clients are
 * stored, so no request meets a configured client's old secret). Free once it has.
 */
function awaitStart(call: EndpointCall): Promise<void> | undefined {
  return call.provider.whenStarted();
}

/**
 * A step answered once it has ended the response. `headersSent` alone is not enough: when the
 * client has gone away (it closed the connection while we worked), Node writes nothing to the
 * destroyed socket and `headersSent` stays false, though the step did answer.
 */
function answered({ res }: EndpointCall): boolean {
  return res.headersSent || res.writableEnded;
}

async function runSteps(call: EndpointCall, steps: readonly Step[]): Promise<void> {
  const started = awaitStart(call);
  if (started !== undefined) await started;
  for (const step of steps) {
    const pending = step(call);
    if (pending !== undefined) await pending;
    if (answered(call)) return;
  }
  throw new Error(`No step of ${call.req.method} ${call.req.path} answered the request`);
}

/**
 * Runs a route's steps one after the other until one answers. A single Express handler that
 * catches its own rejections, so Express 4 (which ignores rejected promises) and Express 5 behave
 * alike; a thrown error goes to the route's error style, and only what that cannot answer (the
 * response already started) goes on to Express.
 */
export function chain(
  provider: ProviderContext,
  name: string,
  steps: readonly Step[],
  errors: ErrorStyle,
): RequestHandler {
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    const call = new EndpointCall(req, res, provider);
    runSteps(call, steps).then(undefined, async (error: unknown) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      try {
        await errors(error, call);
      } catch (failure) {
        next(failure);
      }
    });
  };
  Object.defineProperty(handler, 'name', { value: name });
  return handler;
}

/** Mounts a route table on a router, in table order. */
export function mountRoutes(router: Router, provider: ProviderContext, routes: readonly Route[]): void {
  for (const { method, path, name, steps, errors } of routes) {
    router[method](path, chain(provider, name, steps, errors));
  }
}
