import express5 from 'express'
import express4 from 'express4'

export type Express = typeof express5

/** Every supported Express major, for `describe.each`. */
export const expressMajors: ReadonlyArray<readonly [string, Express]> = [
  ['express 4', express4 as unknown as Express],
  ['express 5', express5],
]
