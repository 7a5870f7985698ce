/**
 * The sources of the views host app that `npm-pack.slow.test.ts` builds from the packed tarball
 * (TypeScript strict): a host that replaces the consent view with an async one loading its own
 * template and stylesheet, wraps the layout with that stylesheet, translates the pages (German
 * messages and scope descriptions), and lets the stylesheet through the CSP of the consent and
 * tokens views only — so the error page, which links it too, shows what a violation looks like.
 */
export const VIEWS_SERVER = `import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type Request } from 'express';
import {
  type ConsentPageData,
  createProvider,
  DECISIONS,
  escapeHtml,
  FORM_FIELDS,
  renderLayout,
  type ViewContext,
} from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';

const STYLESHEET = '<link rel="stylesheet" href="/host.css">';

function signedIn(req: Request): string | null {
  return /(?:^|;\\s*)user=(\\w+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
}

/** The host's consent page: its own template, loaded when needed, in the page's language. */
async function consent(data: ConsentPageData, context: ViewContext<'consent'>): Promise<string> {
  const template = await readFile(join(__dirname, '..', 'consent.html'), 'utf8');
  const { t } = context;
  const hidden = Object.entries(data.fields)
    .map(([name, value]) => \`<input type="hidden" name="\${escapeHtml(name)}" value="\${escapeHtml(value)}">\`)
    .join('');
  const scopes = data.scopes.map((scope) => \`<li>\${escapeHtml(scope.description)}</li>\`).join('');
  return template
    .replaceAll('{{lang}}', escapeHtml(context.locale))
    .replaceAll('{{title}}', escapeHtml(t.text('consent.title', { app: data.application.name })))
    .replace('{{stylesheet}}', STYLESHEET)
    .replace('{{scopes}}', scopes)
    .replace(
      '{{form}}',
      \`<form method="post" action="\${escapeHtml(data.action)}">\${hidden}
<button id="approve" name="\${FORM_FIELDS.decision}" value="\${DECISIONS.approve}">\${escapeHtml(t.text('consent.approve', { app: data.application.name }))}</button>
<button id="deny" name="\${FORM_FIELDS.decision}" value="\${DECISIONS.deny}">\${escapeHtml(t.text('consent.deny'))}</button></form>\`,
    );
}

const provider = createProvider({
  adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
  issuer: 'http://127.0.0.1',
  scopes: { repo: { description: 'Your repositories' } },
  currentUser: (req) => {
    const user = signedIn(req);
    return user === null ? null : { id: user, username: user };
  },
  loginUrl: '/login',
  messages: { de: { 'consent.deny': 'Nein danke', scopes: { repo: 'Ihre Repositories' } } },
  views: {
    consent,
    layout: (page) => renderLayout({ ...page, head: page.head + STYLESHEET }),
    csp: { consent: { styleSrc: ["'self'"] }, tokens: { styleSrc: ["'self'"] } },
  },
  purgeIntervalSeconds: 0,
});

const app = express();
app.get('/host.css', (_req, res) => {
  res.type('text/css').send('body { background-color: rgb(1, 2, 3); color: rgb(250, 250, 250); }');
});
app.get('/callback', (req, res) => {
  res.type('html').send(\`<!doctype html><title>callback</title><p id="code">\${escapeHtml(String(req.query.code ?? ''))}</p>\`);
});
app.use(provider.router);
app.use('/settings', provider.settingsRouter);

const server = app.listen(0, '127.0.0.1', async () => {
  const url = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
  const { application } = await provider.applications.create(
    { name: 'Host App', homepageUrl: 'https://host.example', redirectUris: [\`\${url}/callback\`], confidential: true, scopes: [] },
    null,
  );
  console.log(JSON.stringify({ url, clientId: application.clientId }));
});
`;

/** The consent page's template, read by the async view at every render. */
export const VIEWS_CONSENT_TEMPLATE = `<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><title>{{title}}</title>{{stylesheet}}</head>
<body><h1 id="host-consent">{{title}}</h1><ul>{{scopes}}</ul>{{form}}</body></html>
`;
