/**
 * Node-only entry point: `@loyal-auth/core/file-store`. Kept apart from the main entry so core
 * keeps running where `node:fs` does not exist (edge runtimes, browsers, workers).
 */
export { FileTokenStore, type FileTokenStoreOptions } from './file-token-store.js'
