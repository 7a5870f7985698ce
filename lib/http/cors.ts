import type { Request, Response } from 'express';

/**
 * CORS headers for the endpoints browser clients (PKCE SPAs) call directly: token, revocation,
 * device authorization. No cookies are involved, so no credentials are allowed.
 */
export function setCorsHeaders(req: Request, res: Response, origins: '*' | readonly string[]): void {
  const origin = req.headers.origin;
  if (origins === '*') {
    res.setHeader('Access-Control-Allow-Origin', '*');
  } else if (origin !== undefined && origins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.vary('Origin');
  }
}

/** Answers a CORS preflight (`OPTIONS`) for one of those POST endpoints. */
export function answerPreflight(req: Request, res: Response, origins: '*' | readonly string[]): void {
  setCorsHeaders(req, res, origins);
  res
    .set('Access-Control-Allow-Methods', 'POST, OPTIONS')
    .set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept')
    .set('Access-Control-Max-Age', '600')
    .status(204)
    .end();
}
