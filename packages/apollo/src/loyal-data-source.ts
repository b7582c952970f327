import {
  type AugmentedRequest,
  type CacheOptions,
  type DataSourceConfig,
  type DataSourceFetchResult,
  type DataSourceRequest,
  RESTDataSource,
  type RequestOptions,
} from '@apollo/datasource-rest'
import {
  InMemoryLRUCache,
  type KeyValueCache,
  PrefixingKeyValueCache,
} from '@apollo/utils.keyvaluecache'
import {
  assertScopes,
  checkedScopes,
  configError,
  errorFromResponse,
  isLoyalError,
  type LoyalAuth,
  parseRetryAfter,
} from '@loyal-auth/core'
import { GraphQLError } from 'graphql'
import { createAuthorizedFetcher, type Fetcher } from './authorized-fetcher.js'
import { asFetcher, type LoyalFetch } from './fetch-option.js'
import {
  type CallSite,
  fromTransportFailure,
  fromUnreadableAnswer,
  fromUpstreamFailure,
  toGraphQLError,
} from './graphql-errors.js'
import { ownError } from './own-error.js'
import { stateOf, withState } from './request-state.js'
import { reportingTransportFailures, thrownByTransport } from './transport-failure.js'
import { readAnswer, unreadableAnswerStatus } from './unreadable-answer.js'

/** Options of {@link LoyalDataSource}. */
export interface LoyalDataSourceOptions {
  /** The credential whose bearer the requests carry. Its `baseUrl` becomes `baseURL`. */
  auth: LoyalAuth
  /**
   * Where GET responses are cached across operations, typically `server.cache`. Entries are
   * keyed by the credential's fingerprint, so tenants sharing it stay apart. Default: an
   * in-memory LRU cache of this instance.
   */
  cache?: KeyValueCache
  /**
   * The fetch implementation for Loyal API calls: `globalThis.fetch`, undici's, node-fetch or
   * a wrapper of one, `(url, init) => fetch(url, init)`. Default: `globalThis.fetch`.
   */
  fetch?: LoyalFetch
  /** Apollo-style logger (`server.logger`) for cache write failures. Default: silent. */
  logger?: DataSourceConfig['logger']
}

// HTTPCache writes through this same prefix (datasource-rest v6, src/HTTPCache.ts); we reach
// its entries to drop the ones a successful write makes stale.
const HTTP_CACHE_PREFIX = 'httpcache:'

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * A `RESTDataSource` for the Loyal API. Extend it with one method per route; every request
 * carries the bearer of `auth`, is replayed once after a 401, and fails with a `GraphQLError`
 * whose `extensions.code` is stable (see `LoyalGraphQLErrorCode`).
 *
 * Create one per operation in the context function. To share one instance (and its
 * deduplication) across tenants, hand each operation `shared.forAuth(tenantAuth)`.
 *
 * @example
 * class EmpowerAPI extends LoyalDataSource {
 *   getRollup(id: number) {
 *     return this.get<Rollup>(`empower/rollups/${encodeURIComponent(id)}`)
 *   }
 * }
 *
 * context: async () => ({
 *   dataSources: { empower: new EmpowerAPI({ auth, cache: server.cache }) },
 * })
 */
export abstract class LoyalDataSource<
  CO extends CacheOptions = CacheOptions,
