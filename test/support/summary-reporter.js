const fs = require('node:fs');
const path = require('node:path');

// Prints the summary line `.ci/run` ends with, `Tests: N passed, N failed`, and writes it to
// test-artifacts/summary.txt so .ci/run can repeat it as its very last line. Suites that fail to
// run at all (a syntax error, a failing beforeAll) count as failed tests, so a broken file can
// never hide behind a green count.
class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunStart() {
    // jest.config.js measured the machine; every time limit of the suites is multiplied by this.
    process.stdout.write(
      `Time limits of the suites: ×${process.env.TEST_TIME_SCALE ?? '1'} (TEST_TIME_SCALE)\n`,
    );
  }

  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    const line = `Tests: ${results.numPassedTests} passed, ${failed} failed${tail}`;
    const dir = path.join(this.rootDir, 'test-artifacts');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
