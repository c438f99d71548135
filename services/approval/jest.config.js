module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'approval',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
