/**
 * The hand-written reference of issue 17 (what its outside harness compared against): a minimal
 * token endpoint and guard written straight on Express, doing what ours must do at least —
 * read and parse the urlencoded body, check HTTP Basic credentials against a SHA-256 hash,
 * mint a random token and store its hash with an expiry, answer without caching; the guard
 * reads the Bearer header, hashes, looks the token up, checks expiry and scope. No contract
 * checks, no events, no limits, one client: the floor our figures are read against.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

interface Stored {
  expiresAt: number;
  scopes: string[];
}

/** Mounts `POST /handwritten/token` and `GET /handwritten/repos`; returns a token for the guard. */
export function mountHandwritten(app: Express, clientId: string, clientSecret: string): string {
  const secretHash = sha256(clientSecret);
  const tokens = new Map<string, Stored>();
  const issue = (scopes: string[]): string => {
    const token = randomBytes(32).toString('base64url');
    tokens.set(sha256(token).toString('hex'), { expiresAt: Date.now() + 7_200_000, scopes });
    return token;
  };
  app.post('/handwritten/token', (req: Request, res: Response) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const decoded = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const [id, secret = ''] = decoded.split(':');
      if (id !== clientId || !timingSafeEqual(sha256(secret), secretHash)) {
        res.status(401).json({ error: 'invalid_client' });
        return;
      }
      if (params.get('grant_type') !== 'client_credentials') {
        res.status(400).json({ error: 'unsupported_grant_type' });
        return;
      }
      const scope = params.get('scope') ?? '';
      res
        .set('Cache-Control', 'no-store')
        .json({ access_token: issue(scope.split(' ')), token_type: 'bearer', expires_in: 7200, scope });
    });
  });
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
    const stored = match?.[1] === undefined ? undefined : tokens.get(sha256(match[1]).toString('hex'));
    if (stored === undefined || stored.expiresAt <= Date.now()) {
      res.status(401).json({ error: 'invalid_token' });
      return;
    }
    if (!stored.scopes.includes('public_repo')) {
      res.status(403).json({ error: 'insufficient_scope' });
      return;
    }
    next();
  };
  app.get('/handwritten/repos', guard, (_req, res) => {
    res.json({ ok: true });
  });
  return issue(['public_repo']);
}