> extends RESTDataSource<CO> {
  /** The credential of this instance (or view, see {@link LoyalDataSource.forAuth}). */
  readonly auth: LoyalAuth

  // The cache HTTPCache writes to; seen through its prefix when a write makes entries stale.
  private readonly responseCache: KeyValueCache

  /** @throws LoyalError `config` when `options`, `auth` or `fetch` is not usable. */
  constructor(options: LoyalDataSourceOptions) {
    if (typeof options !== 'object' || options === null) {
      throw configError('LoyalDataSource needs an options object, such as { auth }')
    }

    assertAuth(options.auth, 'LoyalDataSource: "auth"')
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw configError('LoyalDataSource: "fetch" must be a function')
    }
    if (options.cache !== undefined && !isKeyValueCache(options.cache)) {
      throw configError('LoyalDataSource: "cache" must be a KeyValueCache (get, set, delete)')
    }

    const cache = options.cache ?? new InMemoryLRUCache()
    const fetch = asFetcher(options.fetch ?? globalThis.fetch)

    super({
      cache,
      fetch: reportingTransportFailures(createAuthorizedFetcher(fetch)),
      logger: options.logger ?? silentLogger,
    })

    this.auth = options.auth
    this.baseURL = baseUrlOf(options.auth)
    this.deduplicationPromises = new FailureEvictingMap()
    this.responseCache = cache
  }

  /**
   * A view of this data source that calls the API with another credential. It shares the
   * HTTP cache and the request deduplication of this instance; cache and deduplication keys
   * hold each credential's fingerprint, so tenants never see each other's answers.
   *
   * @example
   * const shared = new EmpowerAPI({ auth: defaultAuth, cache: server.cache })
   * context: async ({ req }) => ({ empower: shared.forAuth(tenantAuthFor(req)) })
   */
  forAuth(auth: LoyalAuth): this {
    assertAuth(auth, 'forAuth(auth)')

    if (auth === this.auth) return this

    const view = Object.create(this) as this

    Object.defineProperty(view, 'auth', { value: auth, enumerable: true })
    Object.defineProperty(view, 'baseURL', {
      value: baseUrlOf(auth),
      enumerable: true,
      writable: true,
    })

    return view
  }

  /**
   * Refuses with `FORBIDDEN` (and `extensions.required`) when the token's scopes are known and
   * lack one of `scopes`, before any request is made. A token without scope information
   * passes: the API decides. Pass each scope as its own argument: one holding a space
   * (`'empower:read users:read'`), an empty one or none at all is a `LOYAL_CONFIG` error.
   *
   * @example
   * async createRule(rule: NewRule) {
   *   await this.requireScopes('rules:write')
   *   return this.post<Rule>('rules', { body: rule })
   * }
   */
  async requireScopes(...scopes: string[]): Promise<void> {
    try {
      const required = checkedScopes('requireScopes', scopes)
      const token = this.auth.peekToken() ?? (await this.auth.getToken())

      assertScopes(token, required)
    } catch (error) {
      throw toGraphQLError(error, { auth: this.auth })
    }
  }

  override async fetch<TResult>(
    path: string,
    incomingRequest: DataSourceRequest<CO> = {}
  ): Promise<DataSourceFetchResult<TResult>> {
    const { auth } = this

    try {
      // Per operation: it follows the key of the token in use (an `apiKey` function may rotate).
      const fingerprint = await auth.fingerprint()
      const cacheOptions = this.successOnly(incomingRequest)
      const request = withState(incomingRequest, { auth, fingerprint }, { cacheOptions })
      const result = await super.fetch<TResult>(path, request)

      if (result.requestDeduplication.policy.policy === 'do-not-deduplicate') {
        await this.dropInvalidated(result.requestDeduplication.policy)
      }

      return result
    } catch (error) {
      throw this.reported(error, this.callSite(path, incomingRequest))
    }
  }

  /**
   * RESTDataSource's parsing; a body that cannot be read is reported as an answer of the API
   * that could not be read (`UPSTREAM_ERROR` with its `status`), a failed status by status.
   */
  protected override parseBody(response: Awaited<ReturnType<Fetcher>>): Promise<object | string> {
    return readAnswer(super.parseBody(response), response)
  }

  /** Prefixes the default key with the credential's fingerprint (never the key itself). */
  protected override cacheKeyFor(url: URL, request: RequestOptions<CO>): string {
    const key = super.cacheKeyFor(url, request)
    const state = stateOf(request)

    return state === undefined ? key : `${state.fingerprint}:${key}`
  }

  /** Core resolves paths: 'empower/rollups/1' and '/empower/rollups/1' both land under the base. */
  protected override resolveURL(path: string, request: AugmentedRequest<CO>): URL {
    const url = this.auth.resolveUrl(path)
    const state = stateOf(request)

    if (state !== undefined) state.url = url

    return url
  }

  /**
   * 401 and 403 become core's typed errors (403 with the scopes the API named), then
   * `GraphQLError`s; other statuses map by status. No header, request or response is kept.
   */
  protected override async errorFromResponse(options: {
    url?: URL
    request?: RequestOptions<CO>
    response: Awaited<ReturnType<Fetcher>>
    parsedBody: unknown
  }): Promise<GraphQLError> {
    const { url, request, response, parsedBody } = options
    const method = request?.method ?? 'GET'
    const path = url?.pathname ?? ''
    const auth = stateOf(request)?.auth ?? this.auth
    const typed = errorFromResponse(response as unknown as Response, method, path, parsedBody)

    if (typed !== undefined) return toGraphQLError(typed, { method, path, auth })

    return fromUpstreamFailure({
      status: response.status,
      body: parsedBody,
      method,
      path,
      auth,
      retryAfter: parseRetryAfter(
        response.headers.get('retry-after'),
        response.headers.get('date')
      ),
    })
  }

  // Whatever decides what to cache (the request's `cacheOptions`, else `cacheOptionsFor`)
  // is asked only about successes: a failed answer, with any TTL or headers, is never stored.
  private successOnly(request: DataSourceRequest<CO>): RequestOptions<CO>['cacheOptions'] {
    const chosen = request.cacheOptions ?? this.cacheOptionsFor?.bind(this)

    // Not async: HTTPCache awaits the answer anyway.
    return (url, response, sent) => {
      if (!response.ok) return { ttl: 0 } as CO

      return typeof chosen === 'function' ? chosen(url, response, sent) : chosen
    }
  }

  // RESTDataSource forgets in-flight GETs of a resource that a POST/PUT/... touches; we also
  // drop their cached responses, so a GET after a successful write shows the new data.
  private async dropInvalidated(policy: { invalidateDeduplicationKeys?: string[] }): Promise<void> {
    const keys = policy.invalidateDeduplicationKeys ?? []

    await Promise.all(keys.map((key) => this.dropCached(key)))
  }

  private async dropCached(key: string): Promise<void> {
    try {
      await new PrefixingKeyValueCache(this.responseCache, HTTP_CACHE_PREFIX).delete(key)
    } catch (error) {
      // A cache backend's message may quote what it was given: redact before logging.
      const reason = this.auth.redact(String(error))
      this.logger.warn(`loyal-auth: could not drop a stale cache entry: ${reason}`)
    }
  }

  private callSite(path: string, request: DataSourceRequest<CO>): Required<CallSite> {
    return { method: request.method ?? 'GET', path: pathnameOf(this.auth, path), auth: this.auth }
  }

  // Only what the API or loyal-auth did is reported as theirs. An error of the user's own code
  // (a hook, a parseBody override, a fetch option refusing, a cache backend) is handed on.
  private reported(error: unknown, site: Required<CallSite>): unknown {
    if (error instanceof GraphQLError || isLoyalError(error)) return toGraphQLError(error, site)

    const status = unreadableAnswerStatus(error)

    if (status !== undefined) return fromUnreadableAnswer(error, { ...site, status })
    if (thrownByTransport(error)) return fromTransportFailure(error, site) ?? ownError(error, site)

    return ownError(error, site)
  }
}

