/**
 * The conformance suite, unchanged, against the example JSON-file adapter
 * (examples/custom-adapter): a fresh temporary directory per adapter, removed after each test.
 * Then the example provider runs on it once, to show the adapter is all a provider needs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileAdapter } from '../../examples/custom-adapter/json-file-adapter';
import { createExampleProvider } from '../../examples/provider/app';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { runAdapterConformance } from '../../lib/testing';
import { ExampleHttp, field, serve } from '../support/example-http';

const directories = new Map<StorageAdapter, string>();

runAdapterConformance(
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'json-file-adapter-'));
    const adapter = new JsonFileAdapter({ directory });
    directories.set(adapter, directory);
    return adapter;
  },
  {
    label: 'JsonFileAdapter',
    async teardown(adapter) {
      const directory = directories.get(adapter);
      directories.delete(adapter);
      if (directory !== undefined) await rm(directory, { recursive: true, force: true });
    },
  },
);

describe('the example provider on the JSON-file adapter', () => {
  it('runs the code flow, and its files hold only hashes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'json-file-provider-'));
    const adapter = new JsonFileAdapter({ directory });
    const provider = await serve((issuer) => createExampleProvider({ adapter, issuer }).app);
    try {
      const alice = new ExampleHttp(provider.url);
      await alice.login();
      const app = await alice.registerApp({ confidential: false });
      const { accessToken, refreshToken } = await alice.issueTokens(app);
      expect((await alice.apiUser(accessToken)).body).toEqual({ id: '1', login: 'alice' });
      const rotated = await alice.refresh(app, refreshToken);
      expect(rotated.status).toBe(200);
      expect((await alice.refresh(app, refreshToken)).body.error).toBe('invalid_grant');
      expect((await alice.apiUser(field(rotated, 'access_token'))).status).toBe(401);
      const stored = await readFile(join(directory, 'tokens.json'), 'utf8');
      expect(stored).not.toContain(accessToken.slice(4));
      expect(stored).not.toContain(refreshToken.slice(4));
    } finally {
      await provider.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
