import { type RequestHandler, Router } from 'express';
import { chain } from '../endpoints/chain';
import type { EndpointCall } from '../endpoints/endpoint-call';
import { requireLogin } from '../endpoints/steps/page-steps';
import { pageHeaders } from '../endpoints/steps/request-steps';
import { readPostedForm, sectionFrame } from '../endpoints/steps/section-steps';
import { NotFoundError } from '../errors/http-error';
import { queryParameters } from '../http/parse-body';
import { routeParameter } from '../http/route-parameter';
import { refuseAccessTokens } from '../http/session-guards';
import { type MessageKey, message } from '../messages/catalog';
import type { Translator } from '../messages/translator';
import type { ProviderContext } from '../provider-context';
import { toHttpError } from '../respond/json';
import type { AdminFrame } from '../views/settings-layout';
import type { ViewDataMap, ViewName } from '../views/view-types';
import { requireAdmin } from './admin-access';
import { loadUserRecords } from './admin-records';

/** One admin page request, after the login, admin and CSRF checks. */
interface AdminPage {
  call: EndpointCall;
  frame: AdminFrame;
  t: Translator;
  show<N extends ViewName>(view: N, data: ViewDataMap[N], status?: number): Promise<void>;
  /** Post/Redirect/Get after a change, with a notice for the page it lands on. */
  redirect(path: string, notice: string): void;
  notice(): string | null;
}

const NOTICES: Readonly<Record<string, MessageKey>> = {
  'tokens-revoked': 'admin.notice.tokensRevoked',
  deleted: 'admin.notice.deleted',
  'grant-revoked': 'admin.notice.grantRevoked',
  'token-revoked': 'admin.notice.tokenRevoked',
};

type Section = AdminFrame['active'] & string;

/**
 * An admin page: security headers; a visitor who is not logged in goes to the login (and comes
 * back to the section); a user whom `isAdmin` refuses gets the 403 page; every `POST` carries
 * the CSRF token; errors are admin pages with their status.
 */
function adminRoute(
  provider: ProviderContext,
  section: Section,
  handler: (page: AdminPage) => Promise<void>,
): RequestHandler {
  const login = requireLogin(({ req }) => `${req.baseUrl}/${section}`);
  function adminFrame(call: EndpointCall): void {
    call.adminFrame = sectionFrame(call, section);
  }
  async function renderAdminPage(call: EndpointCall): Promise<void> {
    const { req, res, adminFrame: frame } = call;
    if (frame === null) throw new Error('adminFrame must run before the page');
    const t = await provider.pages.languages.forRequest(req);
    await handler({
      call,
      frame,
      t,
      show: (view, data, status) => provider.pages.send(req, res, view, data, status),
      redirect: (path, notice) =>
        res.redirect(303, `${req.baseUrl}${path}?notice=${encodeURIComponent(notice)}`),
      notice: () => {
        const key = queryParameters(req).notice;
        const found = key !== undefined && Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
        return found === undefined ? null : t.text(found);
      },
    });
  }
  return chain(
    provider,
    'adminPage',
    [pageHeaders, login, requireAdmin, adminFrame, readPostedForm, renderAdminPage],
    (error, call) =>
      provider.pages.sendError(call.req, call.res, toHttpError(error, provider.onError), {
        view: 'adminError',
        frame: call.adminFrame,
      }),
  );
}

/**
 * The admin pages: every application (a page at a time), one application (revoke its tokens,
 * delete it), a user look-up, a user's authorizations and live tokens (revoke each). Plain HTML
 * forms, usable without JavaScript; links are built from `req.baseUrl`.
 */
