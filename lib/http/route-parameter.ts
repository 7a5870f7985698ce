import type { Request } from 'express';

/** A route parameter as a string (Express 5's types allow arrays); `''` when absent. */
export function routeParameter(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}
