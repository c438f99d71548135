module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'k8s-status',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
