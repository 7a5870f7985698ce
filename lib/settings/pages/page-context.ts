import type { Request, RequestHandler, Response } from 'express';
import { chain } from '../../endpoints/chain';
import type { EndpointCall } from '../../endpoints/endpoint-call';
import { requireLogin } from '../../endpoints/steps/page-steps';
import { pageHeaders } from '../../endpoints/steps/request-steps';
import { readPostedForm, sectionFrame } from '../../endpoints/steps/section-steps';
import type { FormFields } from '../../http/read-form';
import type { MessageKey } from '../../messages/catalog';
import type { Translator } from '../../messages/translator';
import type { ResourceOwner } from '../../options/provider-options';
import type { ProviderContext } from '../../provider-context';
import type { SettingsFrame } from '../../views/settings-layout';
import type { ViewDataMap, ViewName } from '../../views/view-types';
import { answerSettingsPageError } from './settings-error-page';

/** One request to a settings page, after the login and CSRF checks. */
export interface PageRequest {
  req: Request;
  res: Response;
  user: ResourceOwner;
  /** The posted form; empty for `GET`. */
  form: FormFields;
  /** Navigation, user name and a CSRF token for the forms of the page to render. */
  frame: SettingsFrame;
  /** The page's language. */
  t: Translator;
  /** Renders a view and answers with it (status 200 unless given). */
  show<N extends ViewName>(view: N, data: ViewDataMap[N], status?: number): Promise<void>;
}

type Section = NonNullable<SettingsFrame['active']>;

/**
 * The message for `?notice=<key>` after a redirect. Only keys from `messages` are shown, so a
 * crafted link cannot put arbitrary text on the page.
 */
export function noticeFrom(
  req: Request,
  t: Translator,
  messages: Readonly<Record<string, MessageKey>>,
): string | null {
  const question = req.originalUrl.indexOf('?');
  const key = question < 0 ? null : new URLSearchParams(req.originalUrl.slice(question + 1)).get('notice');
  const message = key !== null && Object.hasOwn(messages, key) ? messages[key] : undefined;
  return message === undefined ? null : t.text(message);
}

/** Post/Redirect/Get: after a successful change, back to a page (303 makes the browser `GET` it). */
export function redirectAfterPost(page: PageRequest, path: string, notice: string): void {
  page.res.redirect(303, `${page.req.baseUrl}${path}?notice=${encodeURIComponent(notice)}`);
}

/** Navigation, user name and a fresh CSRF token; the error page keeps them too. */
function settingsFrame(section: Section) {
  return function settingsFrame(call: EndpointCall): void {
    call.frame = sectionFrame(call, section);
  };
}

/**
 * A settings page: security headers on every answer; a visitor who is not logged in goes to
 * `loginUrl` (a `POST` comes back to its section's page, since its form cannot be replayed);
 * every `POST` is CSRF-checked (403 otherwise); errors are settings pages with their status.
 */
export function pageRoute(
  provider: ProviderContext,
  section: Section,
  handler: (page: PageRequest) => Promise<void>,
): RequestHandler {
  const login = requireLogin(({ req }) => `${req.baseUrl}/${section}`);
  async function renderSettingsPage(call: EndpointCall): Promise<void> {
    const { req, res, user, form, frame } = call;
    if (frame === null) throw new Error('settingsFrame must run before the page');
    const t = await provider.pages.languages.forRequest(req);
    const show: PageRequest['show'] = (view, data, status) =>
      provider.pages.send(req, res, view, data, status);
    await handler({ req, res, user, form, frame, t, show });
  }
  return chain(
    provider,
    'settingsPage',
    [pageHeaders, login, settingsFrame(section), readPostedForm, renderSettingsPage],
    answerSettingsPageError,
  );
}
