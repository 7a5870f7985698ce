import type { Request, RequestHandler, Response } from 'express';

/** Sets CORS headers for endpoints browser clients (PKCE SPAs) call directly. No cookies are involved. */
export function allowCors(origins: '*' | readonly string[]): (req: Request, res: Response) => void {
  return function setCorsHeaders(req, res) {
    const origin = req.headers.origin;
    if (origins === '*') {
      res.set('Access-Control-Allow-Origin', '*');
    } else if (origin !== undefined && origins.includes(origin)) {
      res.set('Access-Control-Allow-Origin', origin).set('Vary', 'Origin');
    }
  };
}

/** Answers a CORS preflight (`OPTIONS`) for a POST endpoint. */
export function corsPreflight(origins: '*' | readonly string[]): RequestHandler {
  const setHeaders = allowCors(origins);
  return function answerPreflight(req, res) {
    setHeaders(req, res);
    res
      .set('Access-Control-Allow-Methods', 'POST, OPTIONS')
      .set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept')
      .set('Access-Control-Max-Age', '600')
      .status(204)
      .end();
  };
}