export function adminPages(provider: ProviderContext): Router {
  const { applications, grants, tokens, options } = provider;
  const router = Router();
  // As the settings pages: the administrator in person, never an access token (403).
  router.use(refuseAccessTokens);
  const described = (t: Translator, names: readonly string[]) =>
    names.map((name) => ({ name, description: t.scope(name, options.scopes.describe(name)) }));
  const application = async (page: AdminPage) => {
    const found = await applications.findById(routeParameter(page.call.req, 'id'));
    if (found === null) throw new NotFoundError(message('problem.noApplication'));
    return found;
  };

  router.get('/', (req, res) => res.redirect(302, `${req.baseUrl}/applications`));
  router.get(
    '/applications',
    adminRoute(provider, 'applications', async (page) => {
      const { req } = page.call;
      const list = await applications.list({ after: queryParameters(req).after ?? null });
      const next =
        list.next === null ? null : `${req.baseUrl}/applications?after=${encodeURIComponent(list.next)}`;
      await page.show('adminApplications', {
        frame: page.frame,
        applications: list.applications,
        next,
        notice: page.notice(),
      });
    }),
  );
  router.get(
    '/applications/:id',
    adminRoute(provider, 'applications', async (page) => {
      const found = await application(page);
      await page.show('adminApplication', {
        frame: page.frame,
        application: found,
        scopes: described(page.t, found.scopes),
        notice: page.notice(),
      });
    }),
  );
  router.post(
    '/applications/:id/revoke-tokens',
    adminRoute(provider, 'applications', async (page) => {
      const found = await application(page);
      await applications.revokeAllTokens(found.id);
      page.redirect(`/applications/${found.id}`, 'tokens-revoked');
    }),
  );
  router.post(
    '/applications/:id/delete',
    adminRoute(provider, 'applications', async (page) => {
      await applications.delete((await application(page)).id);
      page.redirect('/applications', 'deleted');
    }),
  );
  router.get(
    '/users',
    adminRoute(provider, 'users', async (page) => {
      const { req, res } = page.call;
      const id = queryParameters(req).id?.trim();
      if (id !== undefined && id !== '') {
        res.redirect(302, `${req.baseUrl}/users/${encodeURIComponent(id)}`);
        return;
      }
      await page.show('adminUsers', { frame: page.frame });
    }),
  );
  router.get(
    '/users/:userId',
    adminRoute(provider, 'users', async (page) => {
      const userId = routeParameter(page.call.req, 'userId');
      const records = await loadUserRecords(provider, userId);
      const owner = options.findUser === undefined ? null : await options.findUser(userId);
      await page.show('adminUser', {
        frame: page.frame,
        userId,
        username: typeof owner?.username === 'string' ? owner.username : null,
        authorizations: records.authorizations.map(({ grant, application: app }) => ({
          clientId: app.clientId,
          name: app.name,
          homepageUrl: app.homepageUrl,
          scopes: described(page.t, grant.scopes),
          createdAt: grant.createdAt,
          lastUsedAt: grant.lastUsedAt,
        })),
        tokens: records.tokens.flatMap(({ record, application: app }) =>
          record.kind === 'access' || record.kind === 'refresh' || record.kind === 'personal'
            ? [
                {
                  id: record.id,
                  kind: record.kind,
                  application: app === null ? null : { id: app.id, name: app.name },
                  name: record.name,
                  scopes: record.scopes,
                  createdAt: record.createdAt,
                  lastUsedAt: record.lastUsedAt,
                  expiresAt: record.expiresAt,
                },
              ]
            : [],
        ),
        notice: page.notice(),
      });
    }),
  );
  router.post(
    '/users/:userId/authorizations/:clientId/revoke',
    adminRoute(provider, 'users', async (page) => {
      const { req } = page.call;
      const userId = routeParameter(req, 'userId');
      const app = await applications.findByClientId(routeParameter(req, 'clientId'));
      if (app === null || !(await grants.revoke(userId, app, 'admin'))) {
        throw new NotFoundError(message('problem.noSuchGrant'));
      }
      page.redirect(`/users/${encodeURIComponent(userId)}`, 'grant-revoked');
    }),
  );
  router.post(
    '/users/:userId/tokens/:tokenId/revoke',
    adminRoute(provider, 'users', async (page) => {
      const { req } = page.call;
      const userId = routeParameter(req, 'userId');
      if (!(await tokens.revokeForUser(userId, routeParameter(req, 'tokenId')))) {
        throw new NotFoundError(message('problem.noSuchUserToken'));
      }
      page.redirect(`/users/${encodeURIComponent(userId)}`, 'token-revoked');
    }),
  );
  return router;
}
