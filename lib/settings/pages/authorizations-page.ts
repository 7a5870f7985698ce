import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import { routeParameter } from '../../http/route-parameter';
import { type MessageKey, message } from '../../messages/catalog';
import type { ProviderContext } from '../../provider-context';
import { checkNarrowing } from '../../validation/resource-narrowing';
import type { AuthorizationRow } from '../../views/authorizations-view';
import { noticeFrom, pageRoute, redirectAfterPost } from './page-context';
import { grantAccess, postedSelection } from './resource-forms';

const NOTICES: Readonly<Record<string, MessageKey>> = {
  revoked: 'authorizations.notice.revoked',
  narrowed: 'authorizations.notice.narrowed',
  unchanged: 'authorizations.notice.unchanged',
};

/**
 * The authorized applications page: every application the user consented to, with its scopes,
 * the resources each resource-scoped scope may touch, when and how recently; revoking one
 * revokes every token of that grant at once, narrowing one (a form, no JavaScript) restricts the
 * grant and its live tokens at once.
 */
export function mountAuthorizationsPage(router: Router, provider: ProviderContext): void {
  const { options, applications, grants } = provider;

  router.get(
    '/authorizations',
    pageRoute(provider, 'authorizations', async (page) => {
      const rows: AuthorizationRow[] = [];
      for (const grant of await grants.listForUser(page.user.id)) {
        const application = await applications.findById(grant.applicationId);
        if (application === null) continue;
        rows.push({
          clientId: application.clientId,
          name: application.name,
          homepageUrl: application.homepageUrl,
          scopes: grant.scopes.map((name) => ({
            name,
            description: page.t.scope(name, options.scopes.describe(name)),
          })),
          resources: await grantAccess(options.scopes, page.user, grant),
          createdAt: grant.createdAt,
          lastUsedAt: grant.lastUsedAt,
        });
      }
      await page.show('authorizations', {
        frame: page.frame,
        rows,
        notice: noticeFrom(page.req, page.t, NOTICES),
      });
    }),
  );

  // Fine-grained (issue 14): keep only the checked resources; the live tokens follow (`restrictTokens`).
  router.post(
    '/authorizations/:clientId/narrow',
    pageRoute(provider, 'authorizations', async (page) => {
      const application = await applications.findByClientId(routeParameter(page.req, 'clientId'));
      const grant = application === null ? null : await grants.find(page.user.id, application.id);
      if (application === null || grant === null) {
        throw new NotFoundError(message('problem.noSuchAuthorization'));
      }
      const posted = postedSelection(page.form, options.scopes, grant.scopes);
      if (posted === null) {
        redirectAfterPost(page, '/authorizations', 'unchanged');
        return;
      }
      const narrowing = await checkNarrowing(posted, grant.scopes, options.scopes, page.user);
      if ((await grants.narrow(page.user.id, application, narrowing)) === null) {
        throw new NotFoundError(message('problem.noSuchAuthorization'));
      }
      redirectAfterPost(page, '/authorizations', 'narrowed');
    }),
  );

  router.post(
    '/authorizations/:clientId/revoke',
    pageRoute(provider, 'authorizations', async (page) => {
      const application = await applications.findByClientId(routeParameter(page.req, 'clientId'));
      if (application === null || !(await grants.revoke(page.user.id, application))) {
        throw new NotFoundError(message('problem.noSuchAuthorization'));
      }
      redirectAfterPost(page, '/authorizations', 'revoked');
    }),
  );
}
