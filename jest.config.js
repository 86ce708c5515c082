/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // End-to-end suites start their own emulator; keep the 2-core machine from thrashing.
  maxWorkers: 2,
  testTimeout: 60000,
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/setup.ts'],
};
