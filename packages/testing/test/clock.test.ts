import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { type LoyalApi, type StartLoyalApiOptions, startLoyalApi } from '../src/index.js'
import { callApi, fetchToken, requestToken } from './support.js'

const START = Date.parse('2026-01-01T00:00:00Z')
const HOUR = 3_600_000

let api: LoyalApi | undefined
let time = START

async function start(options: StartLoyalApiOptions = {}): Promise<LoyalApi> {
  time = START
  api = await startLoyalApi({ now: () => time, ...options })

  return api
}

afterEach(() => api?.close())

describe('the API clock', () => {
  it('follows the injected now', async () => {
    const server = await start()
    const response = await requestToken(server)
    const { token } = (await response.json()) as { token: string }

    expect(response.headers.get('date')).toBe(new Date(START).toUTCString())
    expect(decodeJwt(token).exp).toBe((START + 24 * HOUR) / 1000)
    expect(server.now()).toBe(START)
  })

  it('runs ahead by clockOffset, in the Date header and in exp', async () => {
    const server = await start({ clockOffset: 10 * 60_000 })
    const response = await requestToken(server)
    const { token } = (await response.json()) as { token: string }
    const serverStart = START + 10 * 60_000

    expect(Date.parse(response.headers.get('date') ?? '')).toBe(serverStart)
    expect(decodeJwt(token).exp).toBe((serverStart + 24 * HOUR) / 1000)
  })

  it('judges expiry on its own clock', async () => {
    const server = await start({ tokenDuration: 60_000 })
    const token = await fetchToken(server)

    time = START + 59_000
    expect((await callApi(server, '/users', token)).status).toBe(200)

    time = START + 60_000
    expect((await callApi(server, '/users', token)).status).toBe(401)
  })

  it('refuses a token that our clock thinks fine when the API clock is ahead', async () => {
    const server = await start({ tokenDuration: 5 * 60_000 })
    const token = await fetchToken(server)

    server.configure({ clockOffset: 10 * 60_000 })

    expect((await callApi(server, '/users', token)).status).toBe(401)
  })

  it('reads an exp in milliseconds as milliseconds', async () => {
    const server = await start({ expFormat: 'milliseconds', tokenDuration: 60_000 })
    const token = await fetchToken(server)

    expect(decodeJwt(token).exp).toBe(START + 60_000)

    time = START + 60_000
    expect((await callApi(server, '/users', token)).status).toBe(401)
  })

  it('ends an exp-less token 24 hours after it issued it', async () => {
    const server = await start({ expFormat: 'none' })
    const token = await fetchToken(server)

    time = START + 24 * HOUR - 1
    expect((await callApi(server, '/users', token)).status).toBe(200)

    time = START + 24 * HOUR
    expect((await callApi(server, '/users', token)).status).toBe(401)
  })
})
