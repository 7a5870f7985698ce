import { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import { chain, type Step } from '../endpoints/chain';
import type { EndpointCall } from '../endpoints/endpoint-call';
import { answerJson } from '../endpoints/error-styles';
import { noStore } from '../endpoints/steps/request-steps';
import { LoginRequiredError, NotFoundError, UnsupportedMediaTypeError } from '../errors/http-error';
import { InvalidFieldError } from '../errors/invalid-field-error';
import { currentUser } from '../http/current-user';
import { bodyKind, readJsonObject } from '../http/parse-body';
import { routeParameter } from '../http/route-parameter';
import type { ResourceOwner } from '../options/provider-options';
import type { ProviderContext } from '../provider-context';
import { parseApplicationInput, requireScopes, requireText, requireUrl } from '../services/application-input';
import type { ApplicationService } from '../services/application-service';
import { applicationJson, authorizationJson, personalTokenJson } from './serialize';

/** The JSON API acts for the host's logged-in user; without one it answers 401 (pages redirect instead). */
async function requireApiUser(call: EndpointCall): Promise<void> {
  const user = await currentUser(call.req, call.provider.options);
  if (user === null) throw new LoginRequiredError();
  call.user = user;
}

/** The last step of an API route: the handler's status and JSON body (none for 204). */
function reply(handler: (req: Request, user: ResourceOwner) => Promise<[number, unknown]>): Step {
  return async function replyJson({ req, res, user }) {
    const [status, body] = await handler(req, user);
    if (body === undefined) res.status(status).end();
    else res.status(status).json(body);
  };
}

function expiresInSeconds(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 366 * 24 * 3600) {
    throw new InvalidFieldError(
      'expires_in',
      'must be a whole number of seconds from 60 to 31622400, or null',
    );
  }
  return value;
}

/**
 * Writes accept only JSON (DESIGN.md). A write carrying another body type — what any HTML form,
 * cross-site ones included, sends — is refused before it acts, also on routes that read no body
 * (`/secret`, `/revoke-tokens`). A write without a body needs no content type.
 */
function jsonWritesOnly(req: Request, _res: Response, next: NextFunction): void {
  const hasType = req.headers['content-type'] !== undefined && req.headers['content-type'] !== '';
  if (req.method === 'GET' || req.method === 'HEAD' || !hasType || bodyKind(req) === 'json') next();
  else next(new UnsupportedMediaTypeError('Content-Type must be application/json'));
}

/**
 * The JSON API under `/settings/api` (DESIGN.md): a user's applications, authorized applications
 * and personal access tokens. Lists are bare arrays, deletes answer 204, another user's ids 404.
 */
export function settingsApi(provider: ProviderContext): Router {
  const { options, applications, grants, personalTokens } = provider;
  const router = Router();
  router.use(jsonWritesOnly);
  const limit = options.bodyLimit;
  const route = (
    handler: (req: Request, user: ResourceOwner) => Promise<[number, unknown]>,
  ): RequestHandler =>
    chain(provider, 'settingsApiRoute', [noStore, requireApiUser, reply(handler)], answerJson);
  const ownedApplication = async (req: Request, user: ResourceOwner) => {
    const application = await applications.findOwned(routeParameter(req, 'id'), user.id);
    if (application === null) throw new NotFoundError('No such application');
    return application;
  };

  router.post(
    '/applications',
    route(async (req, user) => {
      const input = parseApplicationInput(
        await readJsonObject(req, limit),
        options.scopes,
        provider.allowHttpRedirectUris,
      );
      const created = await applications.create(input, user.id);
      const body = {
        ...applicationJson(created.application),
        ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
      };
      return [201, body];
    }),
  );
  router.get(
    '/applications',
    route(async (_req, user) => [200, (await applications.listOwned(user.id)).map(applicationJson)]),
  );
  router.get(
    '/applications/:id',
    route(async (req, user) => [200, applicationJson(await ownedApplication(req, user))]),
  );
  router.patch(
    '/applications/:id',
    route(async (req, user) => {
      const application = await ownedApplication(req, user);
      const body = await readJsonObject(req, limit);
      const patch: Parameters<ApplicationService['update']>[1] = {};
      if ('name' in body) patch.name = requireText('name', body.name, 100);
      if ('homepage_url' in body) patch.homepageUrl = requireUrl('homepage_url', body.homepage_url, true);
      if ('scopes' in body) patch.scopes = requireScopes('scopes', body.scopes, options.scopes);
      if ('redirect_uris' in body) {
        const merged = parseApplicationInput(
          {
            name: application.name,
            homepage_url: application.homepageUrl,
            redirect_uris: body.redirect_uris,
            confidential: application.confidential,
          },
          options.scopes,
          provider.allowHttpRedirectUris,
        );
        patch.redirectUris = merged.redirectUris;
      }
      if ('confidential' in body && body.confidential !== application.confidential) {
        throw new InvalidFieldError('confidential', 'cannot be changed after registration');
      }
      const updated = await applications.update(application.id, patch);
      if (updated === null) throw new NotFoundError('No such application');
      return [200, applicationJson(updated)];
    }),
  );
  router.delete(
    '/applications/:id',
    route(async (req, user) => {
      await applications.delete((await ownedApplication(req, user)).id);
      return [204, undefined];
    }),
  );
  router.post(
    '/applications/:id/secret',
    route(async (req, user) => {
      const application = await ownedApplication(req, user);
      if (!application.confidential)
        throw new InvalidFieldError('confidential', 'is false: public applications have no secret');
      const secret = await applications.resetSecret(application.id);
      if (secret === null) throw new NotFoundError('No such application');
      return [200, { client_secret: secret }];
    }),
  );
  router.post(
    '/applications/:id/revoke-tokens',
    route(async (req, user) => {
      await applications.revokeAllTokens((await ownedApplication(req, user)).id);
      return [204, undefined];
    }),
  );

  router.get(
    '/authorizations',
    route(async (_req, user) => {
      const list = [];
      for (const grant of await grants.listForUser(user.id)) {
        const application = await applications.findById(grant.applicationId);
        if (application !== null) list.push(authorizationJson(grant, application));
      }
      return [200, list];
    }),
  );
  router.delete(
    '/authorizations/:clientId',
    route(async (req, user) => {
      const application = await applications.findByClientId(routeParameter(req, 'clientId'));
      if (application === null || !(await grants.revoke(user.id, application))) {
        throw new NotFoundError('No such authorization');
      }
      return [204, undefined];
    }),
  );

  router.post(
    '/tokens',
    route(async (req, user) => {
      const body = await readJsonObject(req, limit);
      const name = requireText('name', body.name, 100);
      const scopes = options.scopes.normalize(requireScopes('scopes', body.scopes, options.scopes));
      if (scopes.length === 0) throw new InvalidFieldError('scopes', 'must name at least one scope');
      const created = await personalTokens.create(user.id, name, scopes, expiresInSeconds(body.expires_in));
      return [201, { ...personalTokenJson(created.record), token: created.token }];
    }),
  );
  router.get(
    '/tokens',
    route(async (_req, user) => [200, (await personalTokens.list(user.id)).map(personalTokenJson)]),
  );
  router.delete(
    '/tokens/:id',
    route(async (req, user) => {
      if (!(await personalTokens.revoke(user.id, routeParameter(req, 'id'))))
        throw new NotFoundError('No such token');
      return [204, undefined];
    }),
  );
  return router;
}
