import type KoaApplication from 'koa'
import Koa3 from 'koa'
import Koa2 from 'koa2'

export type KoaClass = typeof Koa3

/** Every supported Koa major, for `describe.each`. */
export const koaMajors: ReadonlyArray<readonly [string, KoaClass]> = [
  ['koa 2', Koa2 as unknown as KoaClass],
  ['koa 3', Koa3],
]

/** A quiet app: errors a test provokes on purpose are not printed by Koa's default handler. */
export function quietApp(Koa: KoaClass): KoaApplication {
  const app = new Koa()

  app.silent = true

  return app
}
