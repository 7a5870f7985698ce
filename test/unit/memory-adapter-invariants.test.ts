import { MemoryAdapter } from '../../adapters/memory';
import type {
  ApplicationRecord,
  TokenFilter,
  TokenPruning,
  TokenRecord,
} from '../../lib/storage/storage-adapter';
import { at, makeApplication, makeCode, makeGrant, makePersonalToken, makeToken } from '../../lib/testing';

/** Builds a record the type system would refuse, as buggy untyped core code might. */
function corrupt<T extends object>(record: T, changes: Record<string, unknown>): T {
  return Object.assign(record, changes);
}

describe('MemoryAdapter contract checks (memory-only)', () => {
  let adapter: MemoryAdapter;
  beforeEach(() => {
    adapter = new MemoryAdapter({ purgeIntervalMs: 0 });
  });

  const badTokens: [string, () => TokenRecord, RegExp][] = [
    ['an uppercase hash', () => makeToken({ hash: 'A'.repeat(64) }), /64 lowercase hex/],
    ['a plaintext token instead of a hash', () => makeToken({ hash: 'gho_secret' }), /SHA-256 hex digest/],
    [
      'scopes as a space-separated string',
      () => corrupt(makeToken(), { scopes: 'repo gist' }),
      /array of strings/,
    ],
    [
      'undefined instead of null',
      () => corrupt(makeToken(), { revokedAt: undefined }),
      /`revokedAt` is undefined/,
    ],
    ['a missing field', () => corrupt(makeToken(), { name: undefined }), /`name` is undefined/],
    ['an unknown field', () => corrupt(makeToken(), { token: 'gho_plain' }), /unknown field `token`/],
    [
      'expiresAt equal to createdAt',
      () => makeToken({ createdAt: at(5), expiresAt: at(5) }),
      /after `createdAt`/,
    ],
    ['an invalid date', () => makeToken({ createdAt: new Date('nope') }), /`createdAt` must be a valid Date/],
    ['an unknown kind', () => corrupt(makeToken(), { kind: 'bearer' }), /`kind` must be one of/],
    ['a challenge without a method', () => makeCode({ codeChallengeMethod: null }), /both be set/],
    [
      'a redirect URI on an access token',
      () => makeToken({ redirectUri: 'https://x' }),
      /authorization codes/,
    ],
    [
      'a personal token with an app',
      () => makePersonalToken({ applicationId: 'app' }),
      /applicationId: null/,
    ],
    ['a name on an access token', () => makeToken({ name: 'label' }), /personal access tokens only/],
  ];
  it.each(badTokens)('insertToken rejects %s with a TypeError naming the rule', async (_, make, message) => {
    const record = make();
    await expect(adapter.insertToken(record)).rejects.toThrow(TypeError);
    await expect(adapter.insertToken(record)).rejects.toThrow(message);
  });

  const badApplications: [string, () => ApplicationRecord, RegExp][] = [
    ['no redirect URI', () => makeApplication({ redirectUris: [] }), /at least one/],
    [
      'a redirect URI string',
      () => corrupt(makeApplication(), { redirectUris: 'https://x' }),
      /array of strings/,
    ],
    [
      'a plaintext secret',
      () => makeApplication({ clientSecretHash: 's3cret' }),
      /`clientSecretHash` must be 64/,
    ],
    ['a public client with a secret', () => makeApplication({ confidential: false }), /public application/],
    ['undefined ownerId', () => corrupt(makeApplication(), { ownerId: undefined }), /`ownerId` is undefined/],
  ];
  it.each(badApplications)('createApplication rejects %s', async (_, make, message) => {
    await expect(adapter.createApplication(make())).rejects.toThrow(message);
  });

  it('names duplicates: application id, clientId, token id and hash, grant id', async () => {
    const app = makeApplication();
    await adapter.createApplication(app);
    await expect(adapter.createApplication(makeApplication({ id: app.id }))).rejects.toThrow(
      /duplicate application id/,
    );
    await expect(adapter.createApplication(makeApplication({ clientId: app.clientId }))).rejects.toThrow(
      /duplicate clientId/,
    );
    const token = makeToken();
    await adapter.insertToken(token);
    await expect(adapter.insertToken(makeToken({ id: token.id }))).rejects.toThrow(/duplicate token id/);
    await expect(adapter.insertToken(makeToken({ hash: token.hash }))).rejects.toThrow(
      /duplicate token hash/,
    );
    const grant = makeGrant();
    await adapter.saveGrant(grant);
    await expect(adapter.saveGrant(makeGrant({ id: grant.id }))).rejects.toThrow(/duplicate grant id/);
    await expect(adapter.saveGrant(corrupt(makeGrant(), { scopes: 'repo' }))).rejects.toThrow(
      /array of strings/,
    );
  });

  it('updateApplication rejects fields outside the patch and a result that breaks the contract', async () => {
    const app = makeApplication();
    await adapter.createApplication(app);
    await expect(adapter.updateApplication(app.id, corrupt({}, { clientId: 'new' }))).rejects.toThrow(
      /`clientId` cannot be changed/,
    );
    await expect(adapter.updateApplication(app.id, { redirectUris: [] })).rejects.toThrow(/at least one/);
    await expect(adapter.updateApplication('unknown', { clientSecretHash: 'plain' })).rejects.toThrow(
      TypeError,
    );
    await expect(adapter.findApplicationById(app.id)).resolves.toEqual(app);
  });

  it('updateApplication treats an undefined patch value as "leave unchanged", null as a value', async () => {
    const app = makeApplication();
    await adapter.createApplication(app);
    await expect(
      adapter.updateApplication(app.id, { name: undefined, clientSecretHash: null }),
    ).resolves.toEqual({
      ...app,
      clientSecretHash: null,
    });
  });

  it('checks filters, dates and graceMs', async () => {
    await expect(adapter.revokeTokens({}, at(1))).rejects.toThrow(/empty filter/);
    await expect(adapter.revokeTokens({ userId: undefined }, at(1))).rejects.toThrow(/empty filter/);
    await expect(adapter.revokeTokens({ userId: '' }, at(1))).rejects.toThrow(/filter.userId/);
    const unknownField = corrupt<TokenFilter>({}, { revoked: false });
    await expect(adapter.listTokens(unknownField)).rejects.toThrow(/unknown filter field `revoked`/);
    await expect(adapter.revokeTokens({ userId: 'u' }, new Date(Number.NaN))).rejects.toThrow(/valid Date/);
    await expect(adapter.touchToken('id', new Date('x'))).rejects.toThrow(/valid Date/);
    await expect(adapter.consumeToken('code', 'a'.repeat(64), at(1), -1)).rejects.toThrow(/graceMs/);
    await expect(adapter.purgeExpired(new Date(Number.NaN))).rejects.toThrow(/`before`/);
  });

  it('checks what pruneTokens is given', async () => {
    const pruning: TokenPruning = {
      filter: { grantId: 'g' },
      kind: 'access',
      applicationId: 'a',
      userId: null,
      scopes: ['repo'],
      at: at(1),
      keep: 10,
      except: [],
    };
    await expect(adapter.pruneTokens(pruning)).resolves.toBe(0);
    await expect(adapter.pruneTokens({ ...pruning, filter: { grantId: undefined } })).rejects.toThrow(
      /empty filter/,
    );
    await expect(adapter.pruneTokens(corrupt({ ...pruning }, { kind: 'bearer' }))).rejects.toThrow(/kind/);
    await expect(adapter.pruneTokens(corrupt({ ...pruning }, { scopes: 'repo' }))).rejects.toThrow(
      /`scopes` must be an array/,
    );
    await expect(adapter.pruneTokens({ ...pruning, keep: -1 })).rejects.toThrow(/`keep`/);
    await expect(adapter.pruneTokens({ ...pruning, keep: 1.5 })).rejects.toThrow(/`keep`/);
    await expect(adapter.pruneTokens({ ...pruning, at: new Date('x') })).rejects.toThrow(/valid Date/);
    await expect(adapter.pruneTokens({ ...pruning, userId: '' })).rejects.toThrow(/`userId`/);
  });

  it('consumeToken returns copies', async () => {
    const code = makeCode();
    await adapter.insertToken(code);
    const first = await adapter.consumeToken('code', code.hash, at(1), 0);
    first?.record.scopes.push('admin');
    const second = await adapter.consumeToken('code', code.hash, at(2), 0);
    second?.record.consumedAt?.setTime(0);
    await expect(adapter.findTokenByHash(code.hash)).resolves.toEqual({ ...code, consumedAt: at(1) });
  });
});

