import { describe, expect, it } from 'vitest'
import { startLoyalApi } from '../src/index.js'
import { fetchToken } from './support.js'

describe('close()', () => {
  it('ends a hanging token request and resolves', async () => {
    const api = await startLoyalApi()

    api.faults.token({ hang: true })

    const pending = fetch(api.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${api.apiKey}` },
    })

    await expect.poll(() => api.counters.tokenRequests).toBe(1)
    await api.close()

    await expect(pending).rejects.toThrow()
  })

  it('ends a hanging API request and a pending delay', async () => {
    const api = await startLoyalApi()

    api.faults.route('/users', { hang: true })
    api.faults.route('/rules', { delay: 60_000 })

    const token = await api.issueToken()
    const headers = { Authorization: `Bearer ${token}` }
    const hanging = fetch(`${api.url}/users`, { headers })
    const delayed = fetch(`${api.url}/rules`, { headers })

    const settled = Promise.allSettled([hanging, delayed])

    await expect.poll(() => api.counters.apiRequests).toBe(2)
    await api.close()

    expect((await settled).map((result) => result.status)).toEqual(['rejected', 'rejected'])
  })

  it('closes idle keep-alive connections, and is safe to call twice', async () => {
    const api = await startLoyalApi()

    await fetchToken(api)
    await Promise.all([api.close(), api.close()])

    await expect(fetchToken(api)).rejects.toThrow()
  })

  it('works with await using', async () => {
    let url = ''

    {
      await using api = await startLoyalApi()

      url = api.url
    }

    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })
})

describe('startLoyalApi()', () => {
  it('listens on 127.0.0.1, on a port of its own', async () => {
    const [a, b] = await Promise.all([startLoyalApi(), startLoyalApi()])

    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(a.port).not.toBe(b.port)
    expect(a.tokenUrl).toBe(`${a.url}/auth/client/token`)
    await Promise.all([a.close(), b.close()])
  })
})
