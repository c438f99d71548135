module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'exporter',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
