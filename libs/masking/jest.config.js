module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'masking',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