/**
 * RESTDataSource keeps in-flight (or, by policy, settled) GETs here to share them. A request
 * that failed is dropped the moment it fails, so no later call is handed the failure.
 */
class FailureEvictingMap extends Map<string, Promise<unknown>> {
  override set(key: string, promise: Promise<unknown>): this {
    super.set(key, promise)

    promise.catch(() => {
      if (this.get(key) === promise) this.delete(key)
    })

    return this
  }
}

function isKeyValueCache(cache: unknown): cache is KeyValueCache {
  const candidate = cache as Partial<KeyValueCache> | null

  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.get === 'function' &&
    typeof candidate.set === 'function' &&
    typeof candidate.delete === 'function'
  )
}

function assertAuth(auth: unknown, name: string): asserts auth is LoyalAuth {
  const candidate = auth as Partial<LoyalAuth> | undefined

  if (typeof candidate?.getToken === 'function' && typeof candidate.baseUrl === 'string') return

  throw configError(`${name} must be a LoyalAuth`)
}

// RESTDataSource users expect a trailing slash, under which relative paths resolve.
function baseUrlOf(auth: LoyalAuth): string {
  return auth.baseUrl.endsWith('/') ? auth.baseUrl : `${auth.baseUrl}/`
}

function pathnameOf(auth: LoyalAuth, path: string): string {
  try {
    return auth.resolveUrl(path).pathname
  } catch {
    return path.split('?')[0] ?? path
  }
}