describe('MemoryAdapter purge timer', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('purges every purgeIntervalMs until close()', async () => {
    jest.useFakeTimers({ now: at(0) });
    const adapter = new MemoryAdapter({ purgeIntervalMs: 1000 });
    const purge = jest.spyOn(adapter, 'purgeExpired');
    const token = makeToken({ createdAt: at(0), expiresAt: new Date(at(0).getTime() + 500) });
    await adapter.insertToken(token);

    jest.advanceTimersByTime(999);
    expect(purge).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(purge).toHaveBeenCalledTimes(1);
    expect(purge).toHaveBeenLastCalledWith(new Date(at(0).getTime() + 1000));
    await expect(adapter.findTokenByHash(token.hash)).resolves.toBeNull();

    adapter.close();
    jest.advanceTimersByTime(10_000);
    expect(purge).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
    adapter.close(); // idempotent
  });

  it('defaults to one minute, and 0 starts no timer', () => {
    jest.useFakeTimers();
    const adapter = new MemoryAdapter();
    const purge = jest.spyOn(adapter, 'purgeExpired');
    jest.advanceTimersByTime(59_999);
    expect(purge).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(purge).toHaveBeenCalledTimes(1);
    adapter.close();
    new MemoryAdapter({ purgeIntervalMs: 0 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never keeps the process alive (the timer is unref()ed)', () => {
    const setIntervalSpy = jest.spyOn(globalThis, 'setInterval');
    const adapter = new MemoryAdapter({ purgeIntervalMs: 60_000 });
    const timer = setIntervalSpy.mock.results[0]?.value;
    expect(timer?.hasRef()).toBe(false);
    adapter.close();
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31])('rejects purgeIntervalMs %p', (purgeIntervalMs) => {
    expect(() => new MemoryAdapter({ purgeIntervalMs })).toThrow(/`purgeIntervalMs` must be an integer/);
  });
});

describe('MemoryAdapter assertContract (issued token records)', () => {
  const plaintext = () => makeToken({ hash: 'gho_secret' });
  const withEnvironment = (value: string | undefined, run: () => void) => {
    const before = process.env.NODE_ENV;
    if (value === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = value;
    try {
      run();
    } finally {
      process.env.NODE_ENV = before;
    }
  };

  it('is on by default outside production (tests, development): a broken record throws', async () => {
    for (const environment of ['test', 'development', undefined]) {
      let adapter: MemoryAdapter | undefined;
      withEnvironment(environment, () => {
        adapter = new MemoryAdapter({ purgeIntervalMs: 0 });
      });
      await expect(adapter?.insertToken(plaintext())).rejects.toThrow(/SHA-256 hex digest/);
    }
  });

  it('is off by default under NODE_ENV=production, and the option wins either way', async () => {
    let production: MemoryAdapter | undefined;
    let forced: MemoryAdapter | undefined;
    withEnvironment('production', () => {
      production = new MemoryAdapter({ purgeIntervalMs: 0 });
      forced = new MemoryAdapter({ purgeIntervalMs: 0, assertContract: true });
    });
    await expect(production?.insertToken(plaintext())).resolves.toBeUndefined();
    await expect(forced?.insertToken(plaintext())).rejects.toThrow(/SHA-256 hex digest/);
    const off = new MemoryAdapter({ purgeIntervalMs: 0, assertContract: false });
    const record = plaintext();
    await off.insertToken(record);
    // The rules that protect data stay: a second record with the same id is refused.
    await expect(off.insertToken({ ...record, hash: 'b'.repeat(64) })).rejects.toThrow(/duplicate token id/);
    await expect(off.revokeTokens({}, new Date())).rejects.toThrow(/empty filter/);
  });

  it('refuses an assertContract that is not a boolean', () => {
    expect(() => new MemoryAdapter({ assertContract: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});
