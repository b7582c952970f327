import type { IncomingMessage } from 'node:http'
import { ApolloServer as ApolloServer5 } from '@apollo/server'
import { startStandaloneServer as startStandalone5 } from '@apollo/server/standalone'
import { ApolloServer as ApolloServer4 } from 'apollo4'
import { startStandaloneServer as startStandalone4 } from 'apollo4/standalone'

/** What a test needs of a running Apollo Server, whichever major. */
export interface GraphQLServer {
  url: string
  /** POSTs one operation over HTTP and returns the raw text along with the parsed body. */
  post(query: string, options?: PostOptions): Promise<GraphQLReply>
  stop(): Promise<void>
}

export interface PostOptions {
  variables?: Record<string, unknown>
  headers?: Record<string, string>
}

export interface GraphQLReply {
  status: number
  /** The whole response body as received, for secret searches. */
  text: string
  body: {
    data?: Record<string, unknown> | null
    errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>
  }
}

export interface ServeOptions {
  typeDefs: string
  resolvers: object
  context: (args: { req: IncomingMessage }) => Promise<object>
}

interface ApolloLike {
  stop(): Promise<void>
}

type ApolloCtor = new (config: {
  typeDefs: string
  resolvers: object
  includeStacktraceInErrorResponses: boolean
}) => ApolloLike

type StartStandalone = (
  server: ApolloLike,
  options: {
    listen: { port: number; host: string }
    context: (args: { req: IncomingMessage }) => Promise<object>
  }
) => Promise<{ url: string }>

/** Apollo Server 4 (the `apollo4` alias) and 5, each served by `startStandaloneServer`. */
export const apolloMajors = [
  { major: 4, serve: serveWith(ApolloServer4, startStandalone4) },
  { major: 5, serve: serveWith(ApolloServer5, startStandalone5) },
]

// The two majors' types differ in details the tests do not touch.
function serveWith(
  Apollo: unknown,
  start: unknown
): (options: ServeOptions) => Promise<GraphQLServer> {
  return (options) => serve(Apollo as ApolloCtor, start as StartStandalone, options)
}

async function serve(
  Apollo: ApolloCtor,
  start: StartStandalone,
  options: ServeOptions
): Promise<GraphQLServer> {
  // Stack traces on: whatever an error carries must be safe to show.
  const server = new Apollo({ ...options, includeStacktraceInErrorResponses: true })
  const { url } = await start(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: options.context,
  })

  return { url, post: (query, post) => postOperation(url, query, post), stop: () => server.stop() }
}

async function postOperation(
  url: string,
  query: string,
  options: PostOptions = {}
): Promise<GraphQLReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  })
  const text = await response.text()

  return { status: response.status, text, body: JSON.parse(text) }
}
