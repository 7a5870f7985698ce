// Prints the single summary line `.ci/run` ends with: `Tests: N passed, N failed`.
// Suites that fail to run at all (a syntax error, a failing beforeAll) count as failed tests,
// so a broken file can never hide behind a green count.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${failed} failed${tail}\n`);
  }
}
module.exports = SummaryReporter;
