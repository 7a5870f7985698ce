/**
 * One validator for every way in (issue 13 point 4): `provider.applications.create/update` and
 * `provider.personalTokens.create` refuse exactly what the settings JSON API refuses, with an
 * `InvalidFieldError` naming the field, before anything is stored.
 */
import {
  type ApplicationInput,
  checkApplicationInput,
  checkPersonalTokenInput,
  InvalidFieldError,
  InvalidRequestError,
  type Provider,
} from '../../lib';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

/** A provider on the adapter under test (the test host's scopes: user, repo ⊃ public_repo, gist). */
function makeProvider(extra: HostOptions = {}): Promise<TestHost> {
  return createTestHost(extra);
}

/** `POST /settings/api<path>` with a JSON body, as alice. */
function postAsAlice(t: TestHost, path: string, json: unknown) {
  return t.browser('alice').send(`/settings/api${path}`, { json });
}

const VALID: ApplicationInput = {
  name: 'My app',
  homepageUrl: 'https://myapp.example',
  redirectUris: ['https://myapp.example/cb'],
  confidential: true,
  scopes: [],
};

/** The error a promise rejects with (failing the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

async function fieldError(promise: Promise<unknown>): Promise<InvalidFieldError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidFieldError);
  expect(error).toBeInstanceOf(InvalidRequestError);
  return error as InvalidFieldError;
}

/** A field name as the JSON API spells it. */
const json = (field: string) =>
  field
    .replace('homepageUrl', 'homepage_url')
    .replace('redirectUris', 'redirect_uris')
    .replace('expiresIn', 'expires_in');

describe('applications.create() validates as the settings API does', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await makeProvider();
  });

  it.each<[string, string, Partial<ApplicationInput> | Record<string, unknown>, RegExp]>([
    [
      'plain http to a non-loopback host',
      'redirectUris[0]',
      { redirectUris: ['http://myapp.local/cb'] },
      /https/,
    ],
    ['a fragment', 'redirectUris[0]', { redirectUris: ['https://myapp.example/cb#x'] }, /fragment/],
    [
      'credentials in the URI',
      'redirectUris[0]',
      { redirectUris: ['https://u:p@myapp.example/cb'] },
      /credentials/,
    ],
    ['a custom scheme', 'redirectUris[0]', { redirectUris: ['javascript:alert(1)'] }, /http or https/],
    ['an undeclared scope', 'scopes', { scopes: ['admin'] }, /unknown scope "admin"/],
    ['an empty redirect list', 'redirectUris', { redirectUris: [] }, /non-empty/],
    [
      '21 redirect URIs',
      'redirectUris',
      { redirectUris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) },
      /at most 20/,
    ],
    ['an empty name', 'name', { name: '  ' }, /required/],
    ['a 101-character name', 'name', { name: 'x'.repeat(101) }, /at most 100/],
    ['a relative homepage', 'homepageUrl', { homepageUrl: '/home' }, /absolute URL/],
    ['a non-boolean confidential', 'confidential', { confidential: 'yes' }, /true or false/],
    [
      'a redirect list that is a string',
      'redirectUris',
      { redirectUris: 'https://myapp.example/cb' },
      /array/,
    ],
  ])(
    'refuses %s with an InvalidFieldError naming %s; nothing is stored',
    async (_case, field, change, problem) => {
      const input = { ...VALID, ...change } as ApplicationInput;
      const error = await fieldError(t.provider.applications.create(input, 'alice'));
      expect(error.field).toBe(field);
      expect(error.description).toMatch(problem);
      expect(await t.provider.applications.listOwned('alice')).toEqual([]);

      // The JSON API answers the same problem, naming the field as JSON clients spell it.
      const body = {
        name: input.name,
        homepage_url: input.homepageUrl,
        redirect_uris: input.redirectUris,
        confidential: input.confidential,
        scopes: input.scopes,
      };
      const answer = await postAsAlice(t, '/applications', body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: 'invalid_request',
        error_description: error.description.replace(field, json(field)),
      });
    },
  );

  it('answers an empty redirect list with a 400 field error, not a storage failure', async () => {
    const error = await rejection(t.provider.applications.create({ ...VALID, redirectUris: [] }, null));
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect(String((error as Error).message)).not.toMatch(/retry|unavailable/i);
  });

  it('accepts what the settings API accepts, and stores it normalised (trimmed, without repeats)', async () => {
    const { application, clientSecret } = await t.provider.applications.create(
      {
        ...VALID,
        name: '  My app ',
        redirectUris: ['https://myapp.example/cb', 'https://myapp.example/cb', 'http://127.0.0.1:8080/cb'],
        scopes: ['repo', 'repo'],
      },
      'alice',
    );
    expect(application.name).toBe('My app');
    expect(application.redirectUris).toEqual(['https://myapp.example/cb', 'http://127.0.0.1:8080/cb']);
    expect(application.scopes).toEqual(['repo']);
    expect(clientSecret).toMatch(/^eos_/);
  });

  it('lets plain http through for any host when allowHttpRedirectUris is on, as the settings API does', async () => {
    const open = await makeProvider({ allowHttpRedirectUris: true });
    const created = await open.provider.applications.create(
      { ...VALID, redirectUris: ['http://myapp.local/cb'] },
      null,
    );
    expect(created.application.redirectUris).toEqual(['http://myapp.local/cb']);
    const answer = await postAsAlice(open, '/applications', {
      name: 'x',
      homepage_url: 'https://x.example',
      redirect_uris: ['http://myapp.local/cb'],
    });
    expect(answer.status).toBe(201);
  });
});

