// One jest configuration for every workspace: ts-jest in ESM mode (the actions and their
// @actions/* dependencies are ESM-only). Run with NODE_OPTIONS=--experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
  testTimeout: 120000,
  // Two workers on CI's two cores (jest's default there is one): most suites wait on child
  // processes, sockets and timers rather than the CPU. Measured on this 2-core machine: 127
  // suites in 793 s with one worker, 461 s with two.
  maxWorkers: 2,
};
