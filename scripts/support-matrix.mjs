// What loyal-auth supports is what it tests. This file is the one list of both: the
// install test installs these exact versions from the registry, `check-packages` refuses a
// peer range in a package.json that differs from `range` here, and the README's
// "Supported versions" table is written from it.

/** Node: the install test runs on the machine's Node (the oldest, 20); CI adds the newest. */
export const node = { engines: '>=20', oldest: '20', newest: '24' }

/**
 * Per package: each peer's declared range, and the two peer sets installed from the registry.
 * `oldest` pins the floor of every range; `newest` takes the newest release of the top major.
 * `extra` are packages the install test needs beside the peers (not peers themselves).
 */
export const packages = {
  '@loyal-auth/core': { peers: {}, oldest: [], newest: [] },
  '@loyal-auth/testing': { peers: {}, oldest: [], newest: [] },
  '@loyal-auth/axios': {
    peers: { axios: '^1.7.0' },
    oldest: ['axios@1.7.0'],
    newest: ['axios@^1'],
  },
  '@loyal-auth/express': {
    peers: { express: '^4.21.0 || ^5.0.0' },
    oldest: ['express@4.21.0'],
    newest: ['express@^5'],
    types: ['@types/express@^5'],
  },
  '@loyal-auth/koa': {
    peers: { koa: '^2.15.0 || ^3.0.0' },
    oldest: ['koa@2.15.0'],
    newest: ['koa@^3'],
    types: ['@types/koa@^3'],
  },
  // @apollo/datasource-rest 6.4.0 was never published: 6.4.1 is the floor of ^6.4.0.
  '@loyal-auth/apollo': {
    peers: { '@apollo/datasource-rest': '^6.4.0', graphql: '^16.11.0' },
    oldest: ['@apollo/datasource-rest@6.4.1', 'graphql@16.11.0', '@apollo/server@^4'],
    newest: ['@apollo/datasource-rest@^6', 'graphql@^16', '@apollo/server@^5'],
  },
  '@loyal-auth/redis': {
    peers: { ioredis: '^5.4.0 || ^6.0.0' },
    oldest: ['ioredis@5.4.0'],
    newest: ['ioredis@^6'],
  },
}

/** Tools installed into the throwaway projects (never into the workspace). */
export const tools = {
  typescript: ['typescript@~5.9.3', 'typescript7@npm:typescript@^7'],
  nodeTypes: '@types/node@^20',
  jest: 'jest@^30',
}
