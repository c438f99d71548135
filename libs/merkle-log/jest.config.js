module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'merkle-log',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
