import { Router } from 'express';
import { chain, type Step } from '../endpoints/chain';
import type { EndpointCall } from '../endpoints/endpoint-call';
import { answerJson } from '../endpoints/error-styles';
import { noStore } from '../endpoints/steps/request-steps';
import { LoginRequiredError, NotFoundError } from '../errors/http-error';
import { InvalidRequestError } from '../errors/oauth-error';
import { currentUser } from '../http/current-user';
import { queryParameters } from '../http/parse-body';
import { routeParameter } from '../http/route-parameter';
import { refuseAccessTokens, sameSiteJsonWrites } from '../http/session-guards';
import { message } from '../messages/catalog';
import type { ProviderContext } from '../provider-context';
import { APPLICATION_PAGE_LIMIT } from '../services/application-service';
import { authorizationJson } from '../settings/serialize';
import { requireAdmin } from './admin-access';
import { adminApplicationJson, adminTokenJson, loadUserRecords } from './admin-records';

/** The API acts for a signed-in administrator: 401 without a user, 403 for anyone else. */
async function requireApiUser(call: EndpointCall): Promise<void> {
  const user = await currentUser(call.req, call.provider.options);
  if (user === null) throw new LoginRequiredError();
  call.user = user;
}

/** `?limit=` as a whole number from 1 to the page maximum. */
function pageLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,3}$/.test(value)) {
    throw new InvalidRequestError(message('problem.badLimit', { max: APPLICATION_PAGE_LIMIT.max }));
  }
  return Number(value);
}

/**
 * The admin JSON API (`/api` under the admin router): every application, a page at a time (bare
 * arrays; the next page in a `Link: <…>; rel="next"` header, as GitHub pages), one application,
 * revoking its tokens or deleting it; a user's authorizations and live tokens, and revoking them.
 */
export function adminApi(provider: ProviderContext): Router {
  const { applications, grants, tokens } = provider;
  const router = Router();
  // As the settings API: never for an access token (403), and every write (`POST`, `DELETE`) from
  // this site with `Content-Type: application/json`, body or not — a cross-site page can send
  // neither that header nor a `DELETE` without the browser asking first (CORS preflight).
  router.use(refuseAccessTokens, sameSiteJsonWrites({ customHeader: false }));
  const route = (name: string, handler: (call: EndpointCall) => Promise<[number, unknown]>) => {
    const reply: Step = async function replyJson(call) {
      const [status, body] = await handler(call);
      if (body === undefined) call.res.status(status).end();
      else call.res.status(status).json(body);
    };
    return chain(provider, name, [noStore, requireApiUser, requireAdmin, reply], answerJson);
  };
  const application = async (call: EndpointCall) => {
    const found = await applications.findById(routeParameter(call.req, 'id'));
    if (found === null) throw new NotFoundError(message('problem.noApplication'));
    return found;
  };

  router.get(
    '/applications',
    route('adminApiApplications', async ({ req, res }) => {
      const query = queryParameters(req);
      const page = await applications.list({ limit: pageLimit(query.limit), after: query.after ?? null });
      if (page.next !== null) {
        const next = new URLSearchParams({ after: page.next });
        if (query.limit !== undefined) next.set('limit', query.limit);
        res.set('Link', `<${req.baseUrl}/applications?${next.toString()}>; rel="next"`);
      }
      return [200, page.applications.map(adminApplicationJson)];
    }),
  );
  router.get(
    '/applications/:id',
    route('adminApiApplication', async (call) => [200, adminApplicationJson(await application(call))]),
  );
  router.delete(
    '/applications/:id',
    route('adminApiDeleteApplication', async (call) => {
      await applications.delete((await application(call)).id);
      return [204, undefined];
    }),
  );
  router.post(
    '/applications/:id/revoke-tokens',
    route('adminApiRevokeApplicationTokens', async (call) => {
      await applications.revokeAllTokens((await application(call)).id);
      return [204, undefined];
    }),
  );
  router.get(
    '/users/:userId/authorizations',
    route('adminApiUserAuthorizations', async ({ req }) => {
      const records = await loadUserRecords(provider, routeParameter(req, 'userId'));
      return [
        200,
        records.authorizations.map(({ grant, application: app }) => authorizationJson(grant, app)),
      ];
    }),
  );
  router.delete(
    '/users/:userId/authorizations/:clientId',
    route('adminApiRevokeUserAuthorization', async ({ req }) => {
      const app = await applications.findByClientId(routeParameter(req, 'clientId'));
      if (app === null || !(await grants.revoke(routeParameter(req, 'userId'), app, 'admin'))) {
        throw new NotFoundError(message('problem.noSuchGrant'));
      }
      return [204, undefined];
    }),
  );
  router.get(
    '/users/:userId/tokens',
    route('adminApiUserTokens', async ({ req }) => {
      const records = await loadUserRecords(provider, routeParameter(req, 'userId'));
      return [200, records.tokens.map(({ record, application: app }) => adminTokenJson(record, app))];
    }),
  );
  router.delete(
    '/users/:userId/tokens/:tokenId',
    route('adminApiRevokeUserToken', async ({ req }) => {
      if (!(await tokens.revokeForUser(routeParameter(req, 'userId'), routeParameter(req, 'tokenId')))) {
        throw new NotFoundError(message('problem.noSuchUserToken'));
      }
      return [204, undefined];
    }),
  );
  return router;
}
