import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createExampleClient } from '../../examples/client/app';
import { createExampleProvider } from '../../examples/provider/app';
import { CookieWalker, hiddenFields } from '../support/cookie-walker';

/**
 * The newcomer's walk-through, end to end over real sockets: the example provider and the example
 * third-party client (passport-oauth2 with PKCE and state) each listen on a port; a user agent
 * signs in at the provider as alice, consents, and lands back at the client signed in.
 */
function listen(app: Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

async function startProvider(): Promise<{ server: Server; url: string }> {
  // The issuer must be known before listening; reserve a port first, then start on it.
  const probe = await listen(createExampleProvider({ issuer: 'http://127.0.0.1' }).app);
  const port = new URL(probe.url).port;
  await new Promise((resolve) => probe.server.close(resolve));
  const issuer = `http://127.0.0.1:${port}`;
  const { app } = createExampleProvider({ issuer });
  return new Promise((resolve) => {
    const server = app.listen(Number(port), '127.0.0.1', () => resolve({ server, url: issuer }));
  });
}

describe('end to end: passport-oauth2 client signs in with the example provider', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function registerApplication(
    providerUrl: string,
    walker: CookieWalker,
    callbackUrl: string,
    confidential: boolean,
  ) {
    const response = await fetch(`${providerUrl}/settings/api/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: await sessionCookie(walker, providerUrl) },
      body: JSON.stringify({
        name: 'Example client',
        homepage_url: 'https://client.example',
        redirect_uris: [callbackUrl],
        confidential,
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { client_id: string; client_secret?: string };
  }

  async function sessionCookie(walker: CookieWalker, providerUrl: string): Promise<string> {
    const hops = await walker.follow(`${providerUrl}/login`, {
      form: { username: 'alice', password: 'alice-pass' },
    });
    expect(hops[0]?.status).toBe(302);
    const jar = Reflect.get(walker, 'jars') as Map<string, Map<string, string>>;
    return [...(jar.get(providerUrl) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  it.each([
    ['confidential', true],
    ['public (PKCE only)', false],
  ])('completes the flow for a %s client and reaches /api/user', async (_label, confidential) => {
    const provider = await startProvider();
    servers.push(provider.server);
    const admin = new CookieWalker();

    // The client's port must be in the registered callback, so start it after registering.
    const clientProbe = await listen(
      createExampleClient({ providerUrl: provider.url, clientId: 'x', callbackUrl: 'http://x' }),
    );
    const clientPort = new URL(clientProbe.url).port;
    await new Promise((resolve) => clientProbe.server.close(resolve));
    const callbackUrl = `http://127.0.0.1:${clientPort}/auth/provider/callback`;
    const registered = await registerApplication(provider.url, admin, callbackUrl, confidential);
    expect(Boolean(registered.client_secret)).toBe(confidential);

    const clientApp = createExampleClient({
      providerUrl: provider.url,
      clientId: registered.client_id,
      clientSecret: registered.client_secret,
      callbackUrl,
      scope: ['user', 'repo'],
    });
    const client = await new Promise<{ server: Server; url: string }>((resolve) => {
      const server = clientApp.listen(Number(clientPort), '127.0.0.1', () =>
        resolve({ server, url: `http://127.0.0.1:${clientPort}` }),
      );
    });
    servers.push(client.server);

    const user = new CookieWalker();
    // 1. The client sends the user to the provider's authorize endpoint with PKCE and state.
    const start = await user.follow(`${client.url}/auth/provider`);
    const authorizeUrl = new URL(start[0]?.location ?? '');
    expect(authorizeUrl.pathname).toBe('/oauth/authorize');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
    // 2. Not logged in at the provider: sent to its login page with a return address.
    const login = start[start.length - 1];
    expect(login?.url).toMatch(/\/login\?return_to=/);
    const returnTo = new URL(login?.url ?? '').searchParams.get('return_to') ?? '';
    expect(returnTo.startsWith('/oauth/authorize?')).toBe(true);
    // 3. Logs in as alice and comes back to the consent page.
    const afterLogin = await user.follow(`${provider.url}/login`, {
      form: { username: 'alice', password: 'alice-pass', return_to: returnTo },
    });
    const consent = afterLogin[afterLogin.length - 1];
    expect(consent?.status).toBe(200);
    expect(consent?.body).toContain('Example client');
    expect(consent?.body).toContain('Full control of your repositories');
    // 4. Approves: redirected to the client's callback with code, state and iss; the client
    //    exchanges the code over HTTP and calls /api/user with the token.
    const fields = hiddenFields(consent?.body ?? '');
    expect(fields.csrf_token).toBeTruthy();
    const approved = await user.follow(`${provider.url}/oauth/authorize`, {
      form: { ...fields, decision: 'approve' },
    });
    const callback = new URL(approved[0]?.location ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(callbackUrl);
    expect(callback.searchParams.get('code')).toMatch(/^eoc_/);
    expect(callback.searchParams.get('iss')).toBe(provider.url);
    expect(callback.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    const landing = approved[approved.length - 1];
    expect(landing?.body).toContain('Signed in as alice');
    const me = await user.request(`${client.url}/me`);
    expect(JSON.parse(me.body)).toEqual({ id: '1', login: 'alice' });

    // 5. A second sign-in skips consent: the app is already authorized for these scopes.
    const again = await user.follow(`${client.url}/auth/provider`);
    expect(again.some((hop) => hop.url.startsWith(`${client.url}/auth/provider/callback?code=`))).toBe(true);
    expect(again[again.length - 1]?.body).toContain('Signed in as alice');
  });
});
