/**
 * Jest projects (`npm test` runs them all; `npm run test:fast` is the inner loop):
 * - `fast`: unit, compliance, http, oauth2-server, adapters (memory, custom, SQLite) and package suites, on the
 *   memory adapter;
 * - `slow`: mongo, sql, reliability, e2e and browser suites, the Mongo and PostgreSQL adapters'
 *   own suites, and the packed tarball (`npm-pack.slow.test.ts`);
 * - one `adapter:<name>` project per entry of SUITE_ADAPTERS: the compliance, HTTP and
 *   oauth2-server suites again, on that adapter (test/support/adapters.ts reads `TEST_ADAPTER`; `ADAPTER=<name>` overrides it for
 *   every project, e.g. `ADAPTER=postgres npm run test:fast`).
 * A database server's global setup belongs to the projects that need that server only: the fast
 * project starts none, `adapter:mongo` only FerretDB, `adapter:postgres` only PostgreSQL.
 */
const { createHash } = require('node:crypto');

/** The adapters (besides memory) the compliance and HTTP suites also run on. */
const SUITE_ADAPTERS = ['mongo', 'postgres', 'sqlite'];

/**
 * How much slower than an idle reference machine this one is right now: a few milliseconds of
 * hashing, timed. The suites multiply their time limits by it (test/support/time-scale.ts);
 * `TEST_TIME_SCALE` set by hand wins.
 */
function timeScale() {
  const given = Number(process.env.TEST_TIME_SCALE);
  if (Number.isFinite(given) && given >= 1) return given;
  /** The median round below on an idle machine of this kind. */
  const REFERENCE_MS = 3.5;
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const started = process.hrtime.bigint();
    let data = Buffer.alloc(64 * 1024, round);
    for (let i = 0; i < 50; i += 1)
      data = Buffer.concat([createHash('sha256').update(data).digest(), data.subarray(32)]);
    rounds.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const median = rounds.sort((a, b) => a - b)[2];
  return Math.min(8, Math.max(1, Math.ceil((2 * median) / REFERENCE_MS) / 2));
}
process.env.TEST_TIME_SCALE = String(timeScale());

const base = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '^.+\\.js$': ['@swc/jest'] },
  // oauth4webapi (the example playground's client) ships only ES modules; compile it to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
};

/**
 * The database servers, by the adapter that needs one: MONGODB_URI or a FerretDB, DATABASE_URL
 * or a throwaway PostgreSQL cluster. Each setup starts its server once per run, however many
 * projects name it.
 */
const SERVERS = {
  mongo: {
    globalSetup: '<rootDir>/test/support/mongo-global-setup.ts',
    globalTeardown: '<rootDir>/test/support/mongo-global-teardown.ts',
  },
  postgres: {
    globalSetup: '<rootDir>/test/support/postgres-global-setup.ts',
    globalTeardown: '<rootDir>/test/support/postgres-global-teardown.ts',
  },
};
/** Both servers, side by side (test/support/global-setup.ts). */
const allServers = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
const serverFor = (adapter) => SERVERS[adapter] ?? {};

const SUITES = [
  '<rootDir>/test/compliance/**/*.test.ts',
  '<rootDir>/test/http/**/*.test.ts',
  // The @node-oauth/oauth2-server model (express-oauth-provider/oauth2-server), on every adapter.
  '<rootDir>/test/oauth2-server/**/*.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: Math.round(30_000 * Number(process.env.TEST_TIME_SCALE)),
  // One summary line for .ci/run is produced by test/support/summary-reporter.js.
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...base,
      // `ADAPTER=mongo npm run test:fast` runs the fast suites on Mongo: then it needs the server.
      ...serverFor(process.env.ADAPTER),
      displayName: 'fast',
      testMatch: [
        '<rootDir>/test/unit/**/*.test.ts',
        ...SUITES,
        '<rootDir>/test/adapters/memory-adapter.test.ts',
        '<rootDir>/test/adapters/custom-adapter.test.ts',
        '<rootDir>/test/adapters/sql-sqlite.test.ts',
        '<rootDir>/test/package/**/*.test.ts',
      ],
      testPathIgnorePatterns: ['/node_modules/', '\\.slow\\.test\\.ts$'],
      globals: { TEST_ADAPTER: 'memory' },
    },
    {
      ...base,
      ...allServers,
      displayName: 'slow',
      testMatch: [
        '<rootDir>/test/mongo/**/*.test.ts',
        '<rootDir>/test/sql/**/*.test.ts',
        '<rootDir>/test/reliability/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        '<rootDir>/test/browser/**/*.test.ts',
        '<rootDir>/test/adapters/mongo-*.test.ts',
        '<rootDir>/test/adapters/sql-postgres.test.ts',
        '<rootDir>/test/package/**/*.slow.test.ts',
      ],
    },
    ...SUITE_ADAPTERS.map((name) => ({
      ...base,
      ...serverFor(name),
      displayName: `adapter:${name}`,
      testMatch: SUITES,
      globals: { TEST_ADAPTER: name },
    })),
  ],
};
