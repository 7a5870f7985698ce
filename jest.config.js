/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '^.+\\.js$': ['@swc/jest'] },
  // oauth4webapi (the example playground's client) ships only ES modules; compile it to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  testTimeout: 30000,
  // A MongoDB-protocol server for the Mongo adapter's tests: MONGODB_URI, or a FerretDB started here.
  globalSetup: '<rootDir>/test/support/mongo-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/mongo-global-teardown.ts',
  // One summary line for .ci/run is produced by test/support/summary-reporter.js.
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
