import type { Router } from 'express';
import { NotFoundError } from '../../errors/http-error';
import { routeParameter } from '../../http/route-parameter';
import { type MessageKey, message } from '../../messages/catalog';
import type { ProviderContext } from '../../provider-context';
import type { AuthorizationRow } from '../../views/authorizations-view';
import { noticeFrom, pageRoute, redirectAfterPost } from './page-context';

const NOTICES: Readonly<Record<string, MessageKey>> = { revoked: 'authorizations.notice.revoked' };

/**
 * The authorized applications page: every application the user consented to, with its scopes,
 * when and how recently; revoking one revokes every token of that grant at once.
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
