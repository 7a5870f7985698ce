/**
 * Observability (issue 13): the `logger` option (pino-compatible) receives unexpected errors
 * unless `onError` is given, security failures at `warn` — code and refresh token replays, PKCE
 * failures, redirect mismatches — and other events at `debug`; the failures are typed events too
 * (`authorization.pkce_failed`, `authorization.redirect_mismatch`). Ids and reasons only: no
 * logged line and no event carries a token, code, secret or verifier.
 */
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger, ProviderEventMap } from '../../lib';
import { ViewRenderError } from '../../lib';
import { interceptAdapter } from '../support/adapters';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, pkcePair } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

interface Line {
  level: 'error' | 'warn' | 'info' | 'debug';
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: Line['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

let lines: Line[];
let secrets: string[];
let t: TestHost;

async function host(options: HostOptions = {}) {
  lines = [];
  secrets = [];
  t = await createTestHost({ logger: recordingLogger(lines), ...options });
  return t;
}

function warnings(event: string): Record<string, unknown>[] {
  return lines.filter((line) => line.level === 'warn' && line.message === event).map((line) => line.fields);
}

afterEach(() => {
  const logged = JSON.stringify(lines);
  for (const secret of secrets) expect(logged).not.toContain(secret);
});

describe('security failures, logged at warn and emitted as events', () => {
  it('a replayed authorization code (RFC 6749 §4.1.2) and a replayed refresh token', async () => {
    await host();
    const client = await t.registerApp();
    secrets.push(client.clientSecret ?? '');
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    secrets.push(tokens.code, tokens.accessToken, tokens.refreshToken);
    expect((await t.exchange({ client, code: tokens.code })).status).toBe(400);
    expect(warnings('code.reused')).toEqual([
      { event: 'code.reused', clientId: client.clientId, userId: 'alice' },
    ]);
    // A fresh grant's refresh token, rotated, then presented again.
    const fresh = await t.issueTokens({ client, scope: 'repo' });
    secrets.push(fresh.code, fresh.accessToken, fresh.refreshToken);
    const rotated = await t.refresh(client, fresh.refreshToken);
    secrets.push(String(rotated.body.access_token), String(rotated.body.refresh_token));
    expect((await t.refresh(client, fresh.refreshToken)).status).toBe(400);
    expect(warnings('refresh_token.reused')).toEqual([
      { event: 'refresh_token.reused', clientId: client.clientId, userId: 'alice' },
    ]);
  });

  it('PKCE failures at the authorization endpoint and the token endpoint (RFC 7636 §4.4.1, §4.6)', async () => {
    await host();
    const events: ProviderEventMap['authorization.pkce_failed'][] = [];
    t.provider.events.on('authorization.pkce_failed', (event) => events.push(event));
    const client = await t.registerApp({ confidential: false });
    const noChallenge = await openAuthorize(t.browser(), authorizeQuery({ client, pkce: null }));
    // A user's application: the page with the way back, not a redirect (RFC 9700 §4.11.2).
    expect(noChallenge.status).toBe(400);
    const pkce = pkcePair();
    secrets.push(pkce.verifier, pkce.challenge);
    const code = await t.authorize({ client, pkce });
    secrets.push(code);
    const wrong = await t.exchange({ client, code, verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    const missing = await t.exchange({ client, code: await t.authorize({ client, pkce }), verifier: null });
    expect(missing.status).toBe(400);
    expect(events.map(({ stage, reason }) => [stage, reason])).toEqual([
      ['authorize', 'missing_challenge'],
      ['token', 'verifier_mismatch'],
      ['token', 'missing_verifier'],
    ]);
    expect(events.map((event) => event.clientId)).toEqual([
      client.clientId,
      client.clientId,
      client.clientId,
    ]);
    expect(warnings('authorization.pkce_failed').map((fields) => fields.reason)).toEqual([
      'missing_challenge',
      'verifier_mismatch',
      'missing_verifier',
    ]);
  });

  it('a redirect_uri that matches no registered one, and one that is not the authorized one at the token endpoint', async () => {
    await host();
    const client = await t.registerApp({
      redirectUris: ['https://app.example/cb', 'https://app.example/other'],
    });
    const page = await openAuthorize(
      t.browser(),
      authorizeQuery({ client, redirectUri: 'https://evil.example/cb' }),
    );
    expect(page.status).toBe(400);
    const none = await openAuthorize(t.browser(), authorizeQuery({ client, redirectUri: null }));
    expect(none.status).toBe(400);
    const code = await t.authorize({ client, redirectUri: 'https://app.example/cb' });
    secrets.push(code);
    const exchanged = await t.exchange({ client, code, redirectUri: 'https://app.example/other' });
    expect(exchanged.status).toBe(400);
    expect(warnings('authorization.redirect_mismatch')).toEqual([
      {
        event: 'authorization.redirect_mismatch',
        clientId: client.clientId,
        stage: 'authorize',
        reason: 'not_registered',
      },
      {
        event: 'authorization.redirect_mismatch',
        clientId: client.clientId,
        stage: 'authorize',
        reason: 'missing',
      },
      {
        event: 'authorization.redirect_mismatch',
        clientId: client.clientId,
        stage: 'token',
        reason: 'not_the_authorized_one',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('evil.example');
  });

  it('a failed client authentication and the limit it runs into (client.authentication_failed, limit.exceeded)', async () => {
    await host({ limits: { failedClientAuthentications: { points: 2, durationSeconds: 60 } } });
    const client = await t.registerApp();
    secrets.push(client.clientSecret ?? '', 'eos_wrong_secret');
    const wrong = { ...client, clientSecret: 'eos_wrong_secret' };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await t.token(wrong, { grant_type: 'client_credentials' })).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect(warnings('client.authentication_failed')).toEqual([
      expect.objectContaining({ clientId: client.clientId, reason: 'invalid_secret' }),
      expect.objectContaining({ clientId: client.clientId, reason: 'invalid_secret' }),
      expect.objectContaining({ clientId: client.clientId, reason: 'invalid_secret' }),
    ]);
    expect(warnings('limit.exceeded')).toEqual([
      expect.objectContaining({ limit: 'client_authentication.failures', clientId: client.clientId }),
    ]);
    // The caller's address never reaches a log line (only its pseudonym does, in per-address limits).
    expect(JSON.stringify(lines)).not.toContain('127.0.0.1');
  });

  it('routine events go to debug, not warn', async () => {
    await host();
    const client = await t.registerApp();
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    secrets.push(tokens.code, tokens.accessToken, tokens.refreshToken, client.clientSecret ?? '');
    const debug = lines.filter((line) => line.level === 'debug').map((line) => line.message);
    expect(debug).toEqual(
      expect.arrayContaining(['application.created', 'authorization.granted', 'token.issued']),
    );
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});

describe('unexpected errors', () => {
  it('go to logger.error when the host gives no onError (here: a consent view that throws)', async () => {
    await host({ onError: undefined, views: { consent: () => Promise.reject(new Error('no template')) } });
    const client = await t.registerApp();
    expect((await openAuthorize(t.browser(), authorizeQuery({ client }))).status).toBe(500);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields.err).toBeInstanceOf(ViewRenderError);
  });

  it('by default only real errors reach the console (console.error), nothing else', async () => {
    const spies = (['error', 'warn', 'info', 'log', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation(() => {}),
    );
    try {
      lines = [];
      secrets = [];
      t = await createTestHost({ onError: undefined, views: { consent: () => '' } });
      const client = await t.registerApp();
      const tokens = await t.issueTokens({ client, scope: 'repo', extra: {} }).catch(() => null);
      expect(tokens).toBeNull();
      const [error, ...others] = spies;
      expect(error?.mock.calls.map((call) => String(call[0]))).toEqual([
        "[express-oauth-provider] ViewRenderError: express-oauth-provider: views.consent returned an empty string: a renderer must return the page's HTML (a string, or a promise of one)",
      ]);
      for (const spy of others) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('a client that goes away', () => {
  // Found under load (the bench's connections closing at the end of a round): a token request
  // whose client closed the connection while the tokens were being stored was logged as an
  // unexpected error, "No step of POST /oauth/token answered the request".
  it('is not an error: the tokens it asked for are issued and the event says so, nothing is logged at error', async () => {
    let releaseStorage: () => void = () => {};
    const clientGone = new Promise<void>((resolve) => {
      releaseStorage = resolve;
    });
    let signalBlocked: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      signalBlocked = resolve;
    });
    let armed = false;
    await host({
      onError: undefined,
      listen: true,
      beforeProvider: (app) =>
        app.use('/oauth/token', (_req, res, next) => {
          armed = true;
          res.once('close', releaseStorage);
          next();
        }),
      wrapAdapter: (adapter) =>
        interceptAdapter(adapter, async (_method, proceed) => {
          if (!armed) return proceed();
          armed = false;
          signalBlocked();
          await clientGone;
          return proceed();
        }),
    });
    const client = await t.registerApp();
    const issued = new Promise<ProviderEventMap['token.issued']>((resolve) =>
      t.provider.events.on('token.issued', resolve),
    );
    const url = new URL('/oauth/token', t.url ?? '');
    const outgoing = httpRequest(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret ?? ''}`).toString('base64')}`,
      },
    });
    outgoing.on('error', () => {});
    outgoing.end('grant_type=client_credentials');
    await blocked;
    outgoing.destroy();
    expect((await issued).clientId).toBe(client.clientId);
    // Whatever the chain does after the answer runs in this turn's promise jobs and the next turns.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect((await t.client.send('/.well-known/oauth-authorization-server')).status).toBe(200);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('pino', () => {
  it('is a logger as it is: its JSON lines carry the event and its ids', async () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    lines = [];
    secrets = [];
    t = await createTestHost({ logger: pino({ level: 'warn' }, destination) });
    const client = await t.registerApp();
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    secrets.push(tokens.code, tokens.accessToken, tokens.refreshToken, client.clientSecret ?? '');
    await t.exchange({ client, code: tokens.code });
    const parsed = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'code.reused',
        event: 'code.reused',
        clientId: client.clientId,
      }),
    ]);
    for (const secret of secrets) expect(written.join('')).not.toContain(secret);
  });
});
