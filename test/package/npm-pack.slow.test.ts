/**
 * SLOW (about a minute: a build, `npm pack` and one `npm install` from the registry through the
 * npm cache). The packed tarball as a user gets it, in two fresh projects that share one install:
 *
 * - a TypeScript project (strict, `noUncheckedIndexedAccess`, library checks on) that mounts
 *   `createProvider()` on Express 5, guards a route, and runs: a token from the client
 *   credentials grant passes the guard, no token gets 401; and that hands
 *   `createOAuth2ServerModel(provider)` to `@node-oauth/oauth2-server` (its declarations against
 *   that library's own);
 * - an ESM JavaScript project that imports every subpath and finds exactly the listed names;
 * - a strict TypeScript host app with views of its own (`views-host-app.ts`), driven in Chromium:
 *   its async consent view with its own stylesheet, the pages in German, no CSP violation where
 *   the host allowed its stylesheet (and one where it did not: the check can fail).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ConsoleMessage } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { scaled } from '../support/time-scale';
import { ENTRY_POINTS, ESM_INTEROP_NAMES } from './public-api';
import { packTarball, ROOT, TSC } from './tarball';
import { VIEWS_CONSENT_TEMPLATE, VIEWS_SERVER } from './views-host-app';

let work: string;
let consumer: string;
let packedFiles: string[];

const TS_SERVER = `import express, { type Request } from 'express';
import {
  type ApplicationView,
  createProvider,
  type OAuthContext,
  type Provider,
  type ProviderEventMap,
} from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';
import type { StorageAdapter } from 'express-oauth-provider/storage';
import type { AddressInfo } from 'node:net';

const adapter: StorageAdapter = new MemoryAdapter({ purgeIntervalMs: 0 });
const provider: Provider = createProvider({
  adapter,
  issuer: 'http://127.0.0.1',
  scopes: {
    repo: { description: 'Repositories', includes: ['public_repo'] },
    public_repo: { description: 'Public' },
    'ci:status': { description: 'Commit statuses', holders: ['client'] },
  },
  currentUser: (req: Request) => (typeof req.headers['x-user'] === 'string' ? { id: req.headers['x-user'] } : null),
  loginUrl: '/login',
});
const issued: ProviderEventMap['token.issued'][] = [];
provider.events.on('token.issued', (event) => issued.push(event));

const app = express();
app.use(provider.router);
app.get('/api/statuses', provider.requireScope('ci:status'), (req, res) => {
  const context: OAuthContext | undefined = req.oauth;
  const client: ApplicationView | null = context?.client ?? null;
  res.json({ client: client?.clientId ?? null, scopes: context?.scopes ?? [] });
});

void provider.ready.then(() => {
const server = app.listen(0, '127.0.0.1', async () => {
  const base = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
  const { application, clientSecret } = await provider.applications.create(
    { name: 'CI', homepageUrl: 'https://ci.example', redirectUris: ['https://ci.example/cb'], confidential: true, scopes: [] },
    null,
  );
  const basic = Buffer.from(\`\${application.clientId}:\${clientSecret ?? ''}\`).toString('base64');
  const token = await fetch(\`\${base}/oauth/token\`, {
    method: 'POST',
    headers: { authorization: \`Basic \${basic}\`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=ci:status',
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const guarded = await fetch(\`\${base}/api/statuses\`, { headers: { authorization: \`Bearer \${accessToken}\` } });
  const anonymous = await fetch(\`\${base}/api/statuses\`);
  console.log(
    JSON.stringify({
      token: token.status,
      guarded: [guarded.status, await guarded.json()],
      anonymous: [anonymous.status, anonymous.headers.get('www-authenticate')],
      clientId: application.clientId,
      issued: issued.length,
    }),
  );
  server.close();
});
});
`;

/** The smallest provider options a consumer app passes (JavaScript and TypeScript alike). */
const MINIMAL_OPTIONS = `{
  adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
  issuer: 'http://127.0.0.1',
  scopes: { repo: { description: 'Repositories' } },
  currentUser: () => null,
  loginUrl: '/login',
}`;

