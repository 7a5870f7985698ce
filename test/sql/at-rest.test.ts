/**
 * DESIGN "Tokens and secrets at rest" on the SQL adapter (PostgreSQL, then SQLite): the database
 * stores only a SHA-256 hash of every token, code and client secret, so a leaked database yields
 * no usable credential. The example provider issues one of everything (test/support/at-rest.ts)
 * on a database of its own; then every row of every table is read raw, through the driver, and
 * searched.
 */
import { given } from '../support/adapters';
import { expectOnlyHashesAtRest, issueOneOfEverything } from '../support/at-rest';
import { createExampleHost } from '../support/example-host';
import { openSqlStore, type SqlStore } from '../support/sql-adapters';

describe.each(['postgres', 'sqlite'] as const)('secrets at rest in SQL (%s)', (dialect) => {
  let store: SqlStore;

  beforeAll(async () => {
    store = await openSqlStore(dialect, 'at_rest');
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  it('no issued secret, nor its random part, appears in any row; only hashes do', async () => {
    const host = await createExampleHost({ adapter: given(store.adapter) });
    const secrets = await issueOneOfEverything(host);
    const { tables, rows } = await store.dump();
    expect(tables).toEqual(
      expect.arrayContaining(['oauth_applications', 'oauth_grants', 'oauth_tokens', 'oauth_migrations']),
    );
    expectOnlyHashesAtRest(secrets, rows);
  });
});
