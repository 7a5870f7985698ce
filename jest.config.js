/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '^.+\\.js$': ['@swc/jest'] },
  // oauth4webapi (the example playground's client) ships only ES modules; compile it to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  testTimeout: 30000,
  // The adapters' database servers: MONGODB_URI or a FerretDB, DATABASE_URL or a PostgreSQL cluster.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // One summary line for .ci/run is produced by test/support/summary-reporter.js.
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