const TS_OAUTH2_SERVER = `import OAuth2Server = require('@node-oauth/oauth2-server');
import { createProvider } from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';
import { createOAuth2ServerModel, type OAuth2ServerModel } from 'express-oauth-provider/oauth2-server';

const provider = createProvider(${MINIMAL_OPTIONS});
const model: OAuth2ServerModel = createOAuth2ServerModel(provider);
export const server: OAuth2Server = new OAuth2Server({ model });
export async function clientIdOf(clientId: string, secret: string): Promise<string | null> {
  const client: OAuth2Server.Client | OAuth2Server.Falsey = await model.getClient(clientId, secret);
  return client ? client.id : null;
}
`;

const ESM_MAIN = `const specifiers = ${JSON.stringify(ENTRY_POINTS.map((entry) => entry.specifier))};
const names = {};
for (const specifier of specifiers) names[specifier] = Object.keys(await import(specifier)).sort();
const { createProvider } = await import('express-oauth-provider');
const { MemoryAdapter } = await import('express-oauth-provider/adapters/memory');
const provider = createProvider(${MINIMAL_OPTIONS});
console.log(JSON.stringify({ names, basePath: provider.options.basePath }));
`;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'eop-pack-'));
  const packed = packTarball(work);
  packedFiles = packed.files;
  const devDependencies: Record<string, string> = JSON.parse(
    readFileSync(join(ROOT, 'package.json'), 'utf8'),
  ).devDependencies;
  consumer = join(work, 'consumer');
  mkdirSync(join(consumer, 'ts-app', 'src'), { recursive: true });
  mkdirSync(join(consumer, 'esm-app'), { recursive: true });
  const range = (name: string) => {
    const version = devDependencies[name];
    if (version === undefined) throw new Error(`no devDependency ${name} to take a version range from`);
    return version;
  };
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      dependencies: {
        'express-oauth-provider': `file:${packed.tarball}`,
        express: range('express'),
        mongoose: range('mongoose'),
        kysely: range('kysely'),
        '@node-oauth/oauth2-server': range('@node-oauth/oauth2-server'),
        '@types/express': range('@types/express'),
        '@types/node': range('@types/node'),
      },
    }),
  );
  // The @types peers are left for npm to install, as it does for a user.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], consumer);

  writeFileSync(join(consumer, 'ts-app', 'src', 'server.ts'), TS_SERVER);
  writeFileSync(join(consumer, 'ts-app', 'src', 'oauth2-server.ts'), TS_OAUTH2_SERVER);
  mkdirSync(join(consumer, 'views-app', 'src'), { recursive: true });
  writeFileSync(join(consumer, 'views-app', 'src', 'server.ts'), VIEWS_SERVER);
  writeFileSync(join(consumer, 'views-app', 'consent.html'), VIEWS_CONSENT_TEMPLATE);
  const strict = {
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      outDir: 'dist',
      rootDir: 'src',
    },
    include: ['src'],
  };
  writeFileSync(join(consumer, 'views-app', 'tsconfig.json'), JSON.stringify(strict));
  writeFileSync(join(consumer, 'ts-app', 'tsconfig.json'), JSON.stringify(strict));
  writeFileSync(join(consumer, 'esm-app', 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(consumer, 'esm-app', 'main.js'), ESM_MAIN);
}, scaled(300_000));

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the build, the README and the LICENSE, and no sources or tests', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js']),
    );
    const strays = packedFiles.filter(
      (file) =>
        (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
        file.includes('.test.') ||
        file.startsWith('test/'),
    );
    expect(strays).toEqual([]);
  });

  it('ships source maps with their sources inline (the .ts files are not in the tarball)', () => {
    const installed = join(consumer, 'node_modules', 'express-oauth-provider');
    const maps = packedFiles.filter((file) => file.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(20);
    for (const file of maps) {
      const map: { sources: string[]; sourcesContent?: (string | null)[] } = JSON.parse(
        readFileSync(join(installed, file), 'utf8'),
      );
      expect([file, map.sourcesContent?.length]).toEqual([file, map.sources.length]);
      expect(map.sourcesContent?.every((content) => typeof content === 'string' && content.length > 0)).toBe(
        true,
      );
    }
  });

  it('brings the type packages its declarations import, as peer dependencies npm installs', () => {
    for (const types of ['@types/express', '@types/passport-strategy']) {
      expect(existsSync(join(consumer, 'node_modules', types, 'package.json'))).toBe(true);
    }
    expect(readdirSync(join(consumer, 'node_modules', '@types'))).toEqual(
      expect.arrayContaining(['express', 'node', 'passport-strategy']),
    );
  });
});

