import { describe, expect, it } from 'vitest'
import { isLoyalError } from '../src/loyal-error.js'
import { parsedBodyUpstream } from '../src/parsed-body.js'

const site = { method: 'POST', path: '/rules?token=query-secret' }
const form = 'application/x-www-form-urlencoded'

function upstream(parsed: unknown, headers: Record<string, string> = {}) {
  return parsedBodyUpstream(parsed, { 'content-length': '10', ...headers }, site)
}

/** The error `parsed` gives: a `config` LoyalError naming the route, never a query or value. */
function refusal(parsed: unknown, headers: Record<string, string> = {}): string {
  try {
    upstream(parsed, headers)
  } catch (error) {
    expect(isLoyalError(error) && error.code).toBe('config')
    expect(error).toMatchObject({ method: 'POST', path: '/rules', httpStatus: 500 })

    const { message } = error as Error

    expect(message).toMatch(/^The Loyal proxy cannot forward POST \/rules: /)
    expect(message).toMatch(/before the body parser/)
    expect(message).not.toContain('query-secret')
    expect(message).not.toContain('field-secret')

    return message
  }

  throw new Error('expected a refusal')
}

describe('parsedBodyUpstream: forms', () => {
  it('encodes fields as a browser would, a list as repeated names', () => {
    const fields = Object.assign(Object.create(null), { name: 'Form rule', tag: ['a', 'b'] })

    expect(upstream(fields, { 'content-type': form })).toEqual({
      body: 'name=Form+rule&tag=a&tag=b',
      contentType: form,
    })
  })

  it('writes numbers and booleans a custom parser left as their text', () => {
    expect(upstream({ limit: 5, on: true }, { 'content-type': form }).body).toBe('limit=5&on=true')
  })

  it('relabels a form of another charset as the UTF-8 its escapes are now in', () => {
    const type = 'application/x-www-form-urlencoded; charset=ISO-8859-1'

    expect(upstream({ note: 'café' }, { 'content-type': type })).toEqual({
      body: 'note=caf%C3%A9',
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    })
  })

  it.each([
    ['a nested object', { rule: { name: 'field-secret' } }],
    ['an object in a list', { rules: [{ name: 'field-secret' }] }],
    ['a null field', { name: null }],
    ['a list of fields', ['field-secret']],
    ['a number', 5],
  ])('refuses %s, which no form encoding gives back faithfully', (_case, fields) => {
    expect(refusal(fields, { 'content-type': form })).toMatch(/form/)
  })

  it('sends a form a text parser kept as it came, charset and all', () => {
    const type = `${form}; charset=iso-8859-1`

    expect(upstream('note=caf%E9', { 'content-type': type })).toEqual({ body: 'note=caf%E9' })
  })
})

describe('parsedBodyUpstream: JSON', () => {
  it.each([
    ['a JSON type', 'application/vnd.api+json', 'application/vnd.api+json'],
    [
      'a JSON type of another charset',
      'application/json; charset="utf-16"',
      'application/json; charset=utf-8',
    ],
    ['another type', 'text/plain; charset=utf-8', 'application/json'],
    ['no type', undefined, 'application/json'],
  ])('sends an object under %s as JSON, labelled so', (_case, type, sent) => {
    const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type }

    expect(upstream({ ids: [1, 2] }, headers)).toEqual({ body: '{"ids":[1,2]}', contentType: sent })
  })

  it('sends what a non-strict JSON parser made of a scalar as JSON', () => {
    const json = { 'content-type': 'application/json' }

    expect(upstream(null, json).body).toBe('null')
    expect(upstream(false, json).body).toBe('false')
    expect(upstream('hello', json).body).toBe('"hello"')
  })

  it('sends JSON text a text parser kept as it came, told by its length', () => {
    const json = { 'content-type': 'application/json', 'content-length': '11' }

    expect(upstream('{"ids":[1]}', json)).toEqual({
      body: '{"ids":[1]}',
      contentType: json['content-type'],
    })
    expect(upstream('"123"', { ...json, 'content-length': '5' }).body).toBe('"123"')
    expect(upstream('{bad', { ...json, 'content-length': '4' }).body).toBe('{bad')
    expect(upstream('café', { ...json, 'content-length': '4' }).body).toBe('café')
  })

  it('sends a string a non-strict JSON parser read as that JSON string', () => {
    const json = { 'content-type': 'application/json', 'content-length': '5' }

    expect(upstream('123', json).body).toBe('"123"')
    expect(upstream('true', { ...json, 'content-length': '6' }).body).toBe('"true"')
  })

  it('sends the raw text a parser kept for a string under a JSON type', () => {
    const json = { 'content-type': 'application/json' }
    const sent = parsedBodyUpstream('123', json, site, { rawText: '"123"' })

    expect(sent.body).toBe('"123"')
  })

  it.each([
    ['compressed', { 'content-encoding': 'gzip' }],
    ['chunked', { 'content-length': undefined, 'transfer-encoding': 'chunked' }],
    ['of another charset', { 'content-type': 'application/json; charset=utf-16' }],
    ['of a length neither reading gives', { 'content-length': '6' }],
  ])('refuses a string under a JSON type %s, which could be text or value', (_c, extra) => {
    const headers = { 'content-type': 'application/json', 'content-length': '5', ...extra }

    expect(refusal('field-secret'.slice(0, 5), headers as Record<string, string>)).toMatch(
      /text or its value/
    )
  })

  it.each([
    ['a Map', new Map([['name', 'field-secret']])],
    ['a BigInt', { id: 1n }],
    [
      'a circular object',
      (() => {
        const rule: Record<string, unknown> = { name: 'field-secret' }

        rule.self = rule

        return rule
      })(),
    ],
    ['a function', () => 'field-secret'],
  ])('refuses %s, which has no faithful JSON form', (_case, parsed) => {
    expect(refusal(parsed, { 'content-type': 'application/json' })).toMatch(/JSON/)
  })

  it('refuses fields a parser split a multipart body into', () => {
    const type = 'multipart/form-data; boundary=x'

    expect(refusal({ name: 'field-secret' }, { 'content-type': type })).toMatch(/multipart/)
  })
})

