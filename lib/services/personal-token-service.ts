import { LimitExceededError } from '../errors/http-error';
import { InvalidFieldError } from '../errors/invalid-field-error';
import type { ProviderEvents } from '../events/provider-events';
import { message } from '../messages/catalog';
import type { ResourceOwner } from '../options/provider-options';
import { expandSelection } from '../scopes/resource-access';
import { firstUnowned } from '../scopes/resource-ownership';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ResourceSelection, StorageAdapter, TokenRecord } from '../storage/storage-adapter';
import { isLive } from '../tokens/redeem';
import { orThrow } from '../validation/fields';
import { checkPersonalTokenInput } from '../validation/personal-token-input';
import type { TokenService } from './token-service';

/** Personal access tokens: a user's own tokens for scripts, shown once, listed without secret. */
export class PersonalTokenService {
  constructor(
    private readonly storage: StorageAdapter,
    private readonly tokens: TokenService,
    private readonly events: ProviderEvents,
    private readonly scopes: ScopeRegistry,
    /** `limits.personalTokensPerUser`; `null`: no cap. */
    private readonly cap: number | null = null,
  ) {}

  /**
   * Creates a token; `expiresIn` in seconds (60 to 366 days), `null` for a token that never
   * expires. Checked as the settings API checks it: an `InvalidFieldError` names the field (`name`,
   * `scopes`: at least one declared scope, `expiresIn`); the scopes are stored normalised.
   */
  async create(
    userId: string,
    name: string,
    scopes: string[],
    expiresIn: number | null,
    /**
     * Fine-grained: the only resources it may touch per resource-scoped scope (then `expiresIn`
     * is required); each must be one of the user's (the host's `list`, asked as `owner`).
     */
    restriction: { resources: ResourceSelection; owner?: ResourceOwner } | null = null,
  ): Promise<{ record: TokenRecord; token: string }> {
    const input = orThrow(
      checkPersonalTokenInput(
        { name, scopes, expiresIn, resources: restriction?.resources },
        { scopes: this.scopes },
      ),
    );
    // `limits.personalTokensPerUser`, checked before each creation (concurrent ones may pass it by their number).
    if (this.cap !== null && (await this.list(userId)).length >= this.cap) {
      this.events.emit('limit.exceeded', {
        limit: 'personal_tokens.user',
        keyKind: 'user',
        clientId: null,
        userId,
        address: null,
      });
      throw new LimitExceededError(message('problem.personalTokenCap', { max: this.cap }));
    }
    const resourceSelection = input.resources ?? null;
    const owner = restriction?.owner ?? { id: userId };
    for (const [scope, ids] of Object.entries(resourceSelection ?? {})) {
      const type = this.scopes.resourceTypeFor(scope);
      const unowned = type === null ? null : await firstUnowned(type, owner, ids);
      if (unowned !== null) {
        throw new InvalidFieldError('resources', message('problem.unknownResource'));
      }
    }
    const { secret, record } = this.tokens.mint(
      'personal',
      {
        applicationId: null,
        userId,
        grantId: null,
        familyId: null,
        scopes: input.scopes,
        // Restricting a scope restricts the scopes it includes the same way (`repo` → `repo:read`).
        resourceSelection: expandSelection(this.scopes, input.scopes, resourceSelection),
      },
      input.expiresIn,
      new Date(),
      { name: input.name },
    );
    await this.storage.insertToken(record);
    return { record, token: secret };
  }

  /** The user's live personal tokens, oldest first. */
  async list(userId: string): Promise<TokenRecord[]> {
    const now = new Date();
    return (await this.storage.listTokens({ kind: 'personal', userId })).filter((record) =>
      isLive(record, now),
    );
  }

  /** Revokes one of the user's tokens; `false` if it is not theirs or does not exist. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const count = await this.storage.revokeTokens({ id, kind: 'personal', userId }, new Date());
    if (count === 0) return false;
    this.events.emit('token.revoked', { reason: 'personal_token', clientId: null, userId, count });
    return true;
  }
}
