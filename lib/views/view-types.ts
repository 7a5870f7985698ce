import type { Request } from 'express';
import type { Translator } from '../messages/translator';
import type { ConsentPageData } from '../options/provider-options';
import type {
  AdminApplicationsViewData,
  AdminApplicationViewData,
  AdminUsersViewData,
  AdminUserViewData,
} from './admin-views';
import type {
  ApplicationListViewData,
  ApplicationNewViewData,
  ApplicationShowViewData,
} from './applications-view';
import type { AuthorizationsViewData } from './authorizations-view';
import type { CspSources } from './csp';
import type { DeviceCodeViewData, DeviceDoneViewData } from './device-pages';
import type { ErrorViewData } from './error-page';
import type { RawHtml } from './html';
import type { LayoutData } from './layout';
import type { AdminFrame, SectionErrorViewData } from './settings-layout';
import type { TokensViewData } from './tokens-view';

/**
 * Every page the provider renders, by view name, with the data its renderer gets. A host replaces
 * any of them through the `views` option; the built-in renderers are exported to wrap or start
 * from.
 */
export interface ViewDataMap {
  /** `GET /oauth/authorize` and the device flow: who asks, for what; approve or deny. */
  consent: ConsentPageData;
  /** `GET /oauth/device`: the form where the user types the code their device shows. */
  deviceCode: DeviceCodeViewData;
  /** After the device decision: connected or denied. */
  deviceDone: DeviceDoneViewData;
  /** Authorization and device errors shown as a page (an untrusted client or redirect URI, a forged form, …). */
  error: ErrorViewData;
  /** Settings `GET /applications`. */
  applicationList: ApplicationListViewData;
  /** Settings `GET /applications/new`, and the form again after a refused `POST`. */
  applicationNew: ApplicationNewViewData;
  /** Settings `GET /applications/:id`: credentials (a new secret once), the edit form, the dangerous actions. */
  applicationShow: ApplicationShowViewData;
  /** Settings `GET /authorizations`. */
  authorizations: AuthorizationsViewData;
  /** Settings `GET /tokens`, and the answer that shows a new token once. */
  tokens: TokensViewData;
  /** An error of a settings page (404, 403, …). */
  settingsError: SectionErrorViewData;
  /** Admin `GET /applications`: every application, a page at a time. */
  adminApplications: AdminApplicationsViewData;
  /** Admin `GET /applications/:id`. */
  adminApplication: AdminApplicationViewData;
  /** Admin `GET /users`: look a user up by id. */
  adminUsers: AdminUsersViewData;
  /** Admin `GET /users/:userId`: the user's authorizations and live tokens. */
  adminUser: AdminUserViewData;
  /** An error of an admin page (403 for a user who is not an administrator, 404, …). */
  adminError: SectionErrorViewData<AdminFrame>;
}

/** The name of a view: `consent`, `deviceCode`, `error`, `tokens`, … */
export type ViewName = keyof ViewDataMap;

/** What a page's content is, before the layout wraps it. */
export interface PageContent {
  /** The page title, text. */
  readonly title: string;
  readonly kind: LayoutData['kind'];
  /** Markup before the body (navigation); none by default. */
  readonly header?: RawHtml | string;
  readonly body: RawHtml | string;
}

/** What every renderer gets besides its data: the request, its language, and the layout. */
export interface ViewContext<N extends ViewName = ViewName> {
  /** Which view is rendered. */
  readonly view: N;
  /** The request being answered (read what you need: cookies, `req.user`, headers). */
  readonly req: Request;
  /** The page's language (BCP 47), chosen by the `locale` option or `Accept-Language`. */
  readonly locale: string;
  /** The messages of that language: `t.text(key, params)`, `t.html(key, params)`. */
  readonly t: Translator;
  /** The document shell around a page's content: the host's `views.layout`, or the built-in one. */
  layout(content: PageContent): Promise<string>;
}

/** A view: its data and context in, the page's HTML out (a string, or a promise of one). */
export type ViewRenderer<N extends ViewName> = (
  data: ViewDataMap[N],
  context: ViewContext<N>,
) => string | Promise<string>;

/** The context of `views.layout`: the request, its language, and which view it wraps. */
export interface LayoutContext {
  readonly view: ViewName;
  readonly req: Request;
  readonly locale: string;
  readonly t: Translator;
}

/** The document shell: a page's parts in, the whole HTML document out. */
export type LayoutRenderer = (page: LayoutData, context: LayoutContext) => string | Promise<string>;

/** One renderer per view the host replaces. */
export type ViewRenderers = { readonly [N in ViewName]?: ViewRenderer<N> };

/**
 * The `views` option: renderers that replace built-in views, a layout that replaces the document
 * shell of every page (keeping the built-in views), and the CSP sources the host's pages need —
 * for every page (`all`) or for one view.
 */
export interface ViewOptions extends ViewRenderers {
  readonly layout?: LayoutRenderer;
  readonly csp?: { readonly [N in ViewName | 'all']?: CspSources };
}
