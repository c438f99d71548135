module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'console-ui',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
