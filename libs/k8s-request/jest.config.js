module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'k8s-request',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
