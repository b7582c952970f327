import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Served {
  url: string
  close(): Promise<void>
}

/** Serves `handler` on a free loopback port. */
export async function serve(handler: RequestListener): Promise<Served> {
  const server = createServer(handler)

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Lets pending callbacks, timers of 0 ms and rejection tracking run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/** An address nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const served = await serve(() => undefined)

  await served.close()

  return served.url
}