describe('a strict TypeScript project on Express 5', () => {
  it(
    'compiles against the declarations (the oauth2-server model too) and runs: a client-credentials token passes the guard',
    () => {
      run(process.execPath, [TSC, '-p', join(consumer, 'ts-app')], consumer);
      const output = run(process.execPath, [join(consumer, 'ts-app', 'dist', 'server.js')], consumer);
      const result = JSON.parse(output.trim());
      expect(result.token).toBe(200);
      expect(result.guarded).toEqual([200, { client: result.clientId, scopes: ['ci:status'] }]);
      expect(result.anonymous[0]).toBe(401);
      expect(result.anonymous[1]).toMatch(/^Bearer realm=/);
      expect(result.issued).toBe(1);
    },
    scaled(120_000),
  );
});

describe('an ESM JavaScript project', () => {
  it(
    'imports every subpath and finds exactly the listed names',
    () => {
      const output = run(process.execPath, [join(consumer, 'esm-app', 'main.js')], join(consumer, 'esm-app'));
      const result: { names: Record<string, string[]>; basePath: string } = JSON.parse(output.trim());
      for (const entry of ENTRY_POINTS) {
        const names = (result.names[entry.specifier] ?? []).filter(
          (name) => !ESM_INTEROP_NAMES.includes(name),
        );
        expect([entry.specifier, names]).toEqual([entry.specifier, [...entry.values].sort()]);
      }
      expect(result.basePath).toBe('/oauth');
    },
    scaled(60_000),
  );
});

describe('a strict TypeScript host app with its own views, in Chromium', () => {
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;

  afterAll(() => {
    server?.kill();
  });

  /** Starts the compiled host app; resolves with the URL and client id it prints. */
  function start(): Promise<{ url: string; clientId: string }> {
    const child = spawn(process.execPath, [join(consumer, 'views-app', 'dist', 'server.js')], {
      cwd: join(consumer, 'views-app'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = child;
    return new Promise((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n')[0];
        if (output.includes('\n') && line !== undefined) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`the views host app exited with ${code}: ${output}`)));
    });
  }

  it(
    'compiles, shows its async consent view with its stylesheet in German, approves, and logs no CSP violation',
    async () => {
      run(process.execPath, [TSC, '-p', join(consumer, 'views-app')], consumer);
      const { url, clientId } = await start();
      browser = await launchChromium();
      const context = await browser.newContext({ locale: 'de-DE' });
      await context.addCookies([{ name: 'user', value: 'alice', url }]);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (message: ConsoleMessage) => {
        if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
      });

      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: `${url}/callback`,
        scope: 'repo',
        state: 's1',
      });
      await page.goto(`${url}/oauth/authorize?${query.toString()}`);
      expect(await page.textContent('#host-consent')).toBe('Host App autorisieren');
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.textContent('li')).toBe('Ihre Repositories');
      expect(await page.textContent('#deny')).toBe('Nein danke');
      expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(1, 2, 3)');
      await page.click('#approve');
      await page.waitForURL(/\/callback\?/);
      expect(await page.textContent('#code')).toMatch(/^eoc_/);

      await page.goto(`${url}/settings/tokens`);
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.textContent('h1')).toBe('Persönliche Zugriffstokens');
      expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(1, 2, 3)');
      expect(violations).toEqual([]);

      // The error view links the stylesheet too, but the host added no source for it there.
      await page.goto(`${url}/oauth/authorize?response_type=code&client_id=nobody`);
      expect(await page.textContent('h1')).toBe(
        'Diese Autorisierungsanfrage kann nicht abgeschlossen werden',
      );
      for (let i = 0; i < 50 && violations.length === 0; i += 1) await page.waitForTimeout(20);
      expect(violations).toEqual([expect.stringContaining('host.css')]);
      await context.close();
    },
    scaled(120_000),
  );
});
