module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ingress',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
