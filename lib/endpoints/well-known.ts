import { type NextFunction, type Request, type Response, Router } from 'express';
import type { ProviderContext } from '../provider-context';
import { chain, type Step } from './chain';
import type { EndpointCall } from './endpoint-call';
import { answerJson } from './error-styles';

/** Metadata documents are read by browser-based MCP clients too, which send this header. */
const ALLOWED_HEADERS = 'Authorization, MCP-Protocol-Version';

/**
 * The CORS preflight of a public metadata document: GET from any origin, no credentials, with
 * the MCP client's `MCP-Protocol-Version` header allowed.
 */
export function answerMetadataPreflight({ res }: EndpointCall): void {
  res
    .set('Access-Control-Allow-Origin', '*')
    .set('Access-Control-Allow-Methods', 'GET, OPTIONS')
    .set('Access-Control-Allow-Headers', ALLOWED_HEADERS)
    .set('Access-Control-Max-Age', '600')
    .status(204)
    .end();
}

/** One public document at an exact path. */
export interface WellKnownDocument {
  readonly path: string;
  readonly steps: readonly Step[];
}

/**
 * A router serving documents at exact paths (GET and HEAD, plus their CORS preflight). Paths
 * are compared as strings, not as Express route patterns: a path derived from an issuer or a
 * resource identifier may hold characters a pattern would read as syntax.
 */
export function wellKnownRouter(provider: ProviderContext, documents: readonly WellKnownDocument[]): Router {
  const router = Router();
  const handlers = new Map(
    documents.map(({ path, steps }) => {
      const get = chain(provider, `GET ${path}`, steps, answerJson);
      const options = chain(provider, `OPTIONS ${path}`, [answerMetadataPreflight], answerJson);
      return [path, { get, options }] as const;
    }),
  );
  router.use(function serveWellKnown(req: Request, res: Response, next: NextFunction): void {
    const found = handlers.get(req.path);
    if (found !== undefined && (req.method === 'GET' || req.method === 'HEAD')) found.get(req, res, next);
    else if (found !== undefined && req.method === 'OPTIONS') found.options(req, res, next);
    else next();
  });
  return router;
}
