import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express 4 does not catch rejected promises from handlers (Express 5 does); wrapping every async
 * handler keeps both versions on the same error path.
 */
export function asyncHandler(
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>,
): RequestHandler {
  const named = (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res, next).catch(next);
  };
  Object.defineProperty(named, 'name', { value: handler.name });
  return named;
}
