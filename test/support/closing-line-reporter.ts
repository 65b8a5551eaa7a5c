// Prints one machine-greppable closing line after vitest's own summary:
//
//   tests: 12 passed, 0 failed
//   tests: 12 passed, 1 failed, 3 skipped
//
// Anyone reading a CI log (or a script tailing it) gets the verdict from the
// last line without parsing vitest's coloured, version-dependent summary.
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  private vitest: Vitest | undefined;
  private pendingLine: string | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  // The counts come from the TestModule API of onTestRunEnd, but printing is
  // deferred to onFinished: vitest 3.2 fires onTestRunEnd for every reporter
  // before any onFinished, and the default reporter writes its summary
  // synchronously in onFinished. Reporters run in config order, so printing
  // here in onFinished puts our line after the summary instead of above it.
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      let failedInModule = 0;
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedInModule += 1;
        // "pending" only survives an interrupted run: those tests never ran,
        // which is what "skipped" tells the reader.
        else skipped += 1;
      }
      // A file can fail with no failing test: an import/syntax error, or a
      // beforeAll/afterAll hook throwing. Count it once so "0 failed" always
      // means the run was green, never a hidden red file.
      if (failedInModule === 0 && testModule.state() === 'failed') failedInModule = 1;
      failed += failedInModule;
    }
    // Errors thrown outside any test (e.g. an unawaited rejection) also fail
    // the run in vitest, so they count as failures here too.
    failed += unhandledErrors.length;

    this.pendingLine = `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  }

  onFinished(): void {
    if (this.pendingLine === undefined) return;
    const line = this.pendingLine;
    this.pendingLine = undefined;
    // Same logger (and stream) as the default reporter, so ordering holds.
    if (this.vitest) this.vitest.logger.log(line);
    else process.stdout.write(`${line}\n`);
  }
}
