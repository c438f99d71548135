module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'test-apiserver',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
