import type { Translator } from '../../messages/translator';
import type { ConsentPageData } from '../../options/provider-options';
import type { ProviderContext } from '../../provider-context';
import { withoutBidiControls } from '../../views/bidi';
import { safeHref } from '../../views/layout';
import type { ConsentRequest } from '../endpoint-call';

/**
 * Where a redirect URI sends the browser, as a person reads it: its host (`client.example`, with
 * a port if it has one), or a native app's private-use scheme (`com.example.app`).
 */
export function redirectHostOf(redirectUri: string): string {
  try {
    const url = new URL(redirectUri);
    return url.host !== '' ? url.host : url.protocol.replace(/:$/, '');
  } catch {
    return redirectUri;
  }
}

/** Who registered a `user` application, by the host's name for them (`findUser`), else their id. */
async function registrantName(provider: ProviderContext, ownerId: string | null): Promise<string | null> {
  if (ownerId === null) return null;
  const owner = provider.options.findUser ? await provider.options.findUser(ownerId) : null;
  const name = typeof owner?.username === 'string' && owner.username !== '' ? owner.username : ownerId;
  return withoutBidiControls(name);
}

/**
 * What the consent page needs for the user to judge the request (RFC 6749 §10.2, RFC 8628 §5.4):
 * who registered the application and whether anyone vetted it, where the browser will be sent,
 * the scopes (marking those approved before), and for a device the user code to compare.
 */
export async function describeConsent(
  provider: ProviderContext,
  consent: ConsentRequest,
  t: Translator,
): Promise<Omit<ConsentPageData, 'user' | 'fields' | 'action'>> {
  const { client } = consent;
  const { options } = provider;
  const remembered = new Set(consent.rememberedScopes);
  return {
    application: {
      name: withoutBidiControls(client.name),
      homepageUrl: client.homepageUrl,
      homepageHref: safeHref(client.homepageUrl),
      clientId: client.clientId,
      trust: client.trust,
      verified: client.trust === 'first-party' || client.trust === 'host',
      registeredBy: client.trust === 'user' ? await registrantName(provider, client.ownerId) : null,
    },
    site: new URL(options.issuer).host,
    redirectHost: consent.redirectUri === null ? null : redirectHostOf(consent.redirectUri),
    userCode: consent.userCode,
    scopes: consent.scopes.map((name) => ({
      name,
      description: t.scope(name, options.scopes.describe(name)),
      remembered: remembered.has(name),
    })),
    resourceChoices: consent.resourceChoices ?? [],
  };
}
