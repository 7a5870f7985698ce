import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Provider, ScopeDefinitions } from '../../../lib';
import { requestClientToken, useClientToken } from './client-credentials';
import { csrfTokenMatches } from './csrf';
import { callApiWithDeviceToken, pollForTokens, startDeviceFlow } from './device-flow';
import { type FlowContext, useClient } from './flow-context';
import {
  type RenderContext,
  type ScopeChoice,
  sectionPath,
  sendPlaygroundPage,
  setPageHeaders,
} from './render';
import { playgroundState } from './state';
import { StepRefusedError } from './step-refused-error';
import { html } from './views/html';
import { layout, type Section } from './views/layout';
import { buildAuthorizationRequest, exchangeCode, receiveCallback } from './web-authorization';
import { callTheApi, introspect, refresh, replayOldRefreshToken, revoke } from './web-tokens';
import { describeClientError } from './wire';

export interface PlaygroundOptions {
  provider: Provider;
  /** The issuer URL; the playground reaches the provider there, over real HTTP. */
  issuer: string;
  /** Who is signed in, from the host's own login. */
  currentUser: (req: Request) => { id: string; login: string } | null;
  /** The scopes the provider declares; offered as checkboxes. */
  scopes: ScopeDefinitions;
  /** The ones meant for machine tokens (client credentials), e.g. `ci:status`; the others are for users. */
  machineScopes: readonly string[];
}

type Form = Record<string, unknown>;
type Action = (ctx: FlowContext, form: Form) => Promise<void> | void;
type FlowSection = Exclude<Section, 'home' | 'overview'>;

/** The scopes ticked in a form, restricted to the ones offered. */
function ticked(form: Form, offered: readonly ScopeChoice[]): string[] {
  const values = Array.isArray(form.scope) ? form.scope : [form.scope];
  return offered.map((scope) => scope.name).filter((name) => values.includes(name));
}

/**
 * `/playground`: the flows step by step for the signed-in user. Each POST runs one step (CSRF
 * checked) and answers 303 to the page and the step's anchor, so a reload never repeats it and
 * no secret is ever put in a URL.
 */
export function playgroundRouter(options: PlaygroundOptions): Router {
  const { provider, issuer, currentUser } = options;
  const choices = Object.entries(options.scopes).map(([name, { description }]) => ({ name, description }));
  const userScopes = choices.filter((scope) => !options.machineScopes.includes(scope.name));
  const machineScopes = choices.filter((scope) => options.machineScopes.includes(scope.name));
  const router = Router();
  router.use('/assets', express.static(join(__dirname, 'assets'), { index: false, fallthrough: false }));

  const signedIn = (req: Request, res: Response, next: NextFunction) => {
    setPageHeaders(res);
    if (currentUser(req) !== null) return next();
    // The callback's query carries a code: never hand it on to the login page.
    const returnTo = req.method === 'GET' && req.path !== '/callback' ? req.originalUrl : '/playground';
    res.redirect(303, `/login?return_to=${encodeURIComponent(returnTo)}`);
  };
  router.use(signedIn, express.urlencoded({ extended: false, limit: '8kb' }));
  router.use((req, res, next) => {
    if (req.method !== 'POST' || csrfTokenMatches(req, (req.body as Form | undefined)?.csrf_token))
      return next();
    res
      .status(403)
      .type('html')
      .send(forgedFormPage(currentUser(req)?.login ?? null));
  });

  const context = (req: Request): FlowContext => {
    const user = currentUser(req);
    if (user === null) throw new Error('the playground runs only for a signed-in user');
    return { provider, issuer, userId: user.id, state: playgroundState(req) };
  };
  const renderContext = (req: Request): RenderContext => ({
    issuer,
    login: currentUser(req)?.login ?? '',
    userScopes,
    machineScopes,
  });

  /** Runs a step; a step out of order or a failure becomes a notice on the page, never an error page. */
  const run = (section: FlowSection | 'overview', anchor: string, action: Action) =>
    async function runPlaygroundStep(req: Request, res: Response) {
      const ctx = context(req);
      let target = `${sectionPath(section)}#${anchor}`;
      try {
        await action(ctx, (req.body ?? {}) as Form);
      } catch (error) {
        ctx.state.notice =
          error instanceof StepRefusedError
            ? error.message
            : `The step failed. ${describeClientError(error)}`;
        target = sectionPath(section);
      }
      res.redirect(303, target);
    };

  const pages: [string, Exclude<Section, 'home'>][] = [
    ['/', 'overview'],
    ['/web', 'web'],
    ['/device', 'device'],
    ['/client-credentials', 'client-credentials'],
  ];
  for (const [path, section] of pages) {
    router.get(path, (req, res) => sendPlaygroundPage(req, res, renderContext(req), section));
  }

  router.post(
    '/client',
    run('overview', 'client-choice', async (ctx, form) => {
      if (form.kind !== 'public' && form.kind !== 'confidential')
        throw new StepRefusedError('Pick a client type.');
      ctx.state.kind = form.kind;
      await useClient(ctx, form.kind);
    }),
  );
  router.post('/secrets', (req, res) => {
    const form = (req.body ?? {}) as Form;
    playgroundState(req).reveal = form.reveal === 'on';
    const back = typeof form.return_to === 'string' ? form.return_to : '/playground';
    // Only the playground's own pages: the form cannot send the browser elsewhere.
    res.redirect(303, /^\/playground(\/[a-z-]*)?$/.test(back) ? back : '/playground');
  });

  const web = (anchor: string, action: Action) => run('web', anchor, action);
  router.post(
    '/web/authorize',
    web('step-authorize', (ctx, form) => buildAuthorizationRequest(ctx, ticked(form, userScopes))),
  );
  router.get('/callback', (req, res) => {
    const ctx = context(req);
    try {
      receiveCallback(ctx, new URL(req.originalUrl, issuer).searchParams);
    } catch (error) {
      ctx.state.notice = error instanceof StepRefusedError ? error.message : describeClientError(error);
    }
    // Post/Redirect/Get: the code leaves the address bar and the history at once.
    res.redirect(303, '/playground/web#step-callback');
  });
  router.post('/web/token', web('step-token', exchangeCode));
  router.post('/web/api', web('step-api', callTheApi));
  router.post('/web/introspect', web('step-introspect', introspect));
  router.post('/web/refresh', web('step-refresh', refresh));
  router.post('/web/revoke', web('step-revoke', revoke));
  router.post('/web/replay', web('step-replay', replayOldRefreshToken));

  const device = (anchor: string, action: Action) => run('device', anchor, action);
  router.post(
    '/device/start',
    device('step-enter', (ctx, form) => startDeviceFlow(ctx, ticked(form, userScopes))),
  );
  router.post('/device/poll', device('step-poll', pollForTokens));
  router.post('/device/api', device('step-device-api', callApiWithDeviceToken));

  const machine = (anchor: string, action: Action) => run('client-credentials', anchor, action);
  router.post(
    '/client-credentials/token',
    machine('step-cc-token', (ctx, form) => requestClientToken(ctx, ticked(form, machineScopes))),
  );
  router.post('/client-credentials/api', machine('step-cc-api', useClientToken));
  return router;
}

/** The answer to a form without this session's CSRF token: nothing ran. */
function forgedFormPage(login: string | null): string {
  return layout(
    { title: 'Form refused', login, section: 'overview', csrfToken: null },
    html`<h1>Form refused</h1>
<p>This form does not carry your session’s CSRF token — it is out of date, or another site sent it. Nothing was done.</p>
<p><a class="button primary" href="/playground">Back to the playground</a></p>`,
  );
}
