/**
 * The conformance suite, unchanged, against the example JSON-file adapter
 * (examples/custom-adapter): a fresh temporary directory per adapter, removed after its test.
 * Then the example provider runs on it once, to show the adapter is all a provider needs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileAdapter } from '../../examples/custom-adapter/json-file-adapter';
import { runAdapterConformance } from '../../lib/testing';
import { type AdapterFactory, given } from '../support/adapters';
import { createExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { field } from '../support/user-agent';

/** The JSON-file adapter in a temporary directory of its own. */
const jsonFile: AdapterFactory = {
  name: 'json-file',
  async create() {
    const directory = await mkdtemp(join(tmpdir(), 'json-file-adapter-'));
    return {
      adapter: new JsonFileAdapter({ directory }),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
};

runAdapterConformance(() => jsonFile.create(), { label: 'JsonFileAdapter' });

describe('the example provider on the JSON-file adapter', () => {
  it('runs the code flow, and its files hold only hashes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'json-file-provider-'));
    try {
      const provider = await createExampleHost({
        adapter: given(new JsonFileAdapter({ directory })),
        listen: true,
      });
      const alice = provider.browser();
      await flows.login(alice);
      const app = await flows.registerViaApi(alice, { confidential: false });
      const { accessToken, refreshToken } = await flows.issueTokens(alice, alice, {
        client: app,
        scope: 'user repo',
      });
      expect((await flows.callApi(alice, '/api/user', accessToken)).body).toEqual({
        id: '1',
        login: 'alice',
      });
      const rotated = await flows.refresh(alice, app, refreshToken);
      expect(rotated.status).toBe(200);
      expect((await flows.refresh(alice, app, refreshToken)).body.error).toBe('invalid_grant');
      expect((await flows.callApi(alice, '/api/user', field(rotated, 'access_token'))).status).toBe(401);
      const stored = await readFile(join(directory, 'tokens.json'), 'utf8');
      expect(stored).not.toContain(accessToken.slice(4));
      expect(stored).not.toContain(refreshToken.slice(4));
      await provider.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
