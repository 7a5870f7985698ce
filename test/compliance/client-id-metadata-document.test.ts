/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, as the MCP
 * authorization spec uses them):
 * §3 a `client_id` that is an `https:` URL with a path names a JSON document describing the
 * client; §4 the authorization server fetches it, and it must carry `client_id` equal to the URL,
 * `client_name`, `redirect_uris` (the request's among them) and no secret (public clients only);
 * §4.2 it is cached per `Cache-Control` within the host's bounds; §5 the metadata says
 * `client_id_metadata_document_supported`; §6 the fetch must not become SSRF: https only, no
 * redirects, no loopback/private/link-local address after resolution (every address checked),
 * a deadline, a size cap, JSON only. Each refusal is the 400 page with `invalid_client` (the
 * redirect URI is not trusted yet) and a `registration.refused` event; never a 5xx or a hang.
 * The documents come from a local HTTPS server reached through the documented testing option.
 */
import type { ServerResponse } from 'node:http';
import type { ProviderEventMap } from '../../lib';
import { expectErrorPage } from '../support/assertions';
import {
  DOCUMENT_HOST,
  type DocumentServer,
  documentTesting,
  startDocumentServer,
} from '../support/document-server';
import { REDIRECT_URI } from '../support/fixtures';
import { consentPage, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, locationParams, pkcePair } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

let documents: DocumentServer;

beforeAll(async () => {
  documents = await startDocumentServer();
});

const DOCUMENT_PATH = '/oauth/client.json';

function clientDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: documents.url(DOCUMENT_PATH),
    client_name: 'Document client',
    client_uri: `https://${DOCUMENT_HOST}`,
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    ...overrides,
  };
}

function host(
  documentsOption: HostOptions['clientMetadataDocuments'] = {
    enabled: true,
    testing: documentTesting(),
  },
): Promise<TestHost> {
  return createTestHost({ clientMetadataDocuments: documentsOption });
}

function refusals(t: TestHost): ProviderEventMap['registration.refused'][] {
  const seen: ProviderEventMap['registration.refused'][] = [];
  t.provider.events.on('registration.refused', (event) => seen.push(event));
  return seen;
}

/** The authorization request of the document client at `clientId`. */
function authorizeAs(
  t: TestHost,
  clientId = documents.url(DOCUMENT_PATH),
  extra: Record<string, string> = {},
) {
  const pkce = pkcePair();
  const query = {
    ...authorizeQuery({ client: { clientId, clientSecret: null }, scope: 'repo' }, pkce),
    ...extra,
  };
  return { pkce, query, answer: () => openAuthorize(t.browser(), query) };
}

describe('§5: advertised only when accepted', () => {
  it('off by default: no client_id_metadata_document_supported, and a URL client_id is an unknown client', async () => {
    const t = await createTestHost();
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.client_id_metadata_document_supported).toBeUndefined();
    const path = '/never-fetched.json';
    documents.json(path, clientDocument({ client_id: documents.url(path) }));
    expectErrorPage(await authorizeAs(t, documents.url(path)).answer(), 'invalid_client');
    expect(documents.hits.get(path) ?? 0).toBe(0);
  });

  it('enabled: the metadata says so', async () => {
    const t = await host();
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.client_id_metadata_document_supported).toBe(true);
  });
});

