/**
 * For tests that run the CLI in-process (main() called directly): stdout and stderr are captured,
 * not printed, for each test of the file, and process.exitCode is reset after each test.
 */
export interface Captured {
  /** What the test wrote to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Forgets what was written so far (several runs in one test). */
  clear(): void;
}

/** Registers the capture's beforeEach/afterEach; call it at the top of a test file. */
export function captureOutput(): Captured {
  let out: jest.SpyInstance | undefined;
  let err: jest.SpyInstance | undefined;
  beforeEach(() => {
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    out?.mockRestore();
    err?.mockRestore();
    process.exitCode = undefined;
  });
  const text = (spy: jest.SpyInstance | undefined) => (spy?.mock.calls ?? []).map((c) => String(c[0])).join('');
  return {
    stdout: () => text(out),
    stderr: () => text(err),
    clear: () => {
      out?.mockClear();
      err?.mockClear();
    },
  };
}
