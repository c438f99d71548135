module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'test-apiserver',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Every test drives the real kubectl (a process each): on 2 shared cores that can take seconds.
  testTimeout: 30_000,
};