describe('parsedBodyUpstream: text, bytes and nothing', () => {
  it('labels text UTF-8 when no charset was named: a default one may have decoded it', () => {
    expect(upstream('café', { 'content-type': 'text/plain' }).contentType).toBe(
      'text/plain; charset=utf-8'
    )
  })

  it('refuses text of another charset a parser decoded as UTF-8 regardless', () => {
    const trace = { marked: true, rawText: 'caf\uFFFD', utf8Only: true }
    const latin1 = { 'content-length': '4', 'content-type': 'text/plain; charset=latin1' }

    expect(() => parsedBodyUpstream('caf\uFFFD', latin1, site, trace)).toThrow(/charset/)

    const utf8 = { ...latin1, 'content-type': 'text/plain; charset=us-ascii' }

    expect(parsedBodyUpstream('cafe', utf8, site, trace).body).toBe('cafe')
  })

  it.each([
    ['no mark under a text type', { 'content-type': 'text/plain' }, {}],
    ['a parser that marks every parse', { 'content-type': 'application/json' }, { marked: false }],
  ])('refuses a placeholder {} with %s as a body read and dropped', (_c, headers, trace) => {
    const all = { 'content-length': '11', ...headers }

    expect(() => parsedBodyUpstream({}, all, site, trace)).toThrow(/read the body/)
  })

  it('sends {} a parser marked, or left unmarked under a JSON type', () => {
    const json = { 'content-length': '2', 'content-type': 'application/json' }
    const text = { 'content-length': '2', 'content-type': 'text/plain' }

    expect(parsedBodyUpstream({}, json, site).body).toBe('{}')
    expect(parsedBodyUpstream({}, text, site, { marked: true }).body).toBe('{}')
  })

  it('relabels text decoded from another charset as the UTF-8 fetch sends', () => {
    expect(upstream('café', { 'content-type': 'text/plain;Charset=latin1' })).toEqual({
      body: 'café',
      contentType: 'text/plain;charset=utf-8',
    })
    expect(upstream('café', { 'content-type': 'text/plain; charset=UTF-8' }).contentType).toBe(
      'text/plain; charset=UTF-8'
    )
  })

  it('sends bytes as read, under the browser type', () => {
    const sent = upstream(Buffer.from('raw'), { 'content-type': 'application/octet-stream' })

    expect(sent.contentType).toBeUndefined()
    expect(new TextDecoder().decode(sent.body as Uint8Array)).toBe('raw')
  })

  it('sends nothing for a body the browser declared empty, whatever a parser made of it', () => {
    expect(upstream({}, { 'content-length': '0', 'content-type': form })).toEqual({
      body: undefined,
    })
  })

  it('sends nothing when no body was declared and none was parsed', () => {
    expect(parsedBodyUpstream(undefined, {}, site)).toEqual({ body: undefined })
  })

  it.each([
    ['a length', { 'content-length': '10' }],
    ['chunks', { 'transfer-encoding': 'chunked' }],
  ])('refuses a body declared by %s that a middleware read and dropped', (_case, headers) => {
    expect(() => parsedBodyUpstream(undefined, headers, site)).toThrow(/read the body/)
  })
})
