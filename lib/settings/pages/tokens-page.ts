import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import type { FormFields } from '../../http/read-form';
import { routeParameter } from '../../http/route-parameter';
import type { ProviderContext } from '../../provider-context';
import { sendPage } from '../../respond/page';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import { problemOf } from '../../validation/fields';
import { checkPersonalTokenInput, type PersonalTokenInput } from '../../validation/personal-token-input';
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

/** The label a field's messages start with on this page. */
const LABELS: Readonly<Record<string, string>> = { name: 'Name', scopes: 'Scopes', expiresIn: 'Expiration' };

/**
 * Checks the create form with the validator the JSON API and `personalTokens.create()` use
 * (`lib/validation/personal-token-input.ts`), reporting every field's problem at once. The
 * expiry is one of the page's choices, in days.
 */
function validateTokenForm(
  form: FormFields,
  registry: ScopeRegistry,
): { ok: true; input: PersonalTokenInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const expiry = form.one('expiry') ?? '';
  const knownExpiry = TOKEN_EXPIRY_CHOICES.some((choice) => choice.value === expiry);
  if (!knownExpiry) errors.expiry = 'Choose one of the expiration periods';
  const scopes = form.all('scopes');
  const checked = checkPersonalTokenInput(
    {
      name: form.one('name'),
      scopes,
      expiresIn: !knownExpiry || expiry === 'never' ? null : Number(expiry) * DAY_SECONDS,
    },
    { scopes: registry },
  );
  if (!checked.ok) {
    for (const problem of checked.problems) {
      const control = problem.field === 'expiresIn' ? 'expiry' : problem.field;
      const chooseScope = problem.field === 'scopes' && scopes.length === 0;
      errors[control] ??= chooseScope
        ? 'Choose at least one scope'
        : `${LABELS[problem.field] ?? problem.field} ${problemOf(problem)}`;
    }
  }
  if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: checked.value };
}

/**
 * The personal access tokens page: the list (never a secret), the create form (the new token shown
 * once, in the `POST` answer only) and a revoke button per token.
 */
export function mountTokensPage(router: Router, provider: ProviderContext): void {
  const { options, personalTokens } = provider;
  const scopes = options.scopes.names
    .filter((name) => options.scopes.heldBy(name, 'user'))
    .map((name) => ({ name, description: options.scopes.describe(name) }));
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
