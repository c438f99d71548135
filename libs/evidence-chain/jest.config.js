module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'evidence-chain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
