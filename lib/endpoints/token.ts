import { randomUUID } from 'node:crypto';
import { InvalidRequestError, UnsupportedGrantTypeError } from '../errors/oauth-error';
import { emitTokensIssued } from '../events/token-events';
import type { GrantRequest } from '../grants/grant-type';
import type { Parameters } from '../http/parse-body';
import { sendTokenResponse } from '../respond/token-response';
import { machineTokenFamily } from '../tokens/token-cap';
import type { EndpointCall } from './endpoint-call';

/**
 * The steps of `POST /oauth/token` (RFC 6749 §3.2) after the shared opening: the grant type is
 * looked up before the client authenticates (an unknown one is `unsupported_grant_type` whoever
 * asks), then the grant runs and the tokens are answered.
 */

/** RFC 6749 §5.2: `grant_type` must name an enabled grant the token endpoint serves. */
export function findGrantType(call: EndpointCall): void {
  const name = call.params.grant_type;
  if (name === undefined || name === '') throw new InvalidRequestError('Missing parameter: grant_type');
  const grantType = call.provider.grantTypes.tokenGrant(name);
  if (grantType === null) throw new UnsupportedGrantTypeError(`Unsupported grant_type: ${name.slice(0, 64)}`);
  call.grantType = grantType;
}

/** Only the parameters the grant declared reach its handler (as node-oidc-provider strips the rest). */
function declaredParameters(params: Parameters, names: readonly string[]): Parameters {
  const picked: Parameters = Object.create(null);
  for (const name of names) {
    const value = params[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** Runs the grant's handler for the authenticated client. */
export async function runGrant(call: EndpointCall): Promise<void> {
  const { provider, client, grantType } = call;
  const now = new Date();
  const withRefresh = provider.grantTypes.issuesRefreshTokens(grantType, provider.options);
  const request: GrantRequest = {
    client,
    params: declaredParameters(call.params, grantType.parameters),
    now,
    provider,
    issue: (subject) => {
      const grantId = subject.grantId ?? null;
      // Tokens with a refresh token and no grant start a family, so revoking or replaying the
      // refresh token ends all of them (RFC 7009 §2.1, RFC 9700 §4.14.2).
      // User-less ones without a refresh token (client_credentials) share one family per scope
      // set, so the cap on them finds them by an index.
      const scopes = [...subject.scopes];
      const resourceSelection = subject.resourceSelection ?? null;
      const familyId =
        subject.familyId ??
        (grantId === null && withRefresh
          ? randomUUID()
          : subject.userId === null
            ? machineTokenFamily(client.id, scopes)
            : null);
      const audience = subject.audience ?? [];
      return provider.tokens.issueTokens(
        {
          applicationId: client.id,
          userId: subject.userId,
          grantId,
          familyId,
          scopes,
          audience,
          resourceSelection,
        },
        withRefresh,
        now,
        { audience: subject.refreshAudience ?? audience },
      );
    },
  };
  call.issued = await grantType.handler(request);
}

/**
 * What one client may pile up for one user and scope set is capped (`limits.tokensPerScopeSet`):
 * the oldest beyond it are revoked, after the grant has won.
 */
export async function capIssuedTokens({ provider, client, issued }: EndpointCall): Promise<void> {
  const count = await provider.tokens.capIssued(issued.records);
  if (count > 0) {
    const userId = issued.records[0]?.userId ?? null;
    provider.events.emit('token.revoked', { reason: 'token_cap', clientId: client.clientId, userId, count });
  }
}

/** RFC 6749 §5.1: the tokens, JSON or form-encoded as the client's `Accept` prefers; an event. */
export function sendTokens(call: EndpointCall): void {
  const { req, res, provider, client, grantType, issued } = call;
  emitTokensIssued(provider.events, grantType.name, client.clientId, issued);
  sendTokenResponse(req, res, issued);
}