describe('§3–4: a document client signs in', () => {
  it('fetched, shown as unverified with its host, approved, exchanged and refreshed', async () => {
    documents.json(DOCUMENT_PATH, clientDocument());
    const t = await host();
    const { pkce, query } = authorizeAs(t);
    const browser = t.browser();
    const { page, fields } = await consentPage(browser, query);
    expect(page.text).toContain('Document client');
    expect(page.text).toContain('Registered by the application itself');
    expect(page.text).toContain('Unverified');
    expect(page.text).toContain(DOCUMENT_HOST);
    const decided = await postDecision(browser, fields, 'approve');
    const code = locationParams(decided).get('code');
    expect(code).toEqual(expect.any(String));
    const client = { clientId: documents.url(DOCUMENT_PATH), clientSecret: null };
    const tokens = await t.exchange({ client, code: String(code), verifier: pkce.verifier, auth: 'none' });
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    const refreshed = await t.refresh(client, String(tokens.body.refresh_token), {}, 'none');
    expect(refreshed.status).toBe(200);
    const stored = await t.provider.applications.findByClientId(client.clientId);
    expect(stored).toMatchObject({ trust: 'dynamic', confidential: false, name: 'Document client' });
  });

  it('§4.2: cached for its Cache-Control lifetime within the bounds, then fetched again', async () => {
    const path = '/cached.json';
    documents.json(path, clientDocument({ client_id: documents.url(path) }), {
      'cache-control': 'max-age=3600',
    });
    const t = await host({ enabled: true, testing: documentTesting() });
    for (let i = 0; i < 3; i += 1)
      expect((await authorizeAs(t, documents.url(path)).answer()).status).toBe(200);
    expect(documents.hits.get(path)).toBe(1);

    const fresh = '/uncached.json';
    documents.json(fresh, clientDocument({ client_id: documents.url(fresh) }), {
      'cache-control': 'no-store',
    });
    const strict = await host({
      enabled: true,
      cacheSeconds: { min: 0, max: 60 },
      testing: documentTesting(),
    });
    expect((await authorizeAs(strict, documents.url(fresh)).answer()).status).toBe(200);
    documents.json(fresh, clientDocument({ client_id: documents.url(fresh), client_name: 'Renamed' }));
    const again = await authorizeAs(strict, documents.url(fresh)).answer();
    expect(again.text).toContain('Renamed');
    expect(documents.hits.get(fresh)).toBe(2);
  });

  it('the request redirect_uri must be among the document redirect_uris (400 page, never a redirect)', async () => {
    documents.json(DOCUMENT_PATH, clientDocument());
    const t = await host();
    const answer = await authorizeAs(t, undefined, {
      redirect_uri: 'https://evil.example/callback',
    }).answer();
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
  });

  it('the host allow hook may refuse a URL (invalid_client, reason not_allowed)', async () => {
    documents.json(DOCUMENT_PATH, clientDocument());
    const t = await host({
      enabled: true,
      allow: (url) => url.hostname === 'trusted.example',
      testing: documentTesting(),
    });
    const seen = refusals(t);
    expectErrorPage(await authorizeAs(t).answer(), 'invalid_client');
    expect(seen).toEqual([expect.objectContaining({ via: 'metadata_document', reason: 'not_allowed' })]);
  });
});

/** A route that answers with `write` (status, headers, body as the test wants). */
function serve(path: string, write: (res: ServerResponse) => void): string {
  documents.route(path, (_req, res) => write(res));
  return documents.url(path);
}

describe('§4.1: documents that do not describe a usable client', () => {
  it.each<[string, (url: string) => Record<string, unknown>, string]>([
    [
      'client_id differs from the URL',
      () => clientDocument({ client_id: 'https://other.example/c.json' }),
      'client_id',
    ],
    [
      'no client_name',
      (url) => ({ ...clientDocument({ client_id: url }), client_name: undefined }),
      'client_name',
    ],
    [
      'no redirect_uris',
      (url) => ({ ...clientDocument({ client_id: url }), redirect_uris: undefined }),
      'redirect_uris',
    ],
    ['a secret', (url) => clientDocument({ client_id: url, client_secret: 's3cret' }), 'client_secret'],
    [
      'a confidential auth method',
      (url) => clientDocument({ client_id: url, token_endpoint_auth_method: 'client_secret_basic' }),
      'token_endpoint_auth_method',
    ],
    [
      'a javascript: redirect URI',
      (url) => clientDocument({ client_id: url, redirect_uris: ['javascript:x'] }),
      'redirect_uris[0]',
    ],
  ])('%s → invalid_client, field named in the event', async (label, make, field) => {
    const path = `/invalid-${label.replace(/\W+/g, '-')}.json`;
    documents.json(path, make(documents.url(path)));
    const t = await host();
    const seen = refusals(t);
    expectErrorPage(await authorizeAs(t, documents.url(path)).answer(), 'invalid_client');
    expect(seen).toEqual([
      { via: 'metadata_document', clientId: documents.url(path), field, reason: 'invalid_document' },
    ]);
  });
});

