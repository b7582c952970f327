import { IncomingMessage } from 'node:http'
import type { LoyalContext } from '@loyal-auth/core'
import type { Request } from 'express'

// Express gives every request its app's prototype (`Object.setPrototypeOf` per request), and
// V8 then builds a new hidden class for each such request that gains a property: a plain
// `req.loyal = …` cost about 2 µs a request, more than the rest of `loyal()`, and made every
// later read of it slow too. So `loyal` lives once, as an accessor on the request prototype all
// of Express's apps share, and each request's context in a WeakMap behind it.
const contexts = new WeakMap<object, LoyalContext>()

// The requests' direct prototypes already looked at (one per Express app).
const prepared = new WeakSet<object>()

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object) {
    return contexts.get(this)
  },
  set(this: object, context: LoyalContext) {
    contexts.set(this, context)
  },
}

/**
 * Sets `req.loyal`. Where no shared prototype is found (a request Express did not re-prototype,
 * or not a Node request at all) it is an ordinary property, which is cheap there.
 */
export function setLoyalContext(req: Request, context: LoyalContext): void {
  const prototype: unknown = Object.getPrototypeOf(req)

  if (typeof prototype === 'object' && prototype !== null && !prepared.has(prototype)) {
    installAccessor(prototype)
    prepared.add(prototype)
  }

  req.loyal = context
}

// Defined on the highest prototype below Node's IncomingMessage.prototype: Express's own
// request object, shared by every app and sub-app, so `req.loyal` reads the same inside a
// mounted app. A `loyal` already on the chain (another copy of this package, or someone
// else's) is left alone; assignments then go wherever it sends them.
function installAccessor(prototype: object): void {
  if ('loyal' in prototype) return

  let shared: object | undefined
  let current: object | null = prototype

  while (current !== null && current !== IncomingMessage.prototype) {
    shared = current
    current = Object.getPrototypeOf(current) as object | null
  }

  if (current === null || shared === undefined) return

  Object.defineProperty(shared, 'loyal', accessor)
}
