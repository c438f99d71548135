// Shared Jest settings. TypeScript is compiled by SWC (fast on 2 cores); jose ships ES modules
// only, so it is transformed too. Workspace packages map to their sources so tests need no build.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@chaperone/test-apiserver$': path.join(__dirname, 'test/apiserver/src/index.ts'),
    '^@chaperone/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    '^@chaperone/([a-z0-9-]+)/testing$': path.join(__dirname, 'libs/$1/src/testing/index.ts'),
  },
};
