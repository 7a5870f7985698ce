/**
 * Rows from before audiences (RFC 8707; migration 0004): the migration adds a nullable
 * `audience` column to grants and tokens without a backfill, so existing rows, and rows an older
 * provider version inserts during a rolling deploy, hold `NULL` there (the raw statements say
 * `RETURNING id` because the SQLite store's `query` reads rows). They read as the empty
 * audience the storage contract says such a record has (issued without `resource`).
 */
import { makeGrant, makeToken } from '../../lib/testing';
import { openSqlStore, type SqlStore } from '../support/sql-adapters';

describe.each(['postgres', 'sqlite'] as const)('SQL rows without audience on %s', (dialect) => {
  let store: SqlStore;

  beforeAll(async () => {
    store = await openSqlStore(dialect, 'audiences_before');
  });

  afterAll(async () => {
    await store?.cleanup();
  });

  it('a token and a grant whose audience is NULL read as an empty audience, and still update', async () => {
    const token = makeToken({ audience: ['https://host.example/mcp'] });
    const grant = makeGrant({ audience: ['https://host.example/mcp'] });
    await store.adapter.insertToken(token);
    await store.adapter.saveGrant(grant);
    await store.query('UPDATE oauth_tokens SET audience = NULL RETURNING id');
    await store.query('UPDATE oauth_grants SET audience = NULL RETURNING id');
    await expect(store.adapter.findTokenByHash(token.hash)).resolves.toEqual({ ...token, audience: [] });
    await expect(store.adapter.findGrantById(grant.id)).resolves.toEqual({ ...grant, audience: [] });
    const saved = await store.adapter.saveGrant({ ...grant, audience: ['https://host.example/api'] });
    expect(saved.audience).toEqual(['https://host.example/api']);
  });

  it('a token row inserted without the column (an older version, rolling deploy) reads as an empty audience', async () => {
    const token = makeToken({ audience: ['https://host.example/api'] });
    await store.adapter.insertToken(token);
    const mark = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
    const [row] = await store.query(`SELECT * FROM oauth_tokens WHERE id = ${mark(1)}`, [token.id]);
    if (row === undefined) throw new Error('the token row is missing');
    await store.query(`DELETE FROM oauth_tokens WHERE id = ${mark(1)} RETURNING id`, [token.id]);
    const columns = Object.keys(row).filter((column) => column !== 'audience' && column !== 'seq');
    const placeholders = columns.map((_, index) => mark(index + 1)).join(', ');
    await store.query(
      `INSERT INTO oauth_tokens (${columns.join(', ')}) VALUES (${placeholders}) RETURNING id`,
      columns.map((column) => row[column]),
    );
    await expect(store.adapter.findTokenByHash(token.hash)).resolves.toEqual({ ...token, audience: [] });
  });
});
