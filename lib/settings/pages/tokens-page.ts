import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import type { FormFields } from '../../http/read-form';
import { routeParameter } from '../../http/route-parameter';
import { type MessageKey, message } from '../../messages/catalog';
import type { Translator } from '../../messages/translator';
import type { ProviderContext } from '../../provider-context';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import { checkPersonalTokenInput, type PersonalTokenInput } from '../../validation/personal-token-input';
import type { FieldErrors } from '../../views/form-fields';
import {
  DEFAULT_TOKEN_EXPIRY,
  TOKEN_EXPIRY_CHOICES,
  type TokenFormValues,
  type TokensViewData,
} from '../../views/tokens-view';
import { noticeFrom, type PageRequest, pageRoute, redirectAfterPost } from './page-context';

const NOTICES: Readonly<Record<string, MessageKey>> = { revoked: 'tokens.notice.revoked' };

const DAY_SECONDS = 24 * 3600;

/** The label a field's messages start with on this page. */
const LABELS: Readonly<Record<string, MessageKey>> = {
  name: 'tokens.label.name',
  scopes: 'tokens.label.scopes',
  expiresIn: 'tokens.label.expiry',
};

/**
 * Checks the create form with the validator the JSON API and `personalTokens.create()` use
 * (`lib/validation/personal-token-input.ts`), reporting every field's problem at once. The
 * expiry is one of the page's choices, in days.
 */
function validateTokenForm(
  form: FormFields,
  registry: ScopeRegistry,
  t: Translator,
): { ok: true; input: PersonalTokenInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const expiry = form.one('expiry') ?? '';
  const knownExpiry = TOKEN_EXPIRY_CHOICES.includes(expiry);
  if (!knownExpiry) errors.expiry = t.text('tokens.problem.expiry');
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
      const label = LABELS[problem.field];
      errors[control] ??= chooseScope
        ? t.text('tokens.problem.chooseScope')
        : t.text('field.withLabel', {
            label: label === undefined ? problem.field : t.text(label),
            problem: t.say(problem.problem),
          });
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
  // A personal token is a user's token: only user-held scopes are offered (RFC 9700 §4.15).
  const scopesFor = (page: PageRequest) =>
    options.scopes.names
      .filter((name) => options.scopes.heldBy(name, 'user'))
      .map((name) => ({
        name,
        description: page.t.scope(name, options.scopes.describe(name)),
      }));
  const emptyForm: TokenFormValues = { name: '', scopes: [], expiry: DEFAULT_TOKEN_EXPIRY };
  const render = async (page: PageRequest, status: number, state: Partial<TokensViewData>) => {
    const full: TokensViewData = {
      frame: page.frame,
      tokens: await personalTokens.list(page.user.id),
      scopes: scopesFor(page),
      values: state.values ?? emptyForm,
      errors: state.errors ?? {},
      notice: state.notice ?? null,
      created: state.created ?? null,
    };
    await page.show('tokens', full, status);
  };

  router.get(
    '/tokens',
    pageRoute(provider, 'tokens', async (page) => {
      await render(page, 200, { notice: noticeFrom(page.req, page.t, NOTICES) });
    }),
  );

  router.post(
    '/tokens',
    pageRoute(provider, 'tokens', async (page) => {
      const result = validateTokenForm(page.form, options.scopes, page.t);
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
        throw new NotFoundError(message('problem.noSuchToken'));
      }
      redirectAfterPost(page, '/tokens', 'revoked');
    }),
  );
}
