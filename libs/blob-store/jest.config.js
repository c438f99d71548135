module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'blob-store',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
