import type { Router } from 'express';
import { ManagedApplicationError, NotFoundError } from '../../errors/http-error';
import { routeParameter } from '../../http/route-parameter';
import type { MessageKey } from '../../messages/catalog';
import { message } from '../../messages/catalog';
import type { ProviderContext } from '../../provider-context';
import type { ApplicationRecord } from '../../storage/storage-adapter';
import {
  type ApplicationFormValues,
  applicationFormValues,
  type ScopeChoice,
} from '../../views/applications-view';
import type { FieldErrors } from '../../views/form-fields';
import { applicationValuesFromForm, validateApplicationForm } from './application-form';
import { noticeFrom, type PageRequest, pageRoute, redirectAfterPost } from './page-context';

const NOTICES: Readonly<Record<string, MessageKey>> = {
  deleted: 'applications.notice.deleted',
  updated: 'applications.notice.updated',
  'tokens-revoked': 'applications.notice.tokensRevoked',
};

const EMPTY_FORM: ApplicationFormValues = {
  name: '',
  homepageUrl: '',
  redirectUris: '',
  confidential: true,
  scopes: [],
};

/**
 * The applications pages: list, register (the secret shown once in the `POST` answer), show and
 * edit, reset the secret (shown once again), revoke every token, delete. Only the owner sees an
 * application; anyone else gets the same 404 as for an id that does not exist.
 */
export function mountApplicationPages(router: Router, provider: ProviderContext): void {
  const { options, applications } = provider;
  const scopesFor = (page: PageRequest): ScopeChoice[] =>
    options.scopes.names.map((name) => ({
      name,
      description: page.t.scope(name, options.scopes.describe(name)),
    }));
  const rules = { scopes: options.scopes, allowHttpRedirectUris: options.allowHttpRedirectUris };
  const route = (handler: (page: PageRequest) => Promise<void>) =>
    pageRoute(provider, 'applications', handler);

  const owned = async (page: PageRequest): Promise<ApplicationRecord> => {
    const application = await applications.findOwned(routeParameter(page.req, 'id'), page.user.id);
    if (application === null) throw new NotFoundError(message('problem.noSuchApplication'));
    return application;
  };
  // Only what a user registered here changes here: host-managed applications are read-only.
  const editable = async (page: PageRequest): Promise<ApplicationRecord> => {
    const application = await owned(page);
    if (application.trust !== 'user') throw new ManagedApplicationError();
    return application;
  };
  const show = (
    page: PageRequest,
    status: number,
    application: ApplicationRecord,
    extra: {
      secret?: string | null;
      justCreated?: boolean;
      values?: ApplicationFormValues;
      errors?: FieldErrors;
    },
  ) => {
    const state = {
      secret: extra.secret ?? null,
      justCreated: extra.justCreated ?? false,
      notice: status === 200 && extra.secret === undefined ? noticeFrom(page.req, page.t, NOTICES) : null,
      values: extra.values ?? applicationFormValues(application),
      errors: extra.errors ?? {},
    };
    return page.show(
      'applicationShow',
      { ...state, frame: page.frame, application, scopes: scopesFor(page) },
      status,
    );
  };

  router.get(
    '/applications',
    route(async (page) => {
      const list = await applications.listOwned(page.user.id);
      await page.show('applicationList', {
        frame: page.frame,
        applications: list,
        notice: noticeFrom(page.req, page.t, NOTICES),
      });
    }),
  );

  router.get(
    '/applications/new',
    route(async (page) => {
      await page.show('applicationNew', {
        frame: page.frame,
        scopes: scopesFor(page),
        values: EMPTY_FORM,
        errors: {},
      });
    }),
  );

  // The secret exists only in this answer: rendered here, never put in a URL or a redirect.
  router.post(
    '/applications',
    route(async (page) => {
      const result = validateApplicationForm(page.form, rules, page.t);
      if (!result.ok) {
        const values = applicationValuesFromForm(page.form);
        const data = { frame: page.frame, scopes: scopesFor(page), values, errors: result.errors };
        await page.show('applicationNew', data, 400);
        return;
      }
      const created = await applications.create(result.input, page.user.id);
      await show(page, 201, created.application, { secret: created.clientSecret, justCreated: true });
    }),
  );

  router.get(
    '/applications/:id',
    route(async (page) => {
      await show(page, 200, await owned(page), {});
    }),
  );

  router.post(
    '/applications/:id',
    route(async (page) => {
      const application = await editable(page);
      const result = validateApplicationForm(page.form, rules, page.t, application.confidential);
      if (!result.ok) {
        const values = applicationValuesFromForm(page.form, application.confidential);
        await show(page, 400, application, { values, errors: result.errors });
        return;
      }
      const { name, homepageUrl, redirectUris, scopes: allowed } = result.input;
      if (
        (await applications.update(application.id, { name, homepageUrl, redirectUris, scopes: allowed })) ===
        null
      ) {
        throw new NotFoundError(message('problem.noSuchApplication'));
      }
      redirectAfterPost(page, `/applications/${application.id}`, 'updated');
    }),
  );

  router.post(
    '/applications/:id/reset-secret',
    route(async (page) => {
      const application = await editable(page);
      if (!application.confidential) throw new NotFoundError(message('problem.noSecretToReset'));
      const secret = await applications.resetSecret(application.id);
      if (secret === null) throw new NotFoundError(message('problem.noSuchApplication'));
      await show(page, 200, application, { secret });
    }),
  );

  router.post(
    '/applications/:id/revoke-tokens',
    route(async (page) => {
      const application = await editable(page);
      await applications.revokeAllTokens(application.id);
      redirectAfterPost(page, `/applications/${application.id}`, 'tokens-revoked');
    }),
  );

  router.post(
    '/applications/:id/delete',
    route(async (page) => {
      await applications.delete((await editable(page)).id);
      redirectAfterPost(page, '/applications', 'deleted');
    }),
  );
}