describe('applications.update() validates as the settings API does', () => {
  let t: TestHost;
  let id: string;
  beforeEach(async () => {
    t = await makeProvider();
    id = (await t.provider.applications.create(VALID, 'alice')).application.id;
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['an empty redirect list', 'redirectUris', { redirectUris: [] }],
    ['plain http to a non-loopback host', 'redirectUris[0]', { redirectUris: ['http://myapp.local/cb'] }],
    ['an undeclared scope', 'scopes', { scopes: ['admin'] }],
    ['an empty name', 'name', { name: '' }],
    ['a changed client type', 'confidential', { confidential: false }],
  ])('refuses %s, naming %s, and changes nothing', async (_case, field, patch) => {
    const before = await t.provider.applications.findById(id);
    const error = await fieldError(t.provider.applications.update(id, patch));
    expect(error.field).toBe(field);
    expect(await t.provider.applications.findById(id)).toEqual(before);
  });

  it('changes the fields given, checked, and keeps the rest', async () => {
    const updated = await t.provider.applications.update(id, {
      name: ' Renamed ',
      redirectUris: ['https://myapp.example/new'],
      confidential: true,
    });
    expect(updated?.name).toBe('Renamed');
    expect(updated?.redirectUris).toEqual(['https://myapp.example/new']);
    expect(updated?.homepageUrl).toBe(VALID.homepageUrl);
  });

  it('never writes a field that is not part of an application input (e.g. the secret hash)', async () => {
    const before = await t.provider.applications.findById(id);
    const sneaky: Record<string, unknown> = {
      name: 'Renamed',
      clientSecretHash: '0'.repeat(64),
      ownerId: 'mallory',
    };
    await t.provider.applications.update(id, sneaky);
    const after = await t.provider.applications.findById(id);
    expect(after?.clientSecretHash).toBe(before?.clientSecretHash);
    expect(after?.ownerId).toBe('alice');
  });

  it('answers null for an application that does not exist', async () => {
    expect(await t.provider.applications.update('no-such-id', { name: 'x' })).toBeNull();
    expect(await t.provider.applications.update('no-such-id', { confidential: true })).toBeNull();
  });
});

describe('personalTokens.create() validates as the settings API does', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await makeProvider();
  });

  it.each<[string, string, [string, unknown, unknown], RegExp]>([
    ['an undeclared scope', 'scopes', ['ci', ['admin'], null], /unknown scope "admin"/],
    ['no scope', 'scopes', ['ci', [], null], /at least one scope/],
    ['an empty name', 'name', ['', ['repo'], null], /required/],
    ['a lifetime under a minute', 'expiresIn', ['ci', ['repo'], 10], /from 60 to 31622400/],
    ['a lifetime over 366 days', 'expiresIn', ['ci', ['repo'], 367 * 24 * 3600], /from 60 to 31622400/],
    ['a fractional lifetime', 'expiresIn', ['ci', ['repo'], 90.5], /whole number/],
    ['a lifetime as a string', 'expiresIn', ['ci', ['repo'], '3600'], /whole number/],
  ])(
    'refuses %s, naming %s; no token is stored',
    async (_case, field, [name, scopes, expiresIn], problem) => {
      const error = await fieldError(
        t.provider.personalTokens.create('alice', name, scopes as string[], expiresIn as number | null),
      );
      expect(error.field).toBe(field);
      expect(error.description).toMatch(problem);
      expect(await t.provider.personalTokens.list('alice')).toEqual([]);

      const answer = await postAsAlice(t, '/tokens', { name, scopes, expires_in: expiresIn });
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toBe(error.description.replace(field, json(field)));
    },
  );

  it('stores the scopes normalised, as the settings API does', async () => {
    const { record, token } = await t.provider.personalTokens.create(
      'alice',
      ' ci ',
      ['public_repo', 'repo'],
      3600,
    );
    expect(record.scopes).toEqual(['repo']);
    expect(record.name).toBe('ci');
    expect(token).toMatch(/^eop_/);
  });
});

describe('the exported validators', () => {
  let provider: Provider;
  beforeAll(async () => {
    provider = (await makeProvider()).provider;
  });

  it('report every field at once, with provider.options as the rules', () => {
    const checked = checkApplicationInput(
      { name: '', homepageUrl: 'nope', redirectUris: ['http://myapp.local/cb'], scopes: ['admin'] },
      provider.options,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((problem) => problem.field)).toEqual([
      'name',
      'homepageUrl',
      'redirectUris[0]',
      'scopes',
    ]);
  });

  it('return the value the services store', () => {
    expect(
      checkPersonalTokenInput({ name: 'laptop', scopes: ['repo', 'public_repo'] }, provider.options),
    ).toEqual({
      ok: true,
      value: { name: 'laptop', scopes: ['repo'], expiresIn: 30 * 24 * 3600 },
    });
  });
});
