import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import { InvalidFieldError } from '../../errors/invalid-field-error';
import type { FormFields } from '../../http/read-form';
import { routeParameter } from '../../http/route-parameter';
import type { ProviderContext } from '../../provider-context';
import { sendPage } from '../../respond/page';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import { requireScopes, requireText } from '../../services/application-input';
import type { FieldErrors } from '../../views/form-fields';
import {
  DEFAULT_TOKEN_EXPIRY,
  renderTokensPage,
  TOKEN_EXPIRY_CHOICES,
  type TokenFormValues,
  type TokensPageState,
} from '../../views/tokens-view';
import { noticeFrom, type PageRequest, pageRoute, redirectAfterPost } from './page-context';

const NOTICES: Readonly<Record<string, string>> = {
  revoked: 'Token revoked. It no longer works.',
};

const DAY_SECONDS = 24 * 3600;

interface TokenInput {
  name: string;
  scopes: string[];
  /** Seconds, or `null` for a token that never expires. */
  expiresIn: number | null;
}

/** Validates the create form; every field's problem at once. */
function validateTokenForm(
  form: FormFields,
  registry: ScopeRegistry,
): { ok: true; input: TokenInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let name = '';
  let scopes: string[] = [];
  try {
    name = requireText('name', form.one('name'), 100);
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    errors.name = `Name ${error.description.slice('name '.length)}`;
  }
  try {
    scopes = registry.normalize(requireScopes('scopes', form.all('scopes'), registry));
    if (scopes.length === 0) errors.scopes = 'Choose at least one scope';
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    errors.scopes = `Scopes ${error.description.slice('scopes '.length)}`;
  }
  const expiry = form.one('expiry') ?? '';
  if (!TOKEN_EXPIRY_CHOICES.some((choice) => choice.value === expiry))
    errors.expiry = 'Choose one of the expiration periods';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: { name, scopes, expiresIn: expiry === 'never' ? null : Number(expiry) * DAY_SECONDS },
  };
}

/**
 * The personal access tokens page: the list (never a secret), the create form (the new token shown
 * once, in the `POST` answer only) and a revoke button per token.
 */
export function mountTokensPage(router: Router, provider: ProviderContext): void {
  const { options, personalTokens } = provider;
  const scopes = options.scopes.names.map((name) => ({ name, description: options.scopes.describe(name) }));
  const emptyForm: TokenFormValues = { name: '', scopes: [], expiry: DEFAULT_TOKEN_EXPIRY };
  const render = async (page: PageRequest, status: number, state: Partial<TokensPageState>) => {
    const full: TokensPageState = {
      tokens: await personalTokens.list(page.user.id),
      scopes,
      values: state.values ?? emptyForm,
      errors: state.errors ?? {},
      notice: state.notice ?? null,
      created: state.created ?? null,
    };
    sendPage(page.res, status, renderTokensPage(page.frame, full));
  };

  router.get(
    '/tokens',
    pageRoute(provider, 'tokens', async (page) => {
      await render(page, 200, { notice: noticeFrom(page.req, NOTICES) });
    }),
  );

  router.post(
    '/tokens',
    pageRoute(provider, 'tokens', async (page) => {
      const result = validateTokenForm(page.form, options.scopes);
      if (!result.ok) {
        const values = {
          name: page.form.one('name') ?? '',
          scopes: page.form.all('scopes'),
          expiry: page.form.one('expiry') ?? DEFAULT_TOKEN_EXPIRY,
        };
        await render(page, 400, { values, errors: result.errors });
        return;
      }
      const { name, scopes: granted, expiresIn } = result.input;
      const created = await personalTokens.create(page.user.id, name, granted, expiresIn);
      await render(page, 201, { created: { token: created.token, name } });
    }),
  );

  router.post(
    '/tokens/:id/revoke',
    pageRoute(provider, 'tokens', async (page) => {
      if (!(await personalTokens.revoke(page.user.id, routeParameter(page.req, 'id')))) {
        throw new NotFoundError('This token does not exist, or it is not yours.');
      }
      redirectAfterPost(page, '/tokens', 'revoked');
    }),
  );
}
