import { createExampleClient } from '../../examples/client/app';
import { createExampleHost } from '../support/example-host';
import { login, registerViaApi } from '../support/flows';
import { hiddenFields } from '../support/html';
import { listen } from '../support/listen';
import { UserAgent } from '../support/user-agent';

/**
 * The newcomer's walk-through, end to end over real sockets: the example provider and the example
 * third-party client (passport-oauth2 with PKCE and state) each listen on a port; a user agent
 * signs in at the provider as alice, consents, and lands back at the client signed in.
 */
describe('end to end: passport-oauth2 client signs in with the example provider', () => {
  it.each([
    ['confidential', true],
    ['public (PKCE only)', false],
  ])('completes the flow for a %s client and reaches /api/user', async (_label, confidential) => {
    const provider = await createExampleHost({ listen: true });
    const providerUrl = provider.issuer;

    // The client's port must be in the registered callback: listen first, register, then serve.
    const clientServer = await listen();
    const callbackUrl = `${clientServer.url}/auth/provider/callback`;
    const admin = provider.browser();
    await login(admin);
    const registered = await registerViaApi(admin, {
      name: 'Example client',
      confidential,
      redirectUris: [callbackUrl],
    });
    expect(Boolean(registered.clientSecret)).toBe(confidential);
    clientServer.server.on(
      'request',
      createExampleClient({
        providerUrl,
        clientId: registered.clientId,
        clientSecret: registered.clientSecret ?? undefined,
        callbackUrl,
        scope: ['user', 'repo'],
      }),
    );

    const user = new UserAgent(clientServer.url);
    // 1. The client sends the user to the provider's authorize endpoint with PKCE and state.
    const start = await user.follow(`${clientServer.url}/auth/provider`);
    const authorizeUrl = new URL(start[0]?.location ?? '');
    expect(authorizeUrl.pathname).toBe('/oauth/authorize');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
    // 2. Not logged in at the provider: sent to its login page with a return address.
    const loginPage = start[start.length - 1];
    expect(loginPage?.url).toMatch(/\/login\?return_to=/);
    const returnTo = new URL(loginPage?.url ?? '').searchParams.get('return_to') ?? '';
    expect(returnTo.startsWith('/oauth/authorize?')).toBe(true);
    // 3. Logs in as alice and comes back to the consent page.
    const afterLogin = await user.follow(`${providerUrl}/login`, {
      form: { username: 'alice', password: 'alice-pass', return_to: returnTo },
    });
    const consent = afterLogin[afterLogin.length - 1];
    expect(consent?.status).toBe(200);
    expect(consent?.text).toContain('Example client');
    expect(consent?.text).toContain('Full control of your repositories');
    // 4. Approves: redirected to the client's callback with code, state and iss; the client
    //    exchanges the code over HTTP and calls /api/user with the token.
    const fields = hiddenFields(consent?.text ?? '');
    expect(fields.csrf_token).toBeTruthy();
    const approved = await user.follow(`${providerUrl}/oauth/authorize`, {
      form: { ...fields, decision: 'approve' },
    });
    const callback = new URL(approved[0]?.location ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(callbackUrl);
    expect(callback.searchParams.get('code')).toMatch(/^eoc_/);
    expect(callback.searchParams.get('iss')).toBe(providerUrl);
    expect(callback.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    const landing = approved[approved.length - 1];
    expect(landing?.text).toContain('Signed in as alice');
    const me = await user.send(`${clientServer.url}/me`);
    expect(me.json).toEqual({ id: '1', login: 'alice' });

    // 5. A second sign-in: a confidential client, already authorized for these scopes, skips the
    //    consent page; a public one cannot prove who it is, so alice sees the page again
    //    (RFC 8252 §8.6), the scopes she approved marked, and approves again.
    let again = await user.follow(`${clientServer.url}/auth/provider`);
    if (!confidential) {
      const shownAgain = again[again.length - 1];
      expect(shownAgain?.status).toBe(200);
      expect(shownAgain?.text).toContain('(approved before)');
      again = await user.follow(`${providerUrl}/oauth/authorize`, {
        form: { ...hiddenFields(shownAgain?.text ?? ''), decision: 'approve' },
      });
    }
    expect(again.some((hop) => hop.url.startsWith(`${clientServer.url}/auth/provider/callback?code=`))).toBe(
      true,
    );
    expect(again[again.length - 1]?.text).toContain('Signed in as alice');
  });
});
