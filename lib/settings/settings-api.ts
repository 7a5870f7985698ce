import { type Request, type RequestHandler, Router } from 'express';
import { chain, type Step } from '../endpoints/chain';
import type { EndpointCall } from '../endpoints/endpoint-call';
import { answerJson } from '../endpoints/error-styles';
import { noStore } from '../endpoints/steps/request-steps';
import { LoginRequiredError, ManagedApplicationError, NotFoundError } from '../errors/http-error';
import { InvalidFieldError } from '../errors/invalid-field-error';
import { currentUser } from '../http/current-user';
import { readJsonObject } from '../http/parse-body';
import { routeParameter } from '../http/route-parameter';
import { accessTokenRefused, refuseAccessTokens, sameSiteJsonWrites } from '../http/session-guards';
import { message } from '../messages/catalog';
import type { ResourceOwner } from '../options/provider-options';
import type { ProviderContext } from '../provider-context';
import { checkApplicationInput, checkApplicationUpdate } from '../validation/application-input';
import { orThrow } from '../validation/fields';
import { checkPersonalTokenInput } from '../validation/personal-token-input';
import { checkNarrowing } from '../validation/resource-narrowing';
import { fieldsFromJson, withJsonFieldNames } from './json-input';
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

/**
 * The JSON API under `/settings/api` (DESIGN.md): a user's applications, authorized applications
 * and personal access tokens. Lists are bare arrays, deletes answer 204, another user's ids 404.
 */
export function settingsApi(provider: ProviderContext): Router {
  const { options, applications, grants, personalTokens } = provider;
  const router = Router();
  router.use(refuseAccessTokens, sameSiteJsonWrites({ customHeader: true }));
  const limit = options.bodyLimit;
  /** A JSON body; one carrying `access_token` is refused like a bearer header (refuseAccessTokens). */
  const readBody = async (req: Request) => {
    const body = await readJsonObject(req, limit);
    if (Object.hasOwn(body, 'access_token')) throw accessTokenRefused();
    return body;
  };
  const route = (
    handler: (req: Request, user: ResourceOwner) => Promise<[number, unknown]>,
  ): RequestHandler =>
    chain(provider, 'settingsApiRoute', [noStore, requireApiUser, reply(handler)], answerJson);
  const rules = { scopes: options.scopes, allowHttpRedirectUris: options.allowHttpRedirectUris };
  const applicationFields = ['name', 'homepageUrl', 'redirectUris', 'confidential', 'scopes'];
  const ownedApplication = async (req: Request, user: ResourceOwner) => {
    const application = await applications.findOwned(routeParameter(req, 'id'), user.id);
    if (application === null) throw new NotFoundError('No such application');
    return application;
  };
  // Only what a user registered here changes here: host-managed applications are read-only.
  const editableApplication = async (req: Request, user: ResourceOwner) => {
    const application = await ownedApplication(req, user);
    if (application.trust !== 'user') throw new ManagedApplicationError();
    return application;
  };

  router.post(
    '/applications',
    route((req, user) =>
      withJsonFieldNames(async () => {
        const body = fieldsFromJson(await readBody(req), applicationFields);
        const created = await applications.create(orThrow(checkApplicationInput(body, rules)), user.id);
        const json = {
          ...applicationJson(created.application),
          ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
        };
        return [201, json];
      }),
    ),
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
    route((req, user) =>
      withJsonFieldNames(async () => {
        const application = await editableApplication(req, user);
        const body = fieldsFromJson(await readBody(req), applicationFields);
        const updated = await applications.update(
          application.id,
          orThrow(checkApplicationUpdate(body, rules)),
        );
        if (updated === null) throw new NotFoundError('No such application');
        return [200, applicationJson(updated)];
      }),
    ),
  );
  router.delete(
    '/applications/:id',
    route(async (req, user) => {
      await applications.delete((await editableApplication(req, user)).id);
      return [204, undefined];
    }),
  );
  router.post(
    '/applications/:id/secret',
    route(async (req, user) => {
      const application = await editableApplication(req, user);
      if (!application.confidential) throw new InvalidFieldError('confidential', message('field.noSecret'));
      const secret = await applications.resetSecret(application.id);
      if (secret === null) throw new NotFoundError('No such application');
      return [200, { client_secret: secret }];
    }),
  );
  router.post(
    '/applications/:id/revoke-tokens',
    route(async (req, user) => {
      await applications.revokeAllTokens((await editableApplication(req, user)).id);
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
  // Fine-grained: narrow an authorization to chosen resources; its live tokens follow at once.
  router.patch(
    '/authorizations/:clientId',
    route((req, user) =>
      withJsonFieldNames(async () => {
        const application = await applications.findByClientId(routeParameter(req, 'clientId'));
        const grant = application === null ? null : await grants.find(user.id, application.id);
        if (application === null || grant === null) throw new NotFoundError('No such authorization');
        const body = fieldsFromJson(await readBody(req), ['resources']);
        const narrowing = await checkNarrowing(body.resources, grant.scopes, options.scopes, user);
        const narrowed = await grants.narrow(user.id, application, narrowing);
        if (narrowed === null) throw new NotFoundError('No such authorization');
        return [200, authorizationJson(narrowed, application)];
      }),
    ),
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
    route((req, user) =>
      withJsonFieldNames(async () => {
        const body = fieldsFromJson(await readBody(req), ['name', 'scopes', 'expiresIn', 'resources']);
        const input = orThrow(checkPersonalTokenInput(body, options));
        const restriction = input.resources ? { resources: input.resources, owner: user } : null;
        const created = await personalTokens.create(
          user.id,
          input.name,
          input.scopes,
          input.expiresIn,
          restriction,
        );
        return [201, { ...personalTokenJson(created.record), token: created.token }];
      }),
    ),
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
