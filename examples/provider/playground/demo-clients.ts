import type { Provider } from '../../../lib';
import type { ClientKind, DemoClient } from './state';

const NAMES: Record<ClientKind, string> = {
  public: 'OAuth playground (public, PKCE)',
  confidential: 'OAuth playground (confidential)',
};

/** The redirect URI of every demo client: the playground's own callback, so the browser really returns. */
export function playgroundCallback(issuer: string): string {
  return `${issuer}/playground/callback`;
}

/**
 * The signed-in user's demo client of one kind, through the provider's public service API: the
 * one this session holds if it still exists, else one the user registered earlier (a confidential
 * one gets a new secret then, because its first was shown only once), else a new registration.
 * It lists no scopes, so it may ask for every declared scope, `ci:status` included.
 */
export async function demoClient(
  provider: Provider,
  issuer: string,
  userId: string,
  kind: ClientKind,
  held: DemoClient | undefined,
): Promise<DemoClient> {
  if (held !== undefined) {
    const app = await provider.applications.findOwned(held.applicationId, userId);
    if (app !== null) return held;
  }
  const redirectUri = playgroundCallback(issuer);
  const earlier = (await provider.applications.listOwned(userId)).find(
    (app) =>
      app.name === NAMES[kind] &&
      app.confidential === (kind === 'confidential') &&
      app.redirectUris.includes(redirectUri),
  );
  if (earlier !== undefined) {
    const clientSecret = kind === 'confidential' ? await provider.applications.resetSecret(earlier.id) : null;
    return {
      kind,
      applicationId: earlier.id,
      clientId: earlier.clientId,
      clientSecret,
      origin: kind === 'confidential' ? 'secret-reset' : 'reused',
    };
  }
  const { application, clientSecret } = await provider.applications.create(
    {
      name: NAMES[kind],
      homepageUrl: `${issuer}/playground`,
      redirectUris: [redirectUri],
      confidential: kind === 'confidential',
      scopes: [],
    },
    userId,
  );
  return {
    kind,
    applicationId: application.id,
    clientId: application.clientId,
    clientSecret,
    origin: 'registered',
  };
}
