import type { MessageKey } from '../messages/catalog';
import { html, type RawHtml } from './html';
import type { ViewContext } from './view-types';

/** What every settings page needs: where it is mounted, who is signed in, the form token. */
export interface SettingsFrame {
  /** The settings router's mount path (`req.baseUrl`), e.g. `/settings`. */
  baseUrl: string;
  /** CSRF token for this browser and user, put in every form. */
  csrfToken: string;
  username: string;
  /** The navigation entry to highlight. */
  active: 'applications' | 'authorizations' | 'tokens' | null;
}

/** The settings pages' stylesheet: navigation, tables and forms. */
export const SETTINGS_STYLE = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff;margin:0;line-height:1.5}
header{border-bottom:1px solid #d1d9e0;background:#f6f8fa}
header .bar{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header .brand{font-weight:600;margin-right:auto}
header nav a{margin-right:1rem;color:#1f2328;text-decoration:none;padding:.3rem .1rem;border-bottom:2px solid transparent}
header nav a.active{border-bottom-color:#fd8c73;font-weight:600}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid #d1d9e0}
a{color:#0969da}.muted{color:#59636e}.small{font-size:.875rem}
code{background:#f6f8fa;padding:.1rem .35rem;border-radius:4px;font-size:.9em;overflow-wrap:break-word}
table{width:100%;border-collapse:collapse;margin:.5rem 0 1rem}
th,td{text-align:left;padding:.55rem .6rem;border-bottom:1px solid #d1d9e0;vertical-align:top}
th{font-size:.85rem;color:#59636e;font-weight:600}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin:.15rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1.2rem;margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.field{margin:0 0 1.1rem}.field>label,.field legend{display:block;font-weight:600;margin-bottom:.3rem}
fieldset.field{border:0;padding:0}
input[type=text],input[type=url],textarea,select{font:inherit;width:100%;max-width:32rem;padding:.4rem .55rem;border:1px solid #d1d9e0;border-radius:6px}
textarea{min-height:5.5rem;font-family:ui-monospace,monospace;font-size:.9rem}
.field>label.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.3rem 0;font-weight:400}.choice input{margin:.35rem 0 0}
.hint{color:#59636e;font-size:.875rem;margin:.2rem 0 0}
.invalid input,.invalid textarea,.invalid select{border-color:#d1242f}
.field-error{color:#d1242f;font-size:.9rem;margin:.25rem 0 0}
button,.button{font:inherit;font-size:.95rem;padding:.4rem 1rem;border-radius:6px;border:1px solid #d1d9e0;background:#f6f8fa;color:#1f2328;cursor:pointer;text-decoration:none;display:inline-block}
button.primary,.button.primary{background:#1f883d;border-color:#1f883d;color:#fff}
button.danger{color:#d1242f}button.danger:hover{background:#d1242f;color:#fff}
form.inline{display:inline-block;margin:0 .4rem .4rem 0}
.notice{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:.6rem .9rem;margin:0 0 1rem}
.once{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.8rem 1rem;margin:0 0 1.5rem}
.once code{display:block;word-break:break-all;margin:.5rem 0;padding:.5rem .7rem;font-size:1rem;background:#fff;border:1px solid #d4a72c}
.danger-zone{border:1px solid #d1242f;border-radius:6px;padding:1rem}
.danger-zone p{margin:.2rem 0 .6rem}
.empty{border:1px dashed #d1d9e0;border-radius:6px;padding:1.2rem;color:#59636e;text-align:center}
.title-row{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}`;

function navLink(frame: { baseUrl: string; active: string | null }, key: string, label: string): RawHtml {
  const href = `${frame.baseUrl}/${key}`;
  return frame.active === key
    ? html`<a class="active" aria-current="page" href="${href}">${label}</a>`
    : html`<a href="${href}">${label}</a>`;
}

function sectionHeader(context: ViewContext, brand: string, nav: RawHtml[], username: string): RawHtml {
  const { t } = context;
  return html`<header><div class="bar"><span class="brand">${brand}</span>
<nav>${nav}</nav>
<span class="muted small">${t.html('layout.signedInAs', { user: html`<strong>${username}</strong>` })}</span></div></header>`;
}

/** The two framed sections: their brand and navigation, as message keys. */
const SECTIONS = {
  settings: {
    brand: 'settings.brand',
    nav: [
      ['applications', 'settings.nav.applications'],
      ['authorizations', 'settings.nav.authorizations'],
      ['tokens', 'settings.nav.tokens'],
    ],
  },
  admin: {
    brand: 'admin.brand',
    nav: [
      ['applications', 'admin.nav.applications'],
      ['users', 'admin.nav.users'],
    ],
  },
} as const satisfies Record<string, { brand: MessageKey; nav: readonly (readonly [string, MessageKey])[] }>;

interface SectionFrames {
  settings: SettingsFrame;
  admin: AdminFrame;
}

/**
 * A complete settings or admin page: the section's navigation, the signed-in user, then `body`.
 * No script anywhere.
 */
export function sectionPage<K extends keyof SectionFrames>(
  context: ViewContext,
  kind: K,
  frame: SectionFrames[K],
  { title, body }: { title: string; body: RawHtml },
): Promise<string> {
  const { t } = context;
  const section = SECTIONS[kind];
  const nav = section.nav.map(([key, label]) => navLink(frame, key, t.text(label)));
  return context.layout({
    title,
    kind,
    header: sectionHeader(context, t.text(section.brand), nav, frame.username),
    body: html`<main>${body}</main>`,
  });
}

/** What the navigation of the admin pages needs (the admin router's frame). */
export interface AdminFrame {
  /** The admin router's mount path (`req.baseUrl`), e.g. `/admin`. */
  baseUrl: string;
  /** CSRF token for this browser and administrator, put in every form. */
  csrfToken: string;
  username: string;
  active: 'applications' | 'users' | null;
}

/** What the error page of a settings or admin page shows (views `settingsError`, `adminError`). */
export interface SectionErrorViewData<Frame = SettingsFrame> {
  /** The navigation, when the user was known before the error; else `null`. */
  frame: Frame | null;
  status: number;
  /** A heading for the status ("Not found", "Forbidden", …), in the page's language. */
  heading: string;
  /** What went wrong, in the page's language. */
  description: string;
}

/** An error page of a section: the status, what went wrong, a way back to the section. */
function sectionErrorPage<K extends keyof SectionFrames>(kind: K, backKey: MessageKey) {
  return function renderSectionError(
    data: SectionErrorViewData<SectionFrames[K]>,
    context: ViewContext,
  ): Promise<string> {
    const body = html`<h1>${data.heading}</h1><p>${data.description}</p>`;
    if (data.frame === null) {
      return context.layout({ title: data.heading, kind, body: html`<main>${body}</main>` });
    }
    const back = html`<p><a href="${data.frame.baseUrl}/applications">${context.t.text(backKey)}</a></p>`;
    return sectionPage(context, kind, data.frame, { title: data.heading, body: html`${body}${back}` });
  };
}

/** The built-in settings error page: the status, what went wrong, a way back. */
export const renderSettingsError = sectionErrorPage('settings', 'errorPage.backToSettings');

/** The built-in admin error page (a 403 for someone who is not an administrator, a 404, …). */
export const renderAdminError = sectionErrorPage('admin', 'errorPage.backToAdmin');

/** A UTC timestamp for tables, with the exact instant in `datetime`; `fallback` when there is none. */
export function formatDate(date: Date | null, fallback: string): RawHtml {
  if (date === null) return html`<span class="muted">${fallback}</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

/** A confirmation line after a redirect ("Application deleted."). */
export function noticeBox(notice: string | null): RawHtml {
  return notice === null ? html`` : html`<p class="notice" role="status">${notice}</p>`;
}

/** Scope names with their descriptions, as a list. */
export function scopeList(
  scopes: readonly { name: string; description: string }[],
  emptyText: string,
): RawHtml {
  if (scopes.length === 0) return html`<span class="muted">${emptyText}</span>`;
  return html`<ul class="plain">${scopes.map((scope) => html`<li><code>${scope.name}</code> <span class="muted small">${scope.description}</span></li>`)}</ul>`;
}
