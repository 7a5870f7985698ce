import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import { InvalidFieldError } from '../../errors/invalid-field-error';
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
import { postedSelection, tokenChoices } from './resource-forms';

const NOTICES: Readonly<Record<string, MessageKey>> = { revoked: 'tokens.notice.revoked' };

const DAY_SECONDS = 24 * 3600;

/** The label a field's messages start with on this page. */
const LABELS: Readonly<Record<string, MessageKey>> = {
  name: 'tokens.label.name',
  scopes: 'tokens.label.scopes',
  expiresIn: 'tokens.label.expiry',
  resources: 'tokens.label.resources',
};

/** A field's problem as the page shows it: after the field's label, in the page's language. */
function fieldProblem(t: Translator, field: string, problem: InvalidFieldError['problem']): string {
  const label = LABELS[field];
  return t.text('field.withLabel', {
    label: label === undefined ? field : t.text(label),
    problem: t.say(problem),
  });
}

/**
 * Checks the create form with the validator the JSON API and `personalTokens.create()` use
 * (`lib/validation/personal-token-input.ts`), reporting every field's problem at once. The
 * expiry is one of the page's choices, in days; the resources, per checked resource-scoped scope,
 * "all" or the checked ones (then an expiry is required).
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
      // Only scopes of the token as it is stored (normalised: `repo` stands for `repo:read` too).
      resources: postedSelection(
        form,
        registry,
        registry.normalize(scopes.filter((scope) => registry.has(scope))),
      ),
    },
    { scopes: registry },
  );
  if (!checked.ok) {
    for (const problem of checked.problems) {
      const control = problem.field === 'expiresIn' ? 'expiry' : problem.field;
      const chooseScope = problem.field === 'scopes' && scopes.length === 0;
      errors[control] ??= chooseScope
        ? t.text('tokens.problem.chooseScope')
        : fieldProblem(t, problem.field, problem.problem);
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
  const emptyForm: TokenFormValues = {
    name: '',
    scopes: [],
    expiry: DEFAULT_TOKEN_EXPIRY,
    resources: null,
  };
  const render = async (page: PageRequest, status: number, state: Partial<TokensViewData>) => {
    const scopes = scopesFor(page);
    const values = state.values ?? emptyForm;
    const full: TokensViewData = {
      frame: page.frame,
      tokens: await personalTokens.list(page.user.id),
      scopes,
      resourceChoices: await tokenChoices(
        options.scopes,
        page.user,
        scopes.map((scope) => scope.name),
        values.resources,
      ),
      values,
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
      const { form } = page;
      const values: TokenFormValues = {
        name: form.one('name') ?? '',
        scopes: form.all('scopes'),
        expiry: form.one('expiry') ?? DEFAULT_TOKEN_EXPIRY,
        resources: postedSelection(form, options.scopes, options.scopes.names),
      };
      const result = validateTokenForm(form, options.scopes, page.t);
      if (!result.ok) {
        await render(page, 400, { values, errors: result.errors });
        return;
      }
      const { name, scopes: granted, expiresIn, resources } = result.input;
      const restriction = resources ? { resources, owner: page.user } : null;
      try {
        const created = await personalTokens.create(page.user.id, name, granted, expiresIn, restriction);
        await render(page, 201, { created: { token: created.token, name } });
      } catch (error) {
        // A resource that is not the user's (a forged form): the form again, saying so.
        if (!(error instanceof InvalidFieldError) || error.field !== 'resources') throw error;
        await render(page, 400, {
          values,
          errors: { resources: fieldProblem(page.t, error.field, error.problem) },
        });
      }
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
