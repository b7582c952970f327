/**
 * A trivial node:http server in its own process: the target of the axios and Apollo loads.
 * It answers the token path with the token it was given (so a LoyalAuth can point at it) and
 * every other path with a small JSON body. It does no auth check: only the client is measured.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serveChildProtocol } from '../child.js'

const token = process.env.BENCH_TOKEN ?? ''
const tokenBody = JSON.stringify({ authenticated: true, token })
const body = JSON.stringify({ id: 1, name: 'Piedmont rollup', total: 42 })

const server = createServer((req, res) => {
  const isToken = req.method === 'POST' && req.url === '/auth/client/token'

  // The request body, if any, is drained before answering, as any real server would.
  req.resume()
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(isToken ? tokenBody : body)
  })
})
server.keepAliveTimeout = 60_000

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  serveChildProtocol(`http://127.0.0.1:${port}`)
})
