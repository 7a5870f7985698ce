import type { Router } from 'express';
import { ManagedApplicationError, NotFoundError } from '../../errors/http-error';
import { routeParameter } from '../../http/route-parameter';
import type { ProviderContext } from '../../provider-context';
import { sendPage } from '../../respond/page';
import type { ApplicationRecord } from '../../storage/storage-adapter';
import {
  type ApplicationFormValues,
  applicationFormValues,
  renderApplicationList,
  renderApplicationShow,
  renderNewApplication,
  type ScopeChoice,
} from '../../views/applications-view';
import type { FieldErrors } from '../../views/form-fields';
import { applicationValuesFromForm, validateApplicationForm } from './application-form';
import { noticeFrom, type PageRequest, pageRoute, redirectAfterPost } from './page-context';

const NOTICES: Readonly<Record<string, string>> = {
  deleted: 'Application deleted. Its tokens no longer work.',
  updated: 'Application updated.',
  'tokens-revoked': 'Every token issued to this application has been revoked.',
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
  const scopes: ScopeChoice[] = options.scopes.names.map((name) => ({
    name,
    description: options.scopes.describe(name),
  }));
  const rules = { scopes: options.scopes, allowHttpRedirectUris: options.allowHttpRedirectUris };
  const route = (handler: (page: PageRequest) => Promise<void>) =>
    pageRoute(provider, 'applications', handler);

  const owned = async (page: PageRequest): Promise<ApplicationRecord> => {
    const application = await applications.findOwned(routeParameter(page.req, 'id'), page.user.id);
    if (application === null) throw new NotFoundError('This application does not exist, or it is not yours.');
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
      notice: status === 200 && extra.secret === undefined ? noticeFrom(page.req, NOTICES) : null,
      values: extra.values ?? applicationFormValues(application),
      errors: extra.errors ?? {},
    };
    sendPage(page.res, status, renderApplicationShow(page.frame, application, scopes, state));
  };

  router.get(
    '/applications',
    route(async (page) => {
      const list = await applications.listOwned(page.user.id);
      sendPage(page.res, 200, renderApplicationList(page.frame, list, noticeFrom(page.req, NOTICES)));
    }),
  );

  router.get(
    '/applications/new',
    route(async (page) => {
      sendPage(page.res, 200, renderNewApplication(page.frame, scopes, EMPTY_FORM, {}));
    }),
  );

  // The secret exists only in this answer: rendered here, never put in a URL or a redirect.
  router.post(
    '/applications',
    route(async (page) => {
      const result = validateApplicationForm(page.form, rules);
      if (!result.ok) {
        sendPage(
          page.res,
          400,
          renderNewApplication(page.frame, scopes, applicationValuesFromForm(page.form), result.errors),
        );
        return;
      }
      const created = await applications.create(result.input, page.user.id);
      show(page, 201, created.application, { secret: created.clientSecret, justCreated: true });
    }),
  );

  router.get(
    '/applications/:id',
    route(async (page) => {
      show(page, 200, await owned(page), {});
    }),
  );

  router.post(
    '/applications/:id',
    route(async (page) => {
      const application = await editable(page);
      const result = validateApplicationForm(page.form, rules, application.confidential);
      if (!result.ok) {
        const values = applicationValuesFromForm(page.form, application.confidential);
        show(page, 400, application, { values, errors: result.errors });
        return;
      }
      const { name, homepageUrl, redirectUris, scopes: allowed } = result.input;
      if (
        (await applications.update(application.id, { name, homepageUrl, redirectUris, scopes: allowed })) ===
        null
      ) {
        throw new NotFoundError('This application does not exist, or it is not yours.');
      }
      redirectAfterPost(page, `/applications/${application.id}`, 'updated');
    }),
  );

  router.post(
    '/applications/:id/reset-secret',
    route(async (page) => {
      const application = await editable(page);
      if (!application.confidential)
        throw new NotFoundError('Public applications have no client secret to reset.');
      const secret = await applications.resetSecret(application.id);
      if (secret === null) throw new NotFoundError('This application does not exist, or it is not yours.');
      show(page, 200, application, { secret });
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
