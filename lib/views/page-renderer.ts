import type { Request, Response } from 'express';
import type { HttpError } from '../errors/http-error';
import type { Languages } from '../messages/languages';
import type { Translator } from '../messages/translator';
import { setPageHeaders } from '../respond/headers';
import {
  renderAdminApplication,
  renderAdminApplications,
  renderAdminUser,
  renderAdminUsers,
} from './admin-views';
import { renderApplicationList, renderApplicationShow, renderNewApplication } from './applications-view';
import { renderAuthorizations } from './authorizations-view';
import { renderConsentPage } from './consent-page';
import { type PagePolicy, pagePolicy } from './csp';
import { renderDeviceCodeForm, renderDeviceDone } from './device-pages';
import { type ErrorReturnLink, renderErrorPage } from './error-page';
import { FLOW_STYLE, type LayoutData, renderLayout } from './layout';
import {
  type AdminFrame,
  renderAdminError,
  renderSettingsError,
  SETTINGS_STYLE,
  type SettingsFrame,
} from './settings-layout';
import { renderTokensPage } from './tokens-view';
import type {
  LayoutRenderer,
  PageContent,
  ViewContext,
  ViewDataMap,
  ViewName,
  ViewOptions,
  ViewRenderer,
} from './view-types';

/** The built-in renderer of every view; the `views` option replaces any of them. */
export const BUILT_IN_VIEWS: { readonly [N in ViewName]: ViewRenderer<N> } = {
  consent: renderConsentPage,
  deviceCode: renderDeviceCodeForm,
  deviceDone: renderDeviceDone,
  error: renderErrorPage,
  applicationList: renderApplicationList,
  applicationNew: renderNewApplication,
  applicationShow: renderApplicationShow,
  authorizations: renderAuthorizations,
  tokens: renderTokensPage,
  settingsError: renderSettingsError,
  adminApplications: renderAdminApplications,
  adminApplication: renderAdminApplication,
  adminUsers: renderAdminUsers,
  adminUser: renderAdminUser,
  adminError: renderAdminError,
};

/** Every view name, in the table's order. */
export const VIEW_NAMES = Object.keys(BUILT_IN_VIEWS) as ViewName[];

/** Views whose `frame-ancestors 'none'` no option can loosen: a framed consent button is clickjacking. */
export const UNFRAMEABLE_VIEWS: ReadonlySet<ViewName> = new Set<ViewName>(['consent']);

const STYLES: Readonly<Record<LayoutData['kind'], string>> = {
  flow: FLOW_STYLE,
  settings: SETTINGS_STYLE,
  admin: SETTINGS_STYLE,
};

/** Headings of section error pages, by status. */
const SECTION_HEADINGS = {
  403: 'errorPage.forbidden',
  404: 'errorPage.notFound',
  413: 'errorPage.tooLarge',
  415: 'errorPage.unsupportedMediaType',
  503: 'errorPage.unavailable',
} as const;

function describeResult(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return 'an empty string';
  return `a ${typeof value}`;
}

/**
 * A host renderer that failed: it threw, or gave no HTML. Reported to `onError` (with the
 * renderer's own error as `cause`), answered as a 500 page; never a silent empty answer.
 */
export class ViewRenderError extends Error {
  constructor(
    readonly view: ViewName | 'layout',
    problem: string,
    options?: { cause: unknown },
  ) {
    super(`express-oauth-provider: views.${view} ${problem}`, options);
    this.name = 'ViewRenderError';
  }
}

async function checked(view: ViewName | 'layout', render: () => string | Promise<string>): Promise<string> {
  let result: unknown;
  try {
    result = await render();
  } catch (error) {
    // The layout a view called failed: that is the layout's fault, named as such.
    if (error instanceof ViewRenderError) throw error;
    throw new ViewRenderError(view, 'threw an error', { cause: error });
  }
  if (typeof result !== 'string' || result.trim() === '') {
    throw new ViewRenderError(
      view,
      `returned ${describeResult(result)}: a renderer must return the page's HTML (a string, or a promise of one)`,
    );
  }
  return result;
}

/**
 * The one view layer: every page the provider renders goes through `send` (or `sendError`),
 * which picks the host's renderer or the built-in one, gives it the request, its language and the
 * layout, checks that it produced HTML, and answers with the view's security headers.
 */