describe('§6: the fetch cannot be turned against the provider (SSRF) nor stall it', () => {
  async function refusedFor(url: string, reason: string, options?: HostOptions['clientMetadataDocuments']) {
    const t = await host(options);
    const seen = refusals(t);
    const answer = await authorizeAs(t, url).answer();
    expectErrorPage(answer, 'invalid_client');
    expect(seen).toEqual([expect.objectContaining({ via: 'metadata_document', reason, field: null })]);
  }

  it('not JSON (content type) → content_type', async () => {
    await refusedFor(
      serve('/text.json', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>')),
      'content_type',
    );
  });

  it('broken JSON → json', async () => {
    await refusedFor(
      serve('/broken.json', (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":'),
      ),
      'json',
    );
  });

  it('larger than 5 KiB, declared or streamed without a length → too_large', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(6000) });
    await refusedFor(
      serve('/big.json', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(big)),
      'too_large',
    );
    await refusedFor(
      serve('/streamed.json', (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 8; i += 1) res.write('x'.repeat(1024));
        res.end();
      }),
      'too_large',
    );
  });

  it('a redirect is never followed → redirect', async () => {
    documents.json('/target.json', clientDocument({ client_id: documents.url('/moved.json') }));
    await refusedFor(
      serve('/moved.json', (res) => res.writeHead(302, { location: documents.url('/target.json') }).end()),
      'redirect',
    );
    expect(documents.hits.get('/target.json') ?? 0).toBe(0);
  });

  it('not found → status', async () => {
    await refusedFor(documents.url('/missing.json'), 'status');
  });

  it('a document that never comes → timeout, within the deadline', async () => {
    const url = serve('/slow.json', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
    });
    const started = Date.now();
    await refusedFor(url, 'timeout', {
      enabled: true,
      testing: documentTesting(undefined, { timeoutMs: 300 }),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it.each([
    ['private (RFC 1918)', ['10.0.0.1']],
    ['cloud metadata (link-local)', ['169.254.169.254']],
    ['CGNAT', ['100.64.0.1']],
    ['unique local IPv6', ['fd00::1']],
    ['IPv4-mapped private', ['::ffff:10.0.0.1']],
    ['one public, one private', ['93.184.215.14', '192.168.1.1']],
    ['unspecified', ['0.0.0.0']],
  ])('a name resolving to a %s address → address (never connected)', async (label, addresses) => {
    const path = `/private-${label.replace(/\W+/g, '-')}.json`;
    documents.json(path, clientDocument({ client_id: documents.url(path) }));
    await refusedFor(documents.url(path), 'address', {
      enabled: true,
      testing: documentTesting({ [DOCUMENT_HOST]: addresses }),
    });
    expect(documents.hits.get(path) ?? 0).toBe(0);
  });

  it('loopback is refused by default: the testing CA alone does not let 127.0.0.1 through', async () => {
    documents.json(DOCUMENT_PATH, clientDocument());
    await refusedFor(documents.url(DOCUMENT_PATH), 'address', {
      enabled: true,
      testing: documentTesting(undefined, { allowLoopback: false }),
    });
  });

  it('a name that does not resolve → dns', async () => {
    await refusedFor(`https://nowhere.${DOCUMENT_HOST}/c.json`, 'dns');
  });

  it('a certificate the provider does not trust (no testing CA) → network', async () => {
    documents.json(DOCUMENT_PATH, clientDocument());
    const { ca: _ca, ...withoutCa } = documentTesting();
    await refusedFor(documents.url(DOCUMENT_PATH), 'network', { enabled: true, testing: withoutCa });
  });

  it('plain http is not a document URL (an unknown client), unless the local-development option', async () => {
    const t = await host();
    const seen = refusals(t);
    expectErrorPage(
      await authorizeAs(t, `http://127.0.0.1:${documents.port}/c.json`).answer(),
      'invalid_client',
    );
    expect(seen).toEqual([]);
  });

  it('fetches are limited per address (documentFetchesPerAddress): past it 429', async () => {
    const t = await createTestHost({
      clientMetadataDocuments: { enabled: true, testing: documentTesting() },
      limits: { documentFetchesPerAddress: { points: 2, durationSeconds: 600 } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const path = `/limited-${i}.json`;
      documents.json(path, clientDocument({ client_id: documents.url(path) }));
      statuses.push((await authorizeAs(t, documents.url(path)).answer()).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
