import type { Request, RequestHandler, Response } from 'express';
import { ForgedFormError } from '../../errors/oauth-error';
import { asyncHandler } from '../../http/async-handler';
import { issueCsrfToken, verifyCsrfToken } from '../../http/csrf';
import { currentUser, loginRedirectUrl } from '../../http/current-user';
import { FormFields, readFormFields } from '../../http/form-fields';
import type { ResourceOwner } from '../../options/provider-options';
import { setPageSecurityHeaders } from '../../views/html';
import type { SettingsFrame } from '../../views/settings-layout';
import type { SettingsServices } from '../settings-api';

/** The settings API's services, plus where unexpected errors are reported. */
export interface SettingsPageServices extends SettingsServices {
  onError: (error: unknown) => void;
}

/** One request to a settings page, after the login and CSRF checks. */
export interface PageRequest {
  req: Request;
  res: Response;
  user: ResourceOwner;
  /** The posted form; empty for `GET`. */
  form: FormFields;
  /** Navigation, user name and a CSRF token for the forms of the page to render. */
  frame: SettingsFrame;
}

type Section = NonNullable<SettingsFrame['active']>;

/** Frames of requests in flight, so the error page can keep the navigation. */
const frames = new WeakMap<Response, SettingsFrame>();

export function frameOf(res: Response): SettingsFrame | null {
  return frames.get(res) ?? null;
}

/** A route parameter as a string (Express 5 types allow arrays). */
export function routeParameter(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

/**
 * The message for `?notice=<key>` after a redirect. Only keys from `messages` are shown, so a
 * crafted link cannot put arbitrary text on the page.
 */
export function noticeFrom(req: Request, messages: Readonly<Record<string, string>>): string | null {
  const question = req.originalUrl.indexOf('?');
  const key = question < 0 ? null : new URLSearchParams(req.originalUrl.slice(question + 1)).get('notice');
  return key !== null && Object.hasOwn(messages, key) ? (messages[key] ?? null) : null;
}

/** Sends a rendered page. */
export function sendPage(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}

/** Post/Redirect/Get: after a successful change, back to a page (303 makes the browser `GET` it). */
export function redirectAfterPost(page: PageRequest, path: string, notice: string): void {
  page.res.redirect(303, `${page.req.baseUrl}${path}?notice=${encodeURIComponent(notice)}`);
}

/**
 * A settings page handler: security headers on every answer; a visitor who is not logged in goes
 * to `loginUrl` (a `POST` comes back to its section's page, since its form cannot be replayed);
 * every `POST` is a form whose `csrf_token` must match this browser and this user (403 otherwise).
 */
export function pageRoute(
  services: SettingsPageServices,
  section: Section,
  handler: (page: PageRequest) => Promise<void>,
): RequestHandler {
  const { options } = services;
  return asyncHandler(async function settingsPage(req, res) {
    setPageSecurityHeaders(res);
    const user = await currentUser(req, options);
    if (user === null) {
      const returnTo = req.method === 'GET' ? req.originalUrl : `${req.baseUrl}/${section}`;
      res.redirect(302, loginRedirectUrl(options, returnTo));
      return;
    }
    const frame: SettingsFrame = {
      baseUrl: req.baseUrl,
      csrfToken: issueCsrfToken(req, res, user.id, options),
      username: user.username ?? user.id,
      active: section,
    };
    frames.set(res, frame);
    let form = FormFields.empty();
    if (req.method === 'POST') {
      form = await readFormFields(req, options.bodyLimit);
      if (!verifyCsrfToken(req, user.id, form.one('csrf_token'), options)) {
        throw new ForgedFormError(
          'The form has expired or was not sent from this site. Go back, reload the page and try again.',
        );
      }
    }
    await handler({ req, res, user, form, frame });
  });
}