export class PageRenderer {
  readonly #policies = new Map<ViewName, PagePolicy>();

  constructor(
    private readonly views: ViewOptions,
    readonly languages: Languages,
    private readonly onError: (error: unknown) => void,
  ) {
    for (const name of VIEW_NAMES) {
      this.#policies.set(name, pagePolicy([views.csp?.all, views.csp?.[name]]));
    }
  }

  /** The security headers of a view: the default policy plus what `views.csp` adds for it. */
  policy(name: ViewName): PagePolicy {
    return this.#policies.get(name) ?? pagePolicy([]);
  }

  /**
   * A view's HTML for this request. `builtIn`: the library's own renderer and layout, whatever
   * the host configured (the fallback when the host's error page fails).
   */
  async render<N extends ViewName>(
    req: Request,
    name: N,
    data: ViewDataMap[N],
    builtIn = false,
  ): Promise<string> {
    const t = await this.languages.forRequest(req);
    const layout = builtIn ? undefined : this.views.layout;
    const context: ViewContext<N> = {
      view: name,
      req,
      locale: t.locale,
      t,
      layout: (content) => this.#layout(layout, name, req, t, content),
    };
    const custom = builtIn ? undefined : (this.views[name] as ViewRenderer<N> | undefined);
    const renderer: ViewRenderer<N> = custom ?? BUILT_IN_VIEWS[name];
    return checked(name, () => renderer(data, context));
  }

  /** Renders a view and answers with it, with its security headers. */
  async send<N extends ViewName>(
    req: Request,
    res: Response,
    name: N,
    data: ViewDataMap[N],
    status = 200,
  ): Promise<void> {
    const page = await this.render(req, name, data);
    setPageHeaders(res, this.policy(name));
    res.status(status).type('html').send(page);
  }

  /**
   * An error as a page, with the error's status and headers: the `error` view for the OAuth
   * pages (with `returnTo` for an unverified application's authorization error), `settingsError` / `adminError` (with their navigation) for the settings and admin
   * pages. If the host's error view fails, the failure goes to `onError` and the built-in page
   * answers instead.
   */
  async sendError(
    req: Request,
    res: Response,
    error: HttpError,
    section:
      | { view: 'error'; returnTo: ErrorReturnLink }
      | { view: 'settingsError'; frame: SettingsFrame | null }
      | { view: 'adminError'; frame: AdminFrame | null }
      | null = null,
  ): Promise<void> {
    const t = await this.languages.forRequest(req);
    const description = t.say(error.translatable ?? error.description);
    const render = (builtIn: boolean): Promise<string> => {
      if (section === null || section.view === 'error') {
        const returnTo = section?.returnTo ?? null;
        return this.render(
          req,
          'error',
          { status: error.status, code: error.code, description, returnTo },
          builtIn,
        );
      }
      const heading = this.#heading(t, error.status);
      const data = { status: error.status, heading, description };
      if (section.view === 'settingsError') {
        return this.render(req, 'settingsError', { ...data, frame: section.frame }, builtIn);
      }
      return this.render(req, 'adminError', { ...data, frame: section.frame }, builtIn);
    };
    let page: string;
    try {
      page = await render(false);
    } catch (failure) {
      this.onError(failure);
      page = await render(true);
    }
    setPageHeaders(res, this.policy(section?.view ?? 'error'));
    res.set(error.headers);
    res.status(error.status).type('html').send(page);
  }

  #heading(t: Translator, status: number): string {
    const key = SECTION_HEADINGS[status as keyof typeof SECTION_HEADINGS];
    if (key !== undefined) return t.text(key);
    return t.text(status >= 500 ? 'errorPage.serverHeading' : 'errorPage.badRequest');
  }

  async #layout(
    layout: LayoutRenderer | undefined,
    view: ViewName,
    req: Request,
    t: Translator,
    content: PageContent,
  ): Promise<string> {
    const piece = (value: PageContent['body'] | undefined): string =>
      value === undefined ? '' : typeof value === 'string' ? value : value.__html;
    const page: LayoutData = {
      title: content.title,
      lang: t.locale,
      kind: content.kind,
      style: STYLES[content.kind],
      head: '',
      header: piece(content.header),
      body: piece(content.body),
    };
    if (layout === undefined) return renderLayout(page);
    return checked('layout', () => layout(page, { view, req, locale: t.locale, t }));
  }
}
