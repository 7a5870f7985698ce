/**
 * A local HTTPS server for client metadata documents (draft-ietf-oauth-client-id-metadata-
 * document), with a self-signed certificate made for the test by Debian's `openssl` (for the
 * name `client.test` and 127.0.0.1). The provider trusts it only through the documented testing
 * option `clientMetadataDocuments.testing` ({@link documentTesting}): its `ca`, `allowLoopback`
 * and a resolver that maps the test names to addresses (never real DNS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientMetadataDocumentTesting } from '../../lib';
import { listenOnLoopback } from './listen';

/** The host name the test documents are served under; {@link documentTesting}'s resolver maps it. */
export const DOCUMENT_HOST = 'client.test';

export interface Certificate {
  key: string;
  cert: string;
}

let made: Certificate | null = null;

/** A self-signed certificate for `client.test`, `*.client.test` and 127.0.0.1 (made once per file). */
export function testCertificate(): Certificate {
  if (made !== null) return made;
  const directory = mkdtempSync(join(tmpdir(), 'document-cert-'));
  try {
    const key = join(directory, 'key.pem');
    const cert = join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${DOCUMENT_HOST}`,
        '-addext',
        `subjectAltName=DNS:${DOCUMENT_HOST},DNS:*.${DOCUMENT_HOST},IP:127.0.0.1`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    made = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    return made;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export type DocumentHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DocumentServer {
  server: Server;
  port: number;
  /** `https://client.test:<port><path>` */
  url(path: string): string;
  /** Serves `handler` at `path` (replacing what was there). */
  route(path: string, handler: DocumentHandler): void;
  /** Serves `body` as JSON at `path`, with extra headers. */
  json(path: string, body: unknown, headers?: Record<string, string>): void;
  /** How many requests each path got. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 with the test certificate, closed after the test (or file). */
export async function startDocumentServer(): Promise<DocumentServer> {
  const routes = new Map<string, DocumentHandler>();
  const hits = new Map<string, number>();
  const server = createServer(testCertificate(), (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    server,
    port,
    hits,
    url: (path) => `https://${DOCUMENT_HOST}:${port}${path}`,
    route: (path, handler) => routes.set(path, handler),
    json(path, body, headers = {}) {
      routes.set(path, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      });
    },
    close,
  };
}

/**
 * The testing option that lets the fetcher reach the document server: its CA, loopback allowed,
 * and a resolver from test names to addresses (default: `client.test` → 127.0.0.1).
 */
export function documentTesting(
  names: Record<string, readonly string[]> = { [DOCUMENT_HOST]: ['127.0.0.1'] },
  extra: Partial<ClientMetadataDocumentTesting> = {},
): ClientMetadataDocumentTesting {
  return {
    ca: testCertificate().cert,
    allowLoopback: true,
    resolve: async (hostname) => {
      const addresses = names[hostname];
      if (addresses === undefined) throw new Error(`ENOTFOUND ${hostname}`);
      return addresses;
    },
    ...extra,
  };
}
