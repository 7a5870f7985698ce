import type { Request, Response } from 'express';
import type { TokenGrant } from '../grants/registry';
import type { Parameters } from '../http/parse-body';
import { FormFields } from '../http/read-form';
import type { ConsentResourceChoice, ResourceOwner } from '../options/provider-options';
import type { ProviderContext } from '../provider-context';
import type { RedirectTarget } from '../respond/redirect';
import type { PendingDevice } from '../services/device-service';
import type { IssuedTokens } from '../services/token-service';
import type { ApplicationRecord, GrantRecord, ResourceSelection } from '../storage/storage-adapter';
import type { AdminFrame, SettingsFrame } from '../views/settings-layout';
import type { AuthorizationRequest, VerifiedClient } from './authorization-request';

/** What `showConsent` shows: who asks, for which scopes, and the fields the form posts back. */
export interface ConsentRequest {
  client: ApplicationRecord;
  scopes: readonly string[];
  /** Where the browser goes after the decision; `null` for a device (RFC 8628), which polls. */
  redirectUri: string | null;
  /** The device flow's user code, to compare with the device's screen (RFC 8628 §5.4); else `null`. */
  userCode: string | null;
  /** Scopes the user approved before (a public client sees the page anyway); shown as such. */
  rememberedScopes: readonly string[];
  /** The "all or only these" choices of the request's resource-scoped scopes. */
  resourceChoices?: ConsentResourceChoice[];
  /** Hidden fields besides the CSRF token, which `showConsent` adds. */
  fields: Record<string, string>;
  /** Where the form posts. */
  action: string;
  /**
   * What its CSRF token is bound to (`consentBinding`): the authorization page's client, redirect
   * URI, scopes and response type. Absent, the token is the browser-and-user one (the device page).
   */
  csrfBinding?: string;
}

function unknownYet(what: string): never {
  throw new Error(`${what} is not known yet: the step that finds it has not run (check the route's steps)`);
}

const NO_PARAMETERS: Parameters = Object.freeze(Object.create(null));

/**
 * The state of one request to one of our routes, filled in by its steps in order (what
 * node-oidc-provider keeps in `ctx.oidc`). A step that needs something an earlier step finds
 * reads it through a getter, which throws if the route forgot that step: a wiring bug, never a
 * client's fault.
 */
export class EndpointCall {
  /** The OAuth parameters: the query of `GET /authorize`, the body of every POST. */
  params: Parameters = NO_PARAMETERS;
  /** An HTML form's fields, repeats allowed (settings pages). */
  form: FormFields = FormFields.empty();
  /**
   * The verified redirect URI of an authorization request, once known. Until then errors are
   * shown as a page; from then on redirectable ones go back to the client (RFC 6749 §4.1.2.1).
   */
  redirect: RedirectTarget | null = null;
  /**
   * The resources the user approved at consent (`null`: all); `undefined` when consent was
   * skipped, and the tokens inherit the grant's.
   */
  approvedSelection: ResourceSelection | null | undefined = undefined;
  /** Navigation and CSRF token of a settings page, once the user is known (for its error page). */
  frame: SettingsFrame | null = null;
  /**
   * The user has decided on the consent page (RFC 9700 §4.11.2): from here on, authorization
   * errors go back to the client whatever its trust, as RFC 6749 §4.1.2.1 has them.
   */
  userDecided = false;
  /** Scopes the user approved for this client before, for the consent page to mark. */
  rememberedScopes: readonly string[] = [];
  /** Navigation and CSRF token of an admin page, once the administrator is known. */
  adminFrame: AdminFrame | null = null;

  #client: ApplicationRecord | undefined;
  #user: ResourceOwner | undefined;
  #verifiedClient: VerifiedClient | undefined;
  #authorization: AuthorizationRequest | undefined;
  #grant: GrantRecord | undefined;
  #consent: ConsentRequest | undefined;
  #grantType: TokenGrant | undefined;
  #issued: IssuedTokens | undefined;
  #device: PendingDevice | undefined;

  constructor(
    readonly req: Request,
    readonly res: Response,
    readonly provider: ProviderContext,
  ) {}

  /** The authenticated client (token-style endpoints) or the verified one (authorization). */
  get client(): ApplicationRecord {
    return this.#client ?? unknownYet('The client');
  }
  set client(client: ApplicationRecord) {
    this.#client = client;
  }

  /** The client once known (the authorization error style asks before any step may have found it). */
  clientOrNull(): ApplicationRecord | null {
    return this.#client ?? null;
  }

  /** The host's logged-in user. */
  get user(): ResourceOwner {
    return this.#user ?? unknownYet('The user');
  }
  set user(user: ResourceOwner) {
    this.#user = user;
  }

  /** The authorization request's client and redirect URI, verified (RFC 6749 §4.1.2.1). */
  get verifiedClient(): VerifiedClient {
    return this.#verifiedClient ?? unknownYet('The verified client');
  }
  set verifiedClient(verified: VerifiedClient) {
    this.#verifiedClient = verified;
  }

  /** The validated authorization request. */
  get authorization(): AuthorizationRequest {
    return this.#authorization ?? unknownYet('The authorization request');
  }
  set authorization(request: AuthorizationRequest) {
    this.#authorization = request;
  }

  /** The user's grant the authorization answer is issued under. */
  get grant(): GrantRecord {
    return this.#grant ?? unknownYet('The grant');
  }
  set grant(grant: GrantRecord) {
    this.#grant = grant;
  }

  /** What the consent page is about to show. */
  get consent(): ConsentRequest {
    return this.#consent ?? unknownYet('The consent request');
  }
  set consent(consent: ConsentRequest) {
    this.#consent = consent;
  }

  /** The token request's grant type. */
  get grantType(): TokenGrant {
    return this.#grantType ?? unknownYet('The grant type');
  }
  set grantType(grantType: TokenGrant) {
    this.#grantType = grantType;
  }

  /** The tokens a grant issued, for the answer. */
  get issued(): IssuedTokens {
    return this.#issued ?? unknownYet('The issued tokens');
  }
  set issued(issued: IssuedTokens) {
    this.#issued = issued;
  }

  /** The device authorization a user's code names (RFC 8628 §3.3). */
  get device(): PendingDevice {
    return this.#device ?? unknownYet('The device authorization');
  }
  set device(device: PendingDevice) {
    this.#device = device;
  }

  /** The CSRF token a form posted: in the parameters (consent, device) or the form (settings). */
  postedCsrfToken(): string | undefined {
    return this.form.one('csrf_token') ?? this.params.csrf_token;
  }
}
